/* The doctor's loop (netdiag/doctor.h): look, diagnose, and try each
 * remedy through the journal, keeping only what is seen to help. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netdiag/journal.h>

#include "doctor_internal.h"

/* Returns 1 when a change was kept, 0 when not, -EINTR when stopped. */
static int remedy(struct run *r, size_t di, unsigned ri)
{
	const struct nd_diagnosis *d = &r->res->diagnoses.v[di];
	const struct nd_rule_remedy *m = &d->rule->remedies[ri];
	char value[ND_RULE_VALUE_MAX] = "";
	struct nd_doctor_step *s;
	int rc;

	if (r->o->offload_only && m->action != ND_REMEDY_OFFLOAD_OFF &&
	    m->action != ND_REMEDY_OFFLOAD_GUIDE)
		return 0;
	if (m->action == ND_REMEDY_OFFLOAD_GUIDE && r->o->mode == ND_DOCTOR_FIX)
		return doctor_guide(r, di, ri);
	s = doctor_new_step(r, di, ri, m->action);
	if (!s)
		return 0;
	remedy_kind(m->action)->describe(d, m, s, value, sizeof(value));
	if (m->action == ND_REMEDY_MANUAL || r->o->mode == ND_DOCTOR_DRY_RUN) {
		s->outcome = m->action == ND_REMEDY_MANUAL ? ND_STEP_MANUAL : ND_STEP_PLANNED;
		return 0;
	}
	rc = doctor_try_change(r, d, m, s, value);
	if (rc < 0)
		return rc;
	return s->outcome == ND_STEP_KEPT;
}

/* A change kept for an earlier diagnosis may have cured this one too (the
 * same offload behind a DNS and a DHCP diagnosis): the latest look says. */
static bool gone_already(struct run *r, size_t di)
{
	const struct nd_diagnosis *d = &r->res->diagnoses.v[di];
	const struct nd_rule_remedy none = { 0 };
	const struct nd_rule_remedy *m = d->rule->nremedies ? &d->rule->remedies[0] : &none;
	struct nd_doctor_step *s;
	char why[256];

	if (!r->res->changed || r->o->mode != ND_DOCTOR_FIX ||
	    !doctor_verified(r, d, m, &r->kept, why, sizeof(why)))
		return false;
	s = doctor_new_step(r, di, 0, m->action);
	if (s) {
		s->outcome = ND_STEP_GONE;
		snprintf(s->detail, sizeof(s->detail), "gone after an earlier change");
	}
	doctor_note(r, "  gone after an earlier change: nothing to do");
	return true;
}

/* The look after a kept change is how the host now is: later diagnoses
 * are checked against it, and it decides the exit status. */
static void keep_state(struct run *r)
{
	if (!r->latest_kept)
		return;
	doctor_look_free(&r->kept);
	r->kept = r->latest;
	memset(&r->latest, 0, sizeof(r->latest));
	nd_findings_init(&r->latest.fs);
	r->latest_kept = false;
	r->res->changed = true;
}

static int fix_all(struct run *r)
{
	const struct nd_diagnoses *ds = &r->res->diagnoses;

	for (size_t i = 0; i < ds->n; i++) {
		const struct nd_rule *rule = ds->v[i].rule;
		char title[ND_RULE_LINE_MAX];

		if (rule->severity < ND_SEV_WARNING)
			continue;
		nd_rule_expand(&ds->v[i], rule->title, title, sizeof(title));
		if (r->o->mode == ND_DOCTOR_FIX)
			doctor_note(r, "%s: %s", rule->id, title);
		if (gone_already(r, i))
			continue;
		for (unsigned k = 0; k < rule->nremedies; k++) {
			int rc = remedy(r, i, k);

			if (rc < 0)
				return rc;
			if (rc == 1) {
				keep_state(r);
				break;
			}
			if (doctor_stopped(r))
				return -EINTR;
		}
	}
	return 0;
}

/* What became of diagnosis i, from its steps.  A diagnosis with a kept
 * change that is still seen after the run (a routed guest that needs a
 * route by hand besides the sysctls) is "kept", not "fixed". */
static enum nd_diag_outcome outcome_of(const struct run *r, size_t i)
{
	const struct nd_doctor_result *res = r->res;
	const struct nd_diagnosis *d = &res->diagnoses.v[i];
	bool kept = false, gone = false, undone = false, manual = false, declined = false;
	bool planned = false, failed = false;

	for (unsigned k = 0; k < res->nsteps; k++) {
		const struct nd_doctor_step *s = &res->steps[k];

		if (s->diagnosis != i)
			continue;
		kept |= s->outcome == ND_STEP_KEPT;
		gone |= s->outcome == ND_STEP_GONE;
		undone |= s->outcome == ND_STEP_UNDONE || s->outcome == ND_STEP_NOTHING;
		manual |= s->outcome == ND_STEP_MANUAL;
		declined |= s->outcome == ND_STEP_DECLINED;
		planned |= s->outcome == ND_STEP_PLANNED;
		failed |= s->outcome == ND_STEP_FAILED;
	}
	if (gone)
		return ND_DIAG_FIXED;
	if (kept) {
		struct nd_rule_cond c = d->rule->conds[0];

		return res->changed && nd_rule_cond_holds(&c, d, &res->after) ? ND_DIAG_KEPT
										 : ND_DIAG_FIXED;
	}
	return planned ? ND_DIAG_PLANNED : declined ? ND_DIAG_DECLINED : failed ? ND_DIAG_FAILED
	       : undone ? ND_DIAG_UNDONE : manual ? ND_DIAG_MANUAL : ND_DIAG_FOUND;
}

/* Error findings that no diagnosis gives as evidence. */
static int find_undiagnosed(struct nd_doctor_result *res)
{
	const struct nd_findings *fs = &res->findings;

	res->undiagnosed = calloc(fs->n ? fs->n : 1, sizeof(*res->undiagnosed));
	if (!res->undiagnosed)
		return -ENOMEM;
	for (size_t i = 0; i < fs->n; i++) {
		bool explained = false;

		if (fs->v[i].severity < ND_SEV_ERROR)
			continue;
		for (size_t d = 0; d < res->diagnoses.n && !explained; d++)
			for (unsigned e = 0; e < res->diagnoses.v[d].nevidence; e++)
				explained |= res->diagnoses.v[d].evidence[e] == i;
		if (!explained)
			res->undiagnosed[res->nundiagnosed++] = i;
	}
	return 0;
}

static int copy_findings(struct nd_findings *to, const struct nd_findings *from)
{
	nd_findings_init(to);
	for (size_t i = 0; i < from->n; i++) {
		struct nd_finding *f = nd_findings_add(to, from->v[i].id, from->v[i].severity);

		if (!f)
			return -ENOMEM;
		*f = from->v[i];
	}
	return 0;
}

static int doctor_run(const struct nd_doctor_opts *o, const struct nd_rules *rs,
		      struct nd_doctor_result *res, char *err, size_t errlen);

/* One changing doctor at a time (issue 15): the journal keeps two apart,
 * but a look of one would verify the other's change and keep its own
 * for it.  The second is refused at once, before any look. */
int nd_doctor_run(const struct nd_doctor_opts *o, const struct nd_rules *rs,
		  struct nd_doctor_result *res, char *err, size_t errlen)
{
	int lock = -1, rc;

	if (o->mode == ND_DOCTOR_FIX) {
		lock = nd_run_lock("doctor.lock", err, errlen);
		if (lock == -EWOULDBLOCK)
			snprintf(err, errlen, "another netdiag doctor is changing this host; "
				 "run again when it is done");
		if (lock < 0) {
			memset(res, 0, sizeof(*res));
			return lock;
		}
	}
	rc = doctor_run(o, rs, res, err, errlen);
	if (lock >= 0)
		close(lock);
	return rc;
}

static int doctor_run(const struct nd_doctor_opts *o, const struct nd_rules *rs,
		      struct nd_doctor_result *res, char *err, size_t errlen)
{
	struct run r = { .o = o, .rs = rs, .res = res, .err = err, .errlen = errlen };
	struct look first;
	int rc;

	memset(res, 0, sizeof(*res));
	nd_findings_init(&res->findings);
	nd_findings_init(&res->after);
	nd_findings_init(&r.kept.fs);
	nd_findings_init(&r.latest.fs);
	if (o->given && o->mode == ND_DOCTOR_FIX) {
		snprintf(err, errlen, "--fix needs a live look to verify with, not --from");
		return -EINVAL;
	}
	r.journal_start = doctor_journal_mark();
	rc = doctor_look(&r, &first, false);
	if (rc) {
		doctor_look_free(&first);
		return rc;
	}
	res->findings = first.fs;
	first.fs = (struct nd_findings){ 0 };
	doctor_look_free(&first);
	rc = nd_rules_eval(rs, &res->findings, &res->diagnoses);
	if (!rc)
		rc = find_undiagnosed(res);
	if (!rc) {
		res->outcomes = calloc(res->diagnoses.n ? res->diagnoses.n : 1,
				       sizeof(*res->outcomes));
		rc = res->outcomes ? 0 : -ENOMEM;
	}
	if (rc) {
		snprintf(err, errlen, "rules: %s", strerror(-rc));
		return rc;
	}
	if (o->mode != ND_DOCTOR_EXPLAIN)
		rc = fix_all(&r);
	doctor_look_free(&r.latest);
	if (rc == -EINTR || doctor_stopped(&r)) {
		char uerr[256];

		doctor_look_free(&r.kept);
		res->interrupted = true;
		res->changed = false;
		doctor_undo_since(r.journal_start, uerr, sizeof(uerr));
		return copy_findings(&res->after, &res->findings);
	}
	if (!rc)
		rc = copy_findings(&res->after, res->changed ? &r.kept.fs : &res->findings);
	res->healthy_after = true;
	for (size_t i = 0; !rc && i < res->diagnoses.n; i++) {
		const struct nd_diagnosis *d = &res->diagnoses.v[i];
		const struct nd_rule_remedy none = { 0 };
		char why[256];

		res->outcomes[i] = outcome_of(&r, i);
		/* cured by a change kept for a diagnosis looked at after it (an
		 * STP delay behind loss "inside the host"): gone from the last
		 * look, with its traffic seen there */
		if (res->changed && res->outcomes[i] != ND_DIAG_FIXED &&
		    res->outcomes[i] != ND_DIAG_KEPT &&
		    doctor_verified(&r, d, &none, &r.kept, why, sizeof(why)))
			res->outcomes[i] = ND_DIAG_FIXED;
		if (d->rule->severity >= ND_SEV_WARNING)
			res->healthy_after &= res->outcomes[i] == ND_DIAG_FIXED;
	}
	doctor_look_free(&r.kept);
	return rc;
}

size_t nd_doctor_left(const struct nd_doctor_result *res, enum nd_severity fail_on)
{
	size_t n = nd_findings_count_at_least(&res->after, fail_on);

	/* and diagnoses at that severity no change fixed: a rule may make an
	 * error of facts that are info alone */
	for (size_t i = 0; res->outcomes && i < res->diagnoses.n; i++)
		n += res->diagnoses.v[i].rule->severity >= fail_on &&
		     res->outcomes[i] != ND_DIAG_FIXED;
	return n;
}

void nd_doctor_result_free(struct nd_doctor_result *res)
{
	nd_findings_free(&res->findings);
	nd_findings_free(&res->after);
	nd_diagnoses_free(&res->diagnoses);
	free(res->outcomes);
	free(res->undiagnosed);
	res->outcomes = NULL;
	res->undiagnosed = NULL;
}

const char *nd_diag_outcome_name(enum nd_diag_outcome o)
{
	static const char *const names[] = {
		[ND_DIAG_FOUND] = "found", [ND_DIAG_FIXED] = "fixed", [ND_DIAG_KEPT] = "kept",
		[ND_DIAG_UNDONE] = "undone", [ND_DIAG_MANUAL] = "manual",
		[ND_DIAG_DECLINED] = "declined", [ND_DIAG_PLANNED] = "planned",
		[ND_DIAG_FAILED] = "failed",
	};

	return (unsigned)o < sizeof(names) / sizeof(names[0]) ? names[o] : "?";
}
