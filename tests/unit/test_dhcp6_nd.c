/* DHCPv6 and neighbour-discovery dissectors and trackers, including what
 * the peer corpus lacks: CONFIRM, REBIND, DECLINE, lifetimes that break
 * RFC 8415. */
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "feed.h"
#include <netdiag/dhcp6.h>
#include <netdiag/nd.h>

static size_t put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; return 2; }
static size_t put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)); put16(p + 2, (uint16_t)v); return 4; }

/* type, xid 0x010203, client id, and for server messages a server id and
 * an IA_NA with one address (t1, t2, preferred, valid) and a status */
static size_t dhcp6(uint8_t *p, uint8_t type, uint32_t t1, uint32_t t2, uint32_t pref,
		    uint32_t valid, int status)
{
	size_t n = 0, ia_at, addr_at;

	p[n++] = type;
	p[n++] = 1; p[n++] = 2; p[n++] = 3;
	n += put16(p + n, 1); n += put16(p + n, 10);
	n += put16(p + n, 3); n += put16(p + n, 1); memcpy(p + n, "\x02\x00\x00\x00\x00\x32", 6); n += 6;
	if (type != ND_DHCP6_ADVERTISE && type != ND_DHCP6_REPLY)
		return n;
	n += put16(p + n, 2); n += put16(p + n, 4); n += put32(p + n, 0x00030001);
	ia_at = n;
	n += put16(p + n, 3); n += 2;
	n += put32(p + n, 7); n += put32(p + n, t1); n += put32(p + n, t2);
	addr_at = n;
	n += put16(p + n, 5); n += put16(p + n, 24);
	memcpy(p + n, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x50", 16); n += 16;
	n += put32(p + n, pref); n += put32(p + n, valid);
	(void)addr_at;
	if (status >= 0) {
		n += put16(p + n, 13); n += put16(p + n, 2); n += put16(p + n, (uint16_t)status);
	}
	put16(p + ia_at + 2, (uint16_t)(n - ia_at - 4));
	return n;
}

static void test_dhcp6_parse(void **state)
{
	uint8_t m[256], relay[300];
	struct nd_dhcp6 d;
	struct nd_cur c;
	size_t n = dhcp6(m, ND_DHCP6_REPLY, 1800, 2880, 3600, 7200, 2), r = 0;

	nd_cur_init(&c, m, n);
	assert_int_equal(nd_dhcp6_parse(&d, c), 0);
	assert_int_equal(d.type, ND_DHCP6_REPLY);
	assert_int_equal(d.xid, 0x010203);
	assert_int_equal(d.client_duid_len, 10);
	assert_int_equal(d.nia, 1);
	assert_int_equal(d.ia[0].t1, 1800);
	assert_int_equal(d.ia[0].t2, 2880);
	assert_int_equal(d.ia[0].nleases, 1);
	assert_int_equal(d.ia[0].leases[0].preferred, 3600);
	assert_int_equal(d.ia[0].status, 2);
	assert_string_equal(nd_dhcp6_status_name(d.ia[0].status), "NoAddrsAvail");
	/* wrapped in a RELAY-FORW */
	relay[r++] = ND_DHCP6_RELAY_FORW;
	relay[r++] = 0;
	memset(relay + r, 0, 32);
	r += 32;
	r += put16(relay + r, 9);
	r += put16(relay + r, (uint16_t)n);
	memcpy(relay + r, m, n);
	nd_cur_init(&c, relay, r + n);
	assert_int_equal(nd_dhcp6_parse(&d, c), 0);
	assert_int_equal(d.relayed, 1);
	assert_int_equal(d.type, ND_DHCP6_REPLY);
	/* types the corpus lacks */
	for (uint8_t t = ND_DHCP6_CONFIRM; t <= ND_DHCP6_DECLINE; t++) {
		n = dhcp6(m, t, 0, 0, 0, 0, -1);
		nd_cur_init(&c, m, n);
		assert_int_equal(nd_dhcp6_parse(&d, c), 0);
		assert_int_equal(d.type, t);
	}
	assert_string_equal(nd_dhcp6_type_name(ND_DHCP6_REBIND), "REBIND");
	/* an option overrunning the message */
	n = dhcp6(m, ND_DHCP6_SOLICIT, 0, 0, 0, 0, -1);
	nd_cur_init(&c, m, n - 1);
	assert_int_equal(nd_dhcp6_parse(&d, c), -EINVAL);
	nd_cur_init(&c, m, 2);
	assert_int_equal(nd_dhcp6_parse(&d, c), -EMSGSIZE);
}

static void feed6(struct run *r, const char *src, const char *dst, uint16_t sport, uint16_t dport,
		  uint8_t proto, uint8_t icmp_type, const void *payload, size_t len,
		  enum nd_spoil spoil, double dt)
{
	run_feed(r, "br0", src, dst, sport, dport, proto, icmp_type, payload, len, spoil, dt);
}

static void start(struct run *r) { run_start(r); }
static void finish_and_stop(struct run *r) { run_stop(r); }

static const struct nd_field *field(struct run *r, const char *id, const char *key)
{
	return run_field(r, id, key);
}

#define CLIENT6 "fe80::50", "ff02::1:2", 546, 547, IPPROTO_UDP, 0
#define SERVER6 "fe80::1", "fe80::50", 547, 546, IPPROTO_UDP, 0

static void test_dhcp6_tracker(void **state)
{
	uint8_t m[256];
	struct run r;
	size_t n;

	/* healthy */
	start(&r);
	n = dhcp6(m, ND_DHCP6_SOLICIT, 0, 0, 0, 0, -1);
	feed6(&r, CLIENT6, m, n, 0, 0);
	n = dhcp6(m, ND_DHCP6_ADVERTISE, 1800, 2880, 3600, 7200, -1);
	feed6(&r, SERVER6, m, n, 0, 0.01);
	assert_int_equal(nd_analysis_finish(&r.a, &r.fs), 0);
	assert_int_equal(nd_findings_count_at_least(&r.fs, ND_SEV_WARNING), 0);
	finish_and_stop(&r);

	/* SOLICITs nobody answers */
	start(&r);
	n = dhcp6(m, ND_DHCP6_SOLICIT, 0, 0, 0, 0, -1);
	feed6(&r, CLIENT6, m, n, 0, 0);
	feed6(&r, CLIENT6, m, n, 0, 1.0);
	assert_int_equal(nd_analysis_finish(&r.a, &r.fs), 0);
	assert_int_equal(field(&r, "dhcp6.no-advertise", "solicits")->v.i, 2);
	finish_and_stop(&r);

	/* an ADVERTISE with an unfinished checksum, the client solicits again;
	 * the ADVERTISE also breaks RFC 8415 timers and says NoAddrsAvail */
	start(&r);
	n = dhcp6(m, ND_DHCP6_SOLICIT, 0, 0, 0, 0, -1);
	feed6(&r, CLIENT6, m, n, 0, 0);
	n = dhcp6(m, ND_DHCP6_ADVERTISE, 3000, 2000, 3600, 1800, 2);
	feed6(&r, SERVER6, m, n, ND_SPOIL_PARTIAL, 0.01);
	n = dhcp6(m, ND_DHCP6_SOLICIT, 0, 0, 0, 0, -1);
	feed6(&r, CLIENT6, m, n, 0, 1.0);
	assert_int_equal(nd_analysis_finish(&r.a, &r.fs), 0);
	assert_string_equal(field(&r, "dhcp6.reply-ignored", "reply_checksum")->v.s, "partial");
	assert_string_equal(field(&r, "dhcp6.reply-ignored", "reply")->v.s, "ADVERTISE");
	assert_string_equal(field(&r, "dhcp6.status", "status")->v.s, "NoAddrsAvail");
	assert_non_null(nd_findings_find(&r.fs, "dhcp6.bad-timers", NULL));
	assert_string_equal(field(&r, "dhcp6.bad-timers", "problem")->v.s, "T1 above T2");
	finish_and_stop(&r);

	/* T2 above the preferred lifetime; then preferred above valid */
	start(&r);
	n = dhcp6(m, ND_DHCP6_REPLY, 1000, 5000, 3600, 7200, -1);
	feed6(&r, SERVER6, m, n, 0, 0);
	n = dhcp6(m, ND_DHCP6_REPLY, 1000, 2000, 7200, 3600, -1);
	feed6(&r, SERVER6, m, n, 0, 0);
	assert_int_equal(nd_analysis_finish(&r.a, &r.fs), 0);
	assert_int_equal(r.fs.n >= 2, 1);
	{
		int seen = 0;

		for (size_t i = 0; i < r.fs.n; i++) {
			const struct nd_field *p = nd_finding_field(&r.fs.v[i], "problem");

			if (!p)
				continue;
			seen |= !strcmp(p->v.s, "T2 above the preferred lifetime") ? 1 : 0;
			seen |= !strcmp(p->v.s, "preferred lifetime above valid lifetime") ? 2 : 0;
		}
		assert_int_equal(seen, 3);
	}
	finish_and_stop(&r);
}

/* RA body after type/code/checksum: hop limit 64, flags, lifetime, then
 * prefix 2001:db8:1::/64, MTU 1500, RDNSS 2001:db8::53 */
static size_t ra(uint8_t *p, uint16_t lifetime)
{
	size_t n = 0;

	p[n++] = 64; p[n++] = 0x40;
	n += put16(p + n, lifetime); n += put32(p + n, 0); n += put32(p + n, 0);
	p[n++] = 3; p[n++] = 4; p[n++] = 64; p[n++] = 0xc0;
	n += put32(p + n, 86400); n += put32(p + n, 14400); n += put32(p + n, 0);
	memcpy(p + n, "\x20\x01\x0d\xb8\0\x01\0\0\0\0\0\0\0\0\0\0", 16); n += 16;
	p[n++] = 5; p[n++] = 1; n += put16(p + n, 0); n += put32(p + n, 1500);
	p[n++] = 25; p[n++] = 3; n += put16(p + n, 0); n += put32(p + n, 600);
	memcpy(p + n, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x53", 16); n += 16;
	return n;
}

static void test_nd(void **state)
{
	uint8_t body[128], msg[132] = { 134, 0, 0, 0 };
	struct nd_ndp_msg d;
	struct nd_cur c;
	struct run r;
	size_t n = ra(body, 1800);

	memcpy(msg + 4, body, n);
	nd_cur_init(&c, msg, n + 4);
	assert_int_equal(nd_ndp_parse(&d, c), 0);
	assert_int_equal(d.router_lifetime, 1800);
	assert_true(d.other && !d.managed);
	assert_int_equal(d.nprefixes, 1);
	assert_int_equal(d.prefixes[0].len, 64);
	assert_int_equal(d.mtu, 1500);
	assert_int_equal(d.nrdnss, 1);
	assert_int_equal(d.rdnss_lifetime, 600);
	msg[4 + 12 + 1] = 0;  /* the prefix option's length: 0 is invalid */
	nd_cur_init(&c, msg, n + 4);
	assert_int_equal(nd_ndp_parse(&d, c), -EINVAL);

	start(&r);
	feed6(&r, "fe80::1", "ff02::1", 0, 0, IPPROTO_ICMPV6, 134, body, n, 0, 0);
	assert_int_equal(nd_analysis_finish(&r.a, &r.fs), 0);
	assert_null(nd_findings_find(&r.fs, "nd.multiple-routers", NULL));
	assert_string_equal(field(&r, "nd.router", "prefixes")->v.s, "2001:db8:1::/64");
	assert_string_equal(field(&r, "nd.router", "rdnss")->v.s, "2001:db8::53");
	finish_and_stop(&r);

	start(&r);
	feed6(&r, "fe80::1", "ff02::1", 0, 0, IPPROTO_ICMPV6, 134, body, n, 0, 0);
	feed6(&r, "fe80::bad", "ff02::1", 0, 0, IPPROTO_ICMPV6, 134, body, n, 0, 1);
	n = ra(body, 0);  /* lifetime 0: not a default router, not counted */
	feed6(&r, "fe80::2", "ff02::1", 0, 0, IPPROTO_ICMPV6, 134, body, n, 0, 1);
	assert_int_equal(nd_analysis_finish(&r.a, &r.fs), 0);
	assert_int_equal(field(&r, "nd.multiple-routers", "routers")->v.i, 2);
	assert_string_equal(field(&r, "nd.multiple-routers", "addresses")->v.s, "fe80::1,fe80::bad");
	finish_and_stop(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dhcp6_parse),
		cmocka_unit_test(test_dhcp6_tracker),
		cmocka_unit_test(test_nd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
