/* The DHCPv4 tracker's findings: dhcp4.no-offer, dhcp4.offer-ignored,
 * dhcp4.nak, dhcp4.no-ack, dhcp4.multiple-servers, dhcp4.lease (info). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netdiag/names.h>

#include "dhcp4_internal.h"

static const char *mac_str(const uint8_t *mac, char buf[18])
{
	nd_mac_format(mac, buf);
	return buf;
}

static struct nd_finding *client_finding(struct nd_findings *out, const struct client *c,
					 const char *id, enum nd_severity sev)
{
	struct nd_finding *fd = nd_findings_add(out, id, sev);
	char mac[24];

	if (!fd)
		return NULL;
	snprintf(fd->ifname, sizeof(fd->ifname), "%s", c->key.ifname);
	nd_finding_subject(fd, "client %s", mac_str(c->key.mac, mac));
	nd_finding_set_str(fd, "client", mac);
	fd->first = c->first;
	fd->last = c->last;
	return fd;
}

/* Servers that answered anyone on the client's capture point. */
static unsigned servers_on(struct nd_table *servers, const struct client *c)
{
	unsigned n = 0;

	for (uint32_t i = 0; i < servers->cap; i++) {
		const struct server *s = nd_table_slot(servers, i);

		n += s && !memcmp(s->key.ifname, c->key.ifname, sizeof(c->key.ifname));
	}
	return n;
}

int dhcp4_client_findings(struct nd_table *servers, const struct client *c,
			   struct nd_findings *out)
{
	char ip[INET_ADDRSTRLEN];
	struct nd_finding *fd;

	if (c->discovers >= MIN_UNANSWERED && !c->offers) {
		fd = client_finding(out, c, "dhcp4.no-offer", ND_SEV_ERROR);
		if (!fd)
			return -ENOMEM;
		fd->count = c->discovers;
		for (unsigned i = 0; i < c->nframes; i++)
			nd_finding_add_frame(fd, c->frames[i]);
		nd_finding_set_int(fd, "discovers", c->discovers);
		nd_finding_set_double(fd, "seconds", c->last - c->first);
		/* what a capture file cannot tell; a live check fills them in */
		nd_finding_set_str(fd, "served_here", "unknown");
		/* a server that answers others and not this client is another story */
		nd_finding_set_int(fd, "servers_seen", servers_on(servers, c));
		nd_finding_set_str(fd, "stops_at", "seen where captured");
		nd_finding_summary(fd, "%u DISCOVERs in %.1f s, no OFFER seen", c->discovers,
				   c->last - c->first);
	}
	/* Severity by consequence: a slow OFFER the client took cost it time,
	 * not the lease (dnsmasq's address check makes every first offer ~3 s
	 * late); one it never took is a warning. */
	if (c->offers && c->discovers && c->first_offer - c->first_discover > SLOW_OFFER) {
		fd = client_finding(out, c, "dhcp4.slow-offer",
				    c->offer_taken ? ND_SEV_INFO : ND_SEV_WARNING);
		if (!fd)
			return -ENOMEM;
		fd->count = c->offers;
		nd_finding_set_double(fd, "seconds", c->first_offer - c->first_discover);
		nd_finding_set_int(fd, "discovers_before", c->discovers_before_offer);
		nd_finding_set_str(fd, "taken", c->offer_taken ? "yes" : "no");
		nd_finding_summary(fd, "the first OFFER came %.1f s after the first DISCOVER "
				   "(%u DISCOVERs before it; a server's address check or STP "
				   "listening); %s", c->first_offer - c->first_discover,
				   c->discovers_before_offer,
				   c->offer_taken ? "the client took it"
				   : "the client took none: clients with short timeouts give up");
	}
	/* Repeats after an OFFER are not ignored offers when the client then
	 * took one: the OFFER crossed a retransmission already on its way. */
	if (c->ignored && !(c->ignored_type == ND_DHCP4_OFFER && c->offer_taken)) {
		fd = client_finding(out, c, "dhcp4.offer-ignored", ND_SEV_ERROR);
		if (!fd)
			return -ENOMEM;
		fd->count = c->ignored;
		for (unsigned i = 0; i < c->nignored; i++)
			nd_finding_add_frame(fd, c->ignored_frames[i]);
		nd_finding_set_str(fd, "reply", nd_dhcp4_type_name(c->ignored_type));
		nd_finding_set_csum(fd, "reply_checksum", &c->ignored_csum);
		{
			char src[INET_ADDRSTRLEN];

			nd_finding_set_str(fd, "src", inet_ntop(AF_INET, c->ignored_src, src,
								sizeof(src)));
		}
		nd_finding_summary(fd, "the client repeated itself %u times after an %s was sent to "
				   "it; the %s's UDP checksum was %s", c->ignored,
				   nd_dhcp4_type_name(c->ignored_type),
				   nd_dhcp4_type_name(c->ignored_type),
				   nd_csum_class_name(c->ignored_csum.cls));
	}
	if (c->naks) {
		fd = client_finding(out, c, "dhcp4.nak", ND_SEV_WARNING);
		if (!fd)
			return -ENOMEM;
		fd->count = c->naks;
		inet_ntop(AF_INET, c->nak_server, ip, sizeof(ip));
		nd_finding_set_str(fd, "server", ip);
		nd_finding_summary(fd, "server %s refused the client's REQUEST (NAK)", ip);
	}
	if (c->requests >= MIN_UNANSWERED && !c->acks && !c->naks) {
		fd = client_finding(out, c, "dhcp4.no-ack", ND_SEV_ERROR);
		if (!fd)
			return -ENOMEM;
		fd->count = c->requests;
		for (unsigned i = 0; i < c->nframes; i++)
			nd_finding_add_frame(fd, c->frames[i]);
		nd_finding_set_int(fd, "requests", c->requests);
		nd_finding_summary(fd, "%u REQUESTs, neither ACK nor NAK seen", c->requests);
	}
	if (c->ack_ts) {
		fd = client_finding(out, c, "dhcp4.lease", ND_SEV_INFO);
		if (!fd)
			return -ENOMEM;
		fd->count = c->acks;
		inet_ntop(AF_INET, c->yiaddr, ip, sizeof(ip));
		nd_finding_set_str(fd, "address", ip);
		inet_ntop(AF_INET, c->server, ip, sizeof(ip));
		nd_finding_set_str(fd, "server", ip);
		nd_finding_set_int(fd, "lease", c->lease);
		nd_finding_set_double(fd, "seconds", c->ack_ts - c->first);
		nd_finding_summary(fd, "lease of %s for %u s from %s, %.2f s after the first message",
				   nd_finding_field(fd, "address")->v.s, c->lease, ip,
				   c->ack_ts - c->first);
	}
	return 0;
}

/* More than one server answering on one capture point. */
int dhcp4_server_findings(struct dhcp4_tracker *dt, struct nd_findings *out)
{
	for (uint32_t i = 0; i < dt->servers.cap; i++) {
		struct server *s = nd_table_slot(&dt->servers, i);
		char list[ND_FIELD_STR_MAX] = "", ip[INET_ADDRSTRLEN];
		struct nd_finding *fd;
		unsigned n = 0;
		bool first = true;

		if (!s)
			continue;
		/* report each point once, from its first server in slot order */
		for (uint32_t k = 0; k < i && first; k++) {
			struct server *o = nd_table_slot(&dt->servers, k);

			first = !(o && !strcmp(o->key.ifname, s->key.ifname));
		}
		if (!first)
			continue;
		for (uint32_t k = i; k < dt->servers.cap; k++) {
			struct server *o = nd_table_slot(&dt->servers, k);
			size_t used = strlen(list);

			if (!o || strcmp(o->key.ifname, s->key.ifname))
				continue;
			inet_ntop(AF_INET, o->key.id, ip, sizeof(ip));
			snprintf(list + used, sizeof(list) - used, "%s%s", n ? "," : "", ip);
			n++;
		}
		if (n < 2)
			continue;
		fd = nd_findings_add(out, "dhcp4.multiple-servers", ND_SEV_WARNING);
		if (!fd)
			return -ENOMEM;
		snprintf(fd->ifname, sizeof(fd->ifname), "%s", s->key.ifname);
		fd->count = n;
		nd_finding_add_frame(fd, s->first_frame);
		nd_finding_set_int(fd, "servers", n);
		nd_finding_set_str(fd, "server_ids", list);
		nd_finding_subject(fd, "segment");
		nd_finding_summary(fd, "%u DHCP servers answer on this segment: %s", n, list);
	}
	return 0;
}

/* Points where evicted clients broadcast DISCOVERs and no server was
 * seen at all: one dhcp4.no-offer for the segment, with those still in
 * the table that were not said one by one (fewer than MIN_UNANSWERED
 * DISCOVERs each).  Where a server answered, evicted clients prove
 * nothing and nothing is said. */
int dhcp4_unoffered_findings(struct dhcp4_tracker *dt, struct nd_findings *out)
{
	for (unsigned k = 0; k < dt->nunoffered; k++) {
		struct unoffered u = dt->unoffered[k];
		uint64_t evicted = u.clients;
		struct nd_finding *fd;
		char who[64];
		bool served = false;

		for (uint32_t i = 0; i < dt->servers.cap && !served; i++) {
			const struct server *s = nd_table_slot(&dt->servers, i);

			served = s && !strncmp(s->key.ifname, u.ifname, sizeof(u.ifname));
		}
		for (uint32_t i = 0; i < dt->clients.cap; i++) {
			const struct client *c = nd_table_slot(&dt->clients, i);

			if (!c || strncmp(c->key.ifname, u.ifname, sizeof(u.ifname)) || c->offers ||
			    !c->discovers || c->discovers >= MIN_UNANSWERED)
				continue;
			u.clients++;
			u.discovers += c->discovers;
			u.last = c->last > u.last ? c->last : u.last;
		}
		if (served || u.discovers < MIN_UNANSWERED)
			continue;
		fd = nd_findings_add(out, "dhcp4.no-offer", ND_SEV_ERROR);
		if (!fd)
			return -ENOMEM;
		snprintf(fd->ifname, sizeof(fd->ifname), "%s", u.ifname);
		snprintf(who, sizeof(who), "%llu clients", (unsigned long long)u.clients);
		nd_finding_subject(fd, "%s", who);
		nd_finding_set_str(fd, "client", who);
		fd->count = u.discovers;
		fd->first = u.first;
		fd->last = u.last;
		if (u.first_frame)
			nd_finding_add_frame(fd, u.first_frame);
		nd_finding_set_int(fd, "discovers", (int64_t)u.discovers);
		nd_finding_set_int(fd, "clients", (int64_t)u.clients);
		nd_finding_set_int(fd, "clients_evicted", (int64_t)evicted);
		nd_finding_set_double(fd, "seconds", u.last - u.first);
		nd_finding_set_str(fd, "served_here", "unknown");
		nd_finding_set_int(fd, "servers_seen", 0);
		nd_finding_set_str(fd, "stops_at", "seen where captured");
		nd_finding_summary(fd, "%llu DISCOVERs from %llu clients in %.1f s, no OFFER seen "
				   "(%llu clients followed only in aggregate: table full)",
				   (unsigned long long)u.discovers, (unsigned long long)u.clients,
				   u.last - u.first, (unsigned long long)evicted);
	}
	return 0;
}
