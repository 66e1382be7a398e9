/* The active probe: DHCPv4 and DNS from a probe port, as a new guest on
 * the bridge would do them. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <netdiag/names.h>
#include <netdiag/active.h>
#include <netdiag/dhcp4.h>
#include <netdiag/dns.h>
#include <netdiag/host.h>
#include <netdiag/rtnl.h>

#include "active/active_internal.h"

#define DHCP_SERVER_PORT 67
#define DHCP_CLIENT_PORT 68
#define DNS_PORT 53
/* a lease that came late still gets this long for the lookup */
#define DNS_MIN_WAIT 2.0

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

struct dns_result {
	int rcode;          /* or negative errno: -ETIMEDOUT when no answer */
	double ms;          /* first query to the answer */
	unsigned queries;
	char answers[ND_FIELD_STR_MAX]; /* the A records, comma-joined */
};

#define ACTIVE_NAMES_MAX 8

static size_t dns_message(uint8_t *q, size_t cap, uint16_t id, const char *name)
{
	bool root = !name || !strcmp(name, ".");
	size_t n = 12;

	memset(q, 0, 12);
	q[0] = (uint8_t)(id >> 8);
	q[1] = (uint8_t)id;
	q[2] = 0x01;                    /* RD */
	q[5] = 1;
	for (const char *p = root ? "" : name; *p && n < cap - 70;) {
		size_t len = strcspn(p, ".");

		if (len > 63 || !len)
			return 0;
		q[n++] = (uint8_t)len;
		memcpy(q + n, p, len);
		n += len;
		p += len + (p[len] == '.');
	}
	q[n++] = 0;
	q[n++] = 0; q[n++] = root ? 2 : 1;  /* NS for the root, else A */
	q[n++] = 0; q[n++] = 1;
	return n;
}

/* The query over a UDP socket from the leased address, repeated (same id
 * and port, as glibc does) on the probe's schedule until an answer or the
 * deadline. */
static int dns_lookup(const struct active_lease *l, const char *name, double deadline,
		      struct dns_result *res)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(DNS_PORT) };
	uint8_t q[300], r[1500];
	uint16_t id = (uint16_t)rand();
	size_t n = dns_message(q, sizeof(q), id, name);
	struct active_retry retry;
	double t0 = nd_mono_s();
	int fd, ret = 0;

	res->rcode = -ETIMEDOUT;
	if (!n)
		return -EINVAL;
	memcpy(&to.sin_addr, l->dns, 4);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	active_retry_start(&retry, t0);
	for (double now = t0; now < deadline; now = nd_mono_s()) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		double wait;
		struct nd_dns d;
		struct nd_cur c;
		ssize_t got;

		if (active_retry_due(&retry, now)) {
			if (sendto(fd, q, n, 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
				ret = -errno;
				goto out;
			}
			res->queries++;
		}
		wait = (retry.next < deadline ? retry.next : deadline) - now;
		if (poll(&p, 1, (int)(wait * 1000) + 1) <= 0)
			continue;
		got = recv(fd, r, sizeof(r), MSG_DONTWAIT);
		if (got < 12)
			continue;
		nd_cur_init(&c, r, (size_t)got);
		if (nd_dns_parse(&d, c) || d.id != id || !d.qr)
			continue;
		res->ms = (nd_mono_s() - t0) * 1000;
		res->rcode = d.rcode;
		for (unsigned i = 0, used = 0; i < d.n_a && used < sizeof(res->answers); i++) {
			char ip[INET_ADDRSTRLEN];

			inet_ntop(AF_INET, d.a[i], ip, sizeof(ip));
			used += (unsigned)snprintf(res->answers + used, sizeof(res->answers) - used,
						   "%s%s", i ? "," : "", ip);
		}
		break;
	}
out:
	close(fd);
	return ret;
}

static void release(const struct nd_active_port *port, const struct active_lease *l)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(DHCP_SERVER_PORT) };
	struct sockaddr_in from = { .sin_family = AF_INET, .sin_port = htons(DHCP_CLIENT_PORT) };
	uint8_t msg[400];
	size_t n = active_dhcp_message(msg, ND_DHCP4_RELEASE, port, l);
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

/* "listening,learning": the states the port was held in */
static void states_text(unsigned seen, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = 0;
	for (int s = ND_PORT_DISABLED; s <= ND_PORT_BLOCKING && n < len; s++)
		if (seen & 1u << s)
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "," : "",
					      nd_port_state_name(s));
}

/* what the exchange got to, for active.no-lease */
static const char *const stage_seen[] = {
	[ACTIVE_NO_OFFER] = "no OFFER",
	[ACTIVE_NO_ACK] = "OFFER but no ACK",
	[ACTIVE_NAK] = "NAK",
};

static int report_no_lease(struct nd_findings *out, const char *bridge, const struct active_lease *l,
			   double budget)
{
	struct nd_finding *f = nd_findings_add(out, "active.no-lease", ND_SEV_ERROR);
	char held[64];

	if (!f)
		return -ENOMEM;
	snprintf(f->ifname, sizeof(f->ifname), "%s", bridge);
	nd_finding_set_str(f, "seen", stage_seen[l->stage]);
	nd_finding_set_int(f, "discovers", l->discovers);
	nd_finding_set_int(f, "requests", l->requests);
	nd_finding_set_double(f, "timeout", budget);
	if (l->stage != ACTIVE_NO_OFFER)
		nd_finding_set_double(f, "offer_seconds", l->offer_s);
	if (l->port_state >= 0)
		nd_finding_set_str(f, "port_state", nd_port_state_name(l->port_state));
	states_text(l->states_seen, held, sizeof(held));
	if (held[0]) {
		nd_finding_set_str(f, "port_held", held);
		nd_finding_set_double(f, "port_wait_seconds", l->port_wait_s);
	}
	if (l->stage == ACTIVE_NAK)
		nd_finding_summary(f, "a new port on %s got no DHCP lease: the server said NAK", bridge);
	else if (l->port_state >= 0 && l->port_state != ND_PORT_FORWARDING)
		nd_finding_summary(f, "a new port on %s got no DHCP lease in %g s: the bridge still "
				   "had the port %s", bridge, budget, nd_port_state_name(l->port_state));
	else
		nd_finding_summary(f, "a new port on %s got no DHCP lease in %g s (%s after %u "
				   "DISCOVERs, %u REQUESTs)", bridge, budget, stage_seen[l->stage],
				   l->discovers, l->requests);
	return 0;
}

/* The OFFER's delay in words, for the lease summary */
static void slow_text(const struct active_lease *l, const char *reason, char *buf, size_t len)
{
	bool stp = strstr(reason, "stp-forward-delay");
	size_t n;

	n = (size_t)snprintf(buf, len, "; the OFFER took %.1f s:", l->offer_s);
	if (stp && n < len)
		n += (size_t)snprintf(buf + n, len - n, " STP held the port %.1f s (listening, learning)",
				      l->port_wait_s);
	if (strstr(reason, "server-address-check") && n < len)
		n += (size_t)snprintf(buf + n, len - n, "%s the server checked the address %.1f s "
				      "(dnsmasq pings it first)", stp ? ", then" : "", l->server_s);
	if (!strcmp(reason, "unknown") && n < len)
		snprintf(buf + n, len - n, " %u DISCOVERs", l->discovers);
}

static int report_lease(struct nd_findings *out, const char *bridge, const uint8_t mac[6],
			const struct active_lease *l)
{
	char ip[INET_ADDRSTRLEN], mac_text[18], reason[64], held[64], slow[192] = "";
	struct nd_finding *f;

	f = nd_findings_add(out, "active.lease", ND_SEV_INFO);
	if (!f)
		return -ENOMEM;
	snprintf(f->ifname, sizeof(f->ifname), "%s", bridge);
	ip_text(l->yiaddr, ip, sizeof(ip));
	nd_finding_set_str(f, "address", ip);
	ip_text(l->server, ip, sizeof(ip));
	nd_finding_set_str(f, "server", ip);
	nd_finding_set_double(f, "seconds", l->seconds);
	nd_finding_set_double(f, "offer_seconds", l->offer_s);
	nd_finding_set_int(f, "discovers", l->discovers);
	nd_finding_set_int(f, "requests", l->requests);
	nd_mac_format(mac, mac_text);
	nd_finding_set_str(f, "mac", mac_text);
	states_text(l->states_seen, held, sizeof(held));
	if (held[0]) {
		nd_finding_set_str(f, "port_held", held);
		nd_finding_set_double(f, "port_wait_seconds", l->port_wait_s);
	}
	if (l->server_s >= 0)
		nd_finding_set_double(f, "server_seconds", l->server_s);
	active_slow_reason(l, reason, sizeof(reason));
	if (reason[0]) {
		nd_finding_set_str(f, "slow_reason", reason);
		slow_text(l, reason, slow, sizeof(slow));
	}
	nd_finding_summary(f, "a new port on %s got %s from %s in %.2f s%s", bridge,
			   nd_finding_field(f, "address")->v.s, ip, l->seconds, slow);
	return 0;
}

static int report_dns(struct nd_findings *out, const char *bridge, const struct active_lease *l,
		      const struct dns_result *r, const char *name)
{
	bool answered = r->rcode >= 0;
	char ip[INET_ADDRSTRLEN];
	struct nd_finding *f;

	ip_text(l->dns, ip, sizeof(ip));
	f = nd_findings_add(out, answered ? "active.dns-answer" : "active.dns-no-answer",
			    answered ? ND_SEV_INFO : ND_SEV_ERROR);
	if (!f)
		return -ENOMEM;
	snprintf(f->ifname, sizeof(f->ifname), "%s", bridge);
	nd_finding_set_str(f, "resolver", ip);
	nd_finding_set_str(f, "name", name ? name : ".");
	nd_finding_set_int(f, "queries", r->queries);
	if (!answered) {
		nd_finding_summary(f, "the offered resolver %s did not answer %u queries", ip,
				   r->queries);
		return 0;
	}
	nd_finding_set_str(f, "rcode", nd_dns_rcode_name((uint16_t)r->rcode));
	nd_finding_set_double(f, "ms", r->ms);
	nd_finding_set_str(f, "answers", r->answers);
	nd_finding_summary(f, "resolver %s answered %s in %.1f ms", ip,
			   nd_dns_rcode_name((uint16_t)r->rcode), r->ms);
	return 0;
}

int nd_active_probe(const struct nd_active_opts *o, struct nd_findings *out, char *err, size_t errlen)
{
	double budget = o->timeout > 0 ? o->timeout : ND_ACTIVE_TIMEOUT, deadline;
	struct dns_result dns[ACTIVE_NAMES_MAX];
	char names[ACTIVE_NAMES_MAX][ND_DNS_NAME_MAX];
	unsigned nnames = 0;
	struct active_lease l = { 0 };
	struct nd_active_port port;
	int ret, dhcp_ret;

	/* resolve: one name, or several comma-separated, each its own lookup */
	for (const char *p = o->resolve; p && *p && nnames < ACTIVE_NAMES_MAX;) {
		size_t n = strcspn(p, ",");

		snprintf(names[nnames++], ND_DNS_NAME_MAX, "%.*s", (int)n, p);
		p += n + (p[n] == ',');
	}
	if (!nnames)
		snprintf(names[nnames++], ND_DNS_NAME_MAX, ".");
	for (unsigned i = 0; i < nnames; i++)
		dns[i] = (struct dns_result){ .rcode = -ETIMEDOUT };
	srand((unsigned)(nd_mono_s() * 1e6));
	ret = nd_active_port_open(&port, o->bridge);
	if (ret) {
		snprintf(err, errlen, "%s: %s", o->bridge, ret == -ENODEV ? "no such device"
			 : ret == -EINVAL ? "not a bridge" : strerror(-ret));
		return ret;
	}
	deadline = nd_mono_s() + budget;
	ret = nd_active_port_enter(&port);
	if (ret)
		goto out;
	dhcp_ret = active_dhcp_exchange(&port, deadline, &l);
	if (!dhcp_ret) {
		char addr[32], ip[INET_ADDRSTRLEN];
		double now = nd_mono_s();

		ip_text(l.yiaddr, ip, sizeof(ip));
		snprintf(addr, sizeof(addr), "%s/%u", ip, prefix_len(l.mask));
		if (deadline < now + DNS_MIN_WAIT)
			deadline = now + DNS_MIN_WAIT;
		if (!nd_addr_change(true, addr, port.probe_if) && l.have_dns)
			for (unsigned i = 0; i < nnames && !ret; i++) {
				ret = dns_lookup(&l, names[i], deadline, &dns[i]);
				if (ret == -EINVAL)
					snprintf(err, errlen, "%s: not a name to look up", names[i]);
				/* each later name gets its own short budget */
				if (deadline < nd_mono_s() + DNS_MIN_WAIT)
					deadline = nd_mono_s() + DNS_MIN_WAIT;
			}
		release(&port, &l);
	} else if (dhcp_ret != -ETIMEDOUT && dhcp_ret != -EACCES) {
		ret = dhcp_ret;
	}
	nd_active_port_leave(&port);
	if (ret)
		goto out;
	if (dhcp_ret)
		ret = report_no_lease(out, o->bridge, &l, budget);
	else
		ret = report_lease(out, o->bridge, port.probe_mac, &l);
	for (unsigned i = 0; i < nnames && !ret && !dhcp_ret && l.have_dns; i++)
		ret = report_dns(out, o->bridge, &l, &dns[i], names[i]);
out:
	nd_active_port_close(&port);
	if (ret && !err[0])
		snprintf(err, errlen, "%s: %s", o->bridge, strerror(-ret));
	return ret;
}
