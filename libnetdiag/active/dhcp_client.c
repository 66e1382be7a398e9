/* The probe's DHCPv4 client: DISCOVER to ACK over a packet socket on the
 * probe port, retransmitting like a patient client and watching what the
 * bridge does with the new port meanwhile. */
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
#include <unistd.h>

#include <netdiag/build.h>
#include <netdiag/dhcp4.h>
#include <netdiag/host.h>

#include "active/active_internal.h"

#define DHCP_SERVER_PORT 67
#define DHCP_CLIENT_PORT 68
#define BOOTP_LEN 236
#define MAX_FRAME 1600
/* while the port is held back, look at its state this often */
#define PORT_STATE_EVERY 0.05
/* a port held back this long counts as a reason for a slow OFFER */
#define PORT_WAIT_NOTABLE 0.5
/* dnsmasq without no-ping pings an address for PING_WAIT (3 s) before it
 * first offers it; its clock has whole seconds, so the wait may look a
 * little shorter */
#define SERVER_CHECK_MIN 2.5

size_t active_dhcp_message(uint8_t *p, uint8_t type, const struct nd_active_port *port,
			   const struct active_lease *l)
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

static int send_dhcp(int fd, const struct nd_active_port *port, uint8_t type,
		     const struct active_lease *l)
{
	struct nd_build_spec s = { .l4proto = IPPROTO_UDP, .sport = DHCP_CLIENT_PORT,
				   .dport = DHCP_SERVER_PORT };
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_halen = 6 };
	uint8_t msg[400], frame[MAX_FRAME];
	size_t flen;
	int ret;

	s.payload = msg;
	s.payload_len = active_dhcp_message(msg, type, port, l);
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

/* One frame from the socket: a server reply for our xid and MAC, or -EAGAIN. */
static int recv_reply(int fd, const struct nd_active_port *port, const struct active_lease *l,
		      struct nd_dhcp4 *d)
{
	uint8_t frame[MAX_FRAME];
	struct nd_frame f;
	ssize_t n = recv(fd, frame, sizeof(frame), MSG_DONTWAIT);

	if (n <= 0)
		return -EAGAIN;
	if (nd_frame_decode(&f, ND_LINK_ETHERNET, frame, (size_t)n, (size_t)n, 0) ||
	    f.l4proto != IPPROTO_UDP || f.sport != DHCP_SERVER_PORT ||
	    nd_dhcp4_parse(d, f.payload) || d->xid != l->xid || memcmp(d->chaddr, port->probe_mac, 6))
		return -EAGAIN;
	return 0;
}

static void take_offer(struct active_lease *l, const struct nd_dhcp4 *d)
{
	memcpy(l->yiaddr, d->yiaddr, 4);
	if (d->has_server_id)
		memcpy(l->server, d->server_id, 4);
	if (d->has_mask)
		memcpy(l->mask, d->mask, 4);
	if (d->ndns) {
		memcpy(l->dns, d->dns[0], 4);
		l->have_dns = true;
	}
}

static int open_socket(const struct nd_active_port *port)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP),
				   .sll_ifindex = port->probe_ifindex };
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_IP));

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	return fd;
}

/* Follow the port state since the last look; true when the port has just
 * turned forwarding after being held back. */
static bool watch_port(const struct nd_active_port *port, struct active_lease *l, double *last,
		       double now)
{
	int was = l->port_state, state = nd_active_port_state(port);

	/* listening and learning: STP's forward delay; blocking: a loop */
	if (was > ND_PORT_DISABLED && was != ND_PORT_FORWARDING) {
		l->port_wait_s += now - *last;
		l->states_seen |= 1u << was;
	}
	*last = now;
	l->port_state = state;
	return state == ND_PORT_FORWARDING && was >= 0 && was != ND_PORT_FORWARDING;
}

int active_dhcp_exchange(const struct nd_active_port *port, double deadline, struct active_lease *l)
{
	double opened = nd_mono_s(), start = opened, last_look, fwd_discover = -1;
	struct active_retry retry;
	int fd, ret = -ETIMEDOUT;

	fd = open_socket(port);
	if (fd < 0)
		return fd;
	l->xid = (uint32_t)rand() ^ (uint32_t)getpid();
	l->stage = ACTIVE_NO_OFFER;
	l->server_s = -1;
	/* the clock starts once the bridge has the port: a new port stays
	 * disabled until the kernel's linkwatch passes on its carrier (up to
	 * 1 s), an artefact of making it, not something a server does */
	while ((l->port_state = nd_active_port_state(port)) == ND_PORT_DISABLED &&
	       start + PORT_STATE_EVERY < deadline) {
		poll(NULL, 0, (int)(PORT_STATE_EVERY * 1000));
		start = nd_mono_s();
	}
	l->carrier_s = start - opened;
	last_look = start;
	active_retry_start(&retry, start);
	for (;;) {
		double now = nd_mono_s(), wait;
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct nd_dhcp4 d;

		if (now >= deadline)
			break;
		/* the port just opened: a new DISCOVER at once and the short
		 * waits again, the earlier ones went nowhere */
		if (watch_port(port, l, &last_look, now) && l->stage == ACTIVE_NO_OFFER)
			active_retry_start(&retry, now);
		if (active_retry_due(&retry, now)) {
			bool discover = l->stage == ACTIVE_NO_OFFER;

			ret = send_dhcp(fd, port, discover ? ND_DHCP4_DISCOVER : ND_DHCP4_REQUEST, l);
			if (ret)
				goto out;
			ret = -ETIMEDOUT;
			if (!discover) {
				l->requests++;
			} else {
				l->discovers++;
				if (fwd_discover < 0 && (l->port_state == ND_PORT_FORWARDING ||
							 l->port_state < 0))
					fwd_discover = now;
			}
		}
		wait = (retry.next < deadline ? retry.next : deadline) - now;
		if (l->port_state >= 0 && l->port_state != ND_PORT_FORWARDING && wait > PORT_STATE_EVERY)
			wait = PORT_STATE_EVERY;
		if (poll(&pfd, 1, (int)(wait * 1000) + 1) <= 0)
			continue;
		while (!recv_reply(fd, port, l, &d)) {
			now = nd_mono_s();
			if (d.type == ND_DHCP4_NAK) {
				l->stage = ACTIVE_NAK;
				ret = -EACCES;
				goto out;
			}
			if (l->stage == ACTIVE_NO_OFFER && d.type == ND_DHCP4_OFFER) {
				take_offer(l, &d);
				l->stage = ACTIVE_NO_ACK;
				l->offer_s = now - start;
				if (fwd_discover >= 0)
					l->server_s = now - fwd_discover;
				active_retry_start(&retry, now);
			} else if (l->stage == ACTIVE_NO_ACK && d.type == ND_DHCP4_ACK) {
				take_offer(l, &d);
				l->stage = ACTIVE_LEASED;
				ret = 0;
				goto out;
			}
		}
	}
out:
	l->seconds = nd_mono_s() - start;
	close(fd);
	return ret;
}

static bool held_by_stp(const struct active_lease *l)
{
	return l->port_wait_s >= PORT_WAIT_NOTABLE;
}

static bool server_checked(const struct active_lease *l)
{
	return l->server_s >= SERVER_CHECK_MIN;
}

static const struct {
	const char *name;
	bool (*applies)(const struct active_lease *l);
} slow_reasons[] = {
	{ "stp-forward-delay", held_by_stp },
	{ "server-address-check", server_checked },
};

void active_slow_reason(const struct active_lease *l, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = 0;
	if (l->stage < ACTIVE_NO_ACK || l->stage == ACTIVE_NAK || l->offer_s < ACTIVE_OFFER_SLOW)
		return;
	for (size_t i = 0; i < sizeof(slow_reasons) / sizeof(slow_reasons[0]); i++)
		if (slow_reasons[i].applies(l) && n < len)
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "," : "",
					      slow_reasons[i].name);
	if (!buf[0])
		snprintf(buf, len, "unknown");
}
