/* Private to libnetdiag/track. */
#ifndef NETDIAG_TRACK_INTERNAL_H
#define NETDIAG_TRACK_INTERNAL_H

#include <netdiag/analysis.h>

/* The default tracker set: one line per tracker, in registry.c. */
struct nd_tracker_entry {
	const char *name;
	struct nd_tracker *(*create)(unsigned cap);
};

extern const struct nd_tracker_entry nd_default_trackers[];

/* Subject text for a flow: "192.0.2.1:53 > 192.0.2.50:41000 udp". */
void nd_flow_subject(char *buf, size_t len, const struct nd_frame *f);

#endif
