/* netdiag host: host inspection only. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <netdiag/host.h>
#include <netdiag/report.h>

#include "cli.h"

static const char usage_text[] =
	"usage: netdiag host [--bridge BR] [--tap TAP]... [--fail-on error|warning] [-j|--json]\n"
	"\n"
	"Inspect the bridge (every bridge when none is named), its ports and the\n"
	"guest taps: carrier, enslavement, STP state and forward delay, port\n"
	"states, MTUs, rp_filter, multicast snooping without a querier; and the\n"
	"host's forwarding, br_netfilter and UDP checksum-error counters.\n"
	"\n"
	"Exit status: 0 nothing wrong, 1 problems found, 2 could not run.\n";

/* the options the usage above describes */
static const struct option opts[] = {
	{ "bridge", required_argument, NULL, 'b' },
	{ "tap", required_argument, NULL, 't' },
	{ "json", no_argument, NULL, 'j' },
	{ "fail-on", required_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

int cmd_host(int argc, char **argv)
{
	enum nd_severity fail_on = ND_SEV_ERROR;
	struct nd_host_opts o = { 0 };
	struct nd_host_report r;
	struct nd_findings fs;
	struct nd_out out;
	char err[256] = "";
	bool json = false;
	int c, ret, status;

	while ((c = getopt_long(argc, argv, "b:t:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'b': o.bridge = optarg; break;
		case 't':
			if (o.ntaps == ND_HOST_TAPS_MAX) {
				cli_err("host", optarg, "too many --tap (at most %d)", ND_HOST_TAPS_MAX);
				return EXIT_CANNOT;
			}
			o.taps[o.ntaps++] = optarg;
			break;
		case 'j': json = true; break;
		case 'f':
			if (cli_fail_on("host", optarg, &fail_on))
				return EXIT_CANNOT;
			break;
		case 'h': fputs(usage_text, stdout); return EXIT_HEALTHY;
		default: return cli_bad_option("host", argv, "b:t:jh", opts);
		}
	}
	if (optind != argc) {
		cli_err("host", argv[optind], "unexpected argument (see 'netdiag host --help')");
		return EXIT_CANNOT;
	}
	nd_findings_init(&fs);
	ret = nd_host_inspect(&o, &r, &fs, err, sizeof(err));
	if (ret) {
		cli_err("host", NULL, "%s", err[0] ? err : strerror(-ret));
		status = EXIT_CANNOT;
		goto out;
	}
	cli_out_begin(&out, "host", json);
	nd_host_report_print(&r, &out);
	cli_out_findings(&out, &fs, "no findings");
	status = cli_out_end(&out, cli_status(&fs, fail_on));
out:
	nd_host_report_free(&r);
	nd_findings_free(&fs);
	return status;
}
