/* The journal's kinds (netdiag/journal.h): what each may touch, which
 * device a record names, and how its value is written back.  A record
 * read from the journal passes the same checks as one being made, so a
 * forged line cannot steer undo outside them. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <netdiag/names.h>
#include <netdiag/doctor.h>
#include <netdiag/journal.h>
#include <netdiag/linkset.h>
#include <netdiag/nft.h>
#include <netdiag/offload.h>
#include <netdiag/route.h>
#include <netdiag/rtnl.h>

#include "journal_internal.h"
#include "route_internal.h"

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
bool journal_sysctl_ok(const char *path)
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
bool journal_object_ok(const char *kind, const char *object, const char *key, bool at_write)
{
	char dev[ND_JOURNAL_FIELD_MAX];
	const char *at;

	if (!strcmp(kind, "sysctl"))
		return journal_sysctl_ok(object);
	if (!strcmp(kind, "file"))
		return nd_persist_path_ok(object, !at_write) || nd_hook_file_ok(object, !at_write);
	if (!strcmp(kind, "rename"))
		return nd_hook_file_ok(object, !at_write) && nd_hook_file_ok(key, !at_write);
	if (!strcmp(kind, "offload"))
		return nd_ifname_ok(object) && word_ok(key, "-_");
	if (!strcmp(kind, "mtu"))
		return nd_ifname_ok(object);
	if (!strcmp(kind, "bridge"))
		return nd_ifname_ok(object) && (!strcmp(key, "forward_delay") || !strcmp(key, "stp_state"));
	if (!strcmp(kind, "nft-rule"))
		return word_ok(object, "/_-.") && nd_ifname_ok(key);
	if (!strcmp(kind, "guest"))
		return nd_name_ok(object, ND_GUEST_NAME_MAX) &&
		       (!key[0] || nd_route_guest_aside_ok(key, object));
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
	return prefix_ok(object) && nd_ifname_ok(dev);
}

/* The device a record names, "" for none: what its identity is taken of. */
void journal_dev_of(const char *kind, const char *object, const char *key, char *dev)
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

/* ---- the files "file" and "rename" records may name ---- */

/* Root for written files: $NETDIAG_PERSIST_ROOT (tests), else "/". */
const char *journal_persist_root(void)
{
	const char *r = getenv("NETDIAG_PERSIST_ROOT");

	return r && r[0] ? r : "";
}

/* The files --persist writes, under the root: the only "file" records
 * the journal takes, so a forged record cannot make undo remove another
 * file.  NAME is the device or a step number: no '/', no leading dot. */
static const struct {
	const char *dir, *suffix;
} persist_paths[] = {
	{ "/etc/systemd/network/50-netdiag-", ".link" },
	{ "/etc/udev/rules.d/70-netdiag-", ".rules" },
	{ "/etc/sysctl.d/60-netdiag-", ".conf" },
};

/* dir + NAME + suffix, NAME without '/' or a leading dot */
static bool pattern_ok(const char *path)
{
	size_t n = strlen(path);

	for (size_t i = 0; i < sizeof(persist_paths) / sizeof(persist_paths[0]); i++) {
		size_t dl = strlen(persist_paths[i].dir), sl = strlen(persist_paths[i].suffix);

		if (n <= dl + sl || strncmp(path, persist_paths[i].dir, dl) ||
		    strcmp(path + n - sl, persist_paths[i].suffix))
			continue;
		return path[dl] != '.' && !memchr(path + dl, '/', n - dl - sl);
	}
	return false;
}

bool nd_persist_path_ok(const char *path, bool any_root)
{
	size_t rl = strlen(journal_persist_root());

	if (!any_root)
		return !strncmp(path, journal_persist_root(), rl) && pattern_ok(path + rl);
	/* an absolute path without "..": the root is whatever precedes the
	 * pattern (each "/etc/" in it tried) */
	if (path[0] != '/' || strstr(path, "/../") || strstr(path, "/./") || strstr(path, "//"))
		return false;
	for (const char *at = strstr(path, "/etc/"); at; at = strstr(at + 1, "/etc/"))
		if (pattern_ok(at))
			return true;
	return false;
}

/* The hook files `netdiag hook install` writes or moves aside, under
 * $NETDIAG_HOOK_ROOT (tests) or /: the only other paths "file" and
 * "rename" records may name. */
static const char *const hook_paths[] = {
	"/etc/libvirt/hooks/qemu", "/etc/libvirt/hooks/qemu.netdiag-chained",
	"/var/lib/vz/snippets/netdiag-hook.sh", "/var/lib/vz/snippets/netdiag-hook.sh.netdiag-chained",
};

bool nd_hook_file_ok(const char *path, bool any_root)
{
	const char *root = getenv("NETDIAG_HOOK_ROOT");
	size_t rl = root ? strlen(root) : 0, n = strlen(path);

	if (path[0] != '/' || strstr(path, "/../") || strstr(path, "/./") || strstr(path, "//"))
		return false;
	for (size_t i = 0; i < sizeof(hook_paths) / sizeof(hook_paths[0]); i++) {
		size_t hl = strlen(hook_paths[i]);

		if (!any_root && n == rl + hl && (!rl || !strncmp(path, root, rl)) &&
		    !strcmp(path + rl, hook_paths[i]))
			return true;
		if (any_root && n >= hl && !strcmp(path + n - hl, hook_paths[i]))
			return true;
	}
	return false;
}

/* ---- kinds: how to write a value back ---- */

static int sysctl_write(const char *path, const char *unused, const char *value)
{
	return journal_sysctl_ok(path) ? nd_sysctl_write(path, value) : -EPERM;
}

/* A configuration file netdiag wrote (doctor --persist): the record is
 * made before the file, so undo can remove it; "present" cannot be
 * written back from the journal, only checked.  Only the paths persist.c
 * writes (nd_persist_path_ok), and only a regular file. */
static int file_write(const char *path, const char *unused, const char *value)
{
	struct stat st;

	if (!nd_persist_path_ok(path, false) && !nd_hook_file_ok(path, false))
		return -EPERM;
	if (lstat(path, &st) < 0)
		return errno == ENOENT && !strcmp(value, "absent") ? 0 : -errno;
	if (!S_ISREG(st.st_mode))
		return -EPERM;
	if (!strcmp(value, "absent"))
		return unlink(path) < 0 && errno != ENOENT ? -errno : 0;
	return 0;
}

/* A file netdiag moved aside to put its own in its place (a hook it
 * chains to): object the new path, key the original; "absent" moves it
 * back, never over a file someone put there since; "present" is only
 * checked.  Only hook paths (nd_hook_file_ok), only regular files. */
static int rename_write(const char *moved, const char *original, const char *value)
{
	struct stat st;

	if (!nd_hook_file_ok(moved, false) || !nd_hook_file_ok(original, false))
		return -EPERM;
	if (lstat(moved, &st) < 0)
		return errno == ENOENT && !strcmp(value, "absent") ? 0 : -errno;
	if (!S_ISREG(st.st_mode))
		return -EPERM;
	if (strcmp(value, "absent"))
		return 0;
	if (lstat(original, &st) == 0)
		return -EEXIST;
	return rename(moved, original) < 0 ? -errno : 0;
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
	ret = nd_route_change(!present, dst, dev, at);
	if (!ret)
		ret = nd_route_present(dst, dev, at, &present);
	return ret ? ret : present == !strcmp(value, "present") ? 0 : -EIO;
}

static int addr_write(const char *addr, const char *dev, const char *value)
{
	bool present;
	int ret = nd_addr_present(addr, dev, &present);

	if (ret || present == !strcmp(value, "present"))
		return ret;
	ret = nd_addr_change(!present, addr, dev);
	if (!ret)
		ret = nd_addr_present(addr, dev, &present);
	return ret ? ret : present == !strcmp(value, "present") ? 0 : -EIO;
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
	{ "guest", nd_route_guest_state_write },
};

int journal_kind_write(const char *kind, const char *object, const char *key, const char *value)
{
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (!strcmp(kinds[k].kind, kind))
			return journal_object_ok(kind, object, key, true) ? kinds[k].write(object, key, value) : -EPERM;
	return -ENOTSUP;
}

bool journal_kind_known(const char *kind)
{
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (!strcmp(kinds[k].kind, kind))
			return true;
	return false;
}

