/* The journal's lines: a record written as one line sealed with its
 * CRC-32, and the file's text parsed back into records, each line that is
 * not one kept as damage with the reason (see netdiag/journal.h). */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <netdiag/journal.h>

#include "journal_internal.h"

/* CRC-32 (IEEE 802.3, as zlib, gzip and PNG compute it) of a line's text */
static uint32_t line_crc(const char *p, size_t n)
{
	return (uint32_t)crc32(0L, (const Bytef *)p, (uInt)n);
}


void journal_put(struct journal_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->cap - b->len)
		b->over = true;
	else
		b->len += (size_t)n;
}

/* Fields are written percent-encoded where they hold a space, '%',
 * ',' or a control character, and "-" stands for an empty field (a field
 * that is exactly "-" is written %2D), so every record is eleven words. */
static void put_field(struct journal_buf *b, const char *v)
{
	journal_put(b, " ");
	if (!v[0]) {
		journal_put(b, "-");
		return;
	}
	if (!strcmp(v, "-")) {
		journal_put(b, "%%2D");
		return;
	}
	for (const unsigned char *c = (const unsigned char *)v; *c; c++)
		if (*c <= ' ' || *c == '%' || *c == ',' || *c >= 0x7f)
			journal_put(b, "%%%02X", *c);
		else
			journal_put(b, "%c", *c);
}

/* strict: '%' takes two hex digits, "-" alone is empty */
static int get_field(const char *word, char *out, size_t len)
{
	size_t n = 0;

	if (!strcmp(word, "-")) {
		out[0] = 0;
		return 0;
	}
	for (const char *c = word; *c; c++) {
		if (n + 1 >= len)
			return -ENAMETOOLONG;
		if (*c == '%') {
			if (!isxdigit((unsigned char)c[1]) || !isxdigit((unsigned char)c[2]))
				return -EINVAL;
			unsigned v = (unsigned)strtoul((char[]){ c[1], c[2], 0 }, NULL, 16);

			if (!v)
				return -EINVAL;
			out[n++] = (char)v;
			c += 2;
		} else {
			out[n++] = *c;
		}
	}
	out[n] = 0;
	return 0;
}

/* the checksum of the line that starts at `start` in b */
void journal_end_line(struct journal_buf *b, size_t start)
{
	uint32_t c = b->over ? 0 : line_crc(b->p + start, b->len - start);

	journal_put(b, " crc=%08x\n", c);
}

void journal_record_line(struct journal_buf *b, const struct nd_journal_record *r)
{
	size_t start = b->len;

	journal_put(b, "change %u", r->id);
	put_field(b, r->kind);
	put_field(b, r->object);
	put_field(b, r->key);
	put_field(b, r->before);
	put_field(b, r->after);
	if (r->legacy) {
		journal_put(b, "\n");           /* kept as the older netdiag wrote it */
		return;
	}
	journal_put(b, " run=%s ns=%llu:%llu", r->run, r->ns_dev, r->ns_ino);
	if (r->dev.ifindex) {
		journal_put(b, " dev=%d,", r->dev.ifindex);
		journal_put(b, "%s,%s,%s", r->dev.kind[0] ? r->dev.kind : "-", r->dev.mac[0] ? r->dev.mac : "-",
		    r->dev.perm[0] ? r->dev.perm : "-");
	} else {
		journal_put(b, " dev=-");
	}
	journal_end_line(b, start);
}

static bool strict_uint(const char *s, unsigned *v)
{
	char *end;
	unsigned long x;

	if (!isdigit((unsigned char)s[0]) || (s[0] == '0' && s[1]))
		return false;
	errno = 0;
	x = strtoul(s, &end, 10);
	if (errno || *end || x > UINT_MAX)
		return false;
	*v = (unsigned)x;
	return true;
}

static bool hex_ok(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	return true;
}

/* "IFINDEX,KIND,MAC,PERM" with "-" for empty, or "-" */
static bool parse_dev(const char *s, struct nd_journal_dev *d)
{
	char copy[128], *f[4], *save = NULL;
	unsigned n = 0, idx;

	memset(d, 0, sizeof(*d));
	if (!strcmp(s, "-"))
		return true;
	if (strlen(s) >= sizeof(copy))
		return false;
	snprintf(copy, sizeof(copy), "%s", s);
	for (char *t = strtok_r(copy, ",", &save); t && n < 4; t = strtok_r(NULL, ",", &save))
		f[n++] = t;
	if (n != 4 || strtok_r(NULL, ",", &save) || !strict_uint(f[0], &idx) || !idx || idx > INT_MAX)
		return false;
	d->ifindex = (int)idx;
	if (strlen(f[1]) >= sizeof(d->kind) || strlen(f[2]) >= sizeof(d->mac) ||
	    strlen(f[3]) >= sizeof(d->perm))
		return false;
	snprintf(d->kind, sizeof(d->kind), "%s", strcmp(f[1], "-") ? f[1] : "");
	snprintf(d->mac, sizeof(d->mac), "%s", strcmp(f[2], "-") ? f[2] : "");
	snprintf(d->perm, sizeof(d->perm), "%s", strcmp(f[3], "-") ? f[3] : "");
	return true;
}

static int damage(struct nd_journal *j, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int damage(struct nd_journal *j, unsigned line, const char *fmt, ...)
{
	va_list ap;

	if (j->ndmg == j->capdmg) {
		unsigned cap = j->capdmg ? 2 * j->capdmg : 16;
		void *p = realloc(j->dmg, cap * sizeof(*j->dmg));

		if (!p)
			return -ENOMEM;
		j->dmg = p;
		j->capdmg = cap;
	}
	j->dmg[j->ndmg].line = line;
	va_start(ap, fmt);
	vsnprintf(j->dmg[j->ndmg].reason, sizeof(j->dmg[0].reason), fmt, ap);
	va_end(ap);
	j->ndmg++;
	return 0;
}

int journal_add_record(struct nd_journal *j, const struct nd_journal_record *r)
{
	if (j->nall == j->capall) {
		unsigned cap = j->capall ? 2 * j->capall : 64;
		void *p = realloc(j->all, cap * sizeof(*j->all));

		if (!p)
			return -ENOMEM;
		j->all = p;
		j->capall = cap;
	}
	j->all[j->nall++] = *r;
	return 0;
}

/* ids only grow through the file: a binary search */
struct nd_journal_record *journal_find(struct nd_journal *j, unsigned id)
{
	unsigned lo = 0, hi = j->nall;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (j->all[mid].id == id)
			return &j->all[mid];
		if (j->all[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* "change ID KIND OBJECT KEY BEFORE AFTER run=R ns=D:I dev=X" */
static int parse_change(struct nd_journal *j, char **w, unsigned n, unsigned line)
{
	struct nd_journal_record r = { .line = line };

	if (n != 10 && n != 7)
		return damage(j, line, "a change record of %u words, not 10", n);
	if (!strict_uint(w[1], &r.id) || !r.id)
		return damage(j, line, "no record id");
	if (r.id < j->next_id)
		return damage(j, line, "record id %u out of order", r.id);
	if (get_field(w[2], r.kind, sizeof(r.kind)) || get_field(w[3], r.object, sizeof(r.object)) ||
	    get_field(w[4], r.key, sizeof(r.key)) || get_field(w[5], r.before, sizeof(r.before)) ||
	    get_field(w[6], r.after, sizeof(r.after)))
		return damage(j, line, "record %u: a field malformed or too long", r.id);
	/* no identity: undone as an older netdiag would, within the kinds'
	 * bounds all the same */
	r.legacy = n == 7;
	if (!r.legacy && (strncmp(w[7], "run=", 4) || !hex_ok(w[7] + 4, 16) ||
	    strncmp(w[8], "ns=", 3) || sscanf(w[8] + 3, "%llu:%llu", &r.ns_dev, &r.ns_ino) != 2 ||
	    strncmp(w[9], "dev=", 4) || !parse_dev(w[9] + 4, &r.dev)))
		return damage(j, line, "record %u: identity malformed", r.id);
	if (!r.legacy)
		snprintf(r.run, sizeof(r.run), "%s", w[7] + 4);
	if (!journal_kind_known(r.kind))
		return damage(j, line, "record %u: unknown kind", r.id);
	if (!journal_object_ok(r.kind, r.object, r.key, false))
		return damage(j, line, "record %u: %s: refused", r.id,
			      !strcmp(r.kind, "sysctl") ? "a sysctl outside /proc/sys/net" :
			      !strcmp(r.kind, "file") ? "a file netdiag does not write" :
							"an object netdiag does not change");
	journal_dev_of(r.kind, r.object, r.key, r.dev_name);
	j->next_id = r.id + 1;
	return journal_add_record(j, &r);
}

static int parse_line(struct nd_journal *j, char *text, size_t len, unsigned line)
{
	char *crc, *w[12], *save = NULL;
	unsigned n = 0, id;
	struct nd_journal_record *r;
	bool sealed;

	text[len] = 0;
	crc = len >= 13 ? text + len - 13 : NULL;
	sealed = crc && !strncmp(crc, " crc=", 5) && hex_ok(crc + 5, 8);
	if (sealed && strtoul(crc + 5, NULL, 16) != line_crc(text, (size_t)(crc - text)))
		return damage(j, line, "checksum mismatch (damaged)");
	if (sealed)
		*crc = 0;
	if (strstr(text, "  ") || text[0] == ' ')
		return damage(j, line, "malformed spacing");
	for (char *t = strtok_r(text, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		if (n == sizeof(w) / sizeof(w[0]))
			return damage(j, line, "too many words");
		w[n++] = t;
	}
	if (!n)
		return damage(j, line, "empty");
	/* an older netdiag's lines, unsealed: "change" and six words, "undo ID" */
	if (!sealed && !(!strcmp(w[0], "change") && n == 7) && !(!strcmp(w[0], "undo") && n == 2))
		return damage(j, line, "no checksum (cut or damaged)");
	if (!strcmp(w[0], "change"))
		return parse_change(j, w, n, line);
	if (n != 2 || !strict_uint(w[1], &id))
		return damage(j, line, "not a journal line");
	if (!strcmp(w[0], "next")) {
		if (id > j->next_id)
			j->next_id = id;
		return 0;
	}
	if (strcmp(w[0], "undo") && strcmp(w[0], "fail") && strcmp(w[0], "forget"))
		return damage(j, line, "not a journal line");
	r = journal_find(j, id);
	if (!r || r->undone)
		return damage(j, line, "%s of record %u, which is not open", w[0], id);
	r->undone = true;
	j->closing++;
	return 0;
}

static void reset(struct nd_journal *j)
{
	j->nall = j->nlive = j->ndmg = j->closing = 0;
	j->next_id = 1;
}

int journal_parse_text(struct nd_journal *j, const char *text, size_t len)
{
	char *line = malloc(JOURNAL_LINE_MAX + 1);
	unsigned no = 0;
	int ret = 0;

	if (!line)
		return -ENOMEM;
	reset(j);
	for (size_t off = 0; off < len && !ret;) {
		const char *p = text + off, *nl = memchr(p, '\n', len - off);
		size_t n = nl ? (size_t)(nl - p) : len - off;

		no++;
		off += n + 1;
		if (!nl)
			ret = damage(j, no, "cut short (no end of line)");
		else if (n > JOURNAL_LINE_MAX)
			ret = damage(j, no, "over-long line (%zu bytes)", n);
		else if (memchr(p, 0, n))
			ret = damage(j, no, "holds a NUL byte");
		else {
			memcpy(line, p, n);
			ret = parse_line(j, line, n, no);
		}
	}
	free(line);
	return ret;
}
