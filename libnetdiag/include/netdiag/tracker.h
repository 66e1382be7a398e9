/* Trackers: bounded state machines fed with decoded frames that turn what
 * they saw into findings.  Each tracker embeds struct nd_tracker as its
 * first member; an analysis run (netdiag/analysis.h) feeds every frame to
 * every tracker, then asks each for its findings.
 *
 * Bounded memory (docs/design/architecture.md, decision 6): a tracker holds at most a
 * fixed number of entries, evicts oldest first, and reports how many it
 * evicted through `evicted`.
 */
#ifndef NETDIAG_TRACKER_H
#define NETDIAG_TRACKER_H

/* exported from libnetdiag.so, whose other symbols are hidden */
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <netdiag/finding.h>
#include <netdiag/json.h>
#include <netdiag/out.h>
#include <netdiag/pkt.h>

struct nd_tracker {
	const char *name;        /* "csum", "dhcp4", "dns", ... */
	/* Called for every frame, decoded as far as it went (check f->status). */
	int (*on_frame)(struct nd_tracker *t, const struct nd_frame_meta *m,
			const struct nd_frame *f);
	/* Append findings to out.  May be called once, after the last frame;
	 * `now` is the time of the last frame (for "no answer within T"). */
	int (*report)(struct nd_tracker *t, double now, struct nd_findings *out);
	/* Optional: tracker-specific figures as members of an open JSON
	 * object (JSON only: the text shows none of them). */
	void (*stats_print)(struct nd_tracker *t, struct nd_out *o);
	void (*destroy)(struct nd_tracker *t);
	uint64_t evicted;        /* entries dropped to stay within the cap */
	uint64_t cap;            /* the cap in entries */
	/* Of the evicted, those dropped before their outcome was seen (a
	 * query whose answer might still have come): said in text, never
	 * counted as a failure.  Trackers that cannot tell leave
	 * tells_not_followed false, and every eviction is taken as one. */
	uint64_t not_followed;
	bool tells_not_followed;
};

#pragma GCC visibility pop
#endif
