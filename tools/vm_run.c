/* netdiag vm run: boot a guest (or the probe guest) on a bridge and
 * supervise it in the foreground; with --check or --probe, the host-side
 * check and the guest's report joined into one verdict. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netdiag/report.h>
#include <netdiag/vm.h>

#include "cli.h"

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

struct run_args {
	struct nd_vm_config c;
	bool probe, check, hold, json;
	enum nd_severity fail_on;
	double timeout;
	char resolve[256];
	struct nd_vm_probe_files files;
};

static void say_started(void *arg, const struct nd_vm_result *r)
{
	const struct run_args *a = arg;

	fprintf(stderr, "netdiag: vm: %s: running (QEMU pid %d, %s%s%s), tap %s on %s, mac %s\n",
		a->c.name, (int)r->qemu_pid, r->accel, r->accel_why[0] ? ": " : "", r->accel_why,
		r->tap, a->c.bridge, r->mac);
}

/* the usage text of the options parse_run reads */
const char vm_run_usage[] =
	"run NAME --bridge BR [--tap TAP] [--mac MAC] [-c CPUS] [-m MIB]\n"
	"        (--kernel FILE [--initrd FILE] [--append ARGS] | --disk IMG [--cdrom ISO] [--uefi])\n"
	"        [--accel auto|kvm|tcg] [--nic-offloads on|off] [--console] [--console-log FILE]\n"
	"        [--check [--timeout S]] [-j]\n"
	"      boot a guest on the bridge and supervise it until it ends; SIGTERM or\n"
	"      Ctrl-C press its power button (again: quit); with --console, ^] does.\n"
	"      --check runs 'netdiag check' on its tap from boot and prints the verdict\n"
	"  run NAME --probe --bridge BR [--resolve NAME]... [--hold] [--timeout S] [-j]\n"
	"      boot the bundled probe guest ('make guest'): DHCP, DNS and the guest\n"
	"      kernel's checksum counters from inside, merged with the host-side check";

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
			if (!nd_vm_probe_name_valid(optarg) ||
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
			if (cli_seconds("vm run", "--timeout", optarg, 86400, &a->timeout) < 0)
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
	/* the console on stdout would leave no JSON document there */
	if (a->c.console && a->json) {
		cli_err("vm run", "--console", "puts the guest's console on stdout: not with -j");
		return -1;
	}
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
	if (nd_vm_probe_config(&a->c, &a->files, a->resolve, a->hold, err, sizeof(err)) < 0) {
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
	struct nd_out doc, *out = &doc;
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
	cli_out_begin(out, "vm run", a->json);
	nd_vm_probe_result_print(&a->c, &res, a->probe, out);
	cli_out_findings(out, &fs, "verdict    healthy");
	cli_out_end(out, status);
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
		struct nd_out o;

		cli_out_begin(&o, "vm run", true);
		nd_vm_result_print(&a->c, &r, &o);
		nd_out_end(&o);
	} else {
		fprintf(stderr, "netdiag: vm: %s: %s%s%s after %.1f s\n", a->c.name,
			nd_vm_end_name(r.end), r.end_detail[0] ? ": " : "", r.end_detail,
			r.run_ms / 1000);
	}
	return nd_vm_end_status(r.end) ? EXIT_PROBLEMS : EXIT_HEALTHY;
}

int vm_run(int argc, char **argv)
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

