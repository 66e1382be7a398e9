/* The change journal; see netdiag/journal.h.  This file: the file,
 * loading, appending, compaction and undo; its lines (CRC-32 sealed) are
 * in journal_line.c, the kinds in journal_kinds.c, identity in
 * journal_id.c, the run directory in core/rundir.c. */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <netdiag/journal.h>

#include "journal_internal.h"

#define LOCK_WAIT_MS 10000       /* another run's change is a write and a sync */
#define COMPACT_AFTER 512        /* closed lines that make open() rewrite the file */


static unsigned last_appended;       /* nd_journal_mark() */

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
	ret = journal_parse_text(j, text, got);
	j->cut = got && text[got - 1] != '\n';
	free(text);
	return ret;
}

static int write_line(struct nd_journal *j, struct journal_buf *b)
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
	struct journal_buf b = { text, 0, sizeof(text), false };
	struct nd_journal_record *r = journal_find(j, id);
	int ret;

	journal_put(&b, "%s %u", how, id);
	journal_end_line(&b, 0);
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
	struct journal_buf b = { NULL, 0, 0, false };
	int fd, ret = 0;

	b.cap = 64 + (size_t)j->nall * 2200;
	b.p = malloc(b.cap);
	if (!b.p)
		return -ENOMEM;
	for (unsigned i = 0; i < j->nall; i++)
		if (!j->all[i].undone)
			journal_record_line(&b, &j->all[i]);
	/* last: ids keep growing though the records that had them are gone */
	{
		size_t start = b.len;

		journal_put(&b, "next %u", j->next_id);
		journal_end_line(&b, start);
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
	ret = journal_parse_text(j, text, len);
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
	struct journal_buf b = { text, 0, sizeof(text), false };
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
	journal_record_line(&b, r);
	ret = write_line(j, &b);
	if (ret)
		return ret;
	j->next_id++;
	last_appended = r->id;
	return journal_add_record(j, r);
}

int nd_journal_failed(struct nd_journal *j, unsigned id)
{
	struct nd_journal_record *r = journal_find(j, id);

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
