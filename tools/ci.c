/* netdiag ci SPEC: a YAML file of expectations for a bridge set-up, each
 * a JUnit testcase. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netdiag/ci.h>
#include <netdiag/report.h>

#include "cli.h"

static const char usage_text[] =
	"usage: netdiag ci SPEC [--list] [-j|--json] [--junit FILE] [-v]\n"
	"\n"
	"Check a bridge set-up against SPEC, a YAML file of expectations\n"
	"(docs/ci.md): bridge properties (exists, stp, forward_delay, mtu,\n"
	"ports), offload states on named devices, a lease for a new port from a\n"
	"range within N s and names resolved to addresses (the active probe), the\n"
	"same from a booted probe guest, routed /32 guests, and a passive watch of\n"
	"taps with no error finding.  Each expectation is one line here, one\n"
	"JUnit testcase (classname the bridge), skipped when it could not run.\n"
	"\n"
	"  --list         print what would be checked, check nothing\n"
	"  --junit FILE   write a JUnit report (also on exit 2)\n"
	"  -j, --json     one JSON document\n"
	"  -v             list every finding, also those that pass\n"
	"\n"
	"Exit status: 0 every expectation met (or skipped), 1 one failed,\n"
	"2 the spec is wrong (FILE:LINE:COL) or nothing could run.\n";

/* the options usage_text describes */
static const struct option opts[] = {
	{ "list", no_argument, NULL, 'l' },
	{ "json", no_argument, NULL, 'j' },
	{ "junit", required_argument, NULL, 'J' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};


int cmd_ci(int argc, char **argv)
{
	struct nd_ci_result *res = NULL;
	const char *junit = NULL;
	bool list = false, json = false, verbose = false;
	struct nd_ci_spec s;
	struct nd_out doc, *o = &doc;
	unsigned failed = 0, skipped = 0;
	char err[512];
	int c, status = EXIT_CANNOT;

	while ((c = getopt_long(argc, argv, "jvh", opts, NULL)) != -1) {
		switch (c) {
		case 'l': list = true; break;
		case 'j': json = true; break;
		case 'J': junit = optarg; break;
		case 'v': verbose = true; break;
		case 'h': fputs(usage_text, stdout); return EXIT_HEALTHY;
		default:
			return cli_bad_option("ci", argv, "jvh", opts);
		}
	}
	if (optind + 1 != argc) {
		cli_err("ci", NULL, "give one SPEC file (see 'netdiag ci --help')");
		return EXIT_CANNOT;
	}
	if (nd_ci_spec_load(argv[optind], &s, err, sizeof(err))) {
		cli_err("ci", NULL, "%s", err);
		if (junit)
			nd_report_junit_error(junit, "netdiag ci", err);
		return EXIT_CANNOT;
	}
	if (list) {
		cli_out_begin(o, "ci", json);
		nd_ci_print(&s, NULL, verbose, o);
		nd_out_end(o);
		status = EXIT_HEALTHY;
		goto out;
	}
	res = calloc(s.n, sizeof(*res));
	if (!res) {
		cli_err("ci", NULL, "out of memory");
		goto out;
	}
	cli_stop_on_signals(true);
	if (nd_ci_run(&s, res, &cli_stop)) {
		cli_err("ci", NULL, "out of memory");
		goto out;
	}
	for (unsigned i = 0; i < s.n; i++) {
		failed += res[i].outcome == ND_CI_FAIL;
		skipped += res[i].outcome == ND_CI_SKIPPED;
	}
	/* nothing ran at all: the runner could not run, as with a bad spec */
	status = failed ? EXIT_PROBLEMS : skipped == s.n ? EXIT_CANNOT : EXIT_HEALTHY;
	if (junit && nd_ci_junit(&s, res, junit)) {
		cli_err("ci", junit, "cannot write JUnit report");
		status = EXIT_CANNOT;
		goto out;
	}
	cli_out_begin(o, "ci", json);
	nd_ci_print(&s, res, verbose, o);
	cli_out_end(o, status);
out:
	nd_ci_results_free(res, res ? s.n : 0);
	free(res);
	nd_ci_spec_free(&s);
	return status;
}
