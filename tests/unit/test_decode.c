/* nd_frame_decode: every link layer, IPv4/IPv6 paths, transport verdicts.
 * Expected checksums come from the byte-pair sum in naive.c, never from
 * the code under test. */
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include <netdiag/build.h>
#include <netdiag/pkt.h>

#include "naive.h"

#define ETH 14

static const char payload[] = "netdiag probe payload, odd length!";

static struct nd_build_spec spec(const char *src, const char *dst, uint8_t proto)
{
	struct nd_build_spec s = { .l4proto = proto, .sport = 53, .dport = 40000,
				   .payload = payload, .payload_len = sizeof(payload) - 1 };

	memcpy(s.src_mac, "\x02\x00\x00\x00\x00\x01", 6);
	memcpy(s.dst_mac, "\x02\x00\x00\x00\x00\x02", 6);
	nd_addr_parse(&s.src, src);
	nd_addr_parse(&s.dst, dst);
	if (proto == IPPROTO_ICMPV6)
		s.icmp_type = 134;
	return s;
}

static size_t build(uint8_t *buf, const struct nd_build_spec *s)
{
	size_t len;

	assert_int_equal(nd_build_frame(buf, 2048, s, &len), 0);
	return len;
}

static uint16_t naive_expected(const uint8_t *frame, size_t l3off, bool v6, uint8_t proto,
			       size_t field_at)
{
	const uint8_t *ip = frame + l3off;
	size_t hl = v6 ? 40 : (size_t)(ip[0] & 0xf) * 4;
	size_t len = v6 ? (size_t)(ip[4] << 8 | ip[5]) : (size_t)(ip[2] << 8 | ip[3]) - hl;

	return naive_l4(v6 ? ip + 8 : ip + 12, v6 ? ip + 24 : ip + 16, v6 ? 16 : 4, proto,
			ip + hl, len, field_at);
}

static void test_udp4_ok_and_fields(void **state)
{
	struct nd_build_spec s = spec("192.0.2.1", "192.0.2.50", IPPROTO_UDP);
	uint8_t buf[2048];
	struct nd_frame f;
	size_t len = build(buf, &s);

	assert_int_equal(nd_frame_decode(&f, ND_LINK_ETHERNET, buf, len, len, 0), 0);
	assert_int_equal(f.ip_version, 4);
	assert_int_equal(f.l4proto, IPPROTO_UDP);
	assert_int_equal(f.sport, 53);
	assert_int_equal(f.dport, 40000);
	assert_int_equal(f.l4_csum.cls, ND_CSUM_OK);
	assert_int_equal(f.l4_csum.found, naive_expected(buf, ETH, false, IPPROTO_UDP, 6));
	assert_int_equal(f.l4_csum.expected, f.l4_csum.found);
	assert_int_equal(f.ip4_csum.cls, ND_CSUM_OK);
	assert_int_equal(nd_cur_left(&f.payload), sizeof(payload) - 1);
	assert_memory_equal(nd_cur_ptr(&f.payload), payload, sizeof(payload) - 1);
	assert_memory_equal(f.src_mac, "\x02\x00\x00\x00\x00\x01", 6);
}

static void test_udp_zero_checksum_v4_none_v6_bad(void **state)
{
	struct nd_build_spec s4 = spec("192.0.2.1", "192.0.2.50", IPPROTO_UDP);
	struct nd_build_spec s6 = spec("2001:db8::1", "2001:db8::50", IPPROTO_UDP);
	uint8_t buf[2048];
	struct nd_frame f;
	size_t len;

	s4.spoil = ND_SPOIL_ZERO;
	len = build(buf, &s4);
	nd_frame_decode(&f, ND_LINK_ETHERNET, buf, len, len, 0);
	assert_int_equal(f.l4_csum.cls, ND_CSUM_NONE);
	assert_int_equal(f.l4_csum.found, 0);
	assert_int_equal(f.l4_csum.expected, naive_expected(buf, ETH, false, IPPROTO_UDP, 6));
	s6.spoil = ND_SPOIL_ZERO;
	len = build(buf, &s6);
	nd_frame_decode(&f, ND_LINK_ETHERNET, buf, len, len, 0);
	assert_int_equal(f.l4_csum.cls, ND_CSUM_BAD);
	assert_int_equal(f.l4_csum.found, 0);
	assert_int_equal(f.l4_csum.expected, naive_expected(buf, ETH, true, IPPROTO_UDP, 6));
}

/* The pseudo-header sum alone: partial on the wire, partial-offload when
 * the kernel said the checksum was not ready. */
static void test_partial_with_and_without_hint(void **state)
{
	const char *pairs[][2] = { { "192.0.2.1", "192.0.2.50" }, { "2001:db8::1", "2001:db8::50" } };

	for (int i = 0; i < 2; i++) {
		struct nd_build_spec s = spec(pairs[i][0], pairs[i][1], IPPROTO_UDP);
		uint8_t buf[2048];
		struct nd_frame f;
		size_t len;

		s.spoil = ND_SPOIL_PARTIAL;
		len = build(buf, &s);
		nd_frame_decode(&f, ND_LINK_ETHERNET, buf, len, len, 0);
		assert_int_equal(f.l4_csum.cls, ND_CSUM_PARTIAL);
		assert_int_equal(f.l4_csum.expected, naive_expected(buf, ETH, i, IPPROTO_UDP, 6));
		nd_frame_decode(&f, ND_LINK_ETHERNET, buf, len, len, ND_HINT_CSUM_NOTREADY);
		assert_int_equal(f.l4_csum.cls, ND_CSUM_PARTIAL_OFFLOAD);
		/* a correct checksum stays ok whatever the hint says */
		s.spoil = ND_SPOIL_NONE;
		len = build(buf, &s);
		nd_frame_decode(&f, ND_LINK_ETHERNET, buf, len, len, ND_HINT_CSUM_NOTREADY);
		assert_int_equal(f.l4_csum.cls, ND_CSUM_OK);
	}
}

static void test_bad_tcp_icmpv6(void **state)
{
	struct nd_build_spec t = spec("198.51.100.7", "203.0.113.9", IPPROTO_TCP);
	struct nd_build_spec t6 = spec("2001:db8::7", "2001:db8::9", IPPROTO_TCP);
	struct nd_build_spec ic = spec("fe80::1", "ff02::1", IPPROTO_ICMPV6);
	uint8_t buf[2048];
	struct nd_frame f;
	size_t len;

	t.spoil = ND_SPOIL_BAD;
	len = build(buf, &t);
	nd_frame_decode(&f, ND_LINK_ETHERNET, buf, len, len, ND_HINT_CSUM_NOTREADY);
	assert_int_equal(f.l4_csum.cls, ND_CSUM_BAD);
	assert_int_equal(f.l4_csum.expected, naive_expected(buf, ETH, false, IPPROTO_TCP, 16));
	assert_int_not_equal(f.l4_csum.found, f.l4_csum.expected);
	len = build(buf, &t6);
	nd_frame_decode(&f, ND_LINK_ETHERNET, buf, len, len, 0);
	assert_int_equal(f.l4_csum.cls, ND_CSUM_OK);
	assert_int_equal(f.l4_csum.found, naive_expected(buf, ETH, true, IPPROTO_TCP, 16));
	len = build(buf, &ic);
	nd_frame_decode(&f, ND_LINK_ETHERNET, buf, len, len, 0);
	assert_int_equal(f.l4_csum.cls, ND_CSUM_OK);
	assert_int_equal(f.icmp_type, 134);
	assert_int_equal(f.l4_csum.found, naive_expected(buf, ETH, true, IPPROTO_ICMPV6, 2));
	buf[len - 1] ^= 0xff;
	nd_frame_decode(&f, ND_LINK_ETHERNET, buf, len, len, 0);
	assert_int_equal(f.l4_csum.cls, ND_CSUM_BAD);
}

static void test_ipv4_header_checksum_bad(void **state)
{
	struct nd_build_spec s = spec("192.0.2.1", "192.0.2.50", IPPROTO_UDP);
	uint8_t buf[2048];
	struct nd_frame f;
	size_t len = build(buf, &s);
	uint16_t good = (uint16_t)(buf[ETH + 10] << 8 | buf[ETH + 11]);

	buf[ETH + 10] ^= 0x10;
	nd_frame_decode(&f, ND_LINK_ETHERNET, buf, len, len, 0);
	assert_int_equal(f.ip4_csum.cls, ND_CSUM_BAD);
	assert_int_equal(f.ip4_csum.expected, good);
	assert_int_equal(f.ip4_csum.found, good ^ 0x1000);
	/* the transport verdict does not depend on the IP header checksum */
	assert_int_equal(f.l4_csum.cls, ND_CSUM_OK);
}

/* Cut the frame at every length: never a crash, headers cut = truncated,
 * payload cut by the snap length = ok status but unverifiable. */
static void test_truncated_everywhere(void **state)
{
	const char *pairs[][2] = { { "192.0.2.1", "192.0.2.50" }, { "2001:db8::1", "2001:db8::50" } };

	for (int i = 0; i < 2; i++) {
		struct nd_build_spec s = spec(pairs[i][0], pairs[i][1], IPPROTO_UDP);
		uint8_t buf[2048];
		struct nd_frame f;
		size_t len, headers;

		s.vlan = 42;
		len = build(buf, &s);
		headers = ETH + 4 + (i ? 40 : 20) + 8;
		for (size_t n = 0; n < len; n++) {
			int ret = nd_frame_decode(&f, ND_LINK_ETHERNET, buf, n, len, 0);

			if (n < headers) {
				assert_int_equal(ret, -EMSGSIZE);
				assert_int_equal(f.status, ND_DECODE_TRUNCATED);
			} else {
				assert_int_equal(ret, 0);
				assert_int_equal(f.l4_csum.cls, ND_CSUM_UNVERIFIABLE);
				assert_true(f.payload_truncated);
				assert_int_equal(nd_cur_left(&f.payload), n - headers);
			}
		}
		/* the same cut with wirelen == caplen is a frame shorter than its
		 * IP header says: malformed, still never an overread */
		assert_int_equal(nd_frame_decode(&f, ND_LINK_ETHERNET, buf, headers + 3, headers + 3, 0),
				 -EINVAL);
		assert_int_equal(f.status, ND_DECODE_MALFORMED);
	}
}

static void test_malformed_lengths(void **state)
{
	struct nd_build_spec s = spec("192.0.2.1", "192.0.2.50", IPPROTO_UDP);
	uint8_t buf[2048], work[2048];
	struct nd_frame f;
	size_t len = build(buf, &s);

	memcpy(work, buf, len);
	work[ETH] = 0x44;  /* IHL 4 */
	assert_int_equal(nd_frame_decode(&f, ND_LINK_ETHERNET, work, len, len, 0), -EINVAL);
	memcpy(work, buf, len);
	work[ETH + 2] = 0;
	work[ETH + 3] = 10;  /* total length below the header */
	assert_int_equal(nd_frame_decode(&f, ND_LINK_ETHERNET, work, len, len, 0), -EINVAL);
	memcpy(work, buf, len);
	work[ETH + 20 + 4] = 0;
	work[ETH + 20 + 5] = 4;  /* UDP length below its header */
	assert_int_equal(nd_frame_decode(&f, ND_LINK_ETHERNET, work, len, len, 0), -EINVAL);
	assert_string_equal(f.status_detail, "UDP length");
	memcpy(work, buf, len);
	work[ETH + 20 + 4] = 0x40;  /* UDP length beyond the IP payload */
	assert_int_equal(nd_frame_decode(&f, ND_LINK_ETHERNET, work, len, len, 0), -EINVAL);
	assert_int_equal(f.l4_csum.cls, ND_CSUM_BAD);
	memcpy(work, buf, len);
	work[ETH] = 0x65;  /* version 6 in an IPv4 ethertype */
	assert_int_equal(nd_frame_decode(&f, ND_LINK_ETHERNET, work, len, len, 0), -EINVAL);
}

/* Ethernet padding after a short IP packet is not payload. */
static void test_trailing_padding_ignored(void **state)
{
	struct nd_build_spec s = spec("192.0.2.1", "192.0.2.50", IPPROTO_UDP);
	uint8_t buf[2048];
	struct nd_frame f;
	size_t len;

	s.payload_len = 2;
	len = build(buf, &s);
	memset(buf + len, 0xee, 20);
	assert_int_equal(nd_frame_decode(&f, ND_LINK_ETHERNET, buf, len + 20, len + 20, 0), 0);
	assert_int_equal(f.l4_csum.cls, ND_CSUM_OK);
	assert_int_equal(nd_cur_left(&f.payload), 2);
}

static void test_ipv4_fragments(void **state)
{
	struct nd_build_spec s = spec("192.0.2.1", "192.0.2.50", IPPROTO_UDP);
	uint8_t buf[2048];
	struct nd_frame f;
	size_t len = build(buf, &s);

	/* first fragment: MF set, offset 0 (header checksum left stale:
	 * the transport verdict is what is asserted) */
	buf[ETH + 6] = 0x20;
	assert_int_equal(nd_frame_decode(&f, ND_LINK_ETHERNET, buf, len, len, 0), 0);
	assert_true(f.fragment);
	assert_true(f.first_fragment);
	assert_int_equal(f.sport, 53);
	assert_int_equal(f.l4_csum.cls, ND_CSUM_UNVERIFIABLE);
	/* a later fragment has no transport header */
	buf[ETH + 6] = 0x00;
	buf[ETH + 7] = 0x10;
	assert_int_equal(nd_frame_decode(&f, ND_LINK_ETHERNET, buf, len, len, 0), 0);
	assert_true(f.fragment);
	assert_false(f.first_fragment);
	assert_int_equal(f.sport, 0);
	assert_int_equal(f.l4_csum.cls, ND_CSUM_UNVERIFIABLE);
}

/* Insert an IPv6 extension header of `ext_len` bytes after the fixed
 * header; returns the new frame length. */
static size_t insert_ext(uint8_t *buf, size_t len, uint8_t type, const uint8_t *ext,
			 size_t ext_len)
{
	uint8_t *ip = buf + ETH;
	size_t plen = (size_t)(ip[4] << 8 | ip[5]) + ext_len;

	memmove(ip + 40 + ext_len, ip + 40, len - ETH - 40);
	memcpy(ip + 40, ext, ext_len);
	ip[40] = ip[6];  /* the extension's next header: what followed before */
	ip[6] = type;
	ip[4] = (uint8_t)(plen >> 8);
	ip[5] = (uint8_t)plen;
	return len + ext_len;
}

static void test_ipv6_extension_headers(void **state)
{
	struct nd_build_spec s = spec("2001:db8::1", "2001:db8::50", IPPROTO_UDP);
	const uint8_t hbh[8] = { 0, 0, 1, 4, 0, 0, 0, 0 };    /* PadN */
	const uint8_t frag_first[8] = { 0, 0, 0x00, 0x01, 0, 0, 0, 7 }; /* offset 0, M */
	const uint8_t frag_later[8] = { 0, 0, 0x00, 0xb0, 0, 0, 0, 7 }; /* offset 22 */
	uint8_t buf[2048], work[2048];
	struct nd_frame f;
	size_t len = build(buf, &s), n;

	memcpy(work, buf, len);
	n = insert_ext(work, len, IPPROTO_HOPOPTS, hbh, sizeof(hbh));
	n = insert_ext(work, n, IPPROTO_DSTOPTS, hbh, sizeof(hbh));
	assert_int_equal(nd_frame_decode(&f, ND_LINK_ETHERNET, work, n, n, 0), 0);
	assert_int_equal(f.l4proto, IPPROTO_UDP);
	assert_int_equal(f.l4_csum.cls, ND_CSUM_OK);
	memcpy(work, buf, len);
	n = insert_ext(work, len, IPPROTO_FRAGMENT, frag_first, sizeof(frag_first));
	assert_int_equal(nd_frame_decode(&f, ND_LINK_ETHERNET, work, n, n, 0), 0);
	assert_true(f.fragment && f.first_fragment);
	assert_int_equal(f.dport, 40000);
	assert_int_equal(f.l4_csum.cls, ND_CSUM_UNVERIFIABLE);
	memcpy(work, buf, len);
	n = insert_ext(work, len, IPPROTO_FRAGMENT, frag_later, sizeof(frag_later));
	assert_int_equal(nd_frame_decode(&f, ND_LINK_ETHERNET, work, n, n, 0), 0);
	assert_true(f.fragment);
	assert_false(f.first_fragment);
	assert_int_equal(f.dport, 0);
	/* payload length too small for the extension chain */
	memcpy(work, buf, len);
	n = insert_ext(work, len, IPPROTO_HOPOPTS, hbh, sizeof(hbh));
	work[ETH + 4] = 0;
	work[ETH + 5] = 4;
	assert_int_equal(nd_frame_decode(&f, ND_LINK_ETHERNET, work, n, n, 0), -EINVAL);
}

/* RFC 8200 8.1: with a type 0 routing header and segments left, the
 * pseudo-header carries the final destination, not the IPv6 destination. */
static void test_ipv6_routing_header_final_destination(void **state)
{
	struct nd_build_spec s = spec("2001:db8::1", "2001:db8::99", IPPROTO_UDP);
	uint8_t rh[24] = { 0, 2, 0, 1 };  /* len 2 (one address), type 0, 1 left */
	uint8_t buf[2048];
	struct nd_frame f;
	size_t len, n;

	/* build towards the final destination, then route via ::50 */
	len = build(buf, &s);
	nd_addr_parse(&s.dst, "2001:db8::99");
	memcpy(rh + 8, s.dst.a, 16);
	n = insert_ext(buf, len, IPPROTO_ROUTING, rh, sizeof(rh));
	nd_addr_parse(&s.dst, "2001:db8::50");
	memcpy(buf + ETH + 24, s.dst.a, 16);
	assert_int_equal(nd_frame_decode(&f, ND_LINK_ETHERNET, buf, n, n, 0), 0);
	assert_int_equal(f.l4_csum.cls, ND_CSUM_OK);
}

static void test_qinq_and_unsupported(void **state)
{
	struct nd_build_spec s = spec("192.0.2.1", "192.0.2.50", IPPROTO_UDP);
	uint8_t buf[2048];
	struct nd_frame f;
	size_t len;

	s.vlan = 100;
	len = build(buf, &s);
	/* push an outer 802.1ad tag with VID 7 */
	memmove(buf + 16, buf + 12, len - 12);
	buf[12] = 0x88;
	buf[13] = 0xa8;
	buf[14] = 0x00;
	buf[15] = 0x07;
	len += 4;
	assert_int_equal(nd_frame_decode(&f, ND_LINK_ETHERNET, buf, len, len, 0), 0);
	assert_int_equal(f.nvlan, 2);
	assert_int_equal(f.vlan[0], 7);
	assert_int_equal(f.vlan[1], 100);
	assert_int_equal(f.l4_csum.cls, ND_CSUM_OK);
	buf[20] = 0x08;
	buf[21] = 0x06;  /* ARP */
	assert_int_equal(nd_frame_decode(&f, ND_LINK_ETHERNET, buf, len, len, 0), -EPROTONOSUPPORT);
	assert_int_equal(f.status, ND_DECODE_UNSUPPORTED);
	assert_int_equal(nd_frame_decode(&f, 9999, buf, len, len, 0), -EPROTONOSUPPORT);
}

/* Replace the Ethernet header with `hdr` and decode as `linktype`. */
static void decode_relinked(struct nd_frame *f, int linktype, const uint8_t *hdr, size_t hlen)
{
	struct nd_build_spec s = spec("192.0.2.1", "192.0.2.50", IPPROTO_UDP);
	uint8_t buf[2048], out[2048];
	size_t len = build(buf, &s);

	if (hlen)
		memcpy(out, hdr, hlen);
	memcpy(out + hlen, buf + ETH, len - ETH);
	assert_int_equal(nd_frame_decode(f, linktype, out, hlen + len - ETH, hlen + len - ETH, 0), 0);
	assert_int_equal(f->l4_csum.cls, ND_CSUM_OK);
}

static void test_other_link_layers(void **state)
{
	const uint8_t sll_out[16] = { 0, 4, 0, 1, 0, 6, 2, 0, 0, 0, 0, 9, 0, 0, 0x08, 0x00 };
	const uint8_t sll2_in[20] = { 0x08, 0x00, 0, 0, 0, 0, 0, 3, 0, 1, 0, 6, 2, 0, 0, 0, 0, 9 };
	const uint8_t null_le[4] = { 2, 0, 0, 0 }, null_be[4] = { 0, 0, 0, 2 };
	const uint8_t loop[4] = { 0, 0, 0, 2 };
	const uint8_t ppp[4] = { 0xff, 0x03, 0x00, 0x21 };
	struct nd_frame f;

	decode_relinked(&f, ND_LINK_LINUX_SLL, sll_out, sizeof(sll_out));
	assert_int_equal(f.dir, ND_DIR_OUT);
	assert_int_equal(f.src_mac[5], 9);
	decode_relinked(&f, ND_LINK_LINUX_SLL2, sll2_in, sizeof(sll2_in));
	assert_int_equal(f.dir, ND_DIR_IN);
	decode_relinked(&f, ND_LINK_NULL, null_le, sizeof(null_le));
	decode_relinked(&f, ND_LINK_NULL, null_be, sizeof(null_be));
	decode_relinked(&f, ND_LINK_LOOP, loop, sizeof(loop));
	decode_relinked(&f, ND_LINK_RAW, NULL, 0);
	decode_relinked(&f, 12, NULL, 0);
	decode_relinked(&f, ND_LINK_IPV4, NULL, 0);
	decode_relinked(&f, 9, ppp, sizeof(ppp));
	assert_int_equal(f.dir, ND_DIR_UNKNOWN);
}

/* Frame 1 of tcpdump's RADIUS-RFC4675.pcap, Linux cooked, captured on a
 * sender's loopback: tcpdump says "bad udp cksum 0xfe6b -> 0x6a5b"; the
 * value is the pseudo-header sum, so netdiag says partial. */
static const uint8_t radius_frame[] = {
	0x00, 0x00, 0x03, 0x04, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00,
	0x45, 0x00, 0x00, 0x6c, 0x51, 0x54, 0x00, 0x00, 0x40, 0x11, 0x2b, 0x2b, 0x7f, 0x00, 0x00, 0x01,
	0x7f, 0x00, 0x00, 0x01, 0xd0, 0x56, 0x07, 0x14, 0x00, 0x58, 0xfe, 0x6b, 0x01, 0x46, 0x00, 0x50,
	0xf4, 0x47, 0x57, 0xbc, 0x49, 0x8c, 0x33, 0x93, 0x76, 0x3a, 0x27, 0xd0, 0xb2, 0x39, 0x37, 0x02,
	0x01, 0x0c, 0x62, 0x6f, 0x62, 0x2d, 0x74, 0x61, 0x67, 0x67, 0x65, 0x64, 0x02, 0x12, 0xa3, 0x0e,
	0x22, 0xb0, 0x36, 0x9e, 0x89, 0xf8, 0x9e, 0xb6, 0xe0, 0x61, 0x2c, 0x2c, 0x3c, 0x23, 0x04, 0x06,
	0x7f, 0x00, 0x00, 0x01, 0x05, 0x06, 0x00, 0x00, 0x00, 0x01, 0x50, 0x12, 0xff, 0xb1, 0x9e, 0x8e,
	0xa9, 0x62, 0x0a, 0xec, 0x37, 0x2d, 0x7f, 0xa3, 0xb2, 0xc7, 0x62, 0x87,
};

static void test_real_partial_frame_from_tcpdump_corpus(void **state)
{
	struct nd_frame f;

	assert_int_equal(nd_frame_decode(&f, ND_LINK_LINUX_SLL, radius_frame, sizeof(radius_frame),
					 sizeof(radius_frame), 0), 0);
	assert_int_equal(f.l4_csum.cls, ND_CSUM_PARTIAL);
	assert_int_equal(f.l4_csum.found, 0xfe6b);
	assert_int_equal(f.l4_csum.expected, 0x6a5b);
	assert_int_equal(f.dir, ND_DIR_IN);
}

/* Wrap an Ethernet frame in VXLAN (VNI 5001) over IPv4/UDP with a zero
 * UDP checksum, as Linux sends it. */
static size_t vxlan_wrap(uint8_t *out, const uint8_t *inner, size_t ilen, uint16_t port)
{
	uint8_t hdr[8] = { 0x08, 0, 0, 0, 0x00, 0x13, 0x89, 0 };
	uint8_t body[2048];
	struct nd_build_spec o = spec("198.51.100.2", "198.51.100.1", IPPROTO_UDP);
	size_t len;

	memcpy(body, hdr, sizeof(hdr));
	memcpy(body + sizeof(hdr), inner, ilen);
	o.sport = 49152;
	o.dport = port;
	o.payload = body;
	o.payload_len = sizeof(hdr) + ilen;
	o.spoil = ND_SPOIL_ZERO;
	assert_int_equal(nd_build_frame(out, 2048, &o, &len), 0);
	return len;
}

static void test_vxlan_inner_verdicts(void **state)
{
	struct nd_build_spec s = spec("192.0.2.1", "192.0.2.50", IPPROTO_UDP);
	uint8_t inner[2048], frame[2048];
	struct nd_frame f, in;
	size_t ilen, len;
	const uint16_t ports[] = { 4789, 8472 };

	s.spoil = ND_SPOIL_PARTIAL;
	ilen = build(inner, &s);
	for (size_t i = 0; i < 2; i++) {
		len = vxlan_wrap(frame, inner, ilen, ports[i]);
		assert_int_equal(nd_frame_decode(&f, ND_LINK_ETHERNET, frame, len, len, 0), 0);
		/* the outer zero checksum is "none", never a finding */
		assert_int_equal(f.l4_csum.cls, ND_CSUM_NONE);
		assert_int_equal(f.encap.kind, ND_ENCAP_VXLAN);
		assert_true(f.encap.has_vni);
		assert_int_equal(f.encap.vni, 5001);
		assert_int_equal(f.encap.linktype, ND_LINK_ETHERNET);
		assert_int_equal(nd_frame_decode_inner(&in, &f, 0), 0);
		assert_int_equal(in.l4proto, IPPROTO_UDP);
		assert_int_equal(in.sport, 53);
		assert_int_equal(in.l4_csum.cls, ND_CSUM_PARTIAL);
		assert_int_equal(in.l4_csum.expected, naive_expected(inner, ETH, false, IPPROTO_UDP, 6));
		assert_int_equal(in.encap.kind, ND_ENCAP_NONE);
	}
	/* the I flag off: not VXLAN */
	len = vxlan_wrap(frame, inner, ilen, 4789);
	frame[ETH + 20 + 8] = 0;
	assert_int_equal(nd_frame_decode(&f, ND_LINK_ETHERNET, frame, len, len, 0), 0);
	assert_int_equal(f.encap.kind, ND_ENCAP_NONE);
	/* cut inside the inner frame: its checksum unverifiable, not malformed */
	assert_int_equal(nd_frame_decode(&f, ND_LINK_ETHERNET, frame, len - 5, len, 0), 0);
}

/* GRETAP with a key, and IP-in-IP (ICMP quotes: tests/corpus/file-counts). */
static void test_gre_ipip(void **state)
{
	struct nd_build_spec s = spec("192.0.2.1", "192.0.2.50", IPPROTO_UDP);
	uint8_t inner[2048], body[2048];
	struct nd_frame f, in;
	size_t ilen, len;

	s.spoil = ND_SPOIL_BAD;
	ilen = build(inner, &s);
	/* GRE: K flag, protocol 0x6558 (Ethernet), key 77 */
	{
		const uint8_t gre[8] = { 0x20, 0x00, 0x65, 0x58, 0, 0, 0, 77 };
		uint8_t ip[2048];

		memcpy(body, gre, sizeof(gre));
		memcpy(body + sizeof(gre), inner, ilen);
		/* an outer IPv4 header by hand: protocol 47 */
		memset(ip, 0, 20);
		ip[0] = 0x45;
		ip[2] = (uint8_t)((20 + 8 + ilen) >> 8);
		ip[3] = (uint8_t)(20 + 8 + ilen);
		ip[8] = 64;
		ip[9] = 47;
		memcpy(ip + 12, "\xc6\x33\x64\x02\xc6\x33\x64\x01", 8);
		memcpy(ip + 20, body, 8 + ilen);
		len = 20 + 8 + ilen;
		nd_frame_decode(&f, ND_LINK_IPV4, ip, len, len, 0);
		assert_int_equal(f.encap.kind, ND_ENCAP_GRE);
		assert_int_equal(f.encap.vni, 77);
		assert_int_equal(nd_frame_decode_inner(&in, &f, 0), 0);
		assert_int_equal(in.l4_csum.cls, ND_CSUM_BAD);
		/* IP-in-IP: the inner IPv4 packet straight after */
		ip[9] = 4;
		memcpy(ip + 20, inner + ETH, ilen - ETH);
		len = 20 + ilen - ETH;
		ip[2] = (uint8_t)(len >> 8);
		ip[3] = (uint8_t)len;
		nd_frame_decode(&f, ND_LINK_IPV4, ip, len, len, 0);
		assert_int_equal(f.encap.kind, ND_ENCAP_IPIP);
		assert_int_equal(nd_frame_decode_inner(&in, &f, 0), 0);
		assert_int_equal(in.l4_csum.cls, ND_CSUM_BAD);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udp4_ok_and_fields),
		cmocka_unit_test(test_udp_zero_checksum_v4_none_v6_bad),
		cmocka_unit_test(test_partial_with_and_without_hint),
		cmocka_unit_test(test_bad_tcp_icmpv6),
		cmocka_unit_test(test_ipv4_header_checksum_bad),
		cmocka_unit_test(test_truncated_everywhere),
		cmocka_unit_test(test_malformed_lengths),
		cmocka_unit_test(test_trailing_padding_ignored),
		cmocka_unit_test(test_ipv4_fragments),
		cmocka_unit_test(test_ipv6_extension_headers),
		cmocka_unit_test(test_ipv6_routing_header_final_destination),
		cmocka_unit_test(test_qinq_and_unsupported),
		cmocka_unit_test(test_other_link_layers),
		cmocka_unit_test(test_real_partial_frame_from_tcpdump_corpus),
		cmocka_unit_test(test_vxlan_inner_verdicts),
		cmocka_unit_test(test_gre_ipip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
