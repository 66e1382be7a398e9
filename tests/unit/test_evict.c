/* Eviction never invents or hides a finding (issue 15): transactions
 * pushed out of a full table while their answer could still come are
 * "not followed", not unanswered; DISCOVERs of evicted clients with no
 * server anywhere still make a dhcp4.no-offer; text says what was lost. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "feed.h"

#define QUERIES 70000      /* over the DNS table's 65,536 */
#define QUERY_GAP 5e-6     /* all asked within 0.35 s */
#define ANSWER_AFTER 0.6

static size_t dns_msg(uint8_t *m, uint16_t id, bool reply, unsigned n)
{
	char label[16];
	size_t len = (size_t)snprintf(label, sizeof(label), "q%u", n), o = 12;

	memset(m, 0, 12);
	m[0] = (uint8_t)(id >> 8);
	m[1] = (uint8_t)id;
	m[2] = reply ? 0x81 : 0x01;
	m[3] = reply ? 0x80 : 0x00;
	m[5] = 1;
	m[o++] = (uint8_t)len;
	memcpy(m + o, label, len);
	o += len;
	memcpy(m + o, "\x07" "example\x00\x00\x01\x00\x01", 13);
	return o + 13;
}

static const struct nd_tracker *tracker(struct run *r, const char *name)
{
	for (unsigned i = 0; i < r->a.ntrackers; i++)
		if (!strcmp(r->a.trackers[i]->name, name))
			return r->a.trackers[i];
	fail_msg("no tracker %s", name);
	return NULL;
}

static void text_limits(struct run *r, char *buf, size_t len)
{
	FILE *out = fmemopen(buf, len, "w");

	struct nd_out o;

	assert_non_null(out);
	nd_out_init(&o, out, false, false);
	nd_analysis_print_limits(&r->a, &o);
	fclose(out);
}

static void test_dns_answered_late_not_unanswered(void **state)
{
	static struct run r;
	uint8_t msg[64];
	double t = 0, last = 0;
	unsigned q = 0, a = 0;
	char text[512];

	run_start(&r);
	/* queries every 5 us; each answer 0.6 s after its query, in time order */
	while (a < QUERIES) {
		double tq = q * QUERY_GAP, ta = a * QUERY_GAP + ANSWER_AFTER;
		bool query = q < QUERIES && tq <= ta;
		unsigned n = query ? q++ : a++;
		size_t len = dns_msg(msg, (uint16_t)n, !query, n);

		t = query ? tq : ta;
		if (query)
			run_feed(&r, "tap0", "192.0.2.50", "192.0.2.1", (uint16_t)(10000 + n / 65536),
				 53, 17, 0, msg, len, ND_SPOIL_NONE, t - last);
		else
			run_feed(&r, "tap0", "192.0.2.1", "192.0.2.50", 53,
				 (uint16_t)(10000 + n / 65536), 17, 0, msg, len, ND_SPOIL_NONE,
				 t - last);
		last = t;
	}
	run_finish(&r);
	/* 70,000 - 65,536 evicted, each still pending: not followed, and no
	 * server is blamed for them */
	assert_null(nd_findings_find(&r.fs, "dns.unanswered", NULL));
	assert_int_equal(tracker(&r, "dns")->not_followed, QUERIES - 65536);
	text_limits(&r, text, sizeof(text));
	assert_string_equal(text, "4,464 DNS transactions not followed: table full (65,536 kept)\n");
	run_stop(&r);
}

static size_t discover(uint8_t *m, uint32_t client)
{
	memset(m, 0, 244);
	m[0] = 1;
	m[1] = 1;
	m[2] = 6;
	memcpy(m + 4, &client, 4);
	m[28] = 0x02;
	memcpy(m + 30, &client, 4);
	m[236] = 0x63; m[237] = 0x82; m[238] = 0x53; m[239] = 0x63;
	m[240] = 53; m[241] = 1; m[242] = 1; m[243] = 255;
	return 244;
}

#define CLIENTS 100000     /* over the DHCPv4 table's 4,096 */

static void test_dhcp_flood_without_server(void **state)
{
	static struct run r;
	const struct nd_finding *f;
	uint8_t msg[300];
	char text[512];

	run_start(&r);
	/* every client twice, the second round after all of the first: each
	 * client is evicted before its second DISCOVER */
	for (int round = 0; round < 2; round++)
		for (uint32_t c = 0; c < CLIENTS; c++)
			run_feed(&r, "tap0", "0.0.0.0", "255.255.255.255", 68, 67, 17, 0, msg,
				 discover(msg, c), ND_SPOIL_NONE, 1e-5);
	run_finish(&r);
	f = run_only(&r, "dhcp4.no-offer");
	assert_int_equal(f->severity, ND_SEV_ERROR);
	assert_int_equal(nd_finding_field(f, "discovers")->v.i, 2 * CLIENTS);
	assert_int_equal(nd_finding_field(f, "clients_evicted")->v.i, 2 * CLIENTS - 4096);
	assert_int_equal(nd_finding_field(f, "servers_seen")->v.i, 0);
	text_limits(&r, text, sizeof(text));
	assert_string_equal(text, "195,904 DHCPv4 clients not followed: table full (4,096 kept)\n");
	run_stop(&r);
}

/* where a server answers on the point, evicted clients prove nothing */
static void test_dhcp_flood_with_server_says_nothing(void **state)
{
	static struct run r;
	uint8_t msg[300];

	run_start(&r);
	for (uint32_t c = 0; c < 10000; c++) {
		size_t n = discover(msg, c);

		run_feed(&r, "tap0", "0.0.0.0", "255.255.255.255", 68, 67, 17, 0, msg, n,
			 ND_SPOIL_NONE, 1e-5);
		if (c == 0) {
			msg[0] = 2;
			msg[242] = 2;  /* an OFFER from 192.0.2.1 */
			run_feed(&r, "tap0", "192.0.2.1", "255.255.255.255", 67, 68, 17, 0, msg, n,
				 ND_SPOIL_NONE, 1e-5);
		}
	}
	run_finish(&r);
	assert_null(nd_findings_find(&r.fs, "dhcp4.no-offer", NULL));
	run_stop(&r);
}

/* 100 capture points: 36 past the table's 64 are said in text */
static void test_points_over_the_limit(void **state)
{
	static struct run r;
	uint8_t msg[64];
	char name[16], text[512];

	run_start(&r);
	for (unsigned i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "tap%u", i);
		run_feed(&r, name, "192.0.2.50", "192.0.2.1", 10000, 53, 17, 0, msg,
			 dns_msg(msg, (uint16_t)i, false, i), ND_SPOIL_NONE, 0.001);
	}
	run_finish(&r);
	assert_int_equal(r.a.points_overflow, 36);
	text_limits(&r, text, sizeof(text));
	assert_non_null(strstr(text, "36 frames from capture points past the first 64 counted "
				     "under the last one\n"));
	run_stop(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dns_answered_late_not_unanswered),
		cmocka_unit_test(test_dhcp_flood_without_server),
		cmocka_unit_test(test_dhcp_flood_with_server_says_nothing),
		cmocka_unit_test(test_points_over_the_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
