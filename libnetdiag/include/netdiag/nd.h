/* ICMPv6 neighbour discovery (RFC 4861) and RDNSS (RFC 8106): router
 * solicitations and advertisements with their options, neighbour
 * solicitations and advertisements.  Input: the whole ICMPv6 message. */
#ifndef NETDIAG_ND_H
#define NETDIAG_ND_H

/* exported from libnetdiag.so, whose other symbols are hidden */
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stdint.h>

#include <netdiag/cursor.h>

enum { ND_ICMP6_RS = 133, ND_ICMP6_RA = 134, ND_ICMP6_NS = 135, ND_ICMP6_NA = 136 };

#define ND_NDP_PREFIXES_MAX 4
#define ND_NDP_RDNSS_MAX 4

struct nd_ndp_prefix {
	uint8_t prefix[16];
	uint8_t len;
	bool on_link, autonomous;
	uint32_t valid, preferred;
};

struct nd_ndp_msg {
	uint8_t type;
	/* RA */
	uint8_t hop_limit;
	bool managed, other;           /* M and O flags: use DHCPv6 */
	uint16_t router_lifetime;      /* seconds; 0 = not a default router */
	struct nd_ndp_prefix prefixes[ND_NDP_PREFIXES_MAX];
	unsigned nprefixes;
	uint32_t mtu;                  /* 0 when absent */
	uint8_t rdnss[ND_NDP_RDNSS_MAX][16];
	unsigned nrdnss;
	uint32_t rdnss_lifetime;
	bool has_lladdr;
	uint8_t lladdr[6];
	/* NS / NA */
	uint8_t target[16];
	bool router_flag, solicited, override;
};

/* 0, -EMSGSIZE (short), -EINVAL (an option of length 0 or overrunning),
 * -EPROTONOSUPPORT (not an ND message). */
int nd_ndp_parse(struct nd_ndp_msg *m, struct nd_cur c);

#pragma GCC visibility pop
#endif
