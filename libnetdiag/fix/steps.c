/* The doctor's run as it goes: the steps it records, the notes it says,
 * and whether it was told to stop.  Below looking, remedies and the loop,
 * which all use it. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "doctor_internal.h"

const char *nd_step_outcome_name(enum nd_step_outcome o)
{
	static const char *const names[] = {
		[ND_STEP_PLANNED] = "planned", [ND_STEP_MANUAL] = "manual",
		[ND_STEP_DECLINED] = "declined", [ND_STEP_NOTHING] = "nothing-to-do",
		[ND_STEP_KEPT] = "kept", [ND_STEP_UNDONE] = "undone", [ND_STEP_FAILED] = "failed",
		[ND_STEP_GONE] = "gone",
	};

	return (unsigned)o < sizeof(names) / sizeof(names[0]) ? names[o] : "?";
}

void doctor_note(const struct run *r, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!r->o->note)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	r->o->note(r->o->arg, line);
}

bool doctor_stopped(const struct run *r)
{
	return r->o->stop && *r->o->stop;
}

struct nd_doctor_step *doctor_new_step(struct run *r, size_t di, unsigned ri,
				       enum nd_remedy_action a)
{
	struct nd_doctor_step *s;

	if (r->res->nsteps == ND_DOCTOR_STEPS_MAX)
		return NULL;
	s = &r->res->steps[r->res->nsteps++];
	memset(s, 0, sizeof(*s));
	s->diagnosis = di;
	s->remedy = ri;
	s->action = a;
	return s;
}
