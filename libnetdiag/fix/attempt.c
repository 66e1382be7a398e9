/* One attempt at a change: asked for, applied through its kind, looked at
 * again, and kept or undone. */
#include <errno.h>
#include <stdio.h>

#include "doctor_internal.h"

/* Apply one change, look again, keep or undo.  Returns -EINTR when
 * stopped (the caller undoes the run). */
int doctor_try_change(struct run *r, const struct nd_diagnosis *d,
		      const struct nd_rule_remedy *m, struct nd_doctor_step *s, const char *value)
{
	const struct remedy_kind *k = remedy_kind(m->action);
	const char *dev_or_path = s->target;
	char blast[ND_RULE_LINE_MAX], change[192], why[256] = "", err[256] = "";
	unsigned before = doctor_journal_mark();
	int rc;

	nd_rule_expand(d, m->blast, blast, sizeof(blast));
	snprintf(change, sizeof(change), "%s: %s", dev_or_path, s->change);
	if (r->o->ask && !r->o->ask(r->o->arg, change, blast)) {
		s->outcome = ND_STEP_DECLINED;
		return 0;
	}
	if (doctor_stopped(r))
		return -EINTR;
	rc = k->apply ? k->apply(s, value, err, sizeof(err)) : -EOPNOTSUPP;
	if (rc == -EOPNOTSUPP && !err[0])
		snprintf(err, sizeof(err), "%s: no automatic change of this kind",
			 nd_remedy_action_name(m->action));
	if (rc == 1) {
		s->outcome = ND_STEP_NOTHING;
		snprintf(s->detail, sizeof(s->detail), "already so");
		return 0;
	}
	if (rc) {
		s->outcome = ND_STEP_FAILED;
		snprintf(s->detail, sizeof(s->detail), "%s", err);
		doctor_note(r, "  could not apply: %s", err);
		return 0;
	}
	doctor_note(r, "  applied %s; looking again", change);
	rc = doctor_look_again(r, d, m, why, sizeof(why));
	if (rc < 0)
		return rc;
	if (rc) {
		s->outcome = ND_STEP_KEPT;
		r->latest_kept = true;
		doctor_note(r, "  verified: %s is gone; kept", doctor_verify_name(d, m));
	} else {
		doctor_undo_since(before, err, sizeof(err));
		s->outcome = ND_STEP_UNDONE;
		snprintf(s->detail, sizeof(s->detail), "did not help (%s)", why);
		doctor_note(r, "  did not help (%s): undone", why);
	}
	return 0;
}
