/* libFuzzer target: `doctor --from FILE`, the reader of netdiag's own
 * -j documents, on any bytes; what it read is written back as JSON and
 * text, as doctor would show it. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include <netdiag/out.h>
#include <netdiag/report.h>

#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	struct nd_findings fs;
	char path[32], err[512];
	struct nd_out o;
	int fd;

	if (!sink)
		sink = fopen("/dev/null", "w");
	fd = fuzz_input("fuzz-json", data, size, path);
	if (fd < 0)
		return 0;
	nd_findings_init(&fs);
	if (!nd_findings_read_json(path, &fs, err, sizeof(err))) {
		nd_out_init(&o, sink, true, false);
		nd_out_begin(&o, "fuzz");
		nd_report_findings(&o, &fs);
		nd_out_end(&o);
		nd_out_init(&o, sink, false, false);
		nd_report_findings(&o, &fs);
	}
	nd_findings_free(&fs);
	close(fd);
	return 0;
}
