/* The run directory (netdiag/rundir.h): state that outlives a process
 * but not a boot.  Trusted only when ours and writable by no one else;
 * everything in it opened under its descriptor, never through a link. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <netdiag/rundir.h>

#define DEFAULT_RUN_DIR "/run/netdiag"


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
	/* O_PATH first: whose it is can be told without the right to read
	 * it (a command keeps no CAP_DAC_OVERRIDE), then opened as ours */
	fd = openat(at, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		if (errno == ELOOP || errno == ENOTDIR)
			snprintf(err, errlen, "%s: not a directory (a symbolic link?): refused", what);
		else
			snprintf(err, errlen, "%s: %s", what, strerror(errno));
		return ret == -ELOOP || ret == -ENOTDIR ? -EPERM : ret;
	}
	ret = trusted(fd, true, what, err, errlen);
	if (!ret) {
		int dir = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		ret = dir < 0 ? -errno : 0;
		if (ret)
			snprintf(err, errlen, "%s: %s", what, strerror(-ret));
		close(fd);
		fd = dir;
	} else {
		close(fd);
	}
	return ret ? ret : fd;
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
int nd_run_file_open(int dirfd, const char *name, int flags, char *err, size_t errlen)
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
	fd = nd_run_file_open(dfd, name, O_RDWR | O_CREAT, err, errlen);
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

