/* Names, MACs and the state directory of running VMs: RUN_DIR/vm/NAME/
 * holds the lock the supervisor keeps for its life, a key=value state
 * file, the control, console and QMP sockets and the console log.  When
 * a run ends the directory goes and one line is added to RUN_DIR/vm/ended
 * so `vm list` can still tell how recent runs ended. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <netdiag/names.h>
#include <netdiag/clock.h>
#include <netdiag/journal.h>
#include <netdiag/route.h>

#include "vm_internal.h"

#define HISTORY_KEEP 32          /* end records kept after trimming */
#define HISTORY_TRIM 128         /* trim when the file holds this many */

bool nd_vm_name_valid(const char *name)
{
	return nd_name_ok(name, ND_VM_NAME_MAX);
}

/* FNV-1a, 64 bits: stable across runs and machines, spreads short names. */
static uint64_t name_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

void nd_vm_mac_from_name(const char *name, char mac[18])
{
	uint64_t h = name_hash(name);
	uint8_t b[6];

	/* 0x02 set: locally administered; 0x01 clear: unicast */
	b[0] = (uint8_t)((h >> 40) & 0xfc) | 0x02;
	for (int i = 1; i < 6; i++)
		b[i] = (uint8_t)(h >> (8 * (5 - i)));
	nd_mac_format(b, mac);
}

int nd_vm_mac_parse(const char *text, uint8_t mac[6])
{
	if (nd_mac_parse(text, mac) < 0)
		return -EINVAL;
	if (mac[0] & 0x01)
		return -EINVAL;         /* multicast: no NIC may have it */
	if (!(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]))
		return -EINVAL;
	return 0;
}

void nd_vm_tap_name(const char *name, char tap[IF_NAMESIZE])
{
	snprintf(tap, IF_NAMESIZE, "ndvm-%s", name);
}

void nd_vm_state_dir(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/vm/%s", nd_run_dir(), name);
}

void vm_path(const char *name, const char *file, char *buf, size_t len)
{
	snprintf(buf, len, "%s/vm/%s/%s", nd_run_dir(), name, file);
}

/* RUN_DIR/vm, each step checked as the journal's directory is (ours,
 * writable by no one else, no symlink): the paths under it that QEMU and
 * the sockets use by name are then out of other users' reach. */
static int vm_root_fd(bool create, char *err, size_t errlen)
{
	int dfd = nd_run_dir_open(err, errlen), vfd;

	if (dfd < 0)
		return dfd;
	vfd = nd_run_subdir_open(dfd, "vm", create, err, errlen);
	close(dfd);
	return vfd;
}

/* RUN_DIR/vm/NAME, the same way */
static int vm_dir_fd(const char *name, bool create, char *err, size_t errlen)
{
	int vfd, sfd;

	if (!nd_vm_name_valid(name)) {
		snprintf(err, errlen, "%s: not a VM name", name);
		return -EINVAL;
	}
	vfd = vm_root_fd(create, err, errlen);
	if (vfd < 0)
		return vfd;
	sfd = nd_run_subdir_open(vfd, name, create, err, errlen);
	close(vfd);
	return sfd;
}

/* every entry of the state directory (not its subdirectories: it has none) */
static void clear_dir(int sfd, const char *keep)
{
	int fd = dup(sfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || (keep && !strcmp(e->d_name, keep)))
			continue;
		unlinkat(sfd, e->d_name, 0);
	}
	closedir(d);
}

static void remove_dir(const char *name)
{
	char err[256];
	int vfd = vm_root_fd(false, err, sizeof(err)), sfd;

	if (vfd < 0)
		return;
	sfd = nd_run_subdir_open(vfd, name, false, err, sizeof(err));
	if (sfd >= 0) {
		clear_dir(sfd, NULL);
		close(sfd);
		unlinkat(vfd, name, AT_REMOVEDIR);
	}
	close(vfd);
}

/* a regular file of ours under dfd, never through a symlink */
static int open_in(int dfd, const char *file, int flags)
{
	struct stat st;
	int fd = openat(dfd, file, flags | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

bool vm_state_running(const char *name)
{
	char err[256];
	int sfd = vm_dir_fd(name, false, err, sizeof(err)), fd;
	bool held;

	if (sfd < 0)
		return false;
	fd = open_in(sfd, VM_LOCK, O_RDONLY);
	close(sfd);
	if (fd < 0)
		return false;
	held = flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
	close(fd);
	return held;
}

int vm_state_claim(const char *name, int *lockfd, char *err, size_t errlen)
{
	char path[512];
	int rc, fd, sfd;

	sfd = vm_dir_fd(name, true, err, errlen);
	if (sfd < 0)
		return sfd;
	fd = open_in(sfd, VM_LOCK, O_RDWR | O_CREAT);
	if (fd < 0) {
		vm_path(name, VM_LOCK, path, sizeof(path));
		snprintf(err, errlen, "%s: %s", path,
			 fd == -EPERM || fd == -ELOOP ? "not a regular file of ours: refused" : strerror(-fd));
		close(sfd);
		return fd == -ELOOP ? -EPERM : fd;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		rc = errno == EWOULDBLOCK ? -EBUSY : -errno;
		snprintf(err, errlen, "%s: %s", name,
			 rc == -EBUSY ? "a VM of this name is already running" : strerror(-rc));
		close(fd);
		close(sfd);
		return rc;
	}
	/* A directory left by a supervisor that was killed: clear what it
	 * left (sockets, old state), keep the lock we now hold. */
	clear_dir(sfd, VM_LOCK);
	close(sfd);
	*lockfd = fd;
	return 0;
}

int vm_state_write(const char *name, const struct nd_vm_info *v, const char *console_log)
{
	char err[256];
	int sfd = vm_dir_fd(name, false, err, sizeof(err)), fd, rc = 0;
	FILE *f;

	if (sfd < 0)
		return sfd;
	unlinkat(sfd, VM_STATE ".new", 0);
	fd = openat(sfd, VM_STATE ".new", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		rc = -errno;
		if (fd >= 0)
			close(fd);
		close(sfd);
		return rc;
	}
	fprintf(f, "name=%s\npid=%d\nqemu_pid=%d\ntap=%s\nbridge=%s\nmac=%s\naccel=%s\n"
		"started=%.3f\nconsole_log=%s\n",
		v->name, (int)v->pid, (int)v->qemu_pid, v->tap, v->bridge, v->mac, v->accel,
		v->started, console_log);
	if (fclose(f) != 0 || renameat(sfd, VM_STATE ".new", sfd, VM_STATE) < 0) {
		unlinkat(sfd, VM_STATE ".new", 0);
		rc = -EIO;
	}
	close(sfd);
	return rc;
}

static int state_read_file(const char *name, const char *key, char *val, size_t len)
{
	char line[768], err[256];
	size_t klen = strlen(key);
	int sfd = vm_dir_fd(name, false, err, sizeof(err)), fd, rc = -ENOENT;
	FILE *f;

	if (sfd < 0)
		return sfd;
	fd = open_in(sfd, VM_STATE, O_RDONLY);
	close(sfd);
	f = fd >= 0 ? fdopen(fd, "r") : NULL;
	if (!f) {
		if (fd >= 0)
			close(fd);
		return fd < 0 ? fd : -ENOMEM;
	}
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, klen) || line[klen] != '=')
			continue;
		line[strcspn(line, "\n")] = 0;
		snprintf(val, len, "%s", line + klen + 1);
		rc = 0;
		break;
	}
	fclose(f);
	return rc;
}

int nd_vm_state_get(const char *name, const char *key, char *val, size_t len)
{
	if (!nd_vm_name_valid(name) || !vm_state_running(name))
		return -ENOENT;
	return state_read_file(name, key, val, len);
}

static FILE *history_open(int vfd, const char *mode)
{
	int fd = open_in(vfd, VM_HISTORY, !strcmp(mode, "a") ? O_WRONLY | O_APPEND | O_CREAT : O_RDONLY);
	FILE *f = fd >= 0 ? fdopen(fd, mode) : NULL;

	if (!f && fd >= 0)
		close(fd);
	return f;
}

static void history_add(const struct nd_vm_info *v)
{
	char line[256], err[256];
	char *keep[HISTORY_KEEP] = { 0 };
	unsigned nlines = 0;
	int vfd = vm_root_fd(false, err, sizeof(err)), fd;
	FILE *f;

	if (vfd < 0)
		return;
	f = history_open(vfd, "a");
	if (!f)
		goto out;
	fprintf(f, "%s %.3f %.3f %s %s %s %s %s\n", v->name, v->started, v->ended, v->end,
		v->tap[0] ? v->tap : "-", v->bridge[0] ? v->bridge : "-",
		v->mac[0] ? v->mac : "-", v->accel[0] ? v->accel : "-");
	fclose(f);

	/* bounded: past HISTORY_TRIM lines keep the newest HISTORY_KEEP */
	f = history_open(vfd, "r");
	if (!f)
		goto out;
	while (fgets(line, sizeof(line), f)) {
		free(keep[nlines % HISTORY_KEEP]);
		keep[nlines % HISTORY_KEEP] = strdup(line);
		nlines++;
	}
	fclose(f);
	if (nlines >= HISTORY_TRIM) {
		unlinkat(vfd, VM_HISTORY ".new", 0);
		fd = openat(vfd, VM_HISTORY ".new", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			    0600);
		f = fd >= 0 ? fdopen(fd, "w") : NULL;
		if (!f && fd >= 0)
			close(fd);
		if (f) {
			for (unsigned i = 0; i < HISTORY_KEEP; i++) {
				char *l = keep[(nlines + i) % HISTORY_KEEP];

				if (l)
					fputs(l, f);
			}
			if (fclose(f) == 0)
				renameat(vfd, VM_HISTORY ".new", vfd, VM_HISTORY);
		}
	}
out:
	for (unsigned i = 0; i < HISTORY_KEEP; i++)
		free(keep[i]);
	close(vfd);
}

void vm_state_release(const char *name, int lockfd, const struct nd_vm_info *v)
{
	remove_dir(name);
	if (v)
		history_add(v);
	if (lockfd >= 0)
		close(lockfd);
}

static int info_from_state(const char *name, struct nd_vm_info *v)
{
	char val[128];

	memset(v, 0, sizeof(*v));
	snprintf(v->name, sizeof(v->name), "%s", name);
	v->running = true;
	if (state_read_file(name, "pid", val, sizeof(val)) < 0)
		return -ENOENT;
	v->pid = atoi(val);
	if (state_read_file(name, "qemu_pid", val, sizeof(val)) == 0)
		v->qemu_pid = atoi(val);
	state_read_file(name, "tap", v->tap, sizeof(v->tap));
	state_read_file(name, "bridge", v->bridge, sizeof(v->bridge));
	state_read_file(name, "mac", v->mac, sizeof(v->mac));
	state_read_file(name, "accel", v->accel, sizeof(v->accel));
	if (state_read_file(name, "started", val, sizeof(val)) == 0)
		v->started = atof(val);
	return 0;
}

static int cmp_info(const void *a, const void *b)
{
	const struct nd_vm_info *x = a, *y = b;

	if (x->running != y->running)
		return x->running ? -1 : 1;
	if (!x->running && x->ended != y->ended)
		return x->ended > y->ended ? -1 : 1;
	return strcmp(x->name, y->name);
}

int nd_vm_list(struct nd_vm_info *v, size_t n)
{
	char line[256], err[256];
	size_t k = 0;
	DIR *d;
	struct dirent *e;
	FILE *f;
	int vfd = vm_root_fd(false, err, sizeof(err)), fd;

	if (vfd < 0)
		return vfd == -ENOENT ? 0 : vfd;
	fd = dup(vfd);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		close(vfd);
		return 0;
	}
	while ((e = readdir(d)) && k < n) {
		if (!nd_vm_name_valid(e->d_name) || !vm_state_running(e->d_name))
			continue;
		if (info_from_state(e->d_name, &v[k]) == 0)
			k++;
	}
	closedir(d);

	/* recent ends, newest record per name, names not running now */
	f = history_open(vfd, "r");
	close(vfd);
	while (f && fgets(line, sizeof(line), f)) {
		struct nd_vm_info h = { 0 };
		size_t i;

		if (sscanf(line, "%32s %lf %lf %15s %15s %15s %17s %7s", h.name, &h.started,
			   &h.ended, h.end, h.tap, h.bridge, h.mac, h.accel) != 8)
			continue;
		for (i = 0; i < k; i++)
			if (!strcmp(v[i].name, h.name))
				break;
		if (i < k) {
			if (!v[i].running)
				v[i] = h;       /* a newer end of the same name */
			continue;
		}
		if (k < n)
			v[k++] = h;
	}
	if (f)
		fclose(f);
	qsort(v, k, sizeof(*v), cmp_info);
	return (int)k;
}

