/* Input files, bounded: `doctor --from /dev/zero` once grew to 16 GB and
 * a FIFO named as a rule file hung the loader (issue 15). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <netdiag/input.h>

static int refuse(int fd, int rc, char *err, size_t errlen, const char *why)
{
	if (fd >= 0)
		close(fd);
	snprintf(err, errlen, "%s", why);
	return rc;
}

int nd_input_open(const char *path, enum nd_input_kind kind, char *err, size_t errlen)
{
	struct stat st;
	int fd, fl;

	if (!strcmp(path, "-")) {
		if (kind != ND_INPUT_STREAM)
			return refuse(-1, -EINVAL, err, errlen, "standard input is not a file here");
		fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
	} else {
		/* O_NONBLOCK: opening a FIFO for reading would wait for a writer */
		fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	}
	if (fd < 0)
		return refuse(-1, -errno, err, errlen, strerror(errno));
	if (fstat(fd, &st) < 0)
		return refuse(fd, -errno, err, errlen, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return refuse(fd, -EISDIR, err, errlen, "is a directory");
	if (!S_ISREG(st.st_mode) &&
	    (kind == ND_INPUT_REGULAR || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))))
		return refuse(fd, -EINVAL, err, errlen,
			      kind == ND_INPUT_REGULAR ? "not a regular file"
						       : "not a file, pipe or FIFO (a device?)");
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0)
		return refuse(fd, -errno, err, errlen, strerror(errno));
	return fd;
}

int nd_input_read(const char *path, enum nd_input_kind kind, size_t max, int timeout_s,
		  char **text, size_t *len, char *err, size_t errlen)
{
	size_t cap = 0, n = 0;
	char *buf = NULL;
	int fd, rc = 0;

	*text = NULL;
	*len = 0;
	fd = nd_input_open(path, kind, err, errlen);
	if (fd < 0)
		return fd;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t got;
		int ready;

		if (cap - n < 4096 + 1) {
			size_t grown = cap ? cap * 2 : 16384;
			char *b;

			/* one byte past max, to tell "exactly max" from "more" */
			if (grown > max + 2)
				grown = max + 2 > cap ? max + 2 : cap;
			if (grown <= n + 1) {
				snprintf(err, errlen, "larger than %zu bytes", max);
				rc = -EFBIG;
				goto out;
			}
			b = realloc(buf, grown);
			if (!b) {
				rc = -ENOMEM;
				snprintf(err, errlen, "%s", strerror(ENOMEM));
				goto out;
			}
			buf = b;
			cap = grown;
		}
		/* a pipe that goes quiet ends the wait; a signal ends it too */
		ready = poll(&p, 1, timeout_s * 1000);
		if (ready < 0) {
			rc = -errno;
			snprintf(err, errlen, "%s", errno == EINTR ? "interrupted" : strerror(errno));
			goto out;
		}
		if (!ready) {
			rc = -ETIMEDOUT;
			snprintf(err, errlen, "no input for %d s", timeout_s);
			goto out;
		}
		got = read(fd, buf + n, cap - n - 1);
		if (got < 0) {
			rc = -errno;
			snprintf(err, errlen, "%s", errno == EINTR ? "interrupted" : strerror(errno));
			goto out;
		}
		if (!got)
			break;
		n += (size_t)got;
		if (n > max) {
			snprintf(err, errlen, "larger than %zu bytes", max);
			rc = -EFBIG;
			goto out;
		}
	}
	buf[n] = 0;
	*text = buf;
	*len = n;
	buf = NULL;
out:
	close(fd);
	free(buf);
	(void)path;
	return rc;
}

ssize_t nd_read_full(int fd, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t k = read(fd, (char *)buf + got, n - got);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		if (!k)
			break;
		got += (size_t)k;
	}
	return (ssize_t)got;
}
