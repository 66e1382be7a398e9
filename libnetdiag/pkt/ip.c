/* IPv4 and IPv6 headers, down to the transport protocol. */
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "pkt_internal.h"

#define IPV4_MIN_HLEN 20
#define IPV4_MF 0x2000
#define IPV4_OFFSET_MASK 0x1fff
#define IPV6_HLEN 40
#define IPV6_EXT_MAX 16  /* extension headers followed before giving up */
#define IPV6_SRH_TYPE 4  /* RFC 8754 segment routing header */

/* Bound the transport view by what the IP header claims and what was
 * captured.  A frame whose capture ends early because of the snap length
 * (caplen < wirelen) is cut; one that is simply shorter than its IP length
 * says is malformed, but what is there is still decoded. */
static void bound_payload(struct nd_frame *f, struct nd_cur *c, struct l3_view *v,
			  size_t claimed)
{
	size_t have = nd_cur_left(c);

	v->payload_len = claimed;
	if (have >= claimed) {
		nd_cur_sub(c, claimed, &v->payload);
		return;
	}
	nd_cur_sub(c, have, &v->payload);
	v->cut = true;
	if (!v->snapped) {
		f->status = ND_DECODE_MALFORMED;
		f->status_detail = "IP length beyond frame";
	}
}

static void ipv4_header_checksum(struct nd_frame *f, const uint8_t *hdr, size_t hlen)
{
	uint64_t sum = nd_csum_partial(hdr, hlen, 0);

	f->ip4_csum.found = (uint16_t)(hdr[10] << 8 | hdr[11]);
	f->ip4_csum.cls = nd_csum_fold(sum) == 0 ? ND_CSUM_OK : ND_CSUM_BAD;
	/* expected: the sum with the field taken out, complemented */
	sum += (uint16_t)~(hdr[10] | hdr[11] << 8);
	f->ip4_csum.expected = nd_csum_fold(sum);
}

bool nd_pkt_ipv4(struct nd_frame *f, struct nd_cur *c, struct l3_view *v)
{
	const uint8_t *hdr = nd_cur_ptr(c);
	uint8_t vihl, tos, ttl, proto;
	uint16_t total, id, frag, csum;
	size_t hlen;

	if (nd_cur_u8(c, &vihl) || nd_cur_u8(c, &tos) || nd_cur_u16(c, &total) ||
	    nd_cur_u16(c, &id) || nd_cur_u16(c, &frag) || nd_cur_u8(c, &ttl) ||
	    nd_cur_u8(c, &proto) || nd_cur_u16(c, &csum))
		return nd_pkt_stop(f, ND_DECODE_TRUNCATED, "IPv4 header");
	if (vihl >> 4 != 4)
		return nd_pkt_stop(f, ND_DECODE_MALFORMED, "IPv4 version");
	hlen = (size_t)(vihl & 0x0f) * 4;
	if (hlen < IPV4_MIN_HLEN || total < hlen)
		return nd_pkt_stop(f, ND_DECODE_MALFORMED, "IPv4 header length");
	f->src.family = AF_INET;
	f->dst.family = AF_INET;
	if (nd_cur_bytes(c, f->src.a, 4) || nd_cur_bytes(c, f->dst.a, 4) ||
	    nd_cur_skip(c, hlen - IPV4_MIN_HLEN))
		return nd_pkt_stop(f, ND_DECODE_TRUNCATED, "IPv4 header");
	ipv4_header_checksum(f, hdr, hlen);
	f->ttl = ttl;
	f->l4proto = proto;
	f->fragment = (frag & (IPV4_MF | IPV4_OFFSET_MASK)) != 0;
	f->first_fragment = (frag & IPV4_OFFSET_MASK) == 0;
	memcpy(v->src, f->src.a, 4);
	memcpy(v->dst, f->dst.a, 4);
	v->addr_len = 4;
	bound_payload(f, c, v, total - hlen);
	return true;
}

/* RFC 8200 8.1: with a routing header, the pseudo-header carries the final
 * destination: the last address of a type 0 or 2 header, the first entry
 * of a segment list (RFC 8754 section 2), when segments are left. */
static void routing_final_destination(struct nd_cur h, struct l3_view *v)
{
	uint8_t next, len, type, left;
	size_t at;

	if (nd_cur_u8(&h, &next) || nd_cur_u8(&h, &len) || nd_cur_u8(&h, &type) ||
	    nd_cur_u8(&h, &left) || !left)
		return;
	if (type == 0 || type == 2) {
		at = 8 + (size_t)(len / 2 - 1) * 16;
	} else if (type == IPV6_SRH_TYPE) {
		at = 8;
	} else {
		return;
	}
	if (len < 2 || nd_cur_seek(&h, at))
		return;
	nd_cur_bytes(&h, v->dst, 16);
}

/* RFC 2675: a payload length of 0 with a Jumbo Payload option (0xc2) in
 * the hop-by-hop header, as Linux BIG TCP sends (GSO beyond 64 KiB): the
 * length is the option's 32-bit value.  0 when there is none. */
static size_t jumbo_length(struct nd_cur c)
{
	uint8_t nh, len;

	if (nd_cur_u8(&c, &nh) || nd_cur_u8(&c, &len))
		return 0;
	for (size_t left = (size_t)len * 8 + 6; left >= 2;) {
		uint8_t type, olen;
		uint32_t jumbo;

		if (nd_cur_u8(&c, &type))
			return 0;
		if (type == 0) {       /* Pad1 */
			left--;
			continue;
		}
		if (nd_cur_u8(&c, &olen) || (size_t)olen + 2 > left)
			return 0;
		if (type == 0xc2 && olen == 4)
			return nd_cur_u32(&c, &jumbo) ? 0 : jumbo;
		if (nd_cur_skip(&c, olen))
			return 0;
		left -= (size_t)olen + 2;
	}
	return 0;
}

bool nd_pkt_ipv6(struct nd_frame *f, struct nd_cur *c, struct l3_view *v)
{
	uint32_t vtf;
	uint16_t plen16;
	size_t plen;
	uint8_t next, hlim;
	size_t start;
	int hops;

	if (nd_cur_u32(c, &vtf) || nd_cur_u16(c, &plen16) || nd_cur_u8(c, &next) ||
	    nd_cur_u8(c, &hlim))
		return nd_pkt_stop(f, ND_DECODE_TRUNCATED, "IPv6 header");
	if (vtf >> 28 != 6)
		return nd_pkt_stop(f, ND_DECODE_MALFORMED, "IPv6 version");
	f->src.family = AF_INET6;
	f->dst.family = AF_INET6;
	if (nd_cur_bytes(c, f->src.a, 16) || nd_cur_bytes(c, f->dst.a, 16))
		return nd_pkt_stop(f, ND_DECODE_TRUNCATED, "IPv6 header");
	f->ttl = hlim;
	f->first_fragment = true;
	memcpy(v->src, f->src.a, 16);
	memcpy(v->dst, f->dst.a, 16);
	v->addr_len = 16;
	start = c->off;
	plen = plen16;
	if (!plen && next == IPPROTO_HOPOPTS)
		plen = jumbo_length(*c);
	for (hops = 0; hops < IPV6_EXT_MAX; hops++) {
		struct nd_cur ext = *c;
		uint8_t nh, len;
		uint16_t offlg;
		size_t ext_len;

		if (next != IPPROTO_HOPOPTS && next != IPPROTO_ROUTING &&
		    next != IPPROTO_DSTOPTS && next != IPPROTO_FRAGMENT && next != IPPROTO_AH)
			break;
		if (nd_cur_u8(&ext, &nh) || nd_cur_u8(&ext, &len))
			return nd_pkt_stop(f, ND_DECODE_TRUNCATED, "IPv6 extension header");
		if (next == IPPROTO_FRAGMENT) {
			ext_len = 8;
			if (nd_cur_u16(&ext, &offlg))
				return nd_pkt_stop(f, ND_DECODE_TRUNCATED, "IPv6 fragment header");
			f->fragment = true;
			f->first_fragment = (offlg >> 3) == 0;
		} else if (next == IPPROTO_AH) {
			ext_len = ((size_t)len + 2) * 4;  /* RFC 4302: 32-bit words minus 2 */
		} else {
			ext_len = ((size_t)len + 1) * 8;
		}
		if (next == IPPROTO_ROUTING) {
			struct nd_cur rh;

			if (!nd_cur_sub(c, ext_len, &rh)) {
				routing_final_destination(rh, v);
				c->off -= ext_len;
			}
		}
		if (nd_cur_skip(c, ext_len))
			return nd_pkt_stop(f, ND_DECODE_TRUNCATED, "IPv6 extension header");
		next = nh;
		if (f->fragment && !f->first_fragment)
			break;
	}
	if (hops == IPV6_EXT_MAX)
		return nd_pkt_stop(f, ND_DECODE_MALFORMED, "IPv6 extension chain too long");
	if (c->off - start > plen)
		return nd_pkt_stop(f, ND_DECODE_MALFORMED, "IPv6 payload length");
	f->l4proto = next;
	bound_payload(f, c, v, plen - (c->off - start));
	return true;
}
