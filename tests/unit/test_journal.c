/* The journal's record format: fields that are empty, "-", or hold spaces
 * and '%' come back as written; a file record is undone by removing the
 * file; a field too long is refused, not cut. */
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

#include <netdiag/journal.h>
#include <netdiag/linkset.h>

static char dir[] = "/tmp/nd-journal-XXXXXX";

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	return setenv("NETDIAG_RUN_DIR", dir, 1);
}

static int teardown(void **state)
{
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "%s/journal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/journal.lock", dir);
	unlink(path);
	rmdir(dir);
	return 0;
}

static int append(struct nd_journal *j, const char *kind, const char *object, const char *key,
		  const char *before, const char *after)
{
	struct nd_journal_record r = { 0 };

	snprintf(r.kind, sizeof(r.kind), "%s", kind);
	snprintf(r.object, sizeof(r.object), "%s", object);
	snprintf(r.key, sizeof(r.key), "%s", key);
	snprintf(r.before, sizeof(r.before), "%s", before);
	snprintf(r.after, sizeof(r.after), "%s", after);
	return nd_journal_append(j, &r);
}

static void test_fields_round_trip(void **state)
{
	const struct nd_journal_record *r;
	struct nd_journal *j;
	char err[256], file[128];
	unsigned n;
	FILE *f;

	(void)state;
	snprintf(file, sizeof(file), "%s/a file %%20.link", dir);
	f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(nd_journal_open(&j, err, sizeof(err)), 0);
	/* recorded only (nd_journal_change would apply them too) */
	assert_int_equal(append(j, "sysctl", "net/ipv4/ip_forward", "", "0", "1"), 0);
	assert_int_equal(append(j, "sysctl", "net/x", "-", "a b", "100%"), 0);
	/* recorded and applied: the file exists, as "present" says */
	assert_int_equal(nd_journal_change(j, "file", file, "", "absent", "present"), 0);
	nd_journal_close(j);

	assert_int_equal(nd_journal_open(&j, err, sizeof(err)), 0);
	r = nd_journal_records(j, &n);
	assert_int_equal(n, 3);
	assert_string_equal(r[0].kind, "sysctl");
	assert_string_equal(r[0].object, "net/ipv4/ip_forward");
	assert_string_equal(r[0].key, "");
	assert_string_equal(r[0].after, "1");
	assert_string_equal(r[1].key, "-");
	assert_string_equal(r[1].before, "a b");
	assert_string_equal(r[1].after, "100%");
	assert_string_equal(r[2].object, file);
	/* the newest first: the file goes */
	assert_int_equal(nd_journal_undo(j, 1, false, NULL, NULL), 0);
	nd_journal_close(j);
	assert_int_equal(access(file, F_OK), -1);
	assert_int_equal(nd_journal_open(&j, err, sizeof(err)), 0);
	nd_journal_records(j, &n);
	assert_int_equal(n, 2);
	nd_journal_close(j);
}

static void test_too_long(void **state)
{
	char obj[ND_JOURNAL_OBJECT_MAX + 1], err[256];
	struct nd_journal *j;
	unsigned n;

	(void)state;
	memset(obj, 'x', sizeof(obj) - 1);
	obj[sizeof(obj) - 1] = 0;
	assert_int_equal(nd_journal_open(&j, err, sizeof(err)), 0);
	nd_journal_records(j, &n);
	assert_int_equal(nd_journal_change(j, "file", obj, "", "absent", "present"), -ENAMETOOLONG);
	nd_journal_close(j);
	assert_int_equal(nd_journal_open(&j, err, sizeof(err)), 0);
	{
		unsigned after;

		nd_journal_records(j, &after);
		assert_int_equal(after, n);
	}
	nd_journal_close(j);
}

/* The link remedies read their before-value first: a key not in the
 * table, a device that does not exist or an MTU of 0 is refused with the
 * object named, and nothing is journaled. */
static void test_link_refusals(void **state)
{
	struct nd_journal *j;
	char err[256];
	unsigned n, after;

	(void)state;
	assert_int_equal(nd_journal_open(&j, err, sizeof(err)), 0);
	nd_journal_records(j, &n);
	assert_int_equal(nd_bridge_set(j, "nd-nosuch0", "hello_time", 100, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "nd-nosuch0: hello_time: Invalid argument");
	assert_int_equal(nd_bridge_set(j, "nd-nosuch0", "forward_delay", 200, err, sizeof(err)),
			 -ENODEV);
	assert_string_equal(err, "nd-nosuch0: No such device");
	assert_int_equal(nd_link_set_mtu(j, "nd-nosuch0", 1500, err, sizeof(err)), -ENODEV);
	assert_string_equal(err, "nd-nosuch0: No such device");
	assert_int_equal(nd_link_set_mtu(j, "lo", 0, err, sizeof(err)), -EINVAL);
	/* lo is no bridge */
	assert_int_equal(nd_bridge_set(j, "lo", "stp_state", 0, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "lo: not a bridge: Invalid argument");
	nd_journal_records(j, &after);
	assert_int_equal(after, n);
	nd_journal_close(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields_round_trip),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_link_refusals),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
