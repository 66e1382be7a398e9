/* Active probing: "would a new guest on this bridge get DHCP and DNS?"
 *
 * A probe port is a veth pair: one end enslaved to the bridge like a guest's
 * tap, the other inside a private network namespace that netdiag makes with
 * unshare(2) and keeps alive only through a file descriptor.  Nothing is
 * named in /run/netns, so closing the descriptor removes the namespace, and
 * deleting the bridge-side end removes the pair: a crash leaves at most one
 * veth (named ndp<pid>h, which nd_probe_port_open clears before reuse).
 */
#ifndef NETDIAG_ACTIVE_H
#define NETDIAG_ACTIVE_H

#include <net/if.h>
#include <stdint.h>

struct nd_probe_port {
	int home_ns;                 /* fd of the namespace netdiag runs in */
	int probe_ns;                /* fd of the private namespace */
	char bridge[IF_NAMESIZE];
	char host_if[IF_NAMESIZE];   /* bridge-side end, in home_ns */
	char probe_if[IF_NAMESIZE];  /* guest-side end, in probe_ns */
	int probe_ifindex;
	uint8_t probe_mac[6];
};

/* Create the namespace and the veth pair, enslave and bring up the
 * bridge-side end, bring up lo and the probe end inside.  On error nothing
 * is left behind.  -ENODEV: no such bridge; -EINVAL: not a bridge. */
int nd_probe_port_open(struct nd_probe_port *p, const char *bridge);

/* Switch the calling thread into the probe namespace and back.  Sockets
 * keep the namespace they were created in. */
int nd_probe_port_enter(const struct nd_probe_port *p);
int nd_probe_port_leave(const struct nd_probe_port *p);

/* Remove the veth pair and the namespace; safe on a half-opened port. */
void nd_probe_port_close(struct nd_probe_port *p);

/* The active probe: from a probe port on `bridge`, a DHCPv4 exchange
 * (DISCOVER to ACK over a packet socket), the leased address set in the
 * probe namespace, one DNS query to the first offered resolver, the lease
 * released, the port removed (always, also on error).  Findings:
 * active.lease (info) or active.no-lease (error), active.dns-answer (info)
 * or active.dns-no-answer (error). */
#include <netdiag/finding.h>

struct nd_active_opts {
	const char *bridge;
	const char *resolve;         /* name to look up; NULL: "." NS */
	double timeout;              /* per step, seconds; 0 = 2 */
};

int nd_active_probe(const struct nd_active_opts *o, struct nd_findings *out,
		    char *err, size_t errlen);

#endif
