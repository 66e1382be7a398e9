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
#define ETH_MAX_LENGTH_FIELD 1500  /* at or below: an 802.3 length, not a type */

/* Linux sll_pkttype values (linux/if_packet.h) */
#define SLL_OUTGOING 4
#define SLL_MAX_KNOWN 4

/* BSD address-family numbers for IPv6 differ per system. */
#define BSD_AF_INET 2
#define BSD_AF_INET6_NETBSD_OPENBSD 24
#define BSD_AF_INET6_FREEBSD 28
#define BSD_AF_INET6_DARWIN 30

enum {
	DLT_RAW_BSD = 12,
	DLT_RAW_OPENBSD = 14,
};

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

static bool ethernet(struct nd_frame *f, struct nd_cur *c)
{
	uint16_t type;

	if (nd_cur_bytes(c, f->dst_mac, 6) || nd_cur_bytes(c, f->src_mac, 6) ||
	    nd_cur_u16(c, &type))
		return nd_pkt_stop(f, ND_DECODE_TRUNCATED, "Ethernet header");
	f->has_mac = true;
	if (type <= ETH_MAX_LENGTH_FIELD)
		return nd_pkt_stop(f, ND_DECODE_UNSUPPORTED, "802.3 length frame");
	if (!vlan_tags(f, c, &type))
		return false;
	return set_ethertype(f, type);
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
	case ND_LINK_IPV4:
		f->ip_version = 4;
		return true;
	case ND_LINK_IPV6:
		f->ip_version = 6;
		return true;
	default:
		return nd_pkt_stop(f, ND_DECODE_UNSUPPORTED, "link type");
	}
}
