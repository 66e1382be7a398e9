/* netdiag check's verdict lines as JUnit testcases: what the text output
 * says per check (ok, warning, error, not seen), a CI server shows. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <netdiag/check.h>
#include <netdiag/report.h>

/* id as a whole word of the comma-joined list */
static bool listed(const char *list, const char *id)
{
	size_t n = strlen(id);

	for (const char *s = list; s && *s; s = strchr(s, ',') ? strchr(s, ',') + 1 : NULL)
		if (!strncmp(s, id, n) && (s[n] == ',' || !s[n]))
			return true;
	return false;
}

int nd_report_junit_check(const char *path, const char *suite,
			  const struct nd_check_result *res, const struct nd_findings *fs)
{
	struct nd_junit *j;
	int err = nd_junit_new(&j);

	if (err)
		return err;
	err = nd_junit_suite(j, suite, (double)time(NULL) - res->seconds);
	/* the verdicts come from one capture, side by side */
	if (!err)
		err = nd_junit_suite_time(j, res->seconds);
	for (unsigned v = 0; v < res->nverdicts && !err; v++) {
		const struct nd_check_verdict *cv = &res->verdicts[v];

		err = nd_junit_case(j, suite, cv->name, res->seconds);
		for (size_t i = 0; i < fs->n && !err; i++) {
			const struct nd_finding *f = &fs->v[i];
			const struct nd_field *which = nd_finding_field(f, "check");

			if (f->severity < ND_SEV_WARNING)
				continue;
			if (listed(cv->findings, f->id) ||
			    (!strcmp(f->id, "check.not-seen") && which &&
			     !strcmp(which->v.s, cv->name)))
				err = nd_junit_fail_finding(j, f);
		}
		if (!err && cv->verdict == ND_VERDICT_NOT_SEEN && !cv->required) {
			char why[96];

			snprintf(why, sizeof(why), "no %s traffic seen: no verdict", cv->name);
			err = nd_junit_skip(j, why);
		}
	}
	if (!err)
		err = nd_junit_write(j, path);
	nd_junit_free(j);
	return err;
}
