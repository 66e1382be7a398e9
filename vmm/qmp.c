/* A QMP client, just enough for the launcher: the greeting and
 * qmp_capabilities handshake, commands without arguments
 * (system_powerdown, quit), and events (SHUTDOWN with its reason,
 * GUEST_PANICKED).  QMP sends one JSON object per line; values are read
 * by path with a small strict scanner rather than a JSON library. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "vm_internal.h"

/* ---- a JSON reader by path ---- */

static const char *ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	return p;
}

/* Past a string starting at its opening quote; NULL if unterminated.
 * When out is set, the unescaped text (\uXXXX kept as '?') goes there. */
static const char *string_end(const char *p, char *out, size_t len)
{
	size_t k = 0;

	if (*p != '"')
		return NULL;
	for (p++; *p && *p != '"'; p++) {
		char ch = *p;

		if (ch == '\\') {
			p++;
			switch (*p) {
			case 'n': ch = '\n'; break;
			case 't': ch = '\t'; break;
			case 'r': ch = '\r'; break;
			case 'b': ch = '\b'; break;
			case 'f': ch = '\f'; break;
			case 'u':
				for (int i = 0; i < 4; i++)
					if (!p[1 + i])
						return NULL;
				p += 4;
				ch = '?';
				break;
			case 0: return NULL;
			default: ch = *p; break;
			}
		}
		if (out && k + 1 < len)
			out[k++] = ch;
	}
	if (out && len)
		out[k] = 0;
	return *p == '"' ? p + 1 : NULL;
}

static const char *value_end(const char *p, int depth)
{
	p = ws(p);
	if (depth > 32)
		return NULL;
	if (*p == '"')
		return string_end(p, NULL, 0);
	if (*p == '{' || *p == '[') {
		char close = *p == '{' ? '}' : ']';

		p = ws(p + 1);
		if (*p == close)
			return p + 1;
		for (;;) {
			if (close == '}') {
				p = string_end(ws(p), NULL, 0);
				if (!p || *(p = ws(p)) != ':')
					return NULL;
				p++;
			}
			p = value_end(p, depth + 1);
			if (!p)
				return NULL;
			p = ws(p);
			if (*p == close)
				return p + 1;
			if (*p != ',')
				return NULL;
			p++;
		}
	}
	/* number, true, false, null */
	const char *s = p;

	while (*p && strchr("+-.0123456789eEtruefalsn", *p))
		p++;
	return p > s ? p : NULL;
}

int vm_json_get_str(const char *json, const char *path, char *out, size_t len)
{
	const char *p = ws(json);
	char seg[64], key[64];

	while (*path) {
		size_t n = strcspn(path, ".");

		snprintf(seg, sizeof(seg), "%.*s", (int)n, path);
		path += n + (path[n] == '.');
		if (*p != '{')
			return -ENOENT;
		p = ws(p + 1);
		for (;;) {
			if (*p == '}')
				return -ENOENT;
			p = string_end(p, key, sizeof(key));
			if (!p || *(p = ws(p)) != ':')
				return -EINVAL;
			p = ws(p + 1);
			if (!strcmp(key, seg))
				break;
			p = value_end(p, 0);
			if (!p)
				return -EINVAL;
			p = ws(p);
			if (*p == ',')
				p = ws(p + 1);
			else if (*p != '}')
				return -EINVAL;
		}
	}
	if (*p != '"')
		return -ENOENT;
	return string_end(p, out, len) ? 0 : -EINVAL;
}

/* ---- the client ---- */

static int send_line(struct vm_qmp *q, const char *line)
{
	size_t n = strlen(line);

	while (n) {
		ssize_t w = send(q->fd, line, n, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		line += w;
		n -= (size_t)w;
	}
	return 0;
}

int vm_qmp_connect(struct vm_qmp *q, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int rc;

	memset(q, 0, sizeof(*q));
	q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (q->fd < 0)
		return -errno;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(q->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		rc = -errno;
		close(q->fd);
		q->fd = -1;
		return rc;
	}
	/* commands are refused until capabilities are negotiated; QMP
	 * queues this one behind its greeting */
	return send_line(q, "{\"execute\": \"qmp_capabilities\"}\n");
}

int vm_qmp_execute(struct vm_qmp *q, const char *cmd)
{
	char line[128];

	if (q->fd < 0)
		return -ENOTCONN;
	snprintf(line, sizeof(line), "{\"execute\": \"%s\"}\n", cmd);
	return send_line(q, line);
}

int vm_qmp_read(struct vm_qmp *q, void (*ev)(void *arg, const char *event, const char *reason),
		void *arg)
{
	ssize_t n;
	char *nl;

	if (q->fd < 0)
		return -ENOTCONN;
	if (q->len + 1 >= sizeof(q->buf))
		q->len = 0;             /* a line longer than the buffer: drop it */
	n = recv(q->fd, q->buf + q->len, sizeof(q->buf) - 1 - q->len, MSG_DONTWAIT);
	if (n == 0)
		return -ECONNRESET;
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	q->len += (size_t)n;
	q->buf[q->len] = 0;
	while ((nl = strchr(q->buf, '\n'))) {
		char event[48], reason[64];

		*nl = 0;
		if (vm_json_get_str(q->buf, "event", event, sizeof(event)) == 0) {
			if (vm_json_get_str(q->buf, "data.reason", reason, sizeof(reason)) < 0 &&
			    vm_json_get_str(q->buf, "data.action", reason, sizeof(reason)) < 0)
				reason[0] = 0;
			if (ev)
				ev(arg, event, reason);
		} else if (strstr(q->buf, "\"return\"")) {
			q->ready = true;
		}
		q->len -= (size_t)(nl + 1 - q->buf);
		memmove(q->buf, nl + 1, q->len + 1);
	}
	return 0;
}

void vm_qmp_close(struct vm_qmp *q)
{
	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
}
