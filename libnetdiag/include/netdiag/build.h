/* Building frames: Ethernet (optionally 802.1Q-tagged), IPv4 or IPv6,
 * UDP, TCP or ICMPv6, with correct checksums, or with a checksum spoiled on
 * purpose.  Used by the capture generator, the active probe's DHCP and DNS
 * client, and tests. */
#ifndef NETDIAG_BUILD_H
#define NETDIAG_BUILD_H

/* exported from libnetdiag.so, whose other symbols are hidden */
#pragma GCC visibility push(default)

#include <stddef.h>
#include <stdint.h>

#include <netdiag/pkt.h>

enum nd_spoil {
	ND_SPOIL_NONE = 0,
	ND_SPOIL_ZERO,      /* transport checksum field 0 */
	ND_SPOIL_PARTIAL,   /* pseudo-header sum only, as CHECKSUM_PARTIAL leaves it */
	ND_SPOIL_BAD,       /* a wrong value */
};

struct nd_build_spec {
	uint8_t src_mac[6], dst_mac[6];
	uint16_t vlan;            /* VID; 0 = untagged */
	struct nd_addr src, dst;  /* family picks IPv4 or IPv6 */
	uint8_t ttl;              /* 0 = 64 */
	uint8_t l4proto;          /* IPPROTO_UDP, IPPROTO_TCP, IPPROTO_ICMPV6 */
	uint16_t sport, dport;    /* UDP/TCP */
	uint8_t icmp_type, icmp_code;
	uint8_t tcp_flags;
	const void *payload;      /* after the transport header (ICMPv6: after type/code/sum) */
	size_t payload_len;
	enum nd_spoil spoil;
	uint16_t ip_id;
};

/* Write the frame into buf; *len gets its size.  -ENOSPC when cap is too
 * small, -EINVAL for an unknown family or protocol. */
int nd_build_frame(uint8_t *buf, size_t cap, const struct nd_build_spec *s, size_t *len);

/* Fill a struct nd_addr from text ("192.0.2.1", "2001:db8::1"). */
int nd_addr_parse(struct nd_addr *a, const char *text);

#pragma GCC visibility pop
#endif
