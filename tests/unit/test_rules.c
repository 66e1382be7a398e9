/* Rules: the parser (fields, and errors naming file, line and column), the
 * evaluator (bindings across conditions, !=, unless, one diagnosis per
 * binding set, worst first), expansion, and the lenient loader. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <netdiag/rules.h>

static const char good[] =
	"# a comment\n"
	"rule      tap-odd\n"
	"severity  warning\n"
	"title     $tap is odd on $br\n"
	"when      bridge.port interface=$tap bridge=$br\n"
	"when      link.mtu interface=$tap mtu!=1500\n"
	"unless    link.ok interface=$tap\n"
	"cause     $tap on $br is odd,\n"
	"          and stays so.\n"
	"remedy    sysctl path=net/ipv4/conf/$tap/rp_filter value=2\n"
	"does      loosen $tap\n"
	"blast     $tap only\n"
	"verify    link.mtu interface=$tap\n"
	"remedy    manual\n"
	"does      look at it\n"
	"how       ip link show $tap\n"
	"ref       RFC 1\n";

static int parse(const char *text, const char *file, struct nd_rule *r, char *err, size_t len)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int rc;

	assert_non_null(f);
	rc = nd_rule_parse(r, file, f, err, len);
	fclose(f);
	return rc;
}

static void test_parse_good(void **state)
{
	struct nd_rule *r = calloc(1, sizeof(*r));
	char err[256] = "";

	(void)state;
	assert_int_equal(parse(good, "rules/tap-odd.rule", r, err, sizeof(err)), 0);
	assert_string_equal(r->id, "tap-odd");
	assert_int_equal(r->severity, ND_SEV_WARNING);
	assert_string_equal(r->title, "$tap is odd on $br");
	assert_string_equal(r->cause, "$tap on $br is odd, and stays so.");
	assert_int_equal(r->nconds, 3);
	assert_string_equal(r->conds[0].finding, "bridge.port");
	assert_int_equal(r->conds[0].nm, 2);
	assert_string_equal(r->conds[0].m[1].key, "bridge");
	assert_string_equal(r->conds[0].m[1].value, "$br");
	assert_int_equal(r->conds[1].m[1].op, ND_MATCH_NE);
	assert_string_equal(r->conds[1].m[1].value, "1500");
	assert_true(r->conds[2].negate);
	assert_int_equal(r->nremedies, 2);
	assert_int_equal(r->remedies[0].action, ND_REMEDY_SYSCTL);
	assert_string_equal(nd_remedy_arg(&r->remedies[0], "path"), "net/ipv4/conf/$tap/rp_filter");
	assert_string_equal(nd_remedy_arg(&r->remedies[0], "value"), "2");
	assert_string_equal(r->remedies[0].verify.finding, "link.mtu");
	assert_int_equal(r->remedies[1].action, ND_REMEDY_MANUAL);
	assert_string_equal(r->remedies[1].how, "ip link show $tap");
	assert_int_equal(r->nrefs, 1);
	assert_string_equal(r->refs[0], "RFC 1");
	free(r);
}

/* text with line number `line` replaced by `with` */
static char *replace_line(unsigned line, const char *with)
{
	char *out = calloc(1, sizeof(good) + 256), *o = out;
	const char *s = good;

	for (unsigned n = 1; *s; n++) {
		const char *e = strchr(s, '\n');

		if (n == line)
			o += sprintf(o, "%s\n", with);
		else
			o += sprintf(o, "%.*s\n", (int)(e - s), s);
		s = e + 1;
	}
	return out;
}

struct bad_case {
	unsigned line;
	const char *with, *err;
};

static void test_parse_errors(void **state)
{
	static const struct bad_case cases[] = {
		{ 3, "severity  fatal", "r/tap-odd.rule:3:11: severity is info, warning or error" },
		{ 3, "sevrity  error", "r/tap-odd.rule:3:1: unknown keyword 'sevrity'" },
		{ 2, "rule      other", "r/tap-odd.rule:2:11: rule 'other' in a file named 'tap-odd.rule'" },
		{ 5, "when      bridge.port interface=$tap bridge $br",
		  "r/tap-odd.rule:5:38: 'bridge': expected KEY=VALUE or KEY!=VALUE" },
		{ 5, "when      Bridge interface=$tap",
		  "r/tap-odd.rule:5:11: 'Bridge' is not a finding id (like csum.partial)" },
		{ 4, "title     odd $nobody",
		  "r/tap-odd.rule:4:15: $nobody is not bound by any 'when'" },
		{ 10, "remedy    reboot", "r/tap-odd.rule:10:11: unknown remedy 'reboot' (manual, "
		  "offload-off, offload-guide, sysctl, nft-accept, link-mtu, bridge-set)" },
		{ 10, "remedy    sysctl path=net/x", "r/tap-odd.rule:10:28: remedy sysctl needs value=" },
		{ 16, "how", "r/tap-odd.rule:16:4: 'how' needs a value" },
		{ 17, "ref       RFC 1\nseverity  info", "r/tap-odd.rule:18:1: 'severity' given twice" },
		{ 1, "          stray continuation",
		  "r/tap-odd.rule:1:11: an indented line continues 'cause', 'does', 'blast' or 'how' only" },
	};
	struct nd_rule *r = calloc(1, sizeof(*r));

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *text = replace_line(cases[i].line, cases[i].with), err[256] = "";

		int rc = parse(text, "r/tap-odd.rule", r, err, sizeof(err));

		free(text);
		if (rc != -EINVAL || strcmp(err, cases[i].err)) {
			free(r);
			fail_msg("case %zu: rc %d, got '%s', want '%s'", i, rc, err, cases[i].err);
		}
	}
	free(r);
}

static void test_parse_missing(void **state)
{
	struct nd_rule *r = calloc(1, sizeof(*r));
	char err[256];

	(void)state;
	assert_int_equal(parse("rule x\nseverity info\ntitle t\ncause c\n", "x.rule", r, err,
			       sizeof(err)), -EINVAL);
	assert_string_equal(err, "x.rule:5:1: no 'when' line");
	assert_int_equal(parse("severity info\n", "x.rule", r, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "x.rule:1:1: the file must start with 'rule ID'");
	free(r);
}

static struct nd_finding *add(struct nd_findings *fs, const char *id, enum nd_severity sev,
			      const char *ifname)
{
	struct nd_finding *f = nd_findings_add(fs, id, sev);

	assert_non_null(f);
	snprintf(f->ifname, sizeof(f->ifname), "%s", ifname);
	return f;
}

static void test_eval(void **state)
{
	struct nd_rules rs = { 0 };
	struct nd_findings fs;
	struct nd_diagnoses ds = { 0 };
	char err[256], buf[ND_RULE_TEXT_MAX];

	(void)state;
	rs.v = calloc(1, sizeof(*rs.v));
	rs.n = rs.cap = 1;
	assert_int_equal(parse(good, "tap-odd.rule", &rs.v[0], err, sizeof(err)), 0);
	nd_findings_init(&fs);
	/* t1 on br0 with MTU 9000: matches; t2 on br0 MTU 1500: excluded by
	 * mtu!=1500; t3 on br1 MTU 1400 but link.ok: excluded by unless;
	 * t1 twice (another capture point): one diagnosis */
	nd_finding_set_str(add(&fs, "bridge.port", ND_SEV_INFO, "t1"), "bridge", "br0");
	nd_finding_set_str(add(&fs, "bridge.port", ND_SEV_INFO, "t1"), "bridge", "br0");
	nd_finding_set_int(add(&fs, "link.mtu", ND_SEV_INFO, "t1"), "mtu", 9000);
	nd_finding_set_str(add(&fs, "bridge.port", ND_SEV_INFO, "t2"), "bridge", "br0");
	nd_finding_set_int(add(&fs, "link.mtu", ND_SEV_INFO, "t2"), "mtu", 1500);
	nd_finding_set_str(add(&fs, "bridge.port", ND_SEV_INFO, "t3"), "bridge", "br1");
	nd_finding_set_int(add(&fs, "link.mtu", ND_SEV_INFO, "t3"), "mtu", 1400);
	add(&fs, "link.ok", ND_SEV_INFO, "t3");
	assert_int_equal(nd_rules_eval(&rs, &fs, &ds), 0);
	assert_int_equal(ds.n, 1);
	assert_string_equal(nd_diagnosis_var(&ds.v[0], "tap"), "t1");
	assert_string_equal(nd_diagnosis_var(&ds.v[0], "br"), "br0");
	assert_null(nd_diagnosis_var(&ds.v[0], "nosuch"));
	assert_int_equal(ds.v[0].nevidence, 2);
	assert_string_equal(fs.v[ds.v[0].evidence[1]].id, "link.mtu");
	nd_rule_expand(&ds.v[0], rs.v[0].title, buf, sizeof(buf));
	assert_string_equal(buf, "t1 is odd on br0");
	nd_rule_expand(&ds.v[0], "$tap$br $unknown $", buf, sizeof(buf));
	assert_string_equal(buf, "t1br0 $unknown $");
	/* the remedy's verify condition, as the doctor asks it */
	assert_true(nd_rule_cond_holds(&rs.v[0].remedies[0].verify, &ds.v[0], &fs));
	nd_diagnoses_free(&ds);
	/* t3's unless gone: two diagnoses */
	nd_findings_free(&fs);
	nd_findings_init(&fs);
	nd_finding_set_str(add(&fs, "bridge.port", ND_SEV_INFO, "t3"), "bridge", "br1");
	nd_finding_set_int(add(&fs, "link.mtu", ND_SEV_INFO, "t3"), "mtu", 1400);
	nd_finding_set_str(add(&fs, "bridge.port", ND_SEV_INFO, "t1"), "bridge", "br0");
	nd_finding_set_int(add(&fs, "link.mtu", ND_SEV_INFO, "t1"), "mtu", 9000);
	assert_int_equal(nd_rules_eval(&rs, &fs, &ds), 0);
	assert_int_equal(ds.n, 2);
	nd_diagnoses_free(&ds);
	nd_findings_free(&fs);
	nd_rules_free(&rs);
}

/* KEY=A|B takes either value; `confirm` names a finding that must be
 * there after a change, with the diagnosis's bindings. */
static void test_alternatives_and_confirm(void **state)
{
	static const char text[] =
		"rule      either\n"
		"severity  error\n"
		"title     $client ignores\n"
		"when      dhcp4.offer-ignored client=$client reply_checksum=partial-offload|partial\n"
		"cause     it does\n"
		"remedy    offload-guide tap=t1\n"
		"does      guide\n"
		"confirm   dhcp4.lease client=$client\n";
	struct nd_rules rs = { 0 };
	struct nd_diagnoses ds = { 0 };
	struct nd_findings fs, after;
	char err[256];

	(void)state;
	rs.v = calloc(1, sizeof(*rs.v));
	rs.n = rs.cap = 1;
	assert_int_equal(parse(text, "either.rule", &rs.v[0], err, sizeof(err)), 0);
	assert_string_equal(rs.v[0].remedies[0].confirm.finding, "dhcp4.lease");
	nd_findings_init(&fs);
	nd_finding_set_str(add(&fs, "dhcp4.offer-ignored", ND_SEV_ERROR, "t1"), "client", "c1");
	nd_finding_set_str(&fs.v[0], "reply_checksum", "partial-offload");
	nd_finding_set_str(add(&fs, "dhcp4.offer-ignored", ND_SEV_ERROR, "t1"), "client", "c2");
	nd_finding_set_str(&fs.v[1], "reply_checksum", "partial");
	nd_finding_set_str(add(&fs, "dhcp4.offer-ignored", ND_SEV_ERROR, "t1"), "client", "c3");
	nd_finding_set_str(&fs.v[2], "reply_checksum", "ok");
	assert_int_equal(nd_rules_eval(&rs, &fs, &ds), 0);
	assert_int_equal(ds.n, 2);
	assert_string_equal(nd_diagnosis_var(&ds.v[0], "client"), "c1");
	assert_string_equal(nd_diagnosis_var(&ds.v[1], "client"), "c2");
	/* a lease for c1 after the change, none for c2 */
	nd_findings_init(&after);
	nd_finding_set_str(add(&after, "dhcp4.lease", ND_SEV_INFO, "t1"), "client", "c1");
	assert_true(nd_rule_cond_holds(&rs.v[0].remedies[0].confirm, &ds.v[0], &after));
	assert_false(nd_rule_cond_holds(&rs.v[0].remedies[0].confirm, &ds.v[1], &after));
	nd_findings_free(&after);
	nd_diagnoses_free(&ds);
	nd_findings_free(&fs);
	nd_rules_free(&rs);
}

static void collect(void *arg, const char *err)
{
	char *all = arg;

	strcat(all, err);
	strcat(all, "\n");
}

static void test_load_lenient(void **state)
{
	char dir[] = "/tmp/nd-rules-XXXXXX", path[64], bad[1024] = "", err[256] = "";
	struct nd_rules rs;
	unsigned nbad = 9, checked = 0;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/tap-odd.rule", dir);
	f = fopen(path, "w");
	fputs(good, f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/broken.rule", dir);
	f = fopen(path, "w");
	fputs("rule broken\nseverity loud\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/notes.txt", dir);   /* not a rule file */
	f = fopen(path, "w");
	fputs("ignored\n", f);
	fclose(f);
	/* strict: refused, naming the file, line and column */
	assert_int_equal(nd_rules_load(&rs, dir, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "/broken.rule:2:10: severity is info, warning or error"));
	assert_int_equal(rs.n, 0);
	/* lenient: the good one loads, the bad one is reported */
	assert_int_equal(nd_rules_load_lenient(&rs, dir, collect, bad, &nbad, err, sizeof(err)), 0);
	assert_int_equal(nbad, 1);
	assert_int_equal(rs.n, 1);
	assert_string_equal(rs.v[0].id, "tap-odd");
	assert_non_null(strstr(bad, "/broken.rule:2:10:"));
	nd_rules_free(&rs);
	bad[0] = 0;
	assert_int_equal(nd_rules_lint(dir, collect, bad, &checked), 1);
	assert_int_equal(checked, 2);
	unlink(path);
	snprintf(path, sizeof(path), "%s/broken.rule", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/tap-odd.rule", dir);
	unlink(path);
	rmdir(dir);
	assert_int_equal(nd_rules_load(&rs, dir, err, sizeof(err)), -ENOENT);
}

/* every shipped rule parses */
static void test_shipped(void **state)
{
	char dir[4096], bad[4096] = "";
	unsigned checked = 0;

	(void)state;
	snprintf(dir, sizeof(dir), "%s", getenv("ND_RULES_SRC") ? getenv("ND_RULES_SRC") : "rules");
	if (access(dir, R_OK)) {
		skip();
	}
	assert_int_equal(nd_rules_lint(dir, collect, bad, &checked), 0);
	assert_string_equal(bad, "");
	assert_true(checked >= 16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_missing),
		cmocka_unit_test(test_eval),
		cmocka_unit_test(test_alternatives_and_confirm),
		cmocka_unit_test(test_load_lenient),
		cmocka_unit_test(test_shipped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
