/* The doctor's loop (netdiag/doctor.h): look, diagnose, and try each
 * remedy through the journal, keeping only what is seen to help. */
#include <dirent.h>
#include <errno.h>
#include <ifaddrs.h>
#include <libgen.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netdiag/doctor.h>
#include <netdiag/journal.h>
#include <netdiag/offload.h>
#include <netdiag/route.h>

#define GUIDE_CANDIDATES_MAX 8
#define TX_NAMES_MAX 8

struct look {
	struct nd_findings fs;
	struct nd_check_result check;
	bool checked;
};

struct run {
	const struct nd_doctor_opts *o;
	const struct nd_rules *rs;
	struct nd_doctor_result *res;
	struct look latest;          /* the last look, taken after a change */
	bool latest_kept;            /* ... which was kept: the host is as it saw */
	unsigned journal_start;
	char *err;
	size_t errlen;
};

const char *nd_step_outcome_name(enum nd_step_outcome o)
{
	static const char *const names[] = {
		[ND_STEP_PLANNED] = "planned", [ND_STEP_MANUAL] = "manual",
		[ND_STEP_DECLINED] = "declined", [ND_STEP_NOTHING] = "nothing-to-do",
		[ND_STEP_KEPT] = "kept", [ND_STEP_UNDONE] = "undone", [ND_STEP_FAILED] = "failed",
		[ND_STEP_GONE] = "gone",
	};

	return (unsigned)o < sizeof(names) / sizeof(names[0]) ? names[o] : "?";
}

static void note(const struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(const struct run *r, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!r->o->note)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	r->o->note(r->o->arg, line);
}

static bool stopped(const struct run *r)
{
	return r->o->stop && *r->o->stop;
}

/* ---- looking ---- */

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

static int look(struct run *r, struct look *l)
{
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

		note(r, "booting the probe guest on %s", r->o->probe->bridge);
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
		rc = nd_check_run(&r->o->check, &l->check, &l->fs, r->err, r->errlen);
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

static void look_free(struct look *l)
{
	if (l->checked)
		nd_check_result_free(&l->check);
	nd_findings_free(&l->fs);
}

/* ---- the journal: what this run changed ---- */

static unsigned journal_live(void)
{
	struct nd_journal *j;
	char err[256];
	unsigned n = 0;

	if (nd_journal_open(&j, err, sizeof(err)))
		return 0;
	nd_journal_records(j, &n);
	nd_journal_close(j);
	return n;
}

static int undo_since(unsigned since, char *err, size_t errlen)
{
	struct nd_journal *j;
	unsigned n;
	int rc;

	rc = nd_journal_open(&j, err, errlen);
	if (rc)
		return rc;
	nd_journal_records(j, &n);
	rc = n > since ? nd_journal_undo(j, n - since, false, NULL, NULL) : 0;
	nd_journal_close(j);
	return rc;
}

/* ---- verification ---- */

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
static bool verified(const struct run *r, const struct nd_diagnosis *d,
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
	return traffic_seen(&c, d, l, why, whylen);
}

/* ---- changes ---- */

static struct nd_doctor_step *new_step(struct run *r, size_t di, unsigned ri,
				       enum nd_remedy_action a)
{
	struct nd_doctor_step *s;

	if (r->res->nsteps == ND_DOCTOR_STEPS_MAX)
		return NULL;
	s = &r->res->steps[r->res->nsteps++];
	memset(s, 0, sizeof(*s));
	s->diagnosis = di;
	s->remedy = ri;
	s->action = a;
	return s;
}

/* The tx checksum features of dev that are on and changeable. */
static unsigned tx_on(struct nd_ethtool *e, const char *dev, const char *names[TX_NAMES_MAX])
{
	const char *alias[TX_NAMES_MAX];
	unsigned n = nd_feature_alias("tx", alias, TX_NAMES_MAX), k = 0;
	struct nd_features fs;

	if (nd_offload_get(e, dev, &fs))
		return 0;
	for (unsigned i = 0; i < n; i++) {
		const struct nd_feature *f = nd_feature_find(&fs, alias[i]);

		if (f && f->active && !f->fixed)
			names[k++] = alias[i];
	}
	return k;
}

static int apply_offload(struct nd_doctor_step *s, const char *dev, const char *features,
			 char *err, size_t errlen)
{
	struct nd_offload_request req = { 0 };
	const char *names[TX_NAMES_MAX];
	struct nd_ethtool *e;
	char list[128], *save = NULL;
	unsigned n = 0;
	int rc;

	rc = nd_ethtool_open(&e);
	if (rc) {
		snprintf(err, errlen, "ethtool netlink: %s", strerror(-rc));
		return rc;
	}
	snprintf(req.ifname, sizeof(req.ifname), "%s", dev);
	snprintf(list, sizeof(list), "%s", features);
	n = tx_on(e, dev, names);
	for (char *f = strtok_r(list, ",", &save); f; f = strtok_r(NULL, ",", &save))
		for (unsigned i = 0; i < n && req.n < ND_OFFLOAD_CHANGES_MAX; i++)
			if (!strcmp(f, "tx") || !strcmp(f, names[i]))
				req.ch[req.n++] = (struct nd_feature_change){ names[i], false };
	nd_ethtool_close(e);
	if (!req.n)
		return 1;                /* nothing on: nothing to do */
	rc = nd_offload_change(&req, 1, NULL, err, errlen);
	if (s) {
		s->features = req.n;
		snprintf(s->detail, sizeof(s->detail), "%u feature%s", req.n, req.n == 1 ? "" : "s");
	}
	return rc;
}

static int apply_sysctl(const char *path, const char *value, char *err, size_t errlen)
{
	struct nd_journal *j;
	int rc;

	rc = nd_journal_open(&j, err, errlen);
	if (rc)
		return rc;
	rc = nd_journal_sysctl(j, path, value);
	nd_journal_close(j);
	if (rc < 0)
		snprintf(err, errlen, "/proc/sys/%s: %s", path, strerror(-rc));
	return rc;
}

/* Look again after a change: 1 when the diagnosis is gone (why says
 * what is left otherwise), 0 when not, -EINTR when stopped.  A look that
 * fails counts as not verified. */
static int look_again(struct run *r, const struct nd_diagnosis *d,
		      const struct nd_rule_remedy *m, char *why, size_t whylen)
{
	struct look *l = &r->latest;
	int ok;

	if (stopped(r))
		return -EINTR;
	look_free(l);
	r->latest_kept = false;
	if (look(r, l)) {
		snprintf(why, whylen, "could not look again: %s", r->err);
		return stopped(r) ? -EINTR : 0;
	}
	ok = !stopped(r) && verified(r, d, m, l, why, whylen);
	return stopped(r) ? -EINTR : ok;
}

static const char *verify_name(const struct nd_diagnosis *d, const struct nd_rule_remedy *m)
{
	return m->verify.finding[0] ? m->verify.finding : d->rule->conds[0].finding;
}

/* Apply one change, look again, keep or undo.  Returns -EINTR when
 * stopped (the caller undoes the run). */
static int try_change(struct run *r, const struct nd_diagnosis *d,
		      const struct nd_rule_remedy *m, struct nd_doctor_step *s,
		      const char *dev_or_path, const char *value)
{
	char blast[ND_RULE_LINE_MAX], change[192], why[256] = "", err[256] = "";
	unsigned before = journal_live();
	int rc;

	nd_rule_expand(d, m->blast, blast, sizeof(blast));
	snprintf(change, sizeof(change), "%s: %s", dev_or_path, s->change);
	if (r->o->ask && !r->o->ask(r->o->arg, change, blast)) {
		s->outcome = ND_STEP_DECLINED;
		return 0;
	}
	if (stopped(r))
		return -EINTR;
	rc = m->action == ND_REMEDY_SYSCTL ? apply_sysctl(dev_or_path, value, err, sizeof(err))
					   : apply_offload(s, dev_or_path, value, err, sizeof(err));
	if (rc == 1) {
		s->outcome = ND_STEP_NOTHING;
		snprintf(s->detail, sizeof(s->detail), "already so");
		return 0;
	}
	if (rc) {
		s->outcome = ND_STEP_FAILED;
		snprintf(s->detail, sizeof(s->detail), "%s", err);
		note(r, "  could not apply: %s", err);
		return 0;
	}
	note(r, "  applied %s; looking again", change);
	rc = look_again(r, d, m, why, sizeof(why));
	if (rc < 0)
		return rc;
	if (rc) {
		s->outcome = ND_STEP_KEPT;
		r->latest_kept = true;
		note(r, "  verified: %s is gone; kept", verify_name(d, m));
	} else {
		undo_since(before, err, sizeof(err));
		s->outcome = ND_STEP_UNDONE;
		snprintf(s->detail, sizeof(s->detail), "did not help (%s)", why);
		note(r, "  did not help (%s): undone", why);
	}
	return 0;
}

/* Candidates for the offload guide, least blast first: the device that
 * owns the sender's address, the guest's tap, its bridge, the bridge's
 * other ports; only those with TX checksum offload on. */
static unsigned guide_candidates(const char *tap, const char *src,
				 char out[GUIDE_CANDIDATES_MAX][IF_NAMESIZE])
{
	char cand[GUIDE_CANDIDATES_MAX * 2][IF_NAMESIZE], path[PATH_MAX], link[PATH_MAX];
	const char *names[TX_NAMES_MAX];
	unsigned n = 0, k = 0;
	struct nd_ethtool *e;
	struct ifaddrs *ifa = NULL;
	ssize_t len;

	if (src && getifaddrs(&ifa) == 0) {
		for (struct ifaddrs *a = ifa; a && n < 1; a = a->ifa_next) {
			char text[INET6_ADDRSTRLEN] = "";

			if (!a->ifa_addr || (a->ifa_flags & IFF_LOOPBACK))
				continue;
			if (a->ifa_addr->sa_family == AF_INET)
				inet_ntop(AF_INET, &((struct sockaddr_in *)a->ifa_addr)->sin_addr, text,
					  sizeof(text));
			else if (a->ifa_addr->sa_family == AF_INET6)
				inet_ntop(AF_INET6, &((struct sockaddr_in6 *)a->ifa_addr)->sin6_addr,
					  text, sizeof(text));
			if (!strcmp(text, src))
				snprintf(cand[n++], IF_NAMESIZE, "%s", a->ifa_name);
		}
		freeifaddrs(ifa);
	}
	snprintf(cand[n++], IF_NAMESIZE, "%s", tap);
	snprintf(path, sizeof(path), "/sys/class/net/%s/master", tap);
	len = readlink(path, link, sizeof(link) - 1);
	if (len > 0) {
		char br[IF_NAMESIZE];
		struct dirent *de;
		DIR *dir;

		link[len] = 0;
		snprintf(br, sizeof(br), "%s", basename(link));
		snprintf(cand[n++], IF_NAMESIZE, "%s", br);
		snprintf(path, sizeof(path), "/sys/class/net/%s/brif", br);
		dir = opendir(path);
		while (dir && (de = readdir(dir)) && n < GUIDE_CANDIDATES_MAX * 2)
			if (de->d_name[0] != '.' && strcmp(de->d_name, tap))
				snprintf(cand[n++], IF_NAMESIZE, "%s", de->d_name);
		if (dir)
			closedir(dir);
	}
	if (nd_ethtool_open(&e))
		return 0;
	for (unsigned i = 0; i < n && k < GUIDE_CANDIDATES_MAX; i++) {
		bool dup = false;

		for (unsigned j = 0; j < k; j++)
			dup |= !strcmp(out[j], cand[i]);
		if (!dup && tx_on(e, cand[i], names))
			snprintf(out[k++], IF_NAMESIZE, "%s", cand[i]);
	}
	nd_ethtool_close(e);
	return k;
}

/* ---- the offload guide: the smallest set of devices and features ---- */

struct guide {
	struct run *r;
	const struct nd_diagnosis *d;
	const struct nd_rule_remedy *m;
	size_t di;
	unsigned ri;
	char cands[GUIDE_CANDIDATES_MAX][IF_NAMESIZE];
	unsigned n;
};

static void set_names(const struct guide *g, unsigned set, char *out, size_t len)
{
	out[0] = 0;
	for (unsigned i = 0; i < g->n; i++)
		if (set & (1u << i)) {
			size_t used = strlen(out);

			snprintf(out + used, len - used, "%s%s", used ? "," : "", g->cands[i]);
		}
}

/* TX checksum offload off on every device of set at once, look again;
 * keep it (return 1) only when keep and it helped, else undo.  0 when it
 * did not help (or helped with !keep: *helped says), -EINTR when stopped. */
static int try_set(struct guide *g, unsigned set, bool keep, bool *helped)
{
	char names[GUIDE_CANDIDATES_MAX * (IF_NAMESIZE + 1)], blast[ND_RULE_LINE_MAX];
	char why[256] = "", err[256] = "", change[sizeof(names) + 16];
	unsigned before = journal_live();
	struct nd_doctor_step *s;
	int rc = 0;

	*helped = false;
	set_names(g, set, names, sizeof(names));
	s = new_step(g->r, g->di, g->ri, g->m->action);
	if (!s)
		return 0;
	snprintf(s->target, sizeof(s->target), "%s", names);
	snprintf(s->change, sizeof(s->change), "tx off");
	snprintf(change, sizeof(change), "%s: tx off", names);
	nd_rule_expand(g->d, g->m->blast, blast, sizeof(blast));
	if (g->r->o->ask && !g->r->o->ask(g->r->o->arg, change, blast)) {
		s->outcome = ND_STEP_DECLINED;
		return 0;
	}
	for (unsigned i = 0; i < g->n && !rc; i++)
		if (set & (1u << i)) {
			rc = apply_offload(NULL, g->cands[i], "tx", err, sizeof(err));
			rc = rc == 1 ? 0 : rc;
		}
	if (rc) {
		undo_since(before, why, sizeof(why));
		s->outcome = ND_STEP_FAILED;
		snprintf(s->detail, sizeof(s->detail), "%s", err);
		return 0;
	}
	note(g->r, "  applied %s together; looking again", change);
	rc = look_again(g->r, g->d, g->m, why, sizeof(why));
	if (rc < 0)
		return rc;
	*helped = rc == 1;
	if (*helped && keep) {
		/* a step per device, this one the first: the persistence
		 * snippets are per device */
		bool first = true;

		for (unsigned i = 0; i < g->n; i++) {
			struct nd_doctor_step *k;

			if (!(set & (1u << i)))
				continue;
			k = first ? s : new_step(g->r, g->di, g->ri, g->m->action);
			first = false;
			if (!k)
				break;
			snprintf(k->target, sizeof(k->target), "%s", g->cands[i]);
			snprintf(k->change, sizeof(k->change), "tx off");
			k->outcome = ND_STEP_KEPT;
			snprintf(k->detail, sizeof(k->detail), "needed, with all of %s", names);
		}
		g->r->latest_kept = true;
		note(g->r, "  verified: %s is gone; kept on %s", verify_name(g->d, g->m), names);
		return 1;
	}
	undo_since(before, err, sizeof(err));
	s->outcome = ND_STEP_UNDONE;
	if (*helped)
		snprintf(s->detail, sizeof(s->detail), "helped; undone to try fewer devices");
	else
		snprintf(s->detail, sizeof(s->detail), "did not help (%s)", why);
	note(g->r, "  %s: undone", s->detail);
	return 0;
}

/* A kept single device with several TX checksum features off: is one of
 * them alone enough (say tx-checksum-ipv4 for an IPv4 fault)? */
static int narrow_features(struct guide *g, struct nd_doctor_step *kept, unsigned mark)
{
	const char *names[TX_NAMES_MAX];
	struct nd_ethtool *e;
	unsigned n, before;
	char err[256], why[256], list[TX_NAMES_MAX][ND_FEATURE_NAME_MAX];

	if (kept->features < 2 || undo_since(mark, err, sizeof(err)))
		return 1;
	if (nd_ethtool_open(&e))
		return 1;
	n = tx_on(e, kept->target, names);
	for (unsigned i = 0; i < n; i++)
		snprintf(list[i], sizeof(list[i]), "%s", names[i]);
	nd_ethtool_close(e);
	for (unsigned i = 0; i < n; i++) {
		struct nd_doctor_step *s = new_step(g->r, g->di, g->ri, ND_REMEDY_OFFLOAD_GUIDE);
		int rc;

		if (!s)
			break;
		before = journal_live();
		snprintf(s->target, sizeof(s->target), "%s", kept->target);
		snprintf(s->change, sizeof(s->change), "%s off", list[i]);
		if (apply_offload(s, kept->target, list[i], err, sizeof(err))) {
			s->outcome = ND_STEP_FAILED;
			snprintf(s->detail, sizeof(s->detail), "%s", err);
			continue;
		}
		note(g->r, "  trying %s: %s alone", kept->target, s->change);
		rc = look_again(g->r, g->d, g->m, why, sizeof(why));
		if (rc < 0)
			return rc;
		if (rc) {
			s->outcome = ND_STEP_KEPT;
			g->r->latest_kept = true;
			snprintf(s->detail, sizeof(s->detail), "enough alone");
			kept->outcome = ND_STEP_UNDONE;
			snprintf(kept->detail, sizeof(kept->detail), "helped; narrowed to %s", list[i]);
			return 1;
		}
		undo_since(before, err, sizeof(err));
		s->outcome = ND_STEP_UNDONE;
		snprintf(s->detail, sizeof(s->detail), "not enough alone (%s)", why);
	}
	/* none alone: the whole of tx, as verified first */
	g->r->latest_kept = false;
	kept->outcome = ND_STEP_FAILED;
	if (apply_offload(NULL, kept->target, "tx", err, sizeof(err)) == 0)
		kept->outcome = ND_STEP_KEPT;
	else
		snprintf(kept->detail, sizeof(kept->detail), "could not reapply: %s", err);
	return kept->outcome == ND_STEP_KEPT;
}

/* Each candidate alone, least blast first; when none helps alone, all of
 * them together, then each left out in turn while the rest still helps:
 * what remains is a set none of whose members can go. */
static int guide(struct run *r, size_t di, unsigned ri)
{
	struct guide g = { .r = r, .di = di, .ri = ri };
	char tap[ND_RULE_VALUE_MAX];
	unsigned set, tried = 0;
	bool helped;
	int rc;

	g.d = &r->res->diagnoses.v[di];
	g.m = &g.d->rule->remedies[ri];
	nd_rule_expand(g.d, nd_remedy_arg(g.m, "tap"), tap, sizeof(tap));
	g.n = guide_candidates(tap, nd_diagnosis_var(g.d, "src"), g.cands);
	note(r, "  offload guide: %u candidate%s with TX checksum offload on", g.n,
	     g.n == 1 ? "" : "s");
	for (unsigned i = 0; i < g.n; i++) {
		struct nd_doctor_step *s = new_step(r, di, ri, g.m->action);
		unsigned mark = journal_live();

		if (!s)
			return 0;
		snprintf(s->target, sizeof(s->target), "%s", g.cands[i]);
		snprintf(s->change, sizeof(s->change), "tx off");
		rc = try_change(r, g.d, g.m, s, g.cands[i], "tx");
		if (rc < 0)
			return rc;
		if (s->outcome == ND_STEP_KEPT)
			return narrow_features(&g, s, mark);
		tried += s->outcome == ND_STEP_UNDONE;
	}
	/* sets only once every single one is known not to help */
	if (g.n < 2 || tried < g.n)
		return 0;
	set = (1u << g.n) - 1;
	rc = try_set(&g, set, false, &helped);
	if (rc < 0 || !helped)
		return rc;
	for (unsigned i = 0; i < g.n; i++) {
		unsigned fewer = set & ~(1u << i);

		/* singles are known not to help */
		if (!(set & (1u << i)) || __builtin_popcount(fewer) < 2)
			continue;
		rc = try_set(&g, fewer, false, &helped);
		if (rc < 0)
			return rc;
		if (helped)
			set = fewer;
	}
	return try_set(&g, set, true, &helped);
}

/* A remedy's target and change with the diagnosis's bindings, as a step
 * shows them; value is what apply_* take (features, sysctl value).  The
 * offload guide's target lists its candidates, in the order it tries them. */
static void describe(const struct nd_diagnosis *d, const struct nd_rule_remedy *m,
		     struct nd_doctor_step *s, char *value, size_t vlen)
{
	char tap[ND_RULE_VALUE_MAX], cands[GUIDE_CANDIDATES_MAX][IF_NAMESIZE];
	unsigned n;

	switch (m->action) {
	case ND_REMEDY_OFFLOAD_GUIDE:
		nd_rule_expand(d, nd_remedy_arg(m, "tap"), tap, sizeof(tap));
		n = guide_candidates(tap, nd_diagnosis_var(d, "src"), cands);
		for (unsigned i = 0; i < n; i++) {
			size_t used = strlen(s->target);

			snprintf(s->target + used, sizeof(s->target) - used, "%s%s", i ? "," : "",
				 cands[i]);
		}
		snprintf(s->change, sizeof(s->change), "tx off, one device at a time");
		break;
	case ND_REMEDY_SYSCTL:
		nd_rule_expand(d, nd_remedy_arg(m, "path"), s->target, sizeof(s->target));
		nd_rule_expand(d, nd_remedy_arg(m, "value"), value, vlen);
		snprintf(s->change, sizeof(s->change), "%s", value);
		break;
	case ND_REMEDY_OFFLOAD_OFF:
		nd_rule_expand(d, nd_remedy_arg(m, "dev"), s->target, sizeof(s->target));
		nd_rule_expand(d, nd_remedy_arg(m, "features"), value, vlen);
		snprintf(s->change, sizeof(s->change), "%s off", value);
		break;
	case ND_REMEDY_MANUAL:
		break;
	}
}

/* Returns 1 when a change was kept, 0 when not, -EINTR when stopped. */
static int remedy(struct run *r, size_t di, unsigned ri)
{
	const struct nd_diagnosis *d = &r->res->diagnoses.v[di];
	const struct nd_rule_remedy *m = &d->rule->remedies[ri];
	char value[ND_RULE_VALUE_MAX] = "";
	struct nd_doctor_step *s;
	int rc;

	if (r->o->offload_only && m->action != ND_REMEDY_OFFLOAD_OFF &&
	    m->action != ND_REMEDY_OFFLOAD_GUIDE)
		return 0;
	if (m->action == ND_REMEDY_OFFLOAD_GUIDE && r->o->mode == ND_DOCTOR_FIX)
		return guide(r, di, ri);
	s = new_step(r, di, ri, m->action);
	if (!s)
		return 0;
	describe(d, m, s, value, sizeof(value));
	if (m->action == ND_REMEDY_MANUAL || r->o->mode == ND_DOCTOR_DRY_RUN) {
		s->outcome = m->action == ND_REMEDY_MANUAL ? ND_STEP_MANUAL : ND_STEP_PLANNED;
		return 0;
	}
	rc = try_change(r, d, m, s, s->target, value);
	if (rc < 0)
		return rc;
	return s->outcome == ND_STEP_KEPT;
}

/* A change kept for an earlier diagnosis may have cured this one too (the
 * same offload behind a DNS and a DHCP diagnosis): the latest look says. */
static bool gone_already(struct run *r, size_t di)
{
	const struct nd_diagnosis *d = &r->res->diagnoses.v[di];
	const struct nd_rule_remedy none = { 0 };
	const struct nd_rule_remedy *m = d->rule->nremedies ? &d->rule->remedies[0] : &none;
	struct nd_doctor_step *s;
	char why[256];

	if (!r->latest_kept || r->o->mode != ND_DOCTOR_FIX ||
	    !verified(r, d, m, &r->latest, why, sizeof(why)))
		return false;
	s = new_step(r, di, 0, m->action);
	if (s) {
		s->outcome = ND_STEP_GONE;
		snprintf(s->detail, sizeof(s->detail), "gone after an earlier change");
	}
	note(r, "  gone after an earlier change: nothing to do");
	return true;
}

static int fix_all(struct run *r)
{
	const struct nd_diagnoses *ds = &r->res->diagnoses;

	for (size_t i = 0; i < ds->n; i++) {
		const struct nd_rule *rule = ds->v[i].rule;
		char title[ND_RULE_LINE_MAX];

		if (rule->severity < ND_SEV_WARNING)
			continue;
		nd_rule_expand(&ds->v[i], rule->title, title, sizeof(title));
		if (r->o->mode == ND_DOCTOR_FIX)
			note(r, "%s: %s", rule->id, title);
		if (gone_already(r, i))
			continue;
		for (unsigned k = 0; k < rule->nremedies; k++) {
			int rc = remedy(r, i, k);

			if (rc < 0)
				return rc;
			if (rc == 1)
				break;
			if (stopped(r))
				return -EINTR;
		}
	}
	return 0;
}

int nd_doctor_run(const struct nd_doctor_opts *o, const struct nd_rules *rs,
		  struct nd_doctor_result *res, char *err, size_t errlen)
{
	struct run r = { .o = o, .rs = rs, .res = res, .err = err, .errlen = errlen };
	struct look first;
	int rc;

	memset(res, 0, sizeof(*res));
	nd_findings_init(&res->findings);
	if (o->given && o->mode == ND_DOCTOR_FIX) {
		snprintf(err, errlen, "--fix needs a live look to verify with, not --from");
		return -EINVAL;
	}
	r.journal_start = journal_live();
	rc = look(&r, &first);
	if (rc) {
		look_free(&first);
		return rc;
	}
	res->findings = first.fs;
	first.fs = (struct nd_findings){ 0 };
	look_free(&first);
	rc = nd_rules_eval(rs, &res->findings, &res->diagnoses);
	if (rc) {
		snprintf(err, errlen, "rules: %s", strerror(-rc));
		return rc;
	}
	if (o->mode == ND_DOCTOR_EXPLAIN)
		return 0;
	rc = fix_all(&r);
	look_free(&r.latest);
	if (rc == -EINTR || stopped(&r)) {
		char uerr[256];

		res->interrupted = true;
		undo_since(r.journal_start, uerr, sizeof(uerr));
		return 0;
	}
	if (o->mode == ND_DOCTOR_FIX) {
		res->healthy_after = true;
		for (size_t i = 0; i < res->diagnoses.n; i++) {
			bool fixed = false;

			if (res->diagnoses.v[i].rule->severity < ND_SEV_WARNING)
				continue;
			for (unsigned k = 0; k < res->nsteps; k++)
				fixed |= res->steps[k].diagnosis == i &&
					 (res->steps[k].outcome == ND_STEP_KEPT ||
					  res->steps[k].outcome == ND_STEP_GONE);
			res->healthy_after &= fixed;
		}
	}
	return rc;
}

void nd_doctor_result_free(struct nd_doctor_result *res)
{
	nd_findings_free(&res->findings);
	nd_diagnoses_free(&res->diagnoses);
}

void nd_doctor_json(const struct nd_doctor_result *res, struct nd_json *j)
{
	nd_json_key(j, "diagnoses");
	nd_diagnoses_json(&res->diagnoses, &res->findings, j);
	nd_json_key(j, "steps");
	nd_json_arr_open(j);
	for (unsigned i = 0; i < res->nsteps; i++) {
		const struct nd_doctor_step *s = &res->steps[i];

		nd_json_obj_open(j);
		nd_json_kv_str(j, "rule", res->diagnoses.v[s->diagnosis].rule->id);
		nd_json_kv_int(j, "remedy", s->remedy);
		nd_json_kv_str(j, "action", nd_remedy_action_name(s->action));
		nd_json_kv_str(j, "target", s->target);
		nd_json_kv_str(j, "change", s->change);
		nd_json_kv_str(j, "outcome", nd_step_outcome_name(s->outcome));
		nd_json_kv_str(j, "detail", s->detail);
		nd_json_obj_close(j);
	}
	nd_json_arr_close(j);
	nd_json_kv_uint(j, "looks", res->looks);
	nd_json_kv_bool(j, "interrupted", res->interrupted);
}
