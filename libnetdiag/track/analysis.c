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
	a->ninner = 0;
	if (f->encap.kind && f->encap.kind != ND_ENCAP_ICMP_QUOTE) {
		struct nd_frame_meta im = *m;
		const struct nd_frame *cur = f;

		while (a->ninner < ND_ENCAP_DEPTH_MAX && cur->encap.kind &&
		       cur->encap.kind != ND_ENCAP_ICMP_QUOTE) {
			if (cur->dir != ND_DIR_UNKNOWN && im.dir == ND_DIR_UNKNOWN)
				im.dir = cur->dir;
			im.ifname = inner_point(a, m->ifname ? m->ifname : "", cur, im.dir);
			im.caplen = im.wirelen = (uint32_t)nd_cur_left(&cur->encap.inner);
			nd_frame_decode_inner(&a->inner[a->ninner], cur, m->hints);
			cur = &a->inner[a->ninner++];
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

void nd_analysis_free(struct nd_analysis *a)
{
	for (unsigned i = 0; i < a->ntrackers; i++)
		a->trackers[i]->destroy(a->trackers[i]);
	a->ntrackers = 0;
}
