/* A live check: host inspection plus capture on the guest taps, the bridge
 * and the uplink at once, the packet trackers over all of it, and
 * localisation of loss between the capture points. */
#ifndef NETDIAG_CHECK_H
#define NETDIAG_CHECK_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include <netdiag/active.h>
#include <netdiag/analysis.h>
#include <netdiag/host.h>
#include <netdiag/live.h>

#define ND_CHECK_POINTS_MAX ND_LIVE_MAX_IFACES

struct nd_check_opts {
	const char *bridge;
	const char *taps[ND_HOST_TAPS_MAX];
	unsigned ntaps;
	const char *uplink;
	double duration;                 /* seconds of capture; 0 = 10 */
	const char *write_path;          /* pcapng evidence, NULL for none */
	const char *filter;              /* NULL: UDP and ICMPv6 */
	bool until_verdict;              /* stop once DHCP and DNS have their answers */
	bool active;                     /* run the active probe from a probe port */
	const char *resolve;             /* the name the probe looks up */
	double active_timeout;           /* the probe's budget, seconds; 0 = ND_ACTIVE_TIMEOUT */
	volatile sig_atomic_t *stop;     /* set by a signal handler to end early */
	/* called about every 0.25 s while capturing, with seconds left */
	void (*progress)(void *arg, double left, uint64_t frames);
	void *progress_arg;
};

/* Per capture point: protocol messages seen, for localisation. */
struct nd_check_point {
	char ifname[IF_NAMESIZE];
	uint64_t frames;
	uint64_t dhcp4_client, dhcp4_server, dns_query, dns_reply;
	struct nd_live_stats stats;
};

struct nd_check_result {
	struct nd_host_report host;
	struct nd_analysis analysis;
	struct nd_check_point points[ND_CHECK_POINTS_MAX];
	unsigned npoints;
	double seconds;
};

/* Run the check; findings (host, packets, path) are appended to out,
 * sorted.  On error err says why ("tap9: no such device").  Free the
 * result with nd_check_result_free whatever the return. */
int nd_check_run(const struct nd_check_opts *o, struct nd_check_result *res,
		 struct nd_findings *out, char *err, size_t errlen);
void nd_check_result_free(struct nd_check_result *res);

void nd_check_json(const struct nd_check_result *res, struct nd_json *j);

#endif
