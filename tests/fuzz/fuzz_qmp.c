/* libFuzzer target: the QMP message reader and the probe guest's report
 * parser, both fed text that crosses a trust boundary (QEMU, the guest). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <netdiag/vm.h>

#include "vm_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct nd_probe_report report;
	char *text = malloc(size + 1), out[64];

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	vm_json_get_str(text, "event", out, sizeof(out));
	vm_json_get_str(text, "data.reason", out, sizeof(out));
	if (report.nnics == ND_PROBE_NICS_MAX || report.ndns == ND_PROBE_DNS_MAX)
		memset(&report, 0, sizeof(report));
	nd_probe_feed(&report, text);
	free(text);
	return 0;
}
