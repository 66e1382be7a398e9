/* The checksum tracker: frames whose checksum is not ok, grouped by capture
 * point and flow.  Healthy frames cost one comparison.  Flows live in a
 * fixed pool used as a ring, so the oldest flow is the one evicted. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"
#include "track_internal.h"

#define CSUM_DEFAULT_CAP 4096
#define CSUM_EVIDENCE 8
#define FLOW_IFNAME_MAX 32

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

struct flow_stat {
	uint64_t count;
	uint16_t found, expected;   /* first example */
	double first, last;
	uint64_t frames[CSUM_EVIDENCE];
	unsigned nframes;
};

struct flow_key {
	char ifname[FLOW_IFNAME_MAX];
	struct nd_addr src, dst;
	uint16_t sport, dport;
	uint8_t dir, layer;
	uint8_t pad[2];             /* keys compare with memcmp: no stray bytes */
};

struct flow {
	struct flow_key key;
	struct flow_stat st[FC_COUNT];
};

struct csum_tracker {
	struct nd_tracker t;
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
	struct flow_key key;
	struct flow_stat *st;
	struct flow *fl;
	bool created;

	if (fc == FC_COUNT)
		return;
	memset(&key, 0, sizeof(key));
	nd_key_name(key.ifname, sizeof(key.ifname), m->ifname ? m->ifname : "");
	key.src = f->src;
	key.dst = f->dst;
	key.sport = f->sport;
	key.dport = f->dport;
	key.dir = (uint8_t)(m->dir != ND_DIR_UNKNOWN ? m->dir : f->dir);
	key.layer = (uint8_t)layer;
	fl = nd_table_get(&ct->flows, &key, true, &created);
	ct->flows_seen += created;
	st = &fl->st[fc];
	if (!st->count++) {
		st->found = cs->found;
		st->expected = cs->expected;
		st->first = m->ts;
	}
	st->last = m->ts;
	if (st->nframes < CSUM_EVIDENCE)
		st->frames[st->nframes++] = m->number;
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

static int flow_findings(const struct flow *fl, struct nd_findings *out)
{
	struct nd_frame key = { 0 };
	char subject[ND_FINDING_SUBJECT_MAX];

	key.src = fl->key.src;
	key.dst = fl->key.dst;
	key.sport = fl->key.sport;
	key.dport = fl->key.dport;
	nd_flow_subject(subject, sizeof(subject), &key);
	for (int c = 0; c < FC_COUNT; c++) {
		const struct flow_stat *st = &fl->st[c];
		const char *layer = nd_layer_name((enum nd_layer)fl->key.layer);
		struct nd_finding *fd;

		if (!st->count)
			continue;
		fd = nd_findings_add(out, class_info[c].id, class_info[c].severity);
		if (!fd)
			return -ENOMEM;
		snprintf(fd->ifname, sizeof(fd->ifname), "%s", fl->key.ifname);
		fd->dir = (enum nd_dir)fl->key.dir;
		snprintf(fd->subject, sizeof(fd->subject), "%s %s", subject, layer);
		fd->count = st->count;
		fd->first = st->first;
		fd->last = st->last;
		for (unsigned k = 0; k < st->nframes; k++)
			nd_finding_add_frame(fd, st->frames[k]);
		fd->frames_total = st->count;
		nd_finding_set_str(fd, "layer", layer);
		{
			char a[64];

			nd_finding_set_str(fd, "src", nd_addr_str(&fl->key.src, a, sizeof(a)));
			nd_finding_set_str(fd, "dst", nd_addr_str(&fl->key.dst, a, sizeof(a)));
		}
		nd_finding_set_csum(fd, NULL, &(struct nd_csum){ .found = st->found,
							      .expected = st->expected });
		nd_finding_summary(fd, "%s: %llu %s %s, e.g. 0x%04x where 0x%04x was due",
				   class_info[c].what, (unsigned long long)st->count, layer,
				   st->count == 1 ? "packet" : "packets", st->found, st->expected);
	}
	return 0;
}

static int csum_report(struct nd_tracker *t, double now, struct nd_findings *out)
{
	struct csum_tracker *ct = (struct csum_tracker *)t;

	ct->t.evicted = ct->flows.evicted;
	for (uint32_t i = 0; i < ct->flows.cap; i++) {
		struct flow *fl = nd_table_slot(&ct->flows, i);
		int err = fl ? flow_findings(fl, out) : 0;

		if (err)
			return err;
	}
	return 0;
}

static void csum_stats(struct nd_tracker *t, struct nd_json *j)
{
	nd_json_kv_uint(j, "flows", ((struct csum_tracker *)t)->flows_seen);
}

static void csum_destroy(struct nd_tracker *t)
{
	struct csum_tracker *ct = (struct csum_tracker *)t;

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
	ct->t.stats_json = csum_stats;
	ct->t.destroy = csum_destroy;
	ct->t.cap = cap ? cap : CSUM_DEFAULT_CAP;
	if (nd_table_init(&ct->flows, (uint32_t)ct->t.cap, sizeof(struct flow),
			  sizeof(struct flow_key))) {
		free(ct);
		return NULL;
	}
	return &ct->t;
}
