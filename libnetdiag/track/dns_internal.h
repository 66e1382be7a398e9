/* The DNS tracker's state, shared by its matching (dns.c) and its
 * findings (dns_findings.c); private to libnetdiag/track. */
#ifndef NETDIAG_TRACK_DNS_INTERNAL_H
#define NETDIAG_TRACK_DNS_INTERNAL_H

#include <netdiag/dns.h>

#include "table.h"
#include "track_internal.h"

#define DNS_POINTS_MAX 128       /* capture points named; more share the last */
#define DNS_TIMEOUT 1.0          /* a query older than this at the end is unanswered */
#define DNS_LATENCY_SAMPLES 1024 /* first samples per server kept for percentiles */
#define NAME_KEEP 64
/* a message's lookups are made this many messages after it came: on a
 * flood each is a cache miss, and one message's work was too short a
 * time for the memory to answer */
#define DNS_AHEAD 4

/* Keys are compact (issue 16): the capture point as a small number
 * (dns_tracker.points), not its name; 40-48 bytes, no padding but what
 * memset clears. */
struct txn_key {
	struct nd_addr client, server;
	uint16_t point, cport, id;
};

/* One cache line, what matching reads; the question's name is in the
 * tracker's name log (names).  A flood writes one per query. */
struct txn {
	struct txn_key key;
	double last_query;
	uint64_t first_frame;
	uint32_t name;               /* its question's name: dns_tracker.names[] */
	uint8_t queries;             /* 1, or 2 for more: only "more than one" is asked */
	bool replied, settled, pending_counted;
};

/* A question, whatever the id and port: resolvers change both when
 * they retry, so a retry is the same name and type asked again. */
struct question_key {
	struct nd_addr client, server;
	uint16_t point, qtype;
	uint8_t pad[2];
	uint64_t name_hash;          /* of the name, case folded */
};

/* One cache line: the answer's checksum verdict packed (struct nd_csum
 * has an enum) */
struct question {
	struct question_key key;
	double reply_ts;
	bool replied;                /* an answer was on the wire since the last query */
	uint8_t reply_cls;           /* enum nd_csum_class */
	uint16_t reply_rcode;
	uint16_t reply_found, reply_expected;
};

_Static_assert(sizeof(struct txn) == 64 && sizeof(struct question) == 64,
	       "DNS entries fill whole cache lines");

struct server_key {
	struct nd_addr server;
	struct nd_addr client;       /* the zero address: per-server totals */
	uint16_t point;
};

struct server {
	struct server_key key;
	uint64_t txns, answered, unanswered, retransmissions, responses;
	uint64_t pending;                 /* asked less than DNS_TIMEOUT before the end */
	uint64_t servfail, refused, truncated, ignored;
	struct nd_csum ignored_verdict;   /* the reply a client ignored, first example */
	uint64_t ignored_frames[ND_FINDING_FRAMES_MAX];
	unsigned nignored_frames;
	uint64_t unanswered_frames[ND_FINDING_FRAMES_MAX];
	unsigned nunanswered_frames;
	bool tc_pending;                  /* a TC reply with no TCP retry seen yet */
	double first, last;
	float latency_ms[DNS_LATENCY_SAMPLES];
	unsigned nlatency;
	char example[NAME_KEEP];
};

/* A DNS message whose lookups wait for the next one (dns.c): its keys,
 * hashed and their cells fetched, and what matching needs of the frame. */
struct dns_msg {
	struct txn_key k;            /* k.client, k.server: the conversation's ends */
	struct question_key qk;
	uint32_t kh, qh;
	bool query, tc;
	uint16_t rcode;
	struct nd_csum csum;         /* the UDP checksum verdict */
	double ts;
	uint64_t number;
	char qname[NAME_KEEP];
};

struct dns_tracker {
	struct nd_tracker t;
	struct nd_table txns;
	struct nd_table questions;
	struct nd_table servers;
	struct server *last_server;  /* lookup cache: one resolver answers most */
	/* the transactions' names, written in the order they were made, a
	 * name the same as the last one written shared (a name is read only
	 * for a server's example; a flood asks one name over and over).
	 * As many as the transactions: one made per transaction at most,
	 * so a name outlives every transaction that holds it (dns.c) */
	char (*names)[NAME_KEEP];
	uint32_t names_next, names_last;
	char points[DNS_POINTS_MAX][ND_POINT_NAME_MAX];  /* key.point -> name */
	unsigned npoints, last_point;
	double now;
	uint64_t messages, undecodable;
	uint64_t pending;            /* at the last report */
	/* messages waiting for their lookups (DNS_AHEAD at most), in
	 * arrival order from msg[head], and room for the one coming */
	struct dns_msg msg[DNS_AHEAD + 1];
	unsigned head, nwaiting;
};

/* The per-server figures (client given: per client and server), made on
 * first use. */
struct server *dns_server_for(struct dns_tracker *dt, uint16_t point,
			      const struct nd_addr *server, const struct nd_addr *client);

/* Match the message still waiting for its lookups, if any: before
 * anything reads or changes the tables. */
void dns_flush(struct dns_tracker *dt);

/* Count a transaction never answered as unanswered, once. */
void dns_settle(struct dns_tracker *dt, struct txn *x);

/* The tracker's report and stats_print (dns_findings.c). */
int dns_report(struct nd_tracker *t, double now, struct nd_findings *out);
void dns_stats(struct nd_tracker *t, struct nd_out *o);

#endif
