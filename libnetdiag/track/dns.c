/* The DNS tracker: one transaction per (capture point, client, server,
 * client port, id); per-server figures; queries matched to their answers
 * and questions asked again.  Its findings are made in dns_findings.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dns_internal.h"

#define DNS_PORT 53
#define DNS_DEFAULT_CAP 65536
#define DNS_SERVERS_MAX 256
#define TCP_SYN 0x02
#define TCP_ACK 0x10
/* A resolver that got no usable answer asks again within its timeout:
 * glibc after 5 s (resolv.conf(5) timeout:5, attempts:2), busybox
 * nslookup and dig sooner.  A repeat later than this is a new lookup. */
#define DNS_RETRY_WINDOW 12.0
/* ... and not sooner than its shortest timeout: the same question asked
 * again at once is a new lookup by a client that has its answer
 * (nslookup, then getent, for the same name) */
#define DNS_RETRY_MIN 0.8

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

struct server *dns_server_for(struct dns_tracker *dt, uint16_t point,
			      const struct nd_addr *server, const struct nd_addr *client)
{
	static const struct nd_addr none;
	const struct server *last = dt->last_server;
	struct server_key k;
	struct server *s;
	bool created;

	/* the slot may have been taken by another server since: the key
	 * says.  Compared field by field: a key just written on the stack
	 * and read back in words waits for its stores (no forwarding) */
	if (last && last->key.point == point &&
	    !memcmp(&last->key.server, server, sizeof(*server)) &&
	    !memcmp(&last->key.client, client ? client : &none, sizeof(none)))
		return dt->last_server;
	memset(&k, 0, sizeof(k));
	k.point = point;
	k.server = *server;
	if (client)
		k.client = *client;
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
void dns_settle(struct dns_tracker *dt, struct txn *x)
{
	struct server *s;

	if (x->replied || x->settled)
		return;
	s = dns_server_for(dt, x->key.point, &x->key.server, NULL);
	s->unanswered++;
	add_frame(s->unanswered_frames, &s->nunanswered_frames, x->first_frame);
	if (!s->example[0])
		memcpy(s->example, dt->names[x->name], sizeof(s->example));
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
	dns_settle(dt, x);
}

/* ASCII upper case to lower in each byte of a word (RFC 4343: names
 * compare case-insensitively), no byte affecting another: a byte's low
 * seven bits plus 0x3f carry into its top bit from 'A' on, plus 0x25
 * from '['; a byte with its own top bit set is no letter. */
static uint64_t fold_word(uint64_t w)
{
	const uint64_t low7 = 0x7f7f7f7f7f7f7f7full, top = 0x8080808080808080ull;
	uint64_t b = w & low7;
	uint64_t upper = (b + 0x3f3f3f3f3f3f3f3full) & ~(b + 0x2525252525252525ull) & ~w & top;

	return w | upper >> 2;
}

/* The question's name hashed, case folded, eight bytes a step (a
 * byte-wise FNV chain of multiplies was most of a query's key time).
 * Whole words are read from the name's buffer (a byte-wise copy of the
 * last one stalled its load) and the bytes past the name masked off. */
static uint64_t name_hash(const struct nd_dns *d)
{
	size_t n = strnlen(d->qname, sizeof(d->qname) - 1);
	uint64_t h = 0xcbf29ce484222325ull ^ n;

	_Static_assert(sizeof(d->qname) % 8 == 0, "qname is read in whole words");
	for (size_t i = 0; i < n; i += 8) {
		uint64_t w;

		memcpy(&w, d->qname + i, 8);
		if (n - i < 8)
			w &= (1ull << 8 * (n - i)) - 1;
		h = ((h << 23) | (h >> 41)) + fold_word(w) * 0xff51afd7ed558ccdull;
	}
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 29;
	return h;
}

/* The question asked again: after a reply that was on the wire, this
 * is the client acting as if it never got it.  Counter-evidence stops
 * the blame: an error answer (SERVFAIL, REFUSED) is retried by design,
 * and a sound answer (checksum complete and right) cannot have been
 * dropped for its checksum. */
static void question_again(struct server *s, struct question *q, const struct dns_msg *m)
{
	if (!q->replied || m->ts - q->reply_ts > DNS_RETRY_WINDOW ||
	    m->ts - q->reply_ts < DNS_RETRY_MIN ||
	    q->reply_rcode == ND_DNS_RCODE_SERVFAIL || q->reply_rcode == ND_DNS_RCODE_REFUSED ||
	    q->reply_cls == ND_CSUM_OK || q->reply_cls == ND_CSUM_NONE || q->reply_cls == ND_CSUM_NA)
		return;
	if (!s->ignored)
		s->ignored_verdict = (struct nd_csum){ .cls = (enum nd_csum_class)q->reply_cls,
						       .found = q->reply_found,
						       .expected = q->reply_expected };
	s->ignored++;
	add_frame(s->ignored_frames, &s->nignored_frames, m->number);
}

/* A new transaction's name, kept for the report: a copy, no formatting
 * per query, and none when it is the last one kept.  The slot written
 * next held the name kept txns.cap names ago: every transaction that
 * held it was made before this one's txns.cap predecessors, so it has
 * been evicted (on_evict reads its name before the slot is taken). */
static uint32_t keep_name(struct dns_tracker *dt, const char *qname)
{
	uint32_t i = dt->names_last;

	if (i != UINT32_MAX && !memcmp(dt->names[i], qname, NAME_KEEP))
		return i;
	i = dt->names_next;
	dt->names_next = i + 1 == dt->txns.cap ? 0 : i + 1;
	memcpy(dt->names[i], qname, NAME_KEEP);
	dt->names_last = i;
	return i;
}

static void query(struct dns_tracker *dt, const struct dns_msg *m)
{
	struct server *s;
	struct question *q;
	struct txn *x;
	bool created;

	x = nd_table_find(&dt->txns, &m->k, m->kh, true, &created);
	s = dns_server_for(dt, m->k.point, &m->k.server, NULL);
	/* a question is only looked up here: one never answered has nothing
	 * to tell when asked again, so it is made when its answer comes, and
	 * a flood of unanswered queries writes none */
	q = nd_table_find(&dt->questions, &m->qk, m->qh, false, NULL);
	if (q) {
		question_again(s, q, m);
		q->replied = false;
	}
	if (created) {
		x->first_frame = m->number;
		x->name = keep_name(dt, m->qname);
		s->txns++;
		if (!s->first)
			s->first = m->ts;
	} else {
		s->retransmissions++;
	}
	x->queries += x->queries < 2;
	x->last_query = m->ts;
	s->last = m->ts;
}

static void response(struct dns_tracker *dt, const struct dns_msg *m)
{
	struct server *s;
	struct question *q;
	struct txn *x;

	s = dns_server_for(dt, m->k.point, &m->k.server, NULL);
	x = nd_table_find(&dt->txns, &m->k, m->kh, false, NULL);
	/* asked (its transaction is known) or asked again */
	q = nd_table_find(&dt->questions, &m->qk, m->qh, x != NULL, NULL);
	if (q) {
		q->replied = true;
		q->reply_ts = m->ts;
		q->reply_rcode = m->rcode;
		q->reply_cls = (uint8_t)m->csum.cls;
		q->reply_found = m->csum.found;
		q->reply_expected = m->csum.expected;
	}
	s->responses++;
	s->last = m->ts;
	if (!x)
		return;
	if (m->rcode == ND_DNS_RCODE_SERVFAIL)
		s->servfail++;
	else if (m->rcode == ND_DNS_RCODE_REFUSED)
		s->refused++;
	if (m->tc) {
		struct server *pair = dns_server_for(dt, m->k.point, &m->k.server, &m->k.client);

		s->truncated++;
		pair->tc_pending = true;
		pair->first = m->ts;
		add_frame(pair->unanswered_frames, &pair->nunanswered_frames, m->number);
	}
	if (x->replied)
		return;
	x->replied = true;
	s->answered++;
	if (s->nlatency < DNS_LATENCY_SAMPLES)
		s->latency_ms[s->nlatency++] = (float)((m->ts - x->last_query) * 1000.0);
}

/* The oldest waiting message's lookups. */
static void flush_one(struct dns_tracker *dt)
{
	const struct dns_msg *m = &dt->msg[dt->head];
	double now = dt->now;

	dt->head = (dt->head + 1) % (DNS_AHEAD + 1);
	dt->nwaiting--;
	/* evictions judge age against the time this message was seen */
	dt->now = m->ts;
	if (m->query)
		query(dt, m);
	else
		response(dt, m);
	dt->now = now;
}

void dns_flush(struct dns_tracker *dt)
{
	while (dt->nwaiting)
		flush_one(dt);
}

/* Keys, hashes and the fetch of their index cells now; the lookups
 * DNS_AHEAD messages later (or at the report).  On a flood every lookup
 * is a cache miss: waiting gives the memory that long to answer, where
 * fetching just before the lookup still waited for most of it.  Messages
 * are matched in the order they came, each at its own time. */
static void queue(struct dns_tracker *dt, const struct nd_frame_meta *m,
		  const struct nd_frame *f, const struct nd_dns *d, uint16_t point, bool is_query)
{
	unsigned next = (dt->head + dt->nwaiting) % (DNS_AHEAD + 1);
	struct dns_msg *q = &dt->msg[next];
	const struct nd_addr *client = is_query ? &f->src : &f->dst;
	const struct nd_addr *server = is_query ? &f->dst : &f->src;

	memset(&q->k, 0, sizeof(q->k));
	q->k.point = point;
	q->k.client = *client;
	q->k.server = *server;
	q->k.cport = is_query ? f->sport : f->dport;
	q->k.id = d->id;
	memset(&q->qk, 0, sizeof(q->qk));
	q->qk.point = point;
	q->qk.client = *client;
	q->qk.server = *server;
	q->qk.qtype = d->qtype;
	q->query = is_query;
	q->tc = d->tc;
	q->rcode = d->rcode;
	q->csum = f->l4_csum;
	q->ts = m->ts;
	q->number = m->number;
	if (is_query)
		nd_key_name(q->qname, sizeof(q->qname), d->qname);
	if (dt->nwaiting == DNS_AHEAD)
		flush_one(dt);
	/* hashed after the oldest message's lookups: the keys (and the
	 * name, written a byte at a time) are read back in words, which
	 * waits on stores still in flight when read at once */
	q->qk.name_hash = name_hash(d);
	q->kh = nd_table_hash(&dt->txns, &q->k);
	q->qh = nd_table_hash(&dt->questions, &q->qk);
	nd_table_prefetch(&dt->txns, q->kh, is_query);
	nd_table_prefetch(&dt->questions, q->qh, !is_query);
	dt->nwaiting++;
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
		if (f->dport == DNS_PORT && (f->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN) {
			dns_flush(dt);
			tcp_retry(dt, f, point);
		}
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
		queue(dt, m, f, &d, point, true);
	else if (d.qr && f->sport == DNS_PORT)
		queue(dt, m, f, &d, point, false);
	return 0;
}

static void dns_destroy(struct nd_tracker *t)
{
	struct dns_tracker *dt = (struct dns_tracker *)t;

	nd_table_free(&dt->txns);
	nd_table_free(&dt->questions);
	nd_table_free(&dt->servers);
	free(dt->names);
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
	dt->names = malloc((size_t)dt->t.cap * NAME_KEEP);
	dt->names_last = UINT32_MAX;
	if (!dt->names ||
	    nd_table_init(&dt->txns, (uint32_t)dt->t.cap, sizeof(struct txn),
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
