/* The QMP reader (vmm/qmp.c): QEMU's greeting, replies, errors and
 * events read through json-c from a stream that may cut a message
 * anywhere, and malformed messages dropped without losing the next. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "vm_internal.h"

/* QEMU 7.2's own lines */
#define GREETING "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, " \
		 "\"package\": \"Debian 1:7.2+dfsg-7\"}, \"capabilities\": [\"oob\"]}}\r\n"
#define SHUTDOWN "{\"timestamp\": {\"seconds\": 1700000000, \"microseconds\": 5}, " \
		 "\"event\": \"SHUTDOWN\", \"data\": {\"guest\": true, \"reason\": \"guest-shutdown\"}}\r\n"
#define RETURN "{\"return\": {}}\r\n"

struct seen {
	struct vm_qmp *q;
	int n;
	char event[8][64], reason[8][64];
	bool ready_then[8];     /* q->ready when the event came */
};

static void on_event(void *arg, const char *event, const char *reason)
{
	struct seen *s = arg;

	if (s->n >= 8)
		fail_msg("more than 8 events");
	snprintf(s->event[s->n], sizeof(s->event[0]), "%s", event);
	snprintf(s->reason[s->n], sizeof(s->reason[0]), "%s", reason);
	s->ready_then[s->n] = s->q->ready;
	s->n++;
}

static int feed(struct vm_qmp *q, struct seen *s, const char *text)
{
	return vm_qmp_feed(q, text, strlen(text), on_event, s);
}

static void test_greeting(void **state)
{
	char dir[] = "/tmp/test_qmp.XXXXXX", path[128], line[64] = "";
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct vm_qmp q = { .fd = -1 };
	struct seen s = { .q = &q };
	int lfd, peer;
	ssize_t n;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/qmp.sock", dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 1), 0);

	assert_int_equal(vm_qmp_connect(&q, path), 0);
	peer = accept(lfd, NULL, NULL);
	assert_true(peer >= 0);
	/* the client asks for capabilities at once: QMP queues it */
	n = recv(peer, line, sizeof(line) - 1, 0);
	assert_int_equal(n, 32);
	assert_string_equal(line, "{\"execute\": \"qmp_capabilities\"}\n");

	assert_int_equal(send(peer, GREETING, strlen(GREETING), 0), (ssize_t)strlen(GREETING));
	assert_int_equal(vm_qmp_read(&q, on_event, &s), 0);
	assert_true(q.greeted);
	assert_false(q.ready);
	assert_int_equal(s.n, 0);
	assert_int_equal(q.rejected, 0);

	assert_int_equal(send(peer, RETURN, strlen(RETURN), 0), (ssize_t)strlen(RETURN));
	assert_int_equal(vm_qmp_read(&q, on_event, &s), 0);
	assert_true(q.ready);

	/* nothing waiting is not an error; QEMU gone is */
	assert_int_equal(vm_qmp_read(&q, on_event, &s), 0);
	close(peer);
	assert_int_equal(vm_qmp_read(&q, on_event, &s), -ECONNRESET);
	vm_qmp_close(&q);
	assert_int_equal(q.fd, -1);
	assert_null(q.tok);
	assert_int_equal(vm_qmp_read(&q, on_event, &s), -ENOTCONN);
	assert_int_equal(vm_qmp_execute(&q, "quit"), -ENOTCONN);
	close(lfd);
	unlink(path);
	rmdir(dir);
}

static void test_return(void **state)
{
	struct vm_qmp q = { .fd = -1 };
	struct seen s = { .q = &q };

	assert_int_equal(feed(&q, &s, RETURN), 0);
	assert_true(q.ready);
	assert_false(q.greeted);
	assert_string_equal(q.error, "");
	assert_int_equal(s.n, 0);
	assert_int_equal(q.rejected, 0);
	/* a return with a value and an id is a return too */
	q.ready = false;
	assert_int_equal(feed(&q, &s, "{\"return\": {\"status\": \"running\"}, \"id\": 7}\n"), 0);
	assert_true(q.ready);
	assert_int_equal(q.rejected, 0);
	vm_qmp_close(&q);
}

static void test_event_before_return(void **state)
{
	struct vm_qmp q = { .fd = -1 };
	struct seen s = { .q = &q };

	/* one read: greeting, an event, then the capabilities reply */
	assert_int_equal(feed(&q, &s, GREETING SHUTDOWN RETURN), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.event[0], "SHUTDOWN");
	assert_string_equal(s.reason[0], "guest-shutdown");
	assert_false(s.ready_then[0]);          /* taken in stream order */
	assert_true(q.greeted);
	assert_true(q.ready);
	assert_int_equal(q.rejected, 0);

	/* GUEST_PANICKED says what QEMU did in data.action; an event
	 * without data has no reason */
	assert_int_equal(feed(&q, &s, "{\"event\": \"GUEST_PANICKED\", \"data\": {\"action\": \"pause\", "
				    "\"info\": {\"core\": 0}}}\n{\"event\": \"STOP\"}\n"), 0);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.event[1], "GUEST_PANICKED");
	assert_string_equal(s.reason[1], "pause");
	assert_string_equal(s.event[2], "STOP");
	assert_string_equal(s.reason[2], "");

	/* escapes decoded, nesting and a "}" in a string skipped on the way */
	assert_int_equal(feed(&q, &s, "{\"a\": [1, {\"b\": \"}\"}, [\"x\"]], \"event\": \"q\\\"u\\n\", "
				    "\"data\": {\"reason\": \"\\u00e9t\\u00e9\"}}\n"), 0);
	assert_int_equal(s.n, 4);
	assert_string_equal(s.event[3], "q\"u\n");
	assert_string_equal(s.reason[3], "\xc3\xa9t\xc3\xa9");
	assert_int_equal(q.rejected, 0);
	vm_qmp_close(&q);
}

static void test_error_reply(void **state)
{
	struct vm_qmp q = { .fd = -1 };
	struct seen s = { .q = &q };

	assert_int_equal(feed(&q, &s, "{\"error\": {\"class\": \"CommandNotFound\", "
				    "\"desc\": \"The command foo has not been found\"}}\r\n"), 0);
	assert_string_equal(q.error, "CommandNotFound: The command foo has not been found");
	assert_false(q.ready);                  /* an error is not a return */
	assert_int_equal(s.n, 0);
	assert_int_equal(q.rejected, 0);
	/* "return" inside the error text is not a return */
	assert_int_equal(feed(&q, &s, "{\"error\": {\"class\": \"GenericError\", "
				    "\"desc\": \"\\\"return\\\" expected\"}}\n"), 0);
	assert_false(q.ready);
	assert_string_equal(q.error, "GenericError: \"return\" expected");
	vm_qmp_close(&q);
}

static void test_malformed(void **state)
{
	struct vm_qmp q = { .fd = -1 };
	struct seen s = { .q = &q };
	char *big;

	/* a bare word is not JSON; the line goes, the next message stays */
	assert_int_equal(feed(&q, &s, "{\"event\": \"SHUTDOWN\", \"x\": tnt-e}\n" SHUTDOWN), 0);
	assert_int_equal(q.rejected, 1);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.reason[0], "guest-shutdown");

	/* {"x": tnt-e} cut across two reads, the return after it */
	assert_int_equal(feed(&q, &s, "{\"x\": t"), 0);
	assert_int_equal(q.rejected, 1);        /* could still be true */
	assert_int_equal(feed(&q, &s, "nt-e}\n" RETURN), 0);
	assert_int_equal(q.rejected, 2);
	assert_true(q.ready);

	/* trailing comma, a top-level array, an object that is no QMP
	 * message, a string that is not UTF-8: each dropped, none an event */
	assert_int_equal(feed(&q, &s, "{\"event\": \"STOP\",}\n"), 0);
	assert_int_equal(feed(&q, &s, "[{\"event\": \"STOP\"}]\n"), 0);
	assert_int_equal(feed(&q, &s, "{\"hello\": 1}\n"), 0);
	assert_int_equal(feed(&q, &s, "{\"event\": \"\xff\"}\n"), 0);
	assert_int_equal(feed(&q, &s, "{\"event\": 5}\n"), 0);
	assert_int_equal(q.rejected, 7);
	assert_int_equal(s.n, 1);

	/* a message without end is not buffered without end: past 64 KiB
	 * it is dropped, and what follows its line is read */
	big = malloc(70000);
	assert_non_null(big);
	memset(big, 'a', 70000);
	memcpy(big, "{\"event\": \"", 11);
	assert_int_equal(vm_qmp_feed(&q, big, 70000, on_event, &s), 0);
	assert_int_equal(q.rejected, 8);
	assert_int_equal(feed(&q, &s, "aaaa\"}\n" SHUTDOWN), 0);
	assert_int_equal(q.rejected, 8);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.event[1], "SHUTDOWN");
	free(big);
	vm_qmp_close(&q);
}

static void test_split(void **state)
{
	const char *msg = SHUTDOWN;
	size_t len = strlen(msg);
	int sv[2];

	/* through a socket: the first read ends inside the event name */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	{
		struct vm_qmp q = { .fd = sv[0] };
		struct seen s = { .q = &q };

		assert_int_equal(send(sv[1], msg, 70, 0), 70);
		assert_int_equal(vm_qmp_read(&q, on_event, &s), 0);
		assert_int_equal(s.n, 0);
		assert_int_equal(send(sv[1], msg + 70, len - 70, 0), (ssize_t)(len - 70));
		assert_int_equal(vm_qmp_read(&q, on_event, &s), 0);
		assert_int_equal(s.n, 1);
		assert_string_equal(s.event[0], "SHUTDOWN");
		assert_string_equal(s.reason[0], "guest-shutdown");
		assert_int_equal(q.rejected, 0);
		vm_qmp_close(&q);
	}
	close(sv[1]);

	/* every cut point, with the greeting before and a return after */
	for (size_t cut = 0; cut <= len; cut++) {
		struct vm_qmp q = { .fd = -1 };
		struct seen s = { .q = &q };
		char first[512];

		snprintf(first, sizeof(first), "%s%.*s", GREETING, (int)cut, msg);
		assert_int_equal(feed(&q, &s, first), 0);
		assert_int_equal(s.n, cut >= len - 2 ? 1 : 0);  /* "}" then "\r\n" */
		assert_int_equal(feed(&q, &s, msg + cut), 0);
		assert_int_equal(feed(&q, &s, RETURN), 0);
		assert_int_equal(s.n, 1);
		assert_string_equal(s.reason[0], "guest-shutdown");
		assert_true(q.greeted && q.ready);
		assert_int_equal(q.rejected, 0);
		vm_qmp_close(&q);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_greeting),
		cmocka_unit_test(test_return),
		cmocka_unit_test(test_event_before_return),
		cmocka_unit_test(test_error_reply),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_split),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
