/* The rule file parser (format in netdiag/rules.h).  Table-driven: each
 * keyword has a handler; every error names file, line and column. */
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netdiag/rules.h>

struct parser {
	struct nd_rule *r;
	const char *file;
	unsigned line;
	char *err;
	size_t errlen;
	char *cont;              /* text a continuation line extends, or NULL */
	size_t contlen;
	bool seen[16];           /* keywords seen, by table index */
	/* $name uses in texts and remedy arguments, checked once every
	 * `when` is known (a title may come before them) */
	struct var_use {
		unsigned line, col;
		char name[16];
	} uses[64];
	unsigned nuses;
};

static int fail(struct parser *p, const char *at, const char *line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(struct parser *p, const char *at, const char *line, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "%s:%u:%u: %s", p->file, p->line,
		 at && line ? (unsigned)(at - line) + 1 : 1, what);
	return -EINVAL;
}

/* ---- small lexical pieces ---- */

static bool id_char(char c)
{
	return islower((unsigned char)c) || isdigit((unsigned char)c) || c == '-' || c == '.' ||
	       c == '_';
}

static bool valid_id(const char *s, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!id_char(s[i]))
			return false;
	return true;
}

static bool var_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static const char *skip_ws(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

static size_t word_len(const char *s)
{
	return strcspn(s, " \t");
}

/* A variable is bound when a `when` condition names it as a value. */
static bool var_bound(const struct nd_rule *r, const char *name, size_t n)
{
	for (unsigned c = 0; c < r->nconds; c++) {
		if (r->conds[c].negate)
			continue;
		for (unsigned m = 0; m < r->conds[c].nm; m++) {
			const char *v = r->conds[c].m[m].value;

			if (v[0] == '$' && strlen(v + 1) == n && !strncmp(v + 1, name, n) &&
			    r->conds[c].m[m].op == ND_MATCH_EQ)
				return true;
		}
	}
	return false;
}

/* Every $name in text must be bound by some `when`: noted here, checked
 * at the end of the file. */
static int check_vars(struct parser *p, const char *text, const char *line)
{
	for (const char *s = strchr(text, '$'); s; s = strchr(s + 1, '$')) {
		size_t n = 0;

		while (var_char(s[1 + n]))
			n++;
		if (!n)
			return fail(p, s, line, "'$' must start a variable name");
		if (n >= sizeof(p->uses[0].name))
			return fail(p, s, line, "variable name too long");
		if (p->nuses == sizeof(p->uses) / sizeof(p->uses[0]))
			return fail(p, s, line, "too many variable uses in one rule");
		p->uses[p->nuses].line = p->line;
		p->uses[p->nuses].col = (unsigned)(s - line) + 1;
		snprintf(p->uses[p->nuses].name, sizeof(p->uses[0].name), "%.*s", (int)n, s + 1);
		p->nuses++;
	}
	return 0;
}

static int check_uses(struct parser *p)
{
	for (unsigned i = 0; i < p->nuses; i++) {
		const struct var_use *u = &p->uses[i];

		if (!var_bound(p->r, u->name, strlen(u->name))) {
			snprintf(p->err, p->errlen, "%s:%u:%u: $%s is not bound by any 'when'", p->file,
				 u->line, u->col, u->name);
			return -EINVAL;
		}
	}
	return 0;
}

static int set_text(struct parser *p, char *dst, size_t cap, const char *text, const char *line,
		    bool continued)
{
	if (strlen(text) >= cap)
		return fail(p, text, line, "text longer than %zu characters", cap - 1);
	snprintf(dst, cap, "%s", text);
	p->cont = continued ? dst : NULL;
	p->contlen = cap;
	return check_vars(p, text, line);
}

/* FINDING [KEY=VALUE | KEY!=VALUE]... into c */
static int parse_cond(struct parser *p, struct nd_rule_cond *c, const char *s, const char *line,
		      bool binds)
{
	size_t n = word_len(s);

	if (!valid_id(s, n) || n >= sizeof(c->finding) || !strchr(s, '.') ||
	    (size_t)(strchr(s, '.') - s) >= n)
		return fail(p, s, line, "'%.*s' is not a finding id (like csum.partial)", (int)n, s);
	snprintf(c->finding, sizeof(c->finding), "%.*s", (int)n, s);
	for (s = skip_ws(s + n); *s; s = skip_ws(s + n)) {
		struct nd_rule_match *m;
		const char *eq;
		size_t klen;

		n = word_len(s);
		eq = memchr(s, '=', n);
		if (!eq || eq == s || (eq == s + 1 && s[0] == '!'))
			return fail(p, s, line, "'%.*s': expected KEY=VALUE or KEY!=VALUE", (int)n, s);
		if (c->nm == ND_RULE_MATCHES_MAX)
			return fail(p, s, line, "more than %d KEY=VALUE on one line", ND_RULE_MATCHES_MAX);
		m = &c->m[c->nm];
		m->op = eq[-1] == '!' ? ND_MATCH_NE : ND_MATCH_EQ;
		klen = (size_t)(eq - s) - (m->op == ND_MATCH_NE);
		if (klen >= sizeof(m->key))
			return fail(p, s, line, "key too long");
		for (size_t i = 0; i < klen; i++)
			if (!id_char(s[i]) || s[i] == '.')
				return fail(p, s + i, line, "keys are lower case letters, digits, '_', '-'");
		snprintf(m->key, sizeof(m->key), "%.*s", (int)klen, s);
		if ((size_t)(s + n - eq - 1) >= sizeof(m->value) || eq + 1 == s + n)
			return fail(p, eq + 1, line, "a value of 1 to %zu characters is needed",
				    sizeof(m->value) - 1);
		snprintf(m->value, sizeof(m->value), "%.*s", (int)(s + n - eq - 1), eq + 1);
		if (m->value[0] == '$') {
			size_t vl = strlen(m->value + 1);

			for (size_t i = 1; i <= vl; i++)
				if (!var_char(m->value[i]))
					return fail(p, eq + 1 + i, line, "variable names are letters, digits, '_'");
			if (!vl)
				return fail(p, eq + 1, line, "'$' must start a variable name");
			/* a variable used before a `when` binds it, or in an
			 * unless/verify/!=, must already be bound */
			if ((!binds || m->op == ND_MATCH_NE) && !var_bound(p->r, m->value + 1, vl))
				return fail(p, eq + 1, line, "%s is not bound by a 'when' above", m->value);
		}
		c->nm++;
	}
	return 0;
}

/* ---- keyword handlers ---- */

static int kw_rule(struct parser *p, const char *s, const char *line)
{
	size_t n = word_len(s);
	char base[PATH_MAX], *dot;

	if (!valid_id(s, n) || n >= sizeof(p->r->id) || s[n])
		return fail(p, s, line, "a rule id is one word of a-z, 0-9, '-', '.', '_'");
	snprintf(p->r->id, sizeof(p->r->id), "%.*s", (int)n, s);
	/* the file is named for the rule, so a diagnosis leads to its file */
	snprintf(base, sizeof(base), "%s", p->file);
	snprintf(base, sizeof(base), "%s", basename(base));
	dot = strrchr(base, '.');
	if (dot && !strcmp(dot, ".rule"))
		*dot = 0;
	if (dot && strcmp(base, p->r->id))
		return fail(p, s, line, "rule '%s' in a file named '%s.rule'", p->r->id, base);
	return 0;
}

static int kw_severity(struct parser *p, const char *s, const char *line)
{
	for (int i = ND_SEV_INFO; i <= ND_SEV_ERROR; i++)
		if (!strcmp(s, nd_severity_name((enum nd_severity)i))) {
			p->r->severity = (enum nd_severity)i;
			return 0;
		}
	return fail(p, s, line, "severity is info, warning or error");
}

static int kw_title(struct parser *p, const char *s, const char *line)
{
	return set_text(p, p->r->title, sizeof(p->r->title), s, line, false);
}

static int kw_cause(struct parser *p, const char *s, const char *line)
{
	return set_text(p, p->r->cause, sizeof(p->r->cause), s, line, true);
}

static int kw_when(struct parser *p, const char *s, const char *line, bool negate)
{
	struct nd_rule_cond *c;

	if (p->r->nremedies)
		return fail(p, line, line, "conditions go before the remedies");
	if (p->r->nconds == ND_RULE_CONDS_MAX)
		return fail(p, s, line, "more than %d conditions", ND_RULE_CONDS_MAX);
	if (negate && !p->r->nconds)
		return fail(p, line, line, "'unless' needs a 'when' before it");
	c = &p->r->conds[p->r->nconds];
	memset(c, 0, sizeof(*c));
	c->negate = negate;
	if (parse_cond(p, c, s, line, !negate))
		return -EINVAL;
	p->r->nconds++;
	return 0;
}

static int kw_when_pos(struct parser *p, const char *s, const char *line)
{
	return kw_when(p, s, line, false);
}

static int kw_unless(struct parser *p, const char *s, const char *line)
{
	return kw_when(p, s, line, true);
}

static const struct {
	const char *name;
	enum nd_remedy_action action;
	const char *required[5];
} actions[] = {
	{ "manual", ND_REMEDY_MANUAL, { NULL } },
	{ "offload-off", ND_REMEDY_OFFLOAD_OFF, { "dev", "features", NULL } },
	{ "offload-guide", ND_REMEDY_OFFLOAD_GUIDE, { "tap", NULL } },
	{ "sysctl", ND_REMEDY_SYSCTL, { "path", "value", NULL } },
	{ "nft-accept", ND_REMEDY_NFT_ACCEPT, { "family", "table", "chain", "bridge", NULL } },
	{ "link-mtu", ND_REMEDY_LINK_MTU, { "dev", "mtu", NULL } },
	{ "bridge-set", ND_REMEDY_BRIDGE_SET, { "bridge", "key", "value", NULL } },
};

const char *nd_remedy_action_name(enum nd_remedy_action a)
{
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (actions[i].action == a)
			return actions[i].name;
	return "?";
}

const char *nd_remedy_arg(const struct nd_rule_remedy *m, const char *key)
{
	for (unsigned i = 0; i < m->nargs; i++)
		if (!strcmp(m->arg_key[i], key))
			return m->arg_value[i];
	return NULL;
}

static int kw_remedy(struct parser *p, const char *s, const char *line)
{
	struct nd_rule_remedy *m;
	size_t n = word_len(s), a;

	if (!p->r->nconds)
		return fail(p, line, line, "a remedy needs the rule's 'when' before it");
	if (p->r->nremedies == ND_RULE_REMEDIES_MAX)
		return fail(p, s, line, "more than %d remedies", ND_RULE_REMEDIES_MAX);
	for (a = 0; a < sizeof(actions) / sizeof(actions[0]); a++)
		if (strlen(actions[a].name) == n && !strncmp(s, actions[a].name, n))
			break;
	if (a == sizeof(actions) / sizeof(actions[0]))
		return fail(p, s, line, "unknown remedy '%.*s' (manual, offload-off, offload-guide, "
			    "sysctl, nft-accept, link-mtu, bridge-set)", (int)n, s);
	m = &p->r->remedies[p->r->nremedies];
	memset(m, 0, sizeof(*m));
	m->action = actions[a].action;
	for (s = skip_ws(s + n); *s; s = skip_ws(s + n)) {
		const char *eq;

		n = word_len(s);
		eq = memchr(s, '=', n);
		if (!eq || eq == s || eq + 1 == s + n)
			return fail(p, s, line, "'%.*s': expected KEY=VALUE", (int)n, s);
		if (m->nargs == ND_RULE_ARGS_MAX || (size_t)(eq - s) >= sizeof(m->arg_key[0]) ||
		    (size_t)(s + n - eq - 1) >= sizeof(m->arg_value[0]))
			return fail(p, s, line, "too many or too long arguments");
		snprintf(m->arg_key[m->nargs], sizeof(m->arg_key[0]), "%.*s", (int)(eq - s), s);
		snprintf(m->arg_value[m->nargs], sizeof(m->arg_value[0]), "%.*s",
			 (int)(s + n - eq - 1), eq + 1);
		/* (checks the rest of the line too: those are checked anyway) */
		if (check_vars(p, eq + 1, line))
			return -EINVAL;
		m->nargs++;
	}
	for (const char *const *req = actions[a].required; *req; req++)
		if (!nd_remedy_arg(m, *req))
			return fail(p, line + strlen(line), line, "remedy %s needs %s=", actions[a].name,
				    *req);
	p->r->nremedies++;
	p->cont = NULL;
	return 0;
}

static struct nd_rule_remedy *current_remedy(struct parser *p, const char *line)
{
	if (!p->r->nremedies) {
		fail(p, line, line, "'%.*s' belongs to a remedy: put it after a 'remedy' line",
		     (int)word_len(line), line);
		return NULL;
	}
	return &p->r->remedies[p->r->nremedies - 1];
}

static int kw_does(struct parser *p, const char *s, const char *line)
{
	struct nd_rule_remedy *m = current_remedy(p, line);

	return m ? set_text(p, m->does, sizeof(m->does), s, line, true) : -EINVAL;
}

static int kw_blast(struct parser *p, const char *s, const char *line)
{
	struct nd_rule_remedy *m = current_remedy(p, line);

	return m ? set_text(p, m->blast, sizeof(m->blast), s, line, true) : -EINVAL;
}

static int kw_how(struct parser *p, const char *s, const char *line)
{
	struct nd_rule_remedy *m = current_remedy(p, line);

	return m ? set_text(p, m->how, sizeof(m->how), s, line, true) : -EINVAL;
}

static int kw_verify(struct parser *p, const char *s, const char *line)
{
	struct nd_rule_remedy *m = current_remedy(p, line);

	if (!m)
		return -EINVAL;
	memset(&m->verify, 0, sizeof(m->verify));
	m->verify.negate = true;
	return parse_cond(p, &m->verify, s, line, false);
}

/* A finding that must be there after the change: the traffic the
 * diagnosis concerned, seen healthy (a lease, answers). */
static int kw_confirm(struct parser *p, const char *s, const char *line)
{
	struct nd_rule_remedy *m = current_remedy(p, line);

	if (!m)
		return -EINVAL;
	memset(&m->confirm, 0, sizeof(m->confirm));
	return parse_cond(p, &m->confirm, s, line, false);
}

static int kw_ref(struct parser *p, const char *s, const char *line)
{
	if (p->r->nrefs == ND_RULE_REFS_MAX)
		return fail(p, s, line, "more than %d references", ND_RULE_REFS_MAX);
	return set_text(p, p->r->refs[p->r->nrefs++], sizeof(p->r->refs[0]), s, line, false);
}

static const struct {
	const char *name;
	int (*handle)(struct parser *p, const char *rest, const char *line);
	bool once, required;
} keywords[] = {
	{ "rule", kw_rule, true, true },
	{ "severity", kw_severity, true, true },
	{ "title", kw_title, true, true },
	{ "when", kw_when_pos, false, true },
	{ "unless", kw_unless, false, false },
	{ "cause", kw_cause, true, true },
	{ "remedy", kw_remedy, false, false },
	{ "does", kw_does, false, false },
	{ "blast", kw_blast, false, false },
	{ "how", kw_how, false, false },
	{ "verify", kw_verify, false, false },
	{ "confirm", kw_confirm, false, false },
	{ "ref", kw_ref, false, false },
};

static int parse_line(struct parser *p, char *line)
{
	const char *s;
	size_t n, k;

	line[strcspn(line, "\r\n")] = 0;
	s = skip_ws(line);
	if (!*s || *s == '#')
		return 0;
	if (s != line) {
		/* continuation of the last multi-line text */
		size_t used;

		if (!p->cont)
			return fail(p, s, line, "an indented line continues 'cause', 'does', 'blast' or "
				    "'how' only");
		used = strlen(p->cont);
		if (used + 1 + strlen(s) >= p->contlen)
			return fail(p, s, line, "text longer than %zu characters", p->contlen - 1);
		snprintf(p->cont + used, p->contlen - used, " %s", s);
		return check_vars(p, s, line);
	}
	n = word_len(s);
	for (k = 0; k < sizeof(keywords) / sizeof(keywords[0]); k++)
		if (strlen(keywords[k].name) == n && !strncmp(s, keywords[k].name, n))
			break;
	if (k == sizeof(keywords) / sizeof(keywords[0]))
		return fail(p, s, line, "unknown keyword '%.*s'", (int)n, s);
	if (keywords[k].once && p->seen[k])
		return fail(p, s, line, "'%s' given twice", keywords[k].name);
	if (k != 0 && !p->seen[0])
		return fail(p, s, line, "the file must start with 'rule ID'");
	p->seen[k] = true;
	p->cont = NULL;
	s = skip_ws(s + n);
	if (!*s)
		return fail(p, s, line, "'%s' needs a value", keywords[k].name);
	return keywords[k].handle(p, s, line);
}

int nd_rule_parse(struct nd_rule *r, const char *file, FILE *in, char *err, size_t errlen)
{
	static __thread struct parser p;
	char line[2048];

	memset(&p, 0, sizeof(p));
	p.r = r;
	p.file = file;
	p.err = err;
	p.errlen = errlen;

	memset(r, 0, sizeof(*r));
	snprintf(r->file, sizeof(r->file), "%s", file);
	while (fgets(line, sizeof(line), in)) {
		p.line++;
		if (!strchr(line, '\n') && !feof(in))
			return fail(&p, NULL, NULL, "line longer than %zu characters", sizeof(line) - 2);
		if (parse_line(&p, line))
			return -EINVAL;
	}
	p.line++;
	for (size_t k = 0; k < sizeof(keywords) / sizeof(keywords[0]); k++)
		if (keywords[k].required && !p.seen[k])
			return fail(&p, NULL, NULL, "no '%s' line", keywords[k].name);
	return check_uses(&p);
}
