/* libFuzzer target: the rule parser on one rule file's text. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <netdiag/rules.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct nd_rule r;
	char err[512];
	FILE *in;

	if (!size)
		return 0;
	in = fmemopen((void *)data, size, "r");
	if (!in)
		return 0;
	nd_rule_parse(&r, "fuzz.rule", in, err, sizeof(err));
	fclose(in);
	return 0;
}
