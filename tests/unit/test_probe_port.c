/* The probe port in a private network namespace made by the test: a bridge
 * is created over netlink, the port is opened on it, inspected, closed, and
 * nothing may remain. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>

#include <netdiag/active.h>
#include <netdiag/host.h>

static struct nl_sock *sk;

static int setup(void **state)
{
	struct rtnl_link *br;

	if (unshare(CLONE_NEWNET) < 0)
		return -1;
	sk = nl_socket_alloc();
	if (!sk || nl_connect(sk, NETLINK_ROUTE) < 0)
		return -1;
	br = rtnl_link_bridge_alloc();
	rtnl_link_set_name(br, "br-test");
	if (rtnl_link_add(sk, br, NLM_F_CREATE | NLM_F_EXCL) < 0)
		return -1;
	rtnl_link_put(br);
	return 0;
}

static int teardown(void **state)
{
	nl_socket_free(sk);
	return 0;
}

static void test_open_enslaves_and_close_removes(void **state)
{
	struct nd_active_port p;
	struct rtnl_link *l = NULL;
	int br_index = (int)if_nametoindex("br-test");

	assert_int_equal(nd_active_port_open(&p, "br-test"), 0);
	assert_int_equal(rtnl_link_get_kernel(sk, 0, p.host_if, &l), 0);
	assert_int_equal(rtnl_link_get_master(l), br_index);
	assert_true(rtnl_link_get_flags(l) & IFF_UP);
	rtnl_link_put(l);
	/* the other end is not here but inside the probe namespace */
	assert_int_equal(if_nametoindex(p.probe_if), 0);
	assert_int_equal(nd_active_port_enter(&p), 0);
	assert_int_equal(if_nametoindex(p.probe_if), (unsigned)p.probe_ifindex);
	assert_int_equal(nd_active_port_leave(&p), 0);
	assert_true(p.probe_mac[0] | p.probe_mac[1] | p.probe_mac[5]);
	nd_active_port_close(&p);
	assert_int_equal(if_nametoindex(p.host_if), 0);
}

/* the bridge's view of the new port, asked from outside and from inside
 * (STP holding it back is tested in tests/lab/active-patient.sh) */
static void test_port_state(void **state)
{
	struct rtnl_link *br = NULL, *chg = rtnl_link_alloc();
	struct nd_active_port p;

	/* a bridge that is down has all its ports disabled */
	assert_int_equal(rtnl_link_get_kernel(sk, 0, "br-test", &br), 0);
	rtnl_link_set_flags(chg, IFF_UP);
	assert_int_equal(rtnl_link_change(sk, br, chg, 0), 0);
	rtnl_link_put(chg);
	rtnl_link_put(br);
	assert_int_equal(nd_active_port_open(&p, "br-test"), 0);
	/* disabled until the kernel's linkwatch passes on the carrier */
	for (int i = 0; i < 300 && nd_active_port_state(&p) == ND_PORT_DISABLED; i++)
		usleep(10000);
	assert_int_equal(nd_active_port_state(&p), ND_PORT_FORWARDING);
	assert_int_equal(nd_active_port_enter(&p), 0);
	assert_int_equal(nd_active_port_state(&p), ND_PORT_FORWARDING);
	assert_int_equal(nd_active_port_leave(&p), 0);
	nd_active_port_close(&p);
	assert_int_equal(nd_active_port_state(&p), -EBADF);
}

static void test_bad_bridge(void **state)
{
	struct nd_active_port p;

	assert_int_equal(nd_active_port_open(&p, "br-missing"), -ENODEV);
	assert_int_equal(nd_active_port_open(&p, "lo"), -EINVAL);
	assert_int_equal(if_nametoindex(p.host_if), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_enslaves_and_close_removes),
		cmocka_unit_test(test_port_state),
		cmocka_unit_test(test_bad_bridge),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
