#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <netdiag/route.h>

static char *render(enum nd_guest_os os, const char *ip, const char *gw, const char *ifn,
		    int *err)
{
	struct nd_guest_net n = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	inet_pton(AF_INET, ip, &n.ip);
	inet_pton(AF_INET, gw, &n.gateway);
	snprintf(n.ifname, sizeof(n.ifname), "%s", ifn);
	*err = nd_guest_config_write(out, os, &n);
	fclose(out);
	return buf;
}

static void assert_has_line(const char *text, const char *line)
{
	const char *p = text;
	size_t n = strlen(line);

	while ((p = strstr(p, line))) {
		if ((p == text || p[-1] == '\n') && (p[n] == '\n' || !p[n]))
			return;
		p++;
	}
	fail_msg("line not found: %s\nin:\n%s", line, text);
}

static void test_freebsd_rc_conf(void **state)
{
	int err;
	char *t = render(ND_GUEST_FREEBSD, "203.0.113.10", "198.51.100.1", "vtnet0", &err);

	assert_int_equal(err, 0);
	assert_has_line(t, "ifconfig_vtnet0=\"inet 203.0.113.10/32\"");
	assert_has_line(t, "static_routes=\"gateway default\"");
	assert_has_line(t, "route_gateway=\"-host 198.51.100.1 -interface vtnet0\"");
	assert_has_line(t, "route_default=\"default 198.51.100.1\"");
	free(t);
}

static void test_netbsd_ifconfig(void **state)
{
	int err;
	char *t = render(ND_GUEST_NETBSD, "203.0.113.10", "198.51.100.1", "", &err);

	assert_int_equal(err, 0);
	assert_has_line(t, "# /etc/ifconfig.vioif0");
	assert_has_line(t, "inet 203.0.113.10 netmask 255.255.255.255");
	assert_has_line(t, "!route add -net 198.51.100.1 -link -cloning -iface vioif0");
	assert_has_line(t, "!route add default 198.51.100.1");
	free(t);
}

static void test_openbsd_hostname_if(void **state)
{
	int err;
	char *t = render(ND_GUEST_OPENBSD, "203.0.113.10", "198.51.100.1", "vio0", &err);

	assert_int_equal(err, 0);
	assert_has_line(t, "# /etc/hostname.vio0");
	assert_has_line(t, "inet 203.0.113.10 255.255.255.255");
	assert_has_line(t, "!route add -inet 198.51.100.1 -llinfo -link -static -iface vio0");
	assert_has_line(t, "!route add -inet default 198.51.100.1");
	free(t);
}

static void test_linux_forms(void **state)
{
	int err;
	char *t = render(ND_GUEST_LINUX_IP, "203.0.113.10", "198.51.100.1", "ens3", &err);

	assert_int_equal(err, 0);
	assert_has_line(t, "ip address add 203.0.113.10/32 dev ens3");
	assert_has_line(t, "ip route add 198.51.100.1/32 dev ens3 scope link");
	assert_has_line(t, "ip route add default via 198.51.100.1 dev ens3");
	free(t);
	t = render(ND_GUEST_SYSTEMD_NETWORKD, "203.0.113.10", "198.51.100.1", "ens3", &err);
	assert_has_line(t, "Address=203.0.113.10/32");
	assert_has_line(t, "Gateway=198.51.100.1");
	assert_has_line(t, "GatewayOnLink=yes");
	free(t);
}

static void test_invalid_input_writes_nothing(void **state)
{
	int err;
	char *t = render(ND_GUEST_FREEBSD, "203.0.113.10", "203.0.113.10", "vtnet0", &err);

	assert_int_equal(err, -EINVAL);
	assert_string_equal(t, "");
	free(t);
	t = render(ND_GUEST_FREEBSD, "203.0.113.10", "255.255.255.255", "vtnet0", &err);
	assert_int_equal(err, -EINVAL);
	free(t);
}

static void test_parse(void **state)
{
	struct in_addr a;
	enum nd_guest_os os;

	assert_int_equal(nd_parse_host_ipv4("203.0.113.10/32", &a), 0);
	assert_int_equal(a.s_addr, htonl(0xcb00710a));
	assert_int_equal(nd_parse_host_ipv4("203.0.113.10", &a), 0);
	assert_int_equal(nd_parse_host_ipv4("203.0.113.10/24", &a), -EINVAL);
	assert_int_equal(nd_parse_host_ipv4("203.0.113.300", &a), -EINVAL);
	assert_int_equal(nd_parse_host_ipv4("203.0.113.10/32/32", &a), -EINVAL);
	assert_int_equal(nd_guest_os_parse("openbsd", &os), 0);
	assert_int_equal(os, ND_GUEST_OPENBSD);
	assert_int_equal(nd_guest_os_parse("windows", &os), -EINVAL);
	for (int i = 0; i < ND_GUEST_OS_COUNT; i++) {
		assert_int_equal(nd_guest_os_parse(nd_guest_os_name((enum nd_guest_os)i), &os), 0);
		assert_int_equal(os, i);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_freebsd_rc_conf),
		cmocka_unit_test(test_netbsd_ifconfig),
		cmocka_unit_test(test_openbsd_hostname_if),
		cmocka_unit_test(test_linux_forms),
		cmocka_unit_test(test_invalid_input_writes_nothing),
		cmocka_unit_test(test_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
