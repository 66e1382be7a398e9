/* nd_check_print: the verdict lines of `netdiag check` and its JSON
 * "checks" come from one walk.  A result made by hand (every kind of line:
 * ok with frames, an error naming findings, not seen, host ok, a required
 * check not seen) prints exact text; its JSON carries the same lines,
 * rebuilt here from the members and compared with the text. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <json.h>

#include <netdiag/check.h>

static const char expected_text[] =
	"dhcp       ok (12 frames)\n"
	"dns        error: dns.unanswered,dns.servfail\n"
	"checksums  not seen: no such traffic, no verdict\n"
	"host       ok\n"
	"path       not seen: required, none captured\n"
	"captured 2.5 s on tapg (12 frames, 0 dropped) br0 (30 frames, 1 dropped)\n";

static struct nd_check_result *result(void)
{
	static const struct {
		const char *name;
		enum nd_verdict verdict;
		uint64_t evidence;
		bool required;
		const char *findings;
	} lines[] = {
		{ "dhcp", ND_VERDICT_OK, 12, false, "" },
		{ "dns", ND_VERDICT_ERROR, 4, false, "dns.unanswered,dns.servfail" },
		{ "checksums", ND_VERDICT_NOT_SEEN, 0, false, "" },
		{ "host", ND_VERDICT_OK, 9, false, "" },
		{ "path", ND_VERDICT_NOT_SEEN, 0, true, "" },
	};
	struct nd_check_result *res = calloc(1, sizeof(*res));

	assert_non_null(res);
	nd_analysis_init_empty(&res->analysis);
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct nd_check_verdict *v = &res->verdicts[res->nverdicts++];

		v->name = lines[i].name;
		v->verdict = lines[i].verdict;
		v->evidence = lines[i].evidence;
		v->required = lines[i].required;
		snprintf(v->findings, sizeof(v->findings), "%s", lines[i].findings);
	}
	snprintf(res->points[0].ifname, IF_NAMESIZE, "tapg");
	res->points[0].frames = 12;
	snprintf(res->points[1].ifname, IF_NAMESIZE, "br0");
	res->points[1].frames = 30;
	res->points[1].stats.kernel_drops = 1;
	res->npoints = 2;
	res->seconds = 2.5;
	return res;
}

/* the result printed in one form; the caller frees the text */
static char *print(const struct nd_check_result *res, bool json)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct nd_out o;

	assert_non_null(f);
	nd_out_init(&o, f, json, false);
	nd_out_begin(&o, "check");
	nd_check_print(res, &o);
	nd_out_end(&o);
	fclose(f);
	return text;
}

static void test_text(void **state)
{
	struct nd_check_result *res = result();
	char *text = print(res, false);

	(void)state;
	assert_string_equal(text, expected_text);
	free(text);
	free(res);
}

static const char *member_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	assert_true(json_object_object_get_ex(o, key, &v));
	return json_object_get_string(v);
}

static int64_t member_int(struct json_object *o, const char *key)
{
	struct json_object *v;

	assert_true(json_object_object_get_ex(o, key, &v));
	return json_object_get_int64(v);
}

/* the text's line, rebuilt from one member of "checks" */
static void line_from_json(struct json_object *c, char *out, size_t len)
{
	const char *name = member_str(c, "name"), *verdict = member_str(c, "verdict");
	const char *findings = member_str(c, "findings");
	struct json_object *req;
	int n;

	assert_true(json_object_object_get_ex(c, "required", &req));
	n = snprintf(out, len, "%-10s %s", name, strcmp(verdict, "not-seen") ? verdict : "not seen");
	if (findings[0])
		snprintf(out + n, len - (size_t)n, ": %s\n", findings);
	else if (!strcmp(verdict, "ok") && strcmp(name, "host") && strcmp(name, "active"))
		snprintf(out + n, len - (size_t)n, " (%lld frames)\n",
			 (long long)member_int(c, "evidence"));
	else if (!strcmp(verdict, "not-seen"))
		snprintf(out + n, len - (size_t)n, ": %s\n", json_object_get_boolean(req)
			 ? "required, none captured" : "no such traffic, no verdict");
	else
		snprintf(out + n, len - (size_t)n, "\n");
}

static void test_json_carries_the_lines(void **state)
{
	struct nd_check_result *res = result();
	char *doc = print(res, true), lines[1024] = "", line[256];
	struct json_object *root = json_tokener_parse(doc), *checks, *points;

	(void)state;
	assert_non_null(root);
	assert_string_equal(member_str(root, "command"), "check");
	assert_true(json_object_object_get_ex(root, "checks", &checks));
	assert_int_equal(json_object_array_length(checks), 5);
	for (size_t i = 0; i < json_object_array_length(checks); i++) {
		line_from_json(json_object_array_get_idx(checks, i), line, sizeof(line));
		strcat(lines, line);
	}
	/* the verdict lines of the text, and nothing else of it, from the JSON */
	assert_int_equal(strncmp(lines, expected_text, strlen(lines)), 0);
	assert_string_equal(expected_text + strlen(lines),
			    "captured 2.5 s on tapg (12 frames, 0 dropped) br0 (30 frames, 1 dropped)\n");
	assert_int_equal(member_int(json_object_array_get_idx(checks, 1), "evidence"), 4);
	assert_true(json_object_object_get_ex(root, "capture_points", &points));
	assert_int_equal(json_object_array_length(points), 2);
	assert_string_equal(member_str(json_object_array_get_idx(points, 1), "interface"), "br0");
	assert_int_equal(member_int(json_object_array_get_idx(points, 1), "kernel_drops"), 1);
	json_object_put(root);
	free(doc);
	free(res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_json_carries_the_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
