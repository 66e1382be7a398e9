#include <inttypes.h>
#include <math.h>

#include <netdiag/json.h>

void nd_json_init(struct nd_json *j, FILE *out, bool pretty)
{
	j->out = out;
	j->depth = 0;
	j->pretty = pretty;
	j->need_comma[0] = false;
	j->after_key = false;
}

static void indent(struct nd_json *j)
{
	if (!j->pretty)
		return;
	fputc('\n', j->out);
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->out);
}

/* Separator and indentation before a value or a key. */
static void before_item(struct nd_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->need_comma[j->depth])
		fputc(',', j->out);
	if (j->depth > 0)
		indent(j);
	j->need_comma[j->depth] = true;
}

static void open_scope(struct nd_json *j, int ch)
{
	before_item(j);
	fputc(ch, j->out);
	if (j->depth < ND_JSON_DEPTH_MAX - 1)
		j->depth++;
	j->need_comma[j->depth] = false;
}

static void close_scope(struct nd_json *j, int ch)
{
	bool had_items = j->need_comma[j->depth];

	if (j->depth > 0)
		j->depth--;
	if (had_items)
		indent(j);
	fputc(ch, j->out);
}

void nd_json_obj_open(struct nd_json *j) { open_scope(j, '{'); }
void nd_json_obj_close(struct nd_json *j) { close_scope(j, '}'); }
void nd_json_arr_open(struct nd_json *j) { open_scope(j, '['); }
void nd_json_arr_close(struct nd_json *j) { close_scope(j, ']'); }

size_t nd_utf8_len(const unsigned char *p)
{
	unsigned char c = p[0];
	size_t n;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)  /* also stops at the NUL */
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* RFC 8259 section 7, and valid UTF-8 whatever the input: a byte that
 * is not part of a well-formed sequence becomes U+FFFD */
static void write_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t n = nd_utf8_len(p);

		if (!n) {
			fputs("\\ufffd", out);
			p++;
			continue;
		}
		if (n > 1) {
			fwrite(p, 1, n, out);
			p += n;
			continue;
		}
		switch (*p) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(out, "\\u%04x", *p);
			else
				fputc(*p, out);
		}
		p++;
	}
	fputc('"', out);
}

void nd_json_key(struct nd_json *j, const char *key)
{
	before_item(j);
	write_string(j->out, key);
	fputs(j->pretty ? ": " : ":", j->out);
	j->after_key = true;
}

void nd_json_str(struct nd_json *j, const char *s)
{
	before_item(j);
	write_string(j->out, s ? s : "");
}

void nd_json_int(struct nd_json *j, int64_t v)
{
	before_item(j);
	fprintf(j->out, "%" PRId64, v);
}

void nd_json_uint(struct nd_json *j, uint64_t v)
{
	before_item(j);
	fprintf(j->out, "%" PRIu64, v);
}

void nd_json_double(struct nd_json *j, double v)
{
	char buf[64];
	size_t n;

	before_item(j);
	if (!isfinite(v)) {
		fputs("null", j->out);
		return;
	}
	if (fabs(v) < 1e5) {
		fprintf(j->out, "%.6g", v);
		return;
	}
	/* large values are mostly times since the epoch: microseconds kept,
	 * trailing zeros not */
	n = (size_t)snprintf(buf, sizeof(buf), "%.6f", v);
	while (n > 1 && buf[n - 1] == '0')
		buf[--n] = 0;
	if (n > 1 && buf[n - 1] == '.')
		buf[--n] = 0;
	fputs(buf, j->out);
}

void nd_json_bool(struct nd_json *j, bool v)
{
	before_item(j);
	fputs(v ? "true" : "false", j->out);
}

void nd_json_null(struct nd_json *j)
{
	before_item(j);
	fputs("null", j->out);
}

void nd_json_end(struct nd_json *j)
{
	fputc('\n', j->out);
	fflush(j->out);
}

