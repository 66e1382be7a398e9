/* Routed guests' saved set-ups: RUN_DIR/guests/NAME, one line "IP TAP GW
 * MAC IP6" each, written by `route guest add`, read by list, check and
 * the doctor. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <netdiag/journal.h>
#include <netdiag/route.h>

#include "route_internal.h"

/* RUN_DIR/guests, checked as the run directory is (ours, no symlink) */
int nd_route_guests_dir(bool create, char *err, size_t errlen)
{
	int dfd = nd_run_dir_open(err, errlen), gfd;

	if (dfd < 0)
		return dfd;
	gfd = nd_run_subdir_open(dfd, "guests", create, err, errlen);
	close(dfd);
	return gfd;
}

int nd_route_guest_save(const struct nd_guest_route *g, char *err, size_t errlen)
{
	char ip[INET_ADDRSTRLEN], gw[INET_ADDRSTRLEN] = "-";
	struct stat st;
	FILE *out;
	int gfd = nd_route_guests_dir(true, err, errlen), fd;

	if (gfd < 0)
		return gfd;
	fd = openat(gfd, g->name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	close(gfd);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1) {
		int ret = fd < 0 && errno != ELOOP ? -errno : -EPERM;

		snprintf(err, errlen, "%s/guests/%s: %s", nd_run_dir(), g->name,
			 ret == -EPERM ? "not a regular file of ours: refused" : strerror(-ret));
		if (fd >= 0)
			close(fd);
		return ret;
	}
	out = fdopen(fd, "w");
	if (!out) {
		close(fd);
		return -errno;
	}
	inet_ntop(AF_INET, &g->ip, ip, sizeof(ip));
	if (g->gateway.s_addr)
		inet_ntop(AF_INET, &g->gateway, gw, sizeof(gw));
	fprintf(out, "%s %s %s %s %s\n", ip, g->dev, gw, g->mac[0] ? g->mac : "-",
		g->ip6[0] ? g->ip6 : "-");
	return fclose(out) ? -errno : 0;
}

bool nd_route_guest_aside_ok(const char *aside, const char *name)
{
	size_t n = strlen(name), digits;

	if (aside[0] != '.' || strncmp(aside + 1, name, n) || aside[n + 1] != '.')
		return false;
	digits = strlen(aside + n + 2);
	return digits && strspn(aside + n + 2, "0123456789") == digits;
}

/* A regular file of that name in gfd: 1, none: 0, else -errno */
static int regular_at(int gfd, const char *name)
{
	struct stat st;

	if (fstatat(gfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	return S_ISREG(st.st_mode) ? 1 : -EPERM;
}

/* Without `aside` (`route guest add`'s record): "absent" removes
 * guests/NAME, so doctor no longer reports a guest rolled back, and
 * "present" is only checked.  With it (`route guest del`'s): "absent"
 * moves the file to guests/ASIDE, out of list's sight, and "present"
 * moves it back, never over a file of that name made since. */
static int state_write(int gfd, const char *name, const char *aside, const char *value)
{
	bool present = !strcmp(value, "present");
	int have = regular_at(gfd, name), kept;

	if (have < 0)
		return have;
	if (!aside[0]) {
		if (present)
			return have ? 0 : -ENOENT;
		return have && unlinkat(gfd, name, 0) < 0 ? -errno : 0;
	}
	kept = regular_at(gfd, aside);
	if (kept < 0)
		return kept;
	if (present) {
		if (have)
			return kept ? -EEXIST : 0;
		if (!kept)
			return -ENOENT;
		return renameat(gfd, aside, gfd, name) < 0 ? -errno : 0;
	}
	if (!have)
		return 0;
	if (kept)
		return -EEXIST;
	return renameat(gfd, name, gfd, aside) < 0 ? -errno : 0;
}

/* The journal's "guest" kind. */
int nd_route_guest_state_write(const char *name, const char *aside, const char *value)
{
	char err[256];
	int gfd, ret;

	if (!nd_name_ok(name, ND_GUEST_NAME_MAX) ||
	    (aside[0] && !nd_route_guest_aside_ok(aside, name)))
		return -EINVAL;
	gfd = nd_route_guests_dir(false, err, sizeof(err));
	if (gfd == -ENOENT)
		return strcmp(value, "absent") ? -ENOENT : 0;
	if (gfd < 0)
		return gfd;
	ret = state_write(gfd, name, aside, value);
	close(gfd);
	return ret;
}

int nd_route_guest_load(const char *name, struct nd_guest_route *g)
{
	char ip[32], gw[32], mac[32], ip6[48] = "-", err[256];
	FILE *in;
	int n, gfd, fd;

	memset(g, 0, sizeof(*g));
	if (!nd_name_ok(name, ND_GUEST_NAME_MAX))
		return -EINVAL;
	gfd = nd_route_guests_dir(false, err, sizeof(err));
	if (gfd < 0)
		return gfd;
	fd = openat(gfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	close(gfd);
	if (fd < 0)
		return -errno;
	in = fdopen(fd, "r");
	if (!in) {
		close(fd);
		return -errno;
	}
	n = fscanf(in, "%31s %15s %31s %31s %47s", ip, g->dev, gw, mac, ip6);
	fclose(in);
	if (n < 4 || inet_pton(AF_INET, ip, &g->ip) != 1)
		return -EINVAL;
	snprintf(g->name, sizeof(g->name), "%s", name);
	if (strcmp(gw, "-"))
		inet_pton(AF_INET, gw, &g->gateway);
	if (strcmp(mac, "-"))
		snprintf(g->mac, sizeof(g->mac), "%s", mac);
	if (strcmp(ip6, "-"))
		snprintf(g->ip6, sizeof(g->ip6), "%s", ip6);
	return 0;
}

int nd_route_guest_names(char names[][32], unsigned max, unsigned *n)
{
	char err[256];
	struct dirent *de;
	DIR *d;
	int gfd;

	*n = 0;
	gfd = nd_route_guests_dir(false, err, sizeof(err));
	if (gfd < 0)
		return gfd == -ENOENT ? 0 : gfd;
	d = fdopendir(gfd);
	if (!d) {
		close(gfd);
		return -errno;
	}
	while ((de = readdir(d)) && *n < max)
		if (de->d_name[0] != '.' && nd_name_ok(de->d_name, ND_GUEST_NAME_MAX))
			snprintf(names[(*n)++], 32, "%s", de->d_name);
	closedir(d);
	return 0;
}

void nd_route_guest_print(const struct nd_guest_route *g, const struct nd_findings *fs,
			  struct nd_out *o)
{
	char ip[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &g->ip, ip, sizeof(ip));
	nd_out_obj_open(o, ND_OUT_ITEM);
	nd_out_str(o, "name", "%-16s ", g->name);
	nd_out_str(o, "ip", "%-15s/32 via ", ip);
	nd_out_str(o, "dev", "%-15s ", g->dev);
	nd_out_bool(o, "route", NULL, !nd_findings_find(fs, "route.missing-host-route", NULL));
	nd_out_uint(o, "problems", NULL, fs->n);
	nd_out_text(o, "%s\n", fs->n ? "PROBLEMS (netdiag route guest check)" : "ok");
	nd_out_obj_close(o);
}
