/* netdiag check: host inspection plus live probes across the tap bridge. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netdiag/check.h>
#include <netdiag/report.h>

#include <linux/capability.h>

#include <netdiag/privs.h>

#include "cli.h"

static const char usage_text[] =
	"usage: netdiag check [--bridge BR] [--tap TAP]... [--uplink IF]\n"
	"                     [--duration SECS | --until-verdict] [--write FILE]\n"
	"                     [-j|--json] [--junit FILE] [-v] [--fail-on error|warning]\n"
	"                     [--require CHECK[,CHECK]...]\n"
	"                     [--active [--resolve NAME] [--timeout SECS]]\n"
	"\n"
	"Inspect the host, then capture on every tap, the bridge and the uplink at\n"
	"once for SECS seconds (default 10; Ctrl-C ends early): checksum verdicts\n"
	"with the kernel's own offload marks, DHCPv4/v6, DNS and router adverts,\n"
	"and where along tap -> bridge -> uplink a guest's messages stop.\n"
	"--until-verdict ends the capture as soon as the DHCP exchange and the DNS\n"
	"queries seen have their answers (30 s at most, or --duration).\n"
	"--write keeps what was captured as pcapng with the kernel's checksum and\n"
	"direction flags, for 'netdiag analyze'.\n"
	"--active plugs a probe port (a veth into a private namespace) into the\n"
	"bridge, does DHCP and one DNS lookup (NAME, or the root NS) as a new\n"
	"guest would, releases the lease and removes the port; alone it is the\n"
	"whole check, with --duration the capture follows.  It retransmits like a\n"
	"patient client for up to SECS seconds (default 10).\n"
	"\n"
	"A check with no traffic to judge says \"not seen\": neither pass nor fail,\n"
	"unless --require names it (dhcp, dns, checksums, path, active).  Info\n"
	"findings are counted on one line; -v lists them.\n"
	"\n"
	"Exit status: 0 healthy, 1 an error was found (or with --fail-on warning a\n"
	"warning; or a --require'd check saw nothing), 2 could not run.\n";

/* the options usage_text describes */
static const struct option opts[] = {
	{ "bridge", required_argument, NULL, 'b' },
	{ "tap", required_argument, NULL, 't' },
	{ "uplink", required_argument, NULL, 'u' },
	{ "duration", required_argument, NULL, 'd' },
	{ "write", required_argument, NULL, 'w' },
	{ "json", no_argument, NULL, 'j' },
	{ "junit", required_argument, NULL, 'J' },
	{ "active", no_argument, NULL, 'a' },
	{ "until-verdict", no_argument, NULL, 'U' },
	{ "resolve", required_argument, NULL, 'r' },
	{ "timeout", required_argument, NULL, 'T' },
	{ "fail-on", required_argument, NULL, 'f' },
	{ "require", required_argument, NULL, 'R' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};


/* One line when the capture begins, for logs and for whoever starts a
 * guest right after (a script waits for it instead of sleeping). */
static void capturing(void *arg, const struct nd_check_result *res)
{
	const struct nd_check_opts *o = arg;

	fprintf(stderr, "netdiag: check: capturing on");
	for (unsigned i = 0; i < res->npoints; i++)
		fprintf(stderr, "%s %s", i ? "," : "", res->points[i].ifname);
	fprintf(stderr, " for %s%.0f s\n", o->until_verdict || o->patience ? "up to " : "",
		o->duration > 0 ? o->duration : 10);
	fflush(stderr);
}

static void progress(void *arg, double left, uint64_t frames)
{
	(void)arg;
	fprintf(stderr, "\rnetdiag: check: %.0f s left, %llu frames   ", left,
		(unsigned long long)frames);
	if (left <= 0)
		fputs("\r\033[K", stderr);
}

/* The result, text or JSON from one walk. */
static void print_result(bool json, const struct nd_check_result *res,
			 const struct nd_findings *fs, bool verbose, int status)
{
	struct nd_out doc, *o = &doc;

	cli_out_begin(o, "check", json);
	nd_check_print(res, o);
	nd_report_findings_brief(o, fs, verbose);
	nd_analysis_print_limits(&res->analysis, o);
	cli_out_end(o, status);
}

int cmd_check(int argc, char **argv)
{
	struct nd_check_opts o = { .stop = &cli_stop };
	struct nd_check_result res;
	struct nd_findings fs;
	const char *junit = NULL;
	char err[256] = "", bad[32];
	enum nd_severity fail_on = ND_SEV_ERROR;
	bool json = false, verbose = false;
	int c, status;

	while ((c = getopt_long(argc, argv, "b:t:u:d:w:jvh", opts, NULL)) != -1) {
		switch (c) {
		case 'b': o.bridge = optarg; break;
		case 't':
			if (o.ntaps == ND_HOST_TAPS_MAX) {
				cli_err("check", optarg, "too many --tap (at most %d)", ND_HOST_TAPS_MAX);
				return EXIT_CANNOT;
			}
			o.taps[o.ntaps++] = optarg;
			break;
		case 'u': o.uplink = optarg; break;
		case 'd':
			if (cli_seconds("check", "--duration", optarg, 86400, &o.duration))
				return EXIT_CANNOT;
			break;
		case 'w': o.write_path = optarg; break;
		case 'j': json = true; break;
		case 'J': junit = optarg; break;
		case 'a': o.active = true; break;
		case 'U': o.until_verdict = true; break;
		case 'r': o.resolve = optarg; break;
		case 'T':
			if (cli_seconds("check", "--timeout", optarg, 3600, &o.active_timeout))
				return EXIT_CANNOT;
			break;
		case 'f':
			if (cli_fail_on("check", optarg, &fail_on))
				return EXIT_CANNOT;
			break;
		case 'R':
			if (!nd_check_names_valid(optarg, bad, sizeof(bad))) {
				cli_err("check", bad, "--require names checks: dhcp, dns, checksums, "
					"host, path, active");
				return EXIT_CANNOT;
			}
			o.require = optarg;
			break;
		case 'v': verbose = true; break;
		case 'h': fputs(usage_text, stdout); return EXIT_HEALTHY;
		default:
			return cli_bad_option("check", argv, "b:t:u:d:w:jvh", opts);
		}
	}
	/* a passive check captures and reads nftables, nothing more */
	if (cli_caps("check", ND_CAP(CAP_NET_RAW) | ND_CAP(CAP_NET_ADMIN) |
				      (o.active ? ND_CAP(CAP_SYS_ADMIN) |
						  ND_CAP(CAP_NET_BIND_SERVICE) : 0)))
		return EXIT_CANNOT;
	if (o.until_verdict && !o.duration)
		o.duration = 30;
	if (o.active_timeout && !o.active) {
		cli_err("check", NULL, "--timeout is for --active");
		return EXIT_CANNOT;
	}
	if (o.active && !o.bridge) {
		cli_err("check", NULL, "--active needs --bridge");
		return EXIT_CANNOT;
	}
	if (optind != argc || (!o.bridge && !o.ntaps && !o.uplink)) {
		cli_err("check", NULL, "name at least one of --bridge, --tap, --uplink "
			"(see 'netdiag check --help')");
		return EXIT_CANNOT;
	}
	if (isatty(STDERR_FILENO))
		o.progress = progress;
	else
		o.capturing = capturing;
	o.progress_arg = &o;
	cli_stop_on_signals(true);
	nd_findings_init(&fs);
	if (nd_check_run(&o, &res, &fs, err, sizeof(err))) {
		cli_err("check", NULL, "%s", err);
		/* a CI job reading the JUnit file learns why there is nothing */
		if (junit)
			nd_report_junit_error(junit, o.bridge ? o.bridge : "netdiag check", err);
		status = EXIT_CANNOT;
		goto out;
	}
	status = cli_status(&fs, fail_on);
	if (junit && nd_report_junit_check(junit, o.bridge ? o.bridge : "netdiag check", &res, &fs)) {
		cli_err("check", junit, "cannot write JUnit report");
		status = EXIT_CANNOT;
		goto out;
	}
	print_result(json, &res, &fs, verbose, status);
out:
	nd_check_result_free(&res);
	nd_findings_free(&fs);
	return status;
}
