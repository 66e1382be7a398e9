/* The router-advertisement tracker: one entry per (capture point, router
 * address).  Findings: nd.multiple-routers (more than one source with a
 * non-zero router lifetime on a point), nd.router (info: its prefixes,
 * RDNSS and MTU). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netdiag/nd.h>

#include "table.h"
#include "track_internal.h"

#define ND_ROUTERS_MAX 64

struct router_key {
	char ifname[32];
	uint8_t addr[16];
};

struct router {
	struct router_key key;
	uint32_t ras;
	uint16_t lifetime;          /* of the last RA */
	bool managed, other;
	struct nd_ndp_prefix prefixes[ND_NDP_PREFIXES_MAX];
	unsigned nprefixes;
	uint8_t rdnss[ND_NDP_RDNSS_MAX][16];
	unsigned nrdnss;
	uint32_t mtu;
	uint8_t mac[6];
	double first, last;
	uint64_t first_frame;
};

struct nd_tracker_state {
	struct nd_tracker t;
	struct nd_table routers;
	uint64_t ras, rss, undecodable;
};

static int nd_on_frame(struct nd_tracker *t, const struct nd_frame_meta *m,
		       const struct nd_frame *f)
{
	struct nd_tracker_state *st = (struct nd_tracker_state *)t;
	struct router_key k;
	struct router *r;
	struct nd_ndp_msg msg;
	bool created;

	if (f->status != ND_DECODE_OK || f->l4proto != IPPROTO_ICMPV6 ||
	    (f->icmp_type != ND_ICMP6_RA && f->icmp_type != ND_ICMP6_RS))
		return 0;
	if (nd_ndp_parse(&msg, f->payload)) {
		st->undecodable++;
		return 0;
	}
	if (msg.type == ND_ICMP6_RS) {
		st->rss++;
		return 0;
	}
	st->ras++;
	memset(&k, 0, sizeof(k));
	nd_key_name(k.ifname, sizeof(k.ifname), m->ifname);
	memcpy(k.addr, f->src.a, 16);
	r = nd_table_get(&st->routers, &k, true, &created);
	if (created) {
		r->first = m->ts;
		r->first_frame = m->number;
	}
	r->last = m->ts;
	r->ras++;
	r->lifetime = msg.router_lifetime;
	r->managed = msg.managed;
	r->other = msg.other;
	memcpy(r->prefixes, msg.prefixes, sizeof(msg.prefixes));
	r->nprefixes = msg.nprefixes;
	memcpy(r->rdnss, msg.rdnss, sizeof(msg.rdnss));
	r->nrdnss = msg.nrdnss;
	r->mtu = msg.mtu;
	memcpy(r->mac, f->src_mac, 6);
	return 0;
}

static void append(char *buf, size_t len, const char *text)
{
	size_t used = strlen(buf);

	snprintf(buf + used, len - used, "%s%s", used ? "," : "", text);
}

static int router_info(const struct router *r, struct nd_findings *out)
{
	char addr[INET6_ADDRSTRLEN], prefixes[ND_FIELD_STR_MAX] = "", rdnss[ND_FIELD_STR_MAX] = "";
	struct nd_finding *fd = nd_findings_add(out, "nd.router", ND_SEV_INFO);

	if (!fd)
		return -ENOMEM;
	inet_ntop(AF_INET6, r->key.addr, addr, sizeof(addr));
	for (unsigned i = 0; i < r->nprefixes; i++) {
		char p[INET6_ADDRSTRLEN + 4];
		size_t n;

		inet_ntop(AF_INET6, r->prefixes[i].prefix, p, sizeof(p));
		n = strlen(p);
		snprintf(p + n, sizeof(p) - n, "/%u", r->prefixes[i].len);
		append(prefixes, sizeof(prefixes), p);
	}
	for (unsigned i = 0; i < r->nrdnss; i++) {
		char a[INET6_ADDRSTRLEN];

		append(rdnss, sizeof(rdnss), inet_ntop(AF_INET6, r->rdnss[i], a, sizeof(a)));
	}
	snprintf(fd->ifname, sizeof(fd->ifname), "%s", r->key.ifname);
	nd_finding_subject(fd, "router %s", addr);
	fd->count = r->ras;
	fd->first = r->first;
	fd->last = r->last;
	nd_finding_add_frame(fd, r->first_frame);
	nd_finding_set_str(fd, "router", addr);
	nd_finding_set_int(fd, "lifetime", r->lifetime);
	nd_finding_set_str(fd, "prefixes", prefixes);
	nd_finding_set_str(fd, "rdnss", rdnss);
	nd_finding_set_int(fd, "mtu", r->mtu);
	nd_finding_set_int(fd, "managed", r->managed);
	nd_finding_summary(fd, "%u advertisements, router lifetime %u s, prefixes %s%s%s",
			   r->ras, r->lifetime, prefixes[0] ? prefixes : "none",
			   rdnss[0] ? ", RDNSS " : "", rdnss);
	return 0;
}

/* Per capture point: every router with a non-zero lifetime offers itself
 * as default router; more than one is either redundancy or a rogue. */
static int multiple_routers(struct nd_tracker_state *st, struct nd_findings *out)
{
	for (uint32_t i = 0; i < st->routers.cap; i++) {
		struct router *r = nd_table_slot(&st->routers, i);
		char list[ND_FIELD_STR_MAX] = "";
		struct nd_finding *fd;
		unsigned n = 0;
		bool first = true;

		if (!r || !r->lifetime)
			continue;
		for (uint32_t k = 0; k < i && first; k++) {
			struct router *o = nd_table_slot(&st->routers, k);

			first = !(o && o->lifetime && !strcmp(o->key.ifname, r->key.ifname));
		}
		if (!first)
			continue;
		for (uint32_t k = i; k < st->routers.cap; k++) {
			struct router *o = nd_table_slot(&st->routers, k);
			char a[INET6_ADDRSTRLEN];

			if (!o || !o->lifetime || strcmp(o->key.ifname, r->key.ifname))
				continue;
			append(list, sizeof(list), inet_ntop(AF_INET6, o->key.addr, a, sizeof(a)));
			n++;
		}
		if (n < 2)
			continue;
		fd = nd_findings_add(out, "nd.multiple-routers", ND_SEV_WARNING);
		if (!fd)
			return -ENOMEM;
		snprintf(fd->ifname, sizeof(fd->ifname), "%s", r->key.ifname);
		fd->count = n;
		nd_finding_subject(fd, "segment");
		nd_finding_set_int(fd, "routers", n);
		nd_finding_set_str(fd, "addresses", list);
		nd_finding_summary(fd, "%u routers advertise themselves as default router: %s "
				   "(a rogue one diverts IPv6 traffic)", n, list);
	}
	return 0;
}

static int nd_report(struct nd_tracker *t, double now, struct nd_findings *out)
{
	struct nd_tracker_state *st = (struct nd_tracker_state *)t;

	t->evicted = st->routers.evicted;
	for (uint32_t i = 0; i < st->routers.cap; i++) {
		struct router *r = nd_table_slot(&st->routers, i);
		int err = r ? router_info(r, out) : 0;

		if (err)
			return err;
	}
	return multiple_routers(st, out);
}

static void nd_stats(struct nd_tracker *t, struct nd_out *o)
{
	struct nd_tracker_state *st = (struct nd_tracker_state *)t;

	nd_out_uint(o, "router_advertisements", NULL, st->ras);
	nd_out_uint(o, "router_solicitations", NULL, st->rss);
	nd_out_uint(o, "undecodable", NULL, st->undecodable);
}

static void nd_destroy(struct nd_tracker *t)
{
	struct nd_tracker_state *st = (struct nd_tracker_state *)t;

	nd_table_free(&st->routers);
	free(st);
}

struct nd_tracker *nd_ndp_tracker_new(unsigned cap)
{
	struct nd_tracker_state *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->t.name = "nd";
	st->t.on_frame = nd_on_frame;
	st->t.report = nd_report;
	st->t.stats_print = nd_stats;
	st->t.destroy = nd_destroy;
	st->t.cap = cap ? cap : ND_ROUTERS_MAX;
	if (nd_table_init(&st->routers, (uint32_t)st->t.cap, sizeof(struct router),
			  sizeof(struct router_key))) {
		free(st);
		return NULL;
	}
	return &st->t;
}
