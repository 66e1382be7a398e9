/* netdiag check: host inspection, live capture on every point, trackers,
 * and where along the path a guest's messages stop. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <netdiag/clock.h>
#include <netdiag/capture.h>
#include <netdiag/check.h>
#include <netdiag/dhcp4.h>

#define DEFAULT_DURATION 10.0
#define DEFAULT_FILTER "udp or icmp6"
#define POLL_MS 250
/* a ring hands over a partly filled block after its timeout (50 ms):
 * when the capture ends, wait a little more than two of those for frames
 * still in flight on the other points */
#define DRAIN_MS 120

struct run_ctx {
	struct nd_check_result *res;
	struct nd_pcapng_writer *writer;
	struct nd_frame frame;
	int write_err;
	/* the point of the last frame: a ring's name is one string for the
	 * whole capture, so the same pointer is the same point */
	const char *last_ifname;
	struct nd_check_point *last_point;
};

static struct nd_check_point *point_of(struct nd_check_result *res, const char *ifname)
{
	for (unsigned i = 0; i < res->npoints; i++)
		if (!strcmp(res->points[i].ifname, ifname))
			return &res->points[i];
	return NULL;
}

/* Which messages of the guest's conversation this frame is.  The clock
 * is read only for the rare answer that needs it, not per frame. */
static void count_roles(struct nd_check_point *p, const struct nd_frame *f)
{
	if (f->status != ND_DECODE_OK || f->l4proto != IPPROTO_UDP)
		return;
	if (f->dport == 67 && f->sport == 68) {
		p->dhcp4_client++;
		p->dhcp4_server_last = false;
	} else if (f->sport == 67) {
		struct nd_dhcp4 d;

		p->dhcp4_server++;
		p->dhcp4_server_last = true;
		p->dhcp4_ack += !nd_dhcp4_parse(&d, f->payload) && d.type == ND_DHCP4_ACK;
	}
	else if ((f->sport == 546 && f->dport == 547) || (f->sport == 547 && f->dport == 546))
		p->dhcp6++;
	else if (f->dport == 53) {
		p->dns_query++;
		p->dns_unsound_at = 0;
	} else if (f->sport == 53) {
		p->dns_reply++;
		/* an answer the guest may drop: will it ask again? */
		if (f->l4_csum.cls != ND_CSUM_OK && f->l4_csum.cls != ND_CSUM_NONE)
			p->dns_unsound_at = nd_mono_s();
	}
}

static int on_frame(void *arg, const struct nd_frame_meta *m, const uint8_t *data)
{
	struct run_ctx *ctx = arg;
	struct nd_check_point *p = ctx->last_point;

	if (m->ifname != ctx->last_ifname) {
		p = point_of(ctx->res, m->ifname);
		ctx->last_ifname = m->ifname;
		ctx->last_point = p;
	}

	nd_analysis_frame(&ctx->res->analysis, m, data, &ctx->frame);
	if (p) {
		p->frames++;
		count_roles(p, &ctx->frame);
		/* a tunnel's inner frames (as the analysis decoded them) count
		 * for the point it was captured on: a guest's DISCOVER leaves
		 * on an overlay uplink inside a VXLAN packet */
		for (unsigned d = 0; d < ctx->res->analysis.ninner; d++)
			count_roles(p, &ctx->res->analysis.inner[d]);
	}
	if (ctx->writer && !ctx->write_err)
		ctx->write_err = nd_pcapng_write(ctx->writer, m, data);
	return 0;
}

static int open_points(const struct nd_check_opts *o, struct nd_check_result *res,
		       struct nd_live *lv, char *err, size_t errlen)
{
	const char *names[ND_CHECK_POINTS_MAX];
	unsigned n = 0;

	for (unsigned i = 0; i < o->ntaps && n < ND_CHECK_POINTS_MAX; i++)
		names[n++] = o->taps[i];
	if (o->bridge && n < ND_CHECK_POINTS_MAX)
		names[n++] = o->bridge;
	if (o->uplink && n < ND_CHECK_POINTS_MAX)
		names[n++] = o->uplink;
	for (unsigned i = 0; i < n; i++) {
		int ret = nd_live_add(lv, names[i]);

		if (ret) {
			snprintf(err, errlen, "%s: %s", names[i],
				 ret == -EINVAL && nd_live_error(lv)[0] ? nd_live_error(lv)
				 : ret == -ENODEV ? "no such device" : strerror(-ret));
			return ret;
		}
		snprintf(res->points[res->npoints++].ifname, IF_NAMESIZE, "%s", names[i]);
	}
	return n ? 0 : -EINVAL;
}

/* path.lost-in-host: what was seen on from and never on to, told on the
 * guest's side (on: the tap).  Points by name: a tunnel's inner point
 * ("und1/vxlan5001@198.51.100.2") is where its answers were seen. */
static int lost_finding(struct nd_findings *out, const char *from, const char *to,
			const char *on, const char *what, uint64_t seen)
{
	struct nd_finding *f = nd_findings_add(out, "path.lost-in-host", ND_SEV_ERROR);

	if (!f)
		return -ENOMEM;
	snprintf(f->ifname, sizeof(f->ifname), "%s", on);
	nd_finding_subject(f, "%s -> %s", from, to);
	f->count = seen;
	nd_finding_set_str(f, "messages", what);
	nd_finding_set_str(f, "seen_on", from);
	nd_finding_set_str(f, "missing_on", to);
	nd_finding_set_int(f, "count", (int64_t)seen);
	nd_finding_summary(f, "%llu %s seen on %s, never on %s: dropped inside this host",
			   (unsigned long long)seen, what, from, to);
	return 0;
}

/* A guest's messages seen on its tap and never where they should leave:
 * lost inside the host.  The bridge point stands in for the uplink when
 * none is named.  Points are promiscuous (capture/ring.c), so the bridge
 * point sees every frame the bridge took in, unicast forwarded between two
 * ports too, after the bridge's prerouting and input hooks but before the
 * forward hooks (nft bridge forward, br_netfilter's FORWARD) may drop it:
 * "never on the bridge" means never taken in (port not forwarding, ingress
 * filter, tap not enslaved), not "never left".  Only broadcasts (DHCP client messages) are judged against
 * it here; unicast DNS queries could now be too. */
static int localise(const struct nd_check_opts *o, const struct nd_check_result *res,
		    struct nd_findings *out, const char *what, size_t offset, bool broadcast)
{
	const char *exit_name = o->uplink ? o->uplink : broadcast ? o->bridge : NULL;
	const struct nd_check_point *to = exit_name ? point_of((struct nd_check_result *)res,
							       exit_name) : NULL;

	if (!to || *(const uint64_t *)((const char *)to + offset))
		return 0;
	for (unsigned a = 0; a < o->ntaps && a < res->npoints; a++) {
		const struct nd_check_point *from = &res->points[a];
		uint64_t seen = *(const uint64_t *)((const char *)from + offset);

		if (seen && lost_finding(out, from->ifname, to->ifname, from->ifname, what, seen))
			return -ENOMEM;
	}
	return 0;
}

/* Taps first (the guest's side), then the bridge, then the uplink: the
 * order open_points gave them. */
static int point_rank(void *arg, const char *ifname)
{
	const struct nd_check_result *res = arg;
	/* a tunnel's inner point (und1/vxlan5001@198.51.100.2) ranks as the
	 * point it was captured on */
	size_t n = strcspn(ifname, "/");

	for (unsigned i = 0; i < res->npoints; i++)
		if (strlen(res->points[i].ifname) == n && !strncmp(res->points[i].ifname, ifname, n))
			return (int)i;
	return ND_CHECK_POINTS_MAX;
}


/* The other way: a client that got no answer on its tap (no OFFER, no
 * DNS answer) while the same client's answers were seen where they enter
 * (the uplink, the promiscuous bridge: there they read as "ignored"):
 * the host drops them on the way out (a bridge forward filter).  Matched
 * by the client (its MAC) or the server, so other guests' answers seen on
 * the uplink prove nothing. */
static int replies_lost(const struct nd_check_opts *o, const struct nd_check_result *res,
			struct nd_findings *out)
{
	static const struct {
		const char *missing, *seen, *key, *what;
	} pairs[] = {
		{ "dhcp4.no-offer", "dhcp4.offer-ignored", "client", "DHCPv4 server replies" },
		{ "dns.unanswered", "dns.reply-ignored", "server", "DNS answers" },
	};
	size_t n = out->n;

	for (size_t k = 0; k < sizeof(pairs) / sizeof(pairs[0]); k++)
		for (size_t i = 0; i < n; i++) {
			const struct nd_finding *tap = &out->v[i];
			const struct nd_field *id = nd_finding_field(tap, pairs[k].key);

			if (strcmp(tap->id, pairs[k].missing) || !id ||
			    point_rank((void *)res, tap->ifname) >= (int)o->ntaps)
				continue;
			for (size_t e = 0; e < n; e++) {
				const struct nd_finding *in = &out->v[e];
				const struct nd_field *same = nd_finding_field(in, pairs[k].key);
				int rank = point_rank((void *)res, in->ifname);

				if (strcmp(in->id, pairs[k].seen) || !same || strcmp(same->v.s, id->v.s) ||
				    rank < (int)o->ntaps || rank >= (int)res->npoints)
					continue;
				if (lost_finding(out, in->ifname, tap->ifname, tap->ifname, pairs[k].what,
						 in->count))
					return -ENOMEM;
				break;
			}
		}
	return 0;
}

/* Only the guest's tap shows what reached the guest: a reply "ignored"
 * on the bridge or the uplink may never have got to the tap at all. */
static void ignored_on_taps_only(const struct nd_check_opts *o, const struct nd_check_result *res,
				 struct nd_findings *out)
{
	static const char *const ids[] = { "dhcp4.offer-ignored", "dhcp6.reply-ignored",
					   "dns.reply-ignored" };
	size_t n = 0;

	for (size_t i = 0; i < out->n; i++) {
		bool drop = false;

		for (size_t k = 0; o->ntaps && k < sizeof(ids) / sizeof(ids[0]); k++)
			drop |= !strcmp(out->v[i].id, ids[k]) &&
				point_rank((void *)res, out->v[i].ifname) >= (int)o->ntaps;
		if (!drop)
			out->v[n++] = out->v[i];
	}
	out->n = n;
}

/* Every conversation that started has its answer: a DHCP exchange got
 * its ACK, and a DNS query its reply; a guest that just got its lease
 * asks DNS next, so a lease alone is waited on for DNS_AFTER_LEASE.
 * Judged on the taps when any are named (open_points puts them first): the
 * promiscuous bridge and uplink points also see other guests' exchanges
 * end, which would end the capture before this guest has asked. */
#define DNS_AFTER_LEASE 3.0

static bool have_verdict(const struct nd_check_opts *o, const struct nd_check_result *res,
			 double since_ack)
{
	bool dhcp_asked = false, dhcp_done = false, dns_asked = false, dns_done = false;
	unsigned n = o->ntaps && o->ntaps < res->npoints ? o->ntaps : res->npoints;

	for (unsigned i = 0; i < n; i++) {
		dhcp_asked |= res->points[i].dhcp4_client > 0;
		dhcp_done |= res->points[i].dhcp4_ack > 0;
		dns_asked |= res->points[i].dns_query > 0;
		dns_done |= res->points[i].dns_reply > 0;
	}
	if (dhcp_asked && dhcp_done && !dns_asked)
		return since_ack >= DNS_AFTER_LEASE;
	return (dhcp_asked || dns_asked) && (!dhcp_asked || dhcp_done) && (!dns_asked || dns_done);
}

/* glibc asks again after 5 s (resolv.conf(5) timeout), other resolvers
 * sooner */
#define DNS_RETRY_WAIT 6.0

/* Evidence still incomplete, worth waiting for: a DHCP client with one
 * message and no answer yet, or whose last word was the server's (will
 * it take the OFFER or ask again?); a first DNS query unanswered; an
 * answer with an unfinished checksum, for a resolver's retry; and no
 * guest message at all yet.  Two
 * unanswered messages, or a repeat after a reply, are a verdict. */
static bool exchange_open(const struct nd_check_result *res)
{
	bool asked = false;

	for (unsigned i = 0; i < res->npoints; i++)
		asked |= res->points[i].dhcp4_client || res->points[i].dns_query;
	/* a guest in its back-off says nothing for a while: wait for it */
	if (!asked)
		return true;
	for (unsigned i = 0; i < res->npoints; i++) {
		const struct nd_check_point *p = &res->points[i];

		if (p->dhcp4_client && !p->dhcp4_ack &&
		    ((p->dhcp4_client < 2 && !p->dhcp4_server) || p->dhcp4_server_last))
			return true;
		if (p->dns_query == 1 && !p->dns_reply)
			return true;
		if (p->dns_unsound_at && nd_mono_s() - p->dns_unsound_at < DNS_RETRY_WAIT)
			return true;
	}
	return false;
}

static uint64_t acks_seen(const struct nd_check_result *res)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < res->npoints; i++)
		n += res->points[i].dhcp4_ack;
	return n;
}

static int capture(const struct nd_check_opts *o, struct nd_check_result *res,
		   struct nd_live *lv, struct run_ctx *ctx)
{
	double duration = o->duration > 0 ? o->duration : DEFAULT_DURATION;
	double bound = o->patience > duration ? o->patience : duration;
	double start = nd_mono_s(), left = duration, ack_at = 0;
	uint64_t acks = 0;
	int ret = 0;

	while (!(o->stop && *o->stop)) {
		double t = nd_mono_s();

		if (acks_seen(res) != acks) {
			acks = acks_seen(res);
			ack_at = t;
		}
		if (o->until_verdict && have_verdict(o, res, acks ? t - ack_at : 0))
			break;
		/* past duration, only an open exchange keeps the capture going */
		if (left <= 0 && (t - start >= bound || !exchange_open(res)))
			break;
		ret = nd_live_poll(lv, left > 0 && left * 1000 < POLL_MS ? (int)(left * 1000) + 1
				   : POLL_MS, on_frame, ctx);
		if (ret < 0)
			return ret;
		left = duration - (nd_mono_s() - start);
		if (o->progress)
			o->progress(o->progress_arg, left > 0 ? left : 0, res->analysis.frames);
	}
	for (double end = nd_mono_s() + DRAIN_MS / 1000.0; nd_mono_s() < end;) {
		ret = nd_live_poll(lv, DRAIN_MS / 4, on_frame, ctx);
		if (ret < 0)
			return ret;
	}
	res->seconds = nd_mono_s() - start;
	return 0;
}

/* Where the DISCOVERs were seen and where not, among the points. */
static void discovers_path(const struct nd_check_result *res, char *out, size_t len)
{
	size_t used = 0;

	for (int seen = 1; seen >= 0; seen--) {
		bool first = true;

		for (unsigned i = 0; i < res->npoints; i++) {
			if ((res->points[i].dhcp4_client > 0) != seen)
				continue;
			used += (size_t)snprintf(out + used, used < len ? len - used : 0, "%s%s",
						 first ? (seen ? "seen on " : "; not on ") : ", ",
						 res->points[i].ifname);
			first = false;
		}
	}
	if (!used)
		snprintf(out, len, "seen where captured");
}

/* What only the live host can add to packet findings: whether something
 * on this host serves DHCP, where the DISCOVERs stop, whether a DNS
 * server is this host's own. */
static void annotate(const struct nd_check_result *res, struct nd_findings *out)
{
	char served[ND_FIELD_STR_MAX] = "", path[ND_FIELD_STR_MAX];
	bool looked = false;

	for (size_t i = 0; i < out->n; i++) {
		struct nd_finding *f = &out->v[i];
		const struct nd_field *srv = nd_finding_field(f, "server");

		if (!strcmp(f->id, "dhcp4.no-offer")) {
			if (!looked && nd_host_udp_listeners(67, served, sizeof(served)) <= 0)
				snprintf(served, sizeof(served), "nothing listens on udp/67");
			looked = true;
			discovers_path(res, path, sizeof(path));
			nd_finding_set_str(f, "served_here", served);
			nd_finding_set_str(f, "stops_at", path);
		} else if (!strncmp(f->id, "dns.", 4) && srv && srv->type == ND_FIELD_STR) {
			nd_finding_set_str(f, "server_here", nd_host_addr_local(srv->v.s)
					   ? "a resolver on this host" : "a server beyond this host");
		}
	}
}

int nd_check_run(const struct nd_check_opts *o, struct nd_check_result *res,
		 struct nd_findings *out, char *err, size_t errlen)
{
	struct nd_live_opts lo = { .filter = o->filter ? o->filter : DEFAULT_FILTER };
	struct run_ctx ctx = { .res = res };
	struct nd_host_opts ho = { .bridge = o->bridge, .ntaps = o->ntaps };
	struct nd_live *lv = NULL;
	FILE *wfile = NULL;
	struct timespec wall;
	int ret;

	memset(res, 0, sizeof(*res));
	nd_analysis_init_empty(&res->analysis);
	memcpy(ho.taps, o->taps, sizeof(ho.taps));
	ret = nd_host_inspect(&ho, &res->host, out, err, errlen);
	if (ret)
		return ret;
	ret = nd_analysis_init(&res->analysis);
	if (ret)
		goto out;
	if (o->active) {
		struct nd_active_opts ao = { .bridge = o->bridge, .resolve = o->resolve,
					     .timeout = o->active_timeout };

		ret = nd_active_probe(&ao, out, err, errlen);
		/* with --active alone the probe is the whole check */
		if (ret || o->duration <= 0) {
			if (!ret)
				ret = nd_check_verdicts(o, res, out);
			nd_findings_sort(out);
			goto out;
		}
	}
	ret = nd_live_new(&lv, &lo);
	if (ret)
		goto out;
	ret = open_points(o, res, lv, err, errlen);
	if (ret)
		goto out;
	if (o->capturing)
		o->capturing(o->progress_arg, res);
	if (o->write_path) {
		wfile = fopen(o->write_path, "wb");
		if (!wfile || nd_pcapng_writer_new(&ctx.writer, wfile)) {
			ret = -errno;
			snprintf(err, errlen, "%s: %s", o->write_path, strerror(errno));
			goto out;
		}
	}
	ret = capture(o, res, lv, &ctx);
	for (unsigned i = 0; i < res->npoints; i++)
		nd_live_stats(lv, i, &res->points[i].stats);
	clock_gettime(CLOCK_REALTIME, &wall);
	if (!ret) {
		/* trackers judge time against the end of the capture */
		res->analysis.last_ts = (double)wall.tv_sec + (double)wall.tv_nsec / 1e9;
		ret = nd_analysis_finish(&res->analysis, out);
	}
	if (!ret) {
		ret = nd_findings_merge_points(out, point_rank, res);
		annotate(res, out);
	}
	if (!ret)
		ret = localise(o, res, out, "DHCPv4 client messages",
			       offsetof(struct nd_check_point, dhcp4_client), true);
	if (!ret)
		ret = localise(o, res, out, "DNS queries",
			       offsetof(struct nd_check_point, dns_query), false);
	if (!ret) {
		ret = replies_lost(o, res, out);
		ignored_on_taps_only(o, res, out);
	}
	if (!ret)
		ret = nd_check_verdicts(o, res, out);
	nd_findings_sort(out);
	if (!ret && ctx.write_err) {
		ret = ctx.write_err;
		snprintf(err, errlen, "%s: %s", o->write_path, strerror(-ret));
	}
out:
	if (ctx.writer && nd_pcapng_writer_close(ctx.writer) && !ret)
		ret = -EIO;
	if (wfile)
		fclose(wfile);
	nd_live_close(lv);
	if (ret && !err[0])
		snprintf(err, errlen, "%s", strerror(-ret));
	return ret;
}

void nd_check_result_free(struct nd_check_result *res)
{
	nd_host_report_free(&res->host);
	nd_analysis_free(&res->analysis);
}
