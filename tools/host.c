/* netdiag host: host inspection only. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <netdiag/host.h>
#include <netdiag/report.h>

#include "cli.h"

static const char usage_text[] =
	"usage: netdiag host [--bridge BR] [--tap TAP]... [-j|--json]\n"
	"\n"
	"Inspect the bridge (every bridge when none is named), its ports and the\n"
	"guest taps: carrier, enslavement, STP state and forward delay, port\n"
	"states, MTUs, rp_filter, multicast snooping without a querier; and the\n"
	"host's forwarding, br_netfilter and UDP checksum-error counters.\n"
	"\n"
	"Exit status: 0 nothing wrong, 1 problems found, 2 could not run.\n";

static void print_text(const struct nd_host_report *r, const struct nd_findings *fs)
{
	for (unsigned i = 0; i < r->nbridges; i++) {
		const struct nd_bridge_info *b = &r->bridges[i];

		printf("bridge %s: %s, mtu %u, stp %s", b->link.name,
		       b->link.up ? (b->link.carrier ? "up" : "up, no carrier") : "down",
		       b->link.mtu, b->stp ? "on" : "off");
		if (b->stp)
			printf(" (forward delay %.0f s)", b->forward_delay);
		printf(", snooping %s%s\n", b->snooping ? "on" : "off",
		       b->snooping ? (b->querier ? " with querier" : " without querier") : "");
		for (unsigned k = 0; k < b->nports; k++) {
			const struct nd_link_info *p = &b->ports[k];

			printf("  port %-15s %-6s %-10s mtu %u%s", p->name, p->kind,
			       nd_port_state_name(p->port_state), p->mtu,
			       p->up && p->carrier ? "" : p->up ? ", no carrier" : ", down");
			if (p->forward_in >= 0)
				printf(", forwards in %.1f s", p->forward_in);
			putchar('\n');
		}
	}
	printf("ip_forward %d, br_netfilter %s, UDP InCsumErrors %llu (IPv6 %llu)\n",
	       r->ip_forward, r->brnf_loaded ? "loaded" : "not loaded",
	       (unsigned long long)r->udp_in_csum_errors,
	       (unsigned long long)r->udp6_in_csum_errors);
	if (fs->n) {
		printf("\nfindings (worst first):\n");
		nd_report_text(stdout, fs, cli_colour());
	} else {
		printf("\nno findings\n");
	}
}

int cmd_host(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bridge", required_argument, NULL, 'b' },
		{ "tap", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "fail-on", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	enum nd_severity fail_on = ND_SEV_ERROR;
	struct nd_host_opts o = { 0 };
	struct nd_host_report r;
	struct nd_findings fs;
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
	status = cli_status(&fs, fail_on);
	if (json) {
		struct nd_json j;

		cli_json_open(&j, "host");
		nd_host_report_json(&r, &j);
		nd_report_json_findings(&j, &fs);
		nd_json_kv_str(&j, "status", status == EXIT_HEALTHY ? "healthy" : "problems");
		nd_json_obj_close(&j);
		nd_json_end(&j);
	} else {
		print_text(&r, &fs);
	}
out:
	nd_host_report_free(&r);
	nd_findings_free(&fs);
	return status;
}
