/* Writers for findings: text for people, JSON for programs, JUnit for CI. */
#ifndef NETDIAG_REPORT_H
#define NETDIAG_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include <netdiag/finding.h>
#include <netdiag/json.h>

/* JSON document schema version: bump the minor for additions, the major
 * for anything a consumer could trip over.  Documented in docs/json-schema.md. */
#define ND_JSON_SCHEMA "netdiag/1.0"

/* One line per finding, worst first (the caller sorts); colour when `colour`. */
void nd_report_text(FILE *out, const struct nd_findings *fs, bool colour);
/* s for a terminal: control characters (ESC, newline, DEL, C1) and bytes
 * that are not UTF-8 written as \xNN, so a name from a capture file can
 * neither move the cursor nor start an escape sequence. */
void nd_text_put(FILE *out, const char *s);
/* Findings for people: warnings and errors one each, worst first; info
 * findings counted on one line ("info: 3 (dhcp4.lease, dns.latency x2)")
 * unless verbose, which lists them too. */
void nd_report_text_brief(FILE *out, const struct nd_findings *fs, bool colour, bool verbose);
/* A JUnit file for a run that could not happen: one testcase with an
 * <error> saying why (exit status 2). */
int nd_report_junit_error(const char *path, const char *suite, const char *message);

/* The "findings" array member of an open JSON object. */
void nd_report_json_findings(struct nd_json *j, const struct nd_findings *fs);

/* One JUnit testsuite: each check name is a testcase, failed when any
 * finding of severity warning or worse has an id starting with "<check>.". */
int nd_report_junit(const char *path, const char *suite, const char *const *checks,
		    const struct nd_findings *fs);

/* Findings from a netdiag -j document (its "findings" array), appended to
 * out and sorted; path "-" is stdin.  -EINVAL with err naming file, line
 * and column when it is not JSON or not ours. */
int nd_findings_read_json(const char *path, struct nd_findings *out, char *err, size_t errlen);

#endif
