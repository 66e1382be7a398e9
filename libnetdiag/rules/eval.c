/* Rule evaluation: every way a rule's `when` conditions hold over the
 * findings, with variables bound along the way, checked against its
 * `unless` conditions; one diagnosis per rule and set of bindings. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netdiag/rules.h>

struct bindings {
	struct nd_binding v[ND_RULE_VARS_MAX];
	unsigned n;
};

static const char *bound(const struct bindings *b, const char *name)
{
	for (unsigned i = 0; i < b->n; i++)
		if (!strcmp(b->v[i].name, name))
			return b->v[i].value;
	return NULL;
}

/* A finding's value for a key, as text: the built-in members, then fields. */
static bool finding_value(const struct nd_finding *f, const char *key, char *out, size_t len)
{
	const struct nd_field *fd;

	if (!strcmp(key, "interface"))
		snprintf(out, len, "%s", f->ifname);
	else if (!strcmp(key, "direction"))
		snprintf(out, len, "%s", nd_dir_name(f->dir));
	else if (!strcmp(key, "subject"))
		snprintf(out, len, "%s", f->subject);
	else if (!strcmp(key, "severity"))
		snprintf(out, len, "%s", nd_severity_name(f->severity));
	else if ((fd = nd_finding_field(f, key))) {
		if (fd->type == ND_FIELD_STR)
			snprintf(out, len, "%s", fd->v.s);
		else if (fd->type == ND_FIELD_INT)
			snprintf(out, len, "%lld", (long long)fd->v.i);
		else
			snprintf(out, len, "%g", fd->v.d);
	} else {
		return false;
	}
	return true;
}

/* have equals want, or one of want's '|'-separated alternatives. */
static bool value_in(const char *have, const char *want)
{
	size_t n = strlen(have);

	for (const char *w = want;; w++) {
		const char *end = strchr(w, '|');
		size_t len = end ? (size_t)(end - w) : strlen(w);

		if (len == n && !strncmp(w, have, n))
			return true;
		if (!end)
			return false;
		w = end;
	}
}

/* Does f satisfy c?  New bindings are added to b (the caller keeps a copy
 * to roll back). */
static bool cond_matches(const struct nd_rule_cond *c, const struct nd_finding *f,
			 struct bindings *b)
{
	if (strcmp(c->finding, f->id))
		return false;
	for (unsigned i = 0; i < c->nm; i++) {
		const struct nd_rule_match *m = &c->m[i];
		char have[ND_FIELD_STR_MAX + ND_FINDING_SUBJECT_MAX];
		const char *want = m->value;

		if (!finding_value(f, m->key, have, sizeof(have)))
			return false;
		if (want[0] == '$') {
			const char *v = bound(b, want + 1);

			if (!v) {
				if (m->op == ND_MATCH_NE || b->n == ND_RULE_VARS_MAX)
					return false;
				snprintf(b->v[b->n].name, sizeof(b->v[0].name), "%s", want + 1);
				snprintf(b->v[b->n].value, sizeof(b->v[0].value), "%s", have);
				b->n++;
				continue;
			}
			want = v;
		}
		if (value_in(have, want) != (m->op == ND_MATCH_EQ))
			return false;
	}
	return true;
}

static bool any_matches(const struct nd_rule_cond *c, const struct bindings *b,
			const struct nd_findings *fs)
{
	for (size_t i = 0; i < fs->n; i++) {
		struct bindings tmp = *b;

		if (cond_matches(c, &fs->v[i], &tmp))
			return true;
	}
	return false;
}

static int add_diagnosis(const struct nd_rule *r, const struct bindings *b, const size_t *ev,
			 unsigned nev, struct nd_diagnoses *out)
{
	struct nd_diagnosis *d;

	for (size_t i = 0; i < out->n; i++) {
		const struct nd_diagnosis *o = &out->v[i];
		bool same = o->rule == r && o->nvars == b->n;

		for (unsigned k = 0; same && k < b->n; k++)
			same = !strcmp(o->vars[k].value, b->v[k].value);
		if (same)
			return 0;
	}
	if (out->n == out->cap) {
		size_t cap = out->cap ? out->cap * 2 : 8;
		struct nd_diagnosis *v = realloc(out->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		out->v = v;
		out->cap = cap;
	}
	d = &out->v[out->n++];
	memset(d, 0, sizeof(*d));
	d->rule = r;
	memcpy(d->vars, b->v, sizeof(d->vars));
	d->nvars = b->n;
	memcpy(d->evidence, ev, nev * sizeof(ev[0]));
	d->nevidence = nev;
	return 0;
}

/* Conditions from k on, the first k holding with bindings b. */
static int match_from(const struct nd_rule *r, unsigned k, struct bindings *b, size_t *ev,
		      unsigned nev, const struct nd_findings *fs, struct nd_diagnoses *out)
{
	const struct nd_rule_cond *c;
	int rc;

	if (k == r->nconds)
		return add_diagnosis(r, b, ev, nev, out);
	c = &r->conds[k];
	if (c->negate)
		return any_matches(c, b, fs) ? 0 : match_from(r, k + 1, b, ev, nev, fs, out);
	for (size_t i = 0; i < fs->n; i++) {
		struct bindings tmp = *b;

		if (!cond_matches(c, &fs->v[i], &tmp))
			continue;
		ev[nev] = i;
		rc = match_from(r, k + 1, &tmp, ev, nev + 1, fs, out);
		if (rc)
			return rc;
	}
	return 0;
}

static int by_severity(const void *a, const void *b)
{
	const struct nd_diagnosis *x = a, *y = b;

	if (x->rule->severity != y->rule->severity)
		return x->rule->severity > y->rule->severity ? -1 : 1;
	return strcmp(x->rule->id, y->rule->id);
}

int nd_rules_eval(const struct nd_rules *rs, const struct nd_findings *fs,
		  struct nd_diagnoses *out)
{
	for (size_t i = 0; i < rs->n; i++) {
		struct bindings b = { .n = 0 };
		size_t ev[ND_RULE_CONDS_MAX];
		int rc = match_from(&rs->v[i], 0, &b, ev, 0, fs, out);

		if (rc)
			return rc;
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(out->v[0]), by_severity);
	return 0;
}

void nd_diagnoses_free(struct nd_diagnoses *ds)
{
	free(ds->v);
	memset(ds, 0, sizeof(*ds));
}

bool nd_rule_cond_holds(const struct nd_rule_cond *c, const struct nd_diagnosis *d,
			const struct nd_findings *fs)
{
	struct bindings b = { .n = d->nvars };

	memcpy(b.v, d->vars, sizeof(b.v));
	return any_matches(c, &b, fs);
}

const char *nd_diagnosis_var(const struct nd_diagnosis *d, const char *name)
{
	for (unsigned i = 0; i < d->nvars; i++)
		if (!strcmp(d->vars[i].name, name))
			return d->vars[i].value;
	return NULL;
}

void nd_rule_expand(const struct nd_diagnosis *d, const char *text, char *out, size_t len)
{
	size_t k = 0;

	for (const char *s = text; *s && k + 1 < len; s++) {
		char name[16];
		size_t n = 0;
		const char *v;

		if (*s != '$') {
			out[k++] = *s;
			continue;
		}
		while ((s[1 + n] >= 'a' && s[1 + n] <= 'z') || (s[1 + n] >= 'A' && s[1 + n] <= 'Z') ||
		       (s[1 + n] >= '0' && s[1 + n] <= '9') || s[1 + n] == '_')
			n++;
		snprintf(name, sizeof(name), "%.*s", (int)n, s + 1);
		v = nd_diagnosis_var(d, name);
		if (!v) {
			out[k++] = *s;
			continue;
		}
		k += (size_t)snprintf(out + k, len - k, "%s", v);
		if (k >= len)
			k = len - 1;
		s += n;
	}
	out[k] = 0;
}
