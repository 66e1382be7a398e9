/* Private to libnetdiag/track. */
#ifndef NETDIAG_TRACK_INTERNAL_H
#define NETDIAG_TRACK_INTERNAL_H

#include <string.h>

#include <netdiag/analysis.h>

/* The default tracker set: one line per tracker, in registry.c. */
struct nd_tracker_entry {
	const char *name;
	struct nd_tracker *(*create)(unsigned cap);
};

extern const struct nd_tracker_entry nd_default_trackers[];

/* Copy a capture-point name into a fixed key field (zero-padded, so keys
 * compare with memcmp); cheaper than snprintf on the per-frame path. */
static inline void nd_key_name(char *dst, size_t len, const char *src)
{
	size_t n = src ? strnlen(src, len - 1) : 0;

	memcpy(dst, src ? src : "", n);
	memset(dst + n, 0, len - n);
}

/* The figures of a checksum verdict on a finding: "found" and "expected"
 * as 0x%04x, and with `class_key` the class name under that key. */
void nd_finding_set_csum(struct nd_finding *f, const char *class_key, const struct nd_csum *cs);

/* Subject text for a flow: "192.0.2.1:53 > 192.0.2.50:41000 udp". */
void nd_flow_subject(char *buf, size_t len, const struct nd_frame *f);

#endif
