/* The journal's record format: fields that are empty, "-", or hold spaces
 * and '%' come back as written; a file record is undone by removing the
 * file; a field too long is refused, not cut.  Identity (issue 15): a
 * record of another namespace, a deleted or replaced device is skipped
 * with its reason and forgettable; a run's rollback takes its own records
 * only; 5,000 records and more stay visible (compaction, no capacity);
 * damaged, cut and over-long lines are reported by number, never read;
 * forged records outside /proc/sys/net or netdiag's files are refused;
 * a refused change leaves no open record. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <netdiag/doctor.h>
#include <netdiag/journal.h>
#include <netdiag/linkset.h>

static char dir[] = "/tmp/nd-journal-XXXXXX";

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	return setenv("NETDIAG_RUN_DIR", dir, 1) || setenv("NETDIAG_PERSIST_ROOT", dir, 1);
}

static int teardown(void **state)
{
	char cmd[160];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) ? -1 : 0;
}

static char *jpath(const char *name)
{
	static char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static void wipe(void)
{
	unlink(jpath("journal"));
}

static char *slurp(size_t *len)
{
	FILE *f = fopen(jpath("journal"), "r");
	char *text = calloc(1, 1 << 22);

	assert_non_null(f);
	*len = fread(text, 1, (1 << 22) - 1, f);
	fclose(f);
	return text;
}

static void spit(const char *text)
{
	FILE *f = fopen(jpath("journal"), "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* a journal line with its checksum, as a forger who knows the format
 * would write it */
static void sealed(char *out, size_t len, const char *body)
{
	snprintf(out, len, "%s crc=%08x\n", body, (unsigned)crc32(0L, (const Bytef *)body, (uInt)strlen(body)));
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
	snprintf(file, sizeof(file), "%s/etc/systemd/network", dir);
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", file);
		assert_int_equal(system(cmd), 0);
	}
	snprintf(file, sizeof(file), "%s/etc/systemd/network/50-netdiag-a file %%20.link", dir);
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


static unsigned nrecords(void)
{
	struct nd_journal *j;
	char err[256];
	unsigned n;

	assert_int_equal(nd_journal_open(&j, err, sizeof(err)), 0);
	nd_journal_records(j, &n);
	nd_journal_close(j);
	return n;
}

/* No capacity: past the old 4096, every record is still seen, the newest
 * one first to be undone; closed records compact away, ids keep growing. */
static void test_capacity(void **state)
{
	const struct nd_journal_record *r;
	struct nd_journal *j;
	char err[256];
	unsigned n, last = 0;
	struct stat st;

	(void)state;
	wipe();
	assert_int_equal(nd_journal_open(&j, err, sizeof(err)), 0);
	for (unsigned i = 0; i < 5001; i++)
		assert_int_equal(append(j, "sysctl", "net/nd-test/x", "", "0", "1"), 0);
	nd_journal_close(j);
	assert_int_equal(nd_journal_open(&j, err, sizeof(err)), 0);
	r = nd_journal_records(j, &n);
	assert_int_equal(n, 5001);
	assert_int_equal(r[5000].id, 5001);
	/* 5,000 closed (as a refused change is closed), one left open */
	for (unsigned id = 1; id <= 5000; id++)
		assert_int_equal(nd_journal_failed(j, id), 0);
	nd_journal_close(j);
	assert_int_equal(nrecords(), 1);     /* this open compacted */
	assert_int_equal(stat(jpath("journal"), &st), 0);
	assert_true(st.st_size < 1024);
	assert_int_equal(nd_journal_open(&j, err, sizeof(err)), 0);
	assert_int_equal(append(j, "sysctl", "net/nd-test/x", "", "0", "1"), 0);
	r = nd_journal_records(j, &n);
	assert_int_equal(n, 2);
	last = r[1].id;
	nd_journal_close(j);
	assert_int_equal(last, 5002);
	wipe();
}

/* Damage: a flipped character, a line cut short, an over-long line whose
 * tail looks like a record: each reported by number, none read. */
static void test_damaged_lines(void **state)
{
	const struct nd_journal_damage *d;
	struct nd_journal *j;
	char err[256], *text, *big, *p;
	size_t len;
	unsigned n, nd;

	(void)state;
	wipe();
	assert_int_equal(nd_journal_open(&j, err, sizeof(err)), 0);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(append(j, "sysctl", "net/nd-test/x", "", "0", "1"), 0);
	nd_journal_close(j);
	text = slurp(&len);
	/* line 2: one character changed (tail of "net/nd-test/x") */
	p = strchr(text, '\n') + 1;
	p = strstr(p, "nd-test");
	p[0] = 'N';
	/* an over-long line whose tail is a whole record of its own */
	big = malloc(len + 10000);
	memcpy(big, text, len);
	memset(big + len, 'x', 5000);
	{
		/* the tail: line 1 again, with a new id 9, sealed */
		char body[512], line[600];
		const char *l1 = strchr(text, ' ') + 1;          /* after "change" */

		snprintf(body, sizeof(body), "change 9%.*s", (int)(strstr(l1, " crc=") - strchr(l1, ' ')),
			 strchr(l1, ' '));
		sealed(line, sizeof(line), body);
		memcpy(big + len + 5000, line, strlen(line));
		len += 5000 + strlen(line);
	}
	/* and a last line cut short */
	memcpy(big + len, "change 10 sysctl net/nd-te", 26);
	big[len + 26] = 0;
	spit(big);
	free(big);
	free(text);
	assert_int_equal(nd_journal_open(&j, err, sizeof(err)), 0);
	nd_journal_records(j, &n);
	d = nd_journal_damaged(j, &nd);
	assert_int_equal(n, 2);              /* lines 1 and 3 */
	assert_int_equal(nd, 3);
	assert_int_equal(d[0].line, 2);
	assert_string_equal(d[0].reason, "checksum mismatch (damaged)");
	assert_int_equal(d[1].line, 4);
	assert_true(!strncmp(d[1].reason, "over-long line", 14));
	assert_int_equal(d[2].line, 5);
	assert_string_equal(d[2].reason, "cut short (no end of line)");
	/* forget drops the damaged lines (and compacts) */
	assert_int_equal(nd_journal_forget(j, false, NULL, NULL, NULL), 0);
	nd_journal_close(j);
	assert_int_equal(nd_journal_open(&j, err, sizeof(err)), 0);
	nd_journal_records(j, &n);
	nd_journal_damaged(j, &nd);
	assert_int_equal(n, 2);
	assert_int_equal(nd, 0);
	nd_journal_close(j);
	wipe();
}

/* Forged records, checksum and all: a sysctl outside /proc/sys/net and a
 * file netdiag never writes are refused as records and as changes. */
static void test_forged(void **state)
{
	const struct nd_journal_damage *d;
	struct nd_journal *j;
	char err[256], text[2048], l1[700], l2[700], victim[200];
	unsigned n, nd;
	FILE *f;

	(void)state;
	wipe();
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	f = fopen(victim, "w");
	fclose(f);
	sealed(l1, sizeof(l1), "change 1 sysctl ../../tmp/w - 0 1 run=0123456789abcdef ns=4:1 dev=-");
	{
		char body[600];

		snprintf(body, sizeof(body), "change 2 file %s - absent present run=0123456789abcdef "
			 "ns=4:1 dev=-", victim);
		sealed(l2, sizeof(l2), body);
	}
	snprintf(text, sizeof(text), "%s%s", l1, l2);
	spit(text);
	assert_int_equal(nd_journal_open(&j, err, sizeof(err)), 0);
	nd_journal_records(j, &n);
	d = nd_journal_damaged(j, &nd);
	assert_int_equal(n, 0);
	assert_int_equal(nd, 2);
	assert_string_equal(d[0].reason, "record 1: a sysctl outside /proc/sys/net: refused");
	assert_string_equal(d[1].reason, "record 2: a file netdiag does not write: refused");
	assert_int_equal(nd_journal_undo(j, 0, false, NULL, NULL), 0);
	assert_int_equal(access(victim, F_OK), 0);
	assert_int_equal(nd_journal_change(j, "sysctl", "net/../../tmp/w", "", "0", "1"), -EPERM);
	assert_int_equal(nd_journal_change(j, "sysctl", "kernel/panic", "", "0", "1"), -EPERM);
	assert_int_equal(nd_journal_change(j, "file", victim, "", "absent", "present"), -EPERM);
	assert_int_equal(nd_journal_sysctl(j, "net/../../etc/passwd", "x"), -EPERM);
	nd_journal_records(j, &n);
	assert_int_equal(n, 0);
	nd_journal_close(j);
	wipe();
}

/* A change the kernel refuses leaves no open record. */
static void test_failed_change(void **state)
{
	(void)state;
	wipe();
	{
		struct nd_journal *j;
		char err[256];

		assert_int_equal(nd_journal_open(&j, err, sizeof(err)), 0);
		assert_int_equal(nd_journal_change(j, "sysctl", "net/nd-nosuch/x", "", "0", "1"), -ENOENT);
		nd_journal_close(j);
	}
	assert_int_equal(nrecords(), 0);
	wipe();
}

struct seen {
	unsigned n, skip[8], id[8];
};

static void collect(void *arg, const struct nd_journal_record *r, int result)
{
	struct seen *s = arg;

	if (s->n < 8) {
		s->skip[s->n] = result > 0 ? (unsigned)result : 0;
		s->id[s->n++] = r->id;
	}
}

/* Rewrite record line `no` (1-based) with run, ns and dev replaced. */
static void forge_identity(unsigned no, const char *run, const char *ns, const char *devid)
{
	char *text, *out = calloc(1, 1 << 20), *line, *save = NULL;
	size_t len, used = 0;
	unsigned i = 0;

	text = slurp(&len);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char body[1024], *w;

		*strstr(line, " crc=") = 0;
		snprintf(body, sizeof(body), "%s", line);
		if (++i == no) {
			/* run, ns and dev are the last three words */
			w = strstr(body, " run=");
			snprintf(w, sizeof(body) - (size_t)(w - body), " run=%s ns=%s dev=%s", run, ns, devid);
		}
		sealed(out + used, (1 << 20) - used, body);
		used += strlen(out + used);
	}
	spit(out);
	free(out);
	free(text);
}

/* Identity: the same records undone here and now only where namespace and
 * device match; the others skipped with their reason, then forgotten. */
static void test_identity(void **state)
{
	struct nd_journal *j;
	struct nd_journal_dev lo;
	struct seen s = { 0 };
	char err[256], ns[64], devid[128];
	struct stat st;
	unsigned n;

	(void)state;
	wipe();
	assert_int_equal(stat("/proc/self/ns/net", &st), 0);
	assert_int_equal(nd_journal_dev_get("lo", &lo), 0);
	assert_int_equal(nd_journal_dev_get("nd-nosuch0", &lo), -ENODEV);
	assert_int_equal(nd_journal_dev_get("lo", &lo), 0);
	assert_int_equal(nd_journal_open(&j, err, sizeof(err)), 0);
	/* four records on lo: recorded only, with lo's identity */
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(append(j, "mtu", "lo", "", "65536", "65536"), 0);
	nd_journal_close(j);
	snprintf(ns, sizeof(ns), "%llu:%llu", (unsigned long long)st.st_dev, 1ULL);
	snprintf(devid, sizeof(devid), "%d,%s,%s,%s", lo.ifindex, lo.kind[0] ? lo.kind : "-",
		 lo.mac[0] ? lo.mac : "-", lo.perm[0] ? lo.perm : "-");
	forge_identity(1, "0123456789abcdef", ns, devid);               /* namespace gone */
	snprintf(ns, sizeof(ns), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	snprintf(devid, sizeof(devid), "%d,-,-,-", lo.ifindex + 1000);
	forge_identity(2, "0123456789abcdef", ns, devid);               /* replaced */
	assert_int_equal(nd_journal_open(&j, err, sizeof(err)), 0);
	nd_journal_records(j, &n);
	assert_int_equal(n, 4);
	/* dry run of everything: newest first; 4 and 3 apply */
	assert_int_equal(nd_journal_undo(j, 0, true, collect, &s), 0);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.id[0], 4);
	assert_int_equal(s.skip[0], ND_JOURNAL_APPLIES);
	assert_int_equal(s.skip[1], ND_JOURNAL_APPLIES);
	assert_int_equal(s.skip[2], ND_JOURNAL_DEV_REPLACED);
	assert_int_equal(s.skip[3], ND_JOURNAL_NS_GONE);
	/* this run's rollback: records 3 and 4 only (1 and 2 are another run's) */
	memset(&s, 0, sizeof(s));
	assert_int_equal(nd_journal_undo_run(j, 0, true, collect, &s), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.id[0], 4);
	assert_int_equal(s.id[1], 3);
	/* a mark after record 3: only 4 */
	memset(&s, 0, sizeof(s));
	assert_int_equal(nd_journal_undo_run(j, 3, true, collect, &s), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.id[0], 4);
	/* forget drops the two that can never apply */
	memset(&s, 0, sizeof(s));
	assert_int_equal(nd_journal_forget(j, false, collect, NULL, &s), 0);
	assert_int_equal(s.n, 2);
	nd_journal_close(j);
	assert_int_equal(nrecords(), 2);
	wipe();
}

/* The run directory: refused when another user owns it or others may
 * write it, and a symlinked journal is never followed. */
static void test_run_dir_trust(void **state)
{
	struct nd_journal *j;
	char err[256], target[200];

	(void)state;
	wipe();
	assert_int_equal(chmod(dir, 0777), 0);
	assert_int_equal(nd_journal_open(&j, err, sizeof(err)), -EPERM);
	assert_true(strstr(err, "writable by others (mode 777): refused") != NULL);
	assert_int_equal(chmod(dir, 0700), 0);
	if (geteuid() == 0) {
		assert_int_equal(chown(dir, 65534, 65534), 0);
		assert_int_equal(nd_journal_open(&j, err, sizeof(err)), -EPERM);
		assert_true(strstr(err, "owned by uid 65534") != NULL);
		assert_int_equal(chown(dir, 0, 0), 0);
	}
	snprintf(target, sizeof(target), "%s/elsewhere", dir);
	assert_int_equal(symlink(target, jpath("journal")), 0);
	assert_int_equal(nd_journal_open(&j, err, sizeof(err)), -EPERM);
	assert_int_equal(access(target, F_OK), -1);
	unlink(jpath("journal"));
}

/* --persist: a file that cannot be written leaves neither a file nor an
 * open record (issue 15: failed changes leave no open record). */
static void test_persist_failed(void **state)
{
	static struct nd_doctor_result res;
	char written[256], err[256], cmd[300];

	(void)state;
	wipe();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s/etc/udev'", dir);
	assert_int_equal(system(cmd), 0);
	memset(&res, 0, sizeof(res));
	res.nsteps = 1;
	res.steps[0].outcome = ND_STEP_KEPT;
	res.steps[0].action = ND_REMEDY_OFFLOAD_OFF;
	snprintf(res.steps[0].target, sizeof(res.steps[0].target), "tapx");
	snprintf(res.steps[0].change, sizeof(res.steps[0].change), "tx off");
	/* no etc/udev/rules.d under the root: the open fails */
	assert_int_equal(nd_doctor_persist_write(&res, "udev", written, sizeof(written), err,
						 sizeof(err)), -ENOENT);
	assert_int_equal(nrecords(), 0);
	/* and with the directory there, the file and its record */
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/etc/udev/rules.d'", dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(nd_doctor_persist_write(&res, "udev", written, sizeof(written), err,
						 sizeof(err)), 0);
	assert_int_equal(nrecords(), 1);
	assert_int_equal(access(written, F_OK), 0);
	unlink(written);
	wipe();
}

/* An older netdiag's journal (no identity, no checksum) still reads:
 * its records open, undone without identity, ids continued. */
static void test_legacy_lines(void **state)
{
	const struct nd_journal_record *r;
	struct nd_journal *j;
	char err[256];
	unsigned n, nd;

	(void)state;
	wipe();
	spit("change 1 sysctl net/nd-test/x - 0 1\nundo 1\nchange 2 offload lo tx-checksum-ip-generic on off\n"
	     "change 3 sysctl net/nd-test/x - 0 1 run=\n");
	assert_int_equal(nd_journal_open(&j, err, sizeof(err)), 0);
	r = nd_journal_records(j, &n);
	nd_journal_damaged(j, &nd);
	assert_int_equal(n, 1);
	assert_int_equal(nd, 1);              /* 8 words, unsealed: damage, not legacy */
	assert_int_equal(r[0].id, 2);
	assert_true(r[0].legacy);
	assert_int_equal(nd_journal_applies(&r[0]), ND_JOURNAL_APPLIES);
	assert_int_equal(append(j, "sysctl", "net/nd-test/x", "", "0", "1"), 0);
	r = nd_journal_records(j, &n);
	assert_int_equal(n, 2);
	assert_int_equal(r[1].id, 3);        /* a damaged line gives no id */
	assert_false(r[1].legacy);
	nd_journal_close(j);
	wipe();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields_round_trip),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_link_refusals),
		cmocka_unit_test(test_capacity),
		cmocka_unit_test(test_damaged_lines),
		cmocka_unit_test(test_forged),
		cmocka_unit_test(test_failed_change),
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_run_dir_trust),
		cmocka_unit_test(test_persist_failed),
		cmocka_unit_test(test_legacy_lines),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
