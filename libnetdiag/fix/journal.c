/* The change journal; see netdiag/journal.h.  This file: the file, its
 * lines (CRC-32 sealed), loading, appending, compaction and undo; the
 * kinds are in journal_kinds.c, identity in journal_id.c, the run
 * directory in rundir.c. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <netdiag/journal.h>

#include "journal_internal.h"

/* The longest line a record makes (each field at worst three times
 * encoded, plus identity and checksum) is under 2 KiB; longer is damage,
 * and its tail is never read as a record of its own. */
#define JOURNAL_LINE_MAX 4096
#define LOCK_WAIT_MS 10000       /* another run's change is a write and a sync */
#define COMPACT_AFTER 512        /* closed lines that make open() rewrite the file */

struct nd_journal {
	int dirfd, lock_fd, fd;          /* fd -1: parsed from text, read-only */
	struct nd_journal_record *all;   /* every change line, in file order */
	unsigned nall, capall;
	struct nd_journal_record *live;  /* those not undone, for callers */
	unsigned nlive;
	struct nd_journal_damage *dmg;
	unsigned ndmg, capdmg;
	unsigned next_id;
	unsigned closing;                /* undo/fail/forget lines: what compaction drops */
	bool cut;                        /* the file ends inside a line */
};

static unsigned last_appended;       /* nd_journal_mark() */

/* ---- lines ---- */

static uint32_t crc32(const char *p, size_t n)
{
	uint32_t c = 0xffffffffu;

	while (n--) {
		c ^= (unsigned char)*p++;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0xedb88320u : c >> 1;
	}
	return ~c;
}

struct buf {
	char *p;
	size_t len, cap;
	bool over;
};

static void put(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->cap - b->len)
		b->over = true;
	else
		b->len += (size_t)n;
}

/* Fields are written percent-encoded where they hold a space, '%',
 * ',' or a control character, and "-" stands for an empty field (a field
 * that is exactly "-" is written %2D), so every record is eleven words. */
static void put_field(struct buf *b, const char *v)
{
	put(b, " ");
	if (!v[0]) {
		put(b, "-");
		return;
	}
	if (!strcmp(v, "-")) {
		put(b, "%%2D");
		return;
	}
	for (const unsigned char *c = (const unsigned char *)v; *c; c++)
		if (*c <= ' ' || *c == '%' || *c == ',' || *c >= 0x7f)
			put(b, "%%%02X", *c);
		else
			put(b, "%c", *c);
}

/* strict: '%' takes two hex digits, "-" alone is empty */
static int get_field(const char *word, char *out, size_t len)
{
	size_t n = 0;

	if (!strcmp(word, "-")) {
		out[0] = 0;
		return 0;
	}
	for (const char *c = word; *c; c++) {
		if (n + 1 >= len)
			return -ENAMETOOLONG;
		if (*c == '%') {
			if (!isxdigit((unsigned char)c[1]) || !isxdigit((unsigned char)c[2]))
				return -EINVAL;
			unsigned v = (unsigned)strtoul((char[]){ c[1], c[2], 0 }, NULL, 16);

			if (!v)
				return -EINVAL;
			out[n++] = (char)v;
			c += 2;
		} else {
			out[n++] = *c;
		}
	}
	out[n] = 0;
	return 0;
}

/* the checksum of the line that starts at `start` in b */
static void end_line(struct buf *b, size_t start)
{
	uint32_t c = b->over ? 0 : crc32(b->p + start, b->len - start);

	put(b, " crc=%08x\n", c);
}

static void record_line(struct buf *b, const struct nd_journal_record *r)
{
	size_t start = b->len;

	put(b, "change %u", r->id);
	put_field(b, r->kind);
	put_field(b, r->object);
	put_field(b, r->key);
	put_field(b, r->before);
	put_field(b, r->after);
	if (r->legacy) {
		put(b, "\n");           /* kept as the older netdiag wrote it */
		return;
	}
	put(b, " run=%s ns=%llu:%llu", r->run, r->ns_dev, r->ns_ino);
	if (r->dev.ifindex) {
		put(b, " dev=%d,", r->dev.ifindex);
		put(b, "%s,%s,%s", r->dev.kind[0] ? r->dev.kind : "-", r->dev.mac[0] ? r->dev.mac : "-",
		    r->dev.perm[0] ? r->dev.perm : "-");
	} else {
		put(b, " dev=-");
	}
	end_line(b, start);
}

static bool strict_uint(const char *s, unsigned *v)
{
	char *end;
	unsigned long x;

	if (!isdigit((unsigned char)s[0]) || (s[0] == '0' && s[1]))
		return false;
	errno = 0;
	x = strtoul(s, &end, 10);
	if (errno || *end || x > UINT_MAX)
		return false;
	*v = (unsigned)x;
	return true;
}

static bool hex_ok(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	return true;
}

/* "IFINDEX,KIND,MAC,PERM" with "-" for empty, or "-" */
static bool parse_dev(const char *s, struct nd_journal_dev *d)
{
	char copy[128], *f[4], *save = NULL;
	unsigned n = 0, idx;

	memset(d, 0, sizeof(*d));
	if (!strcmp(s, "-"))
		return true;
	if (strlen(s) >= sizeof(copy))
		return false;
	snprintf(copy, sizeof(copy), "%s", s);
	for (char *t = strtok_r(copy, ",", &save); t && n < 4; t = strtok_r(NULL, ",", &save))
		f[n++] = t;
	if (n != 4 || strtok_r(NULL, ",", &save) || !strict_uint(f[0], &idx) || !idx || idx > INT_MAX)
		return false;
	d->ifindex = (int)idx;
	if (strlen(f[1]) >= sizeof(d->kind) || strlen(f[2]) >= sizeof(d->mac) ||
	    strlen(f[3]) >= sizeof(d->perm))
		return false;
	snprintf(d->kind, sizeof(d->kind), "%s", strcmp(f[1], "-") ? f[1] : "");
	snprintf(d->mac, sizeof(d->mac), "%s", strcmp(f[2], "-") ? f[2] : "");
	snprintf(d->perm, sizeof(d->perm), "%s", strcmp(f[3], "-") ? f[3] : "");
	return true;
}

static int damage(struct nd_journal *j, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int damage(struct nd_journal *j, unsigned line, const char *fmt, ...)
{
	va_list ap;

	if (j->ndmg == j->capdmg) {
		unsigned cap = j->capdmg ? 2 * j->capdmg : 16;
		void *p = realloc(j->dmg, cap * sizeof(*j->dmg));

		if (!p)
			return -ENOMEM;
		j->dmg = p;
		j->capdmg = cap;
	}
	j->dmg[j->ndmg].line = line;
	va_start(ap, fmt);
	vsnprintf(j->dmg[j->ndmg].reason, sizeof(j->dmg[0].reason), fmt, ap);
	va_end(ap);
	j->ndmg++;
	return 0;
}

static int add_record(struct nd_journal *j, const struct nd_journal_record *r)
{
	if (j->nall == j->capall) {
		unsigned cap = j->capall ? 2 * j->capall : 64;
		void *p = realloc(j->all, cap * sizeof(*j->all));

		if (!p)
			return -ENOMEM;
		j->all = p;
		j->capall = cap;
	}
	j->all[j->nall++] = *r;
	return 0;
}

/* ids only grow through the file: a binary search */
static struct nd_journal_record *find(struct nd_journal *j, unsigned id)
{
	unsigned lo = 0, hi = j->nall;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (j->all[mid].id == id)
			return &j->all[mid];
		if (j->all[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* "change ID KIND OBJECT KEY BEFORE AFTER run=R ns=D:I dev=X" */
static int parse_change(struct nd_journal *j, char **w, unsigned n, unsigned line)
{
	struct nd_journal_record r = { .line = line };

	if (n != 10 && n != 7)
		return damage(j, line, "a change record of %u words, not 10", n);
	if (!strict_uint(w[1], &r.id) || !r.id)
		return damage(j, line, "no record id");
	if (r.id < j->next_id)
		return damage(j, line, "record id %u out of order", r.id);
	if (get_field(w[2], r.kind, sizeof(r.kind)) || get_field(w[3], r.object, sizeof(r.object)) ||
	    get_field(w[4], r.key, sizeof(r.key)) || get_field(w[5], r.before, sizeof(r.before)) ||
	    get_field(w[6], r.after, sizeof(r.after)))
		return damage(j, line, "record %u: a field malformed or too long", r.id);
	/* no identity: undone as an older netdiag would, within the kinds'
	 * bounds all the same */
	r.legacy = n == 7;
	if (!r.legacy && (strncmp(w[7], "run=", 4) || !hex_ok(w[7] + 4, 16) ||
	    strncmp(w[8], "ns=", 3) || sscanf(w[8] + 3, "%llu:%llu", &r.ns_dev, &r.ns_ino) != 2 ||
	    strncmp(w[9], "dev=", 4) || !parse_dev(w[9] + 4, &r.dev)))
		return damage(j, line, "record %u: identity malformed", r.id);
	if (!r.legacy)
		snprintf(r.run, sizeof(r.run), "%s", w[7] + 4);
	if (!journal_kind_known(r.kind))
		return damage(j, line, "record %u: unknown kind", r.id);
	if (!journal_object_ok(r.kind, r.object, r.key, false))
		return damage(j, line, "record %u: %s: refused", r.id,
			      !strcmp(r.kind, "sysctl") ? "a sysctl outside /proc/sys/net" :
			      !strcmp(r.kind, "file") ? "a file netdiag does not write" :
							"an object netdiag does not change");
	journal_dev_of(r.kind, r.object, r.key, r.dev_name);
	j->next_id = r.id + 1;
	return add_record(j, &r);
}

static int parse_line(struct nd_journal *j, char *text, size_t len, unsigned line)
{
	char *crc, *w[12], *save = NULL;
	unsigned n = 0, id;
	struct nd_journal_record *r;
	bool sealed;

	text[len] = 0;
	crc = len >= 13 ? text + len - 13 : NULL;
	sealed = crc && !strncmp(crc, " crc=", 5) && hex_ok(crc + 5, 8);
	if (sealed && strtoul(crc + 5, NULL, 16) != crc32(text, (size_t)(crc - text)))
		return damage(j, line, "checksum mismatch (damaged)");
	if (sealed)
		*crc = 0;
	if (strstr(text, "  ") || text[0] == ' ')
		return damage(j, line, "malformed spacing");
	for (char *t = strtok_r(text, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		if (n == sizeof(w) / sizeof(w[0]))
			return damage(j, line, "too many words");
		w[n++] = t;
	}
	if (!n)
		return damage(j, line, "empty");
	/* an older netdiag's lines, unsealed: "change" and six words, "undo ID" */
	if (!sealed && !(!strcmp(w[0], "change") && n == 7) && !(!strcmp(w[0], "undo") && n == 2))
		return damage(j, line, "no checksum (cut or damaged)");
	if (!strcmp(w[0], "change"))
		return parse_change(j, w, n, line);
	if (n != 2 || !strict_uint(w[1], &id))
		return damage(j, line, "not a journal line");
	if (!strcmp(w[0], "next")) {
		if (id > j->next_id)
			j->next_id = id;
		return 0;
	}
	if (strcmp(w[0], "undo") && strcmp(w[0], "fail") && strcmp(w[0], "forget"))
		return damage(j, line, "not a journal line");
	r = find(j, id);
	if (!r || r->undone)
		return damage(j, line, "%s of record %u, which is not open", w[0], id);
	r->undone = true;
	j->closing++;
	return 0;
}

static void reset(struct nd_journal *j)
{
	j->nall = j->nlive = j->ndmg = j->closing = 0;
	j->next_id = 1;
}

static int parse_text(struct nd_journal *j, const char *text, size_t len)
{
	char *line = malloc(JOURNAL_LINE_MAX + 1);
	unsigned no = 0;
	int ret = 0;

	if (!line)
		return -ENOMEM;
	reset(j);
	for (size_t off = 0; off < len && !ret;) {
		const char *p = text + off, *nl = memchr(p, '\n', len - off);
		size_t n = nl ? (size_t)(nl - p) : len - off;

		no++;
		off += n + 1;
		if (!nl)
			ret = damage(j, no, "cut short (no end of line)");
		else if (n > JOURNAL_LINE_MAX)
			ret = damage(j, no, "over-long line (%zu bytes)", n);
		else if (memchr(p, 0, n))
			ret = damage(j, no, "holds a NUL byte");
		else {
			memcpy(line, p, n);
			ret = parse_line(j, line, n, no);
		}
	}
	free(line);
	return ret;
}

static int load(struct nd_journal *j)
{
	struct stat st;
	char *text;
	size_t got = 0;
	int ret;

	if (j->fd < 0)
		return 0;
	if (fstat(j->fd, &st) < 0)
		return -errno;
	text = malloc((size_t)st.st_size + 1);
	if (!text)
		return -ENOMEM;
	while (got < (size_t)st.st_size) {
		ssize_t n = pread(j->fd, text + got, (size_t)st.st_size - got, (off_t)got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	ret = parse_text(j, text, got);
	j->cut = got && text[got - 1] != '\n';
	free(text);
	return ret;
}

static int write_line(struct nd_journal *j, struct buf *b)
{
	if (j->fd < 0)
		return -EROFS;
	if (b->over)
		return -ENAMETOOLONG;
	/* a line cut short stays damage of its own, not the start of ours */
	if (j->cut) {
		if (write(j->fd, "\n", 1) != 1)
			return errno ? -errno : -EIO;
		j->cut = false;
	}
	if (write(j->fd, b->p, b->len) != (ssize_t)b->len)
		return errno ? -errno : -EIO;
	return fsync(j->fd) ? -errno : 0;
}

static int close_record(struct nd_journal *j, const char *how, unsigned id)
{
	char text[64];
	struct buf b = { text, 0, sizeof(text), false };
	struct nd_journal_record *r = find(j, id);
	int ret;

	put(&b, "%s %u", how, id);
	end_line(&b, 0);
	ret = write_line(j, &b);
	if (!ret && r) {
		r->undone = true;
		j->closing++;
	}
	return ret;
}

/* Rewrite the file with the open records only (and the next id), when
 * closed lines pile up: no capacity limit, and open() stays fast.  Never
 * while a line is damaged: those stay to be seen until forgotten. */
static int compact(struct nd_journal *j)
{
	struct buf b = { NULL, 0, 0, false };
	int fd, ret = 0;

	b.cap = 64 + (size_t)j->nall * 2200;
	b.p = malloc(b.cap);
	if (!b.p)
		return -ENOMEM;
	for (unsigned i = 0; i < j->nall; i++)
		if (!j->all[i].undone)
			record_line(&b, &j->all[i]);
	/* last: ids keep growing though the records that had them are gone */
	{
		size_t start = b.len;

		put(&b, "next %u", j->next_id);
		end_line(&b, start);
	}
	unlinkat(j->dirfd, "journal.new", 0);
	fd = openat(j->dirfd, "journal.new", O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || b.over) {
		ret = b.over ? -EOVERFLOW : -errno;
		goto out;
	}
	if (write(fd, b.p, b.len) != (ssize_t)b.len || fsync(fd) ||
	    renameat(j->dirfd, "journal.new", j->dirfd, "journal")) {
		ret = errno ? -errno : -EIO;
		unlinkat(j->dirfd, "journal.new", 0);
		goto out;
	}
	fsync(j->dirfd);
	close(j->fd);
	j->fd = fd;
	fd = -1;
	/* the new file's descriptor appends from here */
	fcntl(j->fd, F_SETFL, O_APPEND);
	ret = load(j);
out:
	if (fd >= 0)
		close(fd);
	free(b.p);
	return ret;
}

static int lock_wait(int fd)
{
	for (unsigned waited = 0;; waited += 20) {
		if (!flock(fd, LOCK_EX | LOCK_NB))
			return 0;
		if (errno != EWOULDBLOCK || waited >= LOCK_WAIT_MS)
			return -errno;
		usleep(20000);
	}
}

int nd_journal_open(struct nd_journal **jp, char *err, size_t errlen)
{
	struct nd_journal *j = calloc(1, sizeof(*j));
	int ret;

	if (!j)
		return -ENOMEM;
	j->lock_fd = j->fd = -1;
	j->dirfd = nd_run_dir_open(err, errlen);
	if (j->dirfd < 0) {
		ret = j->dirfd;
		goto fail;
	}
	j->lock_fd = nd_run_file_open(j->dirfd, "journal.lock", O_RDWR | O_CREAT, err, errlen);
	if (j->lock_fd < 0) {
		ret = j->lock_fd;
		goto fail;
	}
	ret = lock_wait(j->lock_fd);
	if (ret) {
		snprintf(err, errlen, "%s/journal.lock: %s", nd_run_dir(),
			 ret == -EWOULDBLOCK ? "another netdiag is changing this host" : strerror(-ret));
		goto fail;
	}
	j->fd = nd_run_file_open(j->dirfd, "journal", O_RDWR | O_CREAT | O_APPEND, err, errlen);
	if (j->fd < 0) {
		ret = j->fd;
		goto fail;
	}
	ret = load(j);
	if (!ret && !j->ndmg && j->closing >= COMPACT_AFTER && j->closing >= j->nall - j->closing)
		ret = compact(j);
	if (ret) {
		snprintf(err, errlen, "%s/journal: %s", nd_run_dir(), strerror(-ret));
		goto fail;
	}
	*jp = j;
	return 0;
fail:
	nd_journal_close(j);
	return ret;
}

int nd_journal_parse(const char *text, size_t len, struct nd_journal **jp)
{
	struct nd_journal *j = calloc(1, sizeof(*j));
	int ret;

	if (!j)
		return -ENOMEM;
	j->dirfd = j->lock_fd = j->fd = -1;
	ret = parse_text(j, text, len);
	if (ret) {
		nd_journal_close(j);
		return ret;
	}
	*jp = j;
	return 0;
}

void nd_journal_close(struct nd_journal *j)
{
	if (!j)
		return;
	if (j->fd >= 0)
		close(j->fd);
	if (j->lock_fd >= 0)
		close(j->lock_fd);
	if (j->dirfd >= 0)
		close(j->dirfd);
	free(j->all);
	free(j->live);
	free(j->dmg);
	free(j);
}

int nd_journal_append(struct nd_journal *j, struct nd_journal_record *r)
{
	char text[JOURNAL_LINE_MAX];
	struct buf b = { text, 0, sizeof(text), false };
	int ret;

	if (j->fd < 0)
		return -EROFS;
	if (!journal_kind_known(r->kind))
		return -ENOTSUP;
	if (!journal_object_ok(r->kind, r->object, r->key, true))
		return -EPERM;
	ret = journal_netns_of("/proc/self/ns/net", &r->ns_dev, &r->ns_ino);
	if (ret)
		return ret;
	journal_dev_of(r->kind, r->object, r->key, r->dev_name);
	memset(&r->dev, 0, sizeof(r->dev));
	if (r->dev_name[0]) {
		ret = nd_journal_dev_get(r->dev_name, &r->dev);
		if (ret)
			return ret;
	}
	snprintf(r->run, sizeof(r->run), "%s", nd_journal_run_id());
	r->id = j->next_id;
	r->undone = false;
	record_line(&b, r);
	ret = write_line(j, &b);
	if (ret)
		return ret;
	j->next_id++;
	last_appended = r->id;
	return add_record(j, r);
}

int nd_journal_failed(struct nd_journal *j, unsigned id)
{
	struct nd_journal_record *r = find(j, id);

	return r && !r->undone ? close_record(j, "fail", id) : -ENOENT;
}

/* errors that mean the kernel changed nothing */
static bool refused(int err)
{
	static const int codes[] = { EPERM, EACCES, EROFS, EINVAL, ENODEV, ENOENT, EOPNOTSUPP,
				     EEXIST, ERANGE, EBUSY };

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (err == -codes[i])
			return true;
	return false;
}

int nd_journal_change(struct nd_journal *j, const char *kind, const char *object,
		      const char *key, const char *before, const char *after)
{
	struct nd_journal_record r = { 0 };
	int ret;

	if (strlen(kind) >= sizeof(r.kind) || strlen(object) >= sizeof(r.object) ||
	    strlen(key) >= sizeof(r.key) || strlen(before) >= sizeof(r.before) ||
	    strlen(after) >= sizeof(r.after))
		return -ENAMETOOLONG;
	snprintf(r.kind, sizeof(r.kind), "%s", kind);
	snprintf(r.object, sizeof(r.object), "%s", object);
	snprintf(r.key, sizeof(r.key), "%s", key);
	snprintf(r.before, sizeof(r.before), "%s", before);
	snprintf(r.after, sizeof(r.after), "%s", after);
	ret = nd_journal_append(j, &r);
	if (ret)
		return ret;
	ret = journal_kind_write(kind, object, key, after);
	/* failed: put the before-value back (or see the kernel refused), and
	 * close the record, so no later undo trips on it */
	if (ret && (!journal_kind_write(kind, object, key, before) || refused(ret)))
		close_record(j, "fail", r.id);
	return ret;
}

int nd_journal_sysctl(struct nd_journal *j, const char *path, const char *value)
{
	char file[PATH_MAX], before[64] = "";
	ssize_t n;
	int fd;

	if (!journal_sysctl_ok(path))
		return -EPERM;
	snprintf(file, sizeof(file), "/proc/sys/%s", path);
	fd = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, before, sizeof(before) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -EIO;
	before[n] = 0;
	before[strcspn(before, "\n")] = 0;
	if (!strcmp(before, value))
		return 1;
	return nd_journal_change(j, "sysctl", path, "", before, value);
}

const struct nd_journal_record *nd_journal_records(struct nd_journal *j, unsigned *n)
{
	void *p = realloc(j->live, (j->nall ? j->nall : 1) * sizeof(*j->live));

	j->nlive = 0;
	if (p) {
		j->live = p;
		for (unsigned i = 0; i < j->nall; i++)
			if (!j->all[i].undone)
				j->live[j->nlive++] = j->all[i];
	}
	*n = j->nlive;
	return j->live;
}

const struct nd_journal_damage *nd_journal_damaged(struct nd_journal *j, unsigned *n)
{
	*n = j->ndmg;
	return j->dmg;
}

unsigned nd_journal_mark(void)
{
	return last_appended;
}

/* newest first over the open records, of one run after mark when run */
static int undo_where(struct nd_journal *j, unsigned count, const char *run, unsigned mark,
		      bool dry_run, void (*done)(void *, const struct nd_journal_record *, int),
		      void *arg)
{
	int first_err = 0;
	unsigned seen = 0;

	if (!dry_run && j->fd < 0)
		return -EROFS;
	for (unsigned i = j->nall; i-- > 0 && (!count || seen < count);) {
		struct nd_journal_record *r = &j->all[i];
		enum nd_journal_skip skip;
		int ret;

		if (r->undone || (run && (strcmp(r->run, run) || r->id <= mark)))
			continue;
		seen++;
		skip = nd_journal_applies(r);
		if (skip) {
			if (done)
				done(arg, r, (int)skip);
			continue;
		}
		ret = dry_run ? 0 : journal_kind_write(r->kind, r->object, r->key, r->before);
		if (!ret && !dry_run)
			ret = close_record(j, "undo", r->id);
		if (done)
			done(arg, r, ret);
		if (ret && !first_err)
			first_err = ret;
	}
	return first_err;
}

int nd_journal_undo(struct nd_journal *j, unsigned count, bool dry_run,
		    void (*done)(void *arg, const struct nd_journal_record *r, int result),
		    void *arg)
{
	return undo_where(j, count, NULL, 0, dry_run, done, arg);
}

int nd_journal_undo_run(struct nd_journal *j, unsigned mark, bool dry_run,
			void (*done)(void *arg, const struct nd_journal_record *r, int result),
			void *arg)
{
	return undo_where(j, 0, nd_journal_run_id(), mark, dry_run, done, arg);
}

int nd_journal_forget(struct nd_journal *j, bool dry_run,
		      void (*done)(void *arg, const struct nd_journal_record *r, int result),
		      void (*damaged)(void *arg, const struct nd_journal_damage *d), void *arg)
{
	int ret = 0;

	if (!dry_run && j->fd < 0)
		return -EROFS;
	for (unsigned i = 0; i < j->ndmg; i++)
		if (damaged)
			damaged(arg, &j->dmg[i]);
	for (unsigned i = 0; i < j->nall && !ret; i++) {
		struct nd_journal_record *r = &j->all[i];
		enum nd_journal_skip skip;

		if (r->undone)
			continue;
		skip = nd_journal_applies(r);
		if (skip == ND_JOURNAL_APPLIES || skip == ND_JOURNAL_OTHER_NS)
			continue;
		if (!dry_run)
			ret = close_record(j, "forget", r->id);
		if (done)
			done(arg, r, ret ? ret : (int)skip);
	}
	if (!ret && !dry_run) {
		j->ndmg = 0;             /* dropped by the rewrite */
		ret = compact(j);
	}
	return ret;
}
