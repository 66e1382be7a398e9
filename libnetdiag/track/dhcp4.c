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

#include "dhcp4_internal.h"

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

static int dhcp4_report(struct nd_tracker *t, double now, struct nd_findings *out)
{
	struct dhcp4_tracker *dt = (struct dhcp4_tracker *)t;
	int err;

	t->evicted = dt->clients.evicted + dt->servers.evicted;
	for (uint32_t i = 0; i < dt->clients.cap; i++) {
		struct client *c = nd_table_slot(&dt->clients, i);

		err = c ? dhcp4_client_findings(&dt->servers, c, out) : 0;
		if (err)
			return err;
	}
	err = dhcp4_unoffered_findings(dt, out);
	return err ? err : dhcp4_server_findings(dt, out);
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
