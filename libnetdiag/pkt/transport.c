/* UDP, TCP, ICMPv4 and ICMPv6 headers and their checksum verdicts. */
#include <netinet/in.h>
#include <string.h>

#include "pkt_internal.h"

#define UDP_HLEN 8
#define TCP_MIN_HLEN 20
#define ICMP_MIN_LEN 4

/* Where the checksum field sits in each transport header. */
enum { UDP_CSUM_AT = 6, TCP_CSUM_AT = 16, ICMP_CSUM_AT = 2 };

/* Whole 32-bit words added as nd_csum_partial adds them (the same sum),
 * inline: for the pseudo-header's few words the call cost more than the
 * adding, four calls a frame. */
static inline uint64_t sum_words(const uint8_t *p, size_t len, uint64_t sum)
{
	for (size_t i = 0; i < len; i += 4) {
		uint32_t w;

		memcpy(&w, p + i, sizeof(w));
		sum += w;
	}
	return sum;
}

static uint64_t pseudo_header(const struct l3_view *v, uint8_t proto, size_t len)
{
	uint8_t tail[8] = { 0 };

	/* IPv4 (RFC 768): zero, protocol, 16-bit length; IPv6 (RFC 8200 8.1):
	 * 32-bit length, three zero bytes, next header.  Summed as words both
	 * give the same total, so one 8-byte tail serves both. */
	tail[0] = (uint8_t)(len >> 24);
	tail[1] = (uint8_t)(len >> 16);
	tail[2] = (uint8_t)(len >> 8);
	tail[3] = (uint8_t)len;
	tail[7] = proto;
	return sum_words(tail, sizeof(tail), v->pseudo);
}

/* The value Linux leaves in the field of a CHECKSUM_PARTIAL packet: the
 * folded pseudo-header sum, not complemented, for the device to finish. */
static uint16_t partial_value(uint64_t pseudo)
{
	return (uint16_t)~nd_csum_fold(pseudo);
}

/* Verdict for a checksum over pseudo-header + segment[0, len).  The caller
 * has checked the whole segment was captured. */
static void verdict(struct nd_csum *cs, uint64_t pseudo, const uint8_t *seg, size_t len,
		    size_t field_at, uint64_t pseudo_gso, uint32_t hints)
{
	uint64_t sum = nd_csum_partial(seg, len, pseudo);
	uint8_t field_bytes[2] = { seg[field_at], seg[field_at + 1] };
	uint16_t field_mem;

	cs->found = (uint16_t)(seg[field_at] << 8 | seg[field_at + 1]);
	memcpy(&field_mem, field_bytes, sizeof(field_mem));
	cs->expected = nd_csum_fold(sum + (uint16_t)~field_mem);
	if (nd_csum_fold(sum) == 0)
		cs->cls = ND_CSUM_OK;
	else if (cs->found == partial_value(pseudo) || cs->found == partial_value(pseudo_gso))
		cs->cls = (hints & ND_HINT_CSUM_NOTREADY) ? ND_CSUM_PARTIAL_OFFLOAD : ND_CSUM_PARTIAL;
	else
		cs->cls = ND_CSUM_BAD;
}

static void unverifiable(struct nd_csum *cs, const struct nd_cur *seg, size_t field_at)
{
	struct nd_cur c = *seg;

	cs->cls = ND_CSUM_UNVERIFIABLE;
	if (!nd_cur_skip(&c, field_at))
		nd_cur_u16(&c, &cs->found);
}

/* A segment can be summed when it is whole and not a fragment. */
static bool summable(const struct nd_frame *f, const struct l3_view *v, size_t seglen)
{
	return !f->fragment && nd_cur_left(&v->payload) >= seglen;
}

static void udp(struct nd_frame *f, struct l3_view *v, uint32_t hints)
{
	struct nd_cur c = v->payload;
	uint16_t len, csum;

	if (nd_cur_u16(&c, &f->sport) || nd_cur_u16(&c, &f->dport) || nd_cur_u16(&c, &len) ||
	    nd_cur_u16(&c, &csum)) {
		f->l4_csum.cls = ND_CSUM_UNVERIFIABLE;
		if (!f->fragment || f->first_fragment)
			nd_pkt_stop(f, ND_DECODE_TRUNCATED, "UDP header");
		return;
	}
	if (len < UDP_HLEN || (!f->fragment && len > v->payload_len)) {
		nd_pkt_stop(f, ND_DECODE_MALFORMED, "UDP length");
		/* A receiver drops such a datagram.  Judge the bytes the IP
		 * header delimits, as the sum a sender of them would have had
		 * to write: the verdict is bad unless that happens to match. */
		if (f->fragment || v->cut || v->payload_len < UDP_HLEN) {
			unverifiable(&f->l4_csum, &v->payload, UDP_CSUM_AT);
			return;
		}
		verdict(&f->l4_csum, pseudo_header(v, IPPROTO_UDP, v->payload_len),
			nd_cur_ptr(&v->payload), v->payload_len, UDP_CSUM_AT,
			pseudo_header(v, IPPROTO_UDP, 0), hints);
		return;
	}
	/* bytes beyond the UDP length are link padding, not payload */
	nd_cur_init(&f->payload, nd_cur_ptr(&c), nd_cur_left(&c) < (size_t)(len - UDP_HLEN) ?
						  nd_cur_left(&c) : (size_t)(len - UDP_HLEN));
	f->payload_truncated = nd_cur_left(&f->payload) < (size_t)(len - UDP_HLEN);
	if (csum == 0 && v->addr_len == 4) {
		/* RFC 768: zero means the sender computed none */
		f->l4_csum.cls = ND_CSUM_NONE;
		if (summable(f, v, len))
			f->l4_csum.expected = nd_csum_fold(nd_csum_partial(
				nd_cur_ptr(&v->payload), len, pseudo_header(v, IPPROTO_UDP, len)));
		return;
	}
	if (!summable(f, v, len)) {
		unverifiable(&f->l4_csum, &v->payload, UDP_CSUM_AT);
		return;
	}
	/* RFC 8200 8.1: IPv6 UDP must carry a checksum, so zero is bad */
	verdict(&f->l4_csum, pseudo_header(v, IPPROTO_UDP, len), nd_cur_ptr(&v->payload), len,
		UDP_CSUM_AT, pseudo_header(v, IPPROTO_UDP, 0), hints);
	/* a computed 0 is sent as all ones (RFC 768) */
	if (f->l4_csum.expected == 0)
		f->l4_csum.expected = 0xffff;
}

static void tcp(struct nd_frame *f, struct l3_view *v, uint32_t hints)
{
	struct nd_cur c = v->payload;
	uint32_t seq, ack;
	uint8_t off;
	size_t hlen;

	if (nd_cur_u16(&c, &f->sport) || nd_cur_u16(&c, &f->dport) || nd_cur_u32(&c, &seq) ||
	    nd_cur_u32(&c, &ack) || nd_cur_u8(&c, &off) || nd_cur_u8(&c, &f->tcp_flags)) {
		f->l4_csum.cls = ND_CSUM_UNVERIFIABLE;
		if (!f->fragment || f->first_fragment)
			nd_pkt_stop(f, ND_DECODE_TRUNCATED, "TCP header");
		return;
	}
	hlen = (size_t)(off >> 4) * 4;
	if (hlen < TCP_MIN_HLEN || (!f->fragment && hlen > v->payload_len)) {
		f->l4_csum.cls = ND_CSUM_UNVERIFIABLE;
		nd_pkt_stop(f, ND_DECODE_MALFORMED, "TCP data offset");
		return;
	}
	c = v->payload;
	if (nd_cur_skip(&c, hlen))
		f->payload_truncated = true;
	else
		f->payload = c;
	f->payload_truncated |= v->cut;
	if (!summable(f, v, v->payload_len)) {
		unverifiable(&f->l4_csum, &v->payload, TCP_CSUM_AT);
		return;
	}
	/* TSO: the field holds the pseudo-header sum with length 0 */
	verdict(&f->l4_csum, pseudo_header(v, IPPROTO_TCP, v->payload_len),
		nd_cur_ptr(&v->payload), v->payload_len, TCP_CSUM_AT,
		pseudo_header(v, IPPROTO_TCP, 0), hints);
}

static void icmp(struct nd_frame *f, struct l3_view *v, uint32_t hints, bool v6)
{
	struct nd_cur c = v->payload;
	uint64_t pseudo = 0;

	if (nd_cur_u8(&c, &f->icmp_type) || nd_cur_u8(&c, &f->icmp_code) ||
	    nd_cur_skip(&c, 2)) {
		f->l4_csum.cls = ND_CSUM_UNVERIFIABLE;
		if (!f->fragment || f->first_fragment)
			nd_pkt_stop(f, ND_DECODE_TRUNCATED, v6 ? "ICMPv6 header" : "ICMP header");
		return;
	}
	f->payload = v->payload;
	f->payload_truncated = v->cut;
	if (!summable(f, v, v->payload_len)) {
		unverifiable(&f->l4_csum, &v->payload, ICMP_CSUM_AT);
		return;
	}
	/* ICMPv6 sums a pseudo-header (RFC 4443 2.3); ICMPv4 does not */
	if (v6)
		pseudo = pseudo_header(v, IPPROTO_ICMPV6, v->payload_len);
	verdict(&f->l4_csum, pseudo, nd_cur_ptr(&v->payload), v->payload_len, ICMP_CSUM_AT,
		v6 ? pseudo : 0, v6 ? hints : 0);
	if (!v6 && f->l4_csum.cls == ND_CSUM_PARTIAL)
		f->l4_csum.cls = ND_CSUM_BAD;
}

void nd_pkt_transport(struct nd_frame *f, struct l3_view *v, uint32_t hints)
{
	if (f->fragment && !f->first_fragment) {
		/* no transport header here; the checksum spans all fragments */
		if (f->l4proto == IPPROTO_UDP || f->l4proto == IPPROTO_TCP ||
		    f->l4proto == IPPROTO_ICMP || f->l4proto == IPPROTO_ICMPV6)
			f->l4_csum.cls = ND_CSUM_UNVERIFIABLE;
		return;
	}
	/* 4 or 16 bytes each: whole words */
	v->pseudo = sum_words(v->src, v->addr_len, 0);
	v->pseudo = sum_words(v->dst, v->addr_len, v->pseudo);
	switch (f->l4proto) {
	case IPPROTO_UDP:
		udp(f, v, hints);
		break;
	case IPPROTO_TCP:
		tcp(f, v, hints);
		break;
	case IPPROTO_ICMP:
		if (v->addr_len == 4)
			icmp(f, v, hints, false);
		break;
	case IPPROTO_ICMPV6:
		if (v->addr_len == 16)
			icmp(f, v, hints, true);
		break;
	default:
		f->payload = v->payload;
		f->payload_truncated = v->cut;
		break;
	}
}
