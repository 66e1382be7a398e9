/* netdiag route guest ...: per-guest /32 gateway routes for routed guests. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netdiag/report.h>
#include <netdiag/route.h>

#include "cli.h"

struct guest_verb {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
};

static int guest_config(int argc, char **argv);
static int guest_add(int argc, char **argv);
static int guest_del(int argc, char **argv);
static int guest_list(int argc, char **argv);
static int guest_check(int argc, char **argv);
static int guest_apply(int argc, char **argv);

static const struct guest_verb guest_verbs[] = {
	{ "add", guest_add,
	  "add NAME --ip ADDR[/32] --dev TAP [--gateway GW] [--mac MAC] [--ip6 PREFIX] [-j]\n"
	  "      host side: /32 route via the tap, proxy ARP on it, forwarding, rp_filter\n"
	  "      loose on it when strict; journaled ('netdiag undo'); a repeat changes nothing" },
	{ "del", guest_del, "del NAME [-j]\n      remove the guest's host route (journaled)" },
	{ "list", guest_list, "list [-j]\n      the guests set up with add, and whether their route is there" },
	{ "check", guest_check,
	  "check NAME [-j]\n      each host piece present and effective, as findings" },
	{ "apply", guest_apply,
	  "apply --ip ADDR[/32] --gateway GW --if IFNAME [-j]\n"
	  "      inside a Linux guest: the /32 address, the on-link route to the gateway,\n"
	  "      the default route via it; journaled" },
	{ "config", guest_config,
	  "config NAME --os SYSTEM --ip ADDR[/32] --gateway GW [--if IFNAME]\n"
	  "      print the guest-side configuration, ready to paste; SYSTEM is one of\n"
	  "      linux-ip systemd-networkd netplan ifupdown freebsd netbsd openbsd" },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: netdiag route guest VERB ...\n\nverbs:\n");
	for (size_t i = 0; i < sizeof(guest_verbs) / sizeof(guest_verbs[0]); i++)
		fprintf(out, "  %s\n", guest_verbs[i].usage);
}

/* the verb's own usage, for its -h */
static int verb_usage(const char *verb)
{
	for (size_t i = 0; i < sizeof(guest_verbs) / sizeof(guest_verbs[0]); i++)
		if (!strcmp(guest_verbs[i].name, verb))
			printf("usage: netdiag route guest %s\n", guest_verbs[i].usage);
	return EXIT_HEALTHY;
}

static int guest_config(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "os", required_argument, NULL, 'o' },
		{ "ip", required_argument, NULL, 'i' },
		{ "gateway", required_argument, NULL, 'g' },
		{ "if", required_argument, NULL, 'I' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct nd_guest_net net = { 0 };
	enum nd_guest_os os = ND_GUEST_OS_COUNT;
	int have_ip = 0, have_gw = 0, c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (nd_guest_os_parse(optarg, &os)) {
				cli_err("route", optarg, "unknown system (linux-ip, systemd-networkd, "
					"netplan, ifupdown, freebsd, netbsd, openbsd)");
				return EXIT_CANNOT;
			}
			break;
		case 'i':
			if (nd_parse_host_ipv4(optarg, &net.ip)) {
				cli_err("route", optarg, "not an IPv4 address with prefix /32");
				return EXIT_CANNOT;
			}
			have_ip = 1;
			break;
		case 'g':
			if (nd_parse_host_ipv4(optarg, &net.gateway)) {
				cli_err("route", optarg, "gateway is not an IPv4 address");
				return EXIT_CANNOT;
			}
			have_gw = 1;
			break;
		case 'I':
			if (strlen(optarg) >= sizeof(net.ifname)) {
				cli_err("route", optarg, "interface name too long");
				return EXIT_CANNOT;
			}
			strcpy(net.ifname, optarg);
			break;
		case 'h':
			return verb_usage("config");
		default:
			return cli_bad_option("route guest", argv, "h", opts);
		}
	}
	if (optind != argc - 1 || os == ND_GUEST_OS_COUNT || !have_ip || !have_gw) {
		cli_err("route", "guest config", "needs NAME, --os, --ip and --gateway "
			"(see 'netdiag route guest --help')");
		return EXIT_CANNOT;
	}
	if (nd_guest_net_check(&net)) {
		cli_err("route", argv[optind], "gateway must differ from the guest address, "
			"and neither may be unspecified, multicast or broadcast");
		return EXIT_CANNOT;
	}
	printf("# netdiag: guest %s, %s\n", argv[optind], nd_guest_os_name(os));
	return nd_guest_config_write(stdout, os, &net) ? EXIT_CANNOT : EXIT_HEALTHY;
}

struct guest_args {
	struct nd_guest_route g;
	bool have_ip, have_gw, json, help;
	enum nd_severity fail_on;
	const char *ifname;
};

/* The options add, check and apply share; positional NAME when wanted.
 * -h: its usage said, a->help set and 0 returned. */
static int parse_guest(int argc, char **argv, struct guest_args *a, bool want_name)
{
	static const struct option opts[] = {
		{ "ip", required_argument, NULL, 'i' },
		{ "gateway", required_argument, NULL, 'g' },
		{ "dev", required_argument, NULL, 'd' },
		{ "mac", required_argument, NULL, 'm' },
		{ "ip6", required_argument, NULL, '6' },
		{ "if", required_argument, NULL, 'I' },
		{ "json", no_argument, NULL, 'j' },
		{ "fail-on", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	memset(a, 0, sizeof(*a));
	a->fail_on = ND_SEV_ERROR;
	optind = 1;
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (nd_parse_host_ipv4(optarg, &a->g.ip)) {
				cli_err("route", optarg, "not an IPv4 address with prefix /32");
				return -EINVAL;
			}
			a->have_ip = true;
			break;
		case 'g':
			if (nd_parse_host_ipv4(optarg, &a->g.gateway)) {
				cli_err("route", optarg, "gateway is not an IPv4 address");
				return -EINVAL;
			}
			a->have_gw = true;
			break;
		case 'd':
		case 'I':
			if (strlen(optarg) >= IF_NAMESIZE) {
				cli_err("route", optarg, "interface name too long");
				return -EINVAL;
			}
			snprintf(a->g.dev, sizeof(a->g.dev), "%s", optarg);
			break;
		case 'm':
			if (nd_mac_parse(optarg, NULL)) {
				cli_err("route", optarg, "malformed MAC address (want 02:00:00:00:00:0a)");
				return -EINVAL;
			}
			snprintf(a->g.mac, sizeof(a->g.mac), "%s", optarg);
			break;
		case '6': {
			char addr[48], *slash;
			struct in6_addr a6;

			snprintf(addr, sizeof(addr), "%s", optarg);
			slash = strchr(addr, '/');
			if (slash)
				*slash = 0;
			if (strlen(optarg) + 5 > sizeof(a->g.ip6) || inet_pton(AF_INET6, addr, &a6) != 1) {
				cli_err("route", optarg, "not an IPv6 address or prefix");
				return -EINVAL;
			}
			snprintf(a->g.ip6, sizeof(a->g.ip6), "%s%s", optarg, slash ? "" : "/128");
			{
				struct nd_guest_route t = { .ip.s_addr = htonl(0xc0000201) };
				char why[160];

				/* the prefix length strictly 1..128, a unicast address */
				snprintf(t.ip6, sizeof(t.ip6), "%s", a->g.ip6);
				if (nd_route_guest_addr_check(&t, why, sizeof(why))) {
					cli_err("route", optarg, "not a unicast IPv6 address or prefix");
					return -EINVAL;
				}
			}
			break;
		}
		case 'j':
			a->json = true;
			break;
		case 'f':
			if (cli_fail_on("route", optarg, &a->fail_on))
				return -EINVAL;
			break;
		case 'h':
			a->help = true;
			verb_usage(argv[0]);
			return 0;
		default:
			cli_bad_option("route guest", argv, "jh", opts);
			return -EINVAL;
		}
	}
	if (want_name) {
		if (optind != argc - 1) {
			cli_err("route", NULL, "guest NAME expected (see 'netdiag route guest --help')");
			return -EINVAL;
		}
		if (strlen(argv[optind]) >= sizeof(a->g.name) || !nd_name_ok(argv[optind], ND_GUEST_NAME_MAX)) {
			cli_err("route", argv[optind], "a name of letters, digits, - _ . (31 at most)");
			return -EINVAL;
		}
		snprintf(a->g.name, sizeof(a->g.name), "%s", argv[optind]);
	}
	if (a->have_gw && a->have_ip && a->g.gateway.s_addr == a->g.ip.s_addr) {
		cli_err("route", NULL, "the gateway is the guest's own /32 address: it must lie outside it");
		return -EINVAL;
	}
	return 0;
}

static int guest_add(int argc, char **argv)
{
	struct guest_args a;
	struct nd_out o;
	unsigned changes;
	char err[256] = "";

	if (parse_guest(argc, argv, &a, true))
		return EXIT_CANNOT;
	if (a.help)
		return EXIT_HEALTHY;
	if (!a.have_ip || !a.g.dev[0]) {
		cli_err("route", a.g.name, "add needs --ip and --dev");
		return EXIT_CANNOT;
	}
	if (nd_route_guest_addr_check(&a.g, err, sizeof(err))) {
		cli_err("route", "guest add", "%s", err);
		return EXIT_CANNOT;
	}
	if (nd_route_guest_add(&a.g, &changes, err, sizeof(err))) {
		cli_err("route", NULL, "%s", err);
		return EXIT_CANNOT;
	}
	cli_out_begin(&o, "route guest add", a.json);
	nd_out_str(&o, "guest", "guest %s: ", a.g.name);
	nd_out_uint(&o, "changes", changes ? "%" PRIu64 " change" : "already set up, nothing changed\n",
		    changes);
	if (changes)
		nd_out_text(&o, "%s made and journaled ('netdiag undo' reverts)\n",
			    changes == 1 ? "" : "s");
	nd_out_end(&o);
	return EXIT_HEALTHY;
}

/* the options of the verbs that take only -j (del NAME, list) */
static const struct option json_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

/* -j or -h: 0 (with *help set after saying the usage), else EXIT_CANNOT */
static int parse_json_only(int argc, char **argv, bool *json, bool *help)
{
	int c;

	*json = *help = false;
	optind = 1;
	while ((c = getopt_long(argc, argv, "jh", json_opts, NULL)) != -1) {
		if (c == 'j') {
			*json = true;
		} else if (c == 'h') {
			*help = true;
			verb_usage(argv[0]);
			return 0;
		} else {
			return cli_bad_option("route guest", argv, "jh", json_opts);
		}
	}
	return 0;
}

static int guest_del(int argc, char **argv)
{
	unsigned changes;
	char err[256] = "";
	bool json, help;
	struct nd_out o;

	if (parse_json_only(argc, argv, &json, &help))
		return EXIT_CANNOT;
	if (help)
		return EXIT_HEALTHY;
	if (optind != argc - 1) {
		cli_err("route", NULL, "del NAME");
		return EXIT_CANNOT;
	}
	if (nd_route_guest_del(argv[optind], &changes, err, sizeof(err))) {
		cli_err("route", NULL, "%s", err);
		return EXIT_CANNOT;
	}
	cli_out_begin(&o, "route guest del", json);
	nd_out_str(&o, "guest", "guest %s: removed", argv[optind]);
	nd_out_uint(&o, "changes", changes ? "\n" : " (its route was already gone)\n", changes);
	nd_out_end(&o);
	return EXIT_HEALTHY;
}

static int guest_list(int argc, char **argv)
{
	char names[64][32];
	bool json, help;
	struct nd_out o;
	unsigned n;

	if (parse_json_only(argc, argv, &json, &help))
		return EXIT_CANNOT;
	if (help)
		return EXIT_HEALTHY;
	if (optind != argc) {
		cli_err("route", argv[optind], "unexpected argument (see 'netdiag route guest --help')");
		return EXIT_CANNOT;
	}
	if (nd_route_guest_names(names, 64, &n)) {
		cli_err("route", NULL, "cannot read the guest list");
		return EXIT_CANNOT;
	}
	cli_out_begin(&o, "route guest list", json);
	nd_out_arr_open(&o, "guests");
	for (unsigned i = 0; i < n; i++) {
		struct nd_guest_route g;
		struct nd_findings fs;

		if (nd_route_guest_load(names[i], &g))
			continue;
		nd_findings_init(&fs);
		nd_route_guest_check(&g, &fs);
		nd_route_guest_print(&g, &fs, &o);
		nd_findings_free(&fs);
	}
	nd_out_arr_close(&o);
	nd_out_end(&o);
	return EXIT_HEALTHY;
}

static int guest_check(int argc, char **argv)
{
	struct nd_findings fs;
	struct guest_args a;
	struct nd_guest_route g;
	struct nd_out o;
	int status;

	if (parse_guest(argc, argv, &a, true))
		return EXIT_CANNOT;
	if (a.help)
		return EXIT_HEALTHY;
	if (nd_route_guest_load(a.g.name, &g)) {
		cli_err("route", a.g.name, "no such guest (see 'netdiag route guest list')");
		return EXIT_CANNOT;
	}
	nd_findings_init(&fs);
	nd_route_guest_check(&g, &fs);
	nd_findings_sort(&fs);
	cli_out_begin(&o, "route guest check", a.json);
	if (!fs.n)
		nd_out_text(&o, "guest %s: every piece in place\n", g.name);
	nd_report_findings(&o, &fs);
	status = cli_out_end(&o, cli_status(&fs, a.fail_on));
	nd_findings_free(&fs);
	return status;
}

static int guest_apply(int argc, char **argv)
{
	struct guest_args a;
	struct nd_out o;
	unsigned changes;
	char err[256] = "";

	if (parse_guest(argc, argv, &a, false))
		return EXIT_CANNOT;
	if (a.help)
		return EXIT_HEALTHY;
	if (!a.have_ip || !a.have_gw || !a.g.dev[0]) {
		cli_err("route", "apply", "needs --ip, --gateway and --if");
		return EXIT_CANNOT;
	}
	if (nd_route_guest_apply(a.g.ip, a.g.gateway, a.g.dev, &changes, err, sizeof(err))) {
		cli_err("route", NULL, "%s", err);
		return EXIT_CANNOT;
	}
	cli_out_begin(&o, "route guest apply", a.json);
	nd_out_str(&o, "interface", "%s: ", a.g.dev);
	nd_out_uint(&o, "changes", "%" PRIu64 " change", changes);
	nd_out_text(&o, "%s made and journaled\n", changes == 1 ? "" : "s");
	nd_out_end(&o);
	return EXIT_HEALTHY;
}

int cmd_route(int argc, char **argv)
{
	if (argc < 2) {
		cli_err("route", NULL, "no object given (see 'netdiag route --help')");
		return EXIT_CANNOT;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return EXIT_HEALTHY;
	}
	if (strcmp(argv[1], "guest")) {
		cli_err("route", argv[1], "unknown object (only 'guest')");
		return EXIT_CANNOT;
	}
	if (argc < 3) {
		cli_err("route", "guest", "no verb given (see 'netdiag route guest --help')");
		return EXIT_CANNOT;
	}
	if (!strcmp(argv[2], "-h") || !strcmp(argv[2], "--help")) {
		usage(stdout);
		return EXIT_HEALTHY;
	}
	for (size_t i = 0; i < sizeof(guest_verbs) / sizeof(guest_verbs[0]); i++) {
		if (strcmp(argv[2], guest_verbs[i].name))
			continue;
		optind = 1;
		return guest_verbs[i].run(argc - 2, argv + 2);
	}
	cli_err("route", argv[2], "unknown verb (see 'netdiag route guest --help')");
	return EXIT_CANNOT;
}
