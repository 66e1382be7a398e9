/* netdiag undo: roll the journal back, newest change first. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netdiag/journal.h>

#include "cli.h"

static const char usage_text[] =
	"usage: netdiag undo [--last N] [--dry-run]\n"
	"\n"
	"Restore the state recorded before each change netdiag made (offloads,\n"
	"sysctls, routes, addresses, MTUs, bridge STP settings, files written by\n"
	"doctor --persist), newest first; --last N only the N newest; --dry-run\n"
	"only lists.\n"
	"The journal is in $NETDIAG_RUN_DIR or /run/netdiag.\n";

static void report(void *arg, const struct nd_journal_record *r, int result)
{
	bool dry = *(bool *)arg;

	bool key = r->key[0] && strcmp(r->key, "-");

	if (result)
		fprintf(stderr, "netdiag: undo: %s%s%s: %s\n", r->object, key ? " " : "",
			key ? r->key : "", strerror(-result));
	else
		printf("%s %s %s%s%s back to %s\n", dry ? "would restore" : "restored", r->kind,
		       r->object, key ? " " : "", key ? r->key : "", r->before);
}

int cmd_undo(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "last", required_argument, NULL, 'l' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct nd_journal *j;
	unsigned last = 0, n;
	bool dry = false;
	char err[256] = "", *end;
	int c, ret;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			/* digits only: strtoul reads "-1" as ULONG_MAX, "undo everything" */
			last = (unsigned)strtoul(optarg, &end, 10);
			if (*end || !last || optarg[strspn(optarg, "0123456789")] ||
			    strlen(optarg) > 9) {
				cli_err("undo", optarg, "--last wants a count above 0");
				return EXIT_CANNOT;
			}
			break;
		case 'n': dry = true; break;
		case 'h': fputs(usage_text, stdout); return EXIT_HEALTHY;
		default: return cli_bad_option("undo", argv, "h", opts);
		}
	}
	ret = nd_journal_open(&j, err, sizeof(err));
	if (ret) {
		cli_err("undo", NULL, "%s", err);
		return EXIT_CANNOT;
	}
	nd_journal_records(j, &n);
	if (!n)
		printf("nothing to undo\n");
	ret = nd_journal_undo(j, last, dry, report, &dry);
	nd_journal_close(j);
	return ret ? EXIT_CANNOT : EXIT_HEALTHY;
}
