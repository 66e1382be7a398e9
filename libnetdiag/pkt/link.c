/* Link layers: Ethernet II with 802.1Q/QinQ, Linux cooked v1 and v2, BSD
 * loopback, raw IP.  Leaves the cursor at the network header and
 * f->ethertype / f->ip_version saying which one. */
#include <sys/socket.h>

#include "pkt_internal.h"

#define ETH_P_IPV4 0x0800
#define ETH_P_IPV6 0x86dd
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88a8
#define ETH_P_QINQ_OLD 0x9100
#define ETH_P_PPPOE_SESSION 0x8864
#define ETH_P_MPLS_UC 0x8847
#define ETH_P_MPLS_MC 0x8848
#define MPLS_BOTTOM_OF_STACK 0x100u
#define MPLS_MAX_LABELS 16
#define ETH_MAX_LENGTH_FIELD 1500  /* at or below: an 802.3 length, not a type */

/* PPP (RFC 1661): HDLC address and control bytes, then the protocol */
#define PPP_ADDRESS 0xff
#define PPP_CONTROL 0x03
#define PPP_IPV4 0x0021
#define PPP_IPV6 0x0057
#define PPP_MPLS_UC 0x0281
#define PPP_MPLS_MC 0x0283
#define PPPOE_HLEN 6

/* Linux sll_pkttype values (linux/if_packet.h) */
#define SLL_OUTGOING 4
#define SLL_MAX_KNOWN 4

/* BSD address-family numbers for IPv6 differ per system. */
#define BSD_AF_INET 2
#define BSD_AF_INET6_NETBSD_OPENBSD 24
#define BSD_AF_INET6_FREEBSD 28
#define BSD_AF_INET6_DARWIN 30

#define ETH_P_MACSEC 0x88e5
/* IEEE 802.1AE SecTAG: TCI/AN, short length, packet number, then an SCI
 * when the SC bit says; E or C set means the payload is not plain. */
#define MACSEC_TCI_SC 0x20
#define MACSEC_TCI_E 0x08
#define MACSEC_TCI_C 0x04
#define MACSEC_SCI_LEN 8
#define BRCM_TAG_LEN 4

enum {
	DLT_PPP = 9,
	DLT_RAW_BSD = 12,
	DLT_RAW_OPENBSD = 14,
	LINKTYPE_PPP_HDLC = 50,
	DLT_USER2 = 149,             /* where tcpdump's tests keep a PKTAP capture */
	LINKTYPE_NFLOG = 239,
	LINKTYPE_PKTAP = 258,
	LINKTYPE_DSA_TAG_BRCM = 281,
};

/* Apple PKTAP: a little-endian header giving its own length, what
 * follows (1: a packet) and that packet's link type. */
#define PKTAP_MIN_HLEN 12
#define PKTAP_TYPE_PACKET 1

/* Linux NFLOG (the nflog capture device, how iptables/nft "log group"
 * rules hand packets out): a 4-byte header, then TLVs whose length and
 * type are in the capturing host's byte order (little-endian here); the
 * packet itself is the NFULA_PAYLOAD TLV. */
#define NFLOG_HLEN 4
#define NFULA_PAYLOAD 9
#define NFLOG_AF_INET 2
#define NFLOG_AF_INET6 10

static bool mpls(struct nd_frame *f, struct nd_cur *c);

/* The PPP protocol field, one byte when compressed (RFC 1661 6.5: an odd
 * first byte ends the field). */
static bool ppp_protocol(struct nd_frame *f, struct nd_cur *c)
{
	uint8_t b0, b1;
	uint16_t proto;

	if (nd_cur_u8(c, &b0))
		return nd_pkt_stop(f, ND_DECODE_TRUNCATED, "PPP protocol");
	proto = b0;
	if (!(b0 & 1)) {
		if (nd_cur_u8(c, &b1))
			return nd_pkt_stop(f, ND_DECODE_TRUNCATED, "PPP protocol");
		proto = (uint16_t)(b0 << 8 | b1);
	}
	if (proto == PPP_MPLS_UC || proto == PPP_MPLS_MC)
		return mpls(f, c);
	if (proto == PPP_IPV4)
		f->ip_version = 4;
	else if (proto == PPP_IPV6)
		f->ip_version = 6;
	else
		return nd_pkt_stop(f, ND_DECODE_UNSUPPORTED, "PPP protocol not IP");
	return true;
}

static bool nflog(struct nd_frame *f, struct nd_cur *c)
{
	uint8_t family, version;
	uint16_t resource;

	if (nd_cur_u8(c, &family) || nd_cur_u8(c, &version) || nd_cur_u16(c, &resource))
		return nd_pkt_stop(f, ND_DECODE_TRUNCATED, "NFLOG header");
	if (family != NFLOG_AF_INET && family != NFLOG_AF_INET6)
		return nd_pkt_stop(f, ND_DECODE_UNSUPPORTED, "NFLOG family");
	for (;;) {
		uint8_t l0, l1, t0, t1;
		size_t len, type;

		if (nd_cur_u8(c, &l0) || nd_cur_u8(c, &l1) || nd_cur_u8(c, &t0) || nd_cur_u8(c, &t1))
			return nd_pkt_stop(f, ND_DECODE_TRUNCATED, "NFLOG without payload");
		len = (size_t)(l1 << 8 | l0);
		type = (size_t)(t1 << 8 | t0);
		if (len < 4)
			return nd_pkt_stop(f, ND_DECODE_MALFORMED, "NFLOG TLV length");
		if (type == NFULA_PAYLOAD) {
			struct nd_cur payload;

			if (nd_cur_sub(c, len - 4, &payload))
				payload = *c;
			*c = payload;
			f->ip_version = family == NFLOG_AF_INET ? 4 : 6;
			return true;
		}
		if (nd_cur_skip(c, (len - 4 + 3) & ~(size_t)3))
			return nd_pkt_stop(f, ND_DECODE_TRUNCATED, "NFLOG TLV");
	}
}

/* MPLS (RFC 3032): labels up to bottom of stack; the payload's first
 * nibble says IPv4 or IPv6 (RFC 4928 section 2 relies on the same). */
static bool mpls(struct nd_frame *f, struct nd_cur *c)
{
	for (int i = 0; i < MPLS_MAX_LABELS; i++) {
		uint32_t entry;

		if (nd_cur_u32(c, &entry))
			return nd_pkt_stop(f, ND_DECODE_TRUNCATED, "MPLS label");
		if (entry & MPLS_BOTTOM_OF_STACK) {
			uint8_t first;

			if (nd_cur_peek_u8(c, 0, &first))
				return nd_pkt_stop(f, ND_DECODE_TRUNCATED, "MPLS payload");
			if (first >> 4 == 4 || first >> 4 == 6) {
				f->ip_version = first >> 4;
				return true;
			}
			return nd_pkt_stop(f, ND_DECODE_UNSUPPORTED, "MPLS payload not IP");
		}
	}
	return nd_pkt_stop(f, ND_DECODE_MALFORMED, "MPLS label stack too deep");
}

static bool ppp(struct nd_frame *f, struct nd_cur *c)
{
	uint8_t a, ctl;

	/* address and control may be compressed away (RFC 1661 6.6) */
	if (!nd_cur_peek_u8(c, 0, &a) && a == PPP_ADDRESS &&
	    !nd_cur_peek_u8(c, 1, &ctl) && ctl == PPP_CONTROL)
		nd_cur_skip(c, 2);
	return ppp_protocol(f, c);
}

static bool set_ethertype(struct nd_frame *f, uint16_t type)
{
	f->ethertype = type;
	if (type == ETH_P_IPV4)
		f->ip_version = 4;
	else if (type == ETH_P_IPV6)
		f->ip_version = 6;
	else
		return nd_pkt_stop(f, ND_DECODE_UNSUPPORTED, "not IP");
	return true;
}

/* 802.1Q, 802.1ad and the pre-standard 0x9100 tags, any depth; the first
 * two VIDs are kept. */
static bool vlan_tags(struct nd_frame *f, struct nd_cur *c, uint16_t *type)
{
	while (*type == ETH_P_8021Q || *type == ETH_P_8021AD || *type == ETH_P_QINQ_OLD) {
		uint16_t tci;

		if (nd_cur_u16(c, &tci) || nd_cur_u16(c, type))
			return nd_pkt_stop(f, ND_DECODE_TRUNCATED, "VLAN tag");
		if (f->nvlan < 2)
			f->vlan[f->nvlan] = tci & 0x0fff;
		if (f->nvlan < 255)
			f->nvlan++;
	}
	return true;
}

/* A MACsec frame whose payload is in the clear (integrity only). */
static bool macsec(struct nd_frame *f, struct nd_cur *c, uint16_t *type)
{
	uint8_t tci;

	if (nd_cur_u8(c, &tci) || nd_cur_skip(c, 5) ||
	    ((tci & MACSEC_TCI_SC) && nd_cur_skip(c, MACSEC_SCI_LEN)))
		return nd_pkt_stop(f, ND_DECODE_TRUNCATED, "MACsec SecTAG");
	if (tci & (MACSEC_TCI_E | MACSEC_TCI_C))
		return nd_pkt_stop(f, ND_DECODE_UNSUPPORTED, "MACsec encrypted payload");
	if (nd_cur_u16(c, type))
		return nd_pkt_stop(f, ND_DECODE_TRUNCATED, "MACsec SecTAG");
	return vlan_tags(f, c, type);
}

static bool ethernet_tagged(struct nd_frame *f, struct nd_cur *c, size_t tag_len)
{
	uint16_t type;

	if (nd_cur_bytes(c, f->dst_mac, 6) || nd_cur_bytes(c, f->src_mac, 6) ||
	    nd_cur_skip(c, tag_len) || nd_cur_u16(c, &type))
		return nd_pkt_stop(f, ND_DECODE_TRUNCATED, "Ethernet header");
	f->has_mac = true;
	if (type <= ETH_MAX_LENGTH_FIELD)
		return nd_pkt_stop(f, ND_DECODE_UNSUPPORTED, "802.3 length frame");
	if (!vlan_tags(f, c, &type))
		return false;
	if (type == ETH_P_MACSEC && !macsec(f, c, &type))
		return false;
	if (type == ETH_P_PPPOE_SESSION) {
		/* RFC 2516: version/type, code, session id, length, then PPP */
		f->ethertype = type;
		if (nd_cur_skip(c, PPPOE_HLEN))
			return nd_pkt_stop(f, ND_DECODE_TRUNCATED, "PPPoE header");
		return ppp_protocol(f, c);
	}
	if (type == ETH_P_MPLS_UC || type == ETH_P_MPLS_MC) {
		f->ethertype = type;
		return mpls(f, c);
	}
	return set_ethertype(f, type);
}

static bool ethernet(struct nd_frame *f, struct nd_cur *c)
{
	return ethernet_tagged(f, c, 0);
}

static bool pktap(struct nd_frame *f, struct nd_cur *c)
{
	uint32_t hlen, next, dlt;

	if (nd_cur_u32le(c, &hlen) || nd_cur_u32le(c, &next) || nd_cur_u32le(c, &dlt))
		return nd_pkt_stop(f, ND_DECODE_TRUNCATED, "PKTAP header");
	if (hlen < PKTAP_MIN_HLEN || next != PKTAP_TYPE_PACKET || dlt == LINKTYPE_PKTAP ||
	    dlt == DLT_USER2)
		return nd_pkt_stop(f, ND_DECODE_UNSUPPORTED, "PKTAP header");
	if (nd_cur_skip(c, hlen - PKTAP_MIN_HLEN))
		return nd_pkt_stop(f, ND_DECODE_TRUNCATED, "PKTAP header");
	return nd_pkt_link(f, (int)dlt, c);
}

static void sll_direction(struct nd_frame *f, uint16_t pkttype)
{
	if (pkttype == SLL_OUTGOING)
		f->dir = ND_DIR_OUT;
	else if (pkttype < SLL_MAX_KNOWN)
		f->dir = ND_DIR_IN;
}

/* Keep a 6-byte link address as the source MAC; cooked headers carry only
 * the sender's. */
static void sll_address(struct nd_frame *f, uint16_t halen, const uint8_t addr[8])
{
	if (halen == 6) {
		for (int i = 0; i < 6; i++)
			f->src_mac[i] = addr[i];
		f->has_mac = true;
	}
}

static bool linux_sll(struct nd_frame *f, struct nd_cur *c)
{
	uint16_t pkttype, hatype, halen, proto;
	uint8_t addr[8];

	if (nd_cur_u16(c, &pkttype) || nd_cur_u16(c, &hatype) || nd_cur_u16(c, &halen) ||
	    nd_cur_bytes(c, addr, 8) || nd_cur_u16(c, &proto))
		return nd_pkt_stop(f, ND_DECODE_TRUNCATED, "Linux cooked header");
	sll_direction(f, pkttype);
	sll_address(f, halen, addr);
	if (!vlan_tags(f, c, &proto))
		return false;
	return set_ethertype(f, proto);
}

static bool linux_sll2(struct nd_frame *f, struct nd_cur *c)
{
	uint16_t proto, reserved, hatype;
	uint32_t ifindex;
	uint8_t pkttype, halen, addr[8];

	if (nd_cur_u16(c, &proto) || nd_cur_u16(c, &reserved) || nd_cur_u32(c, &ifindex) ||
	    nd_cur_u16(c, &hatype) || nd_cur_u8(c, &pkttype) || nd_cur_u8(c, &halen) ||
	    nd_cur_bytes(c, addr, 8))
		return nd_pkt_stop(f, ND_DECODE_TRUNCATED, "Linux cooked v2 header");
	sll_direction(f, pkttype);
	sll_address(f, halen, addr);
	if (!vlan_tags(f, c, &proto))
		return false;
	return set_ethertype(f, proto);
}

static bool bsd_family(struct nd_frame *f, uint32_t family)
{
	switch (family) {
	case BSD_AF_INET:
		f->ip_version = 4;
		return true;
	case BSD_AF_INET6_NETBSD_OPENBSD:
	case BSD_AF_INET6_FREEBSD:
	case BSD_AF_INET6_DARWIN:
		f->ip_version = 6;
		return true;
	default:
		return nd_pkt_stop(f, ND_DECODE_UNSUPPORTED, "loopback family");
	}
}

/* DLT_NULL: the family in the capturing host's byte order, which may not
 * be ours; a value with the low 16 bits clear was written big-endian. */
static bool bsd_null(struct nd_frame *f, struct nd_cur *c)
{
	uint32_t family;

	if (nd_cur_u32le(c, &family))
		return nd_pkt_stop(f, ND_DECODE_TRUNCATED, "loopback header");
	if (!(family & 0xffff))
		family >>= 24;
	return bsd_family(f, family);
}

static bool bsd_loop(struct nd_frame *f, struct nd_cur *c)
{
	uint32_t family;

	if (nd_cur_u32(c, &family))
		return nd_pkt_stop(f, ND_DECODE_TRUNCATED, "loopback header");
	return bsd_family(f, family);
}

static bool raw_ip(struct nd_frame *f, struct nd_cur *c)
{
	uint8_t first;

	if (nd_cur_peek_u8(c, 0, &first))
		return nd_pkt_stop(f, ND_DECODE_TRUNCATED, "IP version");
	if (first >> 4 != 4 && first >> 4 != 6)
		return nd_pkt_stop(f, ND_DECODE_MALFORMED, "IP version");
	f->ip_version = first >> 4;
	return true;
}

bool nd_pkt_link(struct nd_frame *f, int linktype, struct nd_cur *c)
{
	switch (linktype) {
	case ND_LINK_ETHERNET:
		return ethernet(f, c);
	case ND_LINK_LINUX_SLL:
		return linux_sll(f, c);
	case ND_LINK_LINUX_SLL2:
		return linux_sll2(f, c);
	case ND_LINK_NULL:
		return bsd_null(f, c);
	case ND_LINK_LOOP:
		return bsd_loop(f, c);
	case ND_LINK_RAW:
	case DLT_RAW_BSD:
	case DLT_RAW_OPENBSD:
		return raw_ip(f, c);
	case DLT_PPP:
	case LINKTYPE_PPP_HDLC:
		return ppp(f, c);
	case LINKTYPE_NFLOG:
		return nflog(f, c);
	/* tcpdump reads these as raw IP too, by the version nibble */
	case ND_LINK_IPV4:
	case ND_LINK_IPV6:
		return raw_ip(f, c);
	case LINKTYPE_PKTAP:
	case DLT_USER2:
		return pktap(f, c);
	case LINKTYPE_DSA_TAG_BRCM:
		return ethernet_tagged(f, c, BRCM_TAG_LEN);
	default:
		return nd_pkt_stop(f, ND_DECODE_UNSUPPORTED, "link type");
	}
}
