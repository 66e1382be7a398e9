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

#include <netdiag/journal.h>
#include <netdiag/route.h>

#include "vm_internal.h"

#define HISTORY_KEEP 32          /* end records kept after trimming */
#define HISTORY_TRIM 128         /* trim when the file holds this many */

double vm_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

bool nd_vm_name_valid(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n > ND_VM_NAME_MAX || name[0] == '.' || name[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' || ch == '.'))
			return false;
	}
	return true;
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
	snprintf(mac, 18, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
}

int nd_vm_mac_parse(const char *text, uint8_t mac[6])
{
	unsigned b[6];
	char end;

	if (nd_mac_check(text) < 0 ||
	    sscanf(text, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &end) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
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

static void vm_root(char *buf, size_t len)
{
	snprintf(buf, len, "%s/vm", nd_run_dir());
}

void nd_vm_state_dir(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/vm/%s", nd_run_dir(), name);
}

void vm_path(const char *name, const char *file, char *buf, size_t len)
{
	snprintf(buf, len, "%s/vm/%s/%s", nd_run_dir(), name, file);
}

static int mkdirs(void)
{
	char path[512];

	if (mkdir(nd_run_dir(), 0700) < 0 && errno != EEXIST)
		return -errno;
	vm_root(path, sizeof(path));
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static void remove_dir(const char *name)
{
	char dir[512], path[768];
	DIR *d;
	struct dirent *e;

	nd_vm_state_dir(name, dir, sizeof(dir));
	d = opendir(dir);
	if (d) {
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(dir);
}

bool vm_state_running(const char *name)
{
	char path[512];
	int fd;
	bool held;

	vm_path(name, VM_LOCK, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	held = flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
	close(fd);
	return held;
}

int vm_state_claim(const char *name, int *lockfd, char *err, size_t errlen)
{
	char dir[512], path[512];
	int rc, fd;

	rc = mkdirs();
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", nd_run_dir(), strerror(-rc));
		return rc;
	}
	nd_vm_state_dir(name, dir, sizeof(dir));
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return rc;
	}
	vm_path(name, VM_LOCK, path, sizeof(path));
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		rc = errno == EWOULDBLOCK ? -EBUSY : -errno;
		snprintf(err, errlen, "%s: %s", name,
			 rc == -EBUSY ? "a VM of this name is already running" : strerror(-rc));
		close(fd);
		return rc;
	}
	/* A directory left by a supervisor that was killed: clear what it
	 * left (sockets, old state), keep the lock we now hold. */
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d) {
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.' || !strcmp(e->d_name, VM_LOCK))
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			unlink(path);
		}
		closedir(d);
	}
	*lockfd = fd;
	return 0;
}

int vm_state_write(const char *name, const struct nd_vm_info *v, const char *console_log)
{
	char path[512], tmp[520];
	FILE *f;

	vm_path(name, VM_STATE, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	fprintf(f, "name=%s\npid=%d\nqemu_pid=%d\ntap=%s\nbridge=%s\nmac=%s\naccel=%s\n"
		"started=%.3f\nconsole_log=%s\n",
		v->name, (int)v->pid, (int)v->qemu_pid, v->tap, v->bridge, v->mac, v->accel,
		v->started, console_log);
	if (fclose(f) != 0 || rename(tmp, path) < 0) {
		unlink(tmp);
		return -EIO;
	}
	return 0;
}

static int state_read_file(const char *path, const char *key, char *val, size_t len)
{
	char line[768];
	size_t klen = strlen(key);
	FILE *f = fopen(path, "r");
	int rc = -ENOENT;

	if (!f)
		return -errno;
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
	char path[512];

	if (!nd_vm_name_valid(name) || !vm_state_running(name))
		return -ENOENT;
	vm_path(name, VM_STATE, path, sizeof(path));
	return state_read_file(path, key, val, len);
}

static void history_add(const struct nd_vm_info *v)
{
	char path[512], tmp[520], line[256];
	char *keep[HISTORY_KEEP] = { 0 };
	unsigned nlines = 0;
	FILE *f;

	vm_root(path, sizeof(path));
	strncat(path, "/" VM_HISTORY, sizeof(path) - strlen(path) - 1);
	f = fopen(path, "a");
	if (!f)
		return;
	fprintf(f, "%s %.3f %.3f %s %s %s %s %s\n", v->name, v->started, v->ended, v->end,
		v->tap[0] ? v->tap : "-", v->bridge[0] ? v->bridge : "-",
		v->mac[0] ? v->mac : "-", v->accel[0] ? v->accel : "-");
	fclose(f);

	/* bounded: past HISTORY_TRIM lines keep the newest HISTORY_KEEP */
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		free(keep[nlines % HISTORY_KEEP]);
		keep[nlines % HISTORY_KEEP] = strdup(line);
		nlines++;
	}
	fclose(f);
	if (nlines >= HISTORY_TRIM) {
		snprintf(tmp, sizeof(tmp), "%s.new", path);
		f = fopen(tmp, "w");
		if (f) {
			for (unsigned i = 0; i < HISTORY_KEEP; i++) {
				char *l = keep[(nlines + i) % HISTORY_KEEP];

				if (l)
					fputs(l, f);
			}
			if (fclose(f) == 0)
				rename(tmp, path);
		}
	}
	for (unsigned i = 0; i < HISTORY_KEEP; i++)
		free(keep[i]);
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
	char path[512], val[128];

	memset(v, 0, sizeof(*v));
	snprintf(v->name, sizeof(v->name), "%s", name);
	v->running = true;
	vm_path(name, VM_STATE, path, sizeof(path));
	if (state_read_file(path, "pid", val, sizeof(val)) < 0)
		return -ENOENT;
	v->pid = atoi(val);
	if (state_read_file(path, "qemu_pid", val, sizeof(val)) == 0)
		v->qemu_pid = atoi(val);
	state_read_file(path, "tap", v->tap, sizeof(v->tap));
	state_read_file(path, "bridge", v->bridge, sizeof(v->bridge));
	state_read_file(path, "mac", v->mac, sizeof(v->mac));
	state_read_file(path, "accel", v->accel, sizeof(v->accel));
	if (state_read_file(path, "started", val, sizeof(val)) == 0)
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
	char path[512], line[256];
	size_t k = 0;
	DIR *d;
	struct dirent *e;
	FILE *f;

	vm_root(path, sizeof(path));
	d = opendir(path);
	if (!d)
		return 0;
	while ((e = readdir(d)) && k < n) {
		if (!nd_vm_name_valid(e->d_name) || !vm_state_running(e->d_name))
			continue;
		if (info_from_state(e->d_name, &v[k]) == 0)
			k++;
	}
	closedir(d);

	/* recent ends, newest record per name, names not running now */
	strncat(path, "/" VM_HISTORY, sizeof(path) - strlen(path) - 1);
	f = fopen(path, "r");
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

void nd_vm_info_json(const struct nd_vm_info *v, size_t n, struct nd_json *j)
{
	nd_json_arr_open(j);
	for (size_t i = 0; i < n; i++) {
		nd_json_obj_open(j);
		nd_json_kv_str(j, "name", v[i].name);
		nd_json_kv_str(j, "status", v[i].running ? "running" : "ended");
		if (v[i].running) {
			nd_json_kv_int(j, "pid", v[i].pid);
			nd_json_kv_int(j, "qemu_pid", v[i].qemu_pid);
		}
		nd_json_kv_str(j, "tap", v[i].tap);
		nd_json_kv_str(j, "bridge", v[i].bridge);
		nd_json_kv_str(j, "mac", v[i].mac);
		nd_json_kv_str(j, "accel", v[i].accel);
		nd_json_kv_double(j, "started", v[i].started);
		if (!v[i].running) {
			nd_json_kv_double(j, "ended", v[i].ended);
			nd_json_kv_str(j, "end_reason", v[i].end);
		}
		nd_json_obj_close(j);
	}
	nd_json_arr_close(j);
}
