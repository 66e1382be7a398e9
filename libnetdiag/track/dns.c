/* The DNS tracker: one transaction per (capture point, client, server,
 * client port, id); per-server figures.  Findings: dns.unanswered,
 * dns.reply-ignored, dns.servfail, dns.refused, dns.truncated-no-tcp,
 * dns.latency (info). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <netdiag/dns.h>

#include "table.h"
#include "track_internal.h"

#define DNS_PORT 53
#define DNS_DEFAULT_CAP 65536
#define DNS_SERVERS_MAX 256
#define DNS_POINTS_MAX 128       /* capture points named; more share the last */
#define DNS_TIMEOUT 1.0          /* a query older than this at the end is unanswered */
#define DNS_LATENCY_SAMPLES 1024 /* first samples per server kept for percentiles */
#define TCP_SYN 0x02
#define TCP_ACK 0x10
#define NAME_KEEP 64
/* A resolver that got no usable answer asks again within its timeout:
 * glibc after 5 s (resolv.conf(5) timeout:5, attempts:2), busybox
 * nslookup and dig sooner.  A repeat later than this is a new lookup. */
#define DNS_RETRY_WINDOW 12.0
/* ... and not sooner than its shortest timeout: the same question asked
 * again at once is a new lookup by a client that has its answer
 * (nslookup, then getent, for the same name) */
#define DNS_RETRY_MIN 0.8


/* Keys are compact (issue 16): the capture point as a small number
 * (dns_tracker.points), not its name; 40-48 bytes, no padding but what
 * memset clears. */
struct txn_key {
	struct nd_addr client, server;
	uint16_t point, cport, id;
};

struct txn {
	struct txn_key key;
	double first_query, last_query;
	uint32_t queries;
	bool replied, settled, pending_counted;
	struct nd_csum reply_csum;   /* of the last reply */
	uint64_t first_frame;
	char qname[NAME_KEEP];
};

/* A question, whatever the id and port: resolvers change both when
 * they retry, so a retry is the same name and type asked again. */
struct question_key {
	struct nd_addr client, server;
	uint16_t point, qtype;
	uint8_t pad[2];
	uint64_t name_hash;          /* of the name, case folded */
};

struct question {
	struct question_key key;
	double last_query, reply_ts;
	bool replied;                /* an answer was on the wire since the last query */
	uint16_t reply_rcode;
	struct nd_csum reply_csum;
};

struct server_key {
	struct nd_addr server;
	struct nd_addr client;       /* the zero address: per-server totals */
	uint16_t point;
};

struct server {
	struct server_key key;
	uint64_t txns, answered, unanswered, retransmissions, responses, unmatched;
	uint64_t pending;                 /* asked less than DNS_TIMEOUT before the end */
	uint64_t servfail, refused, truncated, ignored;
	uint64_t retried_after_error;     /* asked again after SERVFAIL/REFUSED: normal */
	uint64_t repeated_after_answer;   /* asked again after a sound answer: no blame */
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

struct dns_tracker {
	struct nd_tracker t;
	struct nd_table txns;
	struct nd_table questions;
	struct nd_table servers;
	struct server *last_server;  /* lookup cache: one resolver answers most */
	char points[DNS_POINTS_MAX][ND_POINT_NAME_MAX];  /* key.point -> name */
	unsigned npoints, last_point;
	double now;
	uint64_t messages, undecodable;
	uint64_t pending;            /* at the last report */
};

/* The capture point's number: the last one's again, most of the time. */
static uint16_t point_of(struct dns_tracker *dt, const char *name)
{
	unsigned i;

	if (dt->npoints && !strcmp(dt->points[dt->last_point], name))
		return (uint16_t)dt->last_point;
	for (i = 0; i < dt->npoints; i++)
		if (!strcmp(dt->points[i], name))
			break;
	if (i == dt->npoints) {
		if (dt->npoints == DNS_POINTS_MAX)
			return DNS_POINTS_MAX - 1;
		snprintf(dt->points[i], sizeof(dt->points[i]), "%s", name);
		dt->npoints++;
	}
	dt->last_point = i;
	return (uint16_t)i;
}

static struct server *server_for(struct dns_tracker *dt, uint16_t point,
				 const struct nd_addr *server, const struct nd_addr *client)
{
	struct server_key k;
	struct server *s;
	bool created;

	memset(&k, 0, sizeof(k));
	k.point = point;
	k.server = *server;
	if (client)
		k.client = *client;
	/* the slot may have been taken by another server since: the key says */
	if (dt->last_server && !memcmp(&dt->last_server->key, &k, sizeof(k)))
		return dt->last_server;
	s = nd_table_get(&dt->servers, &k, true, &created);
	dt->last_server = s;
	return s;
}

static void add_frame(uint64_t *frames, unsigned *n, uint64_t frame)
{
	if (*n < ND_FINDING_FRAMES_MAX)
		frames[(*n)++] = frame;
}

/* An evicted or expired transaction never answered counts as unanswered. */
static void settle(struct dns_tracker *dt, struct txn *x)
{
	struct server *s;

	if (x->replied || x->settled)
		return;
	s = server_for(dt, x->key.point, &x->key.server, NULL);
	s->unanswered++;
	add_frame(s->unanswered_frames, &s->nunanswered_frames, x->first_frame);
	if (!s->example[0])
		memcpy(s->example, x->qname, sizeof(s->example));
	x->settled = true;
}

/* Unanswered means seen unanswered: a transaction pushed out of a full
 * table while its answer could still come (younger than DNS_TIMEOUT, not
 * retransmitted) was not followed, and is counted apart, not blamed on
 * the server (70,000 queries answered 0.6 s later gave a false
 * dns.unanswered for the 4,464 evicted). */
static void on_evict(void *ctx, void *entry)
{
	struct dns_tracker *dt = ctx;
	struct txn *x = entry;

	if (!x->replied && !x->settled && dt->now - x->last_query < DNS_TIMEOUT &&
	    x->queries == 1) {
		dt->t.not_followed++;
		x->settled = true;
		return;
	}
	settle(dt, x);
}

/* FNV-1a over the name, ASCII case folded (RFC 4343). */
static uint64_t name_hash(const char *name)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		unsigned char c = *p >= 'A' && *p <= 'Z' ? *p + 32 : *p;

		h = (h ^ c) * 0x100000001b3ull;
	}
	return h;
}

static struct question *question_for(struct dns_tracker *dt, uint16_t point,
				     const struct nd_addr *client, const struct nd_addr *server,
				     const struct nd_dns *d, bool create)
{
	struct question_key k;

	memset(&k, 0, sizeof(k));
	k.point = point;
	k.client = *client;
	k.server = *server;
	k.name_hash = name_hash(d->qname);
	k.qtype = d->qtype;
	return nd_table_get(&dt->questions, &k, create, NULL);
}

/* The question asked again: after a reply that was on the wire, this
 * is the client acting as if it never got it.  Counter-evidence stops
 * the blame: an error answer (SERVFAIL, REFUSED) is retried by design,
 * and a sound answer (checksum complete and right) cannot have been
 * dropped for its checksum. */
static void question_again(struct server *s, struct question *q, const struct nd_frame_meta *m)
{
	if (!q->replied || m->ts - q->reply_ts > DNS_RETRY_WINDOW ||
	    m->ts - q->reply_ts < DNS_RETRY_MIN)
		return;
	if (q->reply_rcode == ND_DNS_RCODE_SERVFAIL || q->reply_rcode == ND_DNS_RCODE_REFUSED) {
		s->retried_after_error++;
		return;
	}
	if (q->reply_csum.cls == ND_CSUM_OK || q->reply_csum.cls == ND_CSUM_NONE ||
	    q->reply_csum.cls == ND_CSUM_NA) {
		s->repeated_after_answer++;
		return;
	}
	if (!s->ignored)
		s->ignored_verdict = q->reply_csum;
	s->ignored++;
	add_frame(s->ignored_frames, &s->nignored_frames, m->number);
}

static void txn_key_of(struct txn_key *k, uint16_t point, const struct nd_addr *client,
		       const struct nd_addr *server, uint16_t cport, uint16_t id)
{
	memset(k, 0, sizeof(*k));
	k->point = point;
	k->client = *client;
	k->server = *server;
	k->cport = cport;
	k->id = id;
}

static void query(struct dns_tracker *dt, const struct nd_frame_meta *m,
		  const struct nd_frame *f, const struct nd_dns *d, uint16_t point)
{
	struct txn_key k;
	struct server *s;
	struct question *q;
	struct txn *x;
	bool created;

	txn_key_of(&k, point, &f->src, &f->dst, f->sport, d->id);
	x = nd_table_get(&dt->txns, &k, true, &created);
	s = server_for(dt, point, &f->dst, NULL);
	q = question_for(dt, point, &f->src, &f->dst, d, true);
	question_again(s, q, m);
	q->replied = false;
	q->last_query = m->ts;
	if (created) {
		x->first_query = m->ts;
		x->first_frame = m->number;
		/* kept for the report: a copy, no formatting per query */
		nd_key_name(x->qname, sizeof(x->qname), d->qname);
		s->txns++;
		if (!s->first)
			s->first = m->ts;
	} else {
		s->retransmissions++;
	}
	x->queries++;
	x->last_query = m->ts;
	s->last = m->ts;
}

static void response(struct dns_tracker *dt, const struct nd_frame_meta *m,
		     const struct nd_frame *f, const struct nd_dns *d, uint16_t point)
{
	struct txn_key k;
	struct server *s = server_for(dt, point, &f->src, NULL);
	struct question *q = question_for(dt, point, &f->dst, &f->src, d, false);
	struct txn *x;

	if (q) {
		q->replied = true;
		q->reply_ts = m->ts;
		q->reply_rcode = d->rcode;
		q->reply_csum = f->l4_csum;
	}
	txn_key_of(&k, point, &f->dst, &f->src, f->dport, d->id);
	x = nd_table_get(&dt->txns, &k, false, NULL);
	s->responses++;
	s->last = m->ts;
	if (!x) {
		s->unmatched++;
		return;
	}
	if (d->rcode == ND_DNS_RCODE_SERVFAIL)
		s->servfail++;
	else if (d->rcode == ND_DNS_RCODE_REFUSED)
		s->refused++;
	if (d->tc) {
		struct server *pair = server_for(dt, point, &f->src, &f->dst);

		s->truncated++;
		pair->tc_pending = true;
		pair->first = m->ts;
		add_frame(pair->unanswered_frames, &pair->nunanswered_frames, m->number);
	}
	x->reply_csum = f->l4_csum;
	if (x->replied)
		return;
	x->replied = true;
	s->answered++;
	if (s->nlatency < DNS_LATENCY_SAMPLES)
		s->latency_ms[s->nlatency++] = (float)((m->ts - x->last_query) * 1000.0);
}

/* A TCP connection attempt from the client to the server's port 53 is the
 * retry RFC 7766 expects after a truncated UDP answer. */
static void tcp_retry(struct dns_tracker *dt, const struct nd_frame *f, uint16_t point)
{
	struct server_key k;
	struct server *pair;

	memset(&k, 0, sizeof(k));
	k.point = point;
	k.server = f->dst;
	k.client = f->src;
	pair = nd_table_get(&dt->servers, &k, false, NULL);
	if (pair)
		pair->tc_pending = false;
}

static int dns_on_frame(struct nd_tracker *t, const struct nd_frame_meta *m,
			const struct nd_frame *f)
{
	struct dns_tracker *dt = (struct dns_tracker *)t;
	struct nd_dns d;
	uint16_t point;
	int err;

	dt->now = m->ts;
	if (f->status != ND_DECODE_OK || (f->sport != DNS_PORT && f->dport != DNS_PORT))
		return 0;
	point = point_of(dt, m->ifname ? m->ifname : "");
	if (f->l4proto == 6) {
		if (f->dport == DNS_PORT && (f->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN)
			tcp_retry(dt, f, point);
		return 0;
	}
	if (f->l4proto != 17)
		return 0;
	err = nd_dns_parse(&d, f->payload);
	/* a reply whose sections are cut still has a usable header */
	if (err && (err != -EMSGSIZE || nd_cur_left(&f->payload) < 12)) {
		dt->undecodable++;
		return 0;
	}
	dt->messages++;
	if (!d.qr && f->dport == DNS_PORT)
		query(dt, m, f, &d, point);
	else if (d.qr && f->sport == DNS_PORT)
		response(dt, m, f, &d, point);
	return 0;
}

static int cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;

	return (x > y) - (x < y);
}

static double percentile(const float *sorted, unsigned n, double p)
{
	unsigned i = (unsigned)ceil(p * n) - 1;

	return n ? sorted[i < n ? i : n - 1] : 0;
}

static struct nd_finding *server_finding(struct dns_tracker *dt, struct nd_findings *out,
					 const struct server *s, const char *id, enum nd_severity sev)
{
	struct nd_finding *fd = nd_findings_add(out, id, sev);
	char srv[64], cli[64];

	if (!fd)
		return NULL;
	snprintf(fd->ifname, sizeof(fd->ifname), "%s", dt->points[s->key.point]);
	nd_addr_str(&s->key.server, srv, sizeof(srv));
	if (s->key.client.family)
		nd_finding_subject(fd, "client %s, server %s",
				   nd_addr_str(&s->key.client, cli, sizeof(cli)), srv);
	else
		nd_finding_subject(fd, "server %s", srv);
	nd_finding_set_str(fd, "server", srv);
	/* local or beyond: a live check knows the host's addresses */
	nd_finding_set_str(fd, "server_here", "unknown");
	fd->first = s->first;
	fd->last = s->last;
	return fd;
}

static int server_findings(struct dns_tracker *dt, struct server *s, struct nd_findings *out)
{
	struct nd_finding *fd;

	if (s->key.client.family) {
		if (!s->tc_pending)
			return 0;
		fd = server_finding(dt, out, s, "dns.truncated-no-tcp", ND_SEV_WARNING);
		if (!fd)
			return -ENOMEM;
		fd->count = s->nunanswered_frames;
		for (unsigned i = 0; i < s->nunanswered_frames; i++)
			nd_finding_add_frame(fd, s->unanswered_frames[i]);
		nd_finding_summary(fd, "a truncated (TC) answer was not retried over TCP: "
				   "the client got no full answer");
		return 0;
	}
	if (s->unanswered) {
		fd = server_finding(dt, out, s, "dns.unanswered",
				    s->answered ? ND_SEV_WARNING : ND_SEV_ERROR);
		if (!fd)
			return -ENOMEM;
		fd->count = s->unanswered;
		for (unsigned i = 0; i < s->nunanswered_frames; i++)
			nd_finding_add_frame(fd, s->unanswered_frames[i]);
		fd->frames_total = s->unanswered;
		nd_finding_set_int(fd, "queries", (int64_t)s->txns);
		nd_finding_set_int(fd, "unanswered", (int64_t)s->unanswered);
		nd_finding_set_int(fd, "answered", (int64_t)s->answered);
		nd_finding_set_int(fd, "retransmissions", (int64_t)s->retransmissions);
		nd_finding_set_int(fd, "pending", (int64_t)s->pending);
		nd_finding_set_str(fd, "example", s->example);
		nd_finding_summary(fd, "%llu of %llu queries got no answer (%llu retransmissions)",
				   (unsigned long long)s->unanswered, (unsigned long long)s->txns,
				   (unsigned long long)s->retransmissions);
	}
	if (s->ignored) {
		fd = server_finding(dt, out, s, "dns.reply-ignored", ND_SEV_ERROR);
		if (!fd)
			return -ENOMEM;
		fd->count = s->ignored;
		for (unsigned i = 0; i < s->nignored_frames; i++)
			nd_finding_add_frame(fd, s->ignored_frames[i]);
		nd_finding_set_csum(fd, "reply_checksum", &s->ignored_verdict);
		nd_finding_summary(fd, "%llu questions asked again after their answer was on the "
				   "wire; the answer's UDP checksum was %s",
				   (unsigned long long)s->ignored,
				   nd_csum_class_name(s->ignored_verdict.cls));
	}
	for (int k = 0; k < 2; k++) {
		uint64_t n = k ? s->refused : s->servfail;

		if (!n)
			continue;
		fd = server_finding(dt, out, s, k ? "dns.refused" : "dns.servfail", ND_SEV_WARNING);
		if (!fd)
			return -ENOMEM;
		fd->count = n;
		nd_finding_set_int(fd, "count", (int64_t)n);
		nd_finding_set_int(fd, "responses", (int64_t)s->responses);
		nd_finding_set_double(fd, "rate", (double)n / (double)s->responses);
		nd_finding_summary(fd, "%llu of %llu answers were %s",
				   (unsigned long long)n, (unsigned long long)s->responses,
				   k ? "REFUSED" : "SERVFAIL");
	}
	if (s->nlatency) {
		float sorted[DNS_LATENCY_SAMPLES];

		memcpy(sorted, s->latency_ms, sizeof(float) * s->nlatency);
		qsort(sorted, s->nlatency, sizeof(float), cmp_float);
		fd = server_finding(dt, out, s, "dns.latency", ND_SEV_INFO);
		if (!fd)
			return -ENOMEM;
		fd->count = s->answered;
		nd_finding_set_int(fd, "answered", (int64_t)s->answered);
		nd_finding_set_double(fd, "p50_ms", percentile(sorted, s->nlatency, 0.50));
		nd_finding_set_double(fd, "p90_ms", percentile(sorted, s->nlatency, 0.90));
		nd_finding_set_double(fd, "p99_ms", percentile(sorted, s->nlatency, 0.99));
		nd_finding_summary(fd, "answers: %llu, latency p50 %.2f ms, p90 %.2f ms",
				   (unsigned long long)s->answered,
				   percentile(sorted, s->nlatency, 0.50),
				   percentile(sorted, s->nlatency, 0.90));
	}
	(void)dt;
	return 0;
}

static int dns_report(struct nd_tracker *t, double now, struct nd_findings *out)
{
	struct dns_tracker *dt = (struct dns_tracker *)t;

	for (uint32_t i = 0; i < dt->txns.cap; i++) {
		struct txn *x = nd_table_slot(&dt->txns, i);

		/* retransmitted and still unanswered, or old enough: a single
		 * query in the last second of a capture is still pending, and
		 * counted as such */
		if (x && (now - x->last_query >= DNS_TIMEOUT || x->queries > 1))
			settle(dt, x);
		else if (x && !x->replied && !x->settled && !x->pending_counted) {
			x->pending_counted = true;
			dt->pending++;
			server_for(dt, x->key.point, &x->key.server, NULL)->pending++;
		}
	}
	t->evicted = dt->txns.evicted + dt->servers.evicted;
	for (uint32_t i = 0; i < dt->servers.cap; i++) {
		struct server *s = nd_table_slot(&dt->servers, i);
		int err = s ? server_findings(dt, s, out) : 0;

		if (err)
			return err;
	}
	return 0;
}

static void dns_stats(struct nd_tracker *t, struct nd_out *o)
{
	struct dns_tracker *dt = (struct dns_tracker *)t;

	uint64_t queries = 0, answered = 0;

	for (uint32_t i = 0; i < dt->servers.cap; i++) {
		const struct server *s = nd_table_slot(&dt->servers, i);

		if (s && !s->key.client.family) {
			queries += s->txns;
			answered += s->answered;
		}
	}
	nd_out_uint(o, "messages", NULL, dt->messages);
	nd_out_uint(o, "undecodable", NULL, dt->undecodable);
	nd_out_uint(o, "queries", NULL, queries);
	nd_out_uint(o, "answered", NULL, answered);
	nd_out_uint(o, "transactions_evicted", NULL, dt->txns.evicted);
	nd_out_uint(o, "transactions_not_followed", NULL, dt->t.not_followed);
	/* single queries of the last second: neither answered nor unanswered */
	nd_out_uint(o, "pending", NULL, dt->pending);
}

static void dns_destroy(struct nd_tracker *t)
{
	struct dns_tracker *dt = (struct dns_tracker *)t;

	nd_table_free(&dt->txns);
	nd_table_free(&dt->questions);
	nd_table_free(&dt->servers);
	free(dt);
}

struct nd_tracker *nd_dns_tracker_new(unsigned cap)
{
	struct dns_tracker *dt = calloc(1, sizeof(*dt));

	if (!dt)
		return NULL;
	dt->t.name = "dns";
	dt->t.on_frame = dns_on_frame;
	dt->t.report = dns_report;
	dt->t.stats_print = dns_stats;
	dt->t.destroy = dns_destroy;
	dt->t.cap = cap ? cap : DNS_DEFAULT_CAP;
	if (nd_table_init(&dt->txns, (uint32_t)dt->t.cap, sizeof(struct txn),
			  sizeof(struct txn_key)) ||
	    nd_table_init(&dt->questions, (uint32_t)dt->t.cap, sizeof(struct question),
			  sizeof(struct question_key)) ||
	    nd_table_init(&dt->servers, DNS_SERVERS_MAX, sizeof(struct server),
			  sizeof(struct server_key))) {
		dns_destroy(&dt->t);
		return NULL;
	}
	dt->t.tells_not_followed = true;
	dt->txns.on_evict = on_evict;
	dt->txns.ctx = dt;
	return &dt->t;
}
