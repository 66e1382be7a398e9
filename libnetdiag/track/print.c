/* An analysis run printed: text or JSON from one walk (netdiag/out.h). */
#include <inttypes.h>
#include <string.h>

#include <netdiag/analysis.h>

static const char *proto_name(const struct nd_frame *f)
{
	switch (f->l4proto) {
	case 17: return "udp";
	case 6: return "tcp";
	case 1: return f->ip_version == 4 ? "icmp" : "other";
	case 58: return f->ip_version == 6 ? "icmpv6" : "other";
	default: return f->ip_version ? "other" : "-";
	}
}

static void frame_line(FILE *out, const struct nd_frame_meta *m, const struct nd_frame *f,
		       int depth)
{
	enum nd_dir dir = m->dir != ND_DIR_UNKNOWN ? m->dir : f->dir;

	/* an inner frame (tunnel, ICMP quote) is line N.1, N.2 ... */
	if (depth)
		fprintf(out, "%" PRIu64 ".%d\t", m->number, depth);
	else
		fprintf(out, "%" PRIu64 "\t", m->number);
	/* the name is the capture file's: no escape sequence reaches a terminal */
	nd_text_put(out, m->ifname && m->ifname[0] ? m->ifname : "-");
	fprintf(out, "\t%s\t%s\t%s\t%s\t0x%04x\t0x%04x\t%s\t0x%04x\t0x%04x\n",
		dir ? nd_dir_name(dir) : "-", nd_decode_status_name(f->status), proto_name(f),
		nd_csum_class_name(f->l4_csum.cls), f->l4_csum.found, f->l4_csum.expected,
		nd_csum_class_name(f->ip4_csum.cls), f->ip4_csum.found, f->ip4_csum.expected);
}

void nd_frame_print_lines(FILE *out, const struct nd_frame_meta *m, const struct nd_frame *f)
{
	struct nd_frame in[2];
	const struct nd_frame *cur = f;

	frame_line(out, m, f, 0);
	for (int d = 0; d < ND_ENCAP_DEPTH_MAX && cur->encap.kind; d++) {
		nd_frame_decode_inner(&in[d % 2], cur, 0);
		cur = &in[d % 2];
		frame_line(out, m, cur, d + 1);
	}
}

/* a layer's checksum counts: every class in JSON; in text, the layer's
 * line only when it has any, with the classes seen ("  udp      40 ok, 2 partial") */
static void point_csums(const struct nd_point *p, int l, struct nd_out *o)
{
	const char *sep = "";
	bool any = false;

	for (int c = ND_CSUM_OK; c < ND_CSUM_CLASS_COUNT; c++)
		any |= p->csum[l][c] != 0;
	nd_out_obj_open(o, nd_layer_name((enum nd_layer)l));
	if (any)
		nd_out_text(o, "  %-7s", l == ND_LAYER_IPV4 ? "ipv4hdr" : nd_layer_name((enum nd_layer)l));
	for (int c = ND_CSUM_OK; c < ND_CSUM_CLASS_COUNT; c++) {
		const char *cls = nd_csum_class_name((enum nd_csum_class)c);

		nd_out_uint(o, cls, NULL, p->csum[l][c]);
		if (p->csum[l][c]) {
			nd_out_text(o, "%s %" PRIu64 " %s", sep, p->csum[l][c], cls);
			sep = ",";
		}
	}
	if (any)
		nd_out_text(o, "\n");
	nd_out_obj_close(o);
}

static void point_print(const struct nd_point *p, struct nd_out *o)
{
	nd_out_obj_open(o, ND_OUT_ITEM);
	nd_out_str(o, "interface", NULL, p->ifname);
	nd_out_str(o, NULL, "%s", p->ifname[0] ? p->ifname : "(capture)");
	nd_out_str(o, "direction", p->dir ? " %s" : "%s", nd_dir_name(p->dir));
	nd_out_uint(o, "frames", ": %" PRIu64 " frames\n", p->frames);
	nd_out_obj_open(o, "decode");
	for (int s = 0; s < ND_DECODE_STATUS_COUNT; s++)
		nd_out_uint(o, nd_decode_status_name((enum nd_decode_status)s), NULL, p->status[s]);
	nd_out_obj_close(o);
	nd_out_obj_open(o, "checksums");
	for (int l = 0; l < ND_LAYER_COUNT; l++)
		point_csums(p, l, o);
	nd_out_obj_close(o);
	/* text says what could not be decoded after the verdicts */
	if (p->status[ND_DECODE_TRUNCATED] || p->status[ND_DECODE_MALFORMED])
		nd_out_text(o, "  decode  %" PRIu64 " truncated, %" PRIu64 " malformed\n",
			    p->status[ND_DECODE_TRUNCATED], p->status[ND_DECODE_MALFORMED]);
	nd_out_obj_close(o);
}

void nd_analysis_print(const struct nd_analysis *a, struct nd_out *o)
{
	nd_out_uint(o, "frames", NULL, a->frames);
	nd_out_double(o, "first", NULL, a->first_ts);
	nd_out_double(o, "last", NULL, a->last_ts);
	nd_out_arr_open(o, "points");
	for (unsigned i = 0; i < a->npoints; i++)
		point_print(&a->points[i], o);
	nd_out_arr_close(o);
	nd_out_uint(o, "points_overflow", NULL, a->points_overflow);
	nd_out_uint(o, "tunnelled_frames", NULL, a->inner_frames);
	nd_out_obj_open(o, "trackers");
	for (unsigned i = 0; i < a->ntrackers; i++) {
		struct nd_tracker *t = a->trackers[i];

		nd_out_obj_open(o, t->name);
		nd_out_uint(o, "cap", NULL, t->cap);
		nd_out_uint(o, "evicted", NULL, t->evicted);
		if (t->stats_print)
			t->stats_print(t, o);
		nd_out_obj_close(o);
	}
	nd_out_obj_close(o);
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

void nd_analysis_print_limits(const struct nd_analysis *a, struct nd_out *o)
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
		nd_out_text(o, "%s %s not followed: table full (%s kept)\n",
			    grouped(lost, n1, sizeof(n1)), what, grouped(t->cap, n2, sizeof(n2)));
	}
	if (a->points_overflow)
		nd_out_text(o, "%s frames from capture points past the first %d counted under the "
			    "last one\n", grouped(a->points_overflow, n1, sizeof(n1)),
			    ND_ANALYSIS_POINTS_MAX);
}
