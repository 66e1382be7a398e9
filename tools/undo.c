/* netdiag undo: roll the journal back, newest change first, only where a
 * record's identity (namespace, device) still matches. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netdiag/journal.h>

#include "cli.h"

static const char usage_text[] =
	"usage: netdiag undo [--last N] [--dry-run] [--forget]\n"
	"\n"
	"Restore the state recorded before each change netdiag made (offloads,\n"
	"sysctls, routes, addresses, MTUs, bridge STP settings, files written by\n"
	"doctor --persist, routed guests), newest first; --last N only the N newest;\n"
	"--dry-run only lists.  A record made in another network namespace, or on\n"
	"a device since deleted or replaced by another of the same name, is\n"
	"skipped with the reason; --forget drops the records that can never apply\n"
	"again (device or namespace gone, device replaced) and damaged lines.\n"
	"The journal is in $NETDIAG_RUN_DIR or /run/netdiag.\n";

struct tally {
	bool dry;
	unsigned skipped, failed;
};

static void describe(const struct nd_journal_record *r, char *out, size_t len)
{
	bool key = r->key[0] && strcmp(r->key, "-");

	snprintf(out, len, "%s %s%s%s", r->kind, r->object, key ? " " : "", key ? r->key : "");
}

static void report(void *arg, const struct nd_journal_record *r, int result)
{
	struct tally *t = arg;
	char what[400];

	describe(r, what, sizeof(what));
	if (result > 0) {
		t->skipped++;
		printf("skipped %s (record %u): %s%s\n", what, r->id,
		       nd_journal_skip_text((enum nd_journal_skip)result),
		       result == ND_JOURNAL_OTHER_NS ? "; undo it there" : "; 'netdiag undo --forget' drops it");
	} else if (result) {
		t->failed++;
		fprintf(stderr, "netdiag: undo: %s: %s\n", what, strerror(-result));
	} else {
		printf("%s %s back to %s%s\n", t->dry ? "would restore" : "restored", what, r->before,
		       r->legacy ? " (an older netdiag's record: no identity to check)" : "");
	}
}

static void forgot(void *arg, const struct nd_journal_record *r, int result)
{
	struct tally *t = arg;
	char what[400];

	describe(r, what, sizeof(what));
	if (result < 0) {
		t->failed++;
		fprintf(stderr, "netdiag: undo: %s: %s\n", what, strerror(-result));
		return;
	}
	printf("%s %s (record %u): %s\n", t->dry ? "would forget" : "forgot", what, r->id,
	       nd_journal_skip_text((enum nd_journal_skip)result));
}

static void forgot_line(void *arg, const struct nd_journal_damage *d)
{
	struct tally *t = arg;

	printf("%s %s/journal:%u: %s\n", t->dry ? "would forget" : "forgot", nd_run_dir(), d->line,
	       d->reason);
}

int cmd_undo(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "last", required_argument, NULL, 'l' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "forget", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const struct nd_journal_damage *dmg;
	struct tally t = { 0 };
	struct nd_journal *j;
	unsigned long last = 0;
	unsigned n, ndmg;
	bool forget = false;
	char err[256] = "", *end;
	int c, ret;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			/* digits only: strtoul takes "-1" as the largest count */
			errno = 0;
			last = optarg[0] >= '0' && optarg[0] <= '9' ? strtoul(optarg, &end, 10) : 0;
			if (errno || !last || *end || last > 1000000000UL) {
				cli_err("undo", optarg, "--last wants a count above 0");
				return EXIT_CANNOT;
			}
			break;
		case 'n': t.dry = true; break;
		case 'F': forget = true; break;
		case 'h': fputs(usage_text, stdout); return EXIT_HEALTHY;
		default: return cli_bad_option("undo", argv, "h", opts);
		}
	}
	if (optind < argc) {
		cli_err("undo", argv[optind], "unexpected argument");
		return EXIT_CANNOT;
	}
	if (forget && last) {
		cli_err("undo", "--forget", "takes no --last");
		return EXIT_CANNOT;
	}
	ret = nd_journal_open(&j, err, sizeof(err));
	if (ret) {
		cli_err("undo", NULL, "%s", err);
		return EXIT_CANNOT;
	}
	if (forget) {
		ret = nd_journal_forget(j, t.dry, forgot, forgot_line, &t);
		nd_journal_close(j);
		if (ret && !t.failed)
			cli_err("undo", "--forget", "%s", strerror(-ret));
		return ret ? EXIT_CANNOT : EXIT_HEALTHY;
	}
	nd_journal_records(j, &n);
	dmg = nd_journal_damaged(j, &ndmg);
	/* never silent: each damaged line by number; the records around it
	 * are still undone */
	for (unsigned i = 0; i < ndmg; i++)
		fprintf(stderr, "netdiag: undo: %s/journal:%u: %s; left as is ('netdiag undo --forget' "
			"drops it)\n", nd_run_dir(), dmg[i].line, dmg[i].reason);
	if (!n && !ndmg)
		printf("nothing to undo\n");
	ret = nd_journal_undo(j, (unsigned)last, t.dry, report, &t);
	nd_journal_close(j);
	if (ret || ndmg)
		return EXIT_CANNOT;
	return t.skipped ? EXIT_PROBLEMS : EXIT_HEALTHY;
}
