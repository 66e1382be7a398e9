/* The supervisor's console and sockets: serial output to the log, the
 * terminal and attached `vm console` clients, line by line to the hooks;
 * keystrokes back; control commands (stop, destroy) from other processes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "supervisor.h"

int sup_listen_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return -errno;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		close(fd);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 4) < 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	return fd;
}

static void write_all(int fd, const char *buf, size_t n)
{
	while (n) {
		ssize_t w = write(fd, buf, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		buf += w;
		n -= (size_t)w;
	}
}

static void client_drop(struct client *cl)
{
	close(cl->fd);
	cl->fd = -1;
	cl->kind = CLIENT_NONE;
}

static struct client *client_slot(struct sup *s)
{
	for (int i = 0; i < CLIENTS_MAX; i++)
		if (s->clients[i].fd < 0)
			return &s->clients[i];
	return NULL;
}

static void console_line(struct sup *s, const char *line)
{
	/* Linux's last words tell a reboot from a CPU reset, and a halt */
	if (strstr(line, "reboot: Restarting system"))
		s->said_restart = true;
	if (strstr(line, "reboot: System halted")) {
		s->said_halt = true;
		vm_qmp_execute(&s->qmp, "quit");
	}
	if (strstr(line, "Kernel panic - not syncing")) {
		s->said_panic = true;
		snprintf(s->panic_line, sizeof(s->panic_line), "%s", strstr(line, "Kernel panic"));
	}
	if (s->h && s->h->console_line)
		s->h->console_line(s->h->arg, line);
}

void sup_console_out(struct sup *s, const char *buf, size_t n)
{
	if (s->logfd >= 0)
		write_all(s->logfd, buf, n);
	if (s->c->console)
		write_all(STDOUT_FILENO, buf, n);
	for (int i = 0; i < CLIENTS_MAX; i++)
		if (s->clients[i].kind == CLIENT_CONSOLE &&
		    send(s->clients[i].fd, buf, n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 &&
		    errno != EAGAIN)
			client_drop(&s->clients[i]);
	for (size_t i = 0; i < n; i++) {
		char ch = buf[i];

		if (ch == '\n' || s->linelen + 1 >= sizeof(s->line)) {
			if (s->linelen && s->line[s->linelen - 1] == '\r')
				s->linelen--;
			s->line[s->linelen] = 0;
			console_line(s, s->line);
			s->linelen = 0;
			if (ch == '\n')
				continue;
		}
		s->line[s->linelen++] = ch;
	}
}

void sup_serial_readable(struct sup *s)
{
	char buf[4096];
	ssize_t n = read(s->serial, buf, sizeof(buf));

	if (n > 0) {
		s->console_bytes += (uint64_t)n;
		sup_console_out(s, buf, (size_t)n);
	}
}

void sup_terminal_readable(struct sup *s)
{
	char buf[256];
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));

	if (n <= 0)
		return;
	if (s->tty_raw && memchr(buf, CONSOLE_ESCAPE, (size_t)n)) {
		sup_begin_stop(s, STOP_TIMEOUT_S);
		return;
	}
	write_all(s->serial, buf, (size_t)n);
}

void sup_control_accept(struct sup *s)
{
	int fd = accept4(s->ctl_listen, NULL, NULL, SOCK_CLOEXEC);
	struct timeval tv = { 1, 0 };
	char cmd[64] = { 0 };
	struct client *cl;
	ssize_t n;

	if (fd < 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	n = recv(fd, cmd, sizeof(cmd) - 1, 0);
	cl = client_slot(s);
	if (n <= 0 || !cl) {
		close(fd);
		return;
	}
	cmd[strcspn(cmd, "\n")] = 0;
	if (!strncmp(cmd, "stop", 4)) {
		long t = strtol(cmd + 4, NULL, 10);

		sup_begin_stop(s, t > 0 ? (unsigned)t : STOP_TIMEOUT_S);
	} else if (!strcmp(cmd, "destroy")) {
		if (!s->killed && !s->exited) {
			kill(s->qemu, SIGKILL);
			s->killed = true;
		}
	} else {
		send(fd, "error unknown command\n", 22, MSG_NOSIGNAL);
		close(fd);
		return;
	}
	/* the client hears "end REASON" when the guest is gone */
	cl->fd = fd;
	cl->kind = CLIENT_CONTROL;
}

void sup_console_accept(struct sup *s)
{
	int fd = accept4(s->con_listen, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	struct client *cl = client_slot(s);

	if (fd < 0)
		return;
	if (!cl) {
		close(fd);
		return;
	}
	cl->fd = fd;
	cl->kind = CLIENT_CONSOLE;
}

void sup_console_client_readable(struct sup *s, struct client *cl)
{
	char buf[256];
	ssize_t n = recv(cl->fd, buf, sizeof(buf), MSG_DONTWAIT);

	if (n == 0 || (n < 0 && errno != EAGAIN))
		client_drop(cl);
	else if (n > 0)
		write_all(s->serial, buf, (size_t)n);
}

void sup_clients_end(struct sup *s, const char *end)
{
	char msg[64];

	snprintf(msg, sizeof(msg), "end %s\n", end);
	for (int i = 0; i < CLIENTS_MAX; i++) {
		if (s->clients[i].fd < 0)
			continue;
		if (s->clients[i].kind == CLIENT_CONTROL)
			send(s->clients[i].fd, msg, strlen(msg), MSG_NOSIGNAL);
		client_drop(&s->clients[i]);
	}
}
