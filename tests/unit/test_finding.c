#include <errno.h>
#include <stdarg.h>
#include <unistd.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <netdiag/finding.h>
#include <netdiag/json.h>
#include <netdiag/report.h>

static void test_sort_worst_first(void **state)
{
	struct nd_findings fs;
	struct nd_finding *f;

	nd_findings_init(&fs);
	f = nd_findings_add(&fs, "csum.partial-offload", ND_SEV_INFO);
	f->count = 100;
	f = nd_findings_add(&fs, "dns.unanswered", ND_SEV_WARNING);
	f->count = 3;
	f = nd_findings_add(&fs, "dhcp4.no-offer", ND_SEV_ERROR);
	f->count = 1;
	f = nd_findings_add(&fs, "dns.servfail", ND_SEV_WARNING);
	f->count = 9;
	nd_findings_sort(&fs);
	assert_string_equal(fs.v[0].id, "dhcp4.no-offer");
	assert_string_equal(fs.v[1].id, "dns.servfail");
	assert_string_equal(fs.v[2].id, "dns.unanswered");
	assert_string_equal(fs.v[3].id, "csum.partial-offload");
	assert_int_equal(nd_findings_count_at_least(&fs, ND_SEV_WARNING), 3);
	nd_findings_free(&fs);
}

static void test_fields_and_frames(void **state)
{
	struct nd_findings fs;
	struct nd_finding *f;
	const struct nd_field *fl;

	nd_findings_init(&fs);
	f = nd_findings_add(&fs, "dhcp4.no-offer", ND_SEV_ERROR);
	assert_int_equal(nd_finding_set_int(f, "discovers", 4), 0);
	assert_int_equal(nd_finding_set_int(f, "discovers", 5), 0);
	assert_int_equal(nd_finding_set_str(f, "client", "52:54:00:12:34:56"), 0);
	assert_int_equal(f->nfields, 2);
	fl = nd_finding_field(f, "discovers");
	assert_non_null(fl);
	assert_int_equal(fl->v.i, 5);
	for (int i = 1; i <= ND_FINDING_FIELDS_MAX; i++) {
		char key[16];

		snprintf(key, sizeof(key), "k%d", i);
		nd_finding_set_int(f, key, i);
	}
	assert_int_equal(nd_finding_set_int(f, "one-too-many", 1), -ENOSPC);
	for (uint64_t n = 1; n <= 40; n++)
		nd_finding_add_frame(f, n);
	assert_int_equal(f->nframes, ND_FINDING_FRAMES_MAX);
	assert_int_equal(f->frames_total, 40);
	assert_ptr_equal(nd_findings_find(&fs, "dhcp4.no-offer", NULL), f);
	assert_null(nd_findings_find(&fs, "dhcp4.no-offer", "tap0"));
	nd_findings_free(&fs);
}

static void test_json_escaping_and_nesting(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	struct nd_json j;

	nd_json_init(&j, out, false);
	nd_json_obj_open(&j);
	nd_json_key(&j, "s");
	nd_json_str(&j, "a\"b\\c\n\x01");
	nd_json_key(&j, "a");
	nd_json_arr_open(&j);
	nd_json_int(&j, -1);
	nd_json_uint(&j, 18446744073709551615ULL);
	nd_json_bool(&j, true);
	nd_json_null(&j);
	nd_json_obj_open(&j);
	nd_json_obj_close(&j);
	nd_json_arr_close(&j);
	nd_json_key(&j, "d");
	nd_json_double(&j, 0.5);
	nd_json_obj_close(&j);
	nd_json_end(&j);
	fclose(out);
	assert_string_equal(buf, "{\"s\":\"a\\\"b\\\\c\\n\\u0001\",\"a\":[-1,18446744073709551615,"
				 "true,null,{}],\"d\":0.5}\n");
	free(buf);
}

static void test_junit_failures(void **state)
{
	struct nd_findings fs;
	const char *checks[] = { "dhcp4", "dns", NULL };
	char path[] = "/tmp/nd-junit-XXXXXX";
	char xml[4096] = "";
	int fd = mkstemp(path);
	FILE *in;
	size_t n;

	assert_true(fd >= 0);
	nd_findings_init(&fs);
	nd_findings_add(&fs, "dns.unanswered", ND_SEV_WARNING);
	nd_findings_add(&fs, "dhcp4.lease", ND_SEV_INFO);
	snprintf(nd_findings_add(&fs, "dhcp4.no-offer", ND_SEV_ERROR)->ifname, 64, "tap1");
	snprintf(nd_findings_add(&fs, "dhcp4.no-offer", ND_SEV_ERROR)->ifname, 64, "tap2");
	assert_int_equal(nd_report_junit(path, "lab", checks, &fs, 1.5), 0);
	in = fopen(path, "r");
	n = fread(xml, 1, sizeof(xml) - 1, in);
	xml[n] = 0;
	fclose(in);
	unlink(path);
	assert_non_null(strstr(xml, "<testsuites name=\"netdiag\" tests=\"2\" failures=\"3\""));
	assert_non_null(strstr(xml, "<testcase classname=\"lab\" name=\"dns\" time=\"1.500\""));
	/* one failure per finding, each naming its interface */
	assert_non_null(strstr(xml, "message=\"tap1: "));
	assert_non_null(strstr(xml, "message=\"tap2: "));
	assert_non_null(strstr(xml, "<failure type=\"dns.unanswered\""));
	assert_null(strstr(xml, "dhcp4.lease"));
	nd_findings_free(&fs);
}

/* the tap first, then the bridge, then the uplink */
static int rank(void *arg, const char *ifname)
{
	static const char *const order[] = { "tap0", "br0", "eno1" };

	(void)arg;
	for (int i = 0; i < 3; i++)
		if (!strcmp(order[i], ifname))
			return i;
	return 3;
}

static struct nd_finding *at(struct nd_findings *fs, const char *id, const char *ifname,
			     const char *subject, uint64_t count)
{
	struct nd_finding *f = nd_findings_add(fs, id, ND_SEV_ERROR);

	assert_non_null(f);
	snprintf(f->ifname, sizeof(f->ifname), "%s", ifname);
	snprintf(f->subject, sizeof(f->subject), "%s", subject);
	f->count = count;
	return f;
}

/* One finding per fact: the same packet finding at the bridge and the tap
 * is one, with the tap's figures and every point in seen_on; host
 * findings and different subjects stay apart. */
static void test_merge_points(void **state)
{
	struct nd_findings fs;

	(void)state;
	nd_findings_init(&fs);
	at(&fs, "dhcp4.offer-ignored", "br0", "client 02:00:00:00:00:32", 5);
	at(&fs, "dhcp4.offer-ignored", "tap0", "client 02:00:00:00:00:32", 3);
	at(&fs, "dhcp4.offer-ignored", "eno1", "client 02:00:00:00:00:32", 4);
	at(&fs, "dhcp4.offer-ignored", "tap0", "client 02:00:00:00:00:33", 1);
	at(&fs, "link.no-carrier", "tap0", "", 1);
	at(&fs, "link.no-carrier", "br0", "", 1);
	assert_int_equal(nd_findings_merge_points(&fs, rank, NULL), 0);
	assert_int_equal(fs.n, 4);
	assert_string_equal(fs.v[0].ifname, "tap0");
	assert_int_equal(fs.v[0].count, 3);
	assert_string_equal(nd_finding_field(&fs.v[0], "seen_on")->v.s, "tap0,br0,eno1");
	assert_string_equal(fs.v[1].subject, "client 02:00:00:00:00:33");
	assert_string_equal(nd_finding_field(&fs.v[1], "seen_on")->v.s, "tap0");
	assert_string_equal(fs.v[2].ifname, "tap0");
	assert_null(nd_finding_field(&fs.v[2], "seen_on"));
	assert_string_equal(fs.v[3].ifname, "br0");
	nd_findings_free(&fs);
}

/* one walk, two forms: the text line a person reads and the JSON object,
 * members in the documented order (docs/json-schema.md) */
static void test_findings_one_walk(void **state)
{
	static const char *const order[] = {
		"\"id\": \"csum.partial\"", "\"severity\": \"error\"", "\"interface\": \"tap0\"",
		"\"direction\": \"in\"", "\"subject\": \"192.0.2.1:67\"", "\"count\": 7",
		"\"first\"", "\"last\"", "\"frames\"", "\"frames_total\": 7",
		"\"summary\": \"bad\\u001b[2J sum\"", "\"fields\"", "\"found\": \"0x1234\"",
		"\"flows\": 2", "\"ratio\": 0.5",
	};
	struct nd_findings fs;
	struct nd_finding *f;
	struct nd_out o;
	char *buf = NULL;
	const char *at;
	size_t len = 0;
	FILE *out;

	nd_findings_init(&fs);
	f = nd_findings_add(&fs, "csum.partial", ND_SEV_ERROR);
	snprintf(f->ifname, sizeof(f->ifname), "tap0");
	f->dir = ND_DIR_IN;
	snprintf(f->subject, sizeof(f->subject), "192.0.2.1:67");
	snprintf(f->summary, sizeof(f->summary), "bad\033[2J sum");
	f->count = 7;
	for (uint64_t n = 1; n <= 7; n++)
		nd_finding_add_frame(f, n * 10);
	nd_finding_set_str(f, "found", "0x1234");
	nd_finding_set_int(f, "flows", 2);
	nd_finding_set_double(f, "ratio", 0.5);

	out = open_memstream(&buf, &len);
	nd_out_init(&o, out, false, false);
	nd_report_findings(&o, &fs);
	fclose(out);
	/* the escape byte of a hostile summary is shown, not sent */
	assert_string_equal(buf, "error   csum.partial tap0 in 192.0.2.1:67: bad\\x1b[2J sum "
				 "[frames 10,20,30,40,50,... of 7]\n"
				 "         found=0x1234 flows=2 ratio=0.5\n");
	free(buf);

	buf = NULL;
	out = open_memstream(&buf, &len);
	nd_out_init(&o, out, true, false);
	nd_out_begin(&o, "test");
	nd_report_findings(&o, &fs);
	nd_out_end(&o);
	fclose(out);
	at = buf;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const char *next = strstr(at, order[i]);

		if (!next)
			fail_msg("%s missing or out of order in %s", order[i], buf);
		at = next;
	}
	assert_non_null(strstr(buf, "\"frames\": [\n        10,"));
	free(buf);
	nd_findings_free(&fs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sort_worst_first),
		cmocka_unit_test(test_fields_and_frames),
		cmocka_unit_test(test_findings_one_walk),
		cmocka_unit_test(test_json_escaping_and_nesting),
		cmocka_unit_test(test_junit_failures),
		cmocka_unit_test(test_merge_points),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
