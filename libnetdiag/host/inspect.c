/* Host inspection: links over rtnetlink, bridge attributes from sysfs,
 * sysctls from procfs, then findings. */
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
/* Forward delay above which a new port's listening and learning outlast a
 * DHCP client's first tries: 4 s (8 s silent) costs the DISCOVERs at 0 and
 * ~4 s (RFC 2131 4.1 back-off) and the one at ~12 s passes; 15 s (the
 * default, 30 s silent) outlasts udhcpc's and many firmware clients' tries.
 * libvirt's STP bridges run at the 2 s minimum. */
#define STP_DELAY_SLOW 4.0
/* A port whose timer says it forwards later than this is not simply new. */
#define FORWARD_IN_SLACK 0.5

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

struct nd_finding *nd_link_finding(struct nd_findings *out, const char *id,
				       enum nd_severity sev, const char *ifname)
{
	struct nd_finding *f = nd_findings_add(out, id, sev);

	if (f) {
		snprintf(f->ifname, sizeof(f->ifname), "%s", ifname);
		f->count = 1;
	}
	return f;
}

/* Why a link of this kind lacks carrier, in the words of its driver. */
static const char *no_carrier_reason(const char *kind)
{
	static const struct {
		const char *kind, *reason;
	} reasons[] = {
		{ "tun", "no process (QEMU) holds the tap open" },
		{ "veth", "the other end of its veth pair is down" },
		{ "macvtap", "its lower device has no carrier" },
		{ "macvlan", "its lower device has no carrier" },
		{ "vlan", "its lower device has no carrier" },
		{ "", "no link partner: the cable is unplugged or the far end is down" },
	};

	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (!strcmp(reasons[i].kind, kind))
			return reasons[i].reason;
	return "its driver reports no carrier";
}

static int no_carrier(const struct nd_link_info *l, const char *reason, enum nd_severity sev,
		      struct nd_findings *out)
{
	struct nd_finding *f = nd_link_finding(out, "link.no-carrier", sev, l->name);

	if (!f)
		return -ENOMEM;
	nd_finding_set_str(f, "state", l->up ? "up, no carrier" : "down");
	nd_finding_set_str(f, "kind", l->kind);
	nd_finding_set_str(f, "reason", reason);
	if (!l->up)
		nd_finding_summary(f, "%s is down: nothing passes it", l->name);
	else
		nd_finding_summary(f, "%s has no carrier: %s", l->name, reason);
	return 0;
}

static int carrier_findings(const struct nd_link_info *l, struct nd_findings *out)
{
	if (l->up && l->carrier)
		return 0;
	return no_carrier(l, l->up ? no_carrier_reason(l->kind) : "it is administratively down",
			  ND_SEV_ERROR, out);
}

/* A bridge has carrier while one of its ports forwards (br_port_state_selection
 * in net/bridge/br_stp.c), so its own "no carrier" is about its ports.  A port
 * the STP timer is about to forward is normal: its own finding says when. */
static int bridge_carrier_findings(const struct nd_bridge_info *b, struct nd_findings *out)
{
	char reason[ND_FIELD_STR_MAX];
	size_t used;

	if (!b->link.up || b->link.carrier)
		return carrier_findings(&b->link, out);
	/* a bridge with no guest on it yet (libvirt's, incus's when idle) is
	 * waiting, not broken */
	if (!b->nports)
		return no_carrier(&b->link, "it has no ports", ND_SEV_INFO, out);
	for (unsigned i = 0; i < b->nports; i++)
		if (b->ports[i].forward_in >= 0)
			return 0;
	used = (size_t)snprintf(reason, sizeof(reason), "none of its %u port%s forwards (",
				b->nports, b->nports == 1 ? "" : "s");
	for (unsigned i = 0; i < b->nports && used < sizeof(reason); i++) {
		const struct nd_link_info *p = &b->ports[i];

		used += (size_t)snprintf(reason + used, sizeof(reason) - used, "%s%s %s",
					 i ? ", " : "", p->name,
					 !p->up ? "down" : !p->carrier ? "no carrier"
								       : nd_port_state_name(p->port_state));
	}
	if (used < sizeof(reason))
		snprintf(reason + used, sizeof(reason) - used, ")");
	return no_carrier(&b->link, reason, ND_SEV_ERROR, out);
}

/* A port with carrier that does not forward: listening or learning on the
 * way to forwarding (info: a new port), held there with no timer (user-space
 * STP decides), blocking (error: STP cut it off), disabled. */
static int port_state_finding(const struct nd_bridge_info *b, const struct nd_link_info *p,
			      struct nd_findings *out)
{
	const char *state = nd_port_state_name(p->port_state);
	bool joining = p->forward_in >= 0 &&
		       p->forward_in <= 2 * b->forward_delay + FORWARD_IN_SLACK;
	enum nd_severity sev = joining ? ND_SEV_INFO
			       : p->port_state == ND_PORT_BLOCKING ? ND_SEV_ERROR : ND_SEV_WARNING;
	struct nd_finding *f = nd_link_finding(out, "bridge.port-not-forwarding", sev, p->name);

	if (!f)
		return -ENOMEM;
	nd_finding_set_str(f, "state", state);
	nd_finding_set_str(f, "bridge", b->link.name);
	nd_finding_subject(f, "port of %s", b->link.name);
	if (p->forward_in < 0) {
		nd_finding_summary(f, "%s is %s on %s: frames to and from it are not forwarded%s",
				   p->name, state, b->link.name,
				   p->port_state == ND_PORT_LISTENING || p->port_state == ND_PORT_LEARNING
					   ? ", and no kernel STP timer will change that"
					   : "");
		return 0;
	}
	nd_finding_set_double(f, "forward_in", p->forward_in);
	nd_finding_set_double(f, "forward_delay", b->forward_delay);
	if (p->port_state == ND_PORT_LISTENING)
		nd_finding_summary(f, "%s is listening on %s (STP, a new port): it starts learning "
				   "in %.1f s and forwards in %.1f s%s", p->name, b->link.name,
				   p->forward_in - b->forward_delay, p->forward_in,
				   b->link.carrier ? "" : "; the bridge has no carrier until then");
	else
		nd_finding_summary(f, "%s is learning on %s (STP, a new port): it forwards in "
				   "%.1f s%s", p->name, b->link.name, p->forward_in,
				   b->link.carrier ? "" : "; the bridge has no carrier until then");
	return 0;
}

/* The MTU the bridge's path is meant to carry: the largest of the bridge
 * and its ports.  The kernel lowers a bridge to its smallest port (unless
 * set by hand), so a port below this is the one that narrows the path. */
static unsigned path_mtu(const struct nd_bridge_info *b)
{
	unsigned want = b->link.mtu;

	for (unsigned i = 0; i < b->nports; i++)
		if (b->ports[i].mtu > want)
			want = b->ports[i].mtu;
	return want;
}

static int bridge_findings(const struct nd_bridge_info *b, struct nd_findings *out)
{
	unsigned want = path_mtu(b);
	struct nd_finding *f;
	int err;

	err = bridge_carrier_findings(b, out);
	if (err)
		return err;
	if (b->stp && b->forward_delay > STP_DELAY_SLOW) {
		f = nd_link_finding(out, "bridge.stp-delay", ND_SEV_WARNING, b->link.name);
		if (!f)
			return -ENOMEM;
		nd_finding_set_double(f, "forward_delay", b->forward_delay);
		nd_finding_set_double(f, "port_delay", 2 * b->forward_delay);
		nd_finding_summary(f, "STP is on with a %.0f s forward delay: a new guest port "
				   "passes nothing for %.0f s (listening, learning), so early DHCP "
				   "attempts vanish", b->forward_delay, 2 * b->forward_delay);
	}
	if (b->snooping && !b->querier) {
		/* info, not warning: since Linux 3.12 a bridge that has seen no
		 * querier floods multicast instead of filtering it; trouble comes
		 * when a querier elsewhere appears and goes, or with switches
		 * between hosts that snoop too */
		f = nd_link_finding(out, "bridge.snooping-no-querier", ND_SEV_INFO, b->link.name);
		if (!f)
			return -ENOMEM;
		nd_finding_summary(f, "multicast snooping is on and this bridge is no querier: if "
				   "the segment's querier goes away, memberships time out and IPv6 "
				   "neighbour discovery can stall");
	}
	for (unsigned i = 0; i < b->nports; i++) {
		const struct nd_link_info *p = &b->ports[i];

		err = carrier_findings(p, out);
		if (err)
			return err;
		if (p->up && p->carrier && p->port_state != ND_PORT_FORWARDING) {
			err = port_state_finding(b, p, out);
			if (err)
				return err;
		}
		if (p->mtu < want) {
			f = nd_link_finding(out, "mtu.mismatch", ND_SEV_ERROR, p->name);
			if (!f)
				return -ENOMEM;
			nd_finding_set_int(f, "mtu", p->mtu);
			nd_finding_set_int(f, "bridge_mtu", b->link.mtu);
			nd_finding_set_int(f, "want_mtu", want);
			nd_finding_set_str(f, "bridge", b->link.name);
			nd_finding_summary(f, "MTU %u on %s, %u on the rest of bridge %s: larger frames "
					   "are dropped where the path narrows", p->mtu, p->name, want,
					   b->link.name);
		}
	}
	return 0;
}

static int rp_findings(const struct nd_link_info *l, struct nd_findings *out)
{
	struct nd_finding *f;

	if (l->rp_filter != 1)
		return 0;
	f = nd_link_finding(out, "rpfilter.strict", ND_SEV_WARNING, l->name);
	if (!f)
		return -ENOMEM;
	nd_finding_set_int(f, "rp_filter", l->rp_filter);
	nd_finding_summary(f, "strict reverse-path filtering on %s drops guest packets that "
			   "arrive where their source is not routed (routed or asymmetric guests)",
			   l->name);
	return 0;
}

static int tap_findings(const struct nd_host_report *r, const struct nd_link_info *t,
			const struct nd_host_opts *o, struct nd_findings *out)
{
	const struct nd_bridge_info *b = r->nbridges ? &r->bridges[0] : NULL;
	struct nd_finding *f;

	if (!b || t->master == b->link.ifindex)
		return 0;
	f = nd_link_finding(out, "bridge.tap-not-enslaved", ND_SEV_ERROR, t->name);
	if (!f)
		return -ENOMEM;
	nd_finding_set_str(f, "bridge", b->link.name);
	nd_finding_summary(f, "%s is not a port of %s: the guest behind it is cut off", t->name,
			   b->link.name);
	(void)o;
	return carrier_findings(t, out);
}

/* TX checksum offload on a guest-facing device: harmless with virtio-net
 * guests that honour the vnet header, the cause when one does not. */
static int offload_findings(const struct nd_host_report *r, struct nd_findings *out)
{
	static const char *const tx_csum[] = { "tx-checksum-ip-generic", "tx-checksum-ipv4",
					       "tx-checksum-ipv6" };
	struct nd_ethtool *e;
	int ret = 0;

	if (nd_ethtool_open(&e))
		return 0;
	for (unsigned i = 0; i < r->ntaps + (r->nbridges ? 1 : 0) && !ret; i++) {
		const char *dev = i < r->ntaps ? r->taps[i].name : r->bridges[0].link.name;
		char on[ND_FIELD_STR_MAX] = "";
		struct nd_features fs;
		struct nd_finding *f;

		if (nd_offload_get(e, dev, &fs))
			continue;
		for (size_t k = 0; k < sizeof(tx_csum) / sizeof(tx_csum[0]); k++) {
			const struct nd_feature *ft = nd_feature_find(&fs, tx_csum[k]);
			size_t used = strlen(on);

			if (ft && ft->active)
				snprintf(on + used, sizeof(on) - used, "%s%s", used ? "," : "", tx_csum[k]);
		}
		if (!on[0])
			continue;
		f = nd_link_finding(out, "offload.tx-csum-on", ND_SEV_INFO, dev);
		if (!f) {
			ret = -ENOMEM;
			break;
		}
		nd_finding_set_str(f, "features", on);
		nd_finding_summary(f, "TX checksum offload is on (%s): packets leave with only the "
				   "pseudo-header sum for the receiver to finish", on);
	}
	nd_ethtool_close(e);
	return ret;
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
	for (unsigned i = 0; !ret && i < r->nbridges; i++) {
		ret = bridge_findings(&r->bridges[i], out);
		if (!ret)
			ret = rp_findings(&r->bridges[i].link, out);
		for (unsigned k = 0; !ret && k < r->bridges[i].nports; k++)
			ret = rp_findings(&r->bridges[i].ports[k], out);
	}
	for (unsigned i = 0; !ret && i < r->ntaps; i++)
		ret = tap_findings(r, &r->taps[i], o, out);
	for (unsigned i = 0; !ret && i < r->nbridges; i++)
		ret = nd_firewall_findings(r, &r->bridges[i], out);
	if (!ret)
		ret = offload_findings(r, out);
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

static void link_json(const struct nd_link_info *l, struct nd_json *j)
{
	nd_json_obj_open(j);
	nd_json_kv_str(j, "name", l->name);
	nd_json_kv_str(j, "kind", l->kind);
	nd_json_kv_bool(j, "up", l->up);
	nd_json_kv_bool(j, "carrier", l->carrier);
	nd_json_kv_uint(j, "mtu", l->mtu);
	nd_json_kv_int(j, "rp_filter", l->rp_filter);
	nd_json_kv_int(j, "proxy_arp", l->proxy_arp);
	nd_json_kv_int(j, "accept_ra", l->accept_ra);
	if (l->port_state >= 0) {
		nd_json_kv_str(j, "port_state", nd_port_state_name(l->port_state));
		nd_json_kv_int(j, "learning", l->learning);
		nd_json_kv_int(j, "flooding", l->flooding);
		if (l->forward_in >= 0)
			nd_json_kv_double(j, "forward_in", l->forward_in);
	}
	nd_json_key(j, "addresses");
	nd_json_arr_open(j);
	for (unsigned i = 0; i < l->naddrs; i++)
		nd_json_str(j, l->addrs[i]);
	nd_json_arr_close(j);
	nd_json_obj_close(j);
}

void nd_host_report_json(const struct nd_host_report *r, struct nd_json *j)
{
	nd_json_key(j, "bridges");
	nd_json_arr_open(j);
	for (unsigned i = 0; i < r->nbridges; i++) {
		const struct nd_bridge_info *b = &r->bridges[i];

		nd_json_obj_open(j);
		nd_json_key(j, "link");
		link_json(&b->link, j);
		nd_json_kv_bool(j, "stp", b->stp);
		nd_json_kv_double(j, "forward_delay", b->forward_delay);
		nd_json_kv_bool(j, "multicast_snooping", b->snooping);
		nd_json_kv_bool(j, "multicast_querier", b->querier);
		nd_json_kv_bool(j, "nf_call_iptables", b->nf_call_iptables);
		nd_json_kv_bool(j, "nf_call_ip6tables", b->nf_call_ip6tables);
		nd_json_kv_str(j, "host_serves", b->host_serves);
		nd_firewall_json(b, j);
		nd_json_key(j, "ports");
		nd_json_arr_open(j);
		for (unsigned k = 0; k < b->nports; k++)
			link_json(&b->ports[k], j);
		nd_json_arr_close(j);
		nd_json_obj_close(j);
	}
	nd_json_arr_close(j);
	nd_json_key(j, "taps");
	nd_json_arr_open(j);
	for (unsigned i = 0; i < r->ntaps; i++)
		link_json(&r->taps[i], j);
	nd_json_arr_close(j);
	nd_json_kv_int(j, "ip_forward", r->ip_forward);
	nd_json_kv_int(j, "ip6_forward", r->ip6_forward);
	nd_json_kv_uint(j, "routes4", r->routes4);
	nd_json_kv_uint(j, "routes6", r->routes6);
	nd_json_kv_uint(j, "neighbours", r->neighbours);
	nd_json_kv_str(j, "default_gateway4", r->default_gw4);
	nd_json_kv_bool(j, "br_netfilter", r->brnf_loaded);
	nd_json_kv_int(j, "bridge_nf_call_iptables", r->brnf_call_iptables);
	nd_json_kv_uint(j, "udp_in_csum_errors", r->udp_in_csum_errors);
	nd_json_kv_uint(j, "udp_in_errors", r->udp_in_errors);
	nd_json_kv_uint(j, "udp6_in_csum_errors", r->udp6_in_csum_errors);
	nd_json_kv_uint(j, "udp6_in_errors", r->udp6_in_errors);
}
