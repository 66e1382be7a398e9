/* The DHCPv6 tracker: one entry per (capture point, client DUID,
 * transaction id).  Findings: dhcp6.no-advertise, dhcp6.reply-ignored,
 * dhcp6.status, dhcp6.bad-timers (RFC 8415 21.4, 21.6, 21.22). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netdiag/dhcp6.h>

#include "table.h"
#include "track_internal.h"

#define DHCP6_CLIENT_PORT 546
#define DHCP6_SERVER_PORT 547
#define DHCP6_DEFAULT_CAP 4096
#define DHCP6_EVENTS_MAX 64
#define RETRY_WINDOW 30.0
#define KEY_DUID 20

struct txn_key {
	char ifname[32];
	uint8_t duid[KEY_DUID];
	uint32_t xid;
};

struct txn {
	struct txn_key key;
	uint32_t client_msgs, solicits, adverts, replies;
	uint8_t first_type;
	double first, last;
	uint8_t pending;             /* ADVERTISE or REPLY not yet followed by the client */
	double pending_ts;
	struct nd_csum pending_csum;
	uint32_t ignored;
	struct nd_csum ignored_csum;
	uint8_t ignored_type;
	uint64_t frames[ND_FINDING_FRAMES_MAX];
	unsigned nframes;
};

/* a server message with a problem in it: kept as a finding directly */
struct dhcp6_tracker {
	struct nd_tracker t;
	struct nd_table txns;
	struct nd_findings events;   /* dhcp6.status and dhcp6.bad-timers, at most 64 */
	uint64_t events_dropped, messages, undecodable;
};

static struct nd_finding *event(struct dhcp6_tracker *dt, const char *id, const char *ifname,
				const struct nd_frame_meta *m, const char *what)
{
	struct nd_finding *f;

	/* the same problem again on the same point adds to the first finding */
	for (size_t i = 0; i < dt->events.n; i++) {
		f = &dt->events.v[i];
		if (!strcmp(f->id, id) && !strcmp(f->ifname, ifname) && !strcmp(f->subject, what)) {
			f->count++;
			f->last = m->ts;
			nd_finding_add_frame(f, m->number);
			return NULL;
		}
	}
	if (dt->events.n == DHCP6_EVENTS_MAX) {
		dt->events_dropped++;
		return NULL;
	}
	f = nd_findings_add(&dt->events, id, ND_SEV_WARNING);
	if (!f)
		return NULL;
	nd_key_name(f->ifname, sizeof(f->ifname), ifname);
	snprintf(f->subject, sizeof(f->subject), "%s", what);
	f->count = 1;
	f->first = f->last = m->ts;
	nd_finding_add_frame(f, m->number);
	return f;
}

/* RFC 8415 21.4: T1 <= T2 when both are non-zero; 21.4/21.21: T1 and T2
 * should not exceed the shortest preferred lifetime; 21.6: a preferred
 * lifetime above the valid lifetime makes the client discard the address. */
static void check_timers(struct dhcp6_tracker *dt, const struct nd_dhcp6 *d,
			 const struct nd_frame_meta *m, const char *ifname)
{
	for (unsigned i = 0; i < d->nia; i++) {
		const struct nd_dhcp6_ia *ia = &d->ia[i];

		for (unsigned k = 0; k <= ia->nleases; k++) {
			const struct nd_dhcp6_lease *l = k < ia->nleases ? &ia->leases[k] : NULL;
			const char *problem = NULL;
			struct nd_finding *f;

			if (!l && ia->t1 && ia->t2 && ia->t1 > ia->t2)
				problem = "T1 above T2";
			else if (l && l->preferred > l->valid)
				problem = "preferred lifetime above valid lifetime";
			else if (l && l->preferred && ia->t2 > l->preferred)
				problem = "T2 above the preferred lifetime";
			else if (l && l->preferred && ia->t1 > l->preferred)
				problem = "T1 above the preferred lifetime";
			if (!problem)
				continue;
			f = event(dt, "dhcp6.bad-timers", ifname, m, problem);
			if (!f)
				continue;
			nd_finding_set_str(f, "problem", problem);
			nd_finding_set_str(f, "ia", ia->type == 25 ? "IA_PD" : "IA_NA");
			nd_finding_set_int(f, "t1", ia->t1);
			nd_finding_set_int(f, "t2", ia->t2);
			if (l) {
				nd_finding_set_int(f, "preferred", l->preferred);
				nd_finding_set_int(f, "valid", l->valid);
			}
			nd_finding_summary(f, "%s in %s from the server: %s (T1 %u, T2 %u)",
					   ia->type == 25 ? "IA_PD" : "IA_NA",
					   nd_dhcp6_type_name(d->type), problem, ia->t1, ia->t2);
		}
	}
}

static void check_status(struct dhcp6_tracker *dt, const struct nd_dhcp6 *d,
			 const struct nd_frame_meta *m, const char *ifname)
{
	uint16_t st = d->status;
	struct nd_finding *f;
	char what[64];

	for (unsigned i = 0; i < d->nia && (st == ND_DHCP6_STATUS_NONE || !st); i++)
		st = d->ia[i].status;
	if (st == ND_DHCP6_STATUS_NONE || !st)
		return;
	snprintf(what, sizeof(what), "%s in %s", nd_dhcp6_status_name(st),
		 nd_dhcp6_type_name(d->type));
	f = event(dt, "dhcp6.status", ifname, m, what);
	if (!f)
		return;
	nd_finding_set_str(f, "status", nd_dhcp6_status_name(st));
	nd_finding_set_int(f, "code", st);
	nd_finding_summary(f, "the server answered %s with status %s",
			   nd_dhcp6_type_name(d->type), nd_dhcp6_status_name(st));
}

static bool from_client(uint8_t type)
{
	return type != ND_DHCP6_ADVERTISE && type != ND_DHCP6_REPLY &&
	       type != ND_DHCP6_RECONFIGURE && type != ND_DHCP6_RELAY_REPL;
}

static void transaction(struct dhcp6_tracker *dt, const struct nd_dhcp6 *d,
			const struct nd_frame_meta *m, const struct nd_frame *f,
			const char *ifname)
{
	struct txn_key k;
	struct txn *x;
	unsigned n = d->client_duid_len < KEY_DUID ? d->client_duid_len : KEY_DUID;

	memset(&k, 0, sizeof(k));
	nd_key_name(k.ifname, sizeof(k.ifname), ifname);
	memcpy(k.duid, d->client_duid, n);
	k.xid = d->xid;
	x = nd_table_get(&dt->txns, &k, true, NULL);
	if (!x->first) {
		x->first = m->ts;
		x->first_type = d->type;
	}
	x->last = m->ts;
	if (from_client(d->type)) {
		uint8_t answer = d->type == ND_DHCP6_SOLICIT ? ND_DHCP6_ADVERTISE : ND_DHCP6_REPLY;

		if (x->pending == answer && m->ts - x->pending_ts < RETRY_WINDOW) {
			if (!x->ignored) {
				x->ignored_csum = x->pending_csum;
				x->ignored_type = x->pending;
			}
			x->ignored++;
		}
		x->pending = 0;
		x->client_msgs++;
		x->solicits += d->type == ND_DHCP6_SOLICIT;
		if (x->nframes < ND_FINDING_FRAMES_MAX)
			x->frames[x->nframes++] = m->number;
		return;
	}
	x->adverts += d->type == ND_DHCP6_ADVERTISE;
	x->replies += d->type == ND_DHCP6_REPLY;
	x->pending = d->type;
	x->pending_ts = m->ts;
	x->pending_csum = f->l4_csum;
	check_timers(dt, d, m, ifname);
	check_status(dt, d, m, ifname);
}

static int dhcp6_on_frame(struct nd_tracker *t, const struct nd_frame_meta *m,
			  const struct nd_frame *f)
{
	struct dhcp6_tracker *dt = (struct dhcp6_tracker *)t;
	struct nd_dhcp6 d;

	if (f->status != ND_DECODE_OK || f->l4proto != 17 || f->ip_version != 6)
		return 0;
	if ((f->sport != DHCP6_CLIENT_PORT && f->sport != DHCP6_SERVER_PORT) ||
	    (f->dport != DHCP6_CLIENT_PORT && f->dport != DHCP6_SERVER_PORT))
		return 0;
	if (nd_dhcp6_parse(&d, f->payload)) {
		dt->undecodable++;
		return 0;
	}
	dt->messages++;
	if (d.type != ND_DHCP6_RELAY_FORW && d.type != ND_DHCP6_RELAY_REPL)
		transaction(dt, &d, m, f, m->ifname ? m->ifname : "");
	return 0;
}

/* Did the client go on from an ADVERTISE: a REQUEST transaction of the
 * same client on the same point?  Then SOLICITs repeated after the
 * ADVERTISE had crossed it on the wire (RFC 8415 18.2.1: the client
 * collects ADVERTISEs for a while before it requests). */
static bool advertise_taken(struct nd_table *txns, const struct txn *x)
{
	for (uint32_t i = 0; i < txns->cap; i++) {
		const struct txn *o = nd_table_slot(txns, i);

		if (o && o != x && o->first_type == ND_DHCP6_REQUEST &&
		    !memcmp(o->key.ifname, x->key.ifname, sizeof(x->key.ifname)) &&
		    !memcmp(o->key.duid, x->key.duid, sizeof(x->key.duid)))
			return true;
	}
	return false;
}

/* Any server message on x's capture point: a server is there. */
static bool server_seen(struct nd_table *txns, const struct txn *x)
{
	for (uint32_t i = 0; i < txns->cap; i++) {
		const struct txn *o = nd_table_slot(txns, i);

		if (o && (o->adverts || o->replies) &&
		    !memcmp(o->key.ifname, x->key.ifname, sizeof(x->key.ifname)))
			return true;
	}
	return false;
}

static int txn_findings(struct nd_table *txns, const struct txn *x, struct nd_findings *out)
{
	char subject[ND_FINDING_SUBJECT_MAX];
	struct nd_finding *fd = NULL;

	snprintf(subject, sizeof(subject), "transaction 0x%06x", x->key.xid);
	if (x->solicits >= 2 && !x->adverts && !x->replies) {
		fd = nd_findings_add(out, "dhcp6.no-advertise", ND_SEV_ERROR);
		if (!fd)
			return -ENOMEM;
		fd->count = x->solicits;
		nd_finding_set_int(fd, "solicits", x->solicits);
		nd_finding_set_str(fd, "server_seen", server_seen(txns, x) ? "yes" : "no");
		nd_finding_summary(fd, "%u SOLICITs, no ADVERTISE seen", x->solicits);
	} else if (x->ignored && !(x->ignored_type == ND_DHCP6_ADVERTISE &&
				   advertise_taken(txns, x))) {
		fd = nd_findings_add(out, "dhcp6.reply-ignored", ND_SEV_ERROR);
		if (!fd)
			return -ENOMEM;
		fd->count = x->ignored;
		nd_finding_set_str(fd, "reply", nd_dhcp6_type_name(x->ignored_type));
		nd_finding_set_csum(fd, "reply_checksum", &x->ignored_csum);
		nd_finding_summary(fd, "the client repeated its message %u times after an %s; the "
				   "%s's UDP checksum was %s", x->ignored,
				   nd_dhcp6_type_name(x->ignored_type),
				   nd_dhcp6_type_name(x->ignored_type),
				   nd_csum_class_name(x->ignored_csum.cls));
	}
	if (!fd)
		return 0;
	snprintf(fd->ifname, sizeof(fd->ifname), "%s", x->key.ifname);
	snprintf(fd->subject, sizeof(fd->subject), "%s", subject);
	fd->first = x->first;
	fd->last = x->last;
	for (unsigned i = 0; i < x->nframes; i++)
		nd_finding_add_frame(fd, x->frames[i]);
	return 0;
}

static int dhcp6_report(struct nd_tracker *t, double now, struct nd_findings *out)
{
	struct dhcp6_tracker *dt = (struct dhcp6_tracker *)t;

	t->evicted = dt->txns.evicted + dt->events_dropped;
	for (uint32_t i = 0; i < dt->txns.cap; i++) {
		struct txn *x = nd_table_slot(&dt->txns, i);
		int err = x ? txn_findings(&dt->txns, x, out) : 0;

		if (err)
			return err;
	}
	for (size_t i = 0; i < dt->events.n; i++) {
		struct nd_finding *f = nd_findings_add(out, dt->events.v[i].id,
						       dt->events.v[i].severity);

		if (!f)
			return -ENOMEM;
		*f = dt->events.v[i];
	}
	return 0;
}

static void dhcp6_stats(struct nd_tracker *t, struct nd_out *o)
{
	struct dhcp6_tracker *dt = (struct dhcp6_tracker *)t;

	nd_out_uint(o, "messages", NULL, dt->messages);
	nd_out_uint(o, "undecodable", NULL, dt->undecodable);
}

static void dhcp6_destroy(struct nd_tracker *t)
{
	struct dhcp6_tracker *dt = (struct dhcp6_tracker *)t;

	nd_table_free(&dt->txns);
	nd_findings_free(&dt->events);
	free(dt);
}

struct nd_tracker *nd_dhcp6_tracker_new(unsigned cap)
{
	struct dhcp6_tracker *dt = calloc(1, sizeof(*dt));

	if (!dt)
		return NULL;
	dt->t.name = "dhcp6";
	dt->t.on_frame = dhcp6_on_frame;
	dt->t.report = dhcp6_report;
	dt->t.stats_print = dhcp6_stats;
	dt->t.destroy = dhcp6_destroy;
	dt->t.cap = cap ? cap : DHCP6_DEFAULT_CAP;
	nd_findings_init(&dt->events);
	if (nd_table_init(&dt->txns, (uint32_t)dt->t.cap, sizeof(struct txn),
			  sizeof(struct txn_key))) {
		free(dt);
		return NULL;
	}
	return &dt->t;
}
