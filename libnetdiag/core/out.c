/* The output writer: text or JSON from one walk (netdiag/out.h). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <netdiag/out.h>

void nd_out_init(struct nd_out *o, FILE *f, bool json, bool colour)
{
	memset(o, 0, sizeof(*o));
	o->f = f;
	o->json = json;
	o->colour = colour && !json;
	nd_json_init(&o->j, f, true);
}

void nd_out_begin(struct nd_out *o, const char *cmd)
{
	if (!o->json || o->begun)
		return;
	o->begun = true;
	nd_json_obj_open(&o->j);
	nd_json_key(&o->j, "schema");
	nd_json_str(&o->j, ND_JSON_SCHEMA);
	nd_json_key(&o->j, "command");
	nd_json_str(&o->j, cmd);
}

void nd_out_end(struct nd_out *o)
{
	if (!o->json || !o->begun)
		return;
	nd_json_obj_close(&o->j);
	nd_json_end(&o->j);
	o->begun = false;
}

void nd_text_put(FILE *out, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t n = nd_utf8_len(p);

		/* C1 controls (U+0080..U+009F) act as escapes on some terminals */
		if (n == 2 && p[0] == 0xc2 && p[1] < 0xa0)
			n = 0;
		if (n == 1 && (*p < 0x20 || *p == 0x7f))
			n = 0;
		if (!n) {
			fprintf(out, "\\x%02x", *p++);
			continue;
		}
		fwrite(p, 1, n, out);
		p += n;
	}
}

/* a JSON member's key, or none inside an array */
static void json_key(struct nd_out *o, const char *key)
{
	if (key && key[0])
		nd_json_key(&o->j, key);
}

/* true when this call writes JSON; false when it writes text (fmt given) */
static bool to_json(struct nd_out *o, const char *key)
{
	if (!o->json)
		return false;
	json_key(o, key);
	return true;
}

void nd_out_str(struct nd_out *o, const char *key, const char *fmt, const char *v)
{
	if (o->json) {
		if (!key)
			return;
		json_key(o, key);
		if (v)
			nd_json_str(&o->j, v);
		else
			nd_json_null(&o->j);
		return;
	}
	if (!fmt)
		return;
	/* the value escaped for a terminal, then placed by the format (widths
	 * and all) */
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	if (m) {
		nd_text_put(m, v ? v : "");
		fclose(m);
	}
	fprintf(o->f, fmt, text ? text : "");
	free(text);
}

#define OUT_NUMBER(name, type, json_put)                                        \
	void nd_out_##name(struct nd_out *o, const char *key, const char *fmt, type v) \
	{                                                                       \
		if (o->json) {                                                  \
			if (key && to_json(o, key))                             \
				json_put(&o->j, v);                             \
		} else if (fmt) {                                               \
			fprintf(o->f, fmt, v);                                  \
		}                                                               \
	}

OUT_NUMBER(int, int64_t, nd_json_int)
OUT_NUMBER(uint, uint64_t, nd_json_uint)
OUT_NUMBER(double, double, nd_json_double)

void nd_out_bool(struct nd_out *o, const char *key, const char *fmt, bool v)
{
	if (o->json) {
		if (key && to_json(o, key))
			nd_json_bool(&o->j, v);
	} else if (fmt) {
		fprintf(o->f, fmt, v ? "yes" : "no");
	}
}

void nd_out_text(struct nd_out *o, const char *fmt, ...)
{
	va_list ap;

	if (o->json)
		return;
	va_start(ap, fmt);
	vfprintf(o->f, fmt, ap);
	va_end(ap);
}

void nd_out_text_str(struct nd_out *o, const char *s)
{
	if (!o->json && s)
		nd_text_put(o->f, s);
}

void nd_out_obj_open(struct nd_out *o, const char *key)
{
	if (o->json) {
		json_key(o, key);
		nd_json_obj_open(&o->j);
	}
}

void nd_out_obj_close(struct nd_out *o)
{
	if (o->json)
		nd_json_obj_close(&o->j);
}

void nd_out_arr_open(struct nd_out *o, const char *key)
{
	if (o->json) {
		json_key(o, key);
		nd_json_arr_open(&o->j);
	}
}

void nd_out_arr_close(struct nd_out *o)
{
	if (o->json)
		nd_json_arr_close(&o->j);
}
