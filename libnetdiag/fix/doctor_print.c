/* The doctor's result for people and programs from one walk
 * (netdiag/out.h): each diagnosis with its cause, evidence and remedies,
 * the remedies tried, what is left.  Text hides info diagnoses unless
 * verbose (one line names them); JSON has every one. */
#include <stdio.h>
#include <string.h>

#include <netdiag/doctor.h>
#include <netdiag/report.h>

/* text after a label, folded at 78 columns under its own start */
static void wrapped(struct nd_out *o, const char *label, const char *text)
{
	int indent = (int)strlen(label), col = indent;
	const char *s = text;

	nd_out_text(o, "%s", label);
	while (*s) {
		size_t n = strcspn(s, " ");

		if (col > indent && col + 1 + (int)n > 78) {
			nd_out_text(o, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			nd_out_text(o, " ");
			col++;
		}
		nd_out_text(o, "%.*s", (int)n, s);
		col += (int)n;
		s += n;
		s += strspn(s, " ");
	}
	nd_out_text(o, "\n");
}

/* the rule's text for d, expanded: to JSON under key, in text wrapped
 * under label when shown (and unless always, only when not empty) */
static void rule_text(struct nd_out *o, const struct nd_diagnosis *d, const char *text,
		      const char *key, const char *label, bool shown, bool always)
{
	char buf[ND_RULE_TEXT_MAX];

	nd_rule_expand(d, text, buf, sizeof(buf));
	nd_out_str(o, key, NULL, buf);
	if (shown && (always || buf[0]))
		wrapped(o, label, buf);
}

static void print_remedy(struct nd_out *o, const struct nd_diagnosis *d, unsigned k, bool shown)
{
	const struct nd_rule_remedy *m = &d->rule->remedies[k];
	const char *action = nd_remedy_action_name(m->action);
	char buf[ND_RULE_TEXT_MAX], label[64];


	nd_out_obj_open(o, ND_OUT_ITEM);
	nd_out_str(o, "action", NULL, action);
	nd_out_obj_open(o, "args");
	for (unsigned a = 0; a < m->nargs; a++) {
		nd_rule_expand(d, m->arg_value[a], buf, sizeof(buf));
		nd_out_str(o, m->arg_key[a], NULL, buf);
	}
	nd_out_obj_close(o);
	snprintf(label, sizeof(label), "        remedy %u (%s): ", k + 1, action);
	rule_text(o, d, m->does, "does", label, shown, true);
	rule_text(o, d, m->blast, "blast_radius", "          blast radius: ", shown, false);
	rule_text(o, d, m->how, "how", "          by hand: ", shown, false);
	nd_out_obj_close(o);
}

static void print_diagnosis(struct nd_out *o, const struct nd_doctor_result *res, size_t i,
			    bool verbose)
{
	const struct nd_diagnosis *d = &res->diagnoses.v[i];
	const struct nd_rule *r = d->rule;
	bool shown = verbose || r->severity != ND_SEV_INFO;
	char title[ND_RULE_TEXT_MAX];

	nd_out_obj_open(o, ND_OUT_ITEM);
	nd_out_str(o, "rule", NULL, r->id);
	nd_out_str(o, "severity", NULL, nd_severity_name(r->severity));
	if (res->outcomes)
		nd_out_str(o, "outcome", NULL, nd_diag_outcome_name(res->outcomes[i]));
	nd_rule_expand(d, r->title, title, sizeof(title));
	/* a diagnosis the run fixed is no longer an error */
	if (shown)
		nd_out_text(o, "\n%-7s %s: %s\n", res->outcomes && res->outcomes[i] != ND_DIAG_FOUND
			    ? nd_diag_outcome_name(res->outcomes[i]) : nd_severity_name(r->severity),
			    r->id, title);
	nd_out_str(o, "title", NULL, title);
	rule_text(o, d, r->cause, "cause", "        cause: ", shown, true);
	nd_out_obj_open(o, "bindings");
	for (unsigned k = 0; k < d->nvars; k++)
		nd_out_str(o, d->vars[k].name, NULL, d->vars[k].value);
	nd_out_obj_close(o);
	nd_out_arr_open(o, "evidence");
	for (unsigned k = 0; k < d->nevidence; k++) {
		const struct nd_finding *f = &res->findings.v[d->evidence[k]];

		nd_out_obj_open(o, ND_OUT_ITEM);
		nd_out_str(o, "id", shown ? "        evidence: %s " : NULL, f->id);
		nd_out_str(o, "interface", shown ? "%s: " : NULL, f->ifname);
		nd_out_str(o, "summary", shown ? "%s\n" : NULL, f->summary);
		nd_out_obj_close(o);
	}
	nd_out_arr_close(o);
	nd_out_arr_open(o, "remedies");
	for (unsigned k = 0; k < r->nremedies; k++)
		print_remedy(o, d, k, shown);
	nd_out_arr_close(o);
	nd_out_arr_open(o, "refs");
	for (unsigned k = 0; k < r->nrefs; k++)
		nd_out_str(o, ND_OUT_ITEM, shown ? "        see: %s\n" : NULL, r->refs[k]);
	nd_out_arr_close(o);
	nd_out_obj_close(o);
}

/* Info diagnoses (kernel defaults, a port about to forward) are facts,
 * not faults: one line of text for them unless -v. */
static void info_line(struct nd_out *o, const struct nd_doctor_result *res)
{
	size_t n = 0;

	for (size_t i = 0; i < res->diagnoses.n; i++) {
		if (res->diagnoses.v[i].rule->severity != ND_SEV_INFO)
			continue;
		nd_out_text(o, "%s%s", n ? ", " : "\ninfo: ", res->diagnoses.v[i].rule->id);
		n++;
	}
	if (n)
		nd_out_text(o, " (-v explains them)\n");
}

static void print_diagnoses(struct nd_out *o, const struct nd_doctor_result *res, bool verbose)
{
	size_t shown = 0;

	for (size_t i = 0; i < res->diagnoses.n; i++)
		shown += verbose || res->diagnoses.v[i].rule->severity > ND_SEV_INFO;
	if (!shown && !res->nundiagnosed)
		nd_out_text(o, "no problem diagnosed in %zu findings\n", res->findings.n);
	else if (shown)
		nd_out_text(o, "diagnoses (worst first):\n");
	nd_out_arr_open(o, "diagnoses");
	for (size_t i = 0; i < res->diagnoses.n; i++)
		print_diagnosis(o, res, i, verbose);
	nd_out_arr_close(o);
	if (!verbose)
		info_line(o, res);
	/* error findings no rule explains, with their evidence */
	if (res->nundiagnosed)
		nd_out_text(o, "\nundiagnosed (errors no rule explains):\n");
	nd_out_arr_open(o, "undiagnosed");
	for (size_t i = 0; i < res->nundiagnosed; i++) {
		const struct nd_finding *f = &res->findings.v[res->undiagnosed[i]];

		nd_out_obj_open(o, ND_OUT_ITEM);
		nd_out_str(o, "id", "  %s ", f->id);
		nd_out_str(o, "interface", "%s: ", f->ifname);
		nd_out_str(o, "summary", "%s\n", f->summary);
		nd_out_str(o, "outcome", NULL, "undiagnosed");
		nd_out_obj_close(o);
	}
	nd_out_arr_close(o);
}

static void print_steps(struct nd_out *o, const struct nd_doctor_result *res)
{
	if (res->nsteps)
		nd_out_text(o, "\nremedies:\n");
	nd_out_arr_open(o, "steps");
	for (unsigned i = 0; i < res->nsteps; i++) {
		const struct nd_doctor_step *s = &res->steps[i];
		const char *rule = res->diagnoses.v[s->diagnosis].rule->id;
		const char *outcome = nd_step_outcome_name(s->outcome);

		nd_out_obj_open(o, ND_OUT_ITEM);
		nd_out_text(o, "  %-14s %-26s ", outcome, rule);
		nd_out_str(o, "rule", NULL, rule);
		nd_out_int(o, "remedy", NULL, s->remedy);
		nd_out_str(o, "action", NULL, nd_remedy_action_name(s->action));
		nd_out_str(o, "target", "%s ", s->target);
		nd_out_str(o, "change", "%s", s->change);
		nd_out_str(o, "outcome", NULL, outcome);
		nd_out_str(o, "detail", s->detail[0] ? ": %s" : NULL, s->detail);
		nd_out_text(o, "\n");
		nd_out_obj_close(o);
	}
	nd_out_arr_close(o);
}

/* what the host still shows after the run, warnings and worse: JSON only */
static void print_left(struct nd_out *o, const struct nd_doctor_result *res)
{
	nd_out_arr_open(o, "left");
	for (size_t i = 0; i < res->after.n; i++) {
		const struct nd_finding *f = &res->after.v[i];

		if (f->severity < ND_SEV_WARNING)
			continue;
		nd_out_obj_open(o, ND_OUT_ITEM);
		nd_out_str(o, "id", NULL, f->id);
		nd_out_str(o, "severity", NULL, nd_severity_name(f->severity));
		nd_out_str(o, "interface", NULL, f->ifname);
		nd_out_str(o, "summary", NULL, f->summary);
		nd_out_obj_close(o);
	}
	nd_out_arr_close(o);
}

void nd_doctor_print(const struct nd_doctor_result *res, enum nd_doctor_mode mode, bool verbose,
		     const char *persisted, struct nd_out *o)
{
	nd_out_str(o, "mode", NULL, mode == ND_DOCTOR_FIX ? "fix"
				    : mode == ND_DOCTOR_DRY_RUN ? "dry-run" : "explain");
	print_diagnoses(o, res, verbose);
	print_steps(o, res);
	nd_out_uint(o, "looks", NULL, res->looks);
	nd_out_bool(o, "interrupted", NULL, res->interrupted);
	nd_out_bool(o, "changed", NULL, res->changed);
	nd_out_uint(o, "errors_left", NULL, nd_findings_count_at_least(&res->after, ND_SEV_ERROR));
	print_left(o, res);
	/* the snippets that make kept changes last: for people */
	if (mode == ND_DOCTOR_FIX && !o->json)
		nd_doctor_persist_text(res, o->f);
	if (persisted)
		nd_out_str(o, "persisted", persisted[0] ? "\nwritten (netdiag undo removes them): %s\n"
					   : NULL, persisted);
	/* programs get the findings behind the diagnoses too */
	if (o->json)
		nd_report_findings(o, &res->findings);
}
