/* The probe port: a veth pair from a bridge into a private namespace. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>

#include <netdiag/netlink.h>
#include <netdiag/active.h>

static int set_up(struct nl_sock *sk, const char *ifname)
{
	struct rtnl_link *cur = NULL, *chg = NULL;
	int err;

	err = rtnl_link_get_kernel(sk, 0, ifname, &cur);
	if (err < 0)
		return nd_nl_errno(err);
	chg = rtnl_link_alloc();
	if (!chg) {
		err = -ENOMEM;
		goto out;
	}
	rtnl_link_set_flags(chg, IFF_UP);
	err = rtnl_link_change(sk, cur, chg, 0);
	err = err < 0 ? nd_nl_errno(err) : 0;
out:
	rtnl_link_put(chg);
	rtnl_link_put(cur);
	return err;
}

static int check_bridge(struct nl_sock *sk, const char *bridge, int *ifindex)
{
	struct rtnl_link *br = NULL;
	const char *kind;
	int err;

	err = rtnl_link_get_kernel(sk, 0, bridge, &br);
	if (err < 0)
		return nd_nl_errno(err);
	kind = rtnl_link_get_type(br);
	*ifindex = rtnl_link_get_ifindex(br);
	err = kind && !strcmp(kind, "bridge") ? 0 : -EINVAL;
	rtnl_link_put(br);
	return err;
}

/* A fresh namespace held only by a descriptor: unshare, take a handle,
 * return to where we were. */
static int make_namespace(struct nd_active_port *p)
{
	if (unshare(CLONE_NEWNET) < 0)
		return -errno;
	p->probe_ns = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (p->probe_ns < 0 || setns(p->home_ns, CLONE_NEWNET) < 0)
		return -errno;
	return 0;
}

static void delete_link(struct nl_sock *sk, const char *ifname)
{
	struct rtnl_link *l = rtnl_link_alloc();

	if (!l)
		return;
	rtnl_link_set_name(l, ifname);
	rtnl_link_delete(sk, l);
	rtnl_link_put(l);
}

static int add_veth(struct nl_sock *sk, struct nd_active_port *p)
{
	struct rtnl_link *veth = rtnl_link_veth_alloc(), *peer;
	int err;

	if (!veth)
		return -ENOMEM;
	peer = rtnl_link_veth_get_peer(veth);
	rtnl_link_set_name(veth, p->host_if);
	rtnl_link_set_name(peer, p->probe_if);
	rtnl_link_set_ns_fd(peer, p->probe_ns);
	err = rtnl_link_add(sk, veth, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(peer);
	rtnl_link_veth_release(veth);
	return err < 0 ? nd_nl_errno(err) : 0;
}

/* Inside the probe namespace: lo and the probe end up, learn its MAC. */
static int setup_inside(struct nd_active_port *p)
{
	struct nl_sock *sk = NULL;
	struct rtnl_link *l = NULL;
	struct nl_addr *mac;
	int err;

	err = nd_active_port_enter(p);
	if (err)
		return err;
	err = nd_nl_route_socket(&sk);
	if (err)
		goto out;
	err = set_up(sk, "lo");
	if (!err)
		err = set_up(sk, p->probe_if);
	if (err)
		goto out;
	err = rtnl_link_get_kernel(sk, 0, p->probe_if, &l);
	if (err < 0) {
		err = nd_nl_errno(err);
		goto out;
	}
	p->probe_ifindex = rtnl_link_get_ifindex(l);
	mac = rtnl_link_get_addr(l);
	if (mac && nl_addr_get_len(mac) == 6)
		memcpy(p->probe_mac, nl_addr_get_binary_addr(mac), 6);
	rtnl_link_put(l);
out:
	if (sk)
		nl_socket_free(sk);
	if (nd_active_port_leave(p) < 0 && !err)
		err = -errno;
	return err;
}

int nd_active_port_open(struct nd_active_port *p, const char *bridge)
{
	struct nl_sock *sk = NULL;
	int br_index = 0, err;

	memset(p, 0, sizeof(*p));
	p->home_ns = -1;
	p->probe_ns = -1;
	snprintf(p->bridge, sizeof(p->bridge), "%s", bridge);
	snprintf(p->host_if, sizeof(p->host_if), "ndp%uh", (unsigned)getpid() % 1000000u);
	snprintf(p->probe_if, sizeof(p->probe_if), "ndp%ug", (unsigned)getpid() % 1000000u);
	p->home_ns = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (p->home_ns < 0)
		return -errno;
	err = nd_nl_route_socket(&sk);
	if (err)
		goto fail;
	err = check_bridge(sk, bridge, &br_index);
	if (err)
		goto fail;
	/* a previous run with our pid that died mid-way */
	delete_link(sk, p->host_if);
	err = make_namespace(p);
	if (err)
		goto fail;
	err = add_veth(sk, p);
	if (err)
		goto fail;
	p->host_ifindex = (int)if_nametoindex(p->host_if);
	err = rtnl_link_enslave_ifindex(sk, br_index, p->host_ifindex);
	err = err < 0 ? nd_nl_errno(err) : set_up(sk, p->host_if);
	if (!err)
		err = nd_nl_route_socket(&p->nl);
	if (!err)
		err = setup_inside(p);
	if (err)
		goto fail;
	nl_socket_free(sk);
	return 0;
fail:
	if (sk)
		nl_socket_free(sk);
	nd_active_port_close(p);
	return err;
}

int nd_active_port_enter(const struct nd_active_port *p)
{
	return setns(p->probe_ns, CLONE_NEWNET) < 0 ? -errno : 0;
}

int nd_active_port_leave(const struct nd_active_port *p)
{
	return setns(p->home_ns, CLONE_NEWNET) < 0 ? -errno : 0;
}

/* The bridge's view of its ports comes with AF_BRIDGE link messages
 * (IFLA_PROTINFO); p->nl was connected in home_ns, so this works from
 * inside the probe namespace too.  Netlink and not /sys/class/net: sysfs
 * shows the namespace it was mounted in, not the one entered. */
int nd_active_port_state(const struct nd_active_port *p)
{
	struct nl_cache *cache = NULL;
	struct rtnl_link *l;
	int err;

	if (!p->nl || p->host_ifindex <= 0)
		return -EBADF;
	err = rtnl_link_alloc_cache(p->nl, AF_BRIDGE, &cache);
	if (err < 0)
		return nd_nl_errno(err);
	l = rtnl_link_get(cache, p->host_ifindex);
	if (!l) {
		err = -ENODEV;
	} else {
		err = rtnl_link_bridge_get_port_state(l);
		if (err < 0)
			err = -EOPNOTSUPP;
		rtnl_link_put(l);
	}
	nl_cache_free(cache);
	return err;
}

void nd_active_port_close(struct nd_active_port *p)
{
	struct nl_sock *sk = NULL;

	if (p->home_ns >= 0 && p->host_if[0] && !nd_nl_route_socket(&sk)) {
		delete_link(sk, p->host_if);
		nl_socket_free(sk);
	}
	if (p->nl)
		nl_socket_free(p->nl);
	p->nl = NULL;
	if (p->probe_ns >= 0)
		close(p->probe_ns);
	if (p->home_ns >= 0)
		close(p->home_ns);
	p->probe_ns = -1;
	p->home_ns = -1;
}
