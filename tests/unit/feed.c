#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "feed.h"

void run_start(struct run *r)
{
	assert_int_equal(nd_analysis_init(&r->a), 0);
	nd_findings_init(&r->fs);
	r->number = 0;
	r->ts = 1700000000.0;
}

void run_finish(struct run *r)
{
	assert_int_equal(nd_analysis_finish(&r->a, &r->fs), 0);
}

void run_stop(struct run *r)
{
	nd_findings_free(&r->fs);
	nd_analysis_free(&r->a);
}

void run_feed(struct run *r, const char *ifname, const char *src, const char *dst,
	      uint16_t sport, uint16_t dport, uint8_t proto, uint8_t icmp_type,
	      const void *payload, size_t len, enum nd_spoil spoil, double dt)
{
	struct nd_build_spec s = { .l4proto = proto, .sport = sport, .dport = dport,
				   .icmp_type = icmp_type, .payload = payload, .payload_len = len,
				   .spoil = spoil, .tcp_flags = 0x02 /* SYN */ };
	struct nd_frame_meta m = { .linktype = ND_LINK_ETHERNET, .ifname = ifname };
	uint8_t frame[1600];
	struct nd_frame f;
	size_t flen;

	memcpy(s.src_mac, "\x02\x00\x00\x00\x00\x01", 6);
	memcpy(s.dst_mac, "\x02\x00\x00\x00\x00\x02", 6);
	nd_addr_parse(&s.src, src);
	nd_addr_parse(&s.dst, dst);
	assert_int_equal(nd_build_frame(frame, sizeof(frame), &s, &flen), 0);
	r->ts += dt;
	m.number = ++r->number;
	m.ts = r->ts;
	m.caplen = m.wirelen = (uint32_t)flen;
	nd_analysis_frame(&r->a, &m, frame, &f);
}

const struct nd_finding *run_only(struct run *r, const char *id)
{
	const struct nd_finding *f = nd_findings_find(&r->fs, id, NULL);

	assert_non_null(f);
	return f;
}

const struct nd_field *run_field(struct run *r, const char *id, const char *key)
{
	const struct nd_field *fl = nd_finding_field(run_only(r, id), key);

	assert_non_null(fl);
	return fl;
}
