/* Overlays and quotes: what a decoded frame carries inside it.
 *
 * Table-driven by UDP port and IP protocol; each entry's parser checks its
 * header and points encap.inner at the inner frame (Ethernet, IPv4 or
 * IPv6).  Decoding the inner bytes is decode.c's (nd_frame_decode_inner). */
#include <netinet/in.h>
#include <string.h>

#include "pkt_internal.h"

#define ETH_P_TEB 0x6558          /* transparent Ethernet bridging: GRETAP, Geneve */
#define ETH_P_IP4 0x0800
#define ETH_P_IP6 0x86dd
#define VXLAN_HLEN 8
#define VXLAN_FLAG_I 0x08
#define GENEVE_HLEN 8
#define NSH_NP_IPV4 1
#define NSH_NP_IPV6 2
#define NSH_NP_ETH 3
#define NSH_NP_NSH 4
#define GRE_C 0x8000
#define GRE_K 0x2000
#define GRE_S 0x1000
#define GRE_VERSION 0x0007
#define PIM_REGISTER 1
#define BCM_LI_PORT 49152

static int link_of_ethertype(uint16_t type)
{
	switch (type) {
	case ETH_P_TEB: return ND_LINK_ETHERNET;
	case ETH_P_IP4: return ND_LINK_IPV4;
	case ETH_P_IP6: return ND_LINK_IPV6;
	default: return -1;
	}
}

static bool set_inner(struct nd_frame *f, enum nd_encap kind, int linktype, struct nd_cur c)
{
	if (linktype < 0)
		return false;
	f->encap.kind = kind;
	f->encap.linktype = linktype;
	f->encap.inner = c;
	return true;
}

static uint32_t vni24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

/* RFC 7348: flags (I), 24 reserved bits, VNI, reserved byte. */
static bool vxlan(struct nd_frame *f, struct nd_cur c)
{
	const uint8_t *h = nd_cur_ptr(&c);

	if (nd_cur_skip(&c, VXLAN_HLEN) || !(h[0] & VXLAN_FLAG_I))
		return false;
	f->encap.has_vni = true;
	f->encap.vni = vni24(h + 4);
	return set_inner(f, ND_ENCAP_VXLAN, ND_LINK_ETHERNET, c);
}

static int link_of_nsh_np(uint8_t np)
{
	switch (np) {
	case NSH_NP_IPV4: return ND_LINK_IPV4;
	case NSH_NP_IPV6: return ND_LINK_IPV6;
	case NSH_NP_ETH: return ND_LINK_ETHERNET;
	default: return -1;
	}
}

/* draft-ietf-nvo3-vxlan-gpe: as VXLAN with a next-protocol byte; next
 * protocol 4 is an NSH header (RFC 8300) with its own next protocol. */
static bool vxlan_gpe(struct nd_frame *f, struct nd_cur c)
{
	const uint8_t *h = nd_cur_ptr(&c);
	uint8_t np;

	if (nd_cur_skip(&c, VXLAN_HLEN))
		return false;
	f->encap.has_vni = true;
	f->encap.vni = vni24(h + 4);
	np = h[3];
	if (np == NSH_NP_NSH) {
		const uint8_t *nsh = nd_cur_ptr(&c);

		/* length: 6 bits in 4-byte words, the whole NSH header */
		if (nd_cur_left(&c) < 4 || nd_cur_skip(&c, (size_t)(nsh[1] & 0x3f) * 4))
			return false;
		np = nsh[3];
	}
	return set_inner(f, ND_ENCAP_VXLAN_GPE, link_of_nsh_np(np), c);
}

/* RFC 8926: version and option length, flags, protocol type, VNI. */
static bool geneve(struct nd_frame *f, struct nd_cur c)
{
	const uint8_t *h = nd_cur_ptr(&c);

	if (nd_cur_skip(&c, GENEVE_HLEN) || h[0] >> 6 ||
	    nd_cur_skip(&c, (size_t)(h[0] & 0x3f) * 4))
		return false;
	f->encap.has_vni = true;
	f->encap.vni = vni24(h + 4);
	return set_inner(f, ND_ENCAP_GENEVE, link_of_ethertype((uint16_t)(h[2] << 8 | h[3])), c);
}

/* Broadcom's lawful-intercept shim (as tcpdump's print-bcm-li.c reads
 * it): one 32-bit word, the packet type in bits 25-28; "undecided" is told
 * by the IP version nibble. */
static bool bcm_li(struct nd_frame *f, struct nd_cur c)
{
	uint32_t shim;
	uint8_t first;
	int link;

	if (nd_cur_u32(&c, &shim) || nd_cur_peek_u8(&c, 0, &first))
		return false;
	switch ((shim >> 25) & 0x0f) {
	case 4: link = first >> 4 == 4 ? ND_LINK_IPV4 : first >> 4 == 6 ? ND_LINK_IPV6 : -1; break;
	case 5: link = ND_LINK_IPV4; break;
	case 6: link = ND_LINK_IPV6; break;
	case 7: link = ND_LINK_ETHERNET; break;
	default: return false;
	}
	return set_inner(f, ND_ENCAP_LI, link, c);
}

static const struct {
	uint16_t port;
	bool (*parse)(struct nd_frame *f, struct nd_cur c);
} udp_encaps[] = {
	{ 4789, vxlan },
	{ 8472, vxlan },
	{ 4790, vxlan_gpe },
	{ 6081, geneve },
	{ BCM_LI_PORT, bcm_li },
};

/* RFC 2784/2890 GRE, version 0: checksum, key and sequence words when
 * their flags say; the key is kept as a VNI (GRETAP's tunnel id). */
static bool gre(struct nd_frame *f, struct nd_cur c)
{
	uint16_t flags, type;
	uint32_t key = 0;

	if (nd_cur_u16(&c, &flags) || nd_cur_u16(&c, &type) || (flags & GRE_VERSION))
		return false;
	if ((flags & GRE_C) && nd_cur_skip(&c, 4))
		return false;
	if (flags & GRE_K) {
		if (nd_cur_u32(&c, &key))
			return false;
		f->encap.has_vni = true;
		f->encap.vni = key;
	}
	if ((flags & GRE_S) && nd_cur_skip(&c, 4))
		return false;
	return set_inner(f, ND_ENCAP_GRE, link_of_ethertype(type), c);
}

/* RFC 7761 4.9: a Register carries the multicast packet after 8 bytes. */
static bool pim(struct nd_frame *f, struct nd_cur c)
{
	const uint8_t *h = nd_cur_ptr(&c);
	uint8_t first;

	if (nd_cur_left(&c) < 8 || h[0] >> 4 != 2 || (h[0] & 0x0f) != PIM_REGISTER ||
	    nd_cur_skip(&c, 8) || nd_cur_peek_u8(&c, 0, &first))
		return false;
	/* a null register (N bit) carries only a dummy header: still judged */
	return set_inner(f, ND_ENCAP_PIM, first >> 4 == 6 ? ND_LINK_IPV6 : ND_LINK_IPV4, c);
}

static bool icmp_error(const struct nd_frame *f)
{
	if (f->l4proto == IPPROTO_ICMP)
		return f->icmp_type == 3 || f->icmp_type == 4 || f->icmp_type == 5 ||
		       f->icmp_type == 11 || f->icmp_type == 12;
	return f->icmp_type >= 1 && f->icmp_type <= 4;
}

void nd_pkt_encap(struct nd_frame *f)
{
	struct nd_cur c = f->payload;

	switch (f->l4proto) {
	case IPPROTO_UDP:
		for (size_t i = 0; i < sizeof(udp_encaps) / sizeof(udp_encaps[0]); i++)
			if ((f->dport == udp_encaps[i].port || f->sport == udp_encaps[i].port) &&
			    udp_encaps[i].parse(f, c))
				break;
		break;
	case IPPROTO_GRE:
		gre(f, c);
		break;
	case IPPROTO_IPIP:
		set_inner(f, ND_ENCAP_IPIP, ND_LINK_IPV4, c);
		break;
	case IPPROTO_IPV6:
		set_inner(f, ND_ENCAP_IPIP, ND_LINK_IPV6, c);
		break;
	case IPPROTO_PIM:
		pim(f, c);
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		/* type, code, checksum, 4 bytes, then the quoted datagram */
		if (icmp_error(f) && !nd_cur_skip(&c, 8) && nd_cur_left(&c))
			set_inner(f, ND_ENCAP_ICMP_QUOTE,
				  f->l4proto == IPPROTO_ICMP ? ND_LINK_IPV4 : ND_LINK_IPV6, c);
		break;
	default:
		break;
	}
	if (f->encap.kind)
		f->encap.inner_cut = f->payload_truncated;
}

const char *nd_encap_name(enum nd_encap kind)
{
	static const char *const names[ND_ENCAP_COUNT] = {
		[ND_ENCAP_NONE] = "none", [ND_ENCAP_VXLAN] = "vxlan",
		[ND_ENCAP_VXLAN_GPE] = "vxlan-gpe", [ND_ENCAP_GENEVE] = "geneve",
		[ND_ENCAP_GRE] = "gre", [ND_ENCAP_IPIP] = "ipip", [ND_ENCAP_PIM] = "pim",
		[ND_ENCAP_LI] = "li", [ND_ENCAP_ICMP_QUOTE] = "icmp-quote",
	};

	return (unsigned)kind < ND_ENCAP_COUNT ? names[kind] : "?";
}
