/* Live capture rings on the loopback device of a private network namespace
 * (unshare(CLONE_NEWNET)): UDP sent over lo is CHECKSUM_PARTIAL, so the
 * kernel marks its copies TP_STATUS_CSUMNOTREADY, and every datagram is
 * seen twice, outgoing and incoming (promiscuous or not).  Each ring holds
 * one promiscuity reference on its device while it is open. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>
#include <netlink/route/link.h>

#include <netdiag/live.h>

struct seen {
	unsigned frames, out, in, notready;
	uint64_t last_number;
	char ifname[IF_NAMESIZE];
};

static int count_frame(void *arg, const struct nd_frame_meta *m, const uint8_t *data)
{
	struct seen *s = arg;

	s->frames++;
	s->out += m->dir == ND_DIR_OUT;
	s->in += m->dir == ND_DIR_IN;
	s->notready += !!(m->hints & ND_HINT_CSUM_NOTREADY);
	s->last_number = m->number;
	snprintf(s->ifname, sizeof(s->ifname), "%s", m->ifname);
	return 0;
}

static int private_netns(void **state)
{
	struct ifreq ifr = { 0 };
	int fd;

	if (unshare(CLONE_NEWNET) < 0)
		return -1;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	ioctl(fd, SIOCGIFFLAGS, &ifr);
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static void send_udp(uint16_t port, int n)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
	for (int i = 0; i < n; i++)
		sendto(fd, "probe", 5, 0, (struct sockaddr *)&to, sizeof(to));
	close(fd);
}

/* the device's promiscuity count as `ip -d link` shows it */
static int promiscuity_of(const char *ifname)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct rtnl_link *link = NULL;
	int n = -1;

	if (sk && !nl_connect(sk, NETLINK_ROUTE) && !rtnl_link_get_kernel(sk, 0, ifname, &link))
		n = (int)rtnl_link_get_promiscuity(link);
	rtnl_link_put(link);
	nl_socket_free(sk);
	return n;
}

static void poll_until(struct nd_live *lv, struct seen *s, unsigned want)
{
	for (int i = 0; i < 40 && s->frames < want; i++)
		assert_true(nd_live_poll(lv, 50, count_frame, s) >= 0);
}

static void test_loopback_udp_marked_not_ready(void **state)
{
	struct nd_live_opts o = { .filter = "udp port 9" };
	struct nd_live *lv;
	struct nd_live_stats st;
	struct seen s = { 0 };

	assert_int_equal(promiscuity_of("lo"), 0);
	assert_int_equal(nd_live_new(&lv, &o), 0);
	assert_int_equal(nd_live_add(lv, "lo"), 0);
	assert_int_equal(promiscuity_of("lo"), 1);
	send_udp(10, 3);  /* filtered out */
	send_udp(9, 4);
	poll_until(lv, &s, 8);
	assert_int_equal(s.frames, 8);
	assert_int_equal(s.out, 4);
	assert_int_equal(s.in, 4);
	assert_int_equal(s.notready, 8);
	assert_int_equal(s.last_number, 8);
	assert_string_equal(s.ifname, "lo");
	assert_int_equal(nd_live_stats(lv, 0, &st), 0);
	assert_int_equal(st.frames, 8);
	assert_int_equal(st.kernel_packets, 8);
	assert_int_equal(st.kernel_drops, 0);
	nd_live_close(lv);
	assert_int_equal(promiscuity_of("lo"), 0);
}

/* two rings on one device: two references, each released on close */
static void test_promisc_refcounted(void **state)
{
	struct nd_live *a, *b;

	assert_int_equal(nd_live_new(&a, NULL), 0);
	assert_int_equal(nd_live_new(&b, NULL), 0);
	assert_int_equal(nd_live_add(a, "lo"), 0);
	assert_int_equal(nd_live_add(b, "lo"), 0);
	assert_int_equal(promiscuity_of("lo"), 2);
	nd_live_close(a);
	assert_int_equal(promiscuity_of("lo"), 1);
	nd_live_close(b);
	assert_int_equal(promiscuity_of("lo"), 0);
}

static void test_bad_filter_and_device(void **state)
{
	struct nd_live_opts o = { .filter = "udp port banana" };
	struct nd_live *lv;

	assert_int_equal(nd_live_new(&lv, &o), 0);
	assert_int_equal(nd_live_add(lv, "lo"), -EINVAL);
	assert_non_null(strstr(nd_live_error(lv), "filter:"));
	assert_int_equal(nd_live_add(lv, "nd-nonexistent0"), -ENODEV);
	assert_int_equal(nd_live_count(lv), 0);
	nd_live_close(lv);
}

static int stop_at_first(void *arg, const struct nd_frame_meta *m, const uint8_t *d)
{
	(*(int *)arg)++;
	return 42;
}

static void test_callback_stops_poll(void **state)
{
	struct nd_live *lv;
	int calls = 0;

	assert_int_equal(nd_live_new(&lv, &(struct nd_live_opts){ .filter = "udp port 9" }), 0);
	assert_int_equal(nd_live_add(lv, "lo"), 0);
	send_udp(9, 2);
	for (int i = 0; i < 40 && !calls; i++)
		if (nd_live_poll(lv, 50, stop_at_first, &calls) == 42)
			break;
	assert_int_equal(calls, 1);
	nd_live_close(lv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loopback_udp_marked_not_ready),
		cmocka_unit_test(test_bad_filter_and_device),
		cmocka_unit_test(test_callback_stops_poll),
		cmocka_unit_test(test_promisc_refcounted),
	};

	if (private_netns(NULL) < 0) {
		fprintf(stderr, "test_ring: needs root for a private network namespace\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
