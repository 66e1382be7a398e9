/* Frame decoding and offload-aware checksum verdicts.
 *
 * nd_frame_decode() walks one captured frame from its link layer down to the
 * transport header, filling a struct nd_frame with no allocation.  It never
 * reads outside [data, data + caplen): a short or malformed frame yields a
 * status, never a crash.  Checksums are verified on the way and reported as
 * a verdict class with the found and the expected value.
 */
#ifndef NETDIAG_PKT_H
#define NETDIAG_PKT_H

/* exported from libnetdiag.so, whose other symbols are hidden */
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <netdiag/cursor.h>
#include <netdiag/finding.h>

/* Link types as pcap/pcapng files number them (LINKTYPE_*); the DLT_
 * aliases libpcap may hand back for the same link are accepted too. */
enum nd_linktype {
	ND_LINK_NULL = 0,        /* BSD loopback, host-order AF_ family */
	ND_LINK_ETHERNET = 1,
	ND_LINK_RAW = 101,       /* raw IPv4 or IPv6, version from the first nibble */
	ND_LINK_LOOP = 108,      /* OpenBSD loopback, network-order AF_ family */
	ND_LINK_LINUX_SLL = 113,
	ND_LINK_IPV4 = 228,
	ND_LINK_IPV6 = 229,
	ND_LINK_LINUX_SLL2 = 276,
};

enum nd_decode_status {
	ND_DECODE_OK = 0,
	ND_DECODE_TRUNCATED,     /* caplen ends inside a header we needed */
	ND_DECODE_MALFORMED,     /* a length or field contradicts the frame */
	ND_DECODE_UNSUPPORTED,   /* link type or ethertype we do not decode */
};

/* Checksum verdict classes (docs/design/architecture.md, decision 1). */
enum nd_csum_class {
	ND_CSUM_NA = 0,          /* no checksum applies here */
	ND_CSUM_OK,
	ND_CSUM_NONE,            /* IPv4 UDP with checksum 0: sender chose none */
	ND_CSUM_PARTIAL_OFFLOAD, /* pseudo-header sum only, kernel said "not ready" */
	ND_CSUM_PARTIAL,         /* pseudo-header sum only, no such mark: a bug on the wire */
	ND_CSUM_BAD,
	ND_CSUM_UNVERIFIABLE,    /* snaplen cut the segment, or an IP fragment */
	ND_CSUM_CLASS_COUNT,
};

struct nd_csum {
	enum nd_csum_class cls;
	uint16_t found;          /* value in the header, host order */
	uint16_t expected;       /* value a correct sender would have written */
};

/* What the capture source knew about a frame beyond its bytes. */
#define ND_HINT_CSUM_NOTREADY 0x1u /* TP_STATUS_CSUMNOTREADY / pcapng EPB flag bit 9 */
#define ND_HINT_CSUM_VALID    0x2u /* TP_STATUS_CSUM_VALID / pcapng EPB flag bit 10 */

struct nd_addr {
	uint8_t family;          /* AF_INET, AF_INET6, or 0 */
	uint8_t a[16];           /* IPv4 in the first 4 bytes */
};

/* What a frame carries inside it, found by nd_frame_decode(): a tunnel's
 * inner frame, or the packet an ICMP error quotes. */
enum nd_encap {
	ND_ENCAP_NONE = 0,
	ND_ENCAP_VXLAN,          /* UDP 4789 (IANA) or 8472 (Linux's default) */
	ND_ENCAP_VXLAN_GPE,      /* UDP 4790, maybe through NSH */
	ND_ENCAP_GENEVE,         /* UDP 6081 */
	ND_ENCAP_GRE,            /* IP protocol 47: GRE, GRETAP (0x6558) */
	ND_ENCAP_IPIP,           /* IP protocol 4 (IPv4 inside) or 41 (IPv6 inside) */
	ND_ENCAP_PIM,            /* a PIMv2 Register's multicast packet */
	ND_ENCAP_LI,             /* Broadcom lawful-intercept shim over UDP */
	ND_ENCAP_ICMP_QUOTE,     /* the datagram an ICMP/ICMPv6 error quotes */
	ND_ENCAP_COUNT,
};

struct nd_encap_info {
	enum nd_encap kind;
	int linktype;            /* of the inner bytes: ND_LINK_ETHERNET, _IPV4, _IPV6 */
	bool has_vni;
	uint32_t vni;            /* VXLAN/Geneve VNI, GRE key */
	struct nd_cur inner;     /* the inner frame's bytes as captured */
	bool inner_cut;          /* the capture ends before the inner frame does */
};

struct nd_frame {
	enum nd_decode_status status;
	const char *status_detail;   /* static text naming where decoding stopped */

	/* link */
	bool has_mac;
	uint8_t src_mac[6], dst_mac[6];
	uint8_t nvlan;
	uint16_t vlan[2];            /* 802.1Q / QinQ tags, outer first (VID only) */
	uint16_t ethertype;          /* of the network layer, after VLAN tags */
	enum nd_dir dir;             /* from SLL packet type, when the link says */

	/* network */
	uint8_t ip_version;          /* 4, 6, or 0 */
	struct nd_addr src, dst;
	uint8_t ttl;                 /* TTL or hop limit */
	uint8_t l4proto;             /* IPPROTO_*, after IPv6 extension headers */
	bool fragment;               /* any fragment: MF set or offset non-zero */
	bool first_fragment;         /* offset zero */
	struct nd_csum ip4_csum;     /* IPv4 header checksum verdict; NA for IPv6 */

	/* transport */
	uint16_t sport, dport;       /* UDP/TCP ports */
	uint8_t icmp_type, icmp_code;
	uint8_t tcp_flags;           /* FIN 0x01, SYN 0x02, RST 0x04, ACK 0x10 ... */
	struct nd_csum l4_csum;      /* UDP, TCP, ICMPv4, ICMPv6 */

	/* UDP/TCP: bytes after the transport header; ICMP/ICMPv6: the whole
	 * message from its type byte.  Bounded by both caplen and the length
	 * fields; payload_truncated says caplen cut it. */
	struct nd_cur payload;
	bool payload_truncated;

	struct nd_encap_info encap;  /* kind NONE when nothing is inside */
};

/* What a capture source says about one frame besides its bytes. */
struct nd_frame_meta {
	uint64_t number;         /* 1-based position in its source (file or live run) */
	double ts;               /* seconds since the epoch */
	uint32_t caplen, wirelen;
	int linktype;            /* enum nd_linktype */
	unsigned ifindex;        /* interface within the source (pcapng IDB, live ifindex) */
	const char *ifname;      /* capture point name, "" when unknown; owned by the source */
	enum nd_dir dir;         /* pcapng EPB flags or PACKET_OUTGOING; UNKNOWN if not said */
	uint32_t hints;          /* ND_HINT_* */
};

/* Decode one frame.  `hints` is ND_HINT_* from the capture source.  Returns
 * 0 when f->status is ND_DECODE_OK, else -EMSGSIZE (truncated), -EINVAL
 * (malformed) or -EPROTONOSUPPORT (unsupported); f is filled as far as
 * decoding got in every case. */
int nd_frame_decode(struct nd_frame *f, int linktype, const uint8_t *data,
		    size_t caplen, size_t wirelen, uint32_t hints);

/* Decode what `outer` carries (outer->encap.kind != NONE) into `inner`,
 * as nd_frame_decode does.  An ICMP quote is decoded as if cut by a snap
 * length: a quoted datagram is usually incomplete, which makes its
 * checksum unverifiable, not its packet malformed. */
int nd_frame_decode_inner(struct nd_frame *inner, const struct nd_frame *outer, uint32_t hints);

/* Tunnels inside tunnels are followed this deep. */
#define ND_ENCAP_DEPTH_MAX 4

/* "vxlan", "geneve", "gre", ... */
const char *nd_encap_name(enum nd_encap kind);

const char *nd_csum_class_name(enum nd_csum_class cls);
const char *nd_decode_status_name(enum nd_decode_status st);

/* Internet checksum (RFC 1071) helpers.  nd_csum_partial adds buf to a
 * running one's-complement sum, a machine word at a time; nd_csum_fold
 * folds it to 16 bits and complements it. */
uint64_t nd_csum_partial(const void *buf, size_t len, uint64_t sum);
uint16_t nd_csum_fold(uint64_t sum);

/* Text form of an address ("192.0.2.1", "2001:db8::1"); buf >= 46 bytes. */
const char *nd_addr_str(const struct nd_addr *a, char *buf, size_t len);

#pragma GCC visibility pop
#endif
