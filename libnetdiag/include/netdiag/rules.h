/* Rules: findings in, diagnoses out.  One file per diagnosis in rules/,
 * a line per directive:
 *
 *   rule      csum-partial-to-guest          id, the file's name without .rule
 *   severity  error                          info | warning | error
 *   title     Answers reach $tap with ...    one line, $variables expanded
 *   when      csum.partial direction=out interface=$tap src=$src
 *   unless    FINDING [KEY=VALUE...]         no such finding may exist
 *   cause     text for a person              indented lines continue it
 *   remedy    offload-guide tap=$tap src=$src
 *   does      what the remedy does, one line
 *   blast     what else it changes ("also disables TSO on $tap")
 *   how       the same by hand (commands, config)
 *   verify    csum.partial interface=$tap    the finding that must be gone
 *   confirm   dhcp4.lease client=$client     a finding that must be there after
 *   ref       RFC 1071
 *
 * `does`, `cause`, `blast` and `how` go on over indented lines.
 * `when` conditions all hold, over distinct or equal findings; KEY=VALUE
 * compares, KEY=A|B takes either, KEY!=VALUE excludes, KEY=$name binds a
 * variable on first use and compares after.  Keys: id-specific fields, and interface,
 * direction, subject.  Host facts reach rules as the host inspection's
 * findings (bridge.stp-delay, brnf.forward-drop, ...).  Remedies are tried
 * in file order, least invasive first. */
#ifndef NETDIAG_RULES_H
#define NETDIAG_RULES_H

/* exported from libnetdiag.so, whose other symbols are hidden */
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <netdiag/finding.h>
#include <netdiag/json.h>
#include <netdiag/out.h>

#define ND_RULE_ID_MAX 48
#define ND_RULE_TEXT_MAX 1024
#define ND_RULE_LINE_MAX 256
#define ND_RULE_CONDS_MAX 4
#define ND_RULE_MATCHES_MAX 10
#define ND_RULE_REMEDIES_MAX 4
#define ND_RULE_ARGS_MAX 4
#define ND_RULE_REFS_MAX 4
#define ND_RULE_VARS_MAX 8
#define ND_RULE_VALUE_MAX 96

enum nd_match_op { ND_MATCH_EQ, ND_MATCH_NE };

struct nd_rule_match {
	char key[ND_FIELD_KEY_MAX];
	enum nd_match_op op;
	char value[ND_RULE_VALUE_MAX];   /* "$name" for a variable */
};

struct nd_rule_cond {
	bool negate;                     /* unless */
	char finding[ND_FINDING_ID_MAX];
	struct nd_rule_match m[ND_RULE_MATCHES_MAX];
	unsigned nm;
};

/* What a remedy does to the host; the engine is libnetdiag/fix/doctor.c. */
enum nd_remedy_action {
	ND_REMEDY_MANUAL,        /* nothing automatic: `how` says what to do */
	ND_REMEDY_OFFLOAD_OFF,   /* dev=DEV features=NAME[,NAME] */
	ND_REMEDY_OFFLOAD_GUIDE, /* tap=TAP [src=ADDR]: find the device by trial */
	ND_REMEDY_SYSCTL,        /* path=net/... value=V */
	/* family= table= chain= bridge=: an accept rule for frames bridged on
	 * the bridge, first in the chain that drops them */
	ND_REMEDY_NFT_ACCEPT,
	ND_REMEDY_LINK_MTU,      /* dev=DEV mtu=N */
	ND_REMEDY_BRIDGE_SET,    /* bridge=BR key=forward_delay|stp_state value=N */
};

struct nd_rule_remedy {
	enum nd_remedy_action action;
	char arg_key[ND_RULE_ARGS_MAX][16];
	char arg_value[ND_RULE_ARGS_MAX][ND_RULE_VALUE_MAX];
	unsigned nargs;
	char does[ND_RULE_LINE_MAX], blast[ND_RULE_LINE_MAX], how[ND_RULE_TEXT_MAX];
	struct nd_rule_cond verify;      /* finding that must be gone; "" = the rule's */
	struct nd_rule_cond confirm;     /* finding that must be there; "" = none */
};

struct nd_rule {
	char id[ND_RULE_ID_MAX];
	char file[256];
	enum nd_severity severity;
	char title[ND_RULE_LINE_MAX];
	char cause[ND_RULE_TEXT_MAX];
	struct nd_rule_cond conds[ND_RULE_CONDS_MAX];
	unsigned nconds;
	struct nd_rule_remedy remedies[ND_RULE_REMEDIES_MAX];
	unsigned nremedies;
	char refs[ND_RULE_REFS_MAX][ND_RULE_LINE_MAX];
	unsigned nrefs;
};

struct nd_rules {
	struct nd_rule *v;
	size_t n, cap;
};

/* Parse one rule from in; file names it in errors, which read
 * "FILE:LINE:COL: what" (err).  -EINVAL on a bad rule. */
int nd_rule_parse(struct nd_rule *r, const char *file, FILE *in, char *err, size_t errlen);
/* Every *.rule in dir, sorted by name; stops at the first bad file. */
int nd_rules_load(struct nd_rules *rs, const char *dir, char *err, size_t errlen);
/* The same, but a bad file (or a second rule with an id already loaded)
 * goes to bad() and is left out; nbad counts them.  Fails only when the
 * directory cannot be read. */
int nd_rules_load_lenient(struct nd_rules *rs, const char *dir,
			  void (*bad)(void *arg, const char *err), void *arg, unsigned *nbad,
			  char *err, size_t errlen);
/* Like nd_rules_load, but reads every file and reports each bad one
 * through bad(); returns how many were bad. */
int nd_rules_lint(const char *dir, void (*bad)(void *arg, const char *err), void *arg,
		  unsigned *checked);
void nd_rules_free(struct nd_rules *rs);
/* The shipped rule set: $NETDIAG_RULES_DIR, rules/ beside the source
 * tree's build/netdiag, then PREFIX/share/netdiag/rules. */
const char *nd_rules_default_dir(char *buf, size_t len);
/* The rules from one walk: "ID SEVERITY TITLE" lines in text, a "rules"
 * array (id, severity, title, file) in JSON. */
void nd_rules_print(const struct nd_rules *rs, struct nd_out *o);

struct nd_binding {
	char name[16];
	char value[ND_RULE_VALUE_MAX];
};

struct nd_diagnosis {
	const struct nd_rule *rule;
	struct nd_binding vars[ND_RULE_VARS_MAX];
	unsigned nvars;
	size_t evidence[ND_RULE_CONDS_MAX];  /* indexes into the findings */
	unsigned nevidence;
};

struct nd_diagnoses {
	struct nd_diagnosis *v;
	size_t n, cap;
};

/* Every match of every rule over fs (one diagnosis per rule and set of
 * bindings), worst first. */
int nd_rules_eval(const struct nd_rules *rs, const struct nd_findings *fs,
		  struct nd_diagnoses *out);
void nd_diagnoses_free(struct nd_diagnoses *ds);
/* True when cond (with the diagnosis's bindings) matches a finding in fs. */
bool nd_rule_cond_holds(const struct nd_rule_cond *c, const struct nd_diagnosis *d,
			const struct nd_findings *fs);
/* text with $name replaced by the diagnosis's bindings. */
void nd_rule_expand(const struct nd_diagnosis *d, const char *text, char *out, size_t len);
const char *nd_diagnosis_var(const struct nd_diagnosis *d, const char *name);
const char *nd_remedy_action_name(enum nd_remedy_action a);
const char *nd_remedy_arg(const struct nd_rule_remedy *m, const char *key);

#pragma GCC visibility pop
#endif
