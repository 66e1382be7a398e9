/* The findings, for people and for programs, from one walk: each finding's
 * line of text (severity, id, device, subject, summary, frames, fields) and
 * its JSON object in the "findings" array. */
#include <inttypes.h>
#include <string.h>

#include <netdiag/report.h>

static const char *sev_colour(enum nd_severity sev)
{
	switch (sev) {
	case ND_SEV_ERROR: return "\033[31m";
	case ND_SEV_WARNING: return "\033[33m";
	default: return "\033[36m";
	}
}

/* text: one line "        key=value ..." when there are any; JSON: the
 * "fields" object, always */
static void print_fields(struct nd_out *o, const struct nd_finding *f)
{
	nd_out_obj_open(o, "fields");
	if (f->nfields)
		nd_out_text(o, "        ");
	for (unsigned i = 0; i < f->nfields; i++) {
		const struct nd_field *fl = &f->fields[i];

		nd_out_text(o, " %s=", fl->key);
		switch (fl->type) {
		case ND_FIELD_INT: nd_out_int(o, fl->key, "%" PRId64, fl->v.i); break;
		case ND_FIELD_DOUBLE: nd_out_double(o, fl->key, "%.6g", fl->v.d); break;
		case ND_FIELD_STR: nd_out_str(o, fl->key, "%s", fl->v.s); break;
		}
	}
	if (f->nfields)
		nd_out_text(o, "\n");
	nd_out_obj_close(o);
}

/* text: the evidence frames, at most five and the total; JSON: all kept */
static void print_frames(struct nd_out *o, const struct nd_finding *f)
{
	if (f->nframes)
		nd_out_text(o, " [frames");
	nd_out_arr_open(o, "frames");
	for (unsigned k = 0; k < f->nframes; k++)
		nd_out_uint(o, ND_OUT_ITEM, k >= 5 ? NULL : k ? ",%" PRIu64 : " %" PRIu64,
			    f->frames[k]);
	nd_out_arr_close(o);
	nd_out_uint(o, "frames_total", f->nframes && f->frames_total > 5 ? ",... of %" PRIu64 : NULL,
		    f->frames_total);
	if (f->nframes)
		nd_out_text(o, "]");
}

static void print_finding(struct nd_out *o, const struct nd_finding *f)
{
	const char *sev = nd_severity_name(f->severity);

	nd_out_obj_open(o, ND_OUT_ITEM);
	if (o->colour)
		nd_out_text(o, "%s%-7s\033[0m ", sev_colour(f->severity), sev);
	else
		nd_out_text(o, "%-7s ", sev);
	nd_out_str(o, "id", "%s", f->id);
	nd_out_str(o, "severity", NULL, sev);
	nd_out_str(o, "interface", f->ifname[0] ? " %s" : NULL, f->ifname);
	nd_out_str(o, "direction", f->ifname[0] && f->dir ? " %s" : NULL, nd_dir_name(f->dir));
	nd_out_str(o, "subject", f->subject[0] ? " %s" : NULL, f->subject);
	/* the summary ends the text's head, and comes last in JSON */
	nd_out_str(o, NULL, ": %s", f->summary);
	nd_out_uint(o, "count", NULL, f->count);
	nd_out_double(o, "first", NULL, f->first);
	nd_out_double(o, "last", NULL, f->last);
	print_frames(o, f);
	nd_out_text(o, "\n");
	nd_out_str(o, "summary", NULL, f->summary);
	print_fields(o, f);
	nd_out_obj_close(o);
}

void nd_report_findings(struct nd_out *o, const struct nd_findings *fs)
{
	nd_out_arr_open(o, "findings");
	for (size_t i = 0; i < fs->n; i++)
		print_finding(o, &fs->v[i]);
	nd_out_arr_close(o);
}

/* "info: 3 findings (dhcp4.lease, dns.latency x2); -v lists them": ids in
 * order of first appearance, each with its count */
static void info_line(struct nd_out *o, const struct nd_findings *fs, size_t ninfo)
{
	nd_out_text(o, "info: %zu finding%s (", ninfo, ninfo == 1 ? "" : "s");
	for (size_t i = 0, shown = 0; i < fs->n; i++) {
		size_t same = 0;
		bool earlier = false;

		if (fs->v[i].severity != ND_SEV_INFO)
			continue;
		for (size_t k = 0; k < fs->n; k++) {
			bool match = fs->v[k].severity == ND_SEV_INFO && !strcmp(fs->v[k].id, fs->v[i].id);

			earlier |= match && k < i;
			same += match;
		}
		if (earlier)
			continue;
		nd_out_text(o, "%s%s", shown++ ? ", " : "", fs->v[i].id);
		if (same > 1)
			nd_out_text(o, " x%zu", same);
	}
	nd_out_text(o, "); -v lists them\n");
}

void nd_report_findings_brief(struct nd_out *o, const struct nd_findings *fs, bool verbose)
{
	size_t ninfo = 0;
	bool header = false;

	if (o->json) {
		nd_report_findings(o, fs);
		return;
	}
	for (size_t i = 0; i < fs->n; i++) {
		if (fs->v[i].severity == ND_SEV_INFO && !verbose) {
			ninfo++;
			continue;
		}
		if (!header)
			nd_out_text(o, "\nfindings (worst first):\n");
		header = true;
		print_finding(o, &fs->v[i]);
	}
	if (ninfo)
		info_line(o, fs, ninfo);
}
