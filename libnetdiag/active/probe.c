/* The active probe: DHCPv4 and DNS from a probe port, as a new guest on
 * the bridge would do them. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <netdiag/active.h>
#include <netdiag/build.h>
#include <netdiag/dhcp4.h>
#include <netdiag/dns.h>
#include <netdiag/rtnl.h>

#define DHCP_SERVER_PORT 67
#define DHCP_CLIENT_PORT 68
#define DNS_PORT 53
#define BOOTP_LEN 236
#define MAX_FRAME 1600

struct lease {
	uint32_t xid;
	uint8_t yiaddr[4], server[4], mask[4], dns[4];
	bool have_dns;
	double seconds;
};

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t dhcp_message(uint8_t *p, uint8_t type, const struct nd_probe_port *port,
			   const struct lease *l)
{
	size_t n = BOOTP_LEN;

	memset(p, 0, BOOTP_LEN);
	p[0] = 1;                       /* BOOTREQUEST */
	p[1] = 1;
	p[2] = 6;
	p[4] = (uint8_t)(l->xid >> 24); p[5] = (uint8_t)(l->xid >> 16);
	p[6] = (uint8_t)(l->xid >> 8); p[7] = (uint8_t)l->xid;
	p[10] = 0x80;                   /* broadcast flag: we have no address yet */
	if (type == ND_DHCP4_RELEASE)
		memcpy(p + 12, l->yiaddr, 4);
	memcpy(p + 28, port->probe_mac, 6);
	p[n++] = 0x63; p[n++] = 0x82; p[n++] = 0x53; p[n++] = 0x63;
	p[n++] = 53; p[n++] = 1; p[n++] = type;
	if (type == ND_DHCP4_REQUEST) {
		p[n++] = 50; p[n++] = 4; memcpy(p + n, l->yiaddr, 4); n += 4;
	}
	if (type == ND_DHCP4_REQUEST || type == ND_DHCP4_RELEASE) {
		p[n++] = 54; p[n++] = 4; memcpy(p + n, l->server, 4); n += 4;
	}
	p[n++] = 55; p[n++] = 3; p[n++] = 1; p[n++] = 3; p[n++] = 6;
	p[n++] = 255;
	return n;
}

static int send_dhcp(int fd, const struct nd_probe_port *port, uint8_t type, const struct lease *l)
{
	struct nd_build_spec s = { .l4proto = IPPROTO_UDP, .sport = DHCP_CLIENT_PORT,
				   .dport = DHCP_SERVER_PORT };
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_halen = 6 };
	uint8_t msg[400], frame[MAX_FRAME];
	size_t flen;
	int ret;

	s.payload = msg;
	s.payload_len = dhcp_message(msg, type, port, l);
	memcpy(s.src_mac, port->probe_mac, 6);
	memset(s.dst_mac, 0xff, 6);
	nd_addr_parse(&s.src, "0.0.0.0");
	nd_addr_parse(&s.dst, "255.255.255.255");
	ret = nd_build_frame(frame, sizeof(frame), &s, &flen);
	if (ret)
		return ret;
	to.sll_ifindex = port->probe_ifindex;
	to.sll_protocol = htons(ETH_P_IP);
	memset(to.sll_addr, 0xff, 6);
	return sendto(fd, frame, flen, 0, (struct sockaddr *)&to, sizeof(to)) < 0 ? -errno : 0;
}

/* Wait for a server reply of `want` type for our xid. */
static int wait_dhcp(int fd, const struct nd_probe_port *port, struct lease *l, uint8_t want,
		     double deadline)
{
	uint8_t frame[MAX_FRAME];

	for (;;) {
		double left = deadline - mono();
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct nd_dhcp4 d;
		struct nd_frame f;
		ssize_t n;

		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&p, 1, (int)(left * 1000) + 1) <= 0)
			continue;
		n = recv(fd, frame, sizeof(frame), 0);
		if (n <= 0)
			continue;
		if (nd_frame_decode(&f, ND_LINK_ETHERNET, frame, (size_t)n, (size_t)n, 0) ||
		    f.l4proto != IPPROTO_UDP || f.sport != DHCP_SERVER_PORT ||
		    nd_dhcp4_parse(&d, f.payload) || d.xid != l->xid ||
		    memcmp(d.chaddr, port->probe_mac, 6))
			continue;
		if (d.type == ND_DHCP4_NAK)
			return -EACCES;
		if (d.type != want)
			continue;
		memcpy(l->yiaddr, d.yiaddr, 4);
		if (d.has_server_id)
			memcpy(l->server, d.server_id, 4);
		if (d.has_mask)
			memcpy(l->mask, d.mask, 4);
		if (d.ndns) {
			memcpy(l->dns, d.dns[0], 4);
			l->have_dns = true;
		}
		return 0;
	}
}

static int dhcp_exchange(const struct nd_probe_port *port, struct lease *l, double step)
{
	double start = mono();
	int fd, ret;

	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_IP));
	if (fd < 0)
		return -errno;
	{
		struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP),
					   .sll_ifindex = port->probe_ifindex };

		if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
			ret = -errno;
			goto out;
		}
	}
	l->xid = (uint32_t)rand() ^ (uint32_t)getpid();
	ret = send_dhcp(fd, port, ND_DHCP4_DISCOVER, l);
	if (!ret)
		ret = wait_dhcp(fd, port, l, ND_DHCP4_OFFER, mono() + step);
	if (!ret)
		ret = send_dhcp(fd, port, ND_DHCP4_REQUEST, l);
	if (!ret)
		ret = wait_dhcp(fd, port, l, ND_DHCP4_ACK, mono() + step);
	l->seconds = mono() - start;
out:
	close(fd);
	return ret;
}

static unsigned prefix_len(const uint8_t mask[4])
{
	uint32_t m = (uint32_t)mask[0] << 24 | (uint32_t)mask[1] << 16 | (uint32_t)mask[2] << 8 | mask[3];
	unsigned n = 0;

	while (m & 0x80000000u) {
		n++;
		m <<= 1;
	}
	return n ? n : 24;
}

/* One query over a UDP socket from the leased address; returns the rcode. */
static int dns_query(const struct lease *l, const char *name, double step, double *ms)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(DNS_PORT) };
	uint8_t q[300], r[1500];
	size_t n = 12;
	double t0 = mono();
	int fd, ret = -ETIMEDOUT;
	uint16_t id = (uint16_t)rand();

	memset(q, 0, 12);
	q[0] = (uint8_t)(id >> 8);
	q[1] = (uint8_t)id;
	q[2] = 0x01;                    /* RD */
	q[5] = 1;
	if (name && strcmp(name, ".")) {
		const char *p = name;

		while (*p && n < sizeof(q) - 70) {
			size_t len = strcspn(p, ".");

			if (len > 63)
				return -EINVAL;
			q[n++] = (uint8_t)len;
			memcpy(q + n, p, len);
			n += len;
			p += len + (p[len] == '.');
		}
	}
	q[n++] = 0;
	q[n++] = 0; q[n++] = name && strcmp(name, ".") ? 1 : 2;  /* A, or NS for the root */
	q[n++] = 0; q[n++] = 1;
	memcpy(&to.sin_addr, l->dns, 4);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (sendto(fd, q, n, 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
		ret = -errno;
		goto out;
	}
	while (mono() - t0 < step) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct nd_dns d;
		struct nd_cur c;
		ssize_t got;

		if (poll(&p, 1, (int)((step - (mono() - t0)) * 1000) + 1) <= 0)
			continue;
		got = recv(fd, r, sizeof(r), 0);
		if (got < 12)
			continue;
		nd_cur_init(&c, r, (size_t)got);
		nd_dns_parse(&d, c);
		if (d.id != id || !d.qr)
			continue;
		*ms = (mono() - t0) * 1000;
		ret = d.rcode;
		break;
	}
out:
	close(fd);
	return ret;
}

static void release(const struct nd_probe_port *port, const struct lease *l)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(DHCP_SERVER_PORT) };
	struct sockaddr_in from = { .sin_family = AF_INET, .sin_port = htons(DHCP_CLIENT_PORT) };
	uint8_t msg[400];
	size_t n = dhcp_message(msg, ND_DHCP4_RELEASE, port, l);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return;
	memcpy(&to.sin_addr, l->server, 4);
	memcpy(&from.sin_addr, l->yiaddr, 4);
	msg[10] = 0;  /* a RELEASE is unicast, no broadcast flag */
	if (!bind(fd, (struct sockaddr *)&from, sizeof(from)))
		sendto(fd, msg, n, 0, (struct sockaddr *)&to, sizeof(to));
	close(fd);
}

static void ip_text(const uint8_t a[4], char *buf, size_t len)
{
	inet_ntop(AF_INET, a, buf, (socklen_t)len);
}

static int report(struct nd_findings *out, const char *bridge, const uint8_t mac[6], int dhcp_ret,
		  const struct lease *l, int dns_ret, double dns_ms, const char *name)
{
	char ip[INET_ADDRSTRLEN], mac_text[18];
	struct nd_finding *f;

	if (dhcp_ret) {
		f = nd_findings_add(out, "active.no-lease", ND_SEV_ERROR);
		if (!f)
			return -ENOMEM;
		snprintf(f->ifname, sizeof(f->ifname), "%s", bridge);
		nd_finding_set_str(f, "reason", dhcp_ret == -EACCES ? "NAK" : "no answer");
		nd_finding_summary(f, "a new port on %s got no DHCP lease (%s)", bridge,
				   dhcp_ret == -EACCES ? "the server said NAK" : "no OFFER or ACK in time");
		return 0;
	}
	f = nd_findings_add(out, "active.lease", ND_SEV_INFO);
	if (!f)
		return -ENOMEM;
	snprintf(f->ifname, sizeof(f->ifname), "%s", bridge);
	ip_text(l->yiaddr, ip, sizeof(ip));
	nd_finding_set_str(f, "address", ip);
	ip_text(l->server, ip, sizeof(ip));
	nd_finding_set_str(f, "server", ip);
	nd_finding_set_double(f, "seconds", l->seconds);
	snprintf(mac_text, sizeof(mac_text), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
		 mac[2], mac[3], mac[4], mac[5]);
	nd_finding_set_str(f, "mac", mac_text);
	nd_finding_summary(f, "a new port on %s got %s from %s in %.2f s", bridge,
			   nd_finding_field(f, "address")->v.s, ip, l->seconds);
	if (!l->have_dns)
		return 0;
	ip_text(l->dns, ip, sizeof(ip));
	f = nd_findings_add(out, dns_ret < 0 ? "active.dns-no-answer" : "active.dns-answer",
			    dns_ret < 0 ? ND_SEV_ERROR : ND_SEV_INFO);
	if (!f)
		return -ENOMEM;
	snprintf(f->ifname, sizeof(f->ifname), "%s", bridge);
	nd_finding_set_str(f, "resolver", ip);
	nd_finding_set_str(f, "name", name ? name : ".");
	if (dns_ret < 0) {
		nd_finding_summary(f, "the offered resolver %s did not answer", ip);
	} else {
		nd_finding_set_str(f, "rcode", nd_dns_rcode_name((uint16_t)dns_ret));
		nd_finding_set_double(f, "ms", dns_ms);
		nd_finding_summary(f, "resolver %s answered %s in %.1f ms", ip,
				   nd_dns_rcode_name((uint16_t)dns_ret), dns_ms);
	}
	return 0;
}

int nd_active_probe(const struct nd_active_opts *o, struct nd_findings *out, char *err, size_t errlen)
{
	double step = o->timeout > 0 ? o->timeout : 2.0, dns_ms = 0;
	struct nd_probe_port port;
	struct lease l = { 0 };
	int ret, dhcp_ret, dns_ret = -ETIMEDOUT;

	srand((unsigned)(mono() * 1e6));
	ret = nd_probe_port_open(&port, o->bridge);
	if (ret) {
		snprintf(err, errlen, "%s: %s", o->bridge, ret == -ENODEV ? "no such device"
			 : ret == -EINVAL ? "not a bridge" : strerror(-ret));
		return ret;
	}
	ret = nd_probe_port_enter(&port);
	if (ret)
		goto out;
	dhcp_ret = dhcp_exchange(&port, &l, step);
	if (!dhcp_ret) {
		char addr[32], ip[INET_ADDRSTRLEN];

		ip_text(l.yiaddr, ip, sizeof(ip));
		snprintf(addr, sizeof(addr), "%s/%u", ip, prefix_len(l.mask));
		if (!nd_addr_change(true, addr, port.probe_if) && l.have_dns)
			dns_ret = dns_query(&l, o->resolve, step, &dns_ms);
		release(&port, &l);
	}
	nd_probe_port_leave(&port);
	ret = report(out, o->bridge, port.probe_mac, dhcp_ret, &l, dns_ret, dns_ms, o->resolve);
out:
	nd_probe_port_close(&port);
	if (ret && !err[0])
		snprintf(err, errlen, "%s: %s", o->bridge, strerror(-ret));
	return ret;
}
