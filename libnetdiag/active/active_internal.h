/* Private to libnetdiag/active: the probe's retry schedule and DHCP client. */
#ifndef NETDIAG_ACTIVE_INTERNAL_H
#define NETDIAG_ACTIVE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <netdiag/clock.h>
#include <netdiag/active.h>

/* RFC 2131 4.1 has a client retransmit with doubling waits (4 s, 8 s, up to
 * 64 s).  The probe starts at 0.5 s so a prompt server costs nothing and a
 * frame lost to a port STP still holds back is soon repeated, and caps the
 * wait at 4 s so a long budget keeps trying.  No random jitter: one probe
 * cannot fall into step with other clients, and a fixed schedule can be
 * tested. */
#define ACTIVE_RETRY_FIRST 0.5
#define ACTIVE_RETRY_MAX 4.0

struct active_retry {
	double next;        /* when the next send is due, monotonic seconds */
	double interval;    /* the wait after that send */
	unsigned sent;      /* sends since the last start */
};

/* A send is due at once, then after 0.5, 1, 2, 4, 4 ... s. */
void active_retry_start(struct active_retry *r, double now);
/* True when a send is due at `now`; counts it and schedules the next. */
bool active_retry_due(struct active_retry *r, double now);


/* How far the DHCP exchange got */
enum active_stage { ACTIVE_NO_OFFER, ACTIVE_NO_ACK, ACTIVE_NAK, ACTIVE_LEASED };

struct active_lease {
	uint32_t xid;
	uint8_t yiaddr[4], server[4], mask[4], dns[4];
	bool have_dns;
	enum active_stage stage;
	unsigned discovers, requests;
	double offer_s;          /* first DISCOVER to first OFFER */
	double seconds;          /* first DISCOVER to ACK (or to giving up) */
	double carrier_s;        /* port made to port up (not disabled) */
	double port_wait_s;      /* time the port was seen listening, learning
	                          * or blocking */
	double server_s;         /* first DISCOVER sent on a forwarding port to
	                          * the OFFER; negative when none was */
	unsigned states_seen;    /* 1 << enum nd_port_state, those counted in
	                          * port_wait_s */
	int port_state;          /* at the end; negative when unknown */
};

/* DISCOVER to ACK from the probe port (the caller is inside its
 * namespace) until `deadline` (monotonic seconds), retransmitting and
 * watching the port state.  0 with a lease; -ETIMEDOUT or -EACCES (NAK),
 * with l->stage saying what was seen, or another negative errno. */
int active_dhcp_exchange(const struct nd_active_port *port, double deadline,
			 struct active_lease *l);

/* A DHCP message of `type` (DISCOVER, REQUEST, RELEASE) for this lease;
 * returns its length.  p must hold 400 bytes. */
size_t active_dhcp_message(uint8_t *p, uint8_t type, const struct nd_active_port *port,
			   const struct active_lease *l);

/* An OFFER slower than this gets a reason */
#define ACTIVE_OFFER_SLOW 1.0

/* Why the OFFER took l->offer_s, as comma-joined reason names
 * ("stp-forward-delay,server-address-check"; "unknown"), "" when it was
 * prompt. */
void active_slow_reason(const struct active_lease *l, char *buf, size_t len);

#endif
