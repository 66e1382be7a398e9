/* netdiag: one binary, subcommands in a table, each in a file of its own. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static int cmd_help(int argc, char **argv);

static const struct cli_cmd commands[] = {
	{ "analyze", cmd_analyze, "findings from capture files (pcap, pcapng)" },
	{ "check", cmd_check, "host inspection plus live probes across the bridge" },
	{ "host", cmd_host, "inspect bridge, ports, taps and sysctls" },
	{ "offload", cmd_offload, "show and set offload features, journaled" },
	{ "route", cmd_route, "per-guest /32 gateway routes for routed guests" },
	{ "doctor", cmd_doctor, "diagnose with the rules; --fix tries the remedies, verified" },
	{ "rules", cmd_rules, "check (lint) or list the rule files" },
	{ "ci", cmd_ci, "check a bridge set-up against a YAML spec; JUnit for CI" },
	{ "hook", cmd_hook, "libvirt and Proxmox hooks: check a guest's tap when it starts" },
	{ "vm", cmd_vm, "boot a guest (or the probe guest) on a bridge, supervise it" },
	{ "undo", cmd_undo, "roll back the changes netdiag made" },
	{ "version", cmd_version, "print the version" },
	{ "help", cmd_help, "list the commands" },
};

static char last_error[512];

void cli_err(const char *cmd, const char *object, const char *fmt, ...)
{
	char reason[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	snprintf(last_error, sizeof(last_error), "%s%s%s", object ? object : "",
		 object ? ": " : "", reason);
	fprintf(stderr, "netdiag: %s: %s\n", cmd, last_error);
}

const char *cli_last_error(void)
{
	return last_error;
}

/* -j or --json among a command's arguments (before a "--") */
static bool wants_json(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json"))
			return true;
	return false;
}

bool cli_colour(void)
{
	return isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
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
	if (argc < 2) {
		usage(stderr);
		return EXIT_CANNOT;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return cmd_help(argc - 1, argv + 1);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		int rc;

		if (strcmp(argv[1], commands[i].name))
			continue;
		rc = commands[i].run(argc - 1, argv + 1);
		/* a program reading -j gets a document on every exit path */
		if (rc == EXIT_CANNOT && wants_json(argc - 1, argv + 1))
			cli_json_error(commands[i].name, last_error[0] ? last_error : "could not run");
		return rc;
	}
	fprintf(stderr, "netdiag: %s: unknown command (see 'netdiag help')\n", argv[1]);
	return EXIT_CANNOT;
}
