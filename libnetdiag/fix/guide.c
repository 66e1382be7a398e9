/* The offload guide: TX checksum offload off on the fewest devices and
 * features that make a diagnosis go, found by trying, each try verified
 * by looking again and undone when it did not help. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "doctor_internal.h"

struct guide {
	struct run *r;
	const struct nd_diagnosis *d;
	const struct nd_rule_remedy *m;
	size_t di;
	unsigned ri;
	char cands[GUIDE_CANDIDATES_MAX][IF_NAMESIZE];
	unsigned n;
};

static void set_names(const struct guide *g, unsigned set, char *out, size_t len)
{
	out[0] = 0;
	for (unsigned i = 0; i < g->n; i++)
		if (set & (1u << i)) {
			size_t used = strlen(out);

			snprintf(out + used, len - used, "%s%s", used ? "," : "", g->cands[i]);
		}
}

/* TX checksum offload off on every device of set at once, look again;
 * keep it (return 1) only when keep and it helped, else undo.  0 when it
 * did not help (or helped with !keep: *helped says), -EINTR when stopped. */
static int try_set(struct guide *g, unsigned set, bool keep, bool *helped)
{
	char names[GUIDE_CANDIDATES_MAX * (IF_NAMESIZE + 1)], blast[ND_RULE_LINE_MAX];
	char why[256] = "", err[256] = "", change[sizeof(names) + 16];
	unsigned before = doctor_journal_mark();
	struct nd_doctor_step *s;
	int rc = 0;

	*helped = false;
	set_names(g, set, names, sizeof(names));
	s = doctor_new_step(g->r, g->di, g->ri, g->m->action);
	if (!s)
		return 0;
	snprintf(s->target, sizeof(s->target), "%s", names);
	snprintf(s->change, sizeof(s->change), "tx off");
	snprintf(change, sizeof(change), "%s: tx off", names);
	nd_rule_expand(g->d, g->m->blast, blast, sizeof(blast));
	if (g->r->o->ask && !g->r->o->ask(g->r->o->arg, change, blast)) {
		s->outcome = ND_STEP_DECLINED;
		return 0;
	}
	for (unsigned i = 0; i < g->n && !rc; i++)
		if (set & (1u << i)) {
			rc = remedy_offload_off(NULL, g->cands[i], "tx", err, sizeof(err));
			rc = rc == 1 ? 0 : rc;
		}
	if (rc) {
		doctor_undo_since(before, why, sizeof(why));
		s->outcome = ND_STEP_FAILED;
		snprintf(s->detail, sizeof(s->detail), "%s", err);
		return 0;
	}
	doctor_note(g->r, "  applied %s together; looking again", change);
	rc = doctor_look_again(g->r, g->d, g->m, why, sizeof(why));
	if (rc < 0)
		return rc;
	*helped = rc == 1;
	if (*helped && keep) {
		/* a step per device, this one the first: the persistence
		 * snippets are per device */
		bool first = true;

		for (unsigned i = 0; i < g->n; i++) {
			struct nd_doctor_step *k;

			if (!(set & (1u << i)))
				continue;
			k = first ? s : doctor_new_step(g->r, g->di, g->ri, g->m->action);
			first = false;
			if (!k)
				break;
			snprintf(k->target, sizeof(k->target), "%s", g->cands[i]);
			snprintf(k->change, sizeof(k->change), "tx off");
			k->outcome = ND_STEP_KEPT;
			snprintf(k->detail, sizeof(k->detail), "needed, with all of %s", names);
		}
		g->r->latest_kept = true;
		doctor_note(g->r, "  verified: %s is gone; kept on %s", doctor_verify_name(g->d, g->m), names);
		return 1;
	}
	doctor_undo_since(before, err, sizeof(err));
	s->outcome = ND_STEP_UNDONE;
	if (*helped)
		snprintf(s->detail, sizeof(s->detail), "helped; undone to try fewer devices");
	else
		snprintf(s->detail, sizeof(s->detail), "did not help (%s)", why);
	doctor_note(g->r, "  %s: undone", s->detail);
	return 0;
}

/* A kept single device with several TX checksum features off: is one of
 * them alone enough (say tx-checksum-ipv4 for an IPv4 fault)? */
static int narrow_features(struct guide *g, struct nd_doctor_step *kept, unsigned mark)
{
	const char *names[TX_NAMES_MAX];
	struct nd_ethtool *e;
	unsigned n, before;
	char err[256], why[256], list[TX_NAMES_MAX][ND_FEATURE_NAME_MAX];

	if (kept->features < 2 || doctor_undo_since(mark, err, sizeof(err)))
		return 1;
	if (nd_ethtool_open(&e))
		return 1;
	n = remedy_tx_on(e, kept->target, names);
	for (unsigned i = 0; i < n; i++)
		snprintf(list[i], sizeof(list[i]), "%s", names[i]);
	nd_ethtool_close(e);
	for (unsigned i = 0; i < n; i++) {
		struct nd_doctor_step *s = doctor_new_step(g->r, g->di, g->ri, ND_REMEDY_OFFLOAD_GUIDE);
		int rc;

		if (!s)
			break;
		before = doctor_journal_mark();
		snprintf(s->target, sizeof(s->target), "%s", kept->target);
		snprintf(s->change, sizeof(s->change), "%s off", list[i]);
		if (remedy_offload_off(s, kept->target, list[i], err, sizeof(err))) {
			s->outcome = ND_STEP_FAILED;
			snprintf(s->detail, sizeof(s->detail), "%s", err);
			continue;
		}
		doctor_note(g->r, "  trying %s: %s alone", kept->target, s->change);
		rc = doctor_look_again(g->r, g->d, g->m, why, sizeof(why));
		if (rc < 0)
			return rc;
		if (rc) {
			s->outcome = ND_STEP_KEPT;
			g->r->latest_kept = true;
			snprintf(s->detail, sizeof(s->detail), "enough alone");
			kept->outcome = ND_STEP_UNDONE;
			snprintf(kept->detail, sizeof(kept->detail), "helped; narrowed to %s", list[i]);
			return 1;
		}
		doctor_undo_since(before, err, sizeof(err));
		s->outcome = ND_STEP_UNDONE;
		snprintf(s->detail, sizeof(s->detail), "not enough alone (%s)", why);
	}
	/* none alone: the whole of tx, as verified first */
	g->r->latest_kept = false;
	kept->outcome = ND_STEP_FAILED;
	if (remedy_offload_off(NULL, kept->target, "tx", err, sizeof(err)) == 0)
		kept->outcome = ND_STEP_KEPT;
	else
		snprintf(kept->detail, sizeof(kept->detail), "could not reapply: %s", err);
	return kept->outcome == ND_STEP_KEPT;
}

/* Each candidate alone, least blast first; when none helps alone, all of
 * them together, then each left out in turn while the rest still helps:
 * what remains is a set none of whose members can go. */
int doctor_guide(struct run *r, size_t di, unsigned ri)
{
	struct guide g = { .r = r, .di = di, .ri = ri };
	char tap[ND_RULE_VALUE_MAX];
	unsigned set, tried = 0;
	bool helped;
	int rc;

	g.d = &r->res->diagnoses.v[di];
	g.m = &g.d->rule->remedies[ri];
	nd_rule_expand(g.d, nd_remedy_arg(g.m, "tap"), tap, sizeof(tap));
	g.n = remedy_offload_candidates(tap, nd_diagnosis_var(g.d, "src"), g.cands);
	doctor_note(r, "  offload guide: %u candidate%s with TX checksum offload on", g.n,
	     g.n == 1 ? "" : "s");
	for (unsigned i = 0; i < g.n; i++) {
		struct nd_doctor_step *s = doctor_new_step(r, di, ri, g.m->action);
		unsigned mark = doctor_journal_mark();

		if (!s)
			return 0;
		snprintf(s->target, sizeof(s->target), "%s", g.cands[i]);
		snprintf(s->change, sizeof(s->change), "tx off");
		rc = doctor_try_change(r, g.d, g.m, s, "tx");
		if (rc < 0)
			return rc;
		if (s->outcome == ND_STEP_KEPT)
			return narrow_features(&g, s, mark);
		tried += s->outcome == ND_STEP_UNDONE;
	}
	/* sets only once every single one is known not to help */
	if (g.n < 2 || tried < g.n)
		return 0;
	set = (1u << g.n) - 1;
	rc = try_set(&g, set, false, &helped);
	if (rc < 0 || !helped)
		return rc;
	for (unsigned i = 0; i < g.n; i++) {
		unsigned fewer = set & ~(1u << i);

		/* singles are known not to help */
		if (!(set & (1u << i)) || __builtin_popcount(fewer) < 2)
			continue;
		rc = try_set(&g, fewer, false, &helped);
		if (rc < 0)
			return rc;
		if (helped)
			set = fewer;
	}
	return try_set(&g, set, true, &helped);
}

