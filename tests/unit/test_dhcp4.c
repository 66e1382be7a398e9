#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <netdiag/dhcp4.h>

static size_t bootp(uint8_t *m, uint8_t op, uint32_t xid)
{
	memset(m, 0, 240);
	m[0] = op;
	m[1] = 1;
	m[2] = 6;
	m[4] = (uint8_t)(xid >> 24); m[5] = (uint8_t)(xid >> 16);
	m[6] = (uint8_t)(xid >> 8); m[7] = (uint8_t)xid;
	memcpy(m + 28, "\x02\x00\x00\x00\x00\x32", 6);
	m[236] = 0x63; m[237] = 0x82; m[238] = 0x53; m[239] = 0x63;
	return 240;
}

static void test_ack_options(void **state)
{
	static const uint8_t opts[] = {
		53, 1, 5, 54, 4, 192, 0, 2, 1, 51, 4, 0, 0, 0x0e, 0x10, 58, 4, 0, 0, 0x07, 0x08,
		59, 4, 0, 0, 0x0c, 0x4e, 1, 4, 255, 255, 255, 0, 3, 8, 192, 0, 2, 1, 192, 0, 2, 2,
		6, 4, 192, 0, 2, 1, 26, 2, 0x05, 0xdc, 12, 5, 'g', 'u', 'e', 's', 't',
		15, 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 121, 8, 24, 198, 51, 100, 192, 0, 2, 1,
		82, 2, 1, 0, 0, 0, 255,
	};
	uint8_t m[600];
	struct nd_dhcp4 d;
	struct nd_cur c;
	size_t n = bootp(m, 2, 0xdeadbeef);

	m[16] = 192; m[17] = 0; m[18] = 2; m[19] = 50;
	memcpy(m + n, opts, sizeof(opts));
	nd_cur_init(&c, m, n + sizeof(opts));
	assert_int_equal(nd_dhcp4_parse(&d, c), 0);
	assert_int_equal(d.type, ND_DHCP4_ACK);
	assert_string_equal(nd_dhcp4_type_name(d.type), "ACK");
	assert_int_equal(d.xid, 0xdeadbeef);
	assert_memory_equal(d.yiaddr, "\xc0\x00\x02\x32", 4);
	assert_true(d.has_server_id);
	assert_memory_equal(d.server_id, "\xc0\x00\x02\x01", 4);
	assert_int_equal(d.lease, 3600);
	assert_int_equal(d.t1, 1800);
	assert_int_equal(d.t2, 3150);
	assert_int_equal(d.nrouters, 2);
	assert_int_equal(d.ndns, 1);
	assert_int_equal(d.mtu, 1500);
	assert_string_equal(d.hostname, "guest");
	assert_string_equal(d.domain, "example");
	assert_int_equal(d.classless_routes, 1);
	assert_true(d.has_relay_info);
}

/* RFC 2132 9.3: option 52 moves options into the file and sname fields */
static void test_overload(void **state)
{
	uint8_t m[600];
	struct nd_dhcp4 d;
	struct nd_cur c;
	size_t n = bootp(m, 2, 1);
	const uint8_t main_opts[] = { 52, 1, 3, 255 };

	memcpy(m + n, main_opts, sizeof(main_opts));
	m[108] = 53; m[109] = 1; m[110] = 2; m[111] = 255;  /* file: OFFER */
	m[44] = 54; m[45] = 4; m[46] = 192; m[47] = 0; m[48] = 2; m[49] = 7; m[50] = 255;
	nd_cur_init(&c, m, n + sizeof(main_opts));
	assert_int_equal(nd_dhcp4_parse(&d, c), 0);
	assert_int_equal(d.overload, 3);
	assert_int_equal(d.type, ND_DHCP4_OFFER);
	assert_memory_equal(d.server_id, "\xc0\x00\x02\x07", 4);
}

static void test_malformed(void **state)
{
	uint8_t m[600];
	struct nd_dhcp4 d;
	struct nd_cur c;
	size_t n = bootp(m, 1, 1);
	const uint8_t overrun[] = { 53, 1, 1, 12, 40, 'x' };
	const uint8_t no_end[] = { 53, 1, 1 };

	nd_cur_init(&c, m, 100);
	assert_int_equal(nd_dhcp4_parse(&d, c), -EMSGSIZE);
	memcpy(m + n, overrun, sizeof(overrun));
	nd_cur_init(&c, m, n + sizeof(overrun));
	assert_int_equal(nd_dhcp4_parse(&d, c), -EINVAL);
	memcpy(m + n, no_end, sizeof(no_end));
	nd_cur_init(&c, m, n + sizeof(no_end));
	assert_int_equal(nd_dhcp4_parse(&d, c), -EINVAL);
	m[236] = 0;  /* no magic cookie: BOOTP without DHCP options */
	nd_cur_init(&c, m, n);
	assert_int_equal(nd_dhcp4_parse(&d, c), -EINVAL);
	for (size_t k = 0; k < n + sizeof(no_end); k++) {
		nd_cur_init(&c, m, k);
		assert_true(nd_dhcp4_parse(&d, c) < 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ack_options),
		cmocka_unit_test(test_overload),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
