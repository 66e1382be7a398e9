/* Declarative CI of a bridge set-up: a YAML file of expectations
 * (docs/ci.md), each run and reported as one JUnit testcase.
 *
 *   bridge: br0
 *   expect:
 *     - bridge: { stp: false, forward_delay: 0, mtu: 1500, ports: [upl, tap0] }
 *     - offload: { device: tap0, features: { tx: off } }
 *     - lease: { range: 192.0.2.50-192.0.2.60, within: 10,
 *                resolve: { probe.example: 192.0.2.99 } }
 *     - probe-guest: { range: 192.0.2.50-192.0.2.60, within: 90 }
 *     - routed: { name: g1, dev: tapr, address: 203.0.113.10 }
 *     - watch: { taps: [tap0], seconds: 5 }
 *
 * Every item may carry `name:` (the testcase's name).  Unknown keys, wrong
 * types and YAML syntax errors are reported as FILE:LINE:COL: reason. */
#ifndef NETDIAG_CI_H
#define NETDIAG_CI_H

/* exported from libnetdiag.so, whose other symbols are hidden */
#pragma GCC visibility push(default)

#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include <netdiag/finding.h>
#include <netdiag/out.h>
#include <netdiag/json.h>
#include <netdiag/route.h>

#define ND_CI_NAMES_MAX 16
#define ND_CI_RESOLVE_MAX 8

enum nd_ci_kind {
	ND_CI_BRIDGE,        /* exists, stp, forward_delay, mtu, ports */
	ND_CI_OFFLOAD,       /* device, features: NAME: on|off */
	ND_CI_LEASE,         /* the active probe: range, within, resolve */
	ND_CI_PROBE_GUEST,   /* the probe guest under the launcher: the same */
	ND_CI_ROUTED,        /* a routed /32 guest: every piece on the host */
	ND_CI_WATCH,         /* a passive check of taps for seconds: no error */
	ND_CI_KIND_COUNT,
};

struct nd_ci_resolve {
	char name[128];
	char addr[48];       /* "" : any answer */
};

struct nd_ci_expect {
	enum nd_ci_kind kind;
	char name[96];
	unsigned line;       /* in the spec, for messages */
	/* bridge */
	int exists, stp;     /* -1: not asked */
	double forward_delay;/* seconds; <0: not asked */
	unsigned mtu;        /* 0: not asked */
	char ports[ND_CI_NAMES_MAX][IF_NAMESIZE];
	unsigned nports;
	/* offload (device also for nothing else) */
	char device[IF_NAMESIZE];
	struct { char name[40]; bool on; } features[ND_CI_NAMES_MAX];
	unsigned nfeatures;
	/* lease, probe-guest */
	bool has_range;
	struct in_addr range_lo, range_hi;
	double within;       /* seconds */
	struct nd_ci_resolve resolve[ND_CI_RESOLVE_MAX];
	unsigned nresolve;
	/* routed */
	struct nd_guest_route route;
	/* watch */
	char taps[ND_CI_NAMES_MAX][IF_NAMESIZE];
	unsigned ntaps;
	double seconds;
};

struct nd_ci_spec {
	char path[256];
	char bridge[IF_NAMESIZE];
	struct nd_ci_expect *v;
	unsigned n;
};

/* Read and check a spec.  -EINVAL with err "FILE:LINE:COL: reason" for
 * syntax, unknown keys, wrong types and bad values; -errno when the file
 * cannot be read.  Free with nd_ci_spec_free. */
int nd_ci_spec_load(const char *path, struct nd_ci_spec *s, char *err, size_t errlen);
void nd_ci_spec_free(struct nd_ci_spec *s);

const char *nd_ci_kind_name(enum nd_ci_kind k);
/* One line saying what the expectation checks ("br0: stp off, mtu 1500,
 * ports upl tap0"). */
void nd_ci_describe(const struct nd_ci_spec *s, const struct nd_ci_expect *e,
		    char *buf, size_t len);

enum nd_ci_outcome { ND_CI_PASS, ND_CI_FAIL, ND_CI_SKIPPED };

struct nd_ci_result {
	enum nd_ci_outcome outcome;
	double started, seconds;
	char why[256];               /* skipped: why it could not run */
	struct nd_findings findings; /* what it saw; failed on warning or worse */
};

/* Run every expectation in order (stop: a signal ends the run, the rest
 * are skipped).  results: s->n of them, freed with nd_ci_results_free. */
int nd_ci_run(const struct nd_ci_spec *s, struct nd_ci_result *results,
	      volatile sig_atomic_t *stop);
void nd_ci_results_free(struct nd_ci_result *results, unsigned n);

/* One testsuite named for the bridge, one testcase per expectation. */
int nd_ci_junit(const struct nd_ci_spec *s, const struct nd_ci_result *results,
		const char *path);
/* The spec (results NULL: what --list shows) or a run, from one walk: in
 * text one line per expectation (with results its outcome, the findings it
 * failed on, with verbose every finding) and the tally; in JSON members of
 * an open object: "spec", "bridge", "expectations": [...] and with results
 * "passed", "failed", "skipped". */
void nd_ci_print(const struct nd_ci_spec *s, const struct nd_ci_result *results, bool verbose,
		 struct nd_out *o);

#pragma GCC visibility pop
#endif
