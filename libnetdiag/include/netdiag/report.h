/* Writers for findings: text for people, JSON for programs, JUnit for CI. */
#ifndef NETDIAG_REPORT_H
#define NETDIAG_REPORT_H

/* exported from libnetdiag.so, whose other symbols are hidden */
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stdio.h>

#include <netdiag/finding.h>
#include <netdiag/json.h>
#include <netdiag/out.h>


/* The findings through the output writer: in text one line per finding,
 * worst first (the caller sorts), with a line of its fields when it has
 * any, coloured when o->colour; in JSON the "findings" array member of the
 * open object. */
void nd_report_findings(struct nd_out *o, const struct nd_findings *fs);
/* The same for people in brief: warnings and errors one each, worst first,
 * under "findings (worst first):"; info findings counted on one line
 * ("info: 3 findings (dhcp4.lease, dns.latency x2)") unless verbose, which
 * lists them too.  JSON as nd_report_findings. */
void nd_report_findings_brief(struct nd_out *o, const struct nd_findings *fs, bool verbose);
/* A JUnit file for a run that could not happen: one testcase with an
 * <error> saying why (exit status 2). */
int nd_report_junit_error(const char *path, const char *suite, const char *message);

/* JUnit XML for CI (report/junit.c): a <testsuites> document of suites
 * (one per bridge or command) of testcases (one per check), each with its
 * time and at most: one <failure> per finding, <skipped> when the check
 * could not judge, <error> when it could not run.  Build it case by case:
 * nd_junit_suite begins a suite, nd_junit_case a testcase in it, and the
 * fail/skip/error calls add to the last testcase. */
struct nd_junit;
int nd_junit_new(struct nd_junit **j);
void nd_junit_free(struct nd_junit *j);
/* timestamp: seconds since the epoch when the suite began */
int nd_junit_suite(struct nd_junit *j, const char *name, double timestamp);
/* the current suite's wall time, when its cases ran at once (default:
 * the sum of theirs) */
int nd_junit_suite_time(struct nd_junit *j, double seconds);
int nd_junit_case(struct nd_junit *j, const char *classname, const char *name, double seconds);
int nd_junit_fail(struct nd_junit *j, const char *type, const char *message, const char *text);
/* type the finding id, message "IFNAME: summary", text its severity,
 * subject and fields */
int nd_junit_fail_finding(struct nd_junit *j, const struct nd_finding *f);
int nd_junit_skip(struct nd_junit *j, const char *message);
int nd_junit_error(struct nd_junit *j, const char *type, const char *message);
int nd_junit_write(const struct nd_junit *j, const char *path);

/* One suite named `suite`: each check name is a testcase taking `seconds`,
 * with one failure per finding of severity warning or worse whose id
 * starts with "<check>.". */
int nd_report_junit(const char *path, const char *suite, const char *const *checks,
		    const struct nd_findings *fs, double seconds);

/* netdiag check's verdicts (netdiag/check.h) as one suite named for the
 * bridge: a testcase per verdict, skipped when not seen (and not
 * required), one failure per finding behind it. */
struct nd_check_result;
int nd_report_junit_check(const char *path, const char *suite,
			  const struct nd_check_result *res, const struct nd_findings *fs);

/* Findings from a netdiag -j document (its "findings" array), appended to
 * out and sorted; path "-" is stdin.  -EINVAL with err naming file, line
 * and column when it is not JSON or not ours. */
int nd_findings_read_json(const char *path, struct nd_findings *out, char *err, size_t errlen);

#pragma GCC visibility pop
#endif
