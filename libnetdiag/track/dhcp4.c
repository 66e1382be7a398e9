/* The DHCPv4 tracker: one entry per (capture point, client MAC), one per
 * (capture point, server).  Findings: dhcp4.no-offer, dhcp4.offer-ignored,
 * dhcp4.nak, dhcp4.no-ack, dhcp4.multiple-servers, dhcp4.lease (info). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netdiag/names.h>
#include <netdiag/dhcp4.h>

#include "table.h"
#include "track_internal.h"

#define DHCP_SERVER_PORT 67
#define DHCP_CLIENT_PORT 68
#define DHCP4_DEFAULT_CAP 4096
#define DHCP4_SERVERS_MAX 64
#define RETRY_WINDOW 30.0   /* a repeat this soon after a reply means it was dropped */
#define MIN_UNANSWERED 2    /* DISCOVERs / REQUESTs before "no answer" is said */
/* Clients retransmit after about 1 to 4 s (RFC 2131 4.1: 4 s, randomised;
 * busybox udhcpc: 3 tries 3 s apart by default, often 1 s in images): an
 * OFFER later than this may come after the client gave up.  dnsmasq's
 * ICMP check of the address and STP listening/learning cause it. */
#define SLOW_OFFER 2.0

struct client_key {
	char ifname[32];
	uint8_t mac[6];
	uint8_t pad[2];
};

struct client {
	struct client_key key;
	uint32_t discovers, requests, offers, acks, naks, declines;
	uint32_t discovers_before_offer;
	double first, last;
	double first_discover, first_offer;
	bool offer_taken;             /* a REQUEST followed an OFFER: the client took one */
	uint8_t pending_reply;        /* OFFER or ACK seen, no client message since */
	double pending_ts;
	struct nd_csum pending_csum;
	uint8_t pending_src[4];       /* the reply's IP source */
	uint32_t ignored;
	uint8_t ignored_type, ignored_src[4];
	struct nd_csum ignored_csum;
	uint64_t ignored_frames[ND_FINDING_FRAMES_MAX];
	unsigned nignored;
	uint64_t frames[ND_FINDING_FRAMES_MAX]; /* client messages, for no-offer/no-ack */
	unsigned nframes;
	uint8_t yiaddr[4], server[4], nak_server[4];
	uint32_t lease;
	double ack_ts;
};

struct server_key {
	char ifname[32];
	uint8_t id[4];                /* option 54, else the source address */
	uint8_t mac[6];
	uint8_t pad[2];
};

struct server {
	struct server_key key;
	uint32_t offers, acks, naks;
	uint64_t first_frame;
};

/* What evicted clients leave behind, per capture point: DISCOVERs that
 * no OFFER answered.  A flood of clients with no server (1M of them) once
 * evicted every client before its second DISCOVER and said nothing. */
#define DHCP4_POINTS_MAX 64
struct unoffered {
	char ifname[32];
	uint64_t clients, discovers, first_frame;
	double first, last;
};

struct dhcp4_tracker {
	struct nd_tracker t;
	struct nd_table clients;
	struct nd_table servers;
	uint64_t messages, undecodable;
	struct unoffered unoffered[DHCP4_POINTS_MAX];
	unsigned nunoffered;
};

static struct unoffered *unoffered_for(struct dhcp4_tracker *dt, const char *ifname, bool create)
{
	struct unoffered *u;

	for (unsigned i = 0; i < dt->nunoffered; i++)
		if (!strncmp(dt->unoffered[i].ifname, ifname, sizeof(u->ifname)))
			return &dt->unoffered[i];
	if (!create || dt->nunoffered == DHCP4_POINTS_MAX)
		return NULL;
	u = &dt->unoffered[dt->nunoffered++];
	memset(u, 0, sizeof(*u));
	memcpy(u->ifname, ifname, sizeof(u->ifname));
	return u;
}

static void client_evicted(void *ctx, void *entry)
{
	struct dhcp4_tracker *dt = ctx;
	const struct client *c = entry;
	struct unoffered *u;

	if (!c->discovers || c->offers)
		return;
	u = unoffered_for(dt, c->key.ifname, true);
	if (!u)
		return;
	if (!u->clients || c->first < u->first)
		u->first = c->first;
	if (c->last > u->last)
		u->last = c->last;
	if (!u->first_frame && c->nframes)
		u->first_frame = c->frames[0];
	u->clients++;
	u->discovers += c->discovers;
}

static void note_frame(struct client *c, uint64_t frame)
{
	if (c->nframes < ND_FINDING_FRAMES_MAX)
		c->frames[c->nframes++] = frame;
}

static void client_message(struct client *c, const struct nd_dhcp4 *d,
			   const struct nd_frame_meta *m)
{
	uint8_t answered_by = d->type == ND_DHCP4_DISCOVER ? ND_DHCP4_OFFER : ND_DHCP4_ACK;

	/* a DISCOVER after an OFFER, or a REQUEST after an ACK, soon after:
	 * the client did not take what it was sent */
	if (c->pending_reply == answered_by && m->ts - c->pending_ts < RETRY_WINDOW) {
		if (!c->ignored) {
			c->ignored_type = c->pending_reply;
			c->ignored_csum = c->pending_csum;
			memcpy(c->ignored_src, c->pending_src, 4);
		}
		c->ignored++;
		if (c->nignored < ND_FINDING_FRAMES_MAX)
			c->ignored_frames[c->nignored++] = m->number;
	}
	c->pending_reply = 0;
	switch (d->type) {
	case ND_DHCP4_DISCOVER:
		if (!c->discovers)
			c->first_discover = m->ts;
		c->discovers++;
		if (!c->offers)
			c->discovers_before_offer++;
		note_frame(c, m->number);
		break;
	case ND_DHCP4_REQUEST:
		c->requests++;
		c->offer_taken |= c->offers > 0;
		note_frame(c, m->number);
		break;
	case ND_DHCP4_DECLINE:
		c->declines++;
		break;
	default:
		break;
	}
}

static void server_message(struct dhcp4_tracker *dt, struct client *c, const struct nd_dhcp4 *d,
			   const struct nd_frame_meta *m, const struct nd_frame *f,
			   const char *ifname)
{
	struct server_key k;
	struct server *s;
	bool created;

	memset(&k, 0, sizeof(k));
	nd_key_name(k.ifname, sizeof(k.ifname), ifname);
	memcpy(k.id, d->has_server_id ? d->server_id : f->src.a, 4);
	memcpy(k.mac, f->src_mac, 6);
	s = nd_table_get(&dt->servers, &k, true, &created);
	if (created)
		s->first_frame = m->number;
	switch (d->type) {
	case ND_DHCP4_OFFER:
		if (!c->offers)
			c->first_offer = m->ts;
		c->offers++;
		s->offers++;
		break;
	case ND_DHCP4_ACK:
		c->acks++;
		s->acks++;
		if (!c->ack_ts) {
			c->ack_ts = m->ts;
			memcpy(c->yiaddr, d->yiaddr, 4);
			memcpy(c->server, k.id, 4);
			c->lease = d->lease;
		}
		break;
	case ND_DHCP4_NAK:
		c->naks++;
		s->naks++;
		memcpy(c->nak_server, k.id, 4);
		break;
	default:
		return;
	}
	if (d->type == ND_DHCP4_OFFER || d->type == ND_DHCP4_ACK) {
		c->pending_reply = d->type;
		c->pending_ts = m->ts;
		c->pending_csum = f->l4_csum;
		memcpy(c->pending_src, f->src.a, 4);
	}
}

static int dhcp4_on_frame(struct nd_tracker *t, const struct nd_frame_meta *m,
			  const struct nd_frame *f)
{
	struct dhcp4_tracker *dt = (struct dhcp4_tracker *)t;
	const char *ifname = m->ifname ? m->ifname : "";
	struct client_key k;
	struct client *c;
	struct nd_dhcp4 d;
	bool from_client;

	if (f->status != ND_DECODE_OK || f->l4proto != 17 || f->ip_version != 4)
		return 0;
	if (f->sport == DHCP_CLIENT_PORT && f->dport == DHCP_SERVER_PORT)
		from_client = true;
	else if (f->sport == DHCP_SERVER_PORT && (f->dport == DHCP_CLIENT_PORT ||
						  f->dport == DHCP_SERVER_PORT))
		from_client = false;  /* to a relay agent, port 67 */
	else
		return 0;
	if (nd_dhcp4_parse(&d, f->payload) || d.hlen != 6) {
		dt->undecodable++;
		return 0;
	}
	dt->messages++;
	memset(&k, 0, sizeof(k));
	nd_key_name(k.ifname, sizeof(k.ifname), ifname);
	memcpy(k.mac, d.chaddr, 6);
	c = nd_table_get(&dt->clients, &k, true, NULL);
	if (!c->first)
		c->first = m->ts;
	c->last = m->ts;
	if (from_client && d.op == 1)
		client_message(c, &d, m);
	else if (!from_client && d.op == 2)
		server_message(dt, c, &d, m, f, ifname);
	return 0;
}

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

static int client_findings(struct nd_table *servers, const struct client *c,
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
static int server_findings(struct dhcp4_tracker *dt, struct nd_findings *out)
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
static int unoffered_findings(struct dhcp4_tracker *dt, struct nd_findings *out)
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

static int dhcp4_report(struct nd_tracker *t, double now, struct nd_findings *out)
{
	struct dhcp4_tracker *dt = (struct dhcp4_tracker *)t;
	int err;

	t->evicted = dt->clients.evicted + dt->servers.evicted;
	for (uint32_t i = 0; i < dt->clients.cap; i++) {
		struct client *c = nd_table_slot(&dt->clients, i);

		err = c ? client_findings(&dt->servers, c, out) : 0;
		if (err)
			return err;
	}
	err = unoffered_findings(dt, out);
	return err ? err : server_findings(dt, out);
}

static void dhcp4_stats(struct nd_tracker *t, struct nd_out *o)
{
	struct dhcp4_tracker *dt = (struct dhcp4_tracker *)t;

	nd_out_uint(o, "messages", NULL, dt->messages);
	nd_out_uint(o, "undecodable", NULL, dt->undecodable);
	nd_out_arr_open(o, "evicted_unoffered");
	for (unsigned i = 0; i < dt->nunoffered; i++) {
		nd_out_obj_open(o, ND_OUT_ITEM);
		nd_out_str(o, "interface", NULL, dt->unoffered[i].ifname);
		nd_out_uint(o, "clients", NULL, dt->unoffered[i].clients);
		nd_out_uint(o, "discovers", NULL, dt->unoffered[i].discovers);
		nd_out_obj_close(o);
	}
	nd_out_arr_close(o);
}

static void dhcp4_destroy(struct nd_tracker *t)
{
	struct dhcp4_tracker *dt = (struct dhcp4_tracker *)t;

	nd_table_free(&dt->clients);
	nd_table_free(&dt->servers);
	free(dt);
}

struct nd_tracker *nd_dhcp4_tracker_new(unsigned cap)
{
	struct dhcp4_tracker *dt = calloc(1, sizeof(*dt));

	if (!dt)
		return NULL;
	dt->t.name = "dhcp4";
	dt->t.on_frame = dhcp4_on_frame;
	dt->t.report = dhcp4_report;
	dt->t.stats_print = dhcp4_stats;
	dt->t.destroy = dhcp4_destroy;
	dt->t.cap = cap ? cap : DHCP4_DEFAULT_CAP;
	if (nd_table_init(&dt->clients, (uint32_t)dt->t.cap, sizeof(struct client),
			  sizeof(struct client_key)) ||
	    nd_table_init(&dt->servers, DHCP4_SERVERS_MAX, sizeof(struct server),
			  sizeof(struct server_key))) {
		dhcp4_destroy(&dt->t);
		return NULL;
	}
	dt->clients.on_evict = client_evicted;
	dt->clients.ctx = dt;
	return &dt->t;
}
