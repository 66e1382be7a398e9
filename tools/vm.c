/* netdiag vm ...: the launcher's face.  run boots a guest on a bridge (or
 * the bundled probe guest with --probe) and supervises it in the
 * foreground; stop, destroy, list, console and wait reach it from
 * elsewhere. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <netdiag/report.h>
#include <netdiag/journal.h>
#include <netdiag/vm.h>

#include <linux/capability.h>

#include <netdiag/privs.h>

#include "cli.h"

struct vm_verb {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
	uint64_t caps;  /* kept for the verb (see tools/netdiag.c) */
};

static int vm_run(int argc, char **argv);
static int vm_stop(int argc, char **argv);
static int vm_destroy(int argc, char **argv);
static int vm_list(int argc, char **argv);
static int vm_console(int argc, char **argv);
static int vm_wait(int argc, char **argv);

static const struct vm_verb verbs[] = {
	{ "run", vm_run,
	  "run NAME --bridge BR [--tap TAP] [--mac MAC] [-c CPUS] [-m MIB]\n"
	  "        (--kernel FILE [--initrd FILE] [--append ARGS] | --disk IMG [--cdrom ISO] [--uefi])\n"
	  "        [--accel auto|kvm|tcg] [--nic-offloads on|off] [--console] [--console-log FILE]\n"
	  "        [--check [--timeout S]] [-j]\n"
	  "      boot a guest on the bridge and supervise it until it ends; SIGTERM or\n"
	  "      Ctrl-C press its power button (again: quit); with --console, ^] does.\n"
	  "      --check runs 'netdiag check' on its tap from boot and prints the verdict\n"
	  "  run NAME --probe --bridge BR [--resolve NAME]... [--hold] [--timeout S] [-j]\n"
	  "      boot the bundled probe guest ('make guest'): DHCP, DNS and the guest\n"
	  "      kernel's checksum counters from inside, merged with the host-side check",
	  ND_CAP(CAP_NET_RAW) | ND_CAP(CAP_NET_ADMIN) | ND_CAP(CAP_SETUID) | ND_CAP(CAP_SETGID) |
		  ND_CAP(CAP_SETPCAP) | ND_CAP(CAP_KILL) },
	{ "stop", vm_stop,
	  "stop NAME [--timeout S]\n"
	  "      press the power button until the guest powers off; after S seconds\n"
	  "      (default 30) quit QEMU, then kill it", 0 },
	/* QEMU runs as another user: killing it takes CAP_KILL */
	{ "destroy", vm_destroy, "destroy NAME\n      end the guest now (QEMU killed)",
	  ND_CAP(CAP_KILL) },
	{ "list", vm_list, "list [-j]\n      running VMs, and how recent runs ended", 0 },
	{ "console", vm_console,
	  "console NAME\n      attach to the serial console; ^] detaches; with stdin not a terminal\n      the output is followed until the guest ends", 0 },
	{ "wait", vm_wait,
	  "wait NAME --for REGEX|dhcp [--timeout S]\n"
	  "      until a console line matches the extended regular expression, or the\n"
	  "      guest sends its first DHCP message on its tap (default 60 s)",
	  ND_CAP(CAP_NET_RAW) },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: netdiag vm VERB ...\n\nverbs:\n");
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(out, "  %s\n", verbs[i].usage);
	fprintf(out, "\nExit status: 0 healthy (guest ended normally), 1 problems (crash,\n"
		     "failed checks), 2 could not run.\n");
}

static int wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return 1;
	return 0;
}

static int seconds_arg(const char *verb, const char *text, double *out)
{
	return cli_seconds(verb, "--timeout", text, 86400, out);
}

/* digits only, 1..max: strtoul takes "-1" as ULONG_MAX */
static int count_arg(const char *text, unsigned max, unsigned *out)
{
	unsigned long v;
	char *end;

	if (!text[0] || text[strspn(text, "0123456789")])
		return -1;
	errno = 0;
	v = strtoul(text, &end, 10);
	if (errno || !v || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* ---- run ---- */

struct run_args {
	struct nd_vm_config c;
	bool probe, check, hold, json;
	enum nd_severity fail_on;
	double timeout;
	char resolve[256];
	struct nd_probe_files files;
};

static void say_started(void *arg, const struct nd_vm_result *r)
{
	const struct run_args *a = arg;

	fprintf(stderr, "netdiag: vm: %s: running (QEMU pid %d, %s%s%s), tap %s on %s, mac %s\n",
		a->c.name, (int)r->qemu_pid, r->accel, r->accel_why[0] ? ": " : "", r->accel_why,
		r->tap, a->c.bridge, r->mac);
}

static int parse_run(int argc, char **argv, struct run_args *a)
{
	static const struct option opts[] = {
		{ "bridge", required_argument, NULL, 'b' },
		{ "tap", required_argument, NULL, 't' },
		{ "mac", required_argument, NULL, 'M' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "mem", required_argument, NULL, 'm' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "append", required_argument, NULL, 'a' },
		{ "disk", required_argument, NULL, 'd' },
		{ "cdrom", required_argument, NULL, 'C' },
		{ "uefi", no_argument, NULL, 'u' },
		{ "accel", required_argument, NULL, 'A' },
		{ "nic-offloads", required_argument, NULL, 'o' },
		{ "console", no_argument, NULL, 'S' },
		{ "console-log", required_argument, NULL, 'L' },
		{ "qemu", required_argument, NULL, 'Q' },
		{ "probe", no_argument, NULL, 'p' },
		{ "check", no_argument, NULL, 'K' },
		{ "resolve", required_argument, NULL, 'r' },
		{ "hold", no_argument, NULL, 'H' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'j' },
		{ "fail-on", required_argument, NULL, 'f' },
		{ 0 },
	};
	int c;

	a->fail_on = ND_SEV_ERROR;
	optind = 1;
	while ((c = getopt_long(argc, argv, "b:c:m:j", opts, NULL)) != -1) {
		switch (c) {
		case 'b': a->c.bridge = optarg; break;
		case 't': a->c.tap = optarg; break;
		case 'M': a->c.mac = optarg; break;
		case 'c':
			if (count_arg(optarg, 64, &a->c.cpus)) {
				cli_err("vm run", optarg, "-c wants a number of CPUs, 1 to 64");
				return -1;
			}
			break;
		case 'm':
			if (count_arg(optarg, 1u << 20, &a->c.mem_mb)) {
				cli_err("vm run", optarg, "-m wants MiB of memory, 1 to 1048576");
				return -1;
			}
			break;
		case 'k': a->c.kernel = optarg; break;
		case 'i': a->c.initrd = optarg; break;
		case 'a': a->c.append = optarg; break;
		case 'd': a->c.disk = optarg; break;
		case 'C': a->c.cdrom = optarg; break;
		case 'u': a->c.uefi = true; break;
		case 'A':
			if (!strcmp(optarg, "auto"))
				a->c.accel = ND_VM_ACCEL_AUTO;
			else if (!strcmp(optarg, "kvm"))
				a->c.accel = ND_VM_ACCEL_KVM;
			else if (!strcmp(optarg, "tcg"))
				a->c.accel = ND_VM_ACCEL_TCG;
			else {
				cli_err("vm run", optarg, "--accel is auto, kvm or tcg");
				return -1;
			}
			break;
		case 'o':
			if (strcmp(optarg, "on") && strcmp(optarg, "off")) {
				cli_err("vm run", optarg, "--nic-offloads is on or off");
				return -1;
			}
			a->c.nic_offloads_off = !strcmp(optarg, "off");
			break;
		case 'S': a->c.console = true; break;
		case 'L': a->c.console_log = optarg; break;
		case 'Q': a->c.qemu = optarg; break;
		case 'p': a->probe = true; break;
		case 'K': a->check = true; break;
		case 'r':
			if (!nd_probe_name_valid(optarg) ||
			    strlen(a->resolve) + strlen(optarg) + 2 > sizeof(a->resolve)) {
				cli_err("vm run", optarg, "--resolve: not a host name (letters, "
					"digits, '-', '_', '.'; one per option)");
				return -1;
			}
			if (a->resolve[0])
				strcat(a->resolve, ",");
			strcat(a->resolve, optarg);
			break;
		case 'H': a->hold = true; break;
		case 'T':
			if (seconds_arg("vm run", optarg, &a->timeout) < 0)
				return -1;
			break;
		case 'j': a->json = true; break;
		case 'f':
			if (cli_fail_on("vm run", optarg, &a->fail_on))
				return -1;
			break;
		default: cli_bad_option("vm run", argv, "b:c:m:j", opts); return -1;
		}
	}
	if (optind + 1 != argc) {
		cli_err("vm run", NULL, "give one VM name (see 'netdiag vm --help')");
		return -1;
	}
	a->c.name = argv[optind];
	if (!a->probe && (a->resolve[0] || a->hold)) {
		cli_err("vm run", a->c.name, "--resolve and --hold go with --probe");
		return -1;
	}
	return 0;
}

static int probe_files(struct run_args *a)
{
	char err[256];

	if (a->c.kernel || a->c.disk) {
		cli_err("vm run", a->c.name, "--probe brings its own kernel; drop --kernel/--disk");
		return -1;
	}
	if (nd_probe_config(&a->c, &a->files, a->resolve, a->hold, err, sizeof(err)) < 0) {
		cli_err("vm run", a->c.name, "%s", err);
		return -1;
	}
	return 0;
}

static int run_checked(struct run_args *a)
{
	struct nd_vm_probe_opts o = {
		.guest_report = a->probe,
		.hold = a->hold,
		.timeout_s = a->timeout,
		.started = a->json ? NULL : say_started,
		.arg = a,
	};
	struct nd_vm_probe_result res;
	struct nd_findings fs;
	struct nd_out *out;
	char err[256] = "";
	int status;

	nd_findings_init(&fs);
	if (nd_vm_probe_run(&a->c, &o, &res, &fs, err, sizeof(err)) < 0) {
		cli_err("vm run", NULL, "%s", err);
		nd_vm_probe_result_free(&res);
		nd_findings_free(&fs);
		return EXIT_CANNOT;
	}
	status = cli_status(&fs, a->fail_on);
	out = cli_out(a->json);
	nd_out_begin(out, "vm run");
	nd_vm_probe_print(&a->c, &res, a->probe, out);
	/* until report/ prints findings through nd_out */
	if (out->json) {
		nd_report_json_findings(&out->j, &fs);
	} else if (fs.n) {
		nd_out_text(out, "\nfindings (worst first):\n");
		nd_report_text(out->f, &fs, out->colour);
	} else {
		nd_out_text(out, "\nverdict    healthy\n");
	}
	cli_out_status(out, status);
	nd_vm_probe_result_free(&res);
	nd_findings_free(&fs);
	return status;
}

static int run_plain(struct run_args *a)
{
	struct nd_vm_hooks h = { .started = a->json ? NULL : say_started, .arg = a };
	struct nd_vm_result r;
	char err[256] = "";

	if (nd_vm_run(&a->c, &h, NULL, &r, err, sizeof(err)) < 0) {
		cli_err("vm run", NULL, "%s", err);
		return EXIT_CANNOT;
	}
	if (a->json) {
		struct nd_out *o = cli_out(true);

		nd_out_begin(o, "vm run");
		nd_vm_result_print(&a->c, &r, o);
		nd_out_end(o);
	} else {
		fprintf(stderr, "netdiag: vm: %s: %s%s%s after %.1f s\n", a->c.name,
			nd_vm_end_name(r.end), r.end_detail[0] ? ": " : "", r.end_detail,
			r.run_ms / 1000);
	}
	return nd_vm_end_status(r.end) ? EXIT_PROBLEMS : EXIT_HEALTHY;
}

static int vm_run(int argc, char **argv)
{
	struct run_args a;
	char err[256];

	memset(&a, 0, sizeof(a));
	if (parse_run(argc, argv, &a) < 0)
		return EXIT_CANNOT;
	if (a.probe && probe_files(&a) < 0)
		return EXIT_CANNOT;
	if (nd_vm_validate(&a.c, err, sizeof(err)) < 0) {
		cli_err("vm run", NULL, "%s", err);
		return EXIT_CANNOT;
	}
	return a.probe || a.check ? run_checked(&a) : run_plain(&a);
}

/* ---- stop, destroy ---- */

static int one_name(const char *verb, int argc, char **argv, const char **name)
{
	if (optind + 1 != argc) {
		cli_err(verb, NULL, "give one VM name");
		return -1;
	}
	*name = argv[optind];
	return 0;
}

static int vm_stop(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "timeout", required_argument, NULL, 'T' },
		{ 0 },
	};
	const char *name;
	char end[32], err[256];
	double timeout = 30;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'T')
			return cli_bad_option("vm stop", argv, "", opts);
		if (seconds_arg("vm stop", optarg, &timeout) < 0)
			return EXIT_CANNOT;
	}
	if (one_name("vm stop", argc, argv, &name) < 0)
		return EXIT_CANNOT;
	if (nd_vm_stop(name, (unsigned)(timeout + 0.5), end, sizeof(end), err, sizeof(err)) < 0) {
		cli_err("vm stop", NULL, "%s", err);
		return EXIT_CANNOT;
	}
	printf("%s: %s\n", name, end);
	return strcmp(end, "powered-off") ? EXIT_PROBLEMS : EXIT_HEALTHY;
}

static int vm_destroy(int argc, char **argv)
{
	const char *name;
	char end[32], err[256];

	optind = 1;
	if (getopt_long(argc, argv, "", (struct option[]){ { 0 } }, NULL) != -1)
		return cli_bad_option("vm destroy", argv, "", NULL);
	if (one_name("vm destroy", argc, argv, &name) < 0)
		return EXIT_CANNOT;
	if (nd_vm_destroy(name, end, sizeof(end), err, sizeof(err)) < 0) {
		cli_err("vm destroy", NULL, "%s", err);
		return EXIT_CANNOT;
	}
	printf("%s: %s\n", name, end);
	return EXIT_HEALTHY;
}

/* ---- list ---- */

static int vm_list(int argc, char **argv)
{
	struct nd_vm_info v[ND_VM_MAX];
	struct nd_out *o;
	bool json = argc == 2 && (!strcmp(argv[1], "-j") || !strcmp(argv[1], "--json"));
	int n;

	if (argc > 1 && !json) {
		cli_err("vm list", argv[1], "unknown argument (only -j)");
		return EXIT_CANNOT;
	}
	n = nd_vm_list(v, ND_VM_MAX);
	if (n < 0) {
		cli_err("vm list", NULL, "%s/vm: %s", nd_run_dir(),
			n == -EPERM ? "not a directory of ours, or writable by others: refused" :
				      strerror(-n));
		return EXIT_CANNOT;
	}
	o = cli_out(json);
	nd_out_begin(o, "vm list");
	nd_vm_list_print(v, (size_t)n, o);
	nd_out_end(o);
	return EXIT_HEALTHY;
}

/* ---- console ---- */

static int vm_console(int argc, char **argv)
{
	struct termios saved, raw;
	bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
	const char *name;
	char err[256], buf[4096];
	int fd;

	optind = 1;
	if (getopt_long(argc, argv, "", (struct option[]){ { 0 } }, NULL) != -1)
		return EXIT_CANNOT;
	if (one_name("vm console", argc, argv, &name) < 0)
		return EXIT_CANNOT;
	if (nd_vm_console_connect(name, &fd, err, sizeof(err)) < 0) {
		cli_err("vm console", NULL, "%s", err);
		return EXIT_CANNOT;
	}
	if (tty) {
		fprintf(stderr, "netdiag: vm: %s: console attached, ^] detaches\r\n", name);
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw);
	}
	/* stdin at its end (a script, </dev/null) only stops the input side:
	 * the output is followed until the guest ends */
	int in = STDIN_FILENO;

	for (;;) {
		struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = in, .events = POLLIN } };
		ssize_t n;

		if (poll(p, 2, -1) < 0)
			break;
		if (p[0].revents) {
			n = read(fd, buf, sizeof(buf));
			if (n <= 0)
				break;          /* the VM ended */
			if (write(STDOUT_FILENO, buf, (size_t)n) < 0)
				break;
		}
		if (p[1].revents) {
			n = read(in, buf, sizeof(buf));
			if (n <= 0) {
				in = -1;
				continue;
			}
			if (tty && memchr(buf, 0x1d, (size_t)n))
				break;
			if (write(fd, buf, (size_t)n) < 0)
				break;
		}
	}
	if (tty)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
	close(fd);
	return EXIT_HEALTHY;
}

/* ---- wait ---- */

static int vm_wait(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "for", required_argument, NULL, 'f' },
		{ "timeout", required_argument, NULL, 'T' },
		{ 0 },
	};
	const char *name, *what = NULL;
	char err[256], line[1024];
	double timeout = 60;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'f')
			what = optarg;
		else if (c != 'T')
			return cli_bad_option("vm wait", argv, "", opts);
		else if (seconds_arg("vm wait", optarg, &timeout) < 0)
			return EXIT_CANNOT;
	}
	if (one_name("vm wait", argc, argv, &name) < 0)
		return EXIT_CANNOT;
	if (!what) {
		cli_err("vm wait", name, "--for REGEX or --for dhcp is required");
		return EXIT_CANNOT;
	}
	if (!strcmp(what, "dhcp"))
		rc = nd_vm_wait_dhcp(name, timeout, err, sizeof(err));
	else
		rc = nd_vm_wait_console(name, what, timeout, line, sizeof(line), err, sizeof(err));
	if (rc == -ETIMEDOUT) {
		cli_err("vm wait", NULL, "%s", err);
		return EXIT_PROBLEMS;
	}
	if (rc < 0) {
		cli_err("vm wait", NULL, "%s", err);
		return EXIT_CANNOT;
	}
	if (strcmp(what, "dhcp"))
		printf("%s\n", line);
	return EXIT_HEALTHY;
}

int cmd_vm(int argc, char **argv)
{
	if (argc < 2) {
		cli_err("vm", NULL, "no verb given (see 'netdiag vm --help')");
		return EXIT_CANNOT;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return EXIT_HEALTHY;
	}
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (strcmp(argv[1], verbs[i].name))
			continue;
		if (wants_help(argc - 1, argv + 1)) {
			printf("usage: netdiag vm %s\n", verbs[i].usage);
			return EXIT_HEALTHY;
		}
		if (cli_caps("vm", verbs[i].caps))
			return EXIT_CANNOT;
		return verbs[i].run(argc - 1, argv + 1);
	}
	cli_err("vm", argv[1], "unknown verb (see 'netdiag vm --help')");
	return EXIT_CANNOT;
}
