/* The DNS and DHCPv4 trackers through a whole analysis run: each finding
 * raised by a small built capture, with its exact figures, and absent
 * from the healthy variant. */
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "feed.h"

static void start(struct run *r) { run_start(r); }
static void finish(struct run *r) { run_finish(r); }
static void stop(struct run *r) { run_stop(r); }

static void feed(struct run *r, const char *src, const char *dst, uint16_t sport, uint16_t dport,
		 uint8_t proto, const void *payload, size_t len, enum nd_spoil spoil, double dt)
{
	run_feed(r, "tap0", src, dst, sport, dport, proto, 0, payload, len, spoil, dt);
}

static size_t dns(uint8_t *p, uint16_t id, bool response, uint8_t rcode, bool tc)
{
	static const uint8_t q[] = { 5, 'p', 'r', 'o', 'b', 'e', 7, 'e', 'x', 'a', 'm', 'p', 'l',
				     'e', 0, 0, 1, 0, 1 };

	memset(p, 0, 12);
	p[0] = (uint8_t)(id >> 8);
	p[1] = (uint8_t)id;
	p[2] = (uint8_t)((response ? 0x80 : 0) | (tc ? 0x02 : 0) | 0x01);
	p[3] = rcode;
	p[5] = 1;
	memcpy(p + 12, q, sizeof(q));
	return 12 + sizeof(q);
}

/* query 7 from 192.0.2.50:40000 to 192.0.2.1 at 0 s, its answer (rcode,
 * spoiled so) 1 ms later; m holds the answer, its length returned */
/* Query `id` from client port `port` `after` s on, its answer 1 ms later */
static size_t exchange(struct run *r, uint8_t *m, uint16_t id, uint16_t port, uint8_t rcode,
		       enum nd_spoil spoil, double after)
{
	size_t n = dns(m, id, false, 0, false);

	feed(r, "192.0.2.50", "192.0.2.1", port, 53, IPPROTO_UDP, m, n, 0, after);
	n = dns(m, id, true, rcode, false);
	feed(r, "192.0.2.1", "192.0.2.50", 53, port, IPPROTO_UDP, m, n, spoil, 0.001);
	return n;
}

static size_t asked_answered(struct run *r, uint8_t *m, uint8_t rcode, enum nd_spoil spoil)
{
	return exchange(r, m, 7, 40000, rcode, spoil, 0);
}

/* the same question again, a new id and port: what a resolver's retry
 * looks like */
static size_t asked_again(struct run *r, uint8_t *m, uint8_t rcode, enum nd_spoil spoil,
			  double after)
{
	return exchange(r, m, 8, 40001, rcode, spoil, after);
}

static const struct nd_finding *only(struct run *r, const char *id)
{
	return run_only(r, id);
}

static int64_t num(const struct nd_finding *f, const char *key)
{
	const struct nd_field *fl = nd_finding_field(f, key);

	assert_non_null(fl);
	return fl->type == ND_FIELD_INT ? fl->v.i : (int64_t)(fl->v.d * 1000);
}

static const char *str(const struct nd_finding *f, const char *key)
{
	const struct nd_field *fl = nd_finding_field(f, key);

	assert_non_null(fl);
	return fl->v.s;
}

static void test_dns_healthy_and_unanswered(void **state)
{
	struct run r;
	uint8_t m[64];
	size_t n;

	start(&r);
	n = dns(m, 1, false, 0, false);
	feed(&r, "192.0.2.50", "192.0.2.1", 40000, 53, IPPROTO_UDP, m, n, 0, 0);
	n = dns(m, 1, true, 0, false);
	feed(&r, "192.0.2.1", "192.0.2.50", 53, 40000, IPPROTO_UDP, m, n, 0, 0.002);
	finish(&r);
	assert_int_equal(nd_findings_count_at_least(&r.fs, ND_SEV_WARNING), 0);
	assert_int_equal(num(only(&r, "dns.latency"), "answered"), 1);
	assert_int_equal(num(only(&r, "dns.latency"), "p50_ms"), 2000);
	stop(&r);

	start(&r);
	for (uint16_t id = 1; id <= 3; id++) {
		n = dns(m, id, false, 0, false);
		feed(&r, "192.0.2.50", "192.0.2.9", 40000, 53, IPPROTO_UDP, m, n, 0, 0.5);
		feed(&r, "192.0.2.50", "192.0.2.9", 40000, 53, IPPROTO_UDP, m, n, 0, 1.0);
	}
	feed(&r, "192.0.2.50", "192.0.2.1", 1, 2, IPPROTO_UDP, m, n, 0, 2.0);
	finish(&r);
	assert_int_equal(only(&r, "dns.unanswered")->severity, ND_SEV_ERROR);
	assert_int_equal(only(&r, "dns.unanswered")->count, 3);
	assert_int_equal(num(only(&r, "dns.unanswered"), "queries"), 3);
	assert_int_equal(num(only(&r, "dns.unanswered"), "retransmissions"), 3);
	assert_string_equal(str(only(&r, "dns.unanswered"), "server"), "192.0.2.9");
	assert_int_equal(only(&r, "dns.unanswered")->frames[0], 1);
	stop(&r);
}

static void test_dns_reply_ignored_carries_verdict(void **state)
{
	struct run r;
	uint8_t m[64];
	size_t n;

	start(&r);
	n = asked_answered(&r, m, 0, ND_SPOIL_BAD);
	n = dns(m, 7, false, 0, false);
	feed(&r, "192.0.2.50", "192.0.2.1", 40000, 53, IPPROTO_UDP, m, n, 0, 1.0);
	finish(&r);
	assert_int_equal(only(&r, "dns.reply-ignored")->count, 1);
	assert_int_equal(only(&r, "dns.reply-ignored")->frames[0], 3);
	assert_string_equal(str(only(&r, "dns.reply-ignored"), "reply_checksum"), "bad");
	assert_null(nd_findings_find(&r.fs, "dns.unanswered", NULL));
	stop(&r);
}

static void test_dns_rcodes_and_truncation(void **state)
{
	struct run r;
	uint8_t m[64];
	size_t n;

	for (int retry = 0; retry < 2; retry++) {
		start(&r);
		for (uint16_t id = 1; id <= 4; id++) {
			n = dns(m, id, false, 0, false);
			feed(&r, "192.0.2.50", "192.0.2.1", 40000, 53, IPPROTO_UDP, m, n, 0, 0.1);
			n = dns(m, id, true, id == 2 ? 2 : id == 3 ? 5 : 0, id == 4);
			feed(&r, "192.0.2.1", "192.0.2.50", 53, 40000, IPPROTO_UDP, m, n, 0, 0.001);
		}
		if (retry)
			feed(&r, "192.0.2.50", "192.0.2.1", 40001, 53, IPPROTO_TCP, NULL, 0, 0, 0.01);
		finish(&r);
		assert_int_equal(only(&r, "dns.servfail")->count, 1);
		assert_int_equal(num(only(&r, "dns.servfail"), "rate"), 250);
		assert_int_equal(only(&r, "dns.refused")->count, 1);
		if (retry)
			assert_null(nd_findings_find(&r.fs, "dns.truncated-no-tcp", NULL));
		else
			assert_int_equal(only(&r, "dns.truncated-no-tcp")->frames[0], 8);
		stop(&r);
	}
}

/* A DHCP message of `type` for client 02:00:00:00:00:32. */
static size_t dhcp(uint8_t *p, uint8_t type, const char *server_id)
{
	size_t n = 240;

	memset(p, 0, 240);
	p[0] = (type == 2 || type == 5 || type == 6) ? 2 : 1;
	p[1] = 1;
	p[2] = 6;
	p[7] = 0x42;
	memcpy(p + 28, "\x02\x00\x00\x00\x00\x32", 6);
	if (type == 5) {
		p[16] = 192; p[17] = 0; p[18] = 2; p[19] = 50;
	}
	p[236] = 0x63; p[237] = 0x82; p[238] = 0x53; p[239] = 0x63;
	p[n++] = 53; p[n++] = 1; p[n++] = type;
	if (server_id) {
		struct nd_addr a;

		p[n++] = 54; p[n++] = 4;
		nd_addr_parse(&a, server_id);
		memcpy(p + n, a.a, 4);
		n += 4;
		p[n++] = 51; p[n++] = 4; p[n++] = 0; p[n++] = 0; p[n++] = 0x0e; p[n++] = 0x10;
	}
	p[n++] = 255;
	return n;
}

#define CLIENT "0.0.0.0", "255.255.255.255", 68, 67, IPPROTO_UDP
#define SERVER(ip) ip, "255.255.255.255", 67, 68, IPPROTO_UDP

static void test_dhcp4_findings(void **state)
{
	struct run r;
	uint8_t m[400];
	size_t n;

	/* healthy exchange */
	start(&r);
	n = dhcp(m, 1, NULL);
	feed(&r, CLIENT, m, n, 0, 0);
	n = dhcp(m, 2, "192.0.2.1");
	feed(&r, SERVER("192.0.2.1"), m, n, 0, 0.01);
	n = dhcp(m, 3, "192.0.2.1");
	feed(&r, CLIENT, m, n, 0, 0.01);
	n = dhcp(m, 5, "192.0.2.1");
	feed(&r, SERVER("192.0.2.1"), m, n, 0, 0.01);
	finish(&r);
	assert_int_equal(nd_findings_count_at_least(&r.fs, ND_SEV_WARNING), 0);
	assert_string_equal(str(only(&r, "dhcp4.lease"), "address"), "192.0.2.50");
	assert_int_equal(num(only(&r, "dhcp4.lease"), "lease"), 3600);
	stop(&r);

	/* no server */
	start(&r);
	for (int i = 0; i < 3; i++) {
		n = dhcp(m, 1, NULL);
		feed(&r, CLIENT, m, n, 0, 2.0);
	}
	finish(&r);
	assert_int_equal(num(only(&r, "dhcp4.no-offer"), "discovers"), 3);
	assert_int_equal(num(only(&r, "dhcp4.no-offer"), "seconds"), 4000);
	assert_string_equal(str(only(&r, "dhcp4.no-offer"), "client"), "02:00:00:00:00:32");
	stop(&r);

	/* OFFERs with an unfinished checksum, from two servers; client repeats */
	start(&r);
	n = dhcp(m, 1, NULL);
	feed(&r, CLIENT, m, n, 0, 0);
	n = dhcp(m, 2, "192.0.2.1");
	feed(&r, SERVER("192.0.2.1"), m, n, ND_SPOIL_PARTIAL, 0.01);
	n = dhcp(m, 2, "192.0.2.2");
	feed(&r, SERVER("192.0.2.2"), m, n, ND_SPOIL_PARTIAL, 0.01);
	n = dhcp(m, 1, NULL);
	feed(&r, CLIENT, m, n, 0, 3.0);
	finish(&r);
	assert_int_equal(only(&r, "dhcp4.offer-ignored")->count, 1);
	assert_string_equal(str(only(&r, "dhcp4.offer-ignored"), "reply"), "OFFER");
	assert_string_equal(str(only(&r, "dhcp4.offer-ignored"), "reply_checksum"), "partial");
	assert_int_equal(num(only(&r, "dhcp4.multiple-servers"), "servers"), 2);
	assert_string_equal(str(only(&r, "dhcp4.multiple-servers"), "server_ids"),
			    "192.0.2.1,192.0.2.2");
	stop(&r);

	/* the OFFER comes 3 s after the first DISCOVER */
	start(&r);
	n = dhcp(m, 1, NULL);
	feed(&r, CLIENT, m, n, 0, 0);
	feed(&r, CLIENT, m, n, 0, 1.0);
	n = dhcp(m, 2, "192.0.2.1");
	feed(&r, SERVER("192.0.2.1"), m, n, 0, 2.0);
	finish(&r);
	assert_int_equal(num(only(&r, "dhcp4.slow-offer"), "seconds"), 3000);
	assert_int_equal(num(only(&r, "dhcp4.slow-offer"), "discovers_before"), 2);
	stop(&r);

	/* NAK, and REQUESTs nobody answers */
	start(&r);
	n = dhcp(m, 3, NULL);
	feed(&r, CLIENT, m, n, 0, 0);
	n = dhcp(m, 6, "192.0.2.1");
	feed(&r, SERVER("192.0.2.1"), m, n, 0, 0.01);
	finish(&r);
	assert_string_equal(str(only(&r, "dhcp4.nak"), "server"), "192.0.2.1");
	assert_null(nd_findings_find(&r.fs, "dhcp4.no-ack", NULL));
	stop(&r);
	start(&r);
	for (int i = 0; i < 2; i++) {
		n = dhcp(m, 3, NULL);
		feed(&r, CLIENT, m, n, 0, 1.0);
	}
	finish(&r);
	assert_int_equal(num(only(&r, "dhcp4.no-ack"), "requests"), 2);
	stop(&r);
}

/* A tracker with a cap of 4 under 10 distinct unanswered queries: 6
 * evicted, all 10 still counted as unanswered. */
/* Resolvers change id and port when they retry: the same question asked
 * again after an answer with an unfinished checksum is the blame; after
 * SERVFAIL, or after a sound answer, it is not. */
static void test_dns_retry_evidence(void **state)
{
	struct run r;
	uint8_t m[64];
	size_t n;

	/* partial answer, then the question again from a new port and id */
	start(&r);
	n = asked_answered(&r, m, 0, ND_SPOIL_PARTIAL);
	asked_again(&r, m, 0, ND_SPOIL_PARTIAL, 5.0);
	n = dns(m, 9, false, 0, false);
	feed(&r, "192.0.2.50", "192.0.2.1", 40002, 53, IPPROTO_UDP, m, n, 0, 5.0);
	finish(&r);
	assert_int_equal(only(&r, "dns.reply-ignored")->count, 2);
	assert_int_equal(only(&r, "dns.reply-ignored")->frames[0], 3);
	assert_int_equal(only(&r, "dns.reply-ignored")->frames[1], 5);
	assert_string_equal(str(only(&r, "dns.reply-ignored"), "reply_checksum"), "partial");
	stop(&r);

	/* asked again in other letter case (0x20 randomisation, RFC 4343:
	 * the same name), the case changed in both eight-byte words of
	 * "probe.example" */
	start(&r);
	n = asked_answered(&r, m, 0, ND_SPOIL_PARTIAL);
	n = dns(m, 8, false, 0, false);
	m[13] = 'P';
	m[23] = 'P';
	feed(&r, "192.0.2.50", "192.0.2.1", 40001, 53, IPPROTO_UDP, m, n, 0, 5.0);
	finish(&r);
	assert_int_equal(only(&r, "dns.reply-ignored")->count, 1);
	stop(&r);

	/* SERVFAIL, asked again at once: the resolver's design, no blame */
	start(&r);
	n = asked_answered(&r, m, 2, ND_SPOIL_PARTIAL);
	asked_again(&r, m, 2, ND_SPOIL_PARTIAL, 0.01);
	finish(&r);
	assert_null(nd_findings_find(&r.fs, "dns.reply-ignored", NULL));
	assert_int_equal(num(only(&r, "dns.servfail"), "count"), 2);
	stop(&r);

	/* an offloaded answer, the same question again 0.3 s later from a new
	 * port: a new lookup by a client that had its answer */
	start(&r);
	n = asked_answered(&r, m, 0, ND_SPOIL_PARTIAL);
	asked_again(&r, m, 0, ND_SPOIL_PARTIAL, 0.3);
	finish(&r);
	assert_null(nd_findings_find(&r.fs, "dns.reply-ignored", NULL));
	stop(&r);

	/* a sound answer, the same lookup again 2 s later: a new lookup */
	start(&r);
	for (int i = 0; i < 2; i++) {
		n = dns(m, (uint16_t)(7 + i), false, 0, false);
		feed(&r, "192.0.2.50", "192.0.2.1", (uint16_t)(40000 + i), 53, IPPROTO_UDP, m, n, 0,
		     i ? 2.0 : 0);
		n = dns(m, (uint16_t)(7 + i), true, 0, false);
		feed(&r, "192.0.2.1", "192.0.2.50", 53, (uint16_t)(40000 + i), IPPROTO_UDP, m, n, 0,
		     0.001);
	}
	finish(&r);
	assert_int_equal(nd_findings_count_at_least(&r.fs, ND_SEV_WARNING), 0);
	stop(&r);
}

/* An OFFER that crosses a retransmitted DISCOVER and is then taken is no
 * ignored offer, and a slow offer that was taken is info, not a warning. */
static void test_dhcp4_counter_evidence(void **state)
{
	struct run r;
	uint8_t m[400];
	size_t n;

	start(&r);
	n = dhcp(m, 1, NULL);
	feed(&r, CLIENT, m, n, 0, 0);
	feed(&r, CLIENT, m, n, 0, 1.0);
	feed(&r, CLIENT, m, n, 0, 2.0);
	n = dhcp(m, 2, "192.0.2.1");
	feed(&r, SERVER("192.0.2.1"), m, n, 0, 0.05);    /* 3.05 s: dnsmasq's ping */
	n = dhcp(m, 1, NULL);
	feed(&r, CLIENT, m, n, 0, 0.01);                  /* already on its way */
	n = dhcp(m, 3, NULL);
	feed(&r, CLIENT, m, n, 0, 0.01);
	n = dhcp(m, 5, "192.0.2.1");
	feed(&r, SERVER("192.0.2.1"), m, n, 0, 0.01);
	finish(&r);
	assert_int_equal(nd_findings_count_at_least(&r.fs, ND_SEV_WARNING), 0);
	assert_int_equal(only(&r, "dhcp4.slow-offer")->severity, ND_SEV_INFO);
	assert_in_range(num(only(&r, "dhcp4.slow-offer"), "seconds"), 3049, 3051);
	assert_int_equal(num(only(&r, "dhcp4.slow-offer"), "discovers_before"), 3);
	assert_string_equal(str(only(&r, "dhcp4.slow-offer"), "taken"), "yes");
	assert_non_null(nd_findings_find(&r.fs, "dhcp4.lease", NULL));
	stop(&r);
}

static void test_dns_eviction(void **state)
{
	struct run r;
	uint8_t m[64];
	size_t n;

	nd_analysis_init_empty(&r.a);
	assert_int_equal(nd_analysis_add(&r.a, nd_dns_tracker_new(4)), 0);
	r.number = 0;
	r.ts = 1700000000.0;
	nd_findings_init(&r.fs);
	for (uint16_t id = 1; id <= 10; id++) {
		n = dns(m, id, false, 0, false);
		feed(&r, "192.0.2.50", "192.0.2.9", 40000, 53, IPPROTO_UDP, m, n, 0, 0.1);
	}
	n = dns(m, 99, true, 0, false);
	feed(&r, "192.0.2.1", "192.0.2.50", 53, 1, IPPROTO_UDP, m, n, 0, 5.0);
	finish(&r);
	assert_int_equal(r.a.trackers[0]->evicted, 6);
	/* issue 15: the six evicted 0.4 s after their query could still have
	 * been answered: not followed, not unanswered */
	assert_int_equal(r.a.trackers[0]->not_followed, 6);
	assert_int_equal(only(&r, "dns.unanswered")->count, 4);
	stop(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dns_healthy_and_unanswered),
		cmocka_unit_test(test_dns_reply_ignored_carries_verdict),
		cmocka_unit_test(test_dns_rcodes_and_truncation),
		cmocka_unit_test(test_dhcp4_findings),
		cmocka_unit_test(test_dns_eviction),
		cmocka_unit_test(test_dns_retry_evidence),
		cmocka_unit_test(test_dhcp4_counter_evidence),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
