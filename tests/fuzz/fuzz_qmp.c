/* libFuzzer target: the QMP stream reader and the probe guest's report
 * parser, both fed text that crosses a trust boundary (QEMU, the guest).
 * The QMP input is fed in two reads cut where its first byte says, so a
 * message carried over between reads is exercised too. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <netdiag/vm.h>

#include "vm_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t seen;

static void on_event(void *arg, const char *event, const char *reason)
{
	/* read both strings whole: ASan sees any overrun */
	seen += strlen(event) + strlen(reason);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct nd_vm_probe_report report;
	struct vm_qmp q = { .fd = -1 };
	size_t cut = size ? data[0] % (size + 1) : 0;
	char *text;

	vm_qmp_feed(&q, (const char *)data, cut, on_event, NULL);
	vm_qmp_feed(&q, (const char *)data + cut, size - cut, on_event, NULL);
	vm_qmp_close(&q);

	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	if (report.nnics == ND_VM_PROBE_NICS_MAX || report.ndns == ND_VM_PROBE_DNS_MAX)
		memset(&report, 0, sizeof(report));
	nd_vm_probe_feed(&report, text);
	free(text);
	return 0;
}
