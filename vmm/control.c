/* The other side of the control and console sockets: what `vm stop`,
 * `vm destroy` and `vm console` use to reach a running supervisor. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "vm_internal.h"

static int connect_to(const char *name, const char *file, int *fd, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s, rc;

	if (!nd_vm_name_valid(name) || !vm_state_running(name)) {
		snprintf(err, errlen, "%s: no such VM running", name);
		return -ENOENT;
	}
	vm_path(name, file, sa.sun_path, sizeof(sa.sun_path));
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", sa.sun_path, strerror(errno));
		if (s >= 0)
			close(s);
		return rc;
	}
	*fd = s;
	return 0;
}

/* Send one command and wait for "end REASON". */
static int command(const char *name, const char *cmd, char *end, size_t endlen,
		   char *err, size_t errlen)
{
	char reply[128];
	size_t got = 0;
	int fd, rc;

	rc = connect_to(name, VM_CONTROL, &fd, err, errlen);
	if (rc < 0)
		return rc;
	if (send(fd, cmd, strlen(cmd), MSG_NOSIGNAL) < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		close(fd);
		return rc;
	}
	for (;;) {
		ssize_t n = recv(fd, reply + got, sizeof(reply) - 1 - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
		if (got + 1 >= sizeof(reply) || memchr(reply, '\n', got))
			break;
	}
	close(fd);
	reply[got] = 0;
	reply[strcspn(reply, "\n")] = 0;
	if (strncmp(reply, "end ", 4)) {
		snprintf(err, errlen, "%s: %s", name,
			 got ? reply : "the supervisor went away without saying how the VM ended");
		return -EIO;
	}
	snprintf(end, endlen, "%s", reply + 4);
	return 0;
}

int nd_vm_stop(const char *name, unsigned timeout_s, char *end, size_t endlen,
	       char *err, size_t errlen)
{
	char cmd[32];

	snprintf(cmd, sizeof(cmd), "stop %u\n", timeout_s);
	return command(name, cmd, end, endlen, err, errlen);
}

int nd_vm_destroy(const char *name, char *end, size_t endlen, char *err, size_t errlen)
{
	return command(name, "destroy\n", end, endlen, err, errlen);
}

int nd_vm_console_connect(const char *name, int *fd, char *err, size_t errlen)
{
	return connect_to(name, VM_CONSOLE, fd, err, errlen);
}
