/* Small rtnetlink writers and probes for routes and addresses, shared by
 * the journal's kinds and the routed-guest set-up (libnl-route-3). */
#include <errno.h>
#include <time.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/route.h>

#include <netdiag/netlink.h>
#include <netdiag/rtnl.h>

/* dst "203.0.113.10/32" or "0.0.0.0/0"; gw NULL for an on-link route */
static int build_route(struct rtnl_route **rp, const char *dst, const char *dev, const char *gw)
{
	struct rtnl_route *r = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct nl_addr *d = NULL, *g = NULL;
	int ifindex = (int)if_nametoindex(dev);

	if (!r || !nh) {
		rtnl_route_put(r);
		rtnl_route_nh_free(nh);
		return -ENOMEM;
	}
	if (!ifindex || nl_addr_parse(dst, strchr(dst, ':') ? AF_INET6 : AF_INET, &d) < 0 ||
	    (gw && nl_addr_parse(gw, strchr(gw, ':') ? AF_INET6 : AF_INET, &g) < 0)) {
		rtnl_route_put(r);
		rtnl_route_nh_free(nh);
		nl_addr_put(d);
		return ifindex ? -EINVAL : -ENODEV;
	}
	rtnl_route_set_family(r, (uint8_t)nl_addr_get_family(d));
	rtnl_route_set_table(r, RT_TABLE_MAIN);
	rtnl_route_set_protocol(r, RTPROT_STATIC);
	rtnl_route_set_dst(r, d);
	rtnl_route_set_scope(r, gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);
	rtnl_route_nh_set_ifindex(nh, ifindex);
	if (g) {
		rtnl_route_nh_set_gateway(nh, g);
		/* the gateway lies outside every address of the device */
		rtnl_route_nh_set_flags(nh, RTNH_F_ONLINK);
	}
	rtnl_route_add_nexthop(r, nh);
	nl_addr_put(d);
	nl_addr_put(g);
	*rp = r;
	return 0;
}

int nd_route_change(bool add, const char *dst, const char *dev, const char *gw)
{
	struct rtnl_route *r;
	struct nl_sock *sk;
	int ret = nd_nl_route_socket(&sk);

	if (ret)
		return ret;
	ret = build_route(&r, dst, dev, gw);
	if (!ret) {
		ret = add ? rtnl_route_add(sk, r, NLM_F_CREATE | NLM_F_EXCL) : rtnl_route_delete(sk, r, 0);
		ret = ret < 0 ? nd_nl_errno(ret) : 0;
		rtnl_route_put(r);
	}
	nl_socket_free(sk);
	return ret;
}

struct route_match {
	struct nl_addr *dst;
	int ifindex;
	struct nl_addr *gw;
	bool found;
};

static void match_route(struct nl_object *o, void *arg)
{
	struct rtnl_route *r = (struct rtnl_route *)o;
	struct route_match *m = arg;
	struct rtnl_nexthop *nh;
	struct nl_addr *dst = rtnl_route_get_dst(r);

	if (rtnl_route_get_table(r) != RT_TABLE_MAIN ||
	    rtnl_route_get_family(r) != nl_addr_get_family(m->dst) || !rtnl_route_get_nnexthops(r))
		return;
	if (nl_addr_get_prefixlen(dst) != nl_addr_get_prefixlen(m->dst) ||
	    (nl_addr_get_prefixlen(dst) && nl_addr_cmp_prefix(dst, m->dst)))
		return;
	nh = rtnl_route_nexthop_n(r, 0);
	if (rtnl_route_nh_get_ifindex(nh) != m->ifindex)
		return;
	if (m->gw && (!rtnl_route_nh_get_gateway(nh) ||
		      nl_addr_cmp(rtnl_route_nh_get_gateway(nh), m->gw)))
		return;
	m->found = true;
}

int nd_route_present(const char *dst, const char *dev, const char *gw, bool *present)
{
	struct route_match m = { .ifindex = (int)if_nametoindex(dev) };
	struct nl_cache *cache = NULL;
	struct nl_sock *sk;
	int ret;

	*present = false;
	if (!m.ifindex)
		return -ENODEV;
	if (nl_addr_parse(dst, strchr(dst, ':') ? AF_INET6 : AF_INET, &m.dst) < 0 ||
	    (gw && nl_addr_parse(gw, strchr(gw, ':') ? AF_INET6 : AF_INET, &m.gw) < 0)) {
		nl_addr_put(m.dst);
		return -EINVAL;
	}
	ret = nd_nl_route_socket(&sk);
	if (!ret) {
		if (rtnl_route_alloc_cache(sk, nl_addr_get_family(m.dst), 0, &cache) < 0) {
			ret = -EIO;
		} else {
			nl_cache_foreach(cache, match_route, &m);
			nl_cache_free(cache);
		}
		nl_socket_free(sk);
	}
	*present = m.found;
	nl_addr_put(m.dst);
	nl_addr_put(m.gw);
	return ret;
}

int nd_addr_change(bool add, const char *addr, const char *dev)
{
	struct rtnl_addr *a = rtnl_addr_alloc();
	struct nl_addr *local = NULL;
	struct nl_sock *sk = NULL;
	int ifindex = (int)if_nametoindex(dev), ret;

	if (!a)
		return -ENOMEM;
	if (!ifindex) {
		ret = -ENODEV;
		goto out;
	}
	if (nl_addr_parse(addr, AF_INET, &local) < 0) {
		ret = -EINVAL;
		goto out;
	}
	rtnl_addr_set_ifindex(a, ifindex);
	rtnl_addr_set_local(a, local);
	rtnl_addr_set_prefixlen(a, nl_addr_get_prefixlen(local));
	ret = nd_nl_route_socket(&sk);
	if (!ret) {
		ret = add ? rtnl_addr_add(sk, a, 0) : rtnl_addr_delete(sk, a, 0);
		ret = ret < 0 ? nd_nl_errno(ret) : 0;
	}
out:
	if (sk)
		nl_socket_free(sk);
	nl_addr_put(local);
	rtnl_addr_put(a);
	return ret;
}

/* An IPv4 address on dev, looked up in a cache of the kernel's table
 * (alloc_cache fills it): what look() makes of the cache and the address. */
struct cache_lookup {
	int (*alloc_cache)(struct nl_sock *sk, struct nl_cache **cache);
	void (*look)(struct nl_cache *cache, int ifindex, struct nl_addr *want, void *arg);
	void *arg;
};

static int lookup(const char *addr, const char *dev, const struct cache_lookup *l)
{
	struct nl_cache *cache = NULL;
	struct nl_addr *want = NULL;
	struct nl_sock *sk;
	int ifindex = (int)if_nametoindex(dev), ret;

	if (!ifindex)
		return -ENODEV;
	if (nl_addr_parse(addr, AF_INET, &want) < 0)
		return -EINVAL;
	ret = nd_nl_route_socket(&sk);
	if (!ret) {
		if (l->alloc_cache(sk, &cache) < 0) {
			ret = -EIO;
		} else {
			l->look(cache, ifindex, want, l->arg);
			nl_cache_free(cache);
		}
		nl_socket_free(sk);
	}
	nl_addr_put(want);
	return ret;
}

static int addr_cache(struct nl_sock *sk, struct nl_cache **cache)
{
	return rtnl_addr_alloc_cache(sk, cache);
}

static void addr_look(struct nl_cache *cache, int ifindex, struct nl_addr *want, void *arg)
{
	bool *present = arg;

	for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;

		if (rtnl_addr_get_ifindex(a) == ifindex && !nl_addr_cmp(rtnl_addr_get_local(a), want))
			*present = true;
	}
}

int nd_addr_present(const char *addr, const char *dev, bool *present)
{
	*present = false;
	return lookup(addr, dev, &(struct cache_lookup){ addr_cache, addr_look, present });
}

struct lladdr {
	char *mac;
	size_t len;
};

static int neigh_cache(struct nl_sock *sk, struct nl_cache **cache)
{
	return rtnl_neigh_alloc_cache(sk, cache);
}

static void neigh_look(struct nl_cache *cache, int ifindex, struct nl_addr *want, void *arg)
{
	struct lladdr *out = arg;
	struct rtnl_neigh *n = rtnl_neigh_get(cache, ifindex, want);

	if (n && rtnl_neigh_get_lladdr(n))
		nl_addr2str(rtnl_neigh_get_lladdr(n), out->mac, out->len);
	if (n)
		rtnl_neigh_put(n);
}

int nd_neigh_lladdr(const char *addr, const char *dev, char *mac, size_t len)
{
	mac[0] = 0;
	return lookup(addr, dev, &(struct cache_lookup){ neigh_cache, neigh_look,
							 &(struct lladdr){ mac, len } });
}
