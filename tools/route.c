/* netdiag route guest ...: per-guest /32 gateway routes for routed guests. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <netdiag/route.h>

#include "cli.h"

struct guest_verb {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
};

static int guest_config(int argc, char **argv);

static const struct guest_verb guest_verbs[] = {
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

static int wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return 1;
	return 0;
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
			printf("usage: netdiag route guest %s\n", guest_verbs[0].usage);
			return EXIT_HEALTHY;
		default:
			return EXIT_CANNOT;
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

int cmd_route(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_CANNOT : EXIT_HEALTHY;
	}
	if (strcmp(argv[1], "guest")) {
		cli_err("route", argv[1], "unknown object (only 'guest')");
		return EXIT_CANNOT;
	}
	if (argc < 3 || (wants_help(argc - 1, argv + 1) && argc == 3)) {
		usage(argc < 3 ? stderr : stdout);
		return argc < 3 ? EXIT_CANNOT : EXIT_HEALTHY;
	}
	for (size_t i = 0; i < sizeof(guest_verbs) / sizeof(guest_verbs[0]); i++)
		if (!strcmp(argv[2], guest_verbs[i].name))
			return guest_verbs[i].run(argc - 2, argv + 2);
	cli_err("route", argv[2], "unknown verb (see 'netdiag route guest --help')");
	return EXIT_CANNOT;
}
