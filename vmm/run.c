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
	sup_close_qemu_fds(s);
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
		sup_stop_tick(s);

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
	rc = sup_qemu_identity(&s, err, errlen);
	if (rc < 0)
		goto out;
	for (;;) {
		const struct vm_qemu_fds fds = {
			.qmp = QEMU_QMP_FD, .kernel = QEMU_KERNEL_FD, .initrd = QEMU_INITRD_FD,
			.disk_rw = QEMU_DISK_RW_FD, .disk_ro = QEMU_DISK_RO_FD,
			.cdrom = QEMU_CDROM_FD,
		};

		rc = sup_open_qemu_fds(&s, err, errlen);
		if (rc < 0)
			goto out;
		rc = vm_qemu_argv_fds(c, qemu, r->accel, r->mac, QEMU_TAP_FD, &fds, &argv);
		if (rc < 0) {
			snprintf(err, errlen, "%s: out of memory", c->name);
			goto out;
		}
		rc = sup_start_qemu(&s, qemu, &argv, err, errlen);
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
