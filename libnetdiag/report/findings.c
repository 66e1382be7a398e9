#include <inttypes.h>
#include <string.h>

#include <netdiag/json.h>
#include <netdiag/report.h>

static const char *sev_colour(enum nd_severity sev)
{
	switch (sev) {
	case ND_SEV_ERROR: return "\033[31m";
	case ND_SEV_WARNING: return "\033[33m";
	default: return "\033[36m";
	}
}

static void print_fields_text(FILE *out, const struct nd_finding *f)
{
	for (unsigned i = 0; i < f->nfields; i++) {
		const struct nd_field *fl = &f->fields[i];

		switch (fl->type) {
		case ND_FIELD_INT:
			fprintf(out, " %s=%" PRId64, fl->key, fl->v.i);
			break;
		case ND_FIELD_DOUBLE:
			fprintf(out, " %s=%.6g", fl->key, fl->v.d);
			break;
		case ND_FIELD_STR:
			fprintf(out, " %s=", fl->key);
			nd_text_put(out, fl->v.s);
			break;
		}
	}
}

static void finding_text(FILE *out, const struct nd_finding *f, bool colour)
{
	{

		if (colour)
			fprintf(out, "%s%-7s\033[0m ", sev_colour(f->severity),
				nd_severity_name(f->severity));
		else
			fprintf(out, "%-7s ", nd_severity_name(f->severity));
		nd_text_put(out, f->id);
		if (f->ifname[0]) {
			fputc(' ', out);
			nd_text_put(out, f->ifname);
			fprintf(out, "%s%s", f->dir ? " " : "", nd_dir_name(f->dir));
		}
		if (f->subject[0]) {
			fputc(' ', out);
			nd_text_put(out, f->subject);
		}
		fputs(": ", out);
		nd_text_put(out, f->summary);
		if (f->nframes) {
			fprintf(out, " [frames");
			for (unsigned k = 0; k < f->nframes && k < 5; k++)
				fprintf(out, "%s%" PRIu64, k ? "," : " ", f->frames[k]);
			if (f->frames_total > 5)
				fprintf(out, ",... of %" PRIu64, f->frames_total);
			fputc(']', out);
		}
		fputc('\n', out);
		if (f->nfields) {
			fputs("        ", out);
			print_fields_text(out, f);
			fputc('\n', out);
		}
	}
}

void nd_report_text(FILE *out, const struct nd_findings *fs, bool colour)
{
	for (size_t i = 0; i < fs->n; i++)
		finding_text(out, &fs->v[i], colour);
}

void nd_report_text_brief(FILE *out, const struct nd_findings *fs, bool colour, bool verbose)
{
	size_t ninfo = 0;
	bool header = false;

	for (size_t i = 0; i < fs->n; i++) {
		if (fs->v[i].severity == ND_SEV_INFO && !verbose) {
			ninfo++;
			continue;
		}
		if (!header)
			fprintf(out, "\nfindings (worst first):\n");
		header = true;
		finding_text(out, &fs->v[i], colour);
	}
	if (!ninfo)
		return;
	/* ids in order of first appearance, each with its count */
	fprintf(out, "info: %zu finding%s (", ninfo, ninfo == 1 ? "" : "s");
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
		fprintf(out, "%s%s", shown++ ? ", " : "", fs->v[i].id);
		if (same > 1)
			fprintf(out, " x%zu", same);
	}
	fprintf(out, "); -v lists them\n");
}

static void json_fields(struct nd_json *j, const struct nd_finding *f)
{
	nd_json_key(j, "fields");
	nd_json_obj_open(j);
	for (unsigned i = 0; i < f->nfields; i++) {
		const struct nd_field *fl = &f->fields[i];

		nd_json_key(j, fl->key);
		switch (fl->type) {
		case ND_FIELD_INT: nd_json_int(j, fl->v.i); break;
		case ND_FIELD_DOUBLE: nd_json_double(j, fl->v.d); break;
		case ND_FIELD_STR: nd_json_str(j, fl->v.s); break;
		}
	}
	nd_json_obj_close(j);
}

void nd_report_json_findings(struct nd_json *j, const struct nd_findings *fs)
{
	nd_json_key(j, "findings");
	nd_json_arr_open(j);
	for (size_t i = 0; i < fs->n; i++) {
		const struct nd_finding *f = &fs->v[i];

		nd_json_obj_open(j);
		nd_json_kv_str(j, "id", f->id);
		nd_json_kv_str(j, "severity", nd_severity_name(f->severity));
		nd_json_kv_str(j, "interface", f->ifname);
		nd_json_kv_str(j, "direction", nd_dir_name(f->dir));
		nd_json_kv_str(j, "subject", f->subject);
		nd_json_kv_uint(j, "count", f->count);
		nd_json_kv_double(j, "first", f->first);
		nd_json_kv_double(j, "last", f->last);
		nd_json_key(j, "frames");
		nd_json_arr_open(j);
		for (unsigned k = 0; k < f->nframes; k++)
			nd_json_uint(j, f->frames[k]);
		nd_json_arr_close(j);
		nd_json_kv_uint(j, "frames_total", f->frames_total);
		nd_json_kv_str(j, "summary", f->summary);
		json_fields(j, f);
		nd_json_obj_close(j);
	}
	nd_json_arr_close(j);
}
