/* libFuzzer target: a whole capture file (pcap or pcapng, told apart by
 * its first bytes as for any file) read through nd_file_open and fed to
 * a full analysis run, findings made, JSON and the text of the limits
 * written.  The input is handed over as a memfd's /dev/fd path, so the
 * reader's own open, reads and bounds are what is exercised.  Trackers
 * get tables of 8 entries: eviction is exercised too, and an input does
 * not pay for zeroing the default tables. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include <netdiag/analysis.h>
#include <netdiag/capture.h>
#include <netdiag/json.h>
#include <netdiag/report.h>

#include "fuzz_input.h"
#include "track/track_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	char path[32], err[ND_CAPTURE_ERR_MAX];
	struct nd_frame_meta m;
	const uint8_t *frame;
	struct nd_findings fs;
	struct nd_analysis a;
	struct nd_file *file;
	struct nd_frame f;
	struct nd_out o;
	int fd, ret;

	if (!sink)
		sink = fopen("/dev/null", "w");
	fd = fuzz_input("fuzz-capture", data, size, path);
	if (fd < 0)
		return 0;
	if (nd_file_open(&file, path, err, sizeof(err))) {
		close(fd);
		return 0;
	}
	close(fd);  /* the reader holds its own descriptor */
	nd_analysis_init_empty(&a);
	for (const struct nd_tracker_entry *e = nd_default_trackers; e->create; e++)
		if (nd_analysis_add(&a, e->create(8))) {
			nd_analysis_free(&a);
			nd_file_close(file);
			return 0;
		}
	nd_findings_init(&fs);
	while ((ret = nd_file_next(file, &m, &frame, err, sizeof(err))) == 1) {
		/* the frame must lie inside what the reader said it captured */
		if (m.caplen > 0 && !frame)
			__builtin_trap();
		nd_analysis_frame(&a, &m, frame, &f);
	}
	nd_file_close(file);
	if (!nd_analysis_finish(&a, &fs)) {
		/* both forms of the one walk */
		nd_out_init(&o, sink, true, false);
		nd_out_begin(&o, "analyze");
		nd_analysis_print(&a, &o);
		nd_report_findings(&o, &fs);
		nd_out_end(&o);
		nd_out_init(&o, sink, false, false);
		nd_analysis_print(&a, &o);
		nd_report_findings(&o, &fs);
		nd_analysis_print_limits(&a, &o);
	}
	nd_findings_free(&fs);
	nd_analysis_free(&a);
	return 0;
}
