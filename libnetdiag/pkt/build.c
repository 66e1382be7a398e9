/* Frame building with correct (or deliberately spoiled) checksums. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <netdiag/build.h>

#define ETH_HLEN 14
#define VLAN_HLEN 4
#define IPV4_HLEN 20
#define IPV6_HLEN 40
#define UDP_HLEN 8
#define TCP_HLEN 20
#define ICMPV6_HLEN 4

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static size_t l4_header_len(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_UDP: return UDP_HLEN;
	case IPPROTO_TCP: return TCP_HLEN;
	case IPPROTO_ICMPV6: return ICMPV6_HLEN;
	default: return 0;
	}
}

static uint64_t pseudo_sum(const struct nd_build_spec *s, size_t l4len)
{
	size_t alen = s->src.family == AF_INET ? 4 : 16;
	uint8_t tail[8] = { 0 };

	put32(tail, (uint32_t)l4len);
	tail[7] = s->l4proto;
	return nd_csum_partial(tail, sizeof(tail),
			       nd_csum_partial(s->dst.a, alen, nd_csum_partial(s->src.a, alen, 0)));
}

static void transport_checksum(const struct nd_build_spec *s, uint8_t *l4, size_t l4len,
			       size_t field_at)
{
	uint64_t pseudo = pseudo_sum(s, l4len);
	uint16_t sum;

	put16(l4 + field_at, 0);
	switch (s->spoil) {
	case ND_SPOIL_ZERO:
		return;
	case ND_SPOIL_PARTIAL:
		put16(l4 + field_at, (uint16_t)~nd_csum_fold(pseudo));
		return;
	default:
		break;
	}
	sum = nd_csum_fold(nd_csum_partial(l4, l4len, pseudo));
	if (sum == 0 && s->l4proto == IPPROTO_UDP)
		sum = 0xffff;  /* RFC 768: a computed zero is sent as all ones */
	if (s->spoil == ND_SPOIL_BAD)
		sum ^= 0x5a5a;
	put16(l4 + field_at, sum);
}

int nd_build_frame(uint8_t *buf, size_t cap, const struct nd_build_spec *s, size_t *len)
{
	size_t l2 = ETH_HLEN + (s->vlan ? VLAN_HLEN : 0);
	size_t l3 = s->src.family == AF_INET ? IPV4_HLEN : IPV6_HLEN;
	size_t l4h = l4_header_len(s->l4proto), l4len = l4h + s->payload_len, total;
	uint8_t *ip, *l4;

	if ((s->src.family != AF_INET && s->src.family != AF_INET6) ||
	    s->dst.family != s->src.family || !l4h ||
	    (s->l4proto == IPPROTO_ICMPV6 && s->src.family != AF_INET6))
		return -EINVAL;
	total = l2 + l3 + l4len;
	if (total > cap || l4len > 0xffff - IPV4_HLEN)
		return -ENOSPC;
	memset(buf, 0, l2 + l3 + l4h);
	memcpy(buf, s->dst_mac, 6);
	memcpy(buf + 6, s->src_mac, 6);
	if (s->vlan) {
		put16(buf + 12, 0x8100);
		put16(buf + 14, s->vlan & 0x0fff);
	}
	put16(buf + l2 - 2, s->src.family == AF_INET ? 0x0800 : 0x86dd);
	ip = buf + l2;
	l4 = ip + l3;
	if (s->src.family == AF_INET) {
		ip[0] = 0x45;
		put16(ip + 2, (uint16_t)(l3 + l4len));
		put16(ip + 4, s->ip_id);
		ip[8] = s->ttl ? s->ttl : 64;
		ip[9] = s->l4proto;
		memcpy(ip + 12, s->src.a, 4);
		memcpy(ip + 16, s->dst.a, 4);
		put16(ip + 10, nd_csum_fold(nd_csum_partial(ip, IPV4_HLEN, 0)));
	} else {
		ip[0] = 0x60;
		put16(ip + 4, (uint16_t)l4len);
		ip[6] = s->l4proto;
		ip[7] = s->ttl ? s->ttl : 64;
		memcpy(ip + 8, s->src.a, 16);
		memcpy(ip + 24, s->dst.a, 16);
	}
	if (s->payload_len)
		memcpy(l4 + l4h, s->payload, s->payload_len);
	switch (s->l4proto) {
	case IPPROTO_UDP:
		put16(l4, s->sport);
		put16(l4 + 2, s->dport);
		put16(l4 + 4, (uint16_t)l4len);
		transport_checksum(s, l4, l4len, 6);
		break;
	case IPPROTO_TCP:
		put16(l4, s->sport);
		put16(l4 + 2, s->dport);
		put32(l4 + 4, 1);
		l4[12] = (TCP_HLEN / 4) << 4;
		l4[13] = s->tcp_flags;
		put16(l4 + 14, 65535);
		transport_checksum(s, l4, l4len, 16);
		break;
	case IPPROTO_ICMPV6:
		l4[0] = s->icmp_type;
		l4[1] = s->icmp_code;
		transport_checksum(s, l4, l4len, 2);
		break;
	}
	*len = total;
	return 0;
}

int nd_addr_parse(struct nd_addr *a, const char *text)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, text, a->a) == 1) {
		a->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, text, a->a) == 1) {
		a->family = AF_INET6;
		return 0;
	}
	return -EINVAL;
}
