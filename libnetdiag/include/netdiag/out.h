/* The output writer (base layer): one walk of the data writes text for
 * people or a JSON document for programs, the way iproute2's print_*()
 * calls do.  Each value call carries both forms: the JSON member's key and
 * the text's printf format.  A NULL format leaves the value out of the
 * text; a NULL key leaves it out of the JSON (inside an array, where
 * members have no key, pass ND_OUT_ITEM).  Strings are escaped for the
 * form they go to: JSON escapes, and terminal-safe text (control bytes
 * and broken UTF-8 as \xNN).
 *
 *   nd_out_begin(&o, "host");
 *   nd_out_obj_open(&o, "bridge");
 *   nd_out_str(&o, "name", "bridge %s", b->name);
 *   nd_out_uint(&o, "mtu", "  mtu %" PRIu64 "\n", b->mtu);
 *   nd_out_obj_close(&o);
 *   nd_out_end(&o);
 */
#ifndef NETDIAG_OUT_H
#define NETDIAG_OUT_H

/* exported from libnetdiag.so, whose other symbols are hidden */
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <netdiag/json.h>

/* JSON document schema version: bump the minor for additions, the major
 * for anything a consumer could trip over.  Documented in docs/json-schema.md. */
#define ND_JSON_SCHEMA "netdiag/1.0"

/* the key of an array element */
#define ND_OUT_ITEM ""

struct nd_out {
	FILE *f;
	bool json;
	bool colour;         /* text only: the caller's choice (a terminal, NO_COLOR unset) */
	bool begun;          /* nd_out_begin wrote the JSON document's head */
	struct nd_json j;
};

void nd_out_init(struct nd_out *o, FILE *f, bool json, bool colour);

/* The document: in JSON {"schema": ..., "command": cmd, and nd_out_end
 * closes it with a newline; in text, nothing. */
void nd_out_begin(struct nd_out *o, const char *cmd);
void nd_out_end(struct nd_out *o);

void nd_out_str(struct nd_out *o, const char *key, const char *fmt, const char *v);
void nd_out_int(struct nd_out *o, const char *key, const char *fmt, int64_t v);
void nd_out_uint(struct nd_out *o, const char *key, const char *fmt, uint64_t v);
void nd_out_double(struct nd_out *o, const char *key, const char *fmt, double v);
/* text: fmt with "yes" or "no" for its %s */
void nd_out_bool(struct nd_out *o, const char *key, const char *fmt, bool v);

/* Text only (printf); nothing in JSON. */
void nd_out_text(struct nd_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Text only: s escaped for a terminal. */
void nd_out_text_str(struct nd_out *o, const char *s);

/* Nesting, JSON only (text has no brackets): key NULL or ND_OUT_ITEM
 * inside an array. */
void nd_out_obj_open(struct nd_out *o, const char *key);
void nd_out_obj_close(struct nd_out *o);
void nd_out_arr_open(struct nd_out *o, const char *key);
void nd_out_arr_close(struct nd_out *o);

/* s for a terminal: control characters (ESC, newline, DEL, C1) and bytes
 * that are not UTF-8 written as \xNN, so a name from a capture file can
 * neither move the cursor nor start an escape sequence. */
void nd_text_put(FILE *out, const char *s);

#pragma GCC visibility pop
#endif
