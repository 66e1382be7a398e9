/* The doctor's looks: the live check (or the probe guest, or findings
 * given), and whether a diagnosis is gone in a new look. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <netdiag/journal.h>
#include <netdiag/route.h>

#include "doctor_internal.h"

/* Routed guests set up with `route guest add` are part of the host. */
static void route_guest_findings(struct nd_findings *fs)
{
	char names[64][32];
	unsigned n = 0;

	if (nd_route_guest_names(names, 64, &n))
		return;
	for (unsigned i = 0; i < n; i++) {
		struct nd_guest_route g;

		if (nd_route_guest_load(names[i], &g) == 0)
			nd_route_guest_check(&g, fs);
	}
}

/* A look again after a change waits for the guest's next attempt rather
 * than a fixed time: a client in its back-off (dhclient doubles its
 * interval) may say nothing for seconds.  It ends once every exchange it
 * saw start has its answer, or at the bound. */
#define LOOK_AGAIN_BOUND 30.0

int doctor_look(struct run *r, struct look *l, bool again)
{
	struct nd_check_opts co = r->o->check;
	int rc;

	memset(l, 0, sizeof(*l));
	nd_findings_init(&l->fs);
	if (r->o->given) {
		l->fs = *r->o->given;
		nd_findings_init(r->o->given);
		rc = 0;
	} else if (r->o->probe) {
		struct nd_vm_probe_opts po = { .guest_report = true, .stop = r->o->stop };
		struct nd_vm_probe_result pr;

		doctor_note(r, "booting the probe guest on %s", r->o->probe->bridge);
		rc = nd_vm_probe_run(r->o->probe, &po, &pr, &l->fs, r->err, r->errlen);
		rc = rc < 0 ? rc : 0;
		if (!rc && pr.checked) {
			l->check = pr.check;
			l->checked = true;
			pr.checked = false;
		}
		nd_vm_probe_result_free(&pr);
		if (!rc)
			route_guest_findings(&l->fs);
	} else {
		if (again) {
			co.until_verdict = true;
			co.duration = co.patience > 0 ? co.patience : LOOK_AGAIN_BOUND;
			doctor_note(r, "  looking again: waiting for the guest's next DHCP or DNS "
				    "exchange to complete (up to %.0f s)", co.duration);
		}
		rc = nd_check_run(&co, &l->check, &l->fs, r->err, r->errlen);
		l->checked = rc == 0;
		if (!rc)
			route_guest_findings(&l->fs);
		if (rc)
			nd_check_result_free(&l->check);
	}
	nd_findings_sort(&l->fs);
	r->res->looks++;
	return rc;
}

void doctor_look_free(struct look *l)
{
	if (l->checked)
		nd_check_result_free(&l->check);
	nd_findings_free(&l->fs);
}

/* A run's rollback is by run id and record id, never by a count: another
 * netdiag's changes in between (or kept from earlier runs) are not ours. */
unsigned doctor_journal_mark(void)
{
	return nd_journal_mark();
}

int doctor_undo_since(unsigned since, char *err, size_t errlen)
{
	struct nd_journal *j;
	int rc;

	rc = nd_journal_open(&j, err, errlen);
	if (rc)
		return rc;
	rc = nd_journal_undo_run(j, since, false, NULL, NULL);
	nd_journal_close(j);
	return rc;
}

static bool packet_finding(const char *id)
{
	static const char *const prefixes[] = { "csum.", "dns.", "dhcp4.", "dhcp6.", "nd." };

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(id, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

/* The interface and direction a verify condition names, expanded. */
static void cond_place(const struct nd_rule_cond *c, const struct nd_diagnosis *d, char *ifname,
		       size_t len, enum nd_dir *dir)
{
	ifname[0] = 0;
	*dir = ND_DIR_UNKNOWN;
	for (unsigned i = 0; i < c->nm; i++) {
		if (c->m[i].op != ND_MATCH_EQ)
			continue;
		if (!strcmp(c->m[i].key, "interface"))
			nd_rule_expand(d, c->m[i].value, ifname, len);
		else if (!strcmp(c->m[i].key, "direction"))
			*dir = !strcmp(c->m[i].value, "out") ? ND_DIR_OUT
			       : !strcmp(c->m[i].value, "in") ? ND_DIR_IN : ND_DIR_UNKNOWN;
	}
}

/* A finding that is gone only because nothing was sent proves nothing:
 * for packet findings the look must have seen the traffic, healthy (for
 * checksums: packets with a correct checksum where the bad ones were). */
static bool traffic_seen(const struct nd_rule_cond *c, const struct nd_diagnosis *d,
			 const struct look *l, char *why, size_t whylen)
{
	char ifname[64];
	enum nd_dir dir;
	uint64_t seen = 0;
	bool csum = !strncmp(c->finding, "csum.", 5);

	if (!packet_finding(c->finding))
		return true;
	if (!l->checked) {
		snprintf(why, whylen, "no capture to verify with");
		return false;
	}
	cond_place(c, d, ifname, sizeof(ifname), &dir);
	for (unsigned i = 0; i < l->check.analysis.npoints; i++) {
		const struct nd_point *p = &l->check.analysis.points[i];

		if ((ifname[0] && strcmp(p->ifname, ifname)) || (dir && p->dir != dir))
			continue;
		seen += csum ? p->csum[ND_LAYER_UDP][ND_CSUM_OK] + p->csum[ND_LAYER_TCP][ND_CSUM_OK]
			     : p->frames;
	}
	if (!seen)
		snprintf(why, whylen, "no %s traffic on %s while looking again: cannot tell",
			 csum ? "correctly checksummed" : "", ifname[0] ? ifname : "the capture points");
	return seen > 0;
}

/* Is the diagnosis gone in the new look, with the traffic seen? */
bool doctor_verified(const struct run *r, const struct nd_diagnosis *d,
		     const struct nd_rule_remedy *m, const struct look *l, char *why, size_t whylen)
{
	struct nd_rule_cond c = m->verify;

	if (!c.finding[0]) {
		c = d->rule->conds[0];
		c.negate = true;
	}
	if (nd_rule_cond_holds(&c, d, &l->fs)) {
		snprintf(why, whylen, "%s is still there", c.finding);
		return false;
	}
	/* the traffic the diagnosis concerned, seen healthy: a lease taken,
	 * the name not asked again */
	if (m->confirm.finding[0] && !nd_rule_cond_holds(&m->confirm, d, &l->fs)) {
		snprintf(why, whylen, "no %s seen while looking again", m->confirm.finding);
		return false;
	}
	return traffic_seen(&c, d, l, why, whylen);
}

/* Look again after a change: 1 when the diagnosis is gone (why says
 * what is left otherwise), 0 when not, -EINTR when stopped.  A look that
 * fails counts as not verified. */
int doctor_look_again(struct run *r, const struct nd_diagnosis *d,
		      const struct nd_rule_remedy *m, char *why, size_t whylen)
{
	struct look *l = &r->latest;
	int ok;

	if (doctor_stopped(r))
		return -EINTR;
	doctor_look_free(l);
	r->latest_kept = false;
	if (doctor_look(r, l, true)) {
		snprintf(why, whylen, "could not look again: %s", r->err);
		return doctor_stopped(r) ? -EINTR : 0;
	}
	ok = !doctor_stopped(r) && doctor_verified(r, d, m, l, why, whylen);
	return doctor_stopped(r) ? -EINTR : ok;
}

const char *doctor_verify_name(const struct nd_diagnosis *d, const struct nd_rule_remedy *m)
{
	return m->verify.finding[0] ? m->verify.finding : d->rule->conds[0].finding;
}

