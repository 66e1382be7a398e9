/* Private to libnetdiag/host. */
#ifndef NETDIAG_HOST_INTERNAL_H
#define NETDIAG_HOST_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

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

struct nftnl_rule;

struct nd_nft_chain {
	unsigned family;        /* NFPROTO_* */
	char table[64], name[64];
	int hook;               /* NF_INET_* hook number; -1: a regular chain */
	int policy;             /* NF_DROP, NF_ACCEPT */
	int64_t packets;        /* base chain counter, -1 without one */
};

/* Chains and rules as read (or, in tests, built): rules in dump order,
 * which is per chain in position order. */
struct nd_nft_ruleset {
	struct nd_nft_chain *chains;
	size_t nchains, chains_cap;
	struct nftnl_rule **rules;
	size_t nrules, rules_cap;
};

/* Zero rs before the first add; free owns and frees the rules. */
int nd_nft_ruleset_read(struct nd_nft_ruleset *rs);
int nd_nft_ruleset_add_chain(struct nd_nft_ruleset *rs, const struct nd_nft_chain *c);
int nd_nft_ruleset_add_rule(struct nd_nft_ruleset *rs, struct nftnl_rule *r);
void nd_nft_ruleset_free(struct nd_nft_ruleset *rs);

/* The walk of nd_nft_forward_paths over a ruleset in memory: paths
 * written to v, their number returned. */
unsigned nd_nft_walk(const struct nd_nft_ruleset *rs, const struct nd_nft_bridge *br,
		     struct nd_fw_path *v, unsigned max);

/* Every base chain on the forward hook (families ip, ip6, inet, bridge),
 * each walked as a frame bridged on br: the rule or policy that decides
 * it.  Up to max into v, *n set; 0 or -errno. */
int nd_nft_forward_paths(const struct nd_nft_bridge *br, struct nd_fw_path *v, unsigned max,
			 unsigned *n);
const char *nd_nf_family_name(unsigned family);

/* The findings of nd_host_inspect from its filled report r (findings.c):
 * 0 or -ENOMEM. */
int nd_host_findings(const struct nd_host_opts *o, struct nd_host_report *r,
		     struct nd_findings *out);


/* brnf.forward-drop for bridge b: walks the ruleset into b->fw, fills
 * b->host_serves (firewall.c).  0 or -ENOMEM. */
int nd_firewall_findings(struct nd_host_report *r, struct nd_bridge_info *b,
			 struct nd_findings *out);

#endif
