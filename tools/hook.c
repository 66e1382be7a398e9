/* netdiag hook: libvirt's qemu hook and Proxmox's hookscript, checking a
 * guest's taps once it has started; status; install. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <netdiag/hook.h>
#include <netdiag/journal.h>
#include <netdiag/report.h>

#include "cli.h"

static const char about_text[] =
	"libvirt: run as /etc/libvirt/hooks/qemu (domain XML on stdin).  When a\n"
	"domain has 'started', each <interface> tap on a bridge gets a detached\n"
	"'check --tap TAP --bridge BR --until-verdict' bounded by S seconds\n"
	"(default 60); the verdict goes to the system log (netdiag-hook) and to\n"
	"RUN_DIR/hook/DOMAIN/TAP ($NETDIAG_RUN_DIR, else /run/netdiag).\n"
	"proxmox: a hookscript; at post-start the taps tapVMIDiN and their\n"
	"bridges (the firewall bridge fwbrVMIDiN when present) are checked.\n"
	"--chain runs the hook this one replaced, with the same arguments and\n"
	"stdin, and exits with its status.  A hook itself always exits 0 at\n"
	"once: it never holds up or fails a guest's start.\n"
	"install writes the hook (libvirt: /etc/libvirt/hooks/qemu; Proxmox:\n"
	"/var/lib/vz/snippets/netdiag-hook.sh), moving an existing one aside to\n"
	"chain to it; journaled, 'netdiag undo' takes it back.\n";

static int verb_usage(const char *verb);

#define INPUT_MAX (16u << 20)

/* stdin whole (libvirt writes the XML and closes) */
static char *read_all(FILE *in, size_t *len)
{
	size_t cap = 65536;
	char *buf = malloc(cap + 1);

	*len = 0;
	while (buf) {
		size_t got = fread(buf + *len, 1, cap - *len, in);

		*len += got;
		if (got == 0 || *len > INPUT_MAX)
			break;
		if (*len == cap) {
			char *more = realloc(buf, cap * 2 + 1);

			if (!more) {
				free(buf);
				return NULL;
			}
			buf = more;
			cap *= 2;
		}
	}
	if (buf)
		buf[*len] = 0;
	return buf;
}

static int chain_to(const char *chain, char **args, unsigned nargs, const char *input, size_t len)
{
	int status = 0, ret;

	if (!chain)
		return EXIT_HEALTHY;
	ret = nd_hook_chain(chain, args, nargs, input, len, &status);
	if (ret) {
		nd_hook_log(LOG_ERR, "cannot run the chained hook %s: %s", chain, strerror(-ret));
		return EXIT_HEALTHY;
	}
	/* the hook we replaced may veto a start: that is its call */
	return status;
}

static int start(const char *guest, struct nd_hook_port *ports, unsigned n, double timeout)
{
	char err[256] = "";

	for (unsigned i = 0; i < n; i++)
		if (!ports[i].bridge[0])
			nd_hook_log(LOG_NOTICE, "%s: %s is on no bridge: checking the tap alone", guest,
				    ports[i].tap);
	if (nd_hook_start(guest, ports, n, timeout, err, sizeof(err)))
		nd_hook_log(LOG_ERR, "%s: cannot start the checks: %s", guest, err);
	return 0;
}

static int hook_run(bool libvirt, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "chain", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 'T' },
		{ 0 },
	};
	struct nd_hook_port ports[ND_HOOK_PORTS_MAX];
	const char *chain = NULL;
	double timeout = 0;
	char *input = NULL, err[256] = "", *end;
	size_t len = 0;
	unsigned n = 0;
	int c, status;

	/* "+": a domain name may begin with '-' once the options end */
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'c': chain = optarg; break;
		case 'T':
			if (cli_seconds("hook", "--timeout", optarg, 3600, &timeout))
				return EXIT_CANNOT;
			break;
		default:
			return cli_bad_option("hook", argv, "+", opts);
		}
	}
	if (argc - optind < 2) {
		cli_err("hook", NULL, libvirt ? "libvirt calls it as: DOMAIN OPERATION SUBOP EXTRA"
			: "Proxmox calls it as: VMID PHASE");
		return EXIT_CANNOT;
	}
	if (libvirt) {
		input = read_all(stdin, &len);
		if (!strcmp(argv[optind + 1], "started")) {
			char name[ND_HOOK_GUEST_MAX + 1] = "";

			if (!input)
				nd_hook_log(LOG_ERR, "%s: cannot read the domain XML", argv[optind]);
			else if (nd_hook_libvirt_ports(input, len, name, sizeof(name), ports,
						       ND_HOOK_PORTS_MAX, &n, err, sizeof(err)))
				nd_hook_log(LOG_ERR, "%s: %s", argv[optind], err);
			else
				start(argv[optind], ports, n, timeout);
		}
	} else if (!strcmp(argv[optind + 1], "post-start")) {
		unsigned long vmid = strtoul(argv[optind], &end, 10);

		if (*end || !vmid || vmid > 999999999)
			nd_hook_log(LOG_ERR, "%s: not a VMID", argv[optind]);
		else if (nd_hook_proxmox_ports((unsigned)vmid, ports, ND_HOOK_PORTS_MAX, &n))
			nd_hook_log(LOG_ERR, "%s: cannot list its taps", argv[optind]);
		else if (!n)
			nd_hook_log(LOG_NOTICE, "%s: no tap%si* devices", argv[optind], argv[optind]);
		else
			start(argv[optind], ports, n, timeout);
	}
	status = chain_to(chain, argv + optind, (unsigned)(argc - optind), input ? input : "", len);
	free(input);
	return status;
}

static int hook_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct nd_hook_state *v;
	struct nd_out doc, *o = &doc;
	const char *guest = NULL;
	bool json = false;
	unsigned n = 0, problems = 0;
	int c, status = EXIT_HEALTHY;

	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'h': return verb_usage("status");
		default: return cli_bad_option("hook status", argv, "jh", opts);
		}
	}
	if (optind < argc)
		guest = argv[optind++];
	if (optind < argc) {
		cli_err("hook status", argv[optind], "unexpected argument");
		return EXIT_CANNOT;
	}
	v = calloc(256, sizeof(*v));
	if (!v || nd_hook_states(guest, v, 256, &n)) {
		cli_err("hook status", NULL, "cannot read %s/hook", nd_run_dir());
		free(v);
		return EXIT_CANNOT;
	}
	if (guest && !n) {
		cli_err("hook status", guest, "no hook checks recorded");
		free(v);
		return EXIT_CANNOT;
	}
	for (unsigned i = 0; i < n; i++)
		problems += !strcmp(v[i].status, "problems") || !strcmp(v[i].status, "error");
	status = problems ? EXIT_PROBLEMS : EXIT_HEALTHY;
	cli_out_begin(o, "hook status", json);
	nd_hook_states_print(v, n, o);
	cli_out_end(o, status);
	free(v);
	return status;
}

static int hook_install(int argc, char **argv)
{
	char self[PATH_MAX], path[PATH_MAX], err[512];
	static const struct option opts[] = {
		{ "chain", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *chain = NULL, *kind;
	ssize_t n;
	int c, ret;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': chain = optarg; break;
		case 'h': return verb_usage("install");
		default: return cli_bad_option("hook install", argv, "h", opts);
		}
	}
	if (optind + 1 != argc) {
		cli_err("hook install", NULL, "usage: netdiag hook install libvirt|proxmox [--chain SCRIPT]");
		return EXIT_CANNOT;
	}
	kind = argv[optind];
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		cli_err("hook install", "/proc/self/exe", "%s", strerror(errno));
		return EXIT_CANNOT;
	}
	self[n] = 0;
	ret = nd_hook_install(kind, self, chain, path, sizeof(path), err, sizeof(err));
	if (ret) {
		cli_err("hook install", NULL, "%s", err);
		return EXIT_CANNOT;
	}
	printf("installed %s ('netdiag undo' removes it)\n", path);
	if (!strcmp(kind, "libvirt") && nd_hook_apparmor_blocks(self))
		fprintf(stderr, "netdiag: hook install: warning: %s: libvirtd's AppArmor profile is "
			"enforced and lets a hook run programs only from /usr/bin, /usr/sbin, /bin and "
			"/sbin, so libvirt would fail every domain start; allow it in "
			"/etc/apparmor.d/local/usr.sbin.libvirtd (netdiag-hook(8))\n", self);
	if (!strcmp(kind, "libvirt"))
		printf("libvirtd reads its hooks when it starts: systemctl restart libvirtd\n");
	else
		printf("attach it to a VM: qm set VMID --hookscript local:snippets/netdiag-hook.sh\n");
	return EXIT_HEALTHY;
}

static int hook_libvirt(int argc, char **argv)
{
	return hook_run(true, argc, argv);
}

static int hook_proxmox(int argc, char **argv)
{
	return hook_run(false, argc, argv);
}

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
} verbs[] = {
	{ "libvirt", hook_libvirt, "libvirt [--chain HOOK] [--timeout S] DOMAIN OPERATION SUBOP [EXTRA]" },
	{ "proxmox", hook_proxmox, "proxmox [--chain SCRIPT] [--timeout S] VMID PHASE" },
	{ "status", hook_status, "status [DOMAIN|VMID] [-j]" },
	{ "install", hook_install, "install libvirt|proxmox [--chain SCRIPT]" },
};

static int verb_usage(const char *verb)
{
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(verbs[i].name, verb))
			printf("usage: netdiag hook %s\n", verbs[i].usage);
	return EXIT_HEALTHY;
}

static void usage(FILE *out)
{
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(out, "%s netdiag hook %s\n", i ? "      " : "usage:", verbs[i].usage);
	fprintf(out, "\n%s", about_text);
}

int cmd_hook(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_CANNOT : EXIT_HEALTHY;
	}
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(argv[1], verbs[i].name))
			return verbs[i].run(argc - 1, argv + 1);
	cli_err("hook", argv[1], "unknown (libvirt, proxmox, status, install)");
	return EXIT_CANNOT;
}
