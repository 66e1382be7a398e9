/* Active probing: "would a new guest on this bridge get DHCP and DNS?"
 *
 * A probe port is a veth pair: one end enslaved to the bridge like a guest's
 * tap, the other inside a private network namespace that netdiag makes with
 * unshare(2) and keeps alive only through a file descriptor.  Nothing is
 * named in /run/netns, so closing the descriptor removes the namespace, and
 * deleting the bridge-side end removes the pair: a crash leaves at most one
 * veth (named ndp<pid>h, which nd_active_port_open clears before reuse).
 */
#ifndef NETDIAG_ACTIVE_H
#define NETDIAG_ACTIVE_H

/* exported from libnetdiag.so, whose other symbols are hidden */
#pragma GCC visibility push(default)

#include <net/if.h>
#include <stdint.h>

struct nl_sock;

struct nd_active_port {
	int home_ns;                 /* fd of the namespace netdiag runs in */
	int probe_ns;                /* fd of the private namespace */
	char bridge[IF_NAMESIZE];
	char host_if[IF_NAMESIZE];   /* bridge-side end, in home_ns */
	char probe_if[IF_NAMESIZE];  /* guest-side end, in probe_ns */
	int host_ifindex;            /* in home_ns */
	int probe_ifindex;           /* in probe_ns */
	uint8_t probe_mac[6];
	struct nl_sock *nl;          /* rtnetlink in home_ns, for the port state */
};

/* Create the namespace and the veth pair, enslave and bring up the
 * bridge-side end, bring up lo and the probe end inside.  On error nothing
 * is left behind.  -ENODEV: no such bridge; -EINVAL: not a bridge. */
int nd_active_port_open(struct nd_active_port *p, const char *bridge);

/* Switch the calling thread into the probe namespace and back.  Sockets
 * keep the namespace they were created in. */
int nd_active_port_enter(const struct nd_active_port *p);
int nd_active_port_leave(const struct nd_active_port *p);

/* The bridge port state of the bridge-side end (enum nd_port_state in
 * netdiag/host.h: listening and learning while STP holds a new port back),
 * read over rtnetlink in home_ns, so it may be called from either
 * namespace.  Negative errno when the kernel does not say. */
int nd_active_port_state(const struct nd_active_port *p);

/* Remove the veth pair and the namespace; safe on a half-opened port. */
void nd_active_port_close(struct nd_active_port *p);

/* The active probe: from a probe port on `bridge`, a DHCPv4 exchange
 * (DISCOVER to ACK over a packet socket), the leased address set in the
 * probe namespace, one DNS lookup to the first offered resolver, the lease
 * released, the port removed (always, also on error).  Like a patient
 * client it retransmits DISCOVER, REQUEST and the query with doubling waits
 * from 0.5 s (RFC 2131 4.1, shortened), all within the budget, and sends a
 * DISCOVER at once when STP lets the new port forward.  Findings:
 * active.lease (info, with offer_seconds, discovers and, when the OFFER was
 * slow, slow_reason) or active.no-lease (error, with what was seen),
 * active.dns-answer (info, with the A records in answers) or
 * active.dns-no-answer (error), one per name looked up. */
#include <netdiag/finding.h>

#define ND_ACTIVE_TIMEOUT 10.0       /* default budget, seconds */

struct nd_active_opts {
	const char *bridge;
	const char *resolve;         /* names to look up, comma-separated (up to 8,
	                              * one query each); NULL: "." NS */
	double timeout;              /* budget for lease and lookup, seconds;
	                              * 0 = ND_ACTIVE_TIMEOUT */
};

int nd_active_probe(const struct nd_active_opts *o, struct nd_findings *out,
		    char *err, size_t errlen);

#pragma GCC visibility pop
#endif
