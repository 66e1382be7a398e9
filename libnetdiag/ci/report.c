/* A CI run for people (--list), for CI servers (JUnit) and programs (JSON). */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <netdiag/ci.h>
#include <netdiag/report.h>

static const char *const outcome_names[] = {
	[ND_CI_PASS] = "pass", [ND_CI_FAIL] = "fail", [ND_CI_SKIPPED] = "skipped",
};

static enum nd_severity fail_on(const struct nd_ci_expect *e)
{
	return e->kind == ND_CI_WATCH ? ND_SEV_ERROR : ND_SEV_WARNING;
}

#define PUT(...) do { if (n < len) n += (size_t)snprintf(buf + n, len - n, __VA_ARGS__); } while (0)

void nd_ci_describe(const struct nd_ci_spec *s, const struct nd_ci_expect *e, char *buf, size_t len)
{
	char lo[INET_ADDRSTRLEN], hi[INET_ADDRSTRLEN];
	size_t n = 0;

	buf[0] = 0;
	switch (e->kind) {
	case ND_CI_BRIDGE:
		PUT("%s %s", s->bridge, e->exists == 0 ? "does not exist" : "exists");
		if (e->stp >= 0)
			PUT(", stp %s", e->stp ? "on" : "off");
		if (e->forward_delay >= 0)
			PUT(", forward delay %g s", e->forward_delay);
		if (e->mtu)
			PUT(", mtu %u", e->mtu);
		if (e->nports)
			PUT(", ports");
		for (unsigned i = 0; i < e->nports; i++)
			PUT(" %s", e->ports[i]);
		break;
	case ND_CI_OFFLOAD:
		PUT("%s:", e->device);
		for (unsigned i = 0; i < e->nfeatures; i++)
			PUT(" %s %s", e->features[i].name, e->features[i].on ? "on" : "off");
		break;
	case ND_CI_LEASE:
	case ND_CI_PROBE_GUEST:
		PUT("%s on %s gets a lease", e->kind == ND_CI_LEASE ? "a new port" : "a probe guest",
		    s->bridge);
		if (e->has_range) {
			inet_ntop(AF_INET, &e->range_lo, lo, sizeof(lo));
			inet_ntop(AF_INET, &e->range_hi, hi, sizeof(hi));
			PUT(" from %s-%s", lo, hi);
		}
		PUT(" within %g s", e->within);
		for (unsigned i = 0; i < e->nresolve; i++)
			PUT("%s %s%s%s", i ? "," : "; resolves", e->resolve[i].name,
			    e->resolve[i].addr[0] ? " to " : "", e->resolve[i].addr);
		break;
	case ND_CI_ROUTED:
		inet_ntop(AF_INET, &e->route.ip, lo, sizeof(lo));
		PUT("routed guest %s: %s/32 via %s, proxy ARP, forwarding, rp_filter", e->route.name,
		    lo, e->route.dev);
		if (e->route.mac[0])
			PUT(", MAC %s", e->route.mac);
		break;
	case ND_CI_WATCH:
		PUT("watch");
		for (unsigned i = 0; i < e->ntaps; i++)
			PUT(" %s", e->taps[i]);
		PUT(" on %s for %g s: no error finding", s->bridge, e->seconds);
		break;
	default:
		break;
	}
}

int nd_ci_junit(const struct nd_ci_spec *s, const struct nd_ci_result *results, const char *path)
{
	struct nd_junit *j;
	int err = nd_junit_new(&j);

	if (err)
		return err;
	err = nd_junit_suite(j, s->bridge, s->n ? results[0].started : 0);
	for (unsigned i = 0; i < s->n && !err; i++) {
		const struct nd_ci_result *r = &results[i];

		err = nd_junit_case(j, s->bridge, s->v[i].name, r->seconds);
		if (!err && r->outcome == ND_CI_SKIPPED)
			err = nd_junit_skip(j, r->why);
		for (size_t k = 0; k < r->findings.n && !err; k++)
			if (r->findings.v[k].severity >= fail_on(&s->v[i]))
				err = nd_junit_fail_finding(j, &r->findings.v[k]);
	}
	if (!err)
		err = nd_junit_write(j, path);
	nd_junit_free(j);
	return err;
}

/* The findings of one expectation, in text those it failed on (with
 * verbose, every one) */
static void findings_print(const struct nd_ci_result *r, bool verbose, struct nd_out *o)
{
	/* JSON: every finding; text: ci's own lines, below */
	if (o->json)
		nd_report_findings(o, &r->findings);
	for (size_t k = 0; k < r->findings.n; k++) {
		const struct nd_finding *f = &r->findings.v[k];

		if (!verbose && (r->outcome != ND_CI_FAIL || f->severity == ND_SEV_INFO))
			continue;
		nd_out_text(o, "      %s %s%s%s: ", nd_severity_name(f->severity), f->id,
			    f->ifname[0] ? " on " : "", f->ifname);
		nd_out_text_str(o, f->summary);
		nd_out_text(o, "\n");
	}
}

static void expect_print(const struct nd_ci_spec *s, unsigned i,
			 const struct nd_ci_result *results, bool verbose, struct nd_out *o)
{
	static const char *const label[] = { "PASS", "FAIL", "SKIP" };
	const struct nd_ci_expect *e = &s->v[i];
	const struct nd_ci_result *r = results ? &results[i] : NULL;
	char what[512];

	nd_out_obj_open(o, ND_OUT_ITEM);
	if (r)
		nd_out_text(o, "%s  ", label[r->outcome]);
	nd_out_str(o, "name", "%-20s ", e->name);
	/* --list names the kind, a run how long it took */
	nd_out_str(o, "kind", r ? NULL : "%-12s ", nd_ci_kind_name(e->kind));
	nd_out_uint(o, "line", NULL, e->line);
	if (r)
		nd_out_double(o, NULL, "%6.1f s  ", r->seconds);
	nd_ci_describe(s, e, what, sizeof(what));
	nd_out_str(o, "checks", "%s\n", what);
	if (r) {
		nd_out_str(o, "outcome", NULL, outcome_names[r->outcome]);
		nd_out_double(o, "seconds", NULL, r->seconds);
		if (r->why[0])
			nd_out_str(o, "reason", NULL, r->why);
		if (r->outcome == ND_CI_SKIPPED)
			nd_out_str(o, NULL, "      could not run: %s\n", r->why);
		findings_print(r, verbose, o);
	}
	nd_out_obj_close(o);
}

void nd_ci_print(const struct nd_ci_spec *s, const struct nd_ci_result *results, bool verbose,
		 struct nd_out *o)
{
	unsigned failed = 0, skipped = 0;

	nd_out_str(o, "spec", NULL, s->path);
	nd_out_str(o, "bridge", NULL, s->bridge);
	nd_out_arr_open(o, "expectations");
	for (unsigned i = 0; i < s->n; i++)
		expect_print(s, i, results, verbose, o);
	nd_out_arr_close(o);
	if (!results)
		return;
	for (unsigned i = 0; i < s->n; i++) {
		failed += results[i].outcome == ND_CI_FAIL;
		skipped += results[i].outcome == ND_CI_SKIPPED;
	}
	nd_out_uint(o, "passed", "ci: %" PRIu64 " passed, ", s->n - failed - skipped);
	nd_out_uint(o, "failed", "%" PRIu64 " failed, ", failed);
	nd_out_uint(o, "skipped", "%" PRIu64 " skipped\n", skipped);
}
