/* The hook's work once the guest has started: a detached check per tap,
 * its verdict to the system log and a state file; and running the hook
 * that was there before ours. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <netdiag/check.h>
#include <netdiag/hook.h>
#include <netdiag/journal.h>

void nd_hook_log(int priority, const char *fmt, ...)
{
	const char *sock = getenv("NETDIAG_SYSLOG_SOCKET");
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (sock && sock[0]) {
		struct sockaddr_un to = { .sun_family = AF_UNIX };
		char line[600];
		int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		int n;

		/* what syslog(3) sends to /dev/log: <PRI>IDENT[PID]: MESSAGE */
		n = snprintf(line, sizeof(line), "<%d>netdiag-hook[%d]: %s", LOG_DAEMON | priority,
			     (int)getpid(), msg);
		snprintf(to.sun_path, sizeof(to.sun_path), "%s", sock);
		if (fd >= 0) {
			sendto(fd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1, 0,
			       (struct sockaddr *)&to, sizeof(to));
			close(fd);
		}
		return;
	}
	openlog("netdiag-hook", LOG_PID, LOG_DAEMON);
	syslog(priority, "%s", msg);
	closelog();
}

/* A guest name as a file name: libvirt allows almost anything */
static void file_name(const char *in, char *out, size_t len)
{
	size_t i = 0;

	for (; in[i] && i + 1 < len; i++)
		out[i] = in[i] == '/' || (i == 0 && in[i] == '.') ? '_' : in[i];
	out[i] = 0;
}

static int state_dir(const char *guest, char *dir, size_t len)
{
	char g[ND_HOOK_GUEST_MAX + 1];

	file_name(guest, g, sizeof(g));
	snprintf(dir, len, "%s/hook", nd_run_dir());
	if (mkdir(nd_run_dir(), 0700) && errno != EEXIST)
		return -errno;
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	snprintf(dir, len, "%s/hook/%s", nd_run_dir(), g);
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

/* key=value lines, written whole (temp file, rename) */
static int state_write(const struct nd_hook_state *s)
{
	char dir[PATH_MAX], path[PATH_MAX + 32], tmp[PATH_MAX + 48];
	FILE *f;
	int ret = state_dir(s->guest, dir, sizeof(dir));

	if (ret)
		return ret;
	snprintf(path, sizeof(path), "%s/%s", dir, s->tap);
	snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	fprintf(f, "guest=%s\ntap=%s\nbridge=%s\nstate=%s\nstatus=%s\nverdicts=%s\nfindings=%s\n"
		"error=%s\nstarted=%.3f\nfinished=%.3f\nseconds=%.1f\npid=%ld\n", s->guest, s->tap,
		s->bridge, s->state, s->status, s->verdicts, s->findings, s->error, s->started,
		s->finished, s->seconds, s->pid);
	if (fclose(f))
		return -errno;
	return rename(tmp, path) ? -errno : 0;
}

static int state_read(const char *path, struct nd_hook_state *s)
{
	static const struct { const char *key; size_t off, len; } fields[] = {
#define F(k) { #k, offsetof(struct nd_hook_state, k), sizeof(((struct nd_hook_state *)0)->k) }
		F(guest), F(tap), F(bridge), F(state), F(status), F(verdicts), F(findings), F(error),
#undef F
	};
	char line[512];
	FILE *f = fopen(path, "r");

	if (!f)
		return -errno;
	memset(s, 0, sizeof(*s));
	while (fgets(line, sizeof(line), f)) {
		char *eq = strchr(line, '=');

		if (!eq)
			continue;
		*eq++ = 0;
		eq[strcspn(eq, "\n")] = 0;
		for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			if (!strcmp(line, fields[i].key))
				snprintf((char *)s + fields[i].off, fields[i].len, "%s", eq);
		if (!strcmp(line, "started"))
			s->started = strtod(eq, NULL);
		else if (!strcmp(line, "finished"))
			s->finished = strtod(eq, NULL);
		else if (!strcmp(line, "seconds"))
			s->seconds = strtod(eq, NULL);
		else if (!strcmp(line, "pid"))
			s->pid = strtol(eq, NULL, 10);
	}
	fclose(f);
	return 0;
}

static volatile sig_atomic_t stop_flag;

/* the bound: first ask the check to end with what it has, then end it */
static void on_alarm(int sig)
{
	(void)sig;
	if (stop_flag)
		_exit(3);
	stop_flag = 1;
	alarm(5);
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* In the detached process: one check, its verdict written and logged. */
static void check_port(const char *guest, const struct nd_hook_port *p, double timeout)
{
	struct nd_check_opts o = {
		.bridge = p->bridge[0] ? p->bridge : NULL, .uplink = p->uplink[0] ? p->uplink : NULL,
		.until_verdict = true, .duration = timeout, .stop = &stop_flag,
	};
	struct nd_hook_state s = { .started = now(), .pid = getpid() };
	struct nd_check_result res;
	struct nd_findings fs;
	size_t vu = 0, fu = 0;
	unsigned seen = 0;
	int ret;

	snprintf(s.guest, sizeof(s.guest), "%s", guest);
	snprintf(s.tap, sizeof(s.tap), "%s", p->tap);
	snprintf(s.bridge, sizeof(s.bridge), "%s", p->bridge);
	snprintf(s.state, sizeof(s.state), "running");
	state_write(&s);
	o.taps[o.ntaps++] = p->tap;
	signal(SIGALRM, on_alarm);
	alarm((unsigned)timeout + 10);
	nd_findings_init(&fs);
	ret = nd_check_run(&o, &res, &fs, s.error, sizeof(s.error));
	s.finished = now();
	s.seconds = s.finished - s.started;
	if (ret) {
		snprintf(s.state, sizeof(s.state), "error");
		snprintf(s.status, sizeof(s.status), "error");
		nd_hook_log(LOG_ERR, "%s: %s on %s: could not check: %s", guest, p->tap,
			    p->bridge[0] ? p->bridge : "no bridge", s.error);
		goto out;
	}
	for (unsigned i = 0; i < res.nverdicts && vu < sizeof(s.verdicts); i++)
		vu += (size_t)snprintf(s.verdicts + vu, sizeof(s.verdicts) - vu, "%s%s:%s",
				       i ? "," : "", res.verdicts[i].name,
				       nd_verdict_name(res.verdicts[i].verdict));
	for (size_t i = 0; i < fs.n && fu < sizeof(s.findings); i++)
		if (fs.v[i].severity >= ND_SEV_WARNING && !strstr(s.findings, fs.v[i].id))
			fu += (size_t)snprintf(s.findings + fu, sizeof(s.findings) - fu, "%s%s",
					       fu ? "," : "", fs.v[i].id);
	for (unsigned i = 0; i < res.nverdicts; i++)
		seen += strcmp(res.verdicts[i].name, "host") &&
			res.verdicts[i].verdict != ND_VERDICT_NOT_SEEN;
	snprintf(s.state, sizeof(s.state), "done");
	/* a guest that sent nothing in time proves nothing either way */
	snprintf(s.status, sizeof(s.status), "%s",
		 nd_findings_count_at_least(&fs, ND_SEV_ERROR) ? "problems"
		 : seen ? "healthy" : "not-seen");
	nd_hook_log(s.status[0] == 'p' ? LOG_WARNING : LOG_INFO, "%s: %s on %s: %s (%s)%s%s", guest,
		    p->tap, p->bridge[0] ? p->bridge : "no bridge", s.status, s.verdicts,
		    s.findings[0] ? ": " : "", s.findings);
out:
	state_write(&s);
	nd_check_result_free(&res);
	nd_findings_free(&fs);
}

static void detach_stdio(void)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return;
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
	/* libvirt waits for every holder of the hook's pipes to close them */
	for (int i = STDERR_FILENO + 1; i < 1024; i++)
		close(i);
}

int nd_hook_start(const char *guest, const struct nd_hook_port *ports, unsigned n,
		  double timeout, char *err, size_t errlen)
{
	pid_t pid;
	int status;

	if (!timeout)
		timeout = ND_HOOK_TIMEOUT;
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return -errno;
	}
	if (pid == 0) {
		/* the middle process: a session of its own, then one
		 * grandchild per port, and gone, so init adopts them */
		setsid();
		detach_stdio();
		if (chdir("/"))
			_exit(1);
		for (unsigned i = 0; i < n; i++) {
			pid_t c = fork();

			if (c == 0) {
				check_port(guest, &ports[i], timeout);
				_exit(0);
			}
		}
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return 0;
}

int nd_hook_chain(const char *path, char *const *args, unsigned nargs, const char *input,
		  size_t len, int *status)
{
	char *argv[16];
	int fds[2], st;
	pid_t pid;

	if (nargs + 2 > sizeof(argv) / sizeof(argv[0]))
		return -E2BIG;
	argv[0] = (char *)path;
	for (unsigned i = 0; i < nargs; i++)
		argv[i + 1] = args[i];
	argv[nargs + 1] = NULL;
	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -errno;
	}
	if (pid == 0) {
		dup2(fds[0], STDIN_FILENO);
		execv(path, argv);
		_exit(127);
	}
	close(fds[0]);
	/* a hook that does not read its stdin gets EPIPE, not us a SIGPIPE */
	signal(SIGPIPE, SIG_IGN);
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fds[1], input + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	close(fds[1]);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : 1;
	return 0;
}

static int states_of(const char *dir, struct nd_hook_state *v, unsigned max, unsigned *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d)) && *n < max) {
		char path[PATH_MAX + 300];

		if (de->d_name[0] == '.' || strstr(de->d_name, ".tmp"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (!state_read(path, &v[*n]))
			(*n)++;
	}
	closedir(d);
	return 0;
}

int nd_hook_states(const char *guest, struct nd_hook_state *v, unsigned max, unsigned *n)
{
	char dir[PATH_MAX], g[ND_HOOK_GUEST_MAX + 1];
	DIR *d;
	struct dirent *de;
	int ret = 0;

	*n = 0;
	if (guest) {
		file_name(guest, g, sizeof(g));
		snprintf(dir, sizeof(dir), "%s/hook/%s", nd_run_dir(), g);
		return states_of(dir, v, max, n);
	}
	snprintf(dir, sizeof(dir), "%s/hook", nd_run_dir());
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d)) && !ret) {
		char sub[PATH_MAX + 300];

		if (de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
		ret = states_of(sub, v, max, n);
	}
	closedir(d);
	return ret;
}
