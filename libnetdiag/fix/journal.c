/* The change journal; see netdiag/journal.h. */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <netdiag/doctor.h>
#include <netdiag/journal.h>
#include <netdiag/linkset.h>
#include <netdiag/nft.h>
#include <netdiag/offload.h>
#include <netdiag/route.h>
#include <netdiag/rtnl.h>

/* The longest line a record makes (each field at worst three times
 * encoded, plus identity and checksum) is under 2 KiB; longer is damage,
 * and its tail is never read as a record of its own. */
#define JOURNAL_LINE_MAX 4096
#define DEFAULT_RUN_DIR "/run/netdiag"
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

/* ---- what a kind may touch ---- */

static bool ifname_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= IF_NAMESIZE || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		if (*c <= ' ' || *c == '/' || *c == ':' || *c >= 0x7f)
			return false;
	return true;
}

/* letters, digits and a few punctuation marks: feature and table names */
static bool word_ok(const char *s, const char *extra)
{
	if (!s[0])
		return false;
	for (const char *c = s; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr(extra, *c))
			return false;
	return true;
}

/* "ADDR/LEN", IPv4 or IPv6 */
static bool prefix_ok(const char *s)
{
	char a[INET6_ADDRSTRLEN + 1];
	unsigned char buf[16];
	const char *slash = strchr(s, '/');
	long len;
	char *end;

	if (!slash || (size_t)(slash - s) >= sizeof(a))
		return false;
	snprintf(a, sizeof(a), "%.*s", (int)(slash - s), s);
	errno = 0;
	len = strtol(slash + 1, &end, 10);
	if (errno || end == slash + 1 || *end || len < 0)
		return false;
	if (inet_pton(AF_INET, a, buf) == 1)
		return len <= 32;
	return inet_pton(AF_INET6, a, buf) == 1 && len <= 128;
}

/* A sysctl under /proc/sys/net: components of [A-Za-z0-9_.-], none "."
 * or "..", so no record reaches outside it. */
static bool sysctl_ok(const char *path)
{
	if (strncmp(path, "net/", 4) || strlen(path) > 200)
		return false;
	for (const char *c = path; *c; c++) {
		if (!isalnum((unsigned char)*c) && !strchr("_.-/@:+", *c))
			return false;
		if (*c == '/' && (c[1] == '/' || !c[1] || (c[1] == '.' && (c[2] == '/' || !c[2] ||
			(c[2] == '.' && (c[3] == '/' || !c[3]))))))
			return false;
	}
	return true;
}

/* at_write: about to change the host, so a file must be under this
 * run's persistence root; read from the journal, under any root */
static bool object_ok(const char *kind, const char *object, const char *key, bool at_write)
{
	char dev[ND_JOURNAL_FIELD_MAX];
	const char *at;

	if (!strcmp(kind, "sysctl"))
		return sysctl_ok(object);
	if (!strcmp(kind, "file"))
		return nd_persist_path_ok(object, !at_write);
	if (!strcmp(kind, "offload"))
		return ifname_ok(object) && word_ok(key, "-_");
	if (!strcmp(kind, "mtu"))
		return ifname_ok(object);
	if (!strcmp(kind, "bridge"))
		return ifname_ok(object) && (!strcmp(key, "forward_delay") || !strcmp(key, "stp_state"));
	if (!strcmp(kind, "nft-rule"))
		return word_ok(object, "/_-.") && ifname_ok(key);
	if (!strcmp(kind, "guest"))
		return nd_route_guest_name_ok(object) && !key[0];
	if (strcmp(kind, "route") && strcmp(kind, "addr"))
		return false;
	at = strchr(key, '@');
	snprintf(dev, sizeof(dev), "%.*s", at ? (int)(at - key) : (int)strlen(key), key);
	if (at && strcmp(kind, "route"))
		return false;
	if (at) {
		unsigned char gw[16];

		if (inet_pton(AF_INET, at + 1, gw) != 1 && inet_pton(AF_INET6, at + 1, gw) != 1)
			return false;
	}
	return prefix_ok(object) && ifname_ok(dev);
}

/* The device a record names, "" for none: what its identity is taken of. */
static void dev_of(const char *kind, const char *object, const char *key, char *dev)
{
	static const char *const conf[] = { "net/ipv4/conf/", "net/ipv6/conf/", "net/ipv4/neigh/",
					    "net/ipv6/neigh/" };

	dev[0] = 0;
	if (!strcmp(kind, "offload") || !strcmp(kind, "mtu") || !strcmp(kind, "bridge")) {
		snprintf(dev, IF_NAMESIZE, "%s", object);
	} else if (!strcmp(kind, "route") || !strcmp(kind, "addr")) {
		snprintf(dev, IF_NAMESIZE, "%.*s", (int)strcspn(key, "@"), key);
	} else if (!strcmp(kind, "sysctl")) {
		for (size_t i = 0; i < sizeof(conf) / sizeof(conf[0]); i++) {
			size_t n = strlen(conf[i]), len;

			if (strncmp(object, conf[i], n))
				continue;
			len = strcspn(object + n, "/");
			if (len < IF_NAMESIZE)
				snprintf(dev, IF_NAMESIZE, "%.*s", (int)len, object + n);
		}
		if (!strcmp(dev, "all") || !strcmp(dev, "default"))
			dev[0] = 0;
	}
}

/* ---- kinds: how to write a value back ---- */

static int sysctl_write(const char *path, const char *unused, const char *value)
{
	char full[256];
	size_t len = strlen(value);
	int fd, ret = 0;

	if (!sysctl_ok(path))
		return -EPERM;
	snprintf(full, sizeof(full), "/proc/sys/%s", path);
	fd = open(full, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, value, len) != (ssize_t)len || write(fd, "\n", 1) != 1)
		ret = errno ? -errno : -EIO;
	close(fd);
	return ret;
}

/* A configuration file netdiag wrote (doctor --persist): the record is
 * made before the file, so undo can remove it; "present" cannot be
 * written back from the journal, only checked.  Only the paths persist.c
 * writes (nd_persist_path_ok), and only a regular file. */
static int file_write(const char *path, const char *unused, const char *value)
{
	struct stat st;

	if (!nd_persist_path_ok(path, false))
		return -EPERM;
	if (lstat(path, &st) < 0)
		return errno == ENOENT && !strcmp(value, "absent") ? 0 : -errno;
	if (!S_ISREG(st.st_mode))
		return -EPERM;
	if (!strcmp(value, "absent"))
		return unlink(path) < 0 && errno != ENOENT ? -errno : 0;
	return 0;
}

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
	{ "offload", offload_write },
	{ "sysctl", sysctl_write },
	{ "route", route_write },
	{ "addr", addr_write },
	{ "mtu", mtu_write },
	{ "bridge", bridge_write },
	{ "nft-rule", nd_nft_rule_write },
	{ "guest", nd_route_guest_state_write },
};

static int kind_write(const char *kind, const char *object, const char *key, const char *value)
{
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (!strcmp(kinds[k].kind, kind))
			return object_ok(kind, object, key, true) ? kinds[k].write(object, key, value) : -EPERM;
	return -ENOTSUP;
}

static bool kind_known(const char *kind)
{
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (!strcmp(kinds[k].kind, kind))
			return true;
	return false;
}

/* ---- the run directory ---- */

const char *nd_run_dir(void)
{
	const char *d = getenv("NETDIAG_RUN_DIR");

	return d && d[0] ? d : DEFAULT_RUN_DIR;
}

/* ours: a directory (or file) owned by the effective user, writable by no
 * one else */
static int trusted(int fd, bool dir, const char *what, char *err, size_t errlen)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "%s: %s", what, strerror(errno));
		return -errno;
	}
	if (dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a %s: refused", what, dir ? "directory" : "regular file");
		return -EPERM;
	}
	if (st.st_uid != geteuid()) {
		snprintf(err, errlen, "%s: owned by uid %u, not %u: refused", what, (unsigned)st.st_uid,
			 (unsigned)geteuid());
		return -EPERM;
	}
	if (st.st_mode & 022) {
		snprintf(err, errlen, "%s: writable by others (mode %03o): refused", what,
			 (unsigned)(st.st_mode & 0777));
		return -EPERM;
	}
	if (!dir && st.st_nlink != 1) {
		snprintf(err, errlen, "%s: has %lu links: refused", what, (unsigned long)st.st_nlink);
		return -EPERM;
	}
	return 0;
}

static int open_dir_checked(int at, const char *name, const char *what, bool create, char *err,
			    size_t errlen)
{
	int fd, ret;

	if (create && mkdirat(at, name, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", what, strerror(errno));
		return -errno;
	}
	fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		if (errno == ELOOP || errno == ENOTDIR)
			snprintf(err, errlen, "%s: not a directory (a symbolic link?): refused", what);
		else
			snprintf(err, errlen, "%s: %s", what, strerror(errno));
		return ret == -ELOOP || ret == -ENOTDIR ? -EPERM : ret;
	}
	ret = trusted(fd, true, what, err, errlen);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

int nd_run_dir_open(char *err, size_t errlen)
{
	return open_dir_checked(AT_FDCWD, nd_run_dir(), nd_run_dir(), true, err, errlen);
}

int nd_run_subdir_open(int dirfd, const char *name, bool create, char *err, size_t errlen)
{
	char what[512];

	if (!name[0] || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..")) {
		snprintf(err, errlen, "%s: not a name", name);
		return -EINVAL;
	}
	{
		char link[64], parent[400];
		ssize_t n;

		/* name the directory by its path for the message */
		snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
		n = readlink(link, parent, sizeof(parent) - 1);
		parent[n > 0 ? n : 0] = 0;
		snprintf(what, sizeof(what), "%s/%s", n > 0 ? parent : nd_run_dir(), name);
	}
	return open_dir_checked(dirfd, name, what, create, err, errlen);
}

/* a regular file of ours under dirfd, never through a symbolic link */
static int open_file_checked(int dirfd, const char *name, int flags, char *err, size_t errlen)
{
	char what[512];
	int fd, ret;

	snprintf(what, sizeof(what), "%s/%s", nd_run_dir(), name);
	fd = openat(dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		ret = errno == ELOOP ? -EPERM : -errno;
		snprintf(err, errlen, "%s: %s", what,
			 errno == ELOOP ? "a symbolic link: refused" : strerror(errno));
		return ret;
	}
	ret = trusted(fd, false, what, err, errlen);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

int nd_run_lock(const char *name, char *err, size_t errlen)
{
	int dfd = nd_run_dir_open(err, errlen), fd;

	if (dfd < 0)
		return dfd;
	fd = open_file_checked(dfd, name, O_RDWR | O_CREAT, err, errlen);
	close(dfd);
	if (fd < 0)
		return fd;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int ret = -errno;

		snprintf(err, errlen, "%s/%s: %s", nd_run_dir(), name, strerror(errno));
		close(fd);
		return ret;
	}
	return fd;
}

/* ---- identity ---- */

const char *nd_journal_run_id(void)
{
	static char id[ND_JOURNAL_RUN_MAX];

	if (!id[0]) {
		uint64_t r = 0;

		if (getrandom(&r, sizeof(r), 0) != sizeof(r)) {
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			r = ((uint64_t)ts.tv_nsec << 32) ^ (uint64_t)ts.tv_sec ^ ((uint64_t)getpid() << 16);
		}
		snprintf(id, sizeof(id), "%016llx", (unsigned long long)r);
	}
	return id;
}

static int netns_of(const char *path, unsigned long long *dev, unsigned long long *ino)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -errno;
	*dev = (unsigned long long)st.st_dev;
	*ino = (unsigned long long)st.st_ino;
	return 0;
}

/* a namespace lives while a process is in it or a bind mount holds it
 * (ip netns: /run/netns) */
static bool netns_exists(unsigned long long dev, unsigned long long ino)
{
	static const char *const dirs[] = { "/proc", "/run/netns", "/var/run/netns" };
	bool found = false;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]) && !found; i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *e;

		while (d && !found && (e = readdir(d))) {
			char path[300];
			unsigned long long dv = 0, in = 0;

			if (e->d_name[0] == '.' || (i == 0 && !isdigit((unsigned char)e->d_name[0])))
				continue;
			snprintf(path, sizeof(path), "%s/%s%s", dirs[i], e->d_name, i ? "" : "/ns/net");
			found = !netns_of(path, &dv, &in) && dv == dev && in == ino;
		}
		if (d)
			closedir(d);
	}
	return found;
}

/* kinds whose MAC follows their ports: a changed MAC does not make them
 * another device */
static bool mac_follows_ports(const char *kind)
{
	return !strcmp(kind, "bridge") || !strcmp(kind, "bond") || !strcmp(kind, "team");
}

enum nd_journal_skip nd_journal_applies(const struct nd_journal_record *r)
{
	struct nd_journal_dev now;
	unsigned long long dev = 0, ino = 0;
	int ret;

	if (!netns_of("/proc/self/ns/net", &dev, &ino) && (dev != r->ns_dev || ino != r->ns_ino)) {
		/* one scan of /proc for a run of records from the same namespace */
		static unsigned long long last_dev, last_ino;
		static bool last_exists;

		if (r->ns_dev != last_dev || r->ns_ino != last_ino) {
			last_exists = netns_exists(r->ns_dev, r->ns_ino);
			last_dev = r->ns_dev;
			last_ino = r->ns_ino;
		}
		return last_exists ? ND_JOURNAL_OTHER_NS : ND_JOURNAL_NS_GONE;
	}
	if (!r->dev.ifindex)
		return ND_JOURNAL_APPLIES;
	ret = nd_journal_dev_get(r->dev_name, &now);
	if (ret == -ENODEV)
		return ND_JOURNAL_DEV_GONE;
	if (ret)
		return ND_JOURNAL_APPLIES;  /* the write says what is wrong */
	if (now.ifindex != r->dev.ifindex || strcmp(now.kind, r->dev.kind) ||
	    strcmp(now.perm, r->dev.perm) || (!mac_follows_ports(now.kind) && strcmp(now.mac, r->dev.mac)))
		return ND_JOURNAL_DEV_REPLACED;
	return ND_JOURNAL_APPLIES;
}

const char *nd_journal_skip_text(enum nd_journal_skip s)
{
	switch (s) {
	case ND_JOURNAL_APPLIES: return "applies";
	case ND_JOURNAL_OTHER_NS: return "made in another network namespace";
	case ND_JOURNAL_NS_GONE: return "its network namespace is gone";
	case ND_JOURNAL_DEV_GONE: return "device gone";
	case ND_JOURNAL_DEV_REPLACED: return "device replaced (same name, another device)";
	}
	return "?";
}

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

	if (n != 10)
		return damage(j, line, "a change record of %u words, not 10", n);
	if (!strict_uint(w[1], &r.id) || !r.id)
		return damage(j, line, "no record id");
	if (r.id < j->next_id)
		return damage(j, line, "record id %u out of order", r.id);
	if (get_field(w[2], r.kind, sizeof(r.kind)) || get_field(w[3], r.object, sizeof(r.object)) ||
	    get_field(w[4], r.key, sizeof(r.key)) || get_field(w[5], r.before, sizeof(r.before)) ||
	    get_field(w[6], r.after, sizeof(r.after)))
		return damage(j, line, "record %u: a field malformed or too long", r.id);
	if (strncmp(w[7], "run=", 4) || !hex_ok(w[7] + 4, 16) ||
	    strncmp(w[8], "ns=", 3) || sscanf(w[8] + 3, "%llu:%llu", &r.ns_dev, &r.ns_ino) != 2 ||
	    strncmp(w[9], "dev=", 4) || !parse_dev(w[9] + 4, &r.dev))
		return damage(j, line, "record %u: identity malformed", r.id);
	snprintf(r.run, sizeof(r.run), "%s", w[7] + 4);
	if (!kind_known(r.kind))
		return damage(j, line, "record %u: unknown kind", r.id);
	if (!object_ok(r.kind, r.object, r.key, false))
		return damage(j, line, "record %u: %s: refused", r.id,
			      !strcmp(r.kind, "sysctl") ? "a sysctl outside /proc/sys/net" :
			      !strcmp(r.kind, "file") ? "a file netdiag does not write" :
							"an object netdiag does not change");
	dev_of(r.kind, r.object, r.key, r.dev_name);
	j->next_id = r.id + 1;
	return add_record(j, &r);
}

static int parse_line(struct nd_journal *j, char *text, size_t len, unsigned line)
{
	char *crc, *w[12], *save = NULL;
	unsigned n = 0, id;
	struct nd_journal_record *r;

	text[len] = 0;
	crc = len >= 13 ? text + len - 13 : NULL;
	if (!crc || strncmp(crc, " crc=", 5) || !hex_ok(crc + 5, 8))
		return damage(j, line, "no checksum (cut or damaged)");
	if (strtoul(crc + 5, NULL, 16) != crc32(text, (size_t)(crc - text)))
		return damage(j, line, "checksum mismatch (damaged)");
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
	j->lock_fd = open_file_checked(j->dirfd, "journal.lock", O_RDWR | O_CREAT, err, errlen);
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
	j->fd = open_file_checked(j->dirfd, "journal", O_RDWR | O_CREAT | O_APPEND, err, errlen);
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
	if (!kind_known(r->kind))
		return -ENOTSUP;
	if (!object_ok(r->kind, r->object, r->key, true))
		return -EPERM;
	ret = netns_of("/proc/self/ns/net", &r->ns_dev, &r->ns_ino);
	if (ret)
		return ret;
	dev_of(r->kind, r->object, r->key, r->dev_name);
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
	ret = kind_write(kind, object, key, after);
	/* failed: put the before-value back (or see the kernel refused), and
	 * close the record, so no later undo trips on it */
	if (ret && (!kind_write(kind, object, key, before) || refused(ret)))
		close_record(j, "fail", r.id);
	return ret;
}

int nd_journal_sysctl(struct nd_journal *j, const char *path, const char *value)
{
	char file[PATH_MAX], before[64] = "";
	ssize_t n;
	int fd;

	if (!sysctl_ok(path))
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
		ret = dry_run ? 0 : kind_write(r->kind, r->object, r->key, r->before);
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
