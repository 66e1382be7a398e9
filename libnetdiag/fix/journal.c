/* The change journal; see netdiag/journal.h. */
#include <ctype.h>
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
#include <netdiag/linkset.h>
#include <netdiag/nft.h>
#include <netdiag/offload.h>
#include <netdiag/rtnl.h>

#define JOURNAL_RECORDS_MAX 4096
/* "change", the id and five fields, each at worst three times encoded */
#define JOURNAL_LINE_MAX (32 + 3 * (16 + ND_JOURNAL_OBJECT_MAX + 3 * ND_JOURNAL_FIELD_MAX) + 8)
#define DEFAULT_RUN_DIR "/run/netdiag"

struct nd_journal {
	FILE *file;
	int lock_fd;
	struct nd_journal_record *recs;
	unsigned n;
	struct nd_journal_record live[JOURNAL_RECORDS_MAX];
	unsigned nlive;
};

/* ---- kinds: how to write a value back ---- */

static int offload_write(const char *dev, const char *feature, const char *value)
{
	struct nd_feature_change ch = { feature, !strcmp(value, "on") };
	struct nd_features fs;
	struct nd_ethtool *e;
	char err[128];
	int ret = nd_ethtool_open(&e);

	if (ret)
		return ret;
	ret = nd_offload_get(e, dev, &fs);
	if (!ret)
		ret = nd_offload_set(e, &fs, &ch, 1, err, sizeof(err));
	if (!ret) {
		const struct nd_feature *f;

		ret = nd_offload_get(e, dev, &fs);
		f = ret ? NULL : nd_feature_find(&fs, feature);
		if (!ret && (!f || f->wanted != ch.on))
			ret = -EIO;
	}
	nd_ethtool_close(e);
	return ret;
}

static int sysctl_write(const char *path, const char *unused, const char *value)
{
	return nd_sysctl_write(path, value);
}

/* key "DEV" for an on-link route, "DEV@GW" for one via a gateway */
static int route_write(const char *dst, const char *key, const char *value)
{
	char dev[64], *at;
	bool present;
	int ret;

	snprintf(dev, sizeof(dev), "%s", key);
	at = strchr(dev, '@');
	if (at)
		*at++ = 0;
	ret = nd_route_present(dst, dev, at, &present);
	if (ret || present == !strcmp(value, "present"))
		return ret;
	return nd_route_change(!present, dst, dev, at);
}

static int addr_write(const char *addr, const char *dev, const char *value)
{
	bool present;
	int ret = nd_addr_present(addr, dev, &present);

	if (ret || present == !strcmp(value, "present"))
		return ret;
	return nd_addr_change(!present, addr, dev);
}

/* A configuration file netdiag wrote (doctor --persist): the record is
 * made before the file, so undo can remove it; "present" cannot be
 * written back from the journal, only checked. */
static int file_write(const char *path, const char *unused, const char *value)
{
	if (!strcmp(value, "absent"))
		return unlink(path) < 0 && errno != ENOENT ? -errno : 0;
	return access(path, F_OK) == 0 ? 0 : -ENOENT;
}

/* A file netdiag moved aside to put its own in its place (a hook it
 * chains to): object the new path, key the original; "absent" moves it
 * back, "present" is only checked. */
static int rename_write(const char *moved, const char *original, const char *value)
{
	if (strcmp(value, "absent"))
		return access(moved, F_OK) == 0 ? 0 : -ENOENT;
	if (access(moved, F_OK) != 0)
		return errno == ENOENT ? 0 : -errno;
	/* never over a file someone put there since */
	if (access(original, F_OK) == 0)
		return -EEXIST;
	return rename(moved, original) < 0 ? -errno : 0;
}

static int parse_long(const char *text, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(text, &end, 10);
	return errno || end == text || *end ? -EINVAL : 0;
}

/* object DEV, value the MTU in bytes; read back, so a driver that clamps
 * or refuses silently is an error */
static int mtu_write(const char *dev, const char *unused, const char *value)
{
	unsigned now;
	long mtu;
	int ret = parse_long(value, &mtu);

	if (ret || mtu <= 0 || mtu > (long)UINT32_MAX)
		return -EINVAL;
	ret = nd_link_mtu_write(dev, (unsigned)mtu);
	if (!ret)
		ret = nd_link_mtu(dev, &now);
	return ret ? ret : now == (unsigned)mtu ? 0 : -EIO;
}

/* object BR, key a bridge attribute (forward_delay, stp_state), value its
 * number; stp_state 1 may read back 2 when a user-space STP helper took
 * over (br_stp_start), which is STP on all the same */
static int bridge_write(const char *br, const char *key, const char *value)
{
	long want, now;
	int ret = parse_long(value, &want);

	if (ret)
		return ret;
	ret = nd_bridge_attr_write(br, key, want);
	if (!ret)
		ret = nd_bridge_attr(br, key, &now);
	if (ret)
		return ret;
	if (!strcmp(key, "stp_state"))
		return (now != 0) == (want != 0) ? 0 : -EIO;
	return now == want ? 0 : -EIO;
}

static const struct {
	const char *kind;
	int (*write)(const char *object, const char *key, const char *value);
} kinds[] = {
	{ "file", file_write },
	{ "rename", rename_write },
	{ "offload", offload_write },
	{ "sysctl", sysctl_write },
	{ "route", route_write },
	{ "addr", addr_write },
	{ "mtu", mtu_write },
	{ "bridge", bridge_write },
	{ "nft-rule", nd_nft_rule_write },
};

/* ---- the file ---- */

const char *nd_run_dir(void)
{
	const char *d = getenv("NETDIAG_RUN_DIR");

	return d && d[0] ? d : DEFAULT_RUN_DIR;
}

/* Fields are written percent-encoded where they hold a space, '%' or a
 * control character, and "-" stands for an empty field (a field that is
 * exactly "-" is written %2D), so every record is seven words. */
static void put_field(FILE *f, const char *v)
{
	fputc(' ', f);
	if (!v[0]) {
		fputc('-', f);
		return;
	}
	if (!strcmp(v, "-")) {
		fputs("%2D", f);
		return;
	}
	for (const unsigned char *c = (const unsigned char *)v; *c; c++)
		if (*c <= ' ' || *c == '%' || *c == 0x7f)
			fprintf(f, "%%%02X", *c);
		else
			fputc(*c, f);
}

static int get_field(const char *word, char *out, size_t len)
{
	size_t n = 0;

	if (!strcmp(word, "-")) {
		out[0] = 0;
		return 0;
	}
	for (const char *c = word; *c; c++) {
		unsigned v;

		if (n + 1 >= len)
			return -ENAMETOOLONG;
		if (*c == '%' && sscanf(c + 1, "%2x", &v) == 1 && isxdigit((unsigned char)c[1]) &&
		    isxdigit((unsigned char)c[2])) {
			out[n++] = (char)v;
			c += 2;
		} else {
			out[n++] = *c;
		}
	}
	out[n] = 0;
	return 0;
}

/* "change ID KIND OBJECT KEY BEFORE AFTER" */
static int parse_change(char *line, struct nd_journal_record *r)
{
	char *save = NULL, *w[7];
	unsigned n = 0;

	for (char *t = strtok_r(line, " \n", &save); t && n < 7; t = strtok_r(NULL, " \n", &save))
		w[n++] = t;
	if (n != 7 || strcmp(w[0], "change") || sscanf(w[1], "%u", &r->id) != 1)
		return -EINVAL;
	return get_field(w[2], r->kind, sizeof(r->kind)) || get_field(w[3], r->object, sizeof(r->object)) ||
	       get_field(w[4], r->key, sizeof(r->key)) || get_field(w[5], r->before, sizeof(r->before)) ||
	       get_field(w[6], r->after, sizeof(r->after)) ? -EINVAL : 0;
}

static void load(struct nd_journal *j)
{
	char line[JOURNAL_LINE_MAX];

	rewind(j->file);
	j->nlive = 0;
	while (fgets(line, sizeof(line), j->file)) {
		struct nd_journal_record r = { 0 };
		unsigned undo_id;

		if (sscanf(line, "undo %u", &undo_id) == 1) {
			for (unsigned i = 0; i < j->nlive; i++)
				if (j->live[i].id == undo_id)
					j->live[i].undone = true;
			continue;
		}
		if (parse_change(line, &r) == 0 && j->nlive < JOURNAL_RECORDS_MAX)
			j->live[j->nlive++] = r;
	}
	/* keep only records not undone, in order */
	unsigned k = 0;

	for (unsigned i = 0; i < j->nlive; i++)
		if (!j->live[i].undone)
			j->live[k++] = j->live[i];
	j->n = k;
	j->recs = j->live;
	fseek(j->file, 0, SEEK_END);
}

int nd_journal_open(struct nd_journal **jp, char *err, size_t errlen)
{
	char path[512];
	struct nd_journal *j = calloc(1, sizeof(*j));
	int fd;

	if (!j)
		return -ENOMEM;
	j->lock_fd = -1;
	if (mkdir(nd_run_dir(), 0700) < 0 && errno != EEXIST)
		goto fail;
	snprintf(path, sizeof(path), "%s/journal.lock", nd_run_dir());
	j->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (j->lock_fd < 0)
		goto fail;
	if (flock(j->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		snprintf(err, errlen, "%s: another netdiag is changing this host", path);
		free(j);
		return -EWOULDBLOCK;
	}
	snprintf(path, sizeof(path), "%s/journal", nd_run_dir());
	fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0 || !(j->file = fdopen(fd, "a+")))
		goto fail;
	load(j);
	*jp = j;
	return 0;
fail:
	snprintf(err, errlen, "%s: %s", nd_run_dir(), strerror(errno));
	if (j->lock_fd >= 0)
		close(j->lock_fd);
	free(j);
	return -errno;
}

void nd_journal_close(struct nd_journal *j)
{
	if (!j)
		return;
	if (j->file)
		fclose(j->file);
	if (j->lock_fd >= 0)
		close(j->lock_fd);
	free(j);
}

static int sync_line(struct nd_journal *j)
{
	if (fflush(j->file) || fsync(fileno(j->file)))
		return -errno;
	return 0;
}

int nd_journal_append(struct nd_journal *j, struct nd_journal_record *r)
{
	unsigned last = 0;
	char line[JOURNAL_LINE_MAX];

	rewind(j->file);
	while (fgets(line, sizeof(line), j->file)) {
		unsigned id;

		if (sscanf(line, "change %u", &id) == 1 && id > last)
			last = id;
	}
	fseek(j->file, 0, SEEK_END);
	r->id = last + 1;
	fprintf(j->file, "change %u", r->id);
	put_field(j->file, r->kind);
	put_field(j->file, r->object);
	put_field(j->file, r->key);
	put_field(j->file, r->before);
	put_field(j->file, r->after);
	fputc('\n', j->file);
	return sync_line(j);
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
	for (size_t k = 0; !ret && k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (!strcmp(kinds[k].kind, kind))
			return kinds[k].write(object, key, after);
	return ret ? ret : -ENOTSUP;
}

int nd_journal_sysctl(struct nd_journal *j, const char *path, const char *value)
{
	char file[PATH_MAX], before[64] = "";
	FILE *f;

	snprintf(file, sizeof(file), "/proc/sys/%s", path);
	f = fopen(file, "r");
	if (!f)
		return -errno;
	if (!fgets(before, sizeof(before), f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	before[strcspn(before, "\n")] = 0;
	if (!strcmp(before, value))
		return 1;
	return nd_journal_change(j, "sysctl", path, "", before, value);
}

const struct nd_journal_record *nd_journal_records(struct nd_journal *j, unsigned *n)
{
	load(j);
	*n = j->n;
	return j->recs;
}

int nd_journal_undo(struct nd_journal *j, unsigned count, bool dry_run,
		    void (*done)(void *arg, const struct nd_journal_record *r, int result),
		    void *arg)
{
	int first_err = 0;
	unsigned stop;

	load(j);
	stop = count && count < j->n ? j->n - count : 0;
	for (unsigned i = j->n; i-- > stop;) {
		const struct nd_journal_record *r = &j->recs[i];
		int ret = -ENOTSUP;

		for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
			if (!strcmp(kinds[k].kind, r->kind))
				ret = dry_run ? 0 : kinds[k].write(r->object, r->key, r->before);
		if (!ret && !dry_run) {
			fprintf(j->file, "undo %u\n", r->id);
			ret = sync_line(j);
		}
		if (done)
			done(arg, r, ret);
		if (ret && !first_err)
			first_err = ret;
	}
	return first_err;
}
