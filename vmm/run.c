/* The supervisor: one loop that owns a guest's tap, its QEMU child, the
 * QMP connection, the serial console (to a log, the terminal and attached
 * `vm console` clients) and the control socket `vm stop` talks to.  It
 * turns SIGTERM into the ACPI power button, since QEMU itself treats
 * SIGTERM as "quit", and it removes the tap and the state whatever way
 * the guest ends. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "supervisor.h"

void sup_init(struct sup *s)
{
	memset(s, 0, sizeof(*s));
	s->lockfd = s->tapfd = s->serial = s->sigfd = s->logfd = s->qemu_log = -1;
	s->ctl_listen = s->con_listen = -1;
	s->qmp_listen = s->kernel_fd = s->initrd_fd = -1;
	s->disk_rw_fd = s->disk_ro_fd = s->cdrom_fd = -1;
	s->qmp.fd = -1;
	for (int i = 0; i < CLIENTS_MAX; i++)
		s->clients[i].fd = -1;
}

/* ---- stopping ---- */

void sup_begin_stop(struct sup *s, unsigned timeout_s)
{
	double now = nd_mono_ms();

	if (s->stopping) {
		/* asked again: stop waiting for the guest */
		if (!s->quit_sent) {
			vm_qmp_execute(&s->qmp, "quit");
			s->quit_sent = true;
			s->kill_at = now + KILL_AFTER_QUIT_MS;
		}
		return;
	}
	s->stopping = true;
	s->stop_deadline = now + timeout_s * 1000.0;
	s->next_press = now;
}

static void stop_tick(struct sup *s)
{
	double now = nd_mono_ms();

	if (!s->stopping || s->exited)
		return;
	if (s->quit_sent) {
		if (now >= s->kill_at && !s->killed) {
			kill(s->qemu, SIGKILL);
			s->killed = true;
		}
		return;
	}
	if (now >= s->stop_deadline) {
		if (vm_qmp_execute(&s->qmp, "quit") < 0) {
			kill(s->qemu, SIGKILL);
			s->killed = true;
		}
		s->quit_sent = true;
		s->kill_at = now + KILL_AFTER_QUIT_MS;
		return;
	}
	/* A press before the guest enabled ACPI is lost: press again until
	 * it powers off (the SHUTDOWN event ends the loop). */
	if (now >= s->next_press && !s->shutdown_seen) {
		if (s->qmp.fd >= 0)
			vm_qmp_execute(&s->qmp, "system_powerdown");
		s->next_press = now + PRESS_EVERY_MS;
	}
}

static void on_qmp_event(void *arg, const char *event, const char *reason)
{
	struct sup *s = arg;

	if (!strcmp(event, "SHUTDOWN")) {
		s->shutdown_seen = true;
		snprintf(s->shutdown_reason, sizeof(s->shutdown_reason), "%s", reason);
	} else if (!strcmp(event, "GUEST_PANICKED")) {
		s->panicked = true;
		/* the default action pauses the guest; end the run instead */
		vm_qmp_execute(&s->qmp, "quit");
	}
}

/* ---- starting QEMU ---- */

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

static void close_qemu_fds(struct sup *s)
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
static int qemu_identity(struct sup *s, char *err, size_t errlen)
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
static int open_qemu_fds(struct sup *s, char *err, size_t errlen)
{
	const struct nd_vm_config *c = s->c;
	int rc;

	close_qemu_fds(s);
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

static int start_qemu(struct sup *s, const char *qemu, struct vm_argv *argv, char *err, size_t errlen)
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
	close_qemu_fds(s);
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

/* ---- the end ---- */

static void last_qemu_words(struct sup *s, char *out, size_t len)
{
	char buf[2048], *line, *last = NULL, *save = NULL;
	ssize_t n;

	out[0] = 0;
	if (s->qemu_log < 0 || lseek(s->qemu_log, 0, SEEK_SET) < 0)
		return;
	n = read(s->qemu_log, buf, sizeof(buf) - 1);
	if (n <= 0)
		return;
	buf[n] = 0;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (!strstr(line, "warning:"))
			last = line;
	if (last)
		snprintf(out, len, "%s", last);
}

static void decide_end(struct sup *s, int status)
{
	struct nd_vm_result *r = s->r;
	char words[160];

	r->qemu_status = status;
	if (s->panicked || s->said_panic || !strcmp(s->shutdown_reason, "guest-panic")) {
		r->end = ND_VM_END_PANIC;
		snprintf(r->end_detail, sizeof(r->end_detail), "%s",
			 s->panic_line[0] ? s->panic_line : "guest reported a panic");
	} else if (s->shutdown_seen && !strcmp(s->shutdown_reason, "guest-shutdown")) {
		r->end = ND_VM_END_POWERED_OFF;
	} else if (s->shutdown_seen && !strcmp(s->shutdown_reason, "guest-reset")) {
		r->end = s->said_restart ? ND_VM_END_RESET : ND_VM_END_TRIPLE_FAULT;
		if (!s->said_restart)
			snprintf(r->end_detail, sizeof(r->end_detail),
				 "reset without a reboot message: CPU triple fault or firmware reset");
	} else if (s->said_halt) {
		r->end = ND_VM_END_HALTED;
	} else if (s->killed || s->quit_sent) {
		r->end = ND_VM_END_KILLED;
		snprintf(r->end_detail, sizeof(r->end_detail), "%s",
			 s->stopping && !s->killed ? "no reaction to the power button; quit"
			 : s->stopping ? "no reaction to the power button or quit; SIGKILL"
				       : "destroyed");
	} else {
		r->end = ND_VM_END_QEMU_DIED;
		last_qemu_words(s, words, sizeof(words));
		if (WIFSIGNALED(status))
			snprintf(r->end_detail, sizeof(r->end_detail), "QEMU killed by signal %d%s%s",
				 WTERMSIG(status), words[0] ? ": " : "", words);
		else
			snprintf(r->end_detail, sizeof(r->end_detail), "QEMU exited with status %d%s%s",
				 WEXITSTATUS(status), words[0] ? ": " : "", words);
	}
	if (!r->end_detail[0] && s->shutdown_reason[0])
		snprintf(r->end_detail, sizeof(r->end_detail), "QEMU: %s", s->shutdown_reason);
}

static void teardown(struct sup *s)
{
	vm_qmp_close(&s->qmp);
	if (s->tapfd >= 0)
		close(s->tapfd);
	if (s->serial >= 0)
		close(s->serial);
	if (s->sigfd >= 0)
		close(s->sigfd);
	if (s->logfd >= 0)
		close(s->logfd);
	if (s->qemu_log >= 0)
		close(s->qemu_log);
	if (s->ctl_listen >= 0)
		close(s->ctl_listen);
	if (s->con_listen >= 0)
		close(s->con_listen);
	close_qemu_fds(s);
	if (s->tty_raw)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &s->tty_saved);
	if (s->lockfd >= 0) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		s->info.ended = ts.tv_sec + ts.tv_nsec / 1e9;
		snprintf(s->info.end, sizeof(s->info.end), "%s", nd_vm_end_name(s->r->end));
		/* a console log given by the user stays; ours goes with the dir */
		vm_state_release(s->c->name, s->lockfd, s->r->end ? &s->info : NULL);
	}
	sup_clients_end(s, nd_vm_end_name(s->r->end));
}

/* ---- KVM that fails in QEMU ---- */

#define KVM_EARLY_MS 10000        /* a KVM failure shows within this */

/* Under --accel auto, QEMU dying on KVM before the guest printed a byte
 * (a nested /dev/kvm missing MSRs, say) is retried on TCG. */
static bool kvm_fell_over(const struct sup *s, double started)
{
	return s->c->accel == ND_VM_ACCEL_AUTO && !strcmp(s->r->accel, "kvm") &&
	       s->r->end == ND_VM_END_QEMU_DIED && !s->console_bytes && !s->stopping &&
	       nd_mono_ms() - started < KVM_EARLY_MS;
}

/* Forget one QEMU run, keeping the tap, state and sockets. */
static void run_reset(struct sup *s)
{
	vm_qmp_close(&s->qmp);
	if (s->serial >= 0)
		close(s->serial);
	s->serial = -1;
	s->qemu = 0;
	s->exited = s->shutdown_seen = s->panicked = false;
	s->said_restart = s->said_halt = s->said_panic = false;
	s->quit_sent = s->killed = false;
	s->shutdown_reason[0] = s->panic_line[0] = 0;
	s->linelen = 0;
	s->r->end = ND_VM_END_NONE;
	s->r->end_detail[0] = 0;
	if (s->qemu_log >= 0 && ftruncate(s->qemu_log, 0) == 0)
		lseek(s->qemu_log, 0, SEEK_SET);
}

/* ---- the loop ---- */

static void signal_readable(struct sup *s)
{
	struct signalfd_siginfo si;
	int status;

	while (read(s->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo != SIGCHLD) {
			sup_begin_stop(s, STOP_TIMEOUT_S);
			continue;
		}
		if (!s->exited && waitpid(s->qemu, &status, WNOHANG) == s->qemu) {
			s->exited = true;
			decide_end(s, status);
		}
	}
}

static int loop(struct sup *s, volatile sig_atomic_t *stop)
{
	struct pollfd p[6 + CLIENTS_MAX];
	int idx_client[6 + CLIENTS_MAX];
	double start = nd_mono_ms();

	s->qmp_deadline = start + QMP_CONNECT_MS;
	while (!s->exited) {
		int n = 0, base;

		if (s->qmp.fd < 0 && nd_mono_ms() < s->qmp_deadline)
			vm_qmp_connect(&s->qmp, s->qmp_path);
		if (stop && *stop && !s->stopping)
			sup_begin_stop(s, STOP_TIMEOUT_S);
		stop_tick(s);

		p[n++] = (struct pollfd){ .fd = s->sigfd, .events = POLLIN };
		p[n++] = (struct pollfd){ .fd = s->serial, .events = POLLIN };
		p[n++] = (struct pollfd){ .fd = s->qmp.fd, .events = POLLIN };
		p[n++] = (struct pollfd){ .fd = s->ctl_listen, .events = POLLIN };
		p[n++] = (struct pollfd){ .fd = s->con_listen, .events = POLLIN };
		p[n++] = (struct pollfd){ .fd = s->c->console ? STDIN_FILENO : -1, .events = POLLIN };
		base = n;
		for (int i = 0; i < CLIENTS_MAX; i++) {
			if (s->clients[i].kind != CLIENT_CONSOLE)
				continue;
			idx_client[n] = i;
			p[n++] = (struct pollfd){ .fd = s->clients[i].fd, .events = POLLIN };
		}
		if (poll(p, (nfds_t)n, 100) < 0 && errno != EINTR)
			return -errno;
		if (p[1].revents & (POLLIN | POLLHUP))
			sup_serial_readable(s);
		if (p[2].revents & (POLLIN | POLLHUP)) {
			if (vm_qmp_read(&s->qmp, on_qmp_event, s) < 0)
				vm_qmp_close(&s->qmp);
		}
		if (p[3].revents & POLLIN)
			sup_control_accept(s);
		if (p[4].revents & POLLIN)
			sup_console_accept(s);
		if (p[5].revents & POLLIN)
			sup_terminal_readable(s);
		for (int i = base; i < n; i++)
			if (p[i].revents)
				sup_console_client_readable(s, &s->clients[idx_client[i]]);
		if (p[0].revents & POLLIN)
			signal_readable(s);
	}
	/* what QEMU wrote last (the power-down message) is still in the socket */
	while (s->serial >= 0) {
		struct pollfd q = { .fd = s->serial, .events = POLLIN };

		if (poll(&q, 1, 0) <= 0 || !(q.revents & POLLIN))
			break;
		char buf[4096];
		ssize_t r = read(s->serial, buf, sizeof(buf));

		if (r <= 0)
			break;
		sup_console_out(s, buf, (size_t)r);
	}
	return 0;
}

static int open_files(struct sup *s, char *err, size_t errlen)
{
	char path[512];

	if (s->c->console_log)
		snprintf(s->console_log, sizeof(s->console_log), "%s", s->c->console_log);
	else
		vm_path(s->c->name, VM_CONSOLE_LOG, s->console_log, sizeof(s->console_log));
	s->logfd = open(s->console_log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (s->logfd < 0) {
		snprintf(err, errlen, "%s: %s", s->console_log, strerror(errno));
		return -errno;
	}
	vm_path(s->c->name, VM_QEMU_LOG, path, sizeof(path));
	s->qemu_log = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	vm_path(s->c->name, VM_QMP, s->qmp_path, sizeof(s->qmp_path));
	vm_path(s->c->name, VM_CONTROL, path, sizeof(path));
	s->ctl_listen = sup_listen_unix(path);
	vm_path(s->c->name, VM_CONSOLE, path, sizeof(path));
	s->con_listen = sup_listen_unix(path);
	if (s->qemu_log < 0 || s->ctl_listen < 0 || s->con_listen < 0) {
		snprintf(err, errlen, "%s: cannot create the state files", path);
		return -EIO;
	}
	return 0;
}

static void terminal_raw(struct sup *s)
{
	struct termios t;

	if (!s->c->console || !isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &s->tty_saved) < 0)
		return;
	t = s->tty_saved;
	cfmakeraw(&t);
	t.c_oflag |= OPOST | ONLCR;   /* keep our own messages readable */
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &t) == 0)
		s->tty_raw = true;
}

int nd_vm_run(const struct nd_vm_config *c, const struct nd_vm_hooks *h,
	      volatile sig_atomic_t *stop, struct nd_vm_result *r,
	      char *err, size_t errlen)
{
	struct sup s;
	struct vm_argv argv = { 0 };
	char qemu[512], tap[IF_NAMESIZE];
	sigset_t mask, old;
	bool created = false;
	double t0 = nd_mono_ms(), t_exit = t0;
	struct timespec ts;
	enum nd_vm_accel accel;
	int rc;

	memset(r, 0, sizeof(*r));
	rc = nd_vm_validate(c, err, errlen);
	if (rc < 0)
		return rc;
	sup_init(&s);
	s.c = c;
	s.h = h;
	s.r = r;
	vm_qemu_find(c->qemu, qemu, sizeof(qemu));
	accel = nd_vm_accel_pick(c->accel, r->accel_why, sizeof(r->accel_why));
	snprintf(r->accel, sizeof(r->accel), "%s", accel == ND_VM_ACCEL_KVM ? "kvm" : "tcg");
	if (c->mac)
		snprintf(r->mac, sizeof(r->mac), "%s", c->mac);
	else
		nd_vm_mac_from_name(c->name, r->mac);
	if (c->tap)
		snprintf(tap, sizeof(tap), "%s", c->tap);
	else
		nd_vm_tap_name(c->name, tap);
	snprintf(r->tap, sizeof(r->tap), "%s", tap);

	/* signals become events of the loop; the QEMU child unblocks them */
	vm_block_signals(&mask, &old);

	rc = vm_state_claim(c->name, &s.lockfd, err, errlen);
	if (rc < 0)
		goto out;
	rc = open_files(&s, err, errlen);
	if (rc < 0)
		goto out;
	rc = vm_tap_open(tap, c->bridge, &s.tapfd, &created, err, errlen);
	if (rc < 0)
		goto out;
	/* state first without QEMU's pid, so 'vm wait' can start watching */
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(s.info.name, sizeof(s.info.name), "%s", c->name);
	s.info.running = true;
	s.info.pid = getpid();
	snprintf(s.info.tap, sizeof(s.info.tap), "%s", tap);
	snprintf(s.info.bridge, sizeof(s.info.bridge), "%s", c->bridge);
	snprintf(s.info.mac, sizeof(s.info.mac), "%s", r->mac);
	snprintf(s.info.accel, sizeof(s.info.accel), "%s", r->accel);
	s.info.started = ts.tv_sec + ts.tv_nsec / 1e9;
	vm_state_write(c->name, &s.info, s.console_log);
	s.sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (s.sigfd < 0) {
		rc = -errno;
		snprintf(err, errlen, "signalfd: %s", strerror(errno));
		goto out;
	}
	rc = qemu_identity(&s, err, errlen);
	if (rc < 0)
		goto out;
	for (;;) {
		const struct vm_qemu_fds fds = {
			.qmp = QEMU_QMP_FD, .kernel = QEMU_KERNEL_FD, .initrd = QEMU_INITRD_FD,
			.disk_rw = QEMU_DISK_RW_FD, .disk_ro = QEMU_DISK_RO_FD,
			.cdrom = QEMU_CDROM_FD,
		};

		rc = open_qemu_fds(&s, err, errlen);
		if (rc < 0)
			goto out;
		rc = vm_qemu_argv_fds(c, qemu, r->accel, r->mac, QEMU_TAP_FD, &fds, &argv);
		if (rc < 0) {
			snprintf(err, errlen, "%s: out of memory", c->name);
			goto out;
		}
		rc = start_qemu(&s, qemu, &argv, err, errlen);
		if (rc < 0)
			goto out;
		r->setup_ms = nd_mono_ms() - t0;
		r->qemu_pid = s.qemu;
		s.info.qemu_pid = s.qemu;
		snprintf(s.info.accel, sizeof(s.info.accel), "%s", r->accel);
		vm_state_write(c->name, &s.info, s.console_log);
		terminal_raw(&s);
		if (h && h->started)
			h->started(h->arg, r);

		t_exit = nd_mono_ms();
		rc = loop(&s, stop);
		if (rc < 0) {
			/* poll itself failed: do not leave QEMU behind */
			kill(s.qemu, SIGKILL);
			waitpid(s.qemu, &r->qemu_status, 0);
			s.killed = true;
			decide_end(&s, r->qemu_status);
			rc = 0;
		}
		if (!kvm_fell_over(&s, t_exit))
			break;
		/* auto: KVM passed the vCPU test but QEMU could not use it */
		snprintf(r->accel_why, sizeof(r->accel_why), "kvm: %s", r->end_detail);
		snprintf(r->accel, sizeof(r->accel), "tcg");
		vm_argv_free(&argv);
		run_reset(&s);
		t0 = nd_mono_ms();
	}
	r->run_ms = nd_mono_ms() - t_exit;
	t_exit = nd_mono_ms();
out:
	if (rc < 0 && s.qemu > 0) {
		kill(s.qemu, SIGKILL);
		waitpid(s.qemu, NULL, 0);
	}
	vm_argv_free(&argv);
	teardown(&s);
	/* a tap we created goes with its last fd; wait for the kernel to
	 * finish removing it so the caller sees the host as it was */
	for (int i = 0; created && i < 100 && if_nametoindex(tap); i++)
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	if (rc == 0)
		r->teardown_ms = nd_mono_ms() - t_exit;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}
