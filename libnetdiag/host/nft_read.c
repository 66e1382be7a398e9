/* The nftables ruleset read over netlink (libnftnl + libmnl): every
 * chain and rule dumped into memory, for the forward-path walk in nft.c. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "host_internal.h"

int nd_nft_ruleset_add_chain(struct nd_nft_ruleset *rs, const struct nd_nft_chain *c)
{
	if (rs->nchains == rs->chains_cap) {
		size_t cap = rs->chains_cap ? 2 * rs->chains_cap : 32;
		struct nd_nft_chain *v = realloc(rs->chains, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		rs->chains = v;
		rs->chains_cap = cap;
	}
	rs->chains[rs->nchains++] = *c;
	return 0;
}

int nd_nft_ruleset_add_rule(struct nd_nft_ruleset *rs, struct nftnl_rule *r)
{
	if (rs->nrules == rs->rules_cap) {
		size_t cap = rs->rules_cap ? 2 * rs->rules_cap : 64;
		struct nftnl_rule **v = realloc(rs->rules, cap * sizeof(*v));

		if (!v) {
			nftnl_rule_free(r);
			return -ENOMEM;
		}
		rs->rules = v;
		rs->rules_cap = cap;
	}
	rs->rules[rs->nrules++] = r;
	return 0;
}

static int chain_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nd_nft_chain e = { 0 };
	int ret = 0;

	if (!c)
		return MNL_CB_ERROR;
	if (nftnl_chain_nlmsg_parse(nlh, c) == 0) {
		e.family = nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY);
		snprintf(e.table, sizeof(e.table), "%s", nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE));
		snprintf(e.name, sizeof(e.name), "%s", nftnl_chain_get_str(c, NFTNL_CHAIN_NAME));
		e.hook = nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM)
				 ? (int)nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM) : -1;
		e.policy = nftnl_chain_is_set(c, NFTNL_CHAIN_POLICY)
				   ? (int)nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY) : NF_ACCEPT;
		e.packets = nftnl_chain_is_set(c, NFTNL_CHAIN_PACKETS)
				    ? (int64_t)nftnl_chain_get_u64(c, NFTNL_CHAIN_PACKETS) : -1;
		ret = nd_nft_ruleset_add_chain(data, &e);
	}
	nftnl_chain_free(c);
	return ret ? MNL_CB_ERROR : MNL_CB_OK;
}

static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_rule *r = nftnl_rule_alloc();

	if (!r)
		return MNL_CB_ERROR;
	if (nftnl_rule_nlmsg_parse(nlh, r) < 0) {
		nftnl_rule_free(r);
		return MNL_CB_OK;
	}
	return nd_nft_ruleset_add_rule(data, r) ? MNL_CB_ERROR : MNL_CB_OK;
}

static int dump(struct mnl_socket *nl, uint16_t type, mnl_cb_t cb, struct nd_nft_ruleset *rs)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned seq = (unsigned)time(NULL) + type, portid = mnl_socket_get_portid(nl);
	struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(buf, type, NFPROTO_UNSPEC, NLM_F_DUMP, seq);
	int ret;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ret = (int)mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (ret <= 0)
			return ret < 0 ? -errno : 0;
		ret = mnl_cb_run(buf, (size_t)ret, seq, portid, cb, rs);
		if (ret <= MNL_CB_STOP)
			return ret < 0 ? -errno : 0;
	}
}

void nd_nft_ruleset_free(struct nd_nft_ruleset *rs)
{
	for (size_t i = 0; i < rs->nrules; i++)
		nftnl_rule_free(rs->rules[i]);
	free(rs->rules);
	free(rs->chains);
}

int nd_nft_ruleset_read(struct nd_nft_ruleset *rs)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	int ret;

	memset(rs, 0, sizeof(*rs));
	if (!nl)
		return -errno;
	ret = mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ? -errno : 0;
	if (!ret)
		ret = dump(nl, NFT_MSG_GETCHAIN, chain_cb, rs);
	if (!ret)
		ret = dump(nl, NFT_MSG_GETRULE, rule_cb, rs);
	mnl_socket_close(nl);
	return ret;
}
