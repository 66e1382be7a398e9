/* What undo and forget did to each record, for people and programs from
 * one walk (netdiag/out.h): a line each, or an element of "records". */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <netdiag/journal.h>
#include <netdiag/rundir.h>

/* the record's head as people read it: "restored offload g0 rx-gro";
 * result as the text says it, in JSON with '-' for ' ' */
static void print_record(struct nd_out *o, const struct nd_journal_record *r, const char *result)
{
	char word[32];
	bool key = r->key[0] && strcmp(r->key, "-");

	nd_out_obj_open(o, ND_OUT_ITEM);
	nd_out_uint(o, "id", NULL, r->id);
	snprintf(word, sizeof(word), "%s", result);
	for (char *p = word; (p = strchr(p, ' '));)
		*p = '-';
	nd_out_str(o, "result", NULL, word);
	nd_out_str(o, NULL, "%s ", result);
	nd_out_str(o, "kind", "%s ", r->kind);
	nd_out_str(o, "object", "%s", r->object);
	nd_out_str(o, "key", key ? " %s" : NULL, r->key);
	nd_out_str(o, "before", NULL, r->before);
}

void nd_journal_undo_print(struct nd_out *o, const struct nd_journal_record *r, int result,
			   bool dry_run)
{
	if (result < 0) {
		/* in text said on stderr by the caller, a line of its own */
		if (!o->json)
			return;
		print_record(o, r, "failed");
		nd_out_str(o, "reason", NULL, strerror(-result));
	} else if (result > 0) {
		print_record(o, r, "skipped");
		nd_out_uint(o, NULL, " (record %" PRIu64 "): ", r->id);
		nd_out_str(o, "reason", "%s", nd_journal_skip_text((enum nd_journal_skip)result));
		nd_out_text(o, "%s\n", result == ND_JOURNAL_OTHER_NS ? "; undo it there"
								 : "; 'netdiag undo --forget' drops it");
	} else {
		print_record(o, r, dry_run ? "would restore" : "restored");
		nd_out_str(o, NULL, " back to %s", r->before);
		nd_out_bool(o, "legacy", NULL, r->legacy);
		nd_out_text(o, "%s\n", r->legacy ? " (an older netdiag's record: no identity to check)"
						 : "");
	}
	nd_out_obj_close(o);
}

void nd_journal_forget_print(struct nd_out *o, const struct nd_journal_record *r, int result,
			     bool dry_run)
{
	if (result < 0 && !o->json)
		return;
	print_record(o, r, result < 0 ? "failed" : dry_run ? "would forget" : "forgot");
	nd_out_uint(o, NULL, " (record %" PRIu64 "): ", r->id);
	nd_out_str(o, "reason", "%s\n", result < 0 ? strerror(-result)
			      : nd_journal_skip_text((enum nd_journal_skip)result));
	nd_out_obj_close(o);
}

void nd_journal_damage_print(struct nd_out *o, const struct nd_journal_damage *d, bool forget,
			     bool dry_run)
{
	nd_out_obj_open(o, ND_OUT_ITEM);
	if (forget)
		nd_out_text(o, "%s %s/journal:", dry_run ? "would forget" : "forgot", nd_run_dir());
	nd_out_uint(o, "line", forget ? "%" PRIu64 ": " : NULL, d->line);
	nd_out_str(o, "reason", forget ? "%s\n" : NULL, d->reason);
	nd_out_obj_close(o);
}
