/* The checksum tracker: frames whose checksum is not ok, grouped by
 * problem, not by flow: one group per (capture point, sender, direction,
 * layer, class), so a server answering a thousand clients with partial
 * checksums is one finding with its counts, its first examples and the
 * number of flows.  Memory is bounded by distinct problems; a second,
 * small table only tells a new flow from a known one, and a flow evicted
 * from it loses nothing but its "known" mark (counts live in the group).
 * Healthy frames cost one comparison. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"
#include "track_internal.h"

#define CSUM_DEFAULT_CAP 4096
#define CSUM_GROUPS_MAX 1024
#define CSUM_EVIDENCE 8
#define CSUM_EXAMPLES 3
#define FLOW_IFNAME_MAX ND_POINT_NAME_MAX  /* tunnel points are long: "br0/vxlan5001@198.51.100.2" */

enum flow_class { FC_PARTIAL, FC_BAD, FC_OFFLOAD, FC_COUNT };

static const struct {
	const char *id;
	enum nd_severity severity;
	const char *what;
} class_info[FC_COUNT] = {
	[FC_PARTIAL] = { "csum.partial", ND_SEV_ERROR,
			 "checksum left unfinished (pseudo-header sum only) on the wire" },
	[FC_BAD] = { "csum.bad", ND_SEV_ERROR, "checksum wrong" },
	[FC_OFFLOAD] = { "csum.partial-offload", ND_SEV_INFO,
			 "checksum to be completed by the device (offload; harmless here)" },
};

struct group_key {
	char ifname[FLOW_IFNAME_MAX];
	struct nd_addr src;
	uint8_t dir, layer, cls;
	uint8_t pad[4];             /* keys compare with memcmp: no stray bytes */
};

struct example {
	struct nd_addr dst;
	uint16_t sport, dport;
};

struct group {
	struct group_key key;
	uint64_t count, flows;
	uint16_t found, expected;   /* first example */
	double first, last;
	uint64_t frames[CSUM_EVIDENCE];
	unsigned nframes;
	struct example ex[CSUM_EXAMPLES];
	unsigned nex;
};

struct flow_key {
	struct group_key g;
	struct nd_addr dst;
	uint16_t sport, dport;
	uint8_t pad[2];
};

struct flow {
	struct flow_key key;
};

struct csum_tracker {
	struct nd_tracker t;
	struct nd_table groups;
	struct nd_table flows;
	uint64_t flows_seen;
};

static enum flow_class class_of(enum nd_csum_class c)
{
	switch (c) {
	case ND_CSUM_PARTIAL: return FC_PARTIAL;
	case ND_CSUM_BAD: return FC_BAD;
	case ND_CSUM_PARTIAL_OFFLOAD: return FC_OFFLOAD;
	default: return FC_COUNT;
	}
}

static void note(struct csum_tracker *ct, const struct nd_frame_meta *m,
		 const struct nd_frame *f, int layer, const struct nd_csum *cs)
{
	enum flow_class fc = class_of(cs->cls);
	struct flow_key fk;
	struct group *g;
	bool created;

	if (fc == FC_COUNT)
		return;
	memset(&fk, 0, sizeof(fk));
	nd_key_name(fk.g.ifname, sizeof(fk.g.ifname), m->ifname ? m->ifname : "");
	fk.g.src = f->src;
	fk.g.dir = (uint8_t)(m->dir != ND_DIR_UNKNOWN ? m->dir : f->dir);
	fk.g.layer = (uint8_t)layer;
	fk.g.cls = (uint8_t)fc;
	fk.dst = f->dst;
	fk.sport = f->sport;
	fk.dport = f->dport;
	g = nd_table_get(&ct->groups, &fk.g, true, NULL);
	nd_table_get(&ct->flows, &fk, true, &created);
	if (created) {
		ct->flows_seen++;
		g->flows++;
		if (g->nex < CSUM_EXAMPLES)
			g->ex[g->nex++] = (struct example){ .dst = f->dst, .sport = f->sport,
							    .dport = f->dport };
	}
	if (!g->count++) {
		g->found = cs->found;
		g->expected = cs->expected;
		g->first = m->ts;
	}
	g->last = m->ts;
	if (g->nframes < CSUM_EVIDENCE)
		g->frames[g->nframes++] = m->number;
}

static int csum_on_frame(struct nd_tracker *t, const struct nd_frame_meta *m,
			 const struct nd_frame *f)
{
	struct csum_tracker *ct = (struct csum_tracker *)t;

	if (f->ip_version == 4 && f->ip4_csum.cls == ND_CSUM_BAD)
		note(ct, m, f, ND_LAYER_IPV4, &f->ip4_csum);
	if (f->l4_csum.cls >= ND_CSUM_PARTIAL_OFFLOAD && f->l4_csum.cls <= ND_CSUM_BAD) {
		int layer = f->l4proto == 17 ? ND_LAYER_UDP : f->l4proto == 6 ? ND_LAYER_TCP
			  : f->l4proto == 1 ? ND_LAYER_ICMP : ND_LAYER_ICMPV6;

		note(ct, m, f, layer, &f->l4_csum);
	}
	return 0;
}

void nd_flow_subject(char *buf, size_t len, const struct nd_frame *f)
{
	char s[64], d[64];

	nd_addr_str(&f->src, s, sizeof(s));
	nd_addr_str(&f->dst, d, sizeof(d));
	if (f->sport || f->dport)
		snprintf(buf, len, "%s%s%s:%u > %s%s%s:%u", f->src.family == 10 ? "[" : "", s,
			 f->src.family == 10 ? "]" : "", f->sport, f->dst.family == 10 ? "[" : "",
			 d, f->dst.family == 10 ? "]" : "", f->dport);
	else
		snprintf(buf, len, "%s > %s", s, d);
}

static int group_finding(const struct group *g, struct nd_findings *out)
{
	const char *layer = nd_layer_name((enum nd_layer)g->key.layer);
	char src[64], flow[ND_FINDING_SUBJECT_MAX];
	struct nd_finding *fd = nd_findings_add(out, class_info[g->key.cls].id,
						class_info[g->key.cls].severity);

	if (!fd)
		return -ENOMEM;
	snprintf(fd->ifname, sizeof(fd->ifname), "%s", g->key.ifname);
	fd->dir = (enum nd_dir)g->key.dir;
	nd_addr_str(&g->key.src, src, sizeof(src));
	nd_finding_subject(fd, "%s from %s", layer, src);
	fd->count = g->count;
	fd->first = g->first;
	fd->last = g->last;
	for (unsigned k = 0; k < g->nframes; k++)
		nd_finding_add_frame(fd, g->frames[k]);
	fd->frames_total = g->count;
	nd_finding_set_str(fd, "layer", layer);
	nd_finding_set_str(fd, "src", src);
	nd_finding_set_int(fd, "flows", (int64_t)g->flows);
	for (unsigned k = 0; k < g->nex; k++) {
		static const char *const keys[CSUM_EXAMPLES] = { "example", "example_2",
								 "example_3" };
		struct nd_frame ex = { .src = g->key.src, .dst = g->ex[k].dst,
				       .sport = g->ex[k].sport, .dport = g->ex[k].dport };
		char a[64];

		if (!k)
			nd_finding_set_str(fd, "dst", nd_addr_str(&g->ex[k].dst, a, sizeof(a)));
		nd_flow_subject(flow, sizeof(flow), &ex);
		nd_finding_set_str(fd, keys[k], flow);
	}
	nd_finding_set_csum(fd, NULL, &(struct nd_csum){ .found = g->found,
						      .expected = g->expected });
	nd_finding_summary(fd, "%s: %llu %s %s in %llu %s from %s, e.g. 0x%04x where 0x%04x "
			   "was due", class_info[g->key.cls].what, (unsigned long long)g->count,
			   layer, g->count == 1 ? "packet" : "packets",
			   (unsigned long long)g->flows, g->flows == 1 ? "flow" : "flows", src,
			   g->found, g->expected);
	return 0;
}

static int csum_report(struct nd_tracker *t, double now, struct nd_findings *out)
{
	struct csum_tracker *ct = (struct csum_tracker *)t;

	ct->t.evicted = ct->groups.evicted;
	for (uint32_t i = 0; i < ct->groups.cap; i++) {
		struct group *g = nd_table_slot(&ct->groups, i);
		int err = g ? group_finding(g, out) : 0;

		if (err)
			return err;
	}
	return 0;
}

static void csum_stats(struct nd_tracker *t, struct nd_out *o)
{
	nd_out_uint(o, "flows", NULL, ((struct csum_tracker *)t)->flows_seen);
}

static void csum_destroy(struct nd_tracker *t)
{
	struct csum_tracker *ct = (struct csum_tracker *)t;

	nd_table_free(&ct->groups);
	nd_table_free(&ct->flows);
	free(ct);
}

struct nd_tracker *nd_csum_tracker_new(unsigned cap)
{
	struct csum_tracker *ct = calloc(1, sizeof(*ct));

	if (!ct)
		return NULL;
	ct->t.name = "csum";
	ct->t.on_frame = csum_on_frame;
	ct->t.report = csum_report;
	ct->t.stats_print = csum_stats;
	ct->t.destroy = csum_destroy;
	ct->t.cap = cap ? cap : CSUM_DEFAULT_CAP;
	if (nd_table_init(&ct->groups, CSUM_GROUPS_MAX, sizeof(struct group),
			  sizeof(struct group_key)) ||
	    nd_table_init(&ct->flows, (uint32_t)ct->t.cap, sizeof(struct flow),
			  sizeof(struct flow_key))) {
		csum_destroy(&ct->t);
		return NULL;
	}
	return &ct->t;
}
