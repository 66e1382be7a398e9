/* The host report and devices' features for people and programs from one
 * walk (netdiag/out.h): text lines as ip and ethtool show them, JSON members. */
#include <inttypes.h>

#include <netdiag/host.h>
#include <netdiag/offload.h>

/* How one link shows in text: a bridge's head line, a port's line, or
 * nothing (a tap is only in JSON).  NULL formats leave a value out. */
struct link_text {
	const char *name, *kind, *mtu, *forward_in;
	bool bridge, port;
};

static const struct link_text as_bridge = {
	.name = "bridge %s: ", .mtu = ", mtu %" PRIu64, .bridge = true,
};
static const struct link_text as_port = {
	.name = "  port %-15s ", .kind = "%-6s ", .mtu = "mtu %" PRIu64,
	.forward_in = ", forwards in %.1f s", .port = true,
};
static const struct link_text as_tap = { 0 };

static void print_link(struct nd_out *o, const char *key, const struct nd_link_info *l,
		       const struct link_text *t)
{
	nd_out_obj_open(o, key);
	nd_out_str(o, "name", t->name, l->name);
	nd_out_str(o, "kind", t->kind, l->kind);
	if (t->bridge)
		nd_out_text(o, "%s", l->up ? (l->carrier ? "up" : "up, no carrier") : "down");
	if (t->port)
		nd_out_text(o, "%-10s ", nd_port_state_name(l->port_state));
	nd_out_bool(o, "up", NULL, l->up);
	nd_out_bool(o, "carrier", NULL, l->carrier);
	nd_out_uint(o, "mtu", t->mtu, l->mtu);
	if (t->port)
		nd_out_text(o, "%s", l->up && l->carrier ? "" : l->up ? ", no carrier" : ", down");
	nd_out_int(o, "rp_filter", NULL, l->rp_filter);
	nd_out_int(o, "proxy_arp", NULL, l->proxy_arp);
	nd_out_int(o, "accept_ra", NULL, l->accept_ra);
	if (l->port_state >= 0) {
		nd_out_str(o, "port_state", NULL, nd_port_state_name(l->port_state));
		nd_out_int(o, "learning", NULL, l->learning);
		nd_out_int(o, "flooding", NULL, l->flooding);
		if (l->forward_in >= 0)
			nd_out_double(o, "forward_in", t->forward_in, l->forward_in);
	}
	if (t->port)
		nd_out_text(o, "\n");
	nd_out_arr_open(o, "addresses");
	for (unsigned i = 0; i < l->naddrs; i++)
		nd_out_str(o, ND_OUT_ITEM, NULL, l->addrs[i]);
	nd_out_arr_close(o);
	nd_out_obj_close(o);
}

/* the forward-hook chains walked for bridged frames: JSON only */
static void print_forward_chains(struct nd_out *o, const struct nd_bridge_info *b)
{
	nd_out_arr_open(o, "forward_chains");
	for (unsigned i = 0; i < b->nfw; i++) {
		const struct nd_fw_path *p = &b->fw[i];

		nd_out_obj_open(o, ND_OUT_ITEM);
		nd_out_str(o, "family", NULL, p->family);
		nd_out_str(o, "table", NULL, p->table);
		nd_out_str(o, "chain", NULL, p->chain);
		nd_out_bool(o, "applies", NULL, p->applies);
		nd_out_str(o, "verdict", NULL, p->dropped ? "drop" : "accept");
		nd_out_str(o, "by", NULL, p->handle ? "rule" : "policy");
		nd_out_str(o, "rule_chain", NULL, p->rule_chain);
		nd_out_uint(o, "handle", NULL, p->handle);
		nd_out_str(o, "rule", NULL, p->rule);
		nd_out_int(o, "packets", NULL, p->packets);
		nd_out_str(o, "fix_chain", NULL, p->fix_chain);
		nd_out_obj_close(o);
	}
	nd_out_arr_close(o);
}

static void print_bridge(struct nd_out *o, const struct nd_bridge_info *b)
{
	nd_out_obj_open(o, ND_OUT_ITEM);
	print_link(o, "link", &b->link, &as_bridge);
	nd_out_bool(o, "stp", NULL, b->stp);
	nd_out_text(o, ", stp %s", b->stp ? "on" : "off");
	nd_out_double(o, "forward_delay", b->stp ? " (forward delay %.0f s)" : NULL, b->forward_delay);
	nd_out_bool(o, "multicast_snooping", NULL, b->snooping);
	nd_out_bool(o, "multicast_querier", NULL, b->querier);
	nd_out_text(o, ", snooping %s%s\n", b->snooping ? "on" : "off",
		    b->snooping ? (b->querier ? " with querier" : " without querier") : "");
	nd_out_bool(o, "nf_call_iptables", NULL, b->nf_call_iptables);
	nd_out_bool(o, "nf_call_ip6tables", NULL, b->nf_call_ip6tables);
	nd_out_str(o, "host_serves", NULL, b->host_serves);
	print_forward_chains(o, b);
	nd_out_arr_open(o, "ports");
	for (unsigned k = 0; k < b->nports; k++)
		print_link(o, ND_OUT_ITEM, &b->ports[k], &as_port);
	nd_out_arr_close(o);
	nd_out_obj_close(o);
}

void nd_host_report_print(const struct nd_host_report *r, struct nd_out *o)
{
	nd_out_arr_open(o, "bridges");
	for (unsigned i = 0; i < r->nbridges; i++)
		print_bridge(o, &r->bridges[i]);
	nd_out_arr_close(o);
	nd_out_arr_open(o, "taps");
	for (unsigned i = 0; i < r->ntaps; i++)
		print_link(o, ND_OUT_ITEM, &r->taps[i], &as_tap);
	nd_out_arr_close(o);
	nd_out_int(o, "ip_forward", "ip_forward %" PRId64, r->ip_forward);
	nd_out_int(o, "ip6_forward", NULL, r->ip6_forward);
	nd_out_uint(o, "routes4", NULL, r->routes4);
	nd_out_uint(o, "routes6", NULL, r->routes6);
	nd_out_uint(o, "neighbours", NULL, r->neighbours);
	nd_out_str(o, "default_gateway4", NULL, r->default_gw4);
	nd_out_bool(o, "br_netfilter", NULL, r->brnf_loaded);
	nd_out_text(o, ", br_netfilter %s", r->brnf_loaded ? "loaded" : "not loaded");
	nd_out_int(o, "bridge_nf_call_iptables", NULL, r->brnf_call_iptables);
	nd_out_uint(o, "udp_in_csum_errors", ", UDP InCsumErrors %" PRIu64, r->udp_in_csum_errors);
	nd_out_uint(o, "udp_in_errors", NULL, r->udp_in_errors);
	nd_out_uint(o, "udp6_in_csum_errors", " (IPv6 %" PRIu64 ")\n", r->udp6_in_csum_errors);
	nd_out_uint(o, "udp6_in_errors", NULL, r->udp6_in_errors);
}

static void print_feature(struct nd_out *o, const struct nd_feature *f)
{
	nd_out_obj_open(o, f->name);
	nd_out_str(o, NULL, "  %-36s ", f->name);
	nd_out_bool(o, "active", NULL, f->active);
	nd_out_text(o, "%s", f->active ? "on" : "off");
	nd_out_bool(o, "fixed", f->fixed ? " [fixed]" : NULL, f->fixed);
	nd_out_bool(o, "requested", NULL, f->wanted);
	if (f->wanted != f->active)
		nd_out_text(o, " [requested %s]", f->wanted ? "on" : "off");
	nd_out_text(o, "\n");
	nd_out_obj_close(o);
}

void nd_features_print(const struct nd_features *all, unsigned n, struct nd_out *o)
{
	nd_out_arr_open(o, "devices");
	for (unsigned d = 0; d < n; d++) {
		nd_out_obj_open(o, ND_OUT_ITEM);
		nd_out_str(o, "ifname", "%s:\n", all[d].ifname);
		nd_out_obj_open(o, "features");
		for (unsigned k = 0; k < all[d].n; k++)
			if (all[d].v[k].name[0])
				print_feature(o, &all[d].v[k]);
		nd_out_obj_close(o);
		nd_out_obj_close(o);
	}
	nd_out_arr_close(o);
}
