/* netdiag: one binary, subcommands in a table, each in a file of its own. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <getopt.h>
#include <unistd.h>

#include <linux/capability.h>

#include <netdiag/privs.h>

#include "cli.h"

static int cmd_help(int argc, char **argv);

/* What each command may keep (docs/design/architecture.md, decision 8), dropped before
 * it parses anything: capture wants CAP_NET_RAW; netlink changes, nftables
 * (even reading it) and net sysctls want CAP_NET_ADMIN (root owns
 * /proc/sys/net, so no DAC override is needed); --active's probe port
 * unshares a network namespace and binds port 68 (CAP_SYS_ADMIN,
 * CAP_NET_BIND_SERVICE); a guest's QEMU is started as another user
 * (CAP_SETUID, CAP_SETGID), its bounding set emptied (CAP_SETPCAP) and
 * signalled (CAP_KILL).  check and doctor
 * narrow this once their options are known. */
#define CAPTURE ND_CAP(CAP_NET_RAW)
#define CHANGE ND_CAP(CAP_NET_ADMIN)
#define ACTIVE (ND_CAP(CAP_SYS_ADMIN) | ND_CAP(CAP_NET_BIND_SERVICE))
#define LAUNCH (ND_CAP(CAP_SETUID) | ND_CAP(CAP_SETGID) | ND_CAP(CAP_SETPCAP) | ND_CAP(CAP_KILL))
/* a command that narrows later keeps CAP_SETPCAP until then, so the
 * narrowing cuts the bounding set too (and drops CAP_SETPCAP with it) */
#define NARROWS ND_CAP(CAP_SETPCAP)

static const struct cli_cmd commands[] = {
	{ "analyze", cmd_analyze, "findings from capture files (pcap, pcapng)", 0 },
	{ "check", cmd_check, "host inspection plus live probes across the bridge",
	  CAPTURE | CHANGE | ACTIVE | NARROWS },
	{ "host", cmd_host, "inspect bridge, ports, taps and sysctls", CHANGE },
	{ "offload", cmd_offload, "show and set offload features, journaled",
	  CAPTURE | CHANGE | ACTIVE | NARROWS },
	{ "route", cmd_route, "per-guest /32 gateway routes for routed guests", CAPTURE | CHANGE },
	{ "doctor", cmd_doctor, "diagnose with the rules; --fix tries the remedies, verified",
	  CAPTURE | CHANGE | ACTIVE | LAUNCH },
	{ "rules", cmd_rules, "check (lint) or list the rule files", 0 },
	{ "ci", cmd_ci, "check a bridge set-up against a YAML spec; JUnit for CI",
	  CAPTURE | CHANGE | ACTIVE | LAUNCH },
	/* the hook starts a detached check: its bounding set must keep what
	 * check needs */
	{ "hook", cmd_hook, "libvirt and Proxmox hooks: check a guest's tap when it starts",
	  CAPTURE | CHANGE | ACTIVE | NARROWS },
	{ "vm", cmd_vm, "boot a guest (or the probe guest) on a bridge, supervise it",
	  CAPTURE | CHANGE | LAUNCH },
	{ "undo", cmd_undo, "roll back the changes netdiag made", CHANGE },
	{ "version", cmd_version, "print the version", 0 },
	{ "help", cmd_help, "list the commands", 0 },
};

/* -j or --json among a command's arguments (before a "--") */
static bool wants_json(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json"))
			return true;
	return false;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: netdiag COMMAND [ARGS...]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'netdiag COMMAND --help' describes one command.\n"
		     "Exit status: 0 healthy, 1 problems found, 2 could not run.\n");
}

static int cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	usage(stdout);
	return EXIT_HEALTHY;
}

int main(int argc, char **argv)
{
	/* an unknown option is said once, by cli_bad_option */
	opterr = 0;
	if (argc < 2) {
		fprintf(stderr, "netdiag: no command given (see 'netdiag help')\n");
		return EXIT_CANNOT;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return cmd_help(argc - 1, argv + 1);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		int rc;

		if (strcmp(argv[1], commands[i].name))
			continue;
		rc = cli_caps(commands[i].name, commands[i].caps);
		if (!rc)
			rc = commands[i].run(argc - 1, argv + 1);
		/* a program reading -j gets a document on every exit path */
		if (rc == EXIT_CANNOT && wants_json(argc - 1, argv + 1))
			cli_json_error(cli_last_command()[0] ? cli_last_command() : commands[i].name,
				       cli_last_error()[0] ? cli_last_error() : "could not run");
		return rc;
	}
	fprintf(stderr, "netdiag: %s: unknown command (see 'netdiag help')\n", argv[1]);
	return EXIT_CANNOT;
}
