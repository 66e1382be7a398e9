/* The analysis run: decode once, count per capture point, feed trackers. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include <netdiag/analysis.h>

#include "track_internal.h"

void nd_analysis_init_empty(struct nd_analysis *a)
{
	memset(a, 0, sizeof(*a));
}

int nd_analysis_add(struct nd_analysis *a, struct nd_tracker *t)
{
	if (!t)
		return -ENOMEM;
	if (a->ntrackers == ND_ANALYSIS_TRACKERS_MAX) {
		t->destroy(t);
		return -ENOSPC;
	}
	a->trackers[a->ntrackers++] = t;
	return 0;
}

int nd_analysis_init(struct nd_analysis *a)
{
	int err;

	nd_analysis_init_empty(a);
	for (const struct nd_tracker_entry *e = nd_default_trackers; e->create; e++) {
		err = nd_analysis_add(a, e->create(0));
		if (err) {
			nd_analysis_free(a);
			return err;
		}
	}
	return 0;
}

static struct nd_point *point_for(struct nd_analysis *a, const struct nd_frame_meta *m,
				  enum nd_dir dir)
{
	const char *name = m->ifname ? m->ifname : "";
	struct nd_point *p = &a->points[a->last_point];

	if (a->npoints && p->dir == dir && !strcmp(p->ifname, name))
		return p;
	for (unsigned i = 0; i < a->npoints; i++) {
		p = &a->points[i];
		if (p->dir == dir && !strncmp(p->ifname, name, sizeof(p->ifname) - 1)) {
			a->last_point = i;
			return p;
		}
	}
	if (a->npoints == ND_ANALYSIS_POINTS_MAX) {
		a->points_overflow++;
		return &a->points[ND_ANALYSIS_POINTS_MAX - 1];
	}
	p = &a->points[a->npoints];
	snprintf(p->ifname, sizeof(p->ifname), "%s", name);
	p->dir = dir;
	a->last_point = a->npoints++;
	return p;
}

static int layer_of(const struct nd_frame *f)
{
	switch (f->l4proto) {
	case IPPROTO_UDP: return ND_LAYER_UDP;
	case IPPROTO_TCP: return ND_LAYER_TCP;
	case IPPROTO_ICMP: return ND_LAYER_ICMP;
	case IPPROTO_ICMPV6: return ND_LAYER_ICMPV6;
	default: return -1;
	}
}

/* The cached inner name was made for this outer point: "OUTER/..." or,
 * for an unnamed one, no "/" before the kind. */
static bool same_outer(const char *inner, const char *outer)
{
	size_t n = strlen(outer);

	return n ? !strncmp(inner, outer, n) && inner[n] == '/' : !strchr(inner, '/');
}

/* The inner point's name, formatted only when the tunnel differs from
 * the last one's. */
static const char *inner_point(struct nd_analysis *a, const char *outer, const struct nd_frame *f,
			       enum nd_dir dir)
{
	/* via the remote tunnel end, so both directions are one tunnel
	 * (and its requests and answers meet in the trackers) */
	const struct nd_addr *remote = dir == ND_DIR_OUT ? &f->dst : &f->src;
	char via[64];
	int n = 0;

	if (a->inner_outer == outer && a->inner_kind == f->encap.kind &&
	    a->inner_vni == f->encap.vni && !memcmp(&a->inner_via, remote, sizeof(*remote)) &&
	    same_outer(a->inner_name, outer))
		return a->inner_name;
	a->inner_outer = outer;
	a->inner_kind = f->encap.kind;
	a->inner_vni = f->encap.vni;
	a->inner_via = *remote;
	nd_addr_str(remote, via, sizeof(via));
	if (outer[0])
		n = snprintf(a->inner_name, sizeof(a->inner_name), "%s/", outer);
	if (f->encap.has_vni)
		snprintf(a->inner_name + n, sizeof(a->inner_name) - (size_t)n, "%s%u@%s",
			 nd_encap_name(f->encap.kind), f->encap.vni, via);
	else
		snprintf(a->inner_name + n, sizeof(a->inner_name) - (size_t)n, "%s@%s",
			 nd_encap_name(f->encap.kind), via);
	return a->inner_name;
}

static void count_frame(struct nd_analysis *a, const struct nd_frame_meta *m,
			const struct nd_frame *f)
{
	struct nd_point *p;
	int layer;

	/* a direction the link layer knows (cooked headers) fills in for a
	 * source that did not say */
	p = point_for(a, m, m->dir != ND_DIR_UNKNOWN ? m->dir : f->dir);
	p->frames++;
	p->status[f->status]++;
	if (f->ip_version == 4 && f->ip4_csum.cls != ND_CSUM_NA)
		p->csum[ND_LAYER_IPV4][f->ip4_csum.cls]++;
	layer = layer_of(f);
	if (layer >= 0 && f->l4_csum.cls != ND_CSUM_NA)
		p->csum[layer][f->l4_csum.cls]++;
	for (unsigned i = 0; i < a->ntrackers; i++)
		a->trackers[i]->on_frame(a->trackers[i], m, f);
}

void nd_analysis_frame(struct nd_analysis *a, const struct nd_frame_meta *m,
		       const uint8_t *data, struct nd_frame *f)
{
	nd_frame_decode(f, m->linktype, data, m->caplen, m->wirelen, m->hints);
	count_frame(a, m, f);
	if (!a->frames++)
		a->first_ts = m->ts;
	a->last_ts = m->ts;
	if (f->encap.kind && f->encap.kind != ND_ENCAP_ICMP_QUOTE) {
		struct nd_frame in[2];
		struct nd_frame_meta im = *m;
		const struct nd_frame *cur = f;

		for (int d = 0; d < ND_ENCAP_DEPTH_MAX && cur->encap.kind &&
				cur->encap.kind != ND_ENCAP_ICMP_QUOTE; d++) {
			if (cur->dir != ND_DIR_UNKNOWN && im.dir == ND_DIR_UNKNOWN)
				im.dir = cur->dir;
			im.ifname = inner_point(a, m->ifname ? m->ifname : "", cur, im.dir);
			im.caplen = im.wirelen = (uint32_t)nd_cur_left(&cur->encap.inner);
			nd_frame_decode_inner(&in[d % 2], cur, m->hints);
			cur = &in[d % 2];
			a->inner_frames++;
			count_frame(a, &im, cur);
		}
	}
}

int nd_analysis_finish(struct nd_analysis *a, struct nd_findings *out)
{
	int err;

	for (unsigned i = 0; i < a->ntrackers; i++) {
		err = a->trackers[i]->report(a->trackers[i], a->last_ts, out);
		if (err)
			return err;
	}
	nd_findings_sort(out);
	return 0;
}

const char *nd_layer_name(enum nd_layer l)
{
	static const char *const names[ND_LAYER_COUNT] = {
		[ND_LAYER_IPV4] = "ipv4", [ND_LAYER_UDP] = "udp", [ND_LAYER_TCP] = "tcp",
		[ND_LAYER_ICMP] = "icmp", [ND_LAYER_ICMPV6] = "icmpv6",
	};

	return (unsigned)l < ND_LAYER_COUNT ? names[l] : "?";
}

static void point_json(const struct nd_point *p, struct nd_json *j)
{
	nd_json_obj_open(j);
	nd_json_kv_str(j, "interface", p->ifname);
	nd_json_kv_str(j, "direction", nd_dir_name(p->dir));
	nd_json_kv_uint(j, "frames", p->frames);
	nd_json_key(j, "decode");
	nd_json_obj_open(j);
	for (int s = 0; s < ND_DECODE_STATUS_COUNT; s++)
		nd_json_kv_uint(j, nd_decode_status_name((enum nd_decode_status)s), p->status[s]);
	nd_json_obj_close(j);
	nd_json_key(j, "checksums");
	nd_json_obj_open(j);
	for (int l = 0; l < ND_LAYER_COUNT; l++) {
		nd_json_key(j, nd_layer_name((enum nd_layer)l));
		nd_json_obj_open(j);
		for (int c = ND_CSUM_OK; c < ND_CSUM_CLASS_COUNT; c++)
			nd_json_kv_uint(j, nd_csum_class_name((enum nd_csum_class)c), p->csum[l][c]);
		nd_json_obj_close(j);
	}
	nd_json_obj_close(j);
	nd_json_obj_close(j);
}

void nd_analysis_json(struct nd_analysis *a, struct nd_json *j)
{
	nd_json_kv_uint(j, "frames", a->frames);
	nd_json_kv_double(j, "first", a->first_ts);
	nd_json_kv_double(j, "last", a->last_ts);
	nd_json_key(j, "points");
	nd_json_arr_open(j);
	for (unsigned i = 0; i < a->npoints; i++)
		point_json(&a->points[i], j);
	nd_json_arr_close(j);
	nd_json_kv_uint(j, "points_overflow", a->points_overflow);
	nd_json_kv_uint(j, "tunnelled_frames", a->inner_frames);
	nd_json_key(j, "trackers");
	nd_json_obj_open(j);
	for (unsigned i = 0; i < a->ntrackers; i++) {
		struct nd_tracker *t = a->trackers[i];

		nd_json_key(j, t->name);
		nd_json_obj_open(j);
		nd_json_kv_uint(j, "cap", t->cap);
		nd_json_kv_uint(j, "evicted", t->evicted);
		if (t->stats_json)
			t->stats_json(t, j);
		nd_json_obj_close(j);
	}
	nd_json_obj_close(j);
}

/* what one entry of each tracker's table is, for people */
static const struct {
	const char *tracker, *entries;
} entry_names[] = {
	{ "csum", "checksum flows" },       { "dhcp4", "DHCPv4 clients" },
	{ "dhcp6", "DHCPv6 transactions" }, { "dns", "DNS transactions" },
	{ "nd", "routers" },
};

/* 4464 -> "4,464" */
static const char *grouped(uint64_t v, char *buf, size_t len)
{
	char digits[24];
	size_t n = (size_t)snprintf(digits, sizeof(digits), "%llu", (unsigned long long)v), o = 0;

	for (size_t i = 0; i < n && o + 2 < len; i++) {
		if (i && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = 0;
	return buf;
}

void nd_analysis_text_limits(const struct nd_analysis *a, FILE *out)
{
	char n1[32], n2[32];

	for (unsigned i = 0; i < a->ntrackers; i++) {
		const struct nd_tracker *t = a->trackers[i];
		uint64_t lost = t->tells_not_followed ? t->not_followed : t->evicted;
		const char *what = t->name;

		if (!lost)
			continue;
		for (size_t k = 0; k < sizeof(entry_names) / sizeof(entry_names[0]); k++)
			if (!strcmp(entry_names[k].tracker, t->name))
				what = entry_names[k].entries;
		fprintf(out, "%s %s not followed: table full (%s kept)\n", grouped(lost, n1, sizeof(n1)),
			what, grouped(t->cap, n2, sizeof(n2)));
	}
	if (a->points_overflow)
		fprintf(out, "%s frames from capture points past the first %d counted under the "
			"last one\n", grouped(a->points_overflow, n1, sizeof(n1)),
			ND_ANALYSIS_POINTS_MAX);
}

void nd_analysis_free(struct nd_analysis *a)
{
	for (unsigned i = 0; i < a->ntrackers; i++)
		a->trackers[i]->destroy(a->trackers[i]);
	a->ntrackers = 0;
}
