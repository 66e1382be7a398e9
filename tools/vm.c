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

static int seconds_arg(const char *verb, const char *text, double *out)
{
	return cli_seconds(verb, "--timeout", text, 86400, out);
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

/* how a guest ended: "NAME: powered-off" */
static void print_end(bool json, const char *verb, const char *name, const char *end, int status)
{
	struct nd_out doc, *o = &doc;

	cli_out_begin(o, verb, json);
	nd_out_str(o, "name", "%s: ", name);
	nd_out_str(o, "end", "%s\n", end);
	cli_out_end(o, status);
}

static const char stop_usage[] =
	"stop NAME [--timeout S] [-j]\n"
	"      press the power button until the guest powers off; after S seconds\n"
	"      (default 30) quit QEMU, then kill it";

static int vm_stop(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "timeout", required_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'j' },
		{ 0 },
	};
	const char *name;
	char end[32], err[256];
	double timeout = 30;
	bool json = false;
	int c, status;

	optind = 1;
	while ((c = getopt_long(argc, argv, "j", opts, NULL)) != -1) {
		switch (c) {
		case 'T':
			if (seconds_arg("vm stop", optarg, &timeout) < 0)
				return EXIT_CANNOT;
			break;
		case 'j': json = true; break;
		default: return cli_bad_option("vm stop", argv, "j", opts);
		}
	}
	if (one_name("vm stop", argc, argv, &name) < 0)
		return EXIT_CANNOT;
	if (nd_vm_stop(name, (unsigned)(timeout + 0.5), end, sizeof(end), err, sizeof(err)) < 0) {
		cli_err("vm stop", NULL, "%s", err);
		return EXIT_CANNOT;
	}
	status = strcmp(end, "powered-off") ? EXIT_PROBLEMS : EXIT_HEALTHY;
	print_end(json, "vm stop", name, end, status);
	return status;
}

static const char destroy_usage[] =
	"destroy NAME [-j]\n      end the guest now (QEMU killed)";

static int vm_destroy(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ 0 },
	};
	const char *name;
	char end[32], err[256];
	bool json = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "j", opts, NULL)) != -1) {
		if (c != 'j')
			return cli_bad_option("vm destroy", argv, "j", opts);
		json = true;
	}
	if (one_name("vm destroy", argc, argv, &name) < 0)
		return EXIT_CANNOT;
	if (nd_vm_destroy(name, end, sizeof(end), err, sizeof(err)) < 0) {
		cli_err("vm destroy", NULL, "%s", err);
		return EXIT_CANNOT;
	}
	print_end(json, "vm destroy", name, end, EXIT_HEALTHY);
	return EXIT_HEALTHY;
}

/* ---- list ---- */

static const char list_usage[] = "list [-j]\n      running VMs, and how recent runs ended";

static int vm_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ 0 },
	};
	struct nd_vm_info v[ND_VM_MAX];
	struct nd_out doc, *o = &doc;
	bool json = false;
	int c, n;

	optind = 1;
	while ((c = getopt_long(argc, argv, "j", opts, NULL)) != -1) {
		if (c != 'j')
			return cli_bad_option("vm list", argv, "j", opts);
		json = true;
	}
	if (optind < argc) {
		cli_err("vm list", argv[optind], "unknown argument (only -j)");
		return EXIT_CANNOT;
	}
	n = nd_vm_list(v, ND_VM_MAX);
	if (n < 0) {
		cli_err("vm list", NULL, "%s/vm: %s", nd_run_dir(),
			n == -EPERM ? "not a directory of ours, or writable by others: refused" :
				      strerror(-n));
		return EXIT_CANNOT;
	}
	cli_out_begin(o, "vm list", json);
	nd_vm_list_print(v, (size_t)n, o);
	nd_out_end(o);
	return EXIT_HEALTHY;
}

/* ---- console ---- */

static const char console_usage[] =
	"console NAME\n      attach to the serial console; ^] detaches; with stdin not a terminal\n"
	"      the output is followed until the guest ends";

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

static const char wait_usage[] =
	"wait NAME --for REGEX|dhcp [--timeout S] [-j]\n"
	"      until a console line matches the extended regular expression, or the\n"
	"      guest sends its first DHCP message on its tap (default 60 s)";

static int vm_wait(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "for", required_argument, NULL, 'f' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'j' },
		{ 0 },
	};
	const char *name, *what = NULL;
	char err[256], line[1024] = "";
	double timeout = 60;
	bool json = false;
	struct nd_out doc, *o = &doc;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "j", opts, NULL)) != -1) {
		switch (c) {
		case 'f': what = optarg; break;
		case 'j': json = true; break;
		case 'T':
			if (seconds_arg("vm wait", optarg, &timeout) < 0)
				return EXIT_CANNOT;
			break;
		default: return cli_bad_option("vm wait", argv, "j", opts);
		}
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
	cli_out_begin(o, "vm wait", json);
	nd_out_str(o, "name", NULL, name);
	nd_out_str(o, "for", NULL, what);
	/* the console line that matched; none for dhcp */
	if (strcmp(what, "dhcp"))
		nd_out_str(o, "line", "%s\n", line);
	cli_out_end(o, EXIT_HEALTHY);
	return EXIT_HEALTHY;
}

static const struct vm_verb verbs[] = {
	{ "run", vm_run, vm_run_usage,
	  ND_CAP(CAP_NET_RAW) | ND_CAP(CAP_NET_ADMIN) | ND_CAP(CAP_SETUID) | ND_CAP(CAP_SETGID) |
		  ND_CAP(CAP_SETPCAP) | ND_CAP(CAP_KILL) },
	{ "stop", vm_stop, stop_usage, 0 },
	/* QEMU runs as another user: killing it takes CAP_KILL */
	{ "destroy", vm_destroy, destroy_usage, ND_CAP(CAP_KILL) },
	{ "list", vm_list, list_usage, 0 },
	{ "console", vm_console, console_usage, 0 },
	{ "wait", vm_wait, wait_usage, ND_CAP(CAP_NET_RAW) },
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
