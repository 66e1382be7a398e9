/* The DHCPv4 tracker's state, private to libnetdiag/track: dhcp4.c keeps
 * it from the frames, dhcp4_findings.c turns it into findings. */
#ifndef NETDIAG_DHCP4_INTERNAL_H
#define NETDIAG_DHCP4_INTERNAL_H

#include <netdiag/dhcp4.h>

#include "table.h"
#include "track_internal.h"

#define DHCP_SERVER_PORT 67
#define DHCP_CLIENT_PORT 68
#define DHCP4_DEFAULT_CAP 4096
#define DHCP4_SERVERS_MAX 64
#define RETRY_WINDOW 30.0   /* a repeat this soon after a reply means it was dropped */
#define MIN_UNANSWERED 2    /* DISCOVERs / REQUESTs before "no answer" is said */
/* Clients retransmit after about 1 to 4 s (RFC 2131 4.1: 4 s, randomised;
 * busybox udhcpc: 3 tries 3 s apart by default, often 1 s in images): an
 * OFFER later than this may come after the client gave up.  dnsmasq's
 * ICMP check of the address and STP listening/learning cause it. */
#define SLOW_OFFER 2.0

struct client_key {
	char ifname[32];
	uint8_t mac[6];
	uint8_t pad[2];
};

struct client {
	struct client_key key;
	uint32_t discovers, requests, offers, acks, naks, declines;
	uint32_t discovers_before_offer;
	double first, last;
	double first_discover, first_offer;
	bool offer_taken;             /* a REQUEST followed an OFFER: the client took one */
	uint8_t pending_reply;        /* OFFER or ACK seen, no client message since */
	double pending_ts;
	struct nd_csum pending_csum;
	uint8_t pending_src[4];       /* the reply's IP source */
	uint32_t ignored;
	uint8_t ignored_type, ignored_src[4];
	struct nd_csum ignored_csum;
	uint64_t ignored_frames[ND_FINDING_FRAMES_MAX];
	unsigned nignored;
	uint64_t frames[ND_FINDING_FRAMES_MAX]; /* client messages, for no-offer/no-ack */
	unsigned nframes;
	uint8_t yiaddr[4], server[4], nak_server[4];
	uint32_t lease;
	double ack_ts;
};

struct server_key {
	char ifname[32];
	uint8_t id[4];                /* option 54, else the source address */
	uint8_t mac[6];
	uint8_t pad[2];
};

struct server {
	struct server_key key;
	uint32_t offers, acks, naks;
	uint64_t first_frame;
};

/* What evicted clients leave behind, per capture point: DISCOVERs that
 * no OFFER answered.  A flood of clients with no server (1M of them) once
 * evicted every client before its second DISCOVER and said nothing. */
#define DHCP4_POINTS_MAX 64
struct unoffered {
	char ifname[32];
	uint64_t clients, discovers, first_frame;
	double first, last;
};

struct dhcp4_tracker {
	struct nd_tracker t;
	struct nd_table clients;
	struct nd_table servers;
	uint64_t messages, undecodable;
	struct unoffered unoffered[DHCP4_POINTS_MAX];
	unsigned nunoffered;
};

/* A client's findings (no-offer, offer-ignored, nak, no-ack, lease). */
int dhcp4_client_findings(struct nd_table *servers, const struct client *c,
			  struct nd_findings *out);
/* dhcp4.multiple-servers per capture point */
int dhcp4_server_findings(struct dhcp4_tracker *dt, struct nd_findings *out);
/* no-offer for the clients evicted before their outcome was seen */
int dhcp4_unoffered_findings(struct dhcp4_tracker *dt, struct nd_findings *out);

#endif
