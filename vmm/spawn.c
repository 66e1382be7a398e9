/* Starting QEMU for the supervisor: whom it runs as, the descriptors it
 * cannot open itself (opened here with our rights and passed at the
 * QEMU_*_FD numbers), and the fork and exec with its capabilities,
 * groups and signals put right. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "supervisor.h"

void vm_block_signals(sigset_t *mask, sigset_t *old)
{
	sigemptyset(mask);
	sigaddset(mask, SIGTERM);
	sigaddset(mask, SIGINT);
	sigaddset(mask, SIGHUP);
	sigaddset(mask, SIGCHLD);
	pthread_sigmask(SIG_BLOCK, mask, old);
}

/* A sealed in-memory copy of a kernel or initrd: QEMU, unprivileged,
 * reads it as /proc/self/fd/N whatever the file's own permissions. */
static int memfd_copy(const char *path, int *out, char *err, size_t errlen)
{
	int in = open(path, O_RDONLY | O_CLOEXEC), fd = -1, rc = 0;
	char buf[65536];
	ssize_t n;

	if (in < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	fd = memfd_create("netdiag-guest", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "memfd: %s", strerror(errno));
		goto out;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(fd, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	if (n < 0 || fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK |
				F_SEAL_SEAL) < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	*out = fd;
	fd = -1;
out:
	if (in >= 0)
		close(in);
	if (fd >= 0)
		close(fd);
	return rc;
}

void sup_close_qemu_fds(struct sup *s)
{
	int *fds[] = { &s->qmp_listen, &s->kernel_fd, &s->initrd_fd, &s->disk_rw_fd,
		       &s->disk_ro_fd, &s->cdrom_fd };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

/* Whom QEMU runs as: $NETDIAG_VM_USER or nobody, with the group of
 * /dev/kvm beside its own so KVM stays usable.  Looked up before fork:
 * NSS is not for a forked child. */
int sup_qemu_identity(struct sup *s, char *err, size_t errlen)
{
	const char *user = getenv("NETDIAG_VM_USER");
	struct passwd *pw;
	struct stat st;

	s->qemu_setuid = geteuid() == 0;
	if (!s->qemu_setuid)
		return 0;
	pw = getpwnam(user && user[0] ? user : "nobody");
	if (!pw || pw->pw_uid == 0) {
		snprintf(err, errlen, "%s: %s", user && user[0] ? user : "nobody",
			 pw ? "QEMU must not run as root" : "no such user to run QEMU as");
		return -EINVAL;
	}
	s->qemu_uid = pw->pw_uid;
	s->qemu_gid = pw->pw_gid;
	s->qemu_groups[0] = pw->pw_gid;
	s->qemu_ngroups = 1;
	if (stat("/dev/kvm", &st) == 0 && st.st_gid != 0)
		s->qemu_groups[s->qemu_ngroups++] = st.st_gid;
	return 0;
}

/* Everything QEMU needs from us, opened here with our rights. */
int sup_open_qemu_fds(struct sup *s, char *err, size_t errlen)
{
	const struct nd_vm_config *c = s->c;
	int rc;

	sup_close_qemu_fds(s);
	s->qmp_listen = sup_listen_unix(s->qmp_path);
	if (s->qmp_listen < 0) {
		snprintf(err, errlen, "%s: %s", s->qmp_path, strerror(-s->qmp_listen));
		return s->qmp_listen;
	}
	if (c->kernel && (rc = memfd_copy(c->kernel, &s->kernel_fd, err, errlen)) < 0)
		return rc;
	if (c->initrd && (rc = memfd_copy(c->initrd, &s->initrd_fd, err, errlen)) < 0)
		return rc;
	if (c->disk) {
		s->disk_rw_fd = open(c->disk, O_RDWR | O_CLOEXEC);
		s->disk_ro_fd = open(c->disk, O_RDONLY | O_CLOEXEC);
		if (s->disk_rw_fd < 0 || s->disk_ro_fd < 0) {
			snprintf(err, errlen, "%s: %s", c->disk, strerror(errno));
			return -errno;
		}
	}
	if (c->cdrom && (s->cdrom_fd = open(c->cdrom, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "%s: %s", c->cdrom, strerror(errno));
		return -errno;
	}
	return 0;
}

/* In the child before execve: no new privileges ever, every capability
 * gone from all sets and the bounding set, then the unprivileged user.
 * Returns an errno, 0 when done. */
static int qemu_drop(const struct sup *s)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return errno;
	if (s->qemu_setuid) {
		for (int cap = 0; cap <= 63; cap++)
			if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
				return errno;
		if (setgroups((size_t)s->qemu_ngroups, s->qemu_groups) < 0 ||
		    setresgid(s->qemu_gid, s->qemu_gid, s->qemu_gid) < 0 ||
		    setresuid(s->qemu_uid, s->qemu_uid, s->qemu_uid) < 0)
			return errno;
	}
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	memset(d, 0, sizeof(d));
	if (syscall(SYS_capset, &h, d) < 0)
		return errno;
	/* setuid away from 0 must have left nothing: make sure */
	if (syscall(SYS_capget, &h, d) < 0 || d[0].effective || d[0].permitted || d[1].effective ||
	    d[1].permitted)
		return EPERM;
	return 0;
}

/* dup2 sources may sit on each other's targets: lift them all above the
 * targets first, then place them */
static int place_fds(const int *from, const int *to, size_t n)
{
	int high[8];

	for (size_t i = 0; i < n; i++) {
		high[i] = from[i] >= 0 ? fcntl(from[i], F_DUPFD, 64) : -1;
		if (from[i] >= 0 && high[i] < 0)
			return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (high[i] < 0)
			continue;
		/* dup2 to a new number leaves FD_CLOEXEC clear: QEMU inherits it */
		if (dup2(high[i], to[i]) < 0)
			return -1;
		close(high[i]);
	}
	return 0;
}

int sup_start_qemu(struct sup *s, const char *qemu, struct vm_argv *argv, char *err, size_t errlen)
{
	int sp[2], ep[2], rc;
	sigset_t none;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
		goto fail;
	if (pipe2(ep, O_CLOEXEC) < 0) {
		close(sp[0]);
		close(sp[1]);
		goto fail;
	}
	pid = fork();
	if (pid < 0) {
		close(sp[0]);
		close(sp[1]);
		close(ep[0]);
		close(ep[1]);
		goto fail;
	}
	if (pid == 0) {
		static char *const envp[] = { "PATH=/usr/local/bin:/usr/bin:/bin", NULL };
		int e;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* own session: ^C on the terminal reaches the supervisor only,
		 * which turns it into the power button */
		setsid();
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (dup2(sp[1], STDIN_FILENO) < 0 || dup2(sp[1], STDOUT_FILENO) < 0 ||
		    dup2(s->qemu_log, STDERR_FILENO) < 0)
			goto child_fail;
		{
			const int from[] = { s->tapfd, s->qmp_listen, s->kernel_fd, s->initrd_fd,
					     s->disk_rw_fd, s->disk_ro_fd, s->cdrom_fd };
			const int to[] = { QEMU_TAP_FD, QEMU_QMP_FD, QEMU_KERNEL_FD,
					   QEMU_INITRD_FD, QEMU_DISK_RW_FD, QEMU_DISK_RO_FD,
					   QEMU_CDROM_FD };

			if (place_fds(from, to, sizeof(from) / sizeof(from[0])) < 0)
				goto child_fail;
		}
		errno = qemu_drop(s);
		if (errno)
			goto child_fail;
		/* a change of ids cleared the parent-death signal */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execve(qemu, argv->v, envp);
child_fail:
		e = errno;
		if (write(ep[1], &e, sizeof(e)) < 0)
			_exit(126);
		_exit(127);
	}
	close(sp[1]);
	close(ep[1]);
	/* QEMU holds its own copies now */
	sup_close_qemu_fds(s);
	s->serial = sp[0];
	s->qemu = pid;
	/* EOF on the pipe: execve succeeded and closed it */
	int e = 0;
	ssize_t n;

	do
		n = read(ep[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(ep[0]);
	if (n == sizeof(e)) {
		waitpid(pid, NULL, 0);
		s->qemu = 0;
		snprintf(err, errlen, "%s: %s", qemu, strerror(e));
		return -e;
	}
	return 0;
fail:
	rc = -errno;
	snprintf(err, errlen, "cannot start QEMU: %s", strerror(errno));
	return rc;
}
