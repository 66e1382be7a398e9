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
	"usage: netdiag undo [--last N] [--dry-run] [--forget] [-j|--json]\n"
	"\n"
	"Restore the state recorded before each change netdiag made (offloads,\n"
	"sysctls, routes, addresses, MTUs, bridge STP settings, files written by\n"
	"doctor --persist, routed guests), newest first; --last N only the N newest;\n"
	"--dry-run only lists.  A record made in another network namespace, or on\n"
	"a device since deleted or replaced by another of the same name, is\n"
	"skipped with the reason; --forget drops the records that can never apply\n"
	"again (device or namespace gone, device replaced) and damaged lines.\n"
	"The journal is in $NETDIAG_RUN_DIR or /run/netdiag.\n";

/* the options the usage above describes */
static const struct option opts[] = {
	{ "last", required_argument, NULL, 'l' },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "forget", no_argument, NULL, 'F' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

struct tally {
	struct nd_out *o;
	bool dry, in_records;   /* forget: past the damaged lines */
	unsigned skipped, failed;
};

/* a failure stays one line on stderr; JSON has it among the records */
static void failed(struct tally *t, const struct nd_journal_record *r, int result)
{
	bool key = r->key[0] && strcmp(r->key, "-");

	char what[400];

	t->failed++;
	snprintf(what, sizeof(what), "%s %s%s%s", r->kind, r->object, key ? " " : "",
		 key ? r->key : "");
	cli_err("undo", what, "%s", strerror(-result));
}

static void undone(void *arg, const struct nd_journal_record *r, int result)
{
	struct tally *t = arg;

	if (result < 0)
		failed(t, r, result);
	t->skipped += result > 0;
	nd_journal_undo_print(t->o, r, result, t->dry);
}

static void forgot(void *arg, const struct nd_journal_record *r, int result)
{
	struct tally *t = arg;

	if (!t->in_records) {
		nd_out_arr_close(t->o);
		nd_out_arr_open(t->o, "records");
		t->in_records = true;
	}
	if (result < 0)
		failed(t, r, result);
	nd_journal_forget_print(t->o, r, result, t->dry);
}

static void forgot_line(void *arg, const struct nd_journal_damage *d)
{
	struct tally *t = arg;

	nd_journal_damage_print(t->o, d, true, t->dry);
}

int cmd_undo(int argc, char **argv)
{
	const struct nd_journal_damage *dmg;
	struct tally t = { 0 };
	struct nd_journal *j;
	struct nd_out o;
	bool json = false;
	unsigned long last = 0;
	unsigned n, ndmg;
	bool forget = false;
	char err[256] = "", *end;
	int c, ret;

	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
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
		case 'j': json = true; break;
		case 'h': fputs(usage_text, stdout); return EXIT_HEALTHY;
		default: return cli_bad_option("undo", argv, "jh", opts);
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
	t.o = &o;
	cli_out_begin(&o, "undo", json);
	nd_out_bool(&o, "dry_run", NULL, t.dry);
	/* the damaged lines first, then the records, as both are said */
	nd_out_arr_open(&o, "damaged");
	if (forget) {
		ret = nd_journal_forget(j, t.dry, forgot, forgot_line, &t);
		if (!t.in_records) {
			nd_out_arr_close(&o);
			nd_out_arr_open(&o, "records");
		}
		nd_out_arr_close(&o);
		nd_journal_close(j);
		if (ret && !t.failed)
			cli_err("undo", "--forget", "%s", strerror(-ret));
		return cli_out_end(&o, ret ? EXIT_CANNOT : EXIT_HEALTHY);
	}
	nd_journal_records(j, &n);
	dmg = nd_journal_damaged(j, &ndmg);
	/* never silent: each damaged line by number; the records around it
	 * are still undone */
	for (unsigned i = 0; i < ndmg; i++) {
		cli_err("undo", NULL, "%s/journal:%u: %s; left as is ('netdiag undo --forget' drops it)",
			nd_run_dir(), dmg[i].line, dmg[i].reason);
		nd_journal_damage_print(&o, &dmg[i], false, t.dry);
	}
	nd_out_arr_close(&o);
	if (!n && !ndmg)
		nd_out_text(&o, "nothing to undo\n");
	nd_out_arr_open(&o, "records");
	ret = nd_journal_undo(j, (unsigned)last, t.dry, undone, &t);
	nd_out_arr_close(&o);
	nd_journal_close(j);
	if (ret || ndmg)
		return cli_out_end(&o, EXIT_CANNOT);
	return cli_out_end(&o, t.skipped ? EXIT_PROBLEMS : EXIT_HEALTHY);
}
