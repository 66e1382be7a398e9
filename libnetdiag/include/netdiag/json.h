/* A small streaming JSON writer: one writer for every --json output, so
 * text and JSON are produced from the same walk of the same data.
 * Commas and nesting are tracked by the writer; strings are escaped.
 */
#ifndef NETDIAG_JSON_H
#define NETDIAG_JSON_H

/* exported from libnetdiag.so, whose other symbols are hidden */
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define ND_JSON_DEPTH_MAX 32

struct nd_json {
	FILE *out;
	int depth;
	bool pretty;
	bool need_comma[ND_JSON_DEPTH_MAX];
	bool after_key;
};

void nd_json_init(struct nd_json *j, FILE *out, bool pretty);
/* Ends the document with a newline. */
void nd_json_end(struct nd_json *j);

void nd_json_obj_open(struct nd_json *j);
void nd_json_obj_close(struct nd_json *j);
void nd_json_arr_open(struct nd_json *j);
void nd_json_arr_close(struct nd_json *j);
void nd_json_key(struct nd_json *j, const char *key);

void nd_json_str(struct nd_json *j, const char *s);
void nd_json_int(struct nd_json *j, int64_t v);
void nd_json_uint(struct nd_json *j, uint64_t v);
void nd_json_double(struct nd_json *j, double v);
void nd_json_bool(struct nd_json *j, bool v);
void nd_json_null(struct nd_json *j);

/* The length of the well-formed UTF-8 sequence at p (RFC 3629: no
 * overlong forms, no surrogates, nothing past U+10FFFF), 0 when the bytes
 * there are not one.  Strings from capture files are anybody's bytes. */
size_t nd_utf8_len(const unsigned char *p);

#pragma GCC visibility pop
#endif
