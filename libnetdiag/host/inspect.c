/* Host inspection: links over rtnetlink, bridge attributes from sysfs,
 * sysctls from procfs; the findings from them are in host/findings.c. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/route.h>

#include <netdiag/netlink.h>
#include <netdiag/host.h>
#include <netdiag/offload.h>

#include "host_internal.h"

#define SYSFS_NET "/sys/class/net"
#define PROC_IPV4 "/proc/sys/net/ipv4"

static long read_or(const char *path, long dflt)
{
	long v;

	return nd_read_int(path, &v) ? dflt : v;
}

static void fill_link(struct rtnl_link *l, struct nd_link_info *li, long rp_all)
{
	const char *kind = rtnl_link_get_type(l);
	char path[128];

	memset(li, 0, sizeof(*li));
	snprintf(li->name, sizeof(li->name), "%s", rtnl_link_get_name(l));
	snprintf(li->kind, sizeof(li->kind), "%s", kind ? kind : "");
	li->ifindex = rtnl_link_get_ifindex(l);
	li->master = rtnl_link_get_master(l);
	li->up = rtnl_link_get_flags(l) & IFF_UP;
	li->carrier = rtnl_link_get_carrier(l);
	li->mtu = rtnl_link_get_mtu(l);
	snprintf(path, sizeof(path), PROC_IPV4 "/conf/%s/rp_filter", li->name);
	li->rp_filter = nd_rp_filter_effective(rp_all, read_or(path, 0));
	snprintf(path, sizeof(path), PROC_IPV4 "/conf/%s/proxy_arp", li->name);
	li->proxy_arp = nd_rp_filter_effective(read_or(PROC_IPV4 "/conf/all/proxy_arp", 0),
					       read_or(path, 0));
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/accept_ra", li->name);
	li->accept_ra = (int)read_or(path, -1);
	li->port_state = li->learning = li->flooding = -1;
	li->forward_in = -1;
}

static long bridge_attr(const struct nd_bridge_info *b, const char *attr)
{
	char path[160];

	snprintf(path, sizeof(path), SYSFS_NET "/%s/bridge/%s", b->link.name, attr);
	return read_or(path, 0);
}

static void bridge_attrs(struct nd_bridge_info *b)
{
	b->stp = bridge_attr(b, "stp_state") != 0;
	b->forward_delay = nd_clock_ticks_to_s(bridge_attr(b, "forward_delay"));
	b->snooping = bridge_attr(b, "multicast_snooping") != 0;
	b->querier = bridge_attr(b, "multicast_querier") != 0;
	b->nf_call_iptables = bridge_attr(b, "nf_call_iptables") != 0;
	b->nf_call_ip6tables = bridge_attr(b, "nf_call_ip6tables") != 0;
}

static void bridge_ports(struct nl_cache *cache, struct nd_bridge_info *b, long rp_all)
{
	for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_link *l = (struct rtnl_link *)o;
		struct nd_link_info *p;
		char path[160];

		if (rtnl_link_get_master(l) != b->link.ifindex || b->nports == ND_HOST_PORTS_MAX)
			continue;
		p = &b->ports[b->nports++];
		fill_link(l, p, rp_all);
		snprintf(path, sizeof(path), SYSFS_NET "/%s/brif/%s/state", b->link.name, p->name);
		p->port_state = (int)read_or(path, -1);
		snprintf(path, sizeof(path), SYSFS_NET "/%s/brif/%s/learning", b->link.name, p->name);
		p->learning = (int)read_or(path, -1);
		snprintf(path, sizeof(path), SYSFS_NET "/%s/brif/%s/unicast_flood", b->link.name,
			 p->name);
		p->flooding = (int)read_or(path, -1);
		snprintf(path, sizeof(path), SYSFS_NET "/%s/brif/%s/forward_delay_timer",
			 b->link.name, p->name);
		p->forward_in = nd_port_forward_in(p->port_state, read_or(path, 0), b->forward_delay);
	}
}

static void host_counters(struct nd_host_report *r)
{
	char buf[8192];
	FILE *in;
	size_t n;

	r->ip_forward = (int)read_or(PROC_IPV4 "/ip_forward", 0);
	r->ip6_forward = (int)read_or("/proc/sys/net/ipv6/conf/all/forwarding", 0);
	r->brnf_call_iptables = (int)read_or("/proc/sys/net/bridge/bridge-nf-call-iptables", -1);
	r->brnf_call_ip6tables = (int)read_or("/proc/sys/net/bridge/bridge-nf-call-ip6tables", -1);
	r->brnf_loaded = r->brnf_call_iptables >= 0;
	for (int v6 = 0; v6 < 2; v6++) {
		in = fopen(v6 ? "/proc/net/snmp6" : "/proc/net/snmp", "r");
		if (!in)
			continue;
		n = fread(buf, 1, sizeof(buf) - 1, in);
		buf[n] = 0;
		fclose(in);
		if (v6)
			nd_parse_snmp_udp(buf, true, &r->udp6_in_csum_errors, &r->udp6_in_errors);
		else
			nd_parse_snmp_udp(buf, false, &r->udp_in_csum_errors, &r->udp_in_errors);
	}
}

/* Addresses of the bridges and taps, route and neighbour counts, the IPv4
 * default gateway: for the inventory and for routed-guest checks. */
static void addresses_routes(struct nl_sock *sk, struct nd_host_report *r)
{
	struct nl_cache *addrs = NULL, *routes = NULL, *neigh = NULL;

	if (!rtnl_addr_alloc_cache(sk, &addrs)) {
		for (struct nl_object *o = nl_cache_get_first(addrs); o; o = nl_cache_get_next(o)) {
			struct rtnl_addr *a = (struct rtnl_addr *)o;
			int idx = rtnl_addr_get_ifindex(a);
			struct nd_link_info *li = NULL;

			for (unsigned i = 0; i < r->nbridges && !li; i++)
				if (r->bridges[i].link.ifindex == idx)
					li = &r->bridges[i].link;
			for (unsigned i = 0; i < r->ntaps && !li; i++)
				if (r->taps[i].ifindex == idx)
					li = &r->taps[i];
			if (li && li->naddrs < 4)
				nl_addr2str(rtnl_addr_get_local(a), li->addrs[li->naddrs++],
					    sizeof(li->addrs[0]));
		}
		nl_cache_free(addrs);
	}
	if (!rtnl_route_alloc_cache(sk, AF_UNSPEC, 0, &routes)) {
		for (struct nl_object *o = nl_cache_get_first(routes); o; o = nl_cache_get_next(o)) {
			struct rtnl_route *rt = (struct rtnl_route *)o;
			struct nl_addr *dst = rtnl_route_get_dst(rt);

			if (rtnl_route_get_table(rt) != RT_TABLE_MAIN)
				continue;
			if (rtnl_route_get_family(rt) == AF_INET) {
				r->routes4++;
				if ((!dst || !nl_addr_get_prefixlen(dst)) && rtnl_route_get_nnexthops(rt)) {
					struct nl_addr *gw =
						rtnl_route_nh_get_gateway(rtnl_route_nexthop_n(rt, 0));

					if (gw)
						nl_addr2str(gw, r->default_gw4, sizeof(r->default_gw4));
				}
			} else if (rtnl_route_get_family(rt) == AF_INET6) {
				r->routes6++;
			}
		}
		nl_cache_free(routes);
	}
	if (!rtnl_neigh_alloc_cache(sk, &neigh)) {
		r->neighbours = (unsigned)nl_cache_nitems(neigh);
		nl_cache_free(neigh);
	}
}

static int collect(struct nl_cache *cache, const struct nd_host_opts *o, struct nd_host_report *r,
		   char *err, size_t errlen)
{
	long rp_all = read_or(PROC_IPV4 "/conf/all/rp_filter", 0);
	struct rtnl_link *l;

	r->bridges = calloc(o->bridge ? 1 : 16, sizeof(*r->bridges));
	if (!r->bridges)
		return -ENOMEM;
	for (struct nl_object *ob = nl_cache_get_first(cache); ob; ob = nl_cache_get_next(ob)) {
		const char *kind;

		l = (struct rtnl_link *)ob;
		kind = rtnl_link_get_type(l);
		if (o->bridge ? strcmp(rtnl_link_get_name(l), o->bridge)
			      : (!kind || strcmp(kind, "bridge") || r->nbridges == 16))
			continue;
		if (!kind || strcmp(kind, "bridge")) {
			snprintf(err, errlen, "%s: not a bridge", o->bridge);
			return -EINVAL;
		}
		fill_link(l, &r->bridges[r->nbridges].link, rp_all);
		bridge_attrs(&r->bridges[r->nbridges]);
		bridge_ports(cache, &r->bridges[r->nbridges], rp_all);
		r->nbridges++;
	}
	if (o->bridge && !r->nbridges) {
		snprintf(err, errlen, "%s: no such device", o->bridge);
		return -ENODEV;
	}
	for (unsigned i = 0; i < o->ntaps && i < ND_HOST_TAPS_MAX; i++) {
		l = rtnl_link_get_by_name(cache, o->taps[i]);
		if (!l) {
			snprintf(err, errlen, "%s: no such device", o->taps[i]);
			return -ENODEV;
		}
		fill_link(l, &r->taps[r->ntaps++], rp_all);
		rtnl_link_put(l);
	}
	host_counters(r);
	return 0;
}

int nd_host_inspect(const struct nd_host_opts *o, struct nd_host_report *r,
		    struct nd_findings *out, char *err, size_t errlen)
{
	struct nl_cache *cache = NULL;
	struct nl_sock *sk;
	int ret;

	memset(r, 0, sizeof(*r));
	ret = nd_nl_route_socket(&sk);
	if (ret) {
		snprintf(err, errlen, "rtnetlink: %s", strerror(-ret));
		return ret;
	}
	ret = rtnl_link_alloc_cache(sk, AF_UNSPEC, &cache);
	if (ret < 0) {
		snprintf(err, errlen, "rtnetlink: %s", nl_geterror(ret));
		ret = -EIO;
		goto out;
	}
	ret = collect(cache, o, r, err, errlen);
	if (!ret)
		addresses_routes(sk, r);
	if (!ret)
		ret = nd_host_findings(o, r, out);
	nd_findings_sort(out);
out:
	if (cache)
		nl_cache_free(cache);
	nl_socket_free(sk);
	return ret;
}

void nd_host_report_free(struct nd_host_report *r)
{
	free(r->bridges);
	r->bridges = NULL;
	r->nbridges = 0;
}
