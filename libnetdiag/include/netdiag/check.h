/* A live check: host inspection plus capture on the guest taps, the bridge
 * and the uplink at once, the packet trackers over all of it, and
 * localisation of loss between the capture points. */
#ifndef NETDIAG_CHECK_H
#define NETDIAG_CHECK_H

/* exported from libnetdiag.so, whose other symbols are hidden */
#pragma GCC visibility push(default)

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include <netdiag/active.h>
#include <netdiag/analysis.h>
#include <netdiag/host.h>
#include <netdiag/live.h>
#include <netdiag/out.h>

#define ND_CHECK_POINTS_MAX ND_LIVE_MAX_IFACES

struct nd_check_result;

struct nd_check_opts {
	const char *bridge;
	const char *taps[ND_HOST_TAPS_MAX];
	unsigned ntaps;
	const char *uplink;
	double duration;                 /* seconds of capture; 0 = 10 */
	const char *write_path;          /* pcapng evidence, NULL for none */
	const char *filter;              /* NULL: UDP and ICMPv6 */
	bool until_verdict;              /* stop once DHCP and DNS have their answers */
	/* after duration, go on while an exchange is open (a DHCP client
	 * with no ACK yet, a query with no answer), up to this many seconds
	 * in all; 0: no more than duration */
	double patience;
	/* checks that must have seen traffic ("dhcp,dns"): a required check
	 * that saw none is an error finding (check.not-seen) */
	const char *require;
	bool active;                     /* run the active probe from a probe port */
	const char *resolve;             /* the name the probe looks up */
	double active_timeout;           /* the probe's budget, seconds; 0 = ND_ACTIVE_TIMEOUT */
	volatile sig_atomic_t *stop;     /* set by a signal handler to end early */
	/* called about every 0.25 s while capturing, with seconds left */
	void (*progress)(void *arg, double left, uint64_t frames);
	void *progress_arg;
	/* called once, when every capture point is open and capturing */
	void (*capturing)(void *arg, const struct nd_check_result *res);
};

/* Per capture point: protocol messages seen, for localisation. */
struct nd_check_point {
	char ifname[IF_NAMESIZE];
	uint64_t frames;
	uint64_t dhcp4_client, dhcp4_server, dns_query, dns_reply;
	uint64_t dhcp4_ack;              /* of the server messages: ACKs */
	uint64_t dhcp6;                  /* DHCPv6 messages either way */
	bool dhcp4_server_last;          /* the last DHCPv4 message was the server's */
	double dns_unsound_at;           /* last DNS answer with a checksum not ok, no query since */
	struct nd_live_stats stats;
};

/* A check's verdict: no evidence, no verdict. */
enum nd_verdict {
	ND_VERDICT_OK,          /* traffic seen, nothing wrong */
	ND_VERDICT_NOT_SEEN,    /* no traffic of this kind: neither pass nor fail */
	ND_VERDICT_WARNING,
	ND_VERDICT_ERROR,
};

#define ND_CHECK_VERDICTS_MAX 8

struct nd_check_verdict {
	const char *name;                /* "dhcp", "dns", "checksums", ... */
	enum nd_verdict verdict;
	uint64_t evidence;               /* frames (for host: checks) behind it */
	bool required;
	char findings[ND_FIELD_STR_MAX]; /* ids at warning or worse, comma-joined */
};

struct nd_check_result {
	struct nd_host_report host;
	struct nd_analysis analysis;
	struct nd_check_point points[ND_CHECK_POINTS_MAX];
	unsigned npoints;
	double seconds;
	struct nd_check_verdict verdicts[ND_CHECK_VERDICTS_MAX];
	unsigned nverdicts;
};

/* Run the check; findings (host, packets, path) are appended to out,
 * sorted.  On error err says why ("tap9: no such device").  Free the
 * result with nd_check_result_free whatever the return. */
int nd_check_run(const struct nd_check_opts *o, struct nd_check_result *res,
		 struct nd_findings *out, char *err, size_t errlen);
void nd_check_result_free(struct nd_check_result *res);

/* The result from one walk: in text one line per check ("dhcp       ok
 * (12 frames)") and the capture points; in JSON the members "seconds",
 * "checks" (the same lines: name, verdict, evidence, required, findings),
 * "host", "capture_points" and "packets" of an open object.  The host
 * report and the per-point packet tables are JSON only; findings are the
 * caller's to print. */
void nd_check_print(const struct nd_check_result *res, struct nd_out *o);

/* The per-check verdicts of a run into res->verdicts (nd_check_run does
 * this); required not-seen checks add a check.not-seen error to fs. */
int nd_check_verdicts(const struct nd_check_opts *o, struct nd_check_result *res,
		      struct nd_findings *fs);
/* Is every name in list ("dhcp,dns") a check?  bad gets the first that is not. */
bool nd_check_names_valid(const char *list, char *bad, size_t len);
const char *nd_verdict_name(enum nd_verdict v);

#pragma GCC visibility pop
#endif
