/* libFuzzer target: the dhcp4 dissector on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include <netdiag/dhcp4.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nd_dhcp4 m;
	struct nd_cur c;

	nd_cur_init(&c, data, size);
	nd_dhcp4_parse(&m, c);
	return 0;
}
