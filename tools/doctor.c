/* netdiag doctor: diagnoses from the rules, and guided fixes. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netdiag/doctor.h>
#include <netdiag/report.h>

#include <linux/capability.h>

#include <netdiag/privs.h>

#include "cli.h"

static const char usage_text[] =
	"usage: netdiag doctor [--bridge BR] [--tap TAP]... [--uplink IF] [--duration S]\n"
	"                      [--active] [--probe] [--resolve NAME] [--from FILE] [--rules DIR]\n"
	"                      [--fix | --yes | --dry-run] [--persist FORMAT]\n"
	"                      [--fail-on error|warning] [-v] [-j]\n"
	"\n"
	"Look (netdiag check for 5 seconds, and while a guest's DHCP or DNS exchange\n"
	"is still open, up to S seconds, default 30; plus routed guests), match\n"
	"the findings against the rules (one diagnosis per file in DIR, default the\n"
	"shipped set; a bad rule file stops the run, unless --rules-lenient, which\n"
	"says so and leaves it out) and explain each diagnosis: its cause, the evidence, the\n"
	"remedies from least to most invasive with what else each changes.\n"
	"--probe boots the probe guest on BR for each look instead of capturing\n"
	"for S seconds: its tap is checked while it runs and its own report (lease,\n"
	"answers to --resolve NAME, its kernel's checksum errors) joins in.\n"
	"--from FILE diagnoses the findings of a saved -j document instead.\n"
	"--dry-run lists what --fix would try.  --fix walks the remedies: shows the\n"
	"change and its blast radius, asks, applies it through the journal, looks\n"
	"again, keeps it when the diagnosis is gone and its traffic is seen healthy,\n"
	"undoes it when not.  --yes answers yes.  Ctrl-C undoes every change of\n"
	"the run.  Kept changes are printed as persistence snippets; --persist\n"
	"networkd|udev|sysctl writes them (journaled: netdiag undo removes them).\n"
	"--offload-only tries only the remedies that change offloads (what\n"
	"'netdiag offload guide' runs).  After a change the doctor looks again\n"
	"until the guest's next exchange completes (up to S seconds).\n"
	"Each diagnosis ends fixed, kept, undone, manual, declined or found; an\n"
	"error finding no rule explains is listed as undiagnosed.\n"
	"\n"
	"Exit status: 0 when no error finding is left (with --fail-on warning: no\n"
	"warning either) after the fixes, 1 otherwise, 2 could not run or\n"
	"interrupted.\n";

/* the options the usage above describes */
static const struct option opts[] = {
	{ "bridge", required_argument, NULL, 'b' },
	{ "tap", required_argument, NULL, 't' },
	{ "uplink", required_argument, NULL, 'u' },
	{ "duration", required_argument, NULL, 'd' },
	{ "active", no_argument, NULL, 'a' },
	{ "probe", no_argument, NULL, 'p' },
	{ "resolve", required_argument, NULL, 'r' },
	{ "from", required_argument, NULL, 'F' },
	{ "rules", required_argument, NULL, 'R' },
	{ "rules-lenient", no_argument, NULL, 'L' },
	{ "offload-only", no_argument, NULL, 'O' },
	{ "fix", no_argument, NULL, 'x' },
	{ "yes", no_argument, NULL, 'y' },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "persist", required_argument, NULL, 'P' },
	{ "json", no_argument, NULL, 'j' },
	{ "fail-on", required_argument, NULL, 'f' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};


static void say(void *arg, const char *line)
{
	(void)arg;
	fprintf(stderr, "%s\n", line);
}

static bool ask(void *arg, const char *change, const char *blast)
{
	char answer[16] = "";

	(void)arg;
	fprintf(stderr, "  change %s\n  blast radius: %s\n  apply? [y/N] ", change, blast);
	if (!fgets(answer, sizeof(answer), stdin))
		return false;
	return answer[0] == 'y' || answer[0] == 'Y';
}

static void bad_rule(void *arg, const char *err)
{
	(void)arg;
	fprintf(stderr, "netdiag: %s: %s (left out: --rules-lenient)\n", (const char *)arg, err);
}

static int load_rules(struct nd_rules *rs, const char *dir, bool lenient, const char *cmd,
		      char *err, size_t len)
{
	unsigned nbad;

	if (!lenient)
		return nd_rules_load(rs, dir, err, len);
	return nd_rules_load_lenient(rs, dir, bad_rule, (void *)cmd, &nbad, err, len);
}

/* guide: `netdiag offload guide`, the loop on offload remedies, fixing
 * unless told --dry-run, on a live look of the guest's tap */
int doctor_main(const char *cmd, bool guide, int argc, char **argv)
{
	enum nd_severity fail_on = ND_SEV_ERROR;
	struct nd_doctor_opts o = { .mode = guide ? ND_DOCTOR_FIX : ND_DOCTOR_EXPLAIN, .note = say,
				    .stop = &cli_stop, .offload_only = guide };
	struct nd_doctor_result res;
	struct nd_rules rs;
	struct nd_out out;
	const char *rules_dir = NULL, *persist = NULL;
	char err[512] = "", dirbuf[4096];
	bool json = false, yes = false, lenient = false, probe = false, verbose = false;
	const char *from = NULL;
	struct nd_findings given;
	struct nd_vm_config vmc = { .accel = ND_VM_ACCEL_AUTO };
	struct nd_vm_probe_files files;
	char vmname[32];
	int c, status;

	o.check.stop = &cli_stop;
	while ((c = getopt_long(argc, argv, "b:t:u:d:jvh", opts, NULL)) != -1) {
		switch (c) {
		case 'b': o.check.bridge = optarg; break;
		case 't':
			if (o.check.ntaps == ND_HOST_TAPS_MAX) {
				cli_err(cmd, optarg, "too many --tap (at most %d)", ND_HOST_TAPS_MAX);
				return EXIT_CANNOT;
			}
			o.check.taps[o.check.ntaps++] = optarg;
			break;
		case 'u': o.check.uplink = optarg; break;
		case 'd':
			if (cli_seconds(cmd, "--duration", optarg, 3600, &o.check.duration))
				return EXIT_CANNOT;
			break;
		case 'a': o.check.active = true; break;
		case 'p': probe = true; break;
		case 'r': o.check.resolve = optarg; break;
		case 'F': from = optarg; break;
		case 'R': rules_dir = optarg; break;
		case 'L': lenient = true; break;
		case 'O': o.offload_only = true; break;
		case 'x': o.mode = ND_DOCTOR_FIX; break;
		case 'y': o.mode = ND_DOCTOR_FIX; yes = true; break;
		case 'n': o.mode = ND_DOCTOR_DRY_RUN; break;
		case 'P': persist = optarg; break;
		case 'j': json = true; break;
		case 'v': verbose = true; break;
		case 'f':
			if (cli_fail_on(cmd, optarg, &fail_on))
				return EXIT_CANNOT;
			break;
		case 'h': fputs(usage_text, stdout); return EXIT_HEALTHY;
		default:
			return cli_bad_option(cmd, argv, "b:t:u:d:jvh", opts);
		}
	}
	/* the probe guest's launch and the active port only when asked for;
	 * explaining a saved document (--from, no --fix) touches no device */
	if (from && o.mode != ND_DOCTOR_FIX && cli_caps(cmd, 0))
		return EXIT_CANNOT;
	if (cli_caps(cmd, ND_CAP(CAP_NET_RAW) | ND_CAP(CAP_NET_ADMIN) |
			      (o.check.active ? ND_CAP(CAP_SYS_ADMIN) | ND_CAP(CAP_NET_BIND_SERVICE) : 0) |
			      (probe ? ND_CAP(CAP_SETUID) | ND_CAP(CAP_SETGID) | ND_CAP(CAP_SETPCAP) |
				       ND_CAP(CAP_KILL) : 0)))
		return EXIT_CANNOT;
	if (guide && (!o.check.ntaps || from || probe)) {
		cli_err(cmd, NULL, "name the guest's --tap (a live look: no --from, no --probe)");
		return EXIT_CANNOT;
	}
	if (optind != argc) {
		cli_err(cmd, argv[optind], "unexpected argument (see 'netdiag %s --help')", cmd);
		return EXIT_CANNOT;
	}
	if (!from && !o.check.bridge && !o.check.ntaps && !o.check.uplink) {
		cli_err(cmd, NULL, "name --bridge, --tap or --uplink to look at, or --from FILE");
		return EXIT_CANNOT;
	}
	if (probe && (!o.check.bridge || o.check.ntaps || o.check.uplink || from || o.check.active)) {
		cli_err(cmd, NULL, "--probe wants --bridge only (the guest's tap is made for it)");
		return EXIT_CANNOT;
	}
	if (probe) {
		snprintf(vmname, sizeof(vmname), "dr%ld", (long)getpid());
		vmc.name = vmname;
		vmc.bridge = o.check.bridge;
		if (nd_vm_probe_config(&vmc, &files, o.check.resolve, false, err, sizeof(err))) {
			cli_err(cmd, NULL, "%s", err);
			return EXIT_CANNOT;
		}
		o.probe = &vmc;
	}
	if (persist && strcmp(persist, "networkd") && strcmp(persist, "udev") &&
	    strcmp(persist, "sysctl")) {
		cli_err(cmd, persist, "--persist is networkd, udev or sysctl");
		return EXIT_CANNOT;
	}
	if (persist && o.mode != ND_DOCTOR_FIX) {
		cli_err(cmd, NULL, "--persist goes with --fix or --yes");
		return EXIT_CANNOT;
	}
	/* a first look of 5 s, longer while an exchange is open */
	o.check.patience = o.check.duration ? o.check.duration : 30;
	o.check.duration = o.check.patience < 5 ? o.check.patience : 5;
	if (o.mode == ND_DOCTOR_FIX && !yes)
		o.ask = ask;
	if (json)
		o.note = NULL;
	nd_findings_init(&given);
	if (from) {
		if (nd_findings_read_json(from, &given, err, sizeof(err))) {
			nd_findings_free(&given);
			cli_err(cmd, NULL, "%s", err);
			return EXIT_CANNOT;
		}
		o.given = &given;
	}
	if (!rules_dir)
		rules_dir = nd_rules_default_dir(dirbuf, sizeof(dirbuf));
	if (load_rules(&rs, rules_dir, lenient, cmd, err, sizeof(err))) {
		nd_findings_free(&given);
		cli_err(cmd, NULL, "%s", err);
		return EXIT_CANNOT;
	}
	/* no SA_RESTART: a question waiting for its answer ends on ^C too */
	cli_stop_on_signals(false);
	if (nd_doctor_run(&o, &rs, &res, err, sizeof(err))) {
		cli_err(cmd, NULL, "%s", err);
		status = EXIT_CANNOT;
		goto out;
	}
	if (res.interrupted) {
		cli_err(cmd, NULL, "interrupted: every change of this run is undone");
		status = EXIT_CANNOT;
		goto out;
	}
	status = nd_doctor_left(&res, fail_on) ? EXIT_PROBLEMS : EXIT_HEALTHY;
	char written[1024] = "";

	if (persist && nd_doctor_persist_write(&res, persist, written, sizeof(written), err,
					       sizeof(err))) {
		cli_err(cmd, NULL, "%s", err);
		status = EXIT_CANNOT;
	}
	cli_out_begin(&out, "doctor", json);
	nd_doctor_print(&res, o.mode, verbose, persist ? written : NULL, &out);
	cli_out_end(&out, status);
out:
	nd_findings_free(&given);      /* empty once the run took them */
	nd_doctor_result_free(&res);
	nd_rules_free(&rs);
	return status;
}

int cmd_doctor(int argc, char **argv)
{
	return doctor_main("doctor", false, argc, argv);
}
