#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>

#include <netdiag/host.h>

static void test_rp_filter_effective(void **state)
{
	assert_int_equal(nd_rp_filter_effective(0, 0), 0);
	assert_int_equal(nd_rp_filter_effective(1, 0), 1);
	assert_int_equal(nd_rp_filter_effective(0, 2), 2);
	assert_int_equal(nd_rp_filter_effective(2, 1), 2);
}

static void test_snmp(void **state)
{
	const char *v4 =
		"Ip: Forwarding DefaultTTL\nIp: 2 64\n"
		"Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors\n"
		"Udp: 120 3 7 118 0 0 5 0 0\n"
		"UdpLite: InDatagrams NoPorts InErrors\nUdpLite: 0 0 0\n";
	const char *v6 = "Ip6InReceives 10\nUdp6InDatagrams 4\nUdp6InErrors 2\nUdp6InCsumErrors 1\n";
	uint64_t csum, in;

	assert_int_equal(nd_parse_snmp_udp(v4, false, &csum, &in), 0);
	assert_int_equal(csum, 5);
	assert_int_equal(in, 7);
	assert_int_equal(nd_parse_snmp_udp(v6, true, &csum, &in), 0);
	assert_int_equal(csum, 1);
	assert_int_equal(in, 2);
	assert_int_equal(nd_parse_snmp_udp("Ip: x\nIp: 1\n", false, &csum, &in), -ENOENT);
}

static void test_read_int(void **state)
{
	char path[] = "/tmp/nd-int-XXXXXX";
	int fd = mkstemp(path);
	long v;

	assert_int_equal(write(fd, "1500\n", 5), 5);
	close(fd);
	assert_int_equal(nd_read_int(path, &v), 0);
	assert_int_equal(v, 1500);
	unlink(path);
	assert_int_equal(nd_read_int("/nonexistent/x", &v), -ENOENT);
	assert_string_equal(nd_port_state_name(3), "forwarding");
	assert_string_equal(nd_port_state_name(9), "-");
}

/* A listening port has its timer's rest and a whole learning phase ahead;
 * a learning port only the timer; no timer, no forecast. */
static void test_port_forward_in(void **state)
{
	double hz = (double)sysconf(_SC_CLK_TCK);

	assert_true(nd_port_forward_in(ND_PORT_LISTENING, (long)(3 * hz), 4.0) == 7.0);
	assert_true(nd_port_forward_in(ND_PORT_LEARNING, (long)(hz / 2), 4.0) == 0.5);
	assert_true(nd_port_forward_in(ND_PORT_LISTENING, 0, 4.0) == -1);
	assert_true(nd_port_forward_in(ND_PORT_FORWARDING, 100, 4.0) == -1);
	assert_true(nd_port_forward_in(ND_PORT_BLOCKING, 100, 4.0) == -1);
	assert_true(nd_clock_ticks_to_s((long)(15 * hz)) == 15.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rp_filter_effective),
		cmocka_unit_test(test_snmp),
		cmocka_unit_test(test_read_int),
		cmocka_unit_test(test_port_forward_in),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
