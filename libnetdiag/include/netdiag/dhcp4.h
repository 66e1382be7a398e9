/* DHCPv4 messages (RFC 2131, options RFC 2132 and later): the BOOTP header
 * and the options netdiag reasons about.  Fixed-size, no allocation. */
#ifndef NETDIAG_DHCP4_H
#define NETDIAG_DHCP4_H

/* exported from libnetdiag.so, whose other symbols are hidden */
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stdint.h>

#include <netdiag/cursor.h>

enum nd_dhcp4_type {
	ND_DHCP4_BOOTP = 0,      /* no option 53: plain BOOTP */
	ND_DHCP4_DISCOVER = 1, ND_DHCP4_OFFER, ND_DHCP4_REQUEST, ND_DHCP4_DECLINE,
	ND_DHCP4_ACK, ND_DHCP4_NAK, ND_DHCP4_RELEASE, ND_DHCP4_INFORM,
};

#define ND_DHCP4_ADDRS_MAX 4
#define ND_DHCP4_TEXT_MAX 64

struct nd_dhcp4 {
	uint8_t op, htype, hlen, hops;
	uint32_t xid;
	uint16_t secs, flags;
	uint8_t ciaddr[4], yiaddr[4], siaddr[4], giaddr[4];
	uint8_t chaddr[16];
	uint8_t type;                       /* enum nd_dhcp4_type */
	bool has_server_id, has_requested_ip, has_mask, has_lease, has_t1, has_t2;
	bool has_relay_info, has_mtu;
	uint8_t server_id[4], requested_ip[4], mask[4];
	uint32_t lease, t1, t2;
	uint16_t mtu;
	uint8_t routers[ND_DHCP4_ADDRS_MAX][4];
	unsigned nrouters;
	uint8_t dns[ND_DHCP4_ADDRS_MAX][4];
	unsigned ndns;
	char hostname[ND_DHCP4_TEXT_MAX], domain[ND_DHCP4_TEXT_MAX];
	uint8_t params[ND_DHCP4_TEXT_MAX];  /* option 55, parameter request list */
	unsigned nparams;
	uint8_t client_id[ND_DHCP4_TEXT_MAX];
	unsigned client_id_len;
	unsigned search_len;                /* option 119, encoded length */
	unsigned classless_routes;          /* option 121, routes given */
	uint8_t overload;                   /* option 52: 1 file, 2 sname, 3 both */
	unsigned noptions;
};

/* 0, -EMSGSIZE (short), -EINVAL (no magic cookie or an option overruns). */
int nd_dhcp4_parse(struct nd_dhcp4 *m, struct nd_cur c);

const char *nd_dhcp4_type_name(uint8_t type);

#pragma GCC visibility pop
#endif
