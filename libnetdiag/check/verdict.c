/* The verdict lines of a check: one per kind of traffic or host state,
 * each ok, warning, error, or "not seen" when there was no evidence to
 * judge by (a check that saw no DHCP says nothing about DHCP). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <netdiag/check.h>

struct check_kind {
	const char *name;
	const char *prefixes[7];
	uint64_t (*evidence)(const struct nd_check_opts *o, const struct nd_check_result *res);
};

static uint64_t dhcp_frames(const struct nd_check_opts *o, const struct nd_check_result *res)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < res->npoints; i++)
		n += res->points[i].dhcp4_client + res->points[i].dhcp4_server + res->points[i].dhcp6;
	return n;
}

static uint64_t dns_frames(const struct nd_check_opts *o, const struct nd_check_result *res)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < res->npoints; i++)
		n += res->points[i].dns_query + res->points[i].dns_reply;
	return n;
}

/* UDP and TCP segments whose checksum could be judged */
static uint64_t csum_frames(const struct nd_check_opts *o, const struct nd_check_result *res)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < res->analysis.npoints; i++)
		for (int c = ND_CSUM_OK; c < ND_CSUM_UNVERIFIABLE; c++)
			n += res->analysis.points[i].csum[ND_LAYER_UDP][c] +
			     res->analysis.points[i].csum[ND_LAYER_TCP][c];
	return n;
}

static uint64_t host_checks(const struct nd_check_opts *o, const struct nd_check_result *res)
{
	return 1;
}

/* Loss inside the host can be placed only with the guest's messages on
 * a tap and a point where they should leave. */
static uint64_t path_frames(const struct nd_check_opts *o, const struct nd_check_result *res)
{
	uint64_t n = 0;

	if (!o->ntaps || (!o->uplink && !o->bridge))
		return 0;
	for (unsigned i = 0; i < o->ntaps && i < res->npoints; i++)
		n += res->points[i].dhcp4_client + res->points[i].dns_query;
	return n;
}

static uint64_t active_ran(const struct nd_check_opts *o, const struct nd_check_result *res)
{
	return 1;
}

static const struct check_kind kinds[] = {
	{ "dhcp", { "dhcp4.", "dhcp6.", NULL }, dhcp_frames },
	{ "dns", { "dns.", NULL }, dns_frames },
	{ "checksums", { "csum.", NULL }, csum_frames },
	{ "host", { "link.", "bridge.", "mtu.", "rpfilter.", "brnf.", "offload.", NULL },
	  host_checks },
	{ "path", { "path.", NULL }, path_frames },
	{ "active", { "active.", NULL }, active_ran },
};

const char *nd_verdict_name(enum nd_verdict v)
{
	static const char *const names[] = {
		[ND_VERDICT_OK] = "ok", [ND_VERDICT_NOT_SEEN] = "not-seen",
		[ND_VERDICT_WARNING] = "warning", [ND_VERDICT_ERROR] = "error",
	};

	return (unsigned)v < sizeof(names) / sizeof(names[0]) ? names[v] : "?";
}

static bool belongs(const struct check_kind *k, const struct nd_finding *f)
{
	for (unsigned p = 0; k->prefixes[p]; p++)
		if (!strncmp(f->id, k->prefixes[p], strlen(k->prefixes[p])))
			return true;
	return false;
}

/* name as a whole word of the comma-separated list */
static bool listed(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *s = list; s && *s; s = strchr(s, ',') ? strchr(s, ',') + 1 : NULL)
		if (!strncmp(s, name, n) && (s[n] == ',' || !s[n]))
			return true;
	return false;
}

bool nd_check_names_valid(const char *list, char *bad, size_t len)
{
	for (const char *s = list; s && *s;) {
		size_t n = strcspn(s, ",");
		bool known = false;

		for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
			known |= strlen(kinds[k].name) == n && !strncmp(kinds[k].name, s, n);
		if (!known || !n) {
			snprintf(bad, len, "%.*s", (int)n, s);
			return false;
		}
		s += n + (s[n] == ',');
	}
	return true;
}

static int not_seen(const struct nd_check_result *res, const struct nd_check_verdict *v,
		    struct nd_findings *fs)
{
	struct nd_finding *f = nd_findings_add(fs, "check.not-seen", ND_SEV_ERROR);

	if (!f)
		return -ENOMEM;
	nd_finding_subject(f, "%s", v->name);
	nd_finding_set_str(f, "check", v->name);
	nd_finding_set_double(f, "seconds", res->seconds);
	nd_finding_summary(f, "no %s traffic seen in %.1f s, and --require names it", v->name,
			   res->seconds);
	return 0;
}

int nd_check_verdicts(const struct nd_check_opts *o, struct nd_check_result *res,
		      struct nd_findings *fs)
{
	res->nverdicts = 0;
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		struct nd_check_verdict *v = &res->verdicts[res->nverdicts];
		size_t used = 0;

		if (!strcmp(kinds[k].name, "active") && !o->active)
			continue;
		memset(v, 0, sizeof(*v));
		v->name = kinds[k].name;
		v->evidence = kinds[k].evidence(o, res);
		v->required = listed(o->require, v->name);
		v->verdict = v->evidence ? ND_VERDICT_OK : ND_VERDICT_NOT_SEEN;
		for (size_t i = 0; i < fs->n; i++) {
			const struct nd_finding *f = &fs->v[i];

			if (f->severity < ND_SEV_WARNING || !belongs(&kinds[k], f))
				continue;
			/* a finding is evidence too (a host check without frames) */
			if (f->severity == ND_SEV_ERROR || v->verdict != ND_VERDICT_ERROR)
				v->verdict = f->severity == ND_SEV_ERROR ? ND_VERDICT_ERROR
					     : ND_VERDICT_WARNING;
			if (!strstr(v->findings, f->id))
				used += (size_t)snprintf(v->findings + used,
							 used < sizeof(v->findings)
							 ? sizeof(v->findings) - used : 0,
							 "%s%s", used ? "," : "", f->id);
		}
		res->nverdicts++;
		if (v->required && v->verdict == ND_VERDICT_NOT_SEEN && not_seen(res, v, fs))
			return -ENOMEM;
	}
	return 0;
}
