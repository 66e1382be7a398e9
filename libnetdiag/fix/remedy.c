/* The kinds of change a rule's remedy can name, as a table: how each is
 * shown (target, change) and applied through the journal. */
#include <errno.h>
#include <ifaddrs.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netdiag/bridge.h>
#include <netdiag/journal.h>
#include <netdiag/linkset.h>
#include <netdiag/nft.h>

#include "doctor_internal.h"

/* The tx checksum features of dev that are on and changeable. */
unsigned remedy_tx_on(struct nd_ethtool *e, const char *dev, const char *names[TX_NAMES_MAX])
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

/* Candidates for the offload guide, least blast first: the device that
 * owns the sender's address, the guest's tap, its bridge, the bridge's
 * other ports; only those with TX checksum offload on.  A sender on the
 * bridge itself (libvirt's dnsmasq on virbr0) puts the bridge after the
 * tap: the bridge's offload concerns every guest, the tap's one. */
unsigned remedy_offload_candidates(const char *tap, const char *src,
				   char out[GUIDE_CANDIDATES_MAX][IF_NAMESIZE])
{
	char cand[GUIDE_CANDIDATES_MAX * 2][IF_NAMESIZE];
	const char *names[TX_NAMES_MAX];
	unsigned n = 0, k = 0;
	struct nd_ethtool *e;
	struct ifaddrs *ifa = NULL;

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
			if (!strcmp(text, src) && !nd_is_bridge(a->ifa_name))
				snprintf(cand[n++], IF_NAMESIZE, "%s", a->ifa_name);
		}
		freeifaddrs(ifa);
	}
	snprintf(cand[n++], IF_NAMESIZE, "%s", tap);
	if (nd_bridge_of(tap, cand[n]) == 0) {
		char ports[GUIDE_CANDIDATES_MAX * 2][IF_NAMESIZE];
		unsigned np = nd_bridge_ports(cand[n], ports, GUIDE_CANDIDATES_MAX * 2 - n - 1);

		n++;
		for (unsigned i = 0; i < np; i++)
			if (strcmp(ports[i], tap))
				snprintf(cand[n++], IF_NAMESIZE, "%s", ports[i]);
	}
	if (nd_ethtool_open(&e))
		return 0;
	for (unsigned i = 0; i < n && k < GUIDE_CANDIDATES_MAX; i++) {
		bool dup = false;

		for (unsigned j = 0; j < k; j++)
			dup |= !strcmp(out[j], cand[i]);
		if (!dup && remedy_tx_on(e, cand[i], names))
			snprintf(out[k++], IF_NAMESIZE, "%s", cand[i]);
	}
	nd_ethtool_close(e);
	return k;
}

int remedy_offload_off(struct nd_doctor_step *s, const char *dev, const char *features,
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
	n = remedy_tx_on(e, dev, names);
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

static int sysctl_apply(struct nd_doctor_step *s, const char *value, char *err, size_t errlen)
{
	const char *path = s->target;
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

static void expand_arg(const struct nd_diagnosis *d, const struct nd_rule_remedy *m,
		       const char *key, char *out, size_t len)
{
	nd_rule_expand(d, nd_remedy_arg(m, key), out, len);
}

static int offload_apply(struct nd_doctor_step *s, const char *value, char *err, size_t errlen)
{
	return remedy_offload_off(s, s->target, value, err, errlen);
}

/* The offload guide's target lists its candidates, in the order it tries
 * them; doctor_guide applies it, one device at a time. */
static void guide_describe(const struct nd_diagnosis *d, const struct nd_rule_remedy *m,
			   struct nd_doctor_step *s, char *value, size_t vlen)
{
	char tap[ND_RULE_VALUE_MAX], cands[GUIDE_CANDIDATES_MAX][IF_NAMESIZE];
	unsigned n;

	expand_arg(d, m, "tap", tap, sizeof(tap));
	n = remedy_offload_candidates(tap, nd_diagnosis_var(d, "src"), cands);
	for (unsigned i = 0; i < n; i++) {
		size_t used = strlen(s->target);

		snprintf(s->target + used, sizeof(s->target) - used, "%s%s", i ? "," : "", cands[i]);
	}
	snprintf(s->change, sizeof(s->change), "tx off, one device at a time");
}

static void sysctl_describe(const struct nd_diagnosis *d, const struct nd_rule_remedy *m,
			    struct nd_doctor_step *s, char *value, size_t vlen)
{
	expand_arg(d, m, "path", s->target, sizeof(s->target));
	expand_arg(d, m, "value", value, vlen);
	snprintf(s->change, sizeof(s->change), "%s", value);
}

static void offload_describe(const struct nd_diagnosis *d, const struct nd_rule_remedy *m,
			     struct nd_doctor_step *s, char *value, size_t vlen)
{
	expand_arg(d, m, "dev", s->target, sizeof(s->target));
	expand_arg(d, m, "features", value, vlen);
	snprintf(s->change, sizeof(s->change), "%s off", value);
}

/* A remedy's journaled change through one of the library's setters:
 * open the journal, call, close; the setters say 1 for "already so". */
static int journaled(int (*set)(struct nd_journal *j, const char *obj, const char *key,
				const char *value, char *err, size_t errlen),
		     const char *obj, const char *key, const char *value, char *err, size_t errlen)
{
	struct nd_journal *j;
	int rc = nd_journal_open(&j, err, errlen);

	if (rc)
		return rc;
	rc = set(j, obj, key, value, err, errlen);
	nd_journal_close(j);
	return rc;
}

static int set_mtu(struct nd_journal *j, const char *dev, const char *key, const char *value,
		   char *err, size_t errlen)
{
	char *end;
	unsigned long mtu = strtoul(value, &end, 10);

	if (*end || !mtu || mtu > 65535) {
		snprintf(err, errlen, "%s: '%s' is no MTU", dev, value);
		return -EINVAL;
	}
	return nd_link_set_mtu(j, dev, (unsigned)mtu, err, errlen);
}

static int set_bridge(struct nd_journal *j, const char *br, const char *key, const char *value,
		      char *err, size_t errlen)
{
	char *end;
	long v = strtol(value, &end, 10);

	if (*end || !*value) {
		snprintf(err, errlen, "%s: %s: '%s' is no number", br, key, value);
		return -EINVAL;
	}
	return nd_bridge_set(j, br, key, v, err, errlen);
}

static void mtu_describe(const struct nd_diagnosis *d, const struct nd_rule_remedy *m,
			 struct nd_doctor_step *s, char *value, size_t vlen)
{
	expand_arg(d, m, "dev", s->target, sizeof(s->target));
	expand_arg(d, m, "mtu", value, vlen);
	snprintf(s->change, sizeof(s->change), "mtu %s", value);
}

static int mtu_apply(struct nd_doctor_step *s, const char *value, char *err, size_t errlen)
{
	return journaled(set_mtu, s->target, NULL, value, err, errlen);
}

/* bridge-set: the key travels in the step's change ("forward_delay 200") */
static void bridge_describe(const struct nd_diagnosis *d, const struct nd_rule_remedy *m,
			    struct nd_doctor_step *s, char *value, size_t vlen)
{
	char key[32];

	expand_arg(d, m, "bridge", s->target, sizeof(s->target));
	expand_arg(d, m, "key", key, sizeof(key));
	expand_arg(d, m, "value", value, vlen);
	snprintf(s->change, sizeof(s->change), "%s %s", key, value);
}

static int bridge_apply(struct nd_doctor_step *s, const char *value, char *err, size_t errlen)
{
	char key[32];

	snprintf(key, sizeof(key), "%.*s", (int)strcspn(s->change, " "), s->change);
	return journaled(set_bridge, s->target, key, value, err, errlen);
}

/* nft-accept: the target is FAMILY TABLE CHAIN, the value the bridge */
static void nft_describe(const struct nd_diagnosis *d, const struct nd_rule_remedy *m,
			 struct nd_doctor_step *s, char *value, size_t vlen)
{
	char family[16], table[64], chain[64];

	expand_arg(d, m, "family", family, sizeof(family));
	expand_arg(d, m, "table", table, sizeof(table));
	expand_arg(d, m, "chain", chain, sizeof(chain));
	expand_arg(d, m, "bridge", value, vlen);
	snprintf(s->target, sizeof(s->target), "%s %s %s", family, table, chain);
	snprintf(s->change, sizeof(s->change), "insert iifname %s oifname %s accept", value, value);
}

static int nft_apply(struct nd_doctor_step *s, const char *value, char *err, size_t errlen)
{
	char family[16], table[64], chain[64];
	struct nd_journal *j;
	int rc;

	if (sscanf(s->target, "%15s %63s %63s", family, table, chain) != 3) {
		snprintf(err, errlen, "%s: not FAMILY TABLE CHAIN", s->target);
		return -EINVAL;
	}
	rc = nd_journal_open(&j, err, errlen);
	if (rc)
		return rc;
	rc = nd_nft_bridge_accept(j, family, table, chain, value, err, errlen);
	nd_journal_close(j);
	return rc;
}

static void manual_describe(const struct nd_diagnosis *d, const struct nd_rule_remedy *m,
			    struct nd_doctor_step *s, char *value, size_t vlen)
{
}

static const struct remedy_kind kinds[] = {
	{ ND_REMEDY_MANUAL, manual_describe, NULL },
	{ ND_REMEDY_OFFLOAD_OFF, offload_describe, offload_apply },
	/* doctor_guide runs it; each of its tries is an offload-off */
	{ ND_REMEDY_OFFLOAD_GUIDE, guide_describe, offload_apply },
	{ ND_REMEDY_SYSCTL, sysctl_describe, sysctl_apply },
	{ ND_REMEDY_NFT_ACCEPT, nft_describe, nft_apply },
	{ ND_REMEDY_LINK_MTU, mtu_describe, mtu_apply },
	{ ND_REMEDY_BRIDGE_SET, bridge_describe, bridge_apply },
};

const struct remedy_kind *remedy_kind(enum nd_remedy_action a)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i].action == a)
			return &kinds[i];
	return &kinds[0];
}
