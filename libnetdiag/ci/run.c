/* Running a CI spec: each expectation through the library's own pieces
 * (host inspection, ethtool features, the active probe, the launcher's
 * probe guest, the routed-guest check, a live check), its verdict as
 * findings: any at warning or worse (error for a watch) fails it. */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <netdiag/clock.h>
#include <netdiag/active.h>
#include <netdiag/check.h>
#include <netdiag/ci.h>
#include <netdiag/host.h>
#include <netdiag/offload.h>
#include <netdiag/route.h>
#include <netdiag/vm.h>

/* A failed part of an expectation as a finding on `ifname`. */
static struct nd_finding *miss(struct nd_ci_result *r, const char *id, const char *ifname)
{
	struct nd_finding *f = nd_findings_add(&r->findings, id, ND_SEV_ERROR);

	if (f && ifname)
		snprintf(f->ifname, sizeof(f->ifname), "%s", ifname);
	return f;
}

static int copy_finding(struct nd_ci_result *r, const struct nd_finding *f)
{
	struct nd_finding *c = nd_findings_add(&r->findings, f->id, f->severity);

	if (!c)
		return -ENOMEM;
	*c = *f;
	return 0;
}

static bool in_range(const struct nd_ci_expect *e, const char *addr)
{
	struct in_addr a;

	if (!e->has_range)
		return true;
	if (inet_pton(AF_INET, addr, &a) != 1)
		return false;
	return ntohl(a.s_addr) >= ntohl(e->range_lo.s_addr) &&
	       ntohl(a.s_addr) <= ntohl(e->range_hi.s_addr);
}

static void range_text(const struct nd_ci_expect *e, char *buf, size_t len)
{
	char lo[INET_ADDRSTRLEN], hi[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &e->range_lo, lo, sizeof(lo));
	inet_ntop(AF_INET, &e->range_hi, hi, sizeof(hi));
	snprintf(buf, len, "%s-%s", lo, hi);
}

/* addr one of the comma-separated answers? */
static bool answered_with(const char *answers, const char *addr)
{
	size_t n = strlen(addr);

	for (const char *s = answers; s && *s; s = strchr(s, ',') ? strchr(s, ',') + 1 : NULL)
		if (!strncmp(s, addr, n) && (s[n] == ',' || !s[n]))
			return true;
	return false;
}

/* ---- bridge ---- */

static const struct nd_link_info *port_of(const struct nd_bridge_info *b, const char *name)
{
	for (unsigned i = 0; i < b->nports; i++)
		if (!strcmp(b->ports[i].name, name))
			return &b->ports[i];
	return NULL;
}

static int run_bridge(const struct nd_ci_spec *s, const struct nd_ci_expect *e,
		      struct nd_ci_result *r)
{
	struct nd_host_opts o = { .bridge = s->bridge };
	struct nd_host_report rep = { 0 };
	struct nd_findings host;
	const struct nd_bridge_info *b;
	struct nd_finding *f;
	int ret;

	nd_findings_init(&host);
	ret = nd_host_inspect(&o, &rep, &host, r->why, sizeof(r->why));
	nd_findings_free(&host);
	if (ret == -ENODEV) {
		r->why[0] = 0;
		if (e->exists != 0 && (f = miss(r, "ci.bridge-missing", s->bridge)))
			nd_finding_summary(f, "%s does not exist", s->bridge);
		ret = 0;
		goto out;
	}
	if (ret)
		goto out;
	b = rep.nbridges ? &rep.bridges[0] : NULL;
	if (!b) {
		snprintf(r->why, sizeof(r->why), "%s: not reported", s->bridge);
		ret = -ENODEV;
		goto out;
	}
	if (e->exists == 0 && (f = miss(r, "ci.bridge-exists", s->bridge)))
		nd_finding_summary(f, "%s exists and the spec says it should not", s->bridge);
	if (e->stp >= 0 && b->stp != (bool)e->stp && (f = miss(r, "ci.bridge-stp", s->bridge))) {
		nd_finding_set_str(f, "want", e->stp ? "on" : "off");
		nd_finding_set_str(f, "got", b->stp ? "on" : "off");
		nd_finding_summary(f, "STP is %s, the spec says %s", b->stp ? "on" : "off",
				   e->stp ? "on" : "off");
	}
	if (e->forward_delay >= 0 && fabs(b->forward_delay - e->forward_delay) > 0.05 &&
	    (f = miss(r, "ci.bridge-forward-delay", s->bridge))) {
		nd_finding_set_double(f, "want", e->forward_delay);
		nd_finding_set_double(f, "got", b->forward_delay);
		nd_finding_summary(f, "forward delay is %.1f s, the spec says %.1f s",
				   b->forward_delay, e->forward_delay);
	}
	if (e->mtu && b->link.mtu != e->mtu && (f = miss(r, "ci.mtu", s->bridge))) {
		nd_finding_set_int(f, "want", e->mtu);
		nd_finding_set_int(f, "got", b->link.mtu);
		nd_finding_summary(f, "MTU %u, the spec says %u", b->link.mtu, e->mtu);
	}
	for (unsigned i = 0; i < e->nports; i++) {
		const struct nd_link_info *p = port_of(b, e->ports[i]);

		if (!p) {
			if ((f = miss(r, "ci.port-missing", e->ports[i])))
				nd_finding_summary(f, "%s is not a port of %s", e->ports[i], s->bridge);
			continue;
		}
		/* a port below the bridge's MTU drops what the others send */
		if (e->mtu && p->mtu != e->mtu && (f = miss(r, "ci.mtu", p->name))) {
			nd_finding_set_int(f, "want", e->mtu);
			nd_finding_set_int(f, "got", p->mtu);
			nd_finding_summary(f, "port MTU %u, the spec says %u", p->mtu, e->mtu);
		}
	}
out:
	nd_host_report_free(&rep);
	return ret;
}

/* ---- offload ---- */

static int run_offload(const struct nd_ci_spec *s, const struct nd_ci_expect *e,
		       struct nd_ci_result *r)
{
	struct nd_features *fs = calloc(1, sizeof(*fs));
	struct nd_ethtool *et = NULL;
	int ret = fs ? nd_ethtool_open(&et) : -ENOMEM;

	if (ret) {
		snprintf(r->why, sizeof(r->why), "ethtool netlink: %s", strerror(-ret));
		goto out;
	}
	ret = nd_offload_get(et, e->device, fs);
	if (ret) {
		snprintf(r->why, sizeof(r->why), "%s: %s", e->device,
			 ret == -ENODEV ? "no such device" : strerror(-ret));
		goto out;
	}
	for (unsigned i = 0; i < e->nfeatures; i++) {
		const char *names[8];
		unsigned n = nd_feature_alias(e->features[i].name, names, 8), have = 0;
		struct nd_finding *f;
		char wrong[ND_FIELD_STR_MAX] = "";
		size_t used = 0;

		for (unsigned k = 0; k < n; k++) {
			const struct nd_feature *ft = nd_feature_find(fs, names[k]);

			if (!ft)
				continue;
			have++;
			if (ft->active != e->features[i].on && used < sizeof(wrong))
				used += (size_t)snprintf(wrong + used, sizeof(wrong) - used, "%s%s",
							 used ? "," : "", ft->name);
		}
		if (!have && (f = miss(r, "ci.offload-unknown", e->device))) {
			nd_finding_set_str(f, "feature", e->features[i].name);
			nd_finding_summary(f, "%s has no offload feature %s", e->device,
					   e->features[i].name);
		} else if (wrong[0] && (f = miss(r, "ci.offload", e->device))) {
			nd_finding_set_str(f, "feature", e->features[i].name);
			nd_finding_set_str(f, "want", e->features[i].on ? "on" : "off");
			nd_finding_set_str(f, "wrong", wrong);
			nd_finding_summary(f, "%s is %s on %s (%s), the spec says %s",
					   e->features[i].name, e->features[i].on ? "off" : "on",
					   e->device, wrong, e->features[i].on ? "on" : "off");
		}
	}
out:
	if (et)
		nd_ethtool_close(et);
	free(fs);
	return ret;
}

/* ---- lease: the active probe ---- */

static void resolve_list(const struct nd_ci_expect *e, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = 0;
	for (unsigned i = 0; i < e->nresolve && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? "," : "", e->resolve[i].name);
}

/* the answer for one expected name against what was asked */
static void judge_answer(struct nd_ci_result *r, const char *bridge, const struct nd_ci_resolve *want,
			 bool answered, const char *answers)
{
	struct nd_finding *f;

	if (!answered) {
		if ((f = miss(r, "ci.dns-no-answer", bridge))) {
			nd_finding_set_str(f, "name", want->name);
			nd_finding_summary(f, "no answer for %s", want->name);
		}
	} else if (want->addr[0] && !answered_with(answers, want->addr) &&
		   (f = miss(r, "ci.dns-mismatch", bridge))) {
		nd_finding_set_str(f, "name", want->name);
		nd_finding_set_str(f, "want", want->addr);
		nd_finding_set_str(f, "got", answers[0] ? answers : "(no address)");
		nd_finding_summary(f, "%s resolved to %s, the spec says %s", want->name,
				   answers[0] ? answers : "no address", want->addr);
	}
}

static void judge_lease(struct nd_ci_result *r, const struct nd_ci_expect *e, const char *bridge,
			const char *addr, double seconds)
{
	struct nd_finding *f;
	char range[40];

	if (!in_range(e, addr) && (f = miss(r, "ci.lease-out-of-range", bridge))) {
		range_text(e, range, sizeof(range));
		nd_finding_set_str(f, "address", addr);
		nd_finding_set_str(f, "range", range);
		nd_finding_summary(f, "leased %s, outside %s", addr, range);
	}
	if (seconds > e->within && (f = miss(r, "ci.lease-slow", bridge))) {
		nd_finding_set_double(f, "seconds", seconds);
		nd_finding_set_double(f, "within", e->within);
		nd_finding_summary(f, "the lease took %.1f s, the spec allows %g s", seconds, e->within);
	}
}

static int run_lease(const struct nd_ci_spec *s, const struct nd_ci_expect *e,
		     struct nd_ci_result *r)
{
	char names[ND_CI_RESOLVE_MAX * 130];
	struct nd_active_opts o = { .bridge = s->bridge, .timeout = e->within };
	struct nd_findings fs;
	const struct nd_finding *lease;
	int ret;

	resolve_list(e, names, sizeof(names));
	o.resolve = names[0] ? names : NULL;
	nd_findings_init(&fs);
	ret = nd_active_probe(&o, &fs, r->why, sizeof(r->why));
	if (ret)
		goto out;
	for (size_t i = 0; i < fs.n && !ret; i++)
		ret = copy_finding(r, &fs.v[i]);
	lease = nd_findings_find(&fs, "active.lease", NULL);
	if (!lease)
		goto out;
	judge_lease(r, e, s->bridge, nd_finding_field(lease, "address")->v.s,
		    nd_finding_field(lease, "seconds")->v.d);
	for (unsigned i = 0; i < e->nresolve; i++) {
		const struct nd_finding *a = NULL, *unanswered = NULL;

		for (size_t k = 0; k < fs.n; k++) {
			const struct nd_field *n = nd_finding_field(&fs.v[k], "name");

			if (!n || strcmp(n->v.s, e->resolve[i].name))
				continue;
			if (!strcmp(fs.v[k].id, "active.dns-answer"))
				a = &fs.v[k];
			else if (!strcmp(fs.v[k].id, "active.dns-no-answer"))
				unanswered = &fs.v[k];
		}
		/* an unanswered lookup is already an active.dns-no-answer error;
		 * a lease without a resolver gets no lookup at all */
		if (a)
			judge_answer(r, s->bridge, &e->resolve[i], true,
				     nd_finding_field(a, "answers") ? nd_finding_field(a, "answers")->v.s : "");
		else if (!unanswered)
			judge_answer(r, s->bridge, &e->resolve[i], false, "");
	}
out:
	nd_findings_free(&fs);
	return ret;
}

/* ---- probe guest: the launcher ---- */

static int run_probe_guest(const struct nd_ci_spec *s, const struct nd_ci_expect *e,
			   struct nd_ci_result *r, volatile sig_atomic_t *stop)
{
	char names[ND_CI_RESOLVE_MAX * 130], vm[ND_VM_NAME_MAX];
	struct nd_vm_config c = { .bridge = s->bridge };
	struct nd_vm_probe_files *files = calloc(1, sizeof(*files));
	struct nd_vm_probe_result *res = calloc(1, sizeof(*res));
	struct nd_vm_probe_opts o = { .guest_report = true, .timeout_s = e->within, .stop = stop };
	const struct nd_vm_probe_nic *nic;
	struct nd_findings fs;
	int ret;

	nd_findings_init(&fs);
	if (!files || !res) {
		ret = -ENOMEM;
		goto out;
	}
	snprintf(vm, sizeof(vm), "ndci-%d", (int)getpid());
	c.name = vm;
	resolve_list(e, names, sizeof(names));
	ret = nd_vm_probe_config(&c, files, names[0] ? names : NULL, false, r->why, sizeof(r->why));
	if (ret)
		goto out;
	ret = nd_vm_probe_run(&c, &o, res, &fs, r->why, sizeof(r->why));
	if (ret < 0)
		goto out;
	ret = 0;
	/* the guest's own account, and the launcher's (vm.crashed, vm.timeout) */
	for (size_t i = 0; i < fs.n && !ret; i++)
		if (!strncmp(fs.v[i].id, "guest.", 6) || !strncmp(fs.v[i].id, "vm.", 3))
			ret = copy_finding(r, &fs.v[i]);
	nic = res->guest.nnics ? &res->guest.nics[0] : NULL;
	if (!nic || !nic->leased) {
		if (!nd_findings_find(&r->findings, "guest.no-lease", NULL)) {
			struct nd_finding *f = miss(r, "ci.no-lease", s->bridge);

			if (f)
				nd_finding_summary(f, "the probe guest got no lease in %g s", e->within);
		}
		goto out;
	}
	judge_lease(r, e, s->bridge, nic->ip, nic->ms / 1000);
	for (unsigned i = 0; i < e->nresolve; i++) {
		char answers[ND_FIELD_STR_MAX] = "";
		bool answered = false;
		size_t used = 0;

		for (unsigned k = 0; k < res->guest.ndns; k++) {
			const struct nd_vm_probe_dns *d = &res->guest.dns[k];

			if (strcmp(d->name, e->resolve[i].name) || !d->ok)
				continue;
			answered = true;
			if (used < sizeof(answers))
				used += (size_t)snprintf(answers + used, sizeof(answers) - used, "%s%s",
							 used ? "," : "", d->addr);
		}
		judge_answer(r, s->bridge, &e->resolve[i], answered, answers);
	}
out:
	if (res)
		nd_vm_probe_result_free(res);
	free(res);
	free(files);
	nd_findings_free(&fs);
	return ret;
}

/* ---- routed guest ---- */

static int run_routed(const struct nd_ci_spec *s, const struct nd_ci_expect *e,
		      struct nd_ci_result *r)
{
	int ret = nd_route_guest_check(&e->route, &r->findings);

	if (ret)
		snprintf(r->why, sizeof(r->why), "%s: %s", e->route.name, strerror(-ret));
	return ret;
}

/* ---- watch: a passive check ---- */

static int run_watch(const struct nd_ci_spec *s, const struct nd_ci_expect *e,
		     struct nd_ci_result *r, volatile sig_atomic_t *stop)
{
	struct nd_check_opts o = { .bridge = s->bridge, .duration = e->seconds, .stop = stop };
	struct nd_check_result *res = calloc(1, sizeof(*res));
	uint64_t traffic = 0;
	int ret;

	if (!res)
		return -ENOMEM;
	for (unsigned i = 0; i < e->ntaps; i++)
		o.taps[o.ntaps++] = e->taps[i];
	ret = nd_check_run(&o, res, &r->findings, r->why, sizeof(r->why));
	if (!ret) {
		for (unsigned i = 0; i < res->nverdicts; i++)
			if (strcmp(res->verdicts[i].name, "host") &&
			    res->verdicts[i].verdict != ND_VERDICT_NOT_SEEN)
				traffic++;
		/* nothing to judge is no pass: say so, unless something failed */
		if (!traffic && !nd_findings_count_at_least(&r->findings, ND_SEV_ERROR))
			snprintf(r->why, sizeof(r->why), "no DHCP, DNS or UDP traffic seen on "
				 "%s%s in %g s", e->taps[0], e->ntaps > 1 ? ",..." : "", e->seconds);
	}
	nd_check_result_free(res);
	free(res);
	return ret;
}

int nd_ci_run(const struct nd_ci_spec *s, struct nd_ci_result *results,
	      volatile sig_atomic_t *stop)
{
	for (unsigned i = 0; i < s->n; i++) {
		const struct nd_ci_expect *e = &s->v[i];
		struct nd_ci_result *r = &results[i];
		enum nd_severity fail_on = e->kind == ND_CI_WATCH ? ND_SEV_ERROR : ND_SEV_WARNING;
		double t0 = nd_mono_s();
		int ret = 0;

		memset(r, 0, sizeof(*r));
		nd_findings_init(&r->findings);
		r->started = (double)time(NULL);
		if (stop && *stop) {
			r->outcome = ND_CI_SKIPPED;
			snprintf(r->why, sizeof(r->why), "interrupted");
			continue;
		}
		switch (e->kind) {
		case ND_CI_BRIDGE: ret = run_bridge(s, e, r); break;
		case ND_CI_OFFLOAD: ret = run_offload(s, e, r); break;
		case ND_CI_LEASE: ret = run_lease(s, e, r); break;
		case ND_CI_PROBE_GUEST: ret = run_probe_guest(s, e, r, stop); break;
		case ND_CI_ROUTED: ret = run_routed(s, e, r); break;
		case ND_CI_WATCH: ret = run_watch(s, e, r, stop); break;
		default: ret = -EINVAL; break;
		}
		r->seconds = nd_mono_s() - t0;
		if (ret == -ENOMEM)
			return ret;
		if (ret) {
			r->outcome = ND_CI_SKIPPED;
			if (!r->why[0])
				snprintf(r->why, sizeof(r->why), "%s", strerror(-ret));
		} else if (nd_findings_count_at_least(&r->findings, fail_on)) {
			r->outcome = ND_CI_FAIL;
			r->why[0] = 0;
		} else {
			r->outcome = r->why[0] ? ND_CI_SKIPPED : ND_CI_PASS;
		}
		nd_findings_sort(&r->findings);
	}
	return 0;
}

void nd_ci_results_free(struct nd_ci_result *results, unsigned n)
{
	for (unsigned i = 0; results && i < n; i++)
		nd_findings_free(&results[i].findings);
}
