/* An analysis run: frames in (from files or live rings), findings out.
 *
 * Each frame is decoded once, counted per capture point (interface and
 * direction) by layer and checksum verdict, and fed to every tracker.
 * nd_analysis_finish gathers the trackers' findings, worst first.
 */
#ifndef NETDIAG_ANALYSIS_H
#define NETDIAG_ANALYSIS_H

/* exported from libnetdiag.so, whose other symbols are hidden */
#pragma GCC visibility push(default)

#include <stdint.h>

#include <stdio.h>

#include <netdiag/finding.h>
#include <netdiag/json.h>
#include <netdiag/pkt.h>
#include <netdiag/out.h>
#include <netdiag/tracker.h>

/* Layers whose checksums are counted. */
enum nd_layer {
	ND_LAYER_IPV4,   /* the IPv4 header checksum */
	ND_LAYER_UDP,
	ND_LAYER_TCP,
	ND_LAYER_ICMP,
	ND_LAYER_ICMPV6,
	ND_LAYER_COUNT,
};

#define ND_ANALYSIS_POINTS_MAX 64
#define ND_ANALYSIS_TRACKERS_MAX 16
#define ND_POINT_NAME_MAX 64
#define ND_DECODE_STATUS_COUNT 4

/* Counts for one capture point: an interface in one direction. */
struct nd_point {
	char ifname[ND_POINT_NAME_MAX];
	enum nd_dir dir;
	uint64_t frames;
	uint64_t status[ND_DECODE_STATUS_COUNT];      /* by enum nd_decode_status */
	uint64_t csum[ND_LAYER_COUNT][ND_CSUM_CLASS_COUNT];
};

struct nd_analysis {
	struct nd_tracker *trackers[ND_ANALYSIS_TRACKERS_MAX];
	unsigned ntrackers;
	struct nd_point points[ND_ANALYSIS_POINTS_MAX];
	unsigned npoints;
	uint64_t points_overflow;  /* frames from points beyond the table, counted in the last */
	unsigned last_point;       /* lookup cache: consecutive frames share a point */
	uint64_t frames;
	double first_ts, last_ts;
	/* the point of the last tunnel's inner frames ("br0/vxlan5001@198.51.100.2"),
	 * named again only when the tunnel changes: no formatting per frame */
	char inner_name[ND_POINT_NAME_MAX];
	const char *inner_outer;
	enum nd_encap inner_kind;
	uint32_t inner_vni;
	struct nd_addr inner_via;
	uint64_t inner_frames;     /* tunnelled frames decoded and fed to the trackers */
	/* the last frame's tunnelled frames as the trackers got them,
	 * outermost first: valid while that frame's bytes are */
	struct nd_frame inner[ND_ENCAP_DEPTH_MAX];
	unsigned ninner;
};

/* Start a run with the default trackers (checksums, and the protocol
 * trackers).  Free with nd_analysis_free. */
int nd_analysis_init(struct nd_analysis *a);
/* Start a run with no trackers at all; add them with nd_analysis_add. */
void nd_analysis_init_empty(struct nd_analysis *a);
/* The run takes ownership of t (destroyed by nd_analysis_free). */
int nd_analysis_add(struct nd_analysis *a, struct nd_tracker *t);

/* Decode one frame into *f (caller storage, reused per frame) and feed it
 * to the counters and every tracker.  A tunnel's inner frame (VXLAN,
 * VXLAN-GPE, Geneve, GRE/GRETAP, IP-in-IP) is decoded too and fed as a
 * frame of its own point, "OUTER/KIND[VNI]@VIA" (VIA: the remote tunnel
 * end, the outer source of what comes in, the destination of what goes
 * out; the source when the direction is unknown), with the outer frame's number, time and
 * direction.  A datagram quoted in an ICMP error is not: it is a copy. */
void nd_analysis_frame(struct nd_analysis *a, const struct nd_frame_meta *m,
		       const uint8_t *data, struct nd_frame *f);

/* Append every tracker's findings to out and sort worst first. */
int nd_analysis_finish(struct nd_analysis *a, struct nd_findings *out);

/* The run, from one walk: in JSON members of an open object, "frames",
 * "points", "trackers" (each tracker's cap, evictions and own figures); in
 * text one line per capture point and one per layer with checksums seen. */
void nd_analysis_print(const struct nd_analysis *a, struct nd_out *o);

/* Text only: what the bounds kept from view, one line each ("4,464 DNS
 * transactions not followed: table full (65,536)", frames of capture
 * points beyond ND_ANALYSIS_POINTS_MAX); nothing when nothing was lost.
 * Call after nd_analysis_finish (the trackers count at report time). */
void nd_analysis_print_limits(const struct nd_analysis *a, struct nd_out *o);

/* Text only (`analyze --frames`): one tab-separated line for the frame f
 * decoded from m (number, interface, direction, decode status, protocol,
 * its checksum verdict, found, expected, the IPv4 header's verdict, found,
 * expected), then one per inner frame ("N.1", "N.2"...). */
void nd_frame_print_lines(FILE *out, const struct nd_frame_meta *m, const struct nd_frame *f);

void nd_analysis_free(struct nd_analysis *a);

const char *nd_layer_name(enum nd_layer l);

/* The checksum tracker: non-ok verdicts per flow, findings csum.partial,
 * csum.bad (errors) and csum.partial-offload (info). `cap` flows are kept;
 * 0 means the default. */
struct nd_tracker *nd_csum_tracker_new(unsigned cap);

/* The DNS tracker: transactions per (point, client, server, port, id);
 * findings dns.unanswered, dns.reply-ignored, dns.servfail, dns.refused,
 * dns.truncated-no-tcp, dns.latency (info).  `cap` transactions are kept. */
struct nd_tracker *nd_dns_tracker_new(unsigned cap);

/* The DHCPv4 tracker: per (point, client MAC) and per (point, server);
 * findings dhcp4.no-offer, dhcp4.offer-ignored, dhcp4.nak, dhcp4.no-ack,
 * dhcp4.multiple-servers, dhcp4.lease (info).  `cap` clients are kept. */
struct nd_tracker *nd_dhcp4_tracker_new(unsigned cap);

/* The DHCPv6 tracker: per (point, client DUID, transaction id); findings
 * dhcp6.no-advertise, dhcp6.reply-ignored, dhcp6.status, dhcp6.bad-timers. */
struct nd_tracker *nd_dhcp6_tracker_new(unsigned cap);

/* The router-advertisement tracker: per (point, router); findings
 * nd.multiple-routers, nd.router (info). */
struct nd_tracker *nd_ndp_tracker_new(unsigned cap);

#pragma GCC visibility pop
#endif
