/* Private to libnetdiag/host. */
#ifndef NETDIAG_HOST_INTERNAL_H
#define NETDIAG_HOST_INTERNAL_H

#include <netdiag/host.h>

/* The bridge a walk of the ruleset is for: its name and index (the ip/inet
 * FORWARD hook sees these under br_netfilter) and its ports (what the
 * bridge family's iifname/oifname see). */
struct nd_nft_bridge {
	const char *name;
	int ifindex;
	const char *ports[ND_HOST_PORTS_MAX];
	unsigned nports;
};

/* Every base chain on the forward hook (families ip, ip6, inet, bridge),
 * each walked as a frame bridged on br: the rule or policy that decides
 * it.  Up to max into v, *n set; 0 or -errno. */
int nd_nft_forward_paths(const struct nd_nft_bridge *br, struct nd_fw_path *v, unsigned max,
			 unsigned *n);
const char *nd_nf_family_name(unsigned family);

/* Is a UDP socket listening on port (host order) at the wildcard or one of
 * l's IPv4 addresses, in this namespace (/proc/net/udp)?  0 or -errno. */
int nd_udp4_listening(uint16_t port, const struct nd_link_info *l, bool *yes);

#endif
