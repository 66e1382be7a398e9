/* Private to libnetdiag/host. */
#ifndef NETDIAG_HOST_INTERNAL_H
#define NETDIAG_HOST_INTERNAL_H

#define ND_FORWARD_DROPS_MAX 16

struct nd_forward_drop {
	unsigned family;      /* NFPROTO_* */
	char table[64], chain[64];
};

struct nd_forward_drops {
	struct nd_forward_drop v[ND_FORWARD_DROPS_MAX];
	unsigned n;
};

/* Base chains on the forward hook with policy drop, every family. */
int nd_nft_forward_drops(struct nd_forward_drops *d);
const char *nd_nf_family_name(unsigned family);

#endif
