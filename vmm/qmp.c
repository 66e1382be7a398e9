/* A QMP client, just enough for the launcher: the greeting and
 * qmp_capabilities handshake, commands without arguments
 * (system_powerdown, quit), error replies, and events (SHUTDOWN with its
 * reason, GUEST_PANICKED).  QMP sends one JSON object per line; json-c's
 * tokener reads the stream, so a message cut between two reads is
 * carried over and a malformed one is dropped, not half-read. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#include "vm_internal.h"

/* QEMU's replies to the commands above and its events are a few hundred
 * bytes; a "message" past this is noise, not something to buffer. */
#define QMP_MESSAGE_MAX 65536

/* ---- reading messages ---- */

static const char *str_member(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v) : NULL;
}

/* qemu-spec/interop/qmp-spec: a greeting holds "QMP", a reply "return"
 * or "error", an event "event" (with "data" and "timestamp").  0 when
 * the message is one of those, -EPROTO otherwise. */
static int take_message(struct vm_qmp *q, struct json_object *msg, vm_qmp_event_fn *ev,
			void *arg)
{
	struct json_object *data, *err;
	const char *event, *reason = NULL;

	if (!json_object_is_type(msg, json_type_object))
		return -EPROTO;
	if ((event = str_member(msg, "event"))) {
		/* SHUTDOWN says why in data.reason, GUEST_PANICKED what QEMU
		 * did about it in data.action */
		if (json_object_object_get_ex(msg, "data", &data)) {
			reason = str_member(data, "reason");
			if (!reason)
				reason = str_member(data, "action");
		}
		if (ev)
			ev(arg, event, reason ? reason : "");
		return 0;
	}
	if (json_object_object_get_ex(msg, "return", NULL)) {
		q->ready = true;        /* the first is qmp_capabilities' */
		return 0;
	}
	if (json_object_object_get_ex(msg, "error", &err)) {
		const char *cls = str_member(err, "class"), *desc = str_member(err, "desc");

		snprintf(q->error, sizeof(q->error), "%s: %s", cls ? cls : "?", desc ? desc : "");
		return 0;
	}
	if (json_object_object_get_ex(msg, "QMP", NULL)) {
		q->greeted = true;
		return 0;
	}
	return -EPROTO;
}

int vm_qmp_feed(struct vm_qmp *q, const char *data, size_t len, vm_qmp_event_fn *ev, void *arg)
{
	if (!q->tok) {
		/* the default depth (32) bounds nesting; strict: no trailing
		 * commas, no bare words; trailing characters are the next
		 * message */
		q->tok = json_tokener_new();
		if (!q->tok)
			return -ENOMEM;
		json_tokener_set_flags(q->tok, JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS |
					       JSON_TOKENER_VALIDATE_UTF8);
	}
	while (len) {
		struct json_object *msg;
		size_t chunk = len > 4096 ? 4096 : len, end;
		const char *nl;

		if (q->skipping) {
			/* after a malformed message, start again on the next line */
			nl = memchr(data, '\n', chunk);
			end = nl ? (size_t)(nl + 1 - data) : chunk;
			q->skipping = !nl;
			data += end;
			len -= end;
			continue;
		}
		msg = json_tokener_parse_ex(q->tok, data, (int)chunk);
		end = json_tokener_get_parse_end(q->tok);
		if (end > chunk)
			end = chunk;
		q->msg_len += end;
		if (msg) {
			if (take_message(q, msg, ev, arg) < 0)
				q->rejected++;
			json_object_put(msg);
			json_tokener_reset(q->tok);
			q->msg_len = 0;
		} else if (json_tokener_get_error(q->tok) != json_tokener_continue ||
			   q->msg_len > QMP_MESSAGE_MAX) {
			q->rejected++;
			json_tokener_reset(q->tok);
			q->msg_len = 0;
			/* the tokener stopped at the bad character: the line
			 * it is on goes too */
			nl = memchr(data + end, '\n', chunk - end);
			q->skipping = !nl;
			end = nl ? (size_t)(nl + 1 - data) : chunk;
		}
		if (!end)
			end = 1;        /* never: every outcome takes a character */
		data += end;
		len -= end;
	}
	return 0;
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

	if (q->tok)
		json_tokener_free(q->tok);
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

int vm_qmp_read(struct vm_qmp *q, vm_qmp_event_fn *ev, void *arg)
{
	char buf[4096];
	ssize_t n;

	if (q->fd < 0)
		return -ENOTCONN;
	n = recv(q->fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n == 0)
		return -ECONNRESET;
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	return vm_qmp_feed(q, buf, (size_t)n, ev, arg);
}

void vm_qmp_close(struct vm_qmp *q)
{
	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
	if (q->tok)
		json_tokener_free(q->tok);
	q->tok = NULL;
}
