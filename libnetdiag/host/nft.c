/* The nftables ruleset over netlink (libnftnl + libmnl): base chains on
 * the forward hook whose policy is drop.  iptables-nft keeps its chains in
 * nftables too, so Docker's "iptables -P FORWARD DROP" shows up here. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "host_internal.h"

#define NF_FORWARD_HOOK 2   /* NF_INET_FORWARD and NF_BR_FORWARD are both 2 */

static int chain_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nd_forward_drops *d = data;
	struct nftnl_chain *c = nftnl_chain_alloc();

	if (!c)
		return MNL_CB_ERROR;
	if (nftnl_chain_nlmsg_parse(nlh, c) == 0 && nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM) &&
	    nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM) == NF_FORWARD_HOOK &&
	    nftnl_chain_is_set(c, NFTNL_CHAIN_POLICY) &&
	    nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY) == NF_DROP && d->n < ND_FORWARD_DROPS_MAX) {
		struct nd_forward_drop *f = &d->v[d->n++];

		f->family = nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY);
		snprintf(f->table, sizeof(f->table), "%s", nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE));
		snprintf(f->chain, sizeof(f->chain), "%s", nftnl_chain_get_str(c, NFTNL_CHAIN_NAME));
	}
	nftnl_chain_free(c);
	return MNL_CB_OK;
}

int nd_nft_forward_drops(struct nd_forward_drops *d)
{
	char buf[32768];
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	unsigned seq = (unsigned)time(NULL), portid;
	struct nlmsghdr *nlh;
	int ret;

	memset(d, 0, sizeof(*d));
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETCHAIN, NFPROTO_UNSPEC, NLM_F_DUMP, seq);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	for (;;) {
		ret = (int)mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (ret <= 0)
			break;
		ret = mnl_cb_run(buf, (size_t)ret, seq, portid, chain_cb, d);
		if (ret <= MNL_CB_STOP)
			break;
	}
	ret = ret < 0 ? -errno : 0;
out:
	mnl_socket_close(nl);
	return ret;
}

const char *nd_nf_family_name(unsigned family)
{
	switch (family) {
	case NFPROTO_INET: return "inet";
	case NFPROTO_IPV4: return "ip";
	case NFPROTO_IPV6: return "ip6";
	case NFPROTO_BRIDGE: return "bridge";
	default: return "?";
	}
}
