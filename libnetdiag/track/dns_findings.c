/* The DNS tracker's findings: dns.unanswered, dns.reply-ignored,
 * dns.servfail, dns.refused, dns.truncated-no-tcp, dns.latency (info),
 * per server (per client and server for truncation), and its figures. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dns_internal.h"

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

int dns_report(struct nd_tracker *t, double now, struct nd_findings *out)
{
	struct dns_tracker *dt = (struct dns_tracker *)t;

	dns_flush(dt);
	for (uint32_t i = 0; i < dt->txns.cap; i++) {
		struct txn *x = nd_table_slot(&dt->txns, i);

		/* retransmitted and still unanswered, or old enough: a single
		 * query in the last second of a capture is still pending, and
		 * counted as such */
		if (x && (now - x->last_query >= DNS_TIMEOUT || x->queries > 1))
			dns_settle(dt, x);
		else if (x && !x->replied && !x->settled && !x->pending_counted) {
			x->pending_counted = true;
			dt->pending++;
			dns_server_for(dt, x->key.point, &x->key.server, NULL)->pending++;
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

void dns_stats(struct nd_tracker *t, struct nd_out *o)
{
	struct dns_tracker *dt = (struct dns_tracker *)t;

	dns_flush(dt);
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
