/* Live capture: one AF_PACKET socket with a TPACKET_V3 ring per interface,
 * all served by one poll loop.
 *
 * libpcap does not pass the kernel's per-packet tp_status to applications,
 * and that status is what tells an offload artefact from real damage
 * (TP_STATUS_CSUMNOTREADY: the checksum is completed later by the device).
 * So netdiag opens the rings itself and hands each frame on with
 * ND_HINT_CSUM_NOTREADY / ND_HINT_CSUM_VALID and its direction.  libpcap
 * still compiles filter expressions; the program is attached with
 * SO_ATTACH_FILTER.
 */
#ifndef NETDIAG_LIVE_H
#define NETDIAG_LIVE_H

/* exported from libnetdiag.so, whose other symbols are hidden */
#pragma GCC visibility push(default)

#include <stdint.h>

#include <netdiag/pkt.h>

#define ND_LIVE_MAX_IFACES 16

struct nd_live_opts {
	const char *filter;      /* pcap filter expression, NULL for all frames */
	unsigned snaplen;        /* bytes kept per frame; 0 = 65535 */
	unsigned block_size;     /* ring block bytes, power of two; 0 = 1 MiB */
	unsigned block_count;    /* 0 = 8 */
	unsigned block_timeout_ms; /* hand a partly filled block over after this; 0 = 50 */
};

struct nd_live_stats {
	uint64_t frames;         /* delivered to the callback */
	uint64_t kernel_packets; /* PACKET_STATISTICS tp_packets, cumulative */
	uint64_t kernel_drops;   /* PACKET_STATISTICS tp_drops, cumulative */
	uint64_t freeze_count;   /* times the ring was full (tp_freeze_q_cnt) */
};

struct nd_live;

/* Called once per frame; a non-zero return stops nd_live_poll and is
 * returned by it.  `data` is valid only during the call. */
typedef int (*nd_live_frame_fn)(void *arg, const struct nd_frame_meta *m,
				const uint8_t *data);

/* Allocate an empty capture set; free with nd_live_close. */
int nd_live_new(struct nd_live **lv, const struct nd_live_opts *opts);

/* Open a ring on interface `ifname` in the current network namespace.
 * -ENODEV: no such interface; -EINVAL: bad filter (nd_live_error says why);
 * -EPERM: no CAP_NET_RAW. */
int nd_live_add(struct nd_live *lv, const char *ifname);

/* Wait up to timeout_ms for frames and deliver every ready one; returns the
 * number of frames delivered, or a negative errno, or the callback's
 * non-zero return.  Frame numbers count from 1 across all interfaces. */
int nd_live_poll(struct nd_live *lv, int timeout_ms, nd_live_frame_fn fn, void *arg);

unsigned nd_live_count(const struct nd_live *lv);
const char *nd_live_ifname(const struct nd_live *lv, unsigned idx);
int nd_live_stats(struct nd_live *lv, unsigned idx, struct nd_live_stats *st);

/* Text of the last error (e.g. the filter compiler's message), "" if none. */
const char *nd_live_error(const struct nd_live *lv);

void nd_live_close(struct nd_live *lv);

#pragma GCC visibility pop
#endif
