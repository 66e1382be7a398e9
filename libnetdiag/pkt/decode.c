/* nd_frame_decode: link, network and transport stages in turn; an
 * encapsulation found (encap.c) is decoded again as an inner frame. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "pkt_internal.h"

static int status_errno(enum nd_decode_status st)
{
	switch (st) {
	case ND_DECODE_OK: return 0;
	case ND_DECODE_TRUNCATED: return -EMSGSIZE;
	case ND_DECODE_MALFORMED: return -EINVAL;
	default: return -EPROTONOSUPPORT;
	}
}

int nd_frame_decode(struct nd_frame *f, int linktype, const uint8_t *data,
		    size_t caplen, size_t wirelen, uint32_t hints)
{
	/* copied from a zeroed one, not memset: the compiler makes a 184-byte
	 * memset a rep stos, whose start-up cost more than the rest of this
	 * function on a DNS query's frame */
	static const struct nd_frame zero;
	struct l3_view v;
	struct nd_cur c;
	bool ok;

	*f = zero;
	nd_cur_init(&c, data, caplen);
	v.cut = false;
	v.snapped = caplen < wirelen;
	if (!nd_pkt_link(f, linktype, &c))
		return status_errno(f->status);
	if (f->ip_version == 4)
		ok = nd_pkt_ipv4(f, &c, &v);
	else
		ok = nd_pkt_ipv6(f, &c, &v);
	if (ok) {
		nd_pkt_transport(f, &v, hints);
		if (!f->fragment || f->first_fragment)
			nd_pkt_encap(f);
	}
	return status_errno(f->status);
}

const char *nd_csum_class_name(enum nd_csum_class cls)
{
	static const char *const names[ND_CSUM_CLASS_COUNT] = {
		[ND_CSUM_NA] = "n/a",
		[ND_CSUM_OK] = "ok",
		[ND_CSUM_NONE] = "none",
		[ND_CSUM_PARTIAL_OFFLOAD] = "partial-offload",
		[ND_CSUM_PARTIAL] = "partial",
		[ND_CSUM_BAD] = "bad",
		[ND_CSUM_UNVERIFIABLE] = "unverifiable",
	};

	return (unsigned)cls < ND_CSUM_CLASS_COUNT ? names[cls] : "?";
}

/* the frame inside a tunnel or an ICMP error, as encap.c found it */
int nd_frame_decode_inner(struct nd_frame *inner, const struct nd_frame *outer, uint32_t hints)
{
	const struct nd_encap_info *e = &outer->encap;
	size_t len = nd_cur_left(&e->inner);
	/* a quote is as good as cut by a snap length: see pkt.h */
	size_t wirelen = e->inner_cut || e->kind == ND_ENCAP_ICMP_QUOTE ? len + 1 : len;

	return nd_frame_decode(inner, e->linktype, nd_cur_ptr(&e->inner), len, wirelen, hints);
}

const char *nd_decode_status_name(enum nd_decode_status st)
{
	static const char *const names[] = {
		[ND_DECODE_OK] = "ok",
		[ND_DECODE_TRUNCATED] = "truncated",
		[ND_DECODE_MALFORMED] = "malformed",
		[ND_DECODE_UNSUPPORTED] = "unsupported",
	};

	return (unsigned)st < sizeof(names) / sizeof(names[0]) ? names[st] : "?";
}

const char *nd_addr_str(const struct nd_addr *a, char *buf, size_t len)
{
	if ((a->family != AF_INET && a->family != AF_INET6) ||
	    !inet_ntop(a->family, a->a, buf, (socklen_t)len))
		snprintf(buf, len, "-");
	return buf;
}
