/* libFuzzer target: the dhcp6 dissector on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include <netdiag/dhcp6.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nd_dhcp6 m;
	struct nd_cur c;

	nd_cur_init(&c, data, size);
	nd_dhcp6_parse(&m, c);
	return 0;
}
