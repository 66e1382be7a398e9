/* ndgen: a deterministic capture generator for tests, benchmarks and the
 * demo.  The same arguments always give the same bytes: a fixed-seed PRNG,
 * timestamps counted from a fixed epoch.
 *
 *   ndgen -o FILE [-f pcap|pcapng] [-n FRAMES] [-s SEED]
 *         [--partial PCT] [--bad PCT] [--offload PCT] [--scenario mixed|realistic|demo|dns-flood]
 *
 * mixed: DNS query/response pairs and DHCPv4 exchanges (DISCOVER, OFFER,
 * REQUEST, ACK) between guests and a server on 192.0.2.0/24, plus a little
 * TCP; PCT percent of server replies get a partial / bad checksum, or are
 * marked "checksum not ready" with a pseudo-header sum (pcapng only).
 * demo: the story of a guest whose DNS replies arrive unfinished.
 * dns-flood: FRAMES distinct DNS queries, none answered.
 * realistic: what a VM host's bridge carries: about half TCP (bulk and
 * interactive flows to a few servers, both directions, the server's
 * segments spoiled like replies), DNS pairs, DHCPv4 exchanges and IPv6
 * neighbour solicitations and advertisements.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netdiag/build.h>
#include <netdiag/capture.h>

#define EPOCH 1700000000.0
#define DNS_PORT 53
#define DHCP_SERVER_PORT 67
#define DHCP_CLIENT_PORT 68
#define BOOTP_LEN 236
#define DHCP_MAGIC 0x63825363u

struct gen {
	uint64_t rng;
	double now;
	int pcapng;
	pcap_dumper_t *dumper;
	pcap_t *dead;
	struct nd_pcapng_writer *ng;
	FILE *out;
	unsigned partial, bad, offload;  /* percent of replies */
	uint64_t written;
	uint64_t limit;            /* exactly this many frames, even mid-exchange */
};

static uint32_t next_rand(struct gen *g)
{
	/* xorshift64*: deterministic, fast, good enough for traffic mixes */
	g->rng ^= g->rng >> 12;
	g->rng ^= g->rng << 25;
	g->rng ^= g->rng >> 27;
	return (uint32_t)((g->rng * 2685821657736338717ULL) >> 32);
}

static int emit(struct gen *g, const char *ifname, enum nd_dir dir, uint32_t hints,
		const uint8_t *frame, size_t len)
{
	struct nd_frame_meta m = { .ts = g->now, .caplen = (uint32_t)len, .wirelen = (uint32_t)len,
				   .linktype = ND_LINK_ETHERNET, .ifname = ifname, .dir = dir,
				   .hints = hints };

	if (g->limit && g->written >= g->limit)
		return 0;
	g->written++;
	g->now += 0.000137;
	if (g->pcapng)
		return nd_pcapng_write(g->ng, &m, frame);
	struct pcap_pkthdr h = { .caplen = (bpf_u_int32)len, .len = (bpf_u_int32)len };

	h.ts.tv_sec = (time_t)m.ts;
	h.ts.tv_usec = (suseconds_t)((m.ts - (double)h.ts.tv_sec) * 1e6);
	pcap_dump((u_char *)g->dumper, &h, frame);
	return 0;
}

static void set_mac(uint8_t mac[6], uint32_t host)
{
	mac[0] = 0x02;
	mac[1] = 0x00;
	mac[2] = (uint8_t)(host >> 24);
	mac[3] = (uint8_t)(host >> 16);
	mac[4] = (uint8_t)(host >> 8);
	mac[5] = (uint8_t)host;
}

static void set_v4(struct nd_addr *a, uint32_t host)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	a->a[0] = 192;
	a->a[1] = 0;
	a->a[2] = 2;
	a->a[3] = (uint8_t)host;
}

static size_t dns_message(uint8_t *p, uint16_t id, bool response, uint8_t answer_host)
{
	static const uint8_t qname[] = "\5probe\7example";
	size_t n = 0;

	p[n++] = (uint8_t)(id >> 8);
	p[n++] = (uint8_t)id;
	p[n++] = response ? 0x81 : 0x01;  /* QR, RD */
	p[n++] = response ? 0x80 : 0x00;  /* RA */
	p[n++] = 0; p[n++] = 1;           /* one question */
	p[n++] = 0; p[n++] = response;    /* answers */
	memset(p + n, 0, 4);
	n += 4;
	memcpy(p + n, qname, sizeof(qname));
	n += sizeof(qname);
	p[n++] = 0; p[n++] = 1;           /* A */
	p[n++] = 0; p[n++] = 1;           /* IN */
	if (response) {
		const uint8_t rr[] = { 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4,
				       192, 0, 2, answer_host };

		memcpy(p + n, rr, sizeof(rr));
		n += sizeof(rr);
	}
	return n;
}

static size_t dhcp_message(uint8_t *p, uint8_t type, uint32_t xid, const uint8_t mac[6],
			   uint8_t yiaddr_host)
{
	size_t n = BOOTP_LEN;

	memset(p, 0, BOOTP_LEN);
	p[0] = type == 2 || type == 5 || type == 6 ? 2 : 1;  /* BOOTREPLY for OFFER/ACK/NAK */
	p[1] = 1;
	p[2] = 6;
	p[4] = (uint8_t)(xid >> 24); p[5] = (uint8_t)(xid >> 16);
	p[6] = (uint8_t)(xid >> 8); p[7] = (uint8_t)xid;
	if (p[0] == 2 && yiaddr_host) {
		p[16] = 192; p[17] = 0; p[18] = 2; p[19] = yiaddr_host;
	}
	memcpy(p + 28, mac, 6);
	p[n++] = 0x63; p[n++] = 0x82; p[n++] = 0x53; p[n++] = 0x63;
	p[n++] = 53; p[n++] = 1; p[n++] = type;
	if (p[0] == 2) {
		const uint8_t opts[] = { 54, 4, 192, 0, 2, 1, 51, 4, 0, 0, 0x0e, 0x10,
					 1, 4, 255, 255, 255, 0, 3, 4, 192, 0, 2, 1,
					 6, 4, 192, 0, 2, 1 };

		memcpy(p + n, opts, sizeof(opts));
		n += sizeof(opts);
	}
	p[n++] = 255;
	return n;
}

static enum nd_spoil reply_spoil(struct gen *g, uint32_t *hints)
{
	uint32_t r = next_rand(g) % 100;

	*hints = 0;
	if (r < g->partial)
		return ND_SPOIL_PARTIAL;
	if (r < g->partial + g->bad)
		return ND_SPOIL_BAD;
	if (r < g->partial + g->bad + g->offload) {
		*hints = ND_HINT_CSUM_NOTREADY;
		return ND_SPOIL_PARTIAL;
	}
	return ND_SPOIL_NONE;
}

static int udp_frame(struct gen *g, const char *ifname, enum nd_dir dir, uint32_t from,
		     uint32_t to, uint16_t sport, uint16_t dport, const uint8_t *payload,
		     size_t plen, enum nd_spoil spoil, uint32_t hints, bool broadcast)
{
	struct nd_build_spec s = { .l4proto = IPPROTO_UDP, .sport = sport, .dport = dport,
				   .payload = payload, .payload_len = plen, .spoil = spoil };
	uint8_t frame[2048];
	size_t len;
	int err;

	set_mac(s.src_mac, from);
	set_mac(s.dst_mac, to);
	set_v4(&s.src, from);
	set_v4(&s.dst, to);
	if (broadcast) {
		memset(s.dst_mac, 0xff, 6);
		memset(s.dst.a, 0xff, 4);
		if (from == 0)
			memset(s.src.a, 0, 4);
	}
	s.ip_id = (uint16_t)next_rand(g);
	err = nd_build_frame(frame, sizeof(frame), &s, &len);
	return err ? err : emit(g, ifname, dir, hints, frame, len);
}

static int dns_pair(struct gen *g, const char *ifname, uint32_t client)
{
	uint8_t msg[512];
	uint16_t id = (uint16_t)next_rand(g), port = (uint16_t)(32768 + next_rand(g) % 28000);
	uint32_t hints;
	enum nd_spoil spoil;
	size_t n;
	int err;

	n = dns_message(msg, id, false, 0);
	err = udp_frame(g, ifname, ND_DIR_IN, client, 1, port, DNS_PORT, msg, n, 0, 0, false);
	if (err)
		return err;
	spoil = reply_spoil(g, &hints);
	n = dns_message(msg, id, true, 99);
	return udp_frame(g, ifname, ND_DIR_OUT, 1, client, DNS_PORT, port, msg, n, spoil, hints,
			 false);
}

static int dhcp_exchange(struct gen *g, const char *ifname, uint32_t client)
{
	static const uint8_t types[4] = { 1, 2, 3, 5 };  /* DISCOVER OFFER REQUEST ACK */
	uint8_t msg[600], mac[6];
	uint32_t xid = next_rand(g), hints;
	int err;

	set_mac(mac, client);
	for (int i = 0; i < 4; i++) {
		bool reply = types[i] == 2 || types[i] == 5;
		enum nd_spoil spoil = reply ? reply_spoil(g, &hints) : ND_SPOIL_NONE;
		size_t n = dhcp_message(msg, types[i], xid, mac, (uint8_t)client);

		if (!reply)
			hints = 0;
		err = reply ? udp_frame(g, ifname, ND_DIR_OUT, 1, client, DHCP_SERVER_PORT,
					DHCP_CLIENT_PORT, msg, n, spoil, hints, true)
			    : udp_frame(g, ifname, ND_DIR_IN, 0, 1, DHCP_CLIENT_PORT,
					DHCP_SERVER_PORT, msg, n, 0, 0, true);
		if (err)
			return err;
	}
	return 0;
}

static int tcp_segment(struct gen *g, const char *ifname, uint32_t client)
{
	static const uint8_t data[] = "GET / HTTP/1.1\r\nHost: probe.example\r\n\r\n";
	struct nd_build_spec s = { .l4proto = IPPROTO_TCP, .sport = 443, .dport = 51000,
				   .payload = data, .payload_len = sizeof(data) - 1,
				   .tcp_flags = 0x18 };
	uint8_t frame[2048];
	size_t len;
	int err;

	set_mac(s.src_mac, 1);
	set_mac(s.dst_mac, client);
	set_v4(&s.src, 1);
	set_v4(&s.dst, client);
	err = nd_build_frame(frame, sizeof(frame), &s, &len);
	return err ? err : emit(g, ifname, ND_DIR_OUT, 0, frame, len);
}

static int mixed(struct gen *g, uint64_t frames)
{
	while (g->written < frames) {
		uint32_t client = 10 + next_rand(g) % 200, r = next_rand(g) % 100;
		int err;

		if (r < 70)
			err = dns_pair(g, "tap0", client);
		else if (r < 90)
			err = dhcp_exchange(g, "tap0", client);
		else
			err = tcp_segment(g, "tap0", client);
		if (err)
			return err;
	}
	return 0;
}

/* One TCP segment of a flow between a guest and one of eight servers; the
 * server's segments take reply_spoil() like UDP replies. */
static int tcp_flow_segment(struct gen *g, uint32_t client, uint32_t server, uint16_t cport,
			    bool from_server, size_t plen)
{
	static uint8_t data[1460];
	struct nd_build_spec s = { .l4proto = IPPROTO_TCP, .payload = data,
				   .payload_len = plen, .tcp_flags = plen ? 0x18 : 0x10 };
	uint32_t hints = 0, from = from_server ? server : client, to = from_server ? client : server;
	uint8_t frame[2048];
	size_t len;
	int err;

	if (!data[0])
		for (size_t i = 0; i < sizeof(data); i++)
			data[i] = (uint8_t)('a' + i % 26);
	s.sport = from_server ? 443 : cport;
	s.dport = from_server ? cport : 443;
	if (from_server)
		s.spoil = reply_spoil(g, &hints);
	set_mac(s.src_mac, from);
	set_mac(s.dst_mac, to);
	set_v4(&s.src, from);
	set_v4(&s.dst, to);
	s.ip_id = (uint16_t)next_rand(g);
	err = nd_build_frame(frame, sizeof(frame), &s, &len);
	return err ? err : emit(g, "tap0", from_server ? ND_DIR_OUT : ND_DIR_IN, hints, frame, len);
}

/* A burst of a TCP flow: a request, then data from the server with the
 * guest's ACKs, as bulk transfers and web pages look. */
static int tcp_burst(struct gen *g, uint32_t client)
{
	uint32_t server = 2 + next_rand(g) % 8, n = 1 + next_rand(g) % 8;
	uint16_t cport = (uint16_t)(32768 + next_rand(g) % 2000);
	int err = tcp_flow_segment(g, client, server, cport, false, 40 + next_rand(g) % 400);

	for (uint32_t i = 0; i < n && !err; i++) {
		err = tcp_flow_segment(g, client, server, cport, true,
				       i + 1 < n ? 1448 : 100 + next_rand(g) % 1300);
		if (!err && i % 2)
			err = tcp_flow_segment(g, client, server, cport, false, 0);
	}
	return err;
}

/* A neighbour solicitation from a guest and the advertisement back. */
static int nd_pair(struct gen *g, uint32_t client)
{
	struct nd_build_spec s = { .l4proto = IPPROTO_ICMPV6, .ttl = 255 };
	uint8_t body[28] = { 0 }, frame[256];
	size_t len;
	int err;

	set_mac(s.src_mac, client);
	set_mac(s.dst_mac, 1);
	nd_addr_parse(&s.src, "2001:db8::a");
	nd_addr_parse(&s.dst, "2001:db8::1");
	s.src.a[15] = (uint8_t)client;
	s.icmp_type = 135;
	/* reserved word, then the target and a source link-layer option */
	memcpy(body + 4, s.dst.a, 16);
	body[20] = 1;
	body[21] = 1;
	memcpy(body + 22, s.src_mac, 6);
	s.payload = body;
	s.payload_len = sizeof(body);
	err = nd_build_frame(frame, sizeof(frame), &s, &len);
	if (!err)
		err = emit(g, "tap0", ND_DIR_IN, 0, frame, len);
	if (err)
		return err;
	s.icmp_type = 136;
	s.dst = s.src;
	nd_addr_parse(&s.src, "2001:db8::1");
	memcpy(s.dst_mac, s.src_mac, 6);
	set_mac(s.src_mac, 1);
	body[0] = 0x60;  /* solicited, override */
	memcpy(body + 4, s.src.a, 16);
	body[20] = 2;
	memcpy(body + 22, s.src_mac, 6);
	err = nd_build_frame(frame, sizeof(frame), &s, &len);
	return err ? err : emit(g, "tap0", ND_DIR_OUT, 0, frame, len);
}

static int realistic(struct gen *g, uint64_t frames)
{
	while (g->written < frames) {
		uint32_t client = 10 + next_rand(g) % 200, r = next_rand(g) % 100;
		int err;

		if (r < 25)
			err = tcp_burst(g, client);
		else if (r < 85)
			err = dns_pair(g, "tap0", client);
		else if (r < 95)
			err = nd_pair(g, client);
		else
			err = dhcp_exchange(g, "tap0", client);
		if (err)
			return err;
	}
	return 0;
}

/* A flood of distinct DNS queries nobody answers: every one a new
 * transaction (client address, port and id vary), for bounded-memory
 * benchmarks. */
static int dns_flood(struct gen *g, uint64_t frames)
{
	uint8_t msg[512];
	int err = 0;

	for (uint64_t i = 0; i < frames && !err; i++) {
		size_t n = dns_message(msg, (uint16_t)i, false, 0);

		err = udp_frame(g, "tap0", ND_DIR_IN, 10 + (uint32_t)(i % 200), 1,
				(uint16_t)(1024 + (i >> 16) % 60000), DNS_PORT, msg, n, 0, 0, false);
	}
	return err;
}

/* The week-long bug in one capture: on the guest's tap, a guest gets its
 * lease, then asks for probe.example four times; every reply is there but
 * carries only the pseudo-header sum, so the guest drops it.  On the
 * bridge, the host's own outgoing copies are marked not-ready: harmless. */
static int demo(struct gen *g)
{
	uint8_t msg[512];
	size_t n;
	int err;

	g->partial = g->bad = g->offload = 0;
	err = dhcp_exchange(g, "tap0", 50);
	for (int i = 0; i < 4 && !err; i++) {
		n = dns_message(msg, 0x4242, false, 0);
		err = udp_frame(g, "tap0", ND_DIR_IN, 50, 1, 41000, DNS_PORT, msg, n, 0, 0, false);
		if (!err) {
			n = dns_message(msg, 0x4242, true, 99);
			err = udp_frame(g, "tap0", ND_DIR_OUT, 1, 50, DNS_PORT, 41000, msg, n,
					ND_SPOIL_PARTIAL, 0, false);
		}
		if (!err) {
			n = dns_message(msg, 0x4242, true, 99);
			err = udp_frame(g, "br0", ND_DIR_OUT, 1, 50, DNS_PORT, 41000, msg, n,
					ND_SPOIL_PARTIAL, ND_HINT_CSUM_NOTREADY, false);
		}
		g->now += 1.0;
	}
	for (int i = 0; i < 20 && !err; i++)
		err = dns_pair(g, "tap1", 60);
	return err;
}

static const char usage_text[] =
	"usage: ndgen -o FILE [-f pcap|pcapng] [-n FRAMES] [-s SEED]\n"
	"             [--partial PCT] [--bad PCT] [--offload PCT] [--scenario mixed|realistic|demo|dns-flood]\n";

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "partial", required_argument, NULL, 'P' },
		{ "bad", required_argument, NULL, 'B' },
		{ "offload", required_argument, NULL, 'O' },
		{ "scenario", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct gen g = { .rng = 0x9e3779b97f4a7c15ULL, .now = EPOCH };
	const char *path = NULL, *scenario = "mixed";
	uint64_t frames = 1000;
	int c, err;

	while ((c = getopt_long(argc, argv, "o:f:n:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': path = optarg; break;
		case 'f': g.pcapng = !strcmp(optarg, "pcapng"); break;
		case 'n': frames = strtoull(optarg, NULL, 10); break;
		case 's': g.rng ^= strtoull(optarg, NULL, 10) * 0x100000001b3ULL; break;
		case 'P': g.partial = (unsigned)atoi(optarg); break;
		case 'B': g.bad = (unsigned)atoi(optarg); break;
		case 'O': g.offload = (unsigned)atoi(optarg); break;
		case 'S': scenario = optarg; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: fputs(usage_text, stderr); return 2;
		}
	}
	if (!path || g.partial + g.bad + g.offload > 100) {
		fputs(usage_text, stderr);
		return 2;
	}
	g.out = fopen(path, "wb");
	if (!g.out) {
		fprintf(stderr, "ndgen: %s: %s\n", path, strerror(errno));
		return 2;
	}
	if (g.pcapng) {
		err = nd_pcapng_writer_new(&g.ng, g.out);
	} else {
		g.dead = pcap_open_dead(DLT_EN10MB, 65535);
		g.dumper = pcap_dump_fopen(g.dead, g.out);
		err = g.dumper ? 0 : -EIO;
	}
	if (!err)
		err = !strcmp(scenario, "demo") ? demo(&g)
		      : !strcmp(scenario, "dns-flood") ? dns_flood(&g, frames)
		      : !strcmp(scenario, "realistic") ? (g.limit = frames, realistic(&g, frames))
		      : (g.limit = frames, mixed(&g, frames));
	if (g.pcapng) {
		if (nd_pcapng_writer_close(g.ng) && !err)
			err = -EIO;
		fclose(g.out);
	} else if (g.dumper) {
		pcap_dump_close(g.dumper);
		pcap_close(g.dead);
	}
	if (err) {
		fprintf(stderr, "ndgen: %s: %s\n", path, strerror(-err));
		return 1;
	}
	return 0;
}
