/* Private to libnetdiag/pkt: the decoding stages nd_frame_decode chains. */
#ifndef NETDIAG_PKT_INTERNAL_H
#define NETDIAG_PKT_INTERNAL_H

#include <netdiag/pkt.h>

/* The network-layer bytes and how the transport checksum is to be summed. */
struct l3_view {
	uint64_t pseudo;        /* pseudo-header sum without length and protocol */
	uint8_t src[16], dst[16];
	size_t addr_len;        /* 4 or 16: the pseudo-header address size */
	struct nd_cur payload;  /* transport bytes as captured, bounded by the IP length */
	size_t payload_len;     /* transport length the IP header claims */
	bool cut;               /* capture ended before payload_len */
	bool snapped;           /* caplen < wirelen: the snap length cut the frame */
};

/* Each stage sets f->status (and status_detail) when it stops early and
 * returns false; true means go on to the next stage. */
bool nd_pkt_link(struct nd_frame *f, int linktype, struct nd_cur *c);
bool nd_pkt_ipv4(struct nd_frame *f, struct nd_cur *c, struct l3_view *v);
bool nd_pkt_ipv6(struct nd_frame *f, struct nd_cur *c, struct l3_view *v);
void nd_pkt_transport(struct nd_frame *f, struct l3_view *v, uint32_t hints);
/* After the transport stage: sets f->encap when the frame carries one. */
void nd_pkt_encap(struct nd_frame *f);

static inline bool nd_pkt_stop(struct nd_frame *f, enum nd_decode_status st,
			       const char *detail)
{
	f->status = st;
	f->status_detail = detail;
	return false;
}

#endif
