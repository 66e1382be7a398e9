#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <netdiag/dns.h>

/* id 0x1234, response, RD RA, 1 question probe.example A, 2 answers (one
 * compressed back to the question), an OPT record with UDP size 1232 */
static const uint8_t reply[] = {
	0x12, 0x34, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 1,
	5, 'p', 'r', 'o', 'b', 'e', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 1, 0, 1,
	0xc0, 12, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 192, 0, 2, 99,
	1, 'w', 0xc0, 12, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 192, 0, 2, 98,
	0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0,
};

static void test_reply(void **state)
{
	struct nd_dns d;
	struct nd_cur c;

	nd_cur_init(&c, reply, sizeof(reply));
	assert_int_equal(nd_dns_parse(&d, c), 0);
	assert_int_equal(d.id, 0x1234);
	assert_true(d.qr && d.rd && d.ra && !d.tc);
	assert_int_equal(d.rcode, ND_DNS_RCODE_NOERROR);
	assert_string_equal(d.qname, "probe.example");
	assert_int_equal(d.qtype, 1);
	assert_int_equal(d.n_a, 2);
	assert_memory_equal(d.a[0], "\xc0\x00\x02\x63", 4);
	assert_memory_equal(d.a[1], "\xc0\x00\x02\x62", 4);
	assert_true(d.has_edns);
	assert_int_equal(d.edns_udp_size, 1232);
	assert_true(d.sections_complete);
}

static void test_truncated_keeps_header(void **state)
{
	struct nd_dns d;
	struct nd_cur c;

	for (size_t n = 0; n < sizeof(reply); n++) {
		int err;

		nd_cur_init(&c, reply, n);
		err = nd_dns_parse(&d, c);
		assert_int_equal(err, -EMSGSIZE);
		if (n >= 12)
			assert_int_equal(d.id, 0x1234);
	}
}

static void test_compression_loops_and_forward_pointers(void **state)
{
	/* the question name points at itself */
	uint8_t loop[] = { 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1 };
	/* a pointer forward, past its own position */
	uint8_t fwd[] = { 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 16, 0, 1, 1, 'a', 0 };
	/* a label of 64 (reserved label type 0x40) */
	uint8_t big[] = { 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x40, 'a' };
	struct nd_dns d;
	struct nd_cur c;

	nd_cur_init(&c, loop, sizeof(loop));
	assert_int_equal(nd_dns_parse(&d, c), -EINVAL);
	nd_cur_init(&c, fwd, sizeof(fwd));
	assert_int_equal(nd_dns_parse(&d, c), -EINVAL);
	nd_cur_init(&c, big, sizeof(big));
	assert_int_equal(nd_dns_parse(&d, c), -EINVAL);
}

static void test_name_too_long(void **state)
{
	/* 5 labels of 63 bytes: 320 octets on the wire, over 255 */
	uint8_t msg[12 + 5 * 64 + 1 + 4] = { 0, 1, 1, 0, 0, 1 };
	struct nd_dns d;
	struct nd_cur c;
	size_t at = 12;

	for (int l = 0; l < 5; l++) {
		msg[at++] = 63;
		memset(msg + at, 'x', 63);
		at += 63;
	}
	nd_cur_init(&c, msg, sizeof(msg));
	assert_int_equal(nd_dns_parse(&d, c), -EINVAL);
}

static void test_rcode_and_tc(void **state)
{
	uint8_t msg[] = { 0xab, 0xcd, 0x83, 0x82, 0, 0, 0, 0, 0, 0, 0, 0 };
	struct nd_dns d;
	struct nd_cur c;

	nd_cur_init(&c, msg, sizeof(msg));
	assert_int_equal(nd_dns_parse(&d, c), 0);
	assert_true(d.tc);
	assert_int_equal(d.rcode, ND_DNS_RCODE_SERVFAIL);
	assert_string_equal(nd_dns_rcode_name(d.rcode), "SERVFAIL");
	assert_false(d.has_question);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reply),
		cmocka_unit_test(test_truncated_keeps_header),
		cmocka_unit_test(test_compression_loops_and_forward_pointers),
		cmocka_unit_test(test_name_too_long),
		cmocka_unit_test(test_rcode_and_tc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
