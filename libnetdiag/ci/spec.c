/* The CI spec file: YAML (libyaml's event parser) to a small node tree
 * with positions, then each key checked against the table of what an
 * expectation of its kind takes.  Every complaint names FILE:LINE:COL. */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include <netdiag/names.h>
#include <netdiag/ci.h>
#include <netdiag/offload.h>

#include "ci_internal.h"

/* ---- the keys of each kind (a table: kind, key, reader) ---- */

typedef int (*key_reader)(struct spec_ctx *c, const struct ynode *y, struct nd_ci_expect *e);

static int k_exists(struct spec_ctx *c, const struct ynode *y, struct nd_ci_expect *e)
{
	bool v;
	int ret = ci_get_bool(c, y, "exists", &v);

	e->exists = v;
	return ret;
}

static int k_stp(struct spec_ctx *c, const struct ynode *y, struct nd_ci_expect *e)
{
	bool v;
	int ret = ci_get_bool(c, y, "stp", &v);

	e->stp = v;
	return ret;
}

static int k_fwd(struct spec_ctx *c, const struct ynode *y, struct nd_ci_expect *e)
{
	return ci_get_number(c, y, "forward_delay", 0, 30, &e->forward_delay);
}

static int k_mtu(struct spec_ctx *c, const struct ynode *y, struct nd_ci_expect *e)
{
	double v;
	int ret = ci_get_number(c, y, "mtu", 68, 65535, &v);

	if (!ret && v != floor(v))
		ret = fail_node(c, y, "mtu wants a whole number of bytes");
	e->mtu = (unsigned)v;
	return ret;
}

static int k_ports(struct spec_ctx *c, const struct ynode *y, struct nd_ci_expect *e)
{
	return ci_get_ifnames(c, y, "ports", e->ports, &e->nports);
}

static int k_device(struct spec_ctx *c, const struct ynode *y, struct nd_ci_expect *e)
{
	return ci_get_ifname(c, y, "device", e->device);
}

static int k_features(struct spec_ctx *c, const struct ynode *y, struct nd_ci_expect *e)
{
	if (y->type != Y_MAP || !y->n)
		return fail_node(c, y, "features wants a mapping of feature: on|off");
	if (y->n / 2 > ND_CI_NAMES_MAX)
		return fail_node(c, y, "features: at most %d", ND_CI_NAMES_MAX);
	for (size_t i = 0; i + 1 < y->n; i += 2) {
		const struct ynode *k = y->kids[i];
		const char *alias[24];
		int ret = ci_want_scalar(c, k, "a feature name");

		if (ret)
			return ret;
		if (strlen(k->text) >= sizeof(e->features[0].name) ||
		    !nd_feature_alias(k->text, alias, 24))
			return fail_node(c, k, "features: '%s' is not an offload feature", k->text);
		snprintf(e->features[e->nfeatures].name, sizeof(e->features[0].name), "%s", k->text);
		ret = ci_get_bool(c, y->kids[i + 1], k->text, &e->features[e->nfeatures].on);
		if (ret)
			return ret;
		e->nfeatures++;
	}
	return 0;
}

static int k_range(struct spec_ctx *c, const struct ynode *y, struct nd_ci_expect *e)
{
	char lo[48], *dash;
	int ret = ci_want_scalar(c, y, "range");

	if (ret)
		return ret;
	snprintf(lo, sizeof(lo), "%s", y->text);
	dash = strchr(lo, '-');
	if (dash)
		*dash++ = 0;
	if (!dash || inet_pton(AF_INET, lo, &e->range_lo) != 1 ||
	    inet_pton(AF_INET, dash, &e->range_hi) != 1 ||
	    ntohl(e->range_lo.s_addr) > ntohl(e->range_hi.s_addr))
		return fail_node(c, y, "range wants FIRST-LAST IPv4 addresses, not '%s'", y->text);
	e->has_range = true;
	return 0;
}

static int k_within(struct spec_ctx *c, const struct ynode *y, struct nd_ci_expect *e)
{
	return ci_get_number(c, y, "within", 0.1, 3600, &e->within);
}

static int k_resolve(struct spec_ctx *c, const struct ynode *y, struct nd_ci_expect *e)
{
	if (y->type == Y_SEQ) {
		/* names only: any answer will do */
		for (size_t i = 0; i < y->n; i++) {
			int ret = ci_want_scalar(c, y->kids[i], "a name to resolve");

			if (ret)
				return ret;
			if (e->nresolve == ND_CI_RESOLVE_MAX)
				return fail_node(c, y, "resolve: at most %d names", ND_CI_RESOLVE_MAX);
			snprintf(e->resolve[e->nresolve++].name, sizeof(e->resolve[0].name), "%s",
				 y->kids[i]->text);
		}
		return 0;
	}
	if (y->type != Y_MAP)
		return fail_node(c, y, "resolve wants a mapping of name: address, or a list of names");
	for (size_t i = 0; i + 1 < y->n; i += 2) {
		struct nd_ci_resolve *r = &e->resolve[e->nresolve];
		struct in_addr a;
		int ret = ci_want_scalar(c, y->kids[i], "a name to resolve");

		if (!ret)
			ret = ci_get_ipv4(c, y->kids[i + 1], y->kids[i]->text, &a);
		if (ret)
			return ret;
		if (e->nresolve == ND_CI_RESOLVE_MAX)
			return fail_node(c, y->kids[i], "resolve: at most %d names", ND_CI_RESOLVE_MAX);
		if (strchr(y->kids[i]->text, ',') || strlen(y->kids[i]->text) >= sizeof(r->name))
			return fail_node(c, y->kids[i], "'%s' is not a name", y->kids[i]->text);
		snprintf(r->name, sizeof(r->name), "%s", y->kids[i]->text);
		inet_ntop(AF_INET, &a, r->addr, sizeof(r->addr));
		e->nresolve++;
	}
	return 0;
}

static int k_rname(struct spec_ctx *c, const struct ynode *y, struct nd_ci_expect *e)
{
	int ret = ci_want_scalar(c, y, "name");

	if (!ret && (!y->text[0] || strlen(y->text) >= sizeof(e->route.name)))
		ret = fail_node(c, y, "a routed guest's name: 1 to %zu characters",
				sizeof(e->route.name) - 1);
	if (!ret)
		snprintf(e->route.name, sizeof(e->route.name), "%s", y->text);
	return ret;
}

static int k_dev(struct spec_ctx *c, const struct ynode *y, struct nd_ci_expect *e)
{
	return ci_get_ifname(c, y, "dev", e->route.dev);
}

static int k_address(struct spec_ctx *c, const struct ynode *y, struct nd_ci_expect *e)
{
	int ret = ci_want_scalar(c, y, "address");

	if (!ret && nd_parse_host_ipv4(y->text, &e->route.ip))
		ret = fail_node(c, y, "address wants an IPv4 address (or ADDR/32), not '%s'", y->text);
	return ret;
}

static int k_gateway(struct spec_ctx *c, const struct ynode *y, struct nd_ci_expect *e)
{
	return ci_get_ipv4(c, y, "gateway", &e->route.gateway);
}

static int k_mac(struct spec_ctx *c, const struct ynode *y, struct nd_ci_expect *e)
{
	int ret = ci_want_scalar(c, y, "mac");

	if (!ret && nd_mac_parse(y->text, NULL))
		ret = fail_node(c, y, "mac: '%s' is not a MAC address", y->text);
	if (!ret)
		snprintf(e->route.mac, sizeof(e->route.mac), "%s", y->text);
	return ret;
}

static int k_taps(struct spec_ctx *c, const struct ynode *y, struct nd_ci_expect *e)
{
	return ci_get_ifnames(c, y, "taps", e->taps, &e->ntaps);
}

static int k_seconds(struct spec_ctx *c, const struct ynode *y, struct nd_ci_expect *e)
{
	return ci_get_number(c, y, "seconds", 0.5, 3600, &e->seconds);
}

static const struct {
	enum nd_ci_kind kind;
	const char *key;
	key_reader read;
	bool required;
} keys[] = {
	{ ND_CI_BRIDGE, "exists", k_exists, false },
	{ ND_CI_BRIDGE, "stp", k_stp, false },
	{ ND_CI_BRIDGE, "forward_delay", k_fwd, false },
	{ ND_CI_BRIDGE, "mtu", k_mtu, false },
	{ ND_CI_BRIDGE, "ports", k_ports, false },
	{ ND_CI_OFFLOAD, "device", k_device, true },
	{ ND_CI_OFFLOAD, "features", k_features, true },
	{ ND_CI_LEASE, "range", k_range, false },
	{ ND_CI_LEASE, "within", k_within, false },
	{ ND_CI_LEASE, "resolve", k_resolve, false },
	{ ND_CI_PROBE_GUEST, "range", k_range, false },
	{ ND_CI_PROBE_GUEST, "within", k_within, false },
	{ ND_CI_PROBE_GUEST, "resolve", k_resolve, false },
	{ ND_CI_ROUTED, "name", k_rname, true },
	{ ND_CI_ROUTED, "dev", k_dev, true },
	{ ND_CI_ROUTED, "address", k_address, true },
	{ ND_CI_ROUTED, "gateway", k_gateway, false },
	{ ND_CI_ROUTED, "mac", k_mac, false },
	{ ND_CI_WATCH, "taps", k_taps, true },
	{ ND_CI_WATCH, "seconds", k_seconds, false },
};

static const char *const kind_names[ND_CI_KIND_COUNT] = {
	[ND_CI_BRIDGE] = "bridge", [ND_CI_OFFLOAD] = "offload", [ND_CI_LEASE] = "lease",
	[ND_CI_PROBE_GUEST] = "probe-guest", [ND_CI_ROUTED] = "routed", [ND_CI_WATCH] = "watch",
};

const char *nd_ci_kind_name(enum nd_ci_kind k)
{
	return (unsigned)k < ND_CI_KIND_COUNT ? kind_names[k] : "?";
}

static void key_list(enum nd_ci_kind kind, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = 0;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]) && n < len; i++)
		if (keys[i].kind == kind)
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? ", " : "", keys[i].key);
}

static void defaults(struct nd_ci_expect *e)
{
	memset(e, 0, sizeof(*e));
	e->exists = e->stp = -1;
	e->forward_delay = -1;
}

/* One item of `expect`: a mapping of one kind key (and `name`). */
static int read_expect(struct spec_ctx *c, const struct ynode *item, struct nd_ci_expect *e)
{
	const struct ynode *body = NULL, *kindkey = NULL;
	bool seen[sizeof(keys) / sizeof(keys[0])] = { false };
	int ret;

	defaults(e);
	e->line = item->line;
	if (item->type != Y_MAP)
		return fail_node(c, item, "an expectation is a mapping such as 'bridge: {...}'");
	for (size_t i = 0; i + 1 < item->n; i += 2) {
		const struct ynode *k = item->kids[i];
		bool found = false;

		if ((ret = ci_want_scalar(c, k, "a key")))
			return ret;
		if (!strcmp(k->text, "name")) {
			if ((ret = ci_want_scalar(c, item->kids[i + 1], "name")))
				return ret;
			snprintf(e->name, sizeof(e->name), "%s", item->kids[i + 1]->text);
			continue;
		}
		for (int kd = 0; kd < ND_CI_KIND_COUNT && !found; kd++)
			if (!strcmp(k->text, kind_names[kd])) {
				if (kindkey)
					return fail_node(c, k, "one kind per expectation ('%s' already "
							 "at line %u)", kindkey->text, kindkey->line);
				e->kind = (enum nd_ci_kind)kd;
				kindkey = k;
				body = item->kids[i + 1];
				found = true;
			}
		if (!found)
			return fail_node(c, k, "unknown key '%s' (kinds: bridge, offload, lease, "
					 "probe-guest, routed, watch; and name)", k->text);
	}
	if (!kindkey)
		return fail_node(c, item, "the expectation names no kind (bridge, offload, lease, "
				 "probe-guest, routed, watch)");
	/* `- lease:` alone, or `- lease: {}`, takes every default */
	if (body->type == Y_SCALAR && !body->text[0])
		goto check;
	if (body->type != Y_MAP)
		return fail_node(c, body, "%s wants a mapping of its settings", kindkey->text);
	for (size_t i = 0; i + 1 < body->n; i += 2) {
		const struct ynode *k = body->kids[i];
		size_t t;

		if ((ret = ci_want_scalar(c, k, "a key")))
			return ret;
		for (t = 0; t < sizeof(keys) / sizeof(keys[0]); t++)
			if (keys[t].kind == e->kind && !strcmp(keys[t].key, k->text))
				break;
		if (t == sizeof(keys) / sizeof(keys[0])) {
			char known[160];

			key_list(e->kind, known, sizeof(known));
			return fail_node(c, k, "unknown key '%s' in %s (known: %s)", k->text,
					 kindkey->text, known);
		}
		if (seen[t])
			return fail_node(c, k, "'%s' given twice", k->text);
		seen[t] = true;
		ret = keys[t].read(c, body->kids[i + 1], e);
		if (ret)
			return ret;
	}
check:
	for (size_t t = 0; t < sizeof(keys) / sizeof(keys[0]); t++)
		if (keys[t].kind == e->kind && keys[t].required && !seen[t])
			return fail_node(c, kindkey, "%s needs '%s'", kindkey->text, keys[t].key);
	if ((e->kind == ND_CI_LEASE || e->kind == ND_CI_PROBE_GUEST) && !e->within)
		e->within = e->kind == ND_CI_LEASE ? 10 : 120;
	if (e->kind == ND_CI_WATCH && !e->seconds)
		e->seconds = 10;
	return 0;
}

static int read_spec(struct spec_ctx *c, const struct ynode *root, struct nd_ci_spec *s)
{
	const struct ynode *expect = NULL;
	int ret;

	if (!root || root->type != Y_MAP)
		return ci_fail_at(c, root ? root->line : 1, root ? root->col : 1,
			       "a spec is a mapping with 'bridge' and 'expect'");
	for (size_t i = 0; i + 1 < root->n; i += 2) {
		const struct ynode *k = root->kids[i], *v = root->kids[i + 1];

		if ((ret = ci_want_scalar(c, k, "a key")))
			return ret;
		if (!strcmp(k->text, "bridge")) {
			if ((ret = ci_get_ifname(c, v, "bridge", s->bridge)))
				return ret;
		} else if (!strcmp(k->text, "expect")) {
			if (v->type != Y_SEQ)
				return fail_node(c, v, "expect wants a list of expectations");
			expect = v;
		} else {
			return fail_node(c, k, "unknown key '%s' (known: bridge, expect)", k->text);
		}
	}
	if (!s->bridge[0])
		return ci_fail_at(c, root->line, root->col, "the spec names no bridge");
	if (!expect || !expect->n)
		return ci_fail_at(c, root->line, root->col, "the spec has no expectations ('expect')");
	s->v = calloc(expect->n, sizeof(*s->v));
	if (!s->v)
		return -ENOMEM;
	for (size_t i = 0; i < expect->n; i++) {
		struct nd_ci_expect *e = &s->v[i];

		ret = read_expect(c, expect->kids[i], e);
		if (ret)
			return ret;
		s->n++;
		if (!e->name[0]) {
			char what[64] = "";

			if (e->kind == ND_CI_OFFLOAD)
				snprintf(what, sizeof(what), " %s", e->device);
			else if (e->kind == ND_CI_ROUTED)
				snprintf(what, sizeof(what), " %s", e->route.name);
			else if (e->kind == ND_CI_WATCH)
				snprintf(what, sizeof(what), " %s%s", e->taps[0], e->ntaps > 1 ? ",..." : "");
			snprintf(e->name, sizeof(e->name), "%s%s", kind_names[e->kind], what);
		}
		for (size_t j = 0; j < i; j++)
			if (!strcmp(s->v[j].name, e->name))
				return fail_node(c, expect->kids[i], "two expectations named '%s' "
						 "(give one a name:)", e->name);
	}
	return 0;
}

int nd_ci_spec_load(const char *path, struct nd_ci_spec *s, char *err, size_t errlen)
{
	struct spec_ctx c = { .path = path, .err = err, .errlen = errlen };
	struct ynode *root = NULL;
	FILE *in;
	int ret;

	memset(s, 0, sizeof(*s));
	snprintf(s->path, sizeof(s->path), "%s", path);
	in = fopen(path, "r");
	if (!in) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return ret;
	}
	ret = ci_yaml_tree(&c, in, &root);
	fclose(in);
	if (!ret)
		ret = read_spec(&c, root, s);
	ci_ynode_free(root);
	if (ret) {
		if (ret == -ENOMEM)
			snprintf(err, errlen, "%s: out of memory", path);
		nd_ci_spec_free(s);
	}
	return ret;
}

void nd_ci_spec_free(struct nd_ci_spec *s)
{
	free(s->v);
	s->v = NULL;
	s->n = 0;
}
