/* The firewall's side of host inspection: the forward-hook chains as a
 * bridge's frames meet them (host/nft.c walks them), whether they reach
 * them at all (br_netfilter mode), and what the host serves on the bridge
 * itself (UDP sockets in /proc/net/udp): a guest's DHCP and DNS to a server
 * on the host end in INPUT and never cross FORWARD. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "host_internal.h"

/* does addr ("192.0.2.1/24") hold the raw (network order) value a? */
static bool addr_is(const char *addr, uint32_t a)
{
	char ip[48];
	struct in_addr in;

	snprintf(ip, sizeof(ip), "%s", addr);
	ip[strcspn(ip, "/")] = 0;
	return inet_pton(AF_INET, ip, &in) == 1 && in.s_addr == a;
}

/* Is a UDP socket listening on port (host order) at the wildcard or one of
 * l's IPv4 addresses, in this namespace?  0 or -errno. */
static int udp4_listening(uint16_t port, const struct nd_link_info *l, bool *yes)
{
	char line[256];
	FILE *f = fopen("/proc/net/udp", "r");

	*yes = false;
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f) && !*yes) {
		unsigned a, p;

		/* "  12: 0100A8C0:0043 ...": the address printed from the raw
		 * __be32 (%08X), the port in host order */
		if (sscanf(line, " %*u: %8X:%4X", &a, &p) != 2 || p != port)
			continue;
		if (a == INADDR_ANY) {
			/* a wildcard server needs an IPv4 address here to be reached */
			for (unsigned i = 0; i < l->naddrs && !*yes; i++)
				*yes = !strchr(l->addrs[i], ':');
			continue;
		}
		for (unsigned i = 0; i < l->naddrs && !*yes; i++)
			*yes = addr_is(l->addrs[i], a);
	}
	fclose(f);
	return 0;
}

/* Does a frame bridged on b reach chain p?  The bridge family's forward
 * hook sees every bridged frame; ip/ip6/inet FORWARD only when br_netfilter
 * is loaded and calls ip[6]tables, host-wide (per namespace) or for this
 * bridge (nf_call_iptables): br_nf_forward_ip() returns early otherwise. */
static bool fw_applies(const struct nd_host_report *r, const struct nd_bridge_info *b,
		       const struct nd_fw_path *p)
{
	bool v4 = r->brnf_loaded && (r->brnf_call_iptables == 1 || b->nf_call_iptables);
	bool v6 = r->brnf_loaded && (r->brnf_call_ip6tables == 1 || b->nf_call_ip6tables);

	if (!strcmp(p->family, "bridge"))
		return true;
	if (!strcmp(p->family, "ip"))
		return v4;
	if (!strcmp(p->family, "ip6"))
		return v6;
	return v4 || v6;
}

/* "dhcp", "dns", "dhcp,dns" or "": what the host serves on the bridge */
static void host_serves(struct nd_bridge_info *b)
{
	bool dhcp = false, dns = false;

	udp4_listening(67, &b->link, &dhcp);
	udp4_listening(53, &b->link, &dns);
	snprintf(b->host_serves, sizeof(b->host_serves), "%s%s%s", dhcp ? "dhcp" : "",
		 dhcp && dns ? "," : "", dns ? "dns" : "");
}

/* The forward-hook chains as the bridge's frames meet them: a finding for
 * each that drops them, naming the rule (or policy) that does.  None when
 * an accept for the bridge comes first (libvirt's LIBVIRT_FWX).  When the
 * host itself serves DHCP on the bridge (libvirt's dnsmasq), a guest's
 * lease and DNS end in INPUT and only guest-to-guest and guest-to-uplink
 * frames are dropped: a warning, not an error. */
int nd_firewall_findings(struct nd_host_report *r, struct nd_bridge_info *b,
			     struct nd_findings *out)
{
	struct nd_nft_bridge br = { b->link.name, b->link.ifindex, { 0 }, 0 };

	for (unsigned i = 0; i < b->nports; i++)
		br.ports[br.nports++] = b->ports[i].name;
	host_serves(b);
	if (nd_nft_forward_paths(&br, b->fw, ND_HOST_FW_MAX, &b->nfw))
		return 0;  /* no nf_tables here: nothing to say */
	for (unsigned i = 0; i < b->nfw; i++) {
		struct nd_fw_path *p = &b->fw[i];
		struct nd_finding *f;

		bool local_dhcp;

		p->applies = fw_applies(r, b, p);
		if (!p->applies || !p->dropped)
			continue;
		local_dhcp = !strncmp(b->host_serves, "dhcp", 4);
		f = nd_findings_add_link(out, "brnf.forward-drop", local_dhcp ? ND_SEV_WARNING : ND_SEV_ERROR,
				 b->link.name);
		if (!f)
			return -ENOMEM;
		nd_finding_set_str(f, "family", p->family);
		nd_finding_set_str(f, "table", p->table);
		nd_finding_set_str(f, "chain", p->chain);
		nd_finding_set_int(f, "br_netfilter", r->brnf_loaded);
		nd_finding_set_str(f, "by", p->handle ? "rule" : "policy");
		nd_finding_set_str(f, "rule_chain", p->rule_chain);
		nd_finding_set_int(f, "handle", (int64_t)p->handle);
		nd_finding_set_str(f, "rule", p->rule);
		if (p->packets >= 0)
			nd_finding_set_int(f, "packets", p->packets);
		nd_finding_set_str(f, "fix_chain", p->fix_chain);
		nd_finding_set_str(f, "host_serves", b->host_serves);
		nd_finding_subject(f, "%s %s %s", p->family, p->table, p->chain);
		if (local_dhcp)
			nd_finding_summary(f, "%s %s/%s drops frames bridged on %s (%s: %s); the host "
					   "serves %s itself, so guests' leases pass, but traffic "
					   "between guests and to the uplink does not", p->family,
					   p->table, p->chain, b->link.name, p->rule_chain, p->rule,
					   b->host_serves);
		else if (!strcmp(p->family, "bridge"))
			nd_finding_summary(f, "the bridge forward chain %s/%s drops frames bridged on "
					   "%s (%s: %s)", p->table, p->chain, b->link.name,
					   p->rule_chain, p->rule);
		else
			nd_finding_summary(f, "br_netfilter passes frames bridged on %s to FORWARD, "
					   "and %s %s/%s drops them before any accept for the bridge "
					   "(%s: %s): guest DHCP and DNS across the bridge are dropped",
					   b->link.name, p->family, p->table, p->chain, p->rule_chain,
					   p->rule);
	}
	return 0;
}
