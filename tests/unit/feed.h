/* Unit-test helper: build frames and feed them through a whole analysis
 * run, then look findings up. */
#ifndef NETDIAG_TEST_FEED_H
#define NETDIAG_TEST_FEED_H

#include <stddef.h>
#include <stdint.h>

#include <netdiag/analysis.h>
#include <netdiag/build.h>

struct run {
	struct nd_analysis a;
	struct nd_findings fs;
	uint64_t number;
	double ts;
};

/* Start with the default trackers at a fixed epoch. */
void run_start(struct run *r);
void run_finish(struct run *r);
void run_stop(struct run *r);

/* One frame from src to dst, dt seconds after the previous one. */
void run_feed(struct run *r, const char *ifname, const char *src, const char *dst,
	      uint16_t sport, uint16_t dport, uint8_t proto, uint8_t icmp_type,
	      const void *payload, size_t len, enum nd_spoil spoil, double dt);

/* The first finding with this id (the test fails without one). */
const struct nd_finding *run_only(struct run *r, const char *id);
/* A field of that finding (the test fails without it). */
const struct nd_field *run_field(struct run *r, const char *id, const char *key);

#endif
