/* Routed ("failover IP") guests: a single address, bound to the guest's
 * MAC by the provider, reaching the world through a gateway outside its own
 * /32.  The guest needs the /32 address, an on-link route to the gateway and
 * the default route via it; each system spells that differently.
 */
#ifndef NETDIAG_ROUTE_H
#define NETDIAG_ROUTE_H

/* exported from libnetdiag.so, whose other symbols are hidden */
#pragma GCC visibility push(default)

#include <netinet/in.h>
#include <net/if.h>
#include <stdio.h>

enum nd_guest_os {
	ND_GUEST_LINUX_IP,        /* iproute2 commands */
	ND_GUEST_SYSTEMD_NETWORKD,
	ND_GUEST_NETPLAN,
	ND_GUEST_IFUPDOWN,
	ND_GUEST_FREEBSD,         /* rc.conf, also pfSense/OPNsense shells */
	ND_GUEST_NETBSD,
	ND_GUEST_OPENBSD,
	ND_GUEST_OS_COUNT,
};

struct nd_guest_net {
	struct in_addr ip;        /* the guest's /32 */
	struct in_addr gateway;   /* outside the /32 by definition */
	char ifname[IF_NAMESIZE]; /* inside the guest; "" = the system's usual name */
};

/* "linux-ip", "systemd-networkd", ... <-> enum; -EINVAL for unknown names. */
int nd_guest_os_parse(const char *name, enum nd_guest_os *os);
const char *nd_guest_os_name(enum nd_guest_os os);

/* Parse "203.0.113.10" or "203.0.113.10/32" (any other prefix: -EINVAL). */
int nd_parse_host_ipv4(const char *text, struct in_addr *ip);

/* -EINVAL when the gateway equals the address, or either is unspecified,
 * multicast or broadcast. */
int nd_guest_net_check(const struct nd_guest_net *n);

/* Write the guest-side configuration for `os`, ready to paste, with a
 * comment naming the file it belongs in.  Returns nd_guest_net_check's
 * verdict; nothing is written when the input is invalid. */
int nd_guest_config_write(FILE *out, enum nd_guest_os os, const struct nd_guest_net *n);

/* ---- the host side and the Linux guest side (libnetdiag/fix/route_guest.c) ---- */

#include <netdiag/finding.h>
#include <netdiag/names.h>
#include <netdiag/out.h>

/* a guest's name: nd_name_ok(name, ND_GUEST_NAME_MAX) */
#define ND_GUEST_NAME_MAX 31

struct nd_guest_route {
	char name[ND_GUEST_NAME_MAX + 1];
	struct in_addr ip;
	char dev[IF_NAMESIZE];       /* the guest's tap on the host */
	struct in_addr gateway;      /* what the guest uses; 0 when not given */
	char mac[18];                /* "" when not given */
	char ip6[48];                /* "2001:db8::10/128" or a prefix; "" when not given */
};

/* Host side: the /32 route via the tap, proxy ARP on the tap, IPv4
 * forwarding, rp_filter loose on the tap when strict; each missing piece
 * journaled and made, present ones left alone (*changes counts what was
 * done: 0 on a repeat).  The set-up is remembered under the run directory
 * as guests/NAME.  -ENODEV: no such tap; -EINVAL: bad name or address. */
int nd_route_guest_add(const struct nd_guest_route *g, unsigned *changes, char *err, size_t errlen);
/* The addresses a guest may have: unicast IPv4 (not 0/8, 224/4, 240/4,
 * the broadcast), a unicast IPv6 address or prefix /1../128; -EINVAL with
 * err naming the address. */
int nd_route_guest_addr_check(const struct nd_guest_route *g, char *err, size_t errlen);
/* The journal's "guest" kind (object NAME).  With no `aside` (add's
 * record): "absent" removes guests/NAME, "present" is checked.  With one
 * (del's): "absent" moves guests/NAME to guests/ASIDE, "present" moves it
 * back (-EEXIST when a guests/NAME made since is in the way). */
int nd_route_guest_state_write(const char *name, const char *aside, const char *value);
/* Remove the host route of a guest set up with add, and its saved set-up
 * (kept aside): both journaled, so undo gives the guest back whole. */
int nd_route_guest_del(const char *name, unsigned *changes, char *err, size_t errlen);
/* The guests set up with add (libnetdiag/fix/route_guest_state.c). */
int nd_route_guest_load(const char *name, struct nd_guest_route *g);
int nd_route_guest_names(char names[][32], unsigned max, unsigned *n);
/* One guest of the list through the output writer, with the findings of
 * nd_route_guest_check: in JSON an array element {"name", "ip", "dev",
 * "route" (its host route is there), "problems" (findings)}; in text
 * "NAME IP/32 via TAP ok" or "PROBLEMS (netdiag route guest check)". */
void nd_route_guest_print(const struct nd_guest_route *g, const struct nd_findings *fs,
			  struct nd_out *o);
/* Each piece present and effective, as findings: route.missing-host-route,
 * route.no-proxy-arp, route.forwarding-off, route.rpfilter-strict, and
 * route.guest-mac-mismatch when the guest's address answers from another
 * MAC than --mac (providers bind a failover IP to one MAC). */
int nd_route_guest_check(const struct nd_guest_route *g, struct nd_findings *out);
/* Guest side, inside a Linux guest: the /32 address, the on-link route to
 * the gateway and the default route via it, journaled. */
int nd_route_guest_apply(struct in_addr ip, struct in_addr gw, const char *ifname,
			 unsigned *changes, char *err, size_t errlen);

#pragma GCC visibility pop
#endif
