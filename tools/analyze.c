/* netdiag analyze FILE...: findings from capture files. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <netdiag/analysis.h>
#include <netdiag/capture.h>
#include <netdiag/report.h>

#include "cli.h"

static const char usage_text[] =
	"usage: netdiag analyze [-j|--json] [--frames] [--junit FILE] FILE...\n"
	"\n"
	"Read pcap and pcapng files and report, per interface and direction, the\n"
	"checksum verdicts of every layer and the findings of every tracker.\n"
	"\n"
	"  -j, --json     one JSON document (schema in docs/json-schema.md)\n"
	"  --frames       one line per frame, tab-separated: number, interface,\n"
	"                 direction, decode status, protocol, its checksum verdict,\n"
	"                 found, expected, then the IPv4 header's verdict, found,\n"
	"                 expected (not with -j)\n"
	"  --junit FILE   also write a JUnit report (one test case per check)\n"
	"\n"
	"Exit status: 0 nothing wrong, 1 problems found, 2 unreadable input.\n";

/* the options usage_text describes */
static const struct option opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "frames", no_argument, NULL, 'F' },
	{ "junit", required_argument, NULL, 'J' },
	{ "fail-on", required_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

static const char *const junit_checks[] = { "csum", "dhcp4", "dhcp6", "dns", "nd", NULL };

struct analyze_opts {
	bool json, frames;
	const char *junit;
};

static int read_file(struct nd_analysis *a, const char *path, const struct analyze_opts *o)
{
	char err[ND_CAPTURE_ERR_MAX];
	struct nd_frame_meta m;
	const uint8_t *data;
	struct nd_file *file;
	struct nd_frame f;
	int ret;

	ret = nd_file_open(&file, path, err, sizeof(err));
	if (ret) {
		cli_err("analyze", path, "%s", err);
		return ret;
	}
	while ((ret = nd_file_next(file, &m, &data, err, sizeof(err))) == 1) {
		nd_analysis_frame(a, &m, data, &f);
		if (o->frames)
			nd_frame_print_lines(stdout, &m, &f);
	}
	if (ret < 0)
		cli_err("analyze", path, "%s", err);
	nd_file_close(file);
	return ret;
}


/* The result, text or JSON from one walk. */
static void print_result(bool json, const struct nd_analysis *a,
			 const struct nd_findings *fs, char **files, int nfiles, int status)
{
	struct nd_out doc, *o = &doc;

	cli_out_begin(o, "analyze", json);
	nd_out_arr_open(o, "files");
	for (int i = 0; i < nfiles; i++)
		nd_out_str(o, ND_OUT_ITEM, NULL, files[i]);
	nd_out_arr_close(o);
	nd_analysis_print(a, o);
	cli_out_findings(o, fs, "no findings");
	/* what the bounds hid is said, not only in -j */
	nd_analysis_print_limits(a, o);
	cli_out_end(o, status);
}

int cmd_analyze(int argc, char **argv)
{
	enum nd_severity fail_on = ND_SEV_ERROR;
	struct analyze_opts o = { 0 };
	struct nd_findings fs;
	struct nd_analysis a;
	clock_t t0 = clock();
	int c, status, err;

	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j': o.json = true; break;
		case 'F': o.frames = true; break;
		case 'J': o.junit = optarg; break;
		case 'f':
			if (cli_fail_on("analyze", optarg, &fail_on))
				return EXIT_CANNOT;
			break;
		case 'h': fputs(usage_text, stdout); return EXIT_HEALTHY;
		default: return cli_bad_option("analyze", argv, "jh", opts);
		}
	}
	if (optind == argc) {
		cli_err("analyze", NULL, "no capture file given (see 'netdiag analyze --help')");
		return EXIT_CANNOT;
	}
	/* frame lines before a document would leave stdout no JSON at all */
	if (o.frames && o.json) {
		cli_err("analyze", "--frames", "is text, one line per frame: not with -j");
		return EXIT_CANNOT;
	}
	err = nd_analysis_init(&a);
	if (err) {
		cli_err("analyze", NULL, "%s", strerror(-err));
		return EXIT_CANNOT;
	}
	nd_findings_init(&fs);
	status = EXIT_CANNOT;
	for (int i = optind; i < argc; i++)
		if (read_file(&a, argv[i], &o) < 0)
			goto out;
	err = nd_analysis_finish(&a, &fs);
	if (err) {
		cli_err("analyze", NULL, "%s", strerror(-err));
		goto out;
	}
	status = cli_status(&fs, fail_on);
	if (o.junit && nd_report_junit(o.junit, "netdiag analyze", junit_checks, &fs,
				       (double)(clock() - t0) / CLOCKS_PER_SEC)) {
		cli_err("analyze", o.junit, "cannot write JUnit report");
		status = EXIT_CANNOT;
		goto out;
	}
	if (o.json || !o.frames)
		print_result(o.json, &a, &fs, argv + optind, argc - optind, status);
out:
	/* a CI job reading the JUnit file learns why there is nothing */
	if (status == EXIT_CANNOT && o.junit)
		nd_report_junit_error(o.junit, "netdiag analyze", cli_last_error());
	nd_findings_free(&fs);
	nd_analysis_free(&a);
	return status;
}
