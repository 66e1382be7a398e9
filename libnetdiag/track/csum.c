/* The checksum tracker: frames whose checksum is not ok, grouped by capture
 * point and flow.  Healthy frames cost one comparison.  Flows live in a
 * fixed pool used as a ring, so the oldest flow is the one evicted. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

struct flow {
	bool used;
	int32_t next;               /* hash chain, -1 ends */
	uint32_t hash;
	char ifname[FLOW_IFNAME_MAX];
	enum nd_dir dir;
	uint8_t layer;
	struct nd_addr src, dst;
	uint16_t sport, dport;
	struct flow_stat st[FC_COUNT];
};

struct csum_tracker {
	struct nd_tracker t;
	struct flow *pool;
	int32_t *buckets;
	uint32_t nbuckets;          /* power of two */
	uint32_t next_slot;         /* ring position of the next new flow */
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

static uint32_t mix(uint32_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	/* FNV-1a: short keys, no adversary who gains from collisions beyond
	 * a longer chain walk */
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

static uint32_t flow_hash(const char *ifname, enum nd_dir dir, int layer,
			  const struct nd_frame *f)
{
	uint32_t h = 2166136261u;

	h = mix(h, ifname, strnlen(ifname, FLOW_IFNAME_MAX - 1));
	h = mix(h, &dir, sizeof(dir));
	h = mix(h, &layer, sizeof(layer));
	h = mix(h, f->src.a, sizeof(f->src.a));
	h = mix(h, f->dst.a, sizeof(f->dst.a));
	h = mix(h, &f->sport, sizeof(f->sport));
	return mix(h, &f->dport, sizeof(f->dport));
}

static bool same_flow(const struct flow *fl, uint32_t hash, const char *ifname,
		      enum nd_dir dir, int layer, const struct nd_frame *f)
{
	return fl->hash == hash && fl->dir == dir && fl->layer == layer &&
	       fl->sport == f->sport && fl->dport == f->dport &&
	       !memcmp(fl->src.a, f->src.a, sizeof(f->src.a)) &&
	       !memcmp(fl->dst.a, f->dst.a, sizeof(f->dst.a)) &&
	       !strncmp(fl->ifname, ifname, FLOW_IFNAME_MAX - 1);
}

static void unlink_flow(struct csum_tracker *ct, int32_t idx)
{
	int32_t *link = &ct->buckets[ct->pool[idx].hash & (ct->nbuckets - 1)];

	while (*link != -1 && *link != idx)
		link = &ct->pool[*link].next;
	if (*link == idx)
		*link = ct->pool[idx].next;
}

static struct flow *flow_get(struct csum_tracker *ct, const char *ifname, enum nd_dir dir,
			     int layer, const struct nd_frame *f)
{
	uint32_t hash = flow_hash(ifname, dir, layer, f);
	int32_t *bucket = &ct->buckets[hash & (ct->nbuckets - 1)];
	int32_t idx;
	struct flow *fl;

	for (idx = *bucket; idx != -1; idx = ct->pool[idx].next)
		if (same_flow(&ct->pool[idx], hash, ifname, dir, layer, f))
			return &ct->pool[idx];
	idx = (int32_t)ct->next_slot;
	ct->next_slot = (ct->next_slot + 1) % ct->t.cap;
	fl = &ct->pool[idx];
	if (fl->used) {
		unlink_flow(ct, idx);
		ct->t.evicted++;
	}
	memset(fl, 0, sizeof(*fl));
	fl->used = true;
	fl->hash = hash;
	snprintf(fl->ifname, sizeof(fl->ifname), "%s", ifname);
	fl->dir = dir;
	fl->layer = (uint8_t)layer;
	fl->src = f->src;
	fl->dst = f->dst;
	fl->sport = f->sport;
	fl->dport = f->dport;
	fl->next = *bucket;
	*bucket = idx;
	ct->flows_seen++;
	return fl;
}

static void note(struct csum_tracker *ct, const struct nd_frame_meta *m,
		 const struct nd_frame *f, int layer, const struct nd_csum *cs)
{
	enum flow_class fc = class_of(cs->cls);
	enum nd_dir dir = m->dir != ND_DIR_UNKNOWN ? m->dir : f->dir;
	struct flow_stat *st;
	struct flow *fl;

	if (fc == FC_COUNT)
		return;
	fl = flow_get(ct, m->ifname ? m->ifname : "", dir, layer, f);
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

	key.src = fl->src;
	key.dst = fl->dst;
	key.sport = fl->sport;
	key.dport = fl->dport;
	nd_flow_subject(subject, sizeof(subject), &key);
	for (int c = 0; c < FC_COUNT; c++) {
		const struct flow_stat *st = &fl->st[c];
		const char *layer = nd_layer_name((enum nd_layer)fl->layer);
		struct nd_finding *fd;
		char hex[16];

		if (!st->count)
			continue;
		fd = nd_findings_add(out, class_info[c].id, class_info[c].severity);
		if (!fd)
			return -ENOMEM;
		snprintf(fd->ifname, sizeof(fd->ifname), "%s", fl->ifname);
		fd->dir = fl->dir;
		snprintf(fd->subject, sizeof(fd->subject), "%s %s", subject, layer);
		fd->count = st->count;
		fd->first = st->first;
		fd->last = st->last;
		for (unsigned k = 0; k < st->nframes; k++)
			nd_finding_add_frame(fd, st->frames[k]);
		fd->frames_total = st->count;
		nd_finding_set_str(fd, "layer", layer);
		snprintf(hex, sizeof(hex), "0x%04x", st->found);
		nd_finding_set_str(fd, "found", hex);
		snprintf(hex, sizeof(hex), "0x%04x", st->expected);
		nd_finding_set_str(fd, "expected", hex);
		nd_finding_summary(fd, "%s: %llu %s %s, e.g. 0x%04x where 0x%04x was due",
				   class_info[c].what, (unsigned long long)st->count, layer,
				   st->count == 1 ? "packet" : "packets", st->found, st->expected);
	}
	return 0;
}

static int csum_report(struct nd_tracker *t, double now, struct nd_findings *out)
{
	struct csum_tracker *ct = (struct csum_tracker *)t;

	for (uint32_t i = 0; i < ct->t.cap; i++) {
		int err;

		if (!ct->pool[i].used)
			continue;
		err = flow_findings(&ct->pool[i], out);
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

	free(ct->pool);
	free(ct->buckets);
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
	for (ct->nbuckets = 16; ct->nbuckets < ct->t.cap; ct->nbuckets <<= 1)
		;
	ct->pool = calloc(ct->t.cap, sizeof(*ct->pool));
	ct->buckets = malloc(sizeof(*ct->buckets) * ct->nbuckets);
	if (!ct->pool || !ct->buckets) {
		csum_destroy(&ct->t);
		return NULL;
	}
	memset(ct->buckets, 0xff, sizeof(*ct->buckets) * ct->nbuckets);
	return &ct->t;
}
