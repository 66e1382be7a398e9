/* libFuzzer target: the nd dissector on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include <netdiag/nd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nd_ndp_msg m;
	struct nd_cur c;

	nd_cur_init(&c, data, size);
	nd_ndp_parse(&m, c);
	return 0;
}
