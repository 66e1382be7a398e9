/* DHCPv6 messages (RFC 8415): client/server and relay messages, DUIDs,
 * IA_NA and IA_PD with their addresses and prefixes, status codes.
 * Relay messages are unwrapped: the fields describe the innermost
 * client/server message, `relayed` counts the relay layers. */
#ifndef NETDIAG_DHCP6_H
#define NETDIAG_DHCP6_H

/* exported from libnetdiag.so, whose other symbols are hidden */
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stdint.h>

#include <netdiag/cursor.h>

enum nd_dhcp6_type {
	ND_DHCP6_SOLICIT = 1, ND_DHCP6_ADVERTISE, ND_DHCP6_REQUEST, ND_DHCP6_CONFIRM,
	ND_DHCP6_RENEW, ND_DHCP6_REBIND, ND_DHCP6_REPLY, ND_DHCP6_RELEASE, ND_DHCP6_DECLINE,
	ND_DHCP6_RECONFIGURE, ND_DHCP6_INFORMATION_REQUEST, ND_DHCP6_RELAY_FORW,
	ND_DHCP6_RELAY_REPL,
};

#define ND_DHCP6_DUID_MAX 32
#define ND_DHCP6_IA_MAX 4
#define ND_DHCP6_ADDRS_MAX 4
#define ND_DHCP6_STATUS_NONE 0xffff

struct nd_dhcp6_lease {
	uint8_t addr[16];
	uint8_t prefix_len;          /* 128 for an IAADDR */
	uint32_t preferred, valid;
};

struct nd_dhcp6_ia {
	uint16_t type;               /* 3 IA_NA, 25 IA_PD */
	uint32_t iaid, t1, t2;
	uint16_t status;             /* ND_DHCP6_STATUS_NONE when absent */
	struct nd_dhcp6_lease leases[ND_DHCP6_ADDRS_MAX];
	unsigned nleases;
};

struct nd_dhcp6 {
	uint8_t type;
	uint32_t xid;                /* 24 bits */
	unsigned relayed;
	uint8_t client_duid[ND_DHCP6_DUID_MAX], server_duid[ND_DHCP6_DUID_MAX];
	unsigned client_duid_len, server_duid_len;
	uint16_t status;             /* top-level status, or ND_DHCP6_STATUS_NONE */
	struct nd_dhcp6_ia ia[ND_DHCP6_IA_MAX];
	unsigned nia;
	unsigned ndns;
	bool rapid_commit;
};

/* 0, -EMSGSIZE (short), -EINVAL (an option overruns, relays nest too deep). */
int nd_dhcp6_parse(struct nd_dhcp6 *m, struct nd_cur c);

const char *nd_dhcp6_type_name(uint8_t type);
const char *nd_dhcp6_status_name(uint16_t status);

#pragma GCC visibility pop
#endif
