/* Findings read back from a netdiag JSON document (check, host, analyze,
 * vm run), so `netdiag doctor --from FILE` can diagnose a run made
 * elsewhere, a CI artefact say.  json-c does the parsing: the documents
 * are ours, but the file is input and deserves a real parser. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <netdiag/input.h>
#include <netdiag/report.h>

#define ND_JSON_INPUT_MAX (64u << 20)  /* a day of check findings is a few MiB */
#define ND_JSON_INPUT_QUIET_S 30

static const char *str_member(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v) : NULL;
}

static int severity_parse(const char *s, enum nd_severity *sev)
{
	for (int i = ND_SEV_INFO; i <= ND_SEV_ERROR; i++)
		if (s && !strcmp(s, nd_severity_name((enum nd_severity)i))) {
			*sev = (enum nd_severity)i;
			return 0;
		}
	return -EINVAL;
}

static void read_fields(json_object *fields, struct nd_finding *f)
{
	json_object_object_foreach(fields, key, v) {
		switch (json_object_get_type(v)) {
		case json_type_int:
			nd_finding_set_int(f, key, json_object_get_int64(v));
			break;
		case json_type_double:
			nd_finding_set_double(f, key, json_object_get_double(v));
			break;
		case json_type_string:
			nd_finding_set_str(f, key, json_object_get_string(v));
			break;
		case json_type_boolean:
			nd_finding_set_int(f, key, json_object_get_boolean(v));
			break;
		default:
			break;
		}
	}
}

static int read_finding(json_object *o, size_t i, struct nd_findings *out, char *err, size_t errlen)
{
	const char *id = str_member(o, "id"), *dir = str_member(o, "direction");
	const char *sev_text = str_member(o, "severity");
	enum nd_severity sev;
	struct nd_finding *f;
	json_object *v;

	if (!id || severity_parse(sev_text, &sev) < 0) {
		snprintf(err, errlen, "findings[%zu]: %s", i,
			 id ? "severity is not info, warning or error" : "no id");
		return -EINVAL;
	}
	f = nd_findings_add(out, id, sev);
	if (!f)
		return -ENOMEM;
	snprintf(f->ifname, sizeof(f->ifname), "%s", str_member(o, "interface") ?: "");
	snprintf(f->subject, sizeof(f->subject), "%s", str_member(o, "subject") ?: "");
	snprintf(f->summary, sizeof(f->summary), "%s", str_member(o, "summary") ?: "");
	f->dir = dir && !strcmp(dir, "in") ? ND_DIR_IN : dir && !strcmp(dir, "out") ? ND_DIR_OUT
										  : ND_DIR_UNKNOWN;
	if (json_object_object_get_ex(o, "count", &v))
		f->count = (uint64_t)json_object_get_int64(v);
	if (json_object_object_get_ex(o, "first", &v))
		f->first = json_object_get_double(v);
	if (json_object_object_get_ex(o, "last", &v))
		f->last = json_object_get_double(v);
	if (json_object_object_get_ex(o, "frames", &v) && json_object_is_type(v, json_type_array))
		for (size_t k = 0; k < json_object_array_length(v); k++)
			nd_finding_add_frame(f, (uint64_t)json_object_get_int64(
							json_object_array_get_idx(v, k)));
	if (json_object_object_get_ex(o, "frames_total", &v))
		f->frames_total = (uint64_t)json_object_get_int64(v);
	if (json_object_object_get_ex(o, "fields", &v) && json_object_is_type(v, json_type_object))
		read_fields(v, f);
	return 0;
}

/* line and column of a byte offset, for the error message */
static void position(const char *text, size_t off, unsigned *line, unsigned *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off && text[i]; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

int nd_findings_read_json(const char *path, struct nd_findings *out, char *err, size_t errlen)
{
	json_tokener *tok = NULL;
	json_object *doc = NULL, *arr;
	char *text = NULL, reason[128];
	size_t len = 0;
	int rc = 0;

	/* bounded: `--from /dev/zero` is refused (a device), a pipe that
	 * never ends stops at the size bound, one that goes quiet or a
	 * SIGTERM at the time bound or at once */
	rc = nd_input_read(path, ND_INPUT_STREAM, ND_JSON_INPUT_MAX, ND_JSON_INPUT_QUIET_S, &text,
			   &len, reason, sizeof(reason));
	if (rc) {
		snprintf(err, errlen, "%s: %s", path, reason);
		return rc;
	}
	tok = json_tokener_new();
	if (!tok) {
		rc = -ENOMEM;
		goto out;
	}
	doc = json_tokener_parse_ex(tok, text, (int)len + 1);
	if (!doc) {
		unsigned line, col;

		position(text, json_tokener_get_parse_end(tok), &line, &col);
		snprintf(err, errlen, "%s:%u:%u: not a JSON document: %s", path, line, col,
			 json_tokener_error_desc(json_tokener_get_error(tok)));
		rc = -EINVAL;
		goto out;
	}
	if (!json_object_object_get_ex(doc, "findings", &arr) ||
	    !json_object_is_type(arr, json_type_array)) {
		snprintf(err, errlen, "%s: no \"findings\" array (a netdiag -j document?)", path);
		rc = -EINVAL;
		goto out;
	}
	for (size_t i = 0; i < json_object_array_length(arr) && !rc; i++) {
		char why[160];

		rc = read_finding(json_object_array_get_idx(arr, i), i, out, why, sizeof(why));
		if (rc == -EINVAL)
			snprintf(err, errlen, "%s: %s", path, why);
	}
	nd_findings_sort(out);
out:
	json_object_put(doc);
	if (tok)
		json_tokener_free(tok);
	free(text);
	return rc;
}
