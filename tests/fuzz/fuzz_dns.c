/* libFuzzer target: the dns dissector on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include <netdiag/dns.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nd_dns m;
	struct nd_cur c;

	nd_cur_init(&c, data, size);
	nd_dns_parse(&m, c);
	return 0;
}
