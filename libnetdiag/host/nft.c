/* The nftables ruleset over netlink (libnftnl + libmnl): for each base
 * chain on the forward hook, follow its rules (and the chains they jump
 * or goto) as a frame bridged on one bridge would, and say which rule or
 * policy decides it.  iptables-nft keeps its chains in nftables too, so
 * Docker's "iptables -P FORWARD DROP" and libvirt's LIBVIRT_FWX accept
 * rules show up here.
 *
 * The walk is an approximation on purpose: a rule's conditions on the
 * in/out interface name or index, the bridge name (meta ibrname/obrname)
 * and xt physdev are decided; anything else (addresses, ports, ct state)
 * is "unknown".  An accept or drop whose known conditions name this
 * bridge counts even with unknown ones beside them (the admin wrote it
 * for the bridge); one with unknown conditions only does not.  The
 * ruleset is read in nft_read.c. */
#include <errno.h>
#include <inttypes.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "host_internal.h"

#define NF_FORWARD_HOOK 2   /* NF_INET_FORWARD and NF_BR_FORWARD are both 2 */
#define JUMP_DEPTH 16       /* the kernel's own limit (NFT_JUMP_STACK_SIZE) */

/* struct xt_physdev_info of linux/netfilter/xt_physdev.h, whose linux/if.h
 * clashes with net/if.h */
#define XT_PHYSDEV_OP_BRIDGED 0x04
struct physdev_info {
	char physindev[16], in_mask[16], physoutdev[16], out_mask[16];
	uint8_t invert, bitmask;
};

static const struct nd_nft_chain *chain_find(const struct nd_nft_ruleset *rs, unsigned family,
					  const char *table, const char *name)
{
	for (size_t i = 0; i < rs->nchains; i++)
		if (rs->chains[i].family == family && !strcmp(rs->chains[i].table, table) &&
		    !strcmp(rs->chains[i].name, name))
			return &rs->chains[i];
	return NULL;
}

/* ---- one rule as a bridged frame sees it ---- */

enum cond {
	COND_FALSE,     /* some condition fails for the bridged frame */
	COND_TRUE,      /* every condition holds */
	COND_BRIDGE,    /* conditions naming the bridge hold, others unknown */
	COND_UNKNOWN,   /* only conditions netdiag does not decide */
};

enum verdict_kind { V_NONE, V_ACCEPT, V_DROP, V_RETURN, V_JUMP, V_GOTO };

struct rule_view {
	enum cond cond;
	enum verdict_kind verdict;
	char target[64];        /* jump/goto chain */
	int64_t packets;        /* counter expression, -1 without one */
	char text[ND_FW_RULE_MAX];
	char verdict_text[80];
};

static void text_add(struct rule_view *v, const char *fmt, const char *s)
{
	size_t n = strlen(v->text);

	if (n && n < sizeof(v->text) - 1)
		v->text[n++] = ' ';
	snprintf(v->text + n, sizeof(v->text) - n, fmt, s);
}

/* Does an interface name in a cmp (nft pads it to IFNAMSIZ; iptables-nft
 * sends strlen+1, or strlen for a "br+" wildcard) match name? */
static bool name_matches(const void *data, uint32_t len, const char *name)
{
	char padded[IFNAMSIZ] = "";

	if (len > sizeof(padded))
		len = sizeof(padded);
	strncpy(padded, name, sizeof(padded) - 1);
	return !memcmp(padded, data, len);
}

static const char *meta_word(int key)
{
	switch (key) {
	case NFT_META_IIFNAME: return "iifname";
	case NFT_META_OIFNAME: return "oifname";
	case NFT_META_IIF: return "iif";
	case NFT_META_OIF: return "oif";
	case NFT_META_BRI_IIFNAME: return "meta ibrname";
	case NFT_META_BRI_OIFNAME: return "meta obrname";
	default: return NULL;
	}
}

/* The interface the bridged frame has for this key, in this family: with
 * br_netfilter the ip/inet FORWARD hook sees the bridge as both in and out
 * device (br_nf_forward_ip); the bridge family sees the ports. */
static enum cond meta_cmp(const struct nd_nft_bridge *br, unsigned family, int key, int op,
			  const void *data, uint32_t len)
{
	bool hit = false, named = false;

	switch (key) {
	case NFT_META_IIFNAME:
	case NFT_META_OIFNAME:
		if (family != NFPROTO_BRIDGE) {
			hit = name_matches(data, len, br->name);
		} else {
			for (unsigned i = 0; i < br->nports && !hit; i++)
				hit = name_matches(data, len, br->ports[i]);
		}
		named = true;
		break;
	case NFT_META_IIF:
	case NFT_META_OIF:
		if (family == NFPROTO_BRIDGE)
			return COND_UNKNOWN;
		hit = len == 4 && *(const uint32_t *)data == (uint32_t)br->ifindex;
		named = true;
		break;
	case NFT_META_BRI_IIFNAME:
	case NFT_META_BRI_OIFNAME:
		hit = name_matches(data, len, br->name);
		named = true;
		break;
	}
	if (!named)
		return COND_UNKNOWN;
	if (op == NFT_CMP_EQ)
		return hit ? COND_BRIDGE : COND_FALSE;
	if (op == NFT_CMP_NEQ)
		return hit ? COND_FALSE : COND_TRUE;
	return COND_UNKNOWN;
}

static enum cond physdev_match(const void *info, uint32_t len)
{
	const struct physdev_info *p = info;

	if (len < sizeof(*p))
		return COND_UNKNOWN;
	if (p->bitmask & XT_PHYSDEV_OP_BRIDGED)
		return p->invert & XT_PHYSDEV_OP_BRIDGED ? COND_FALSE : COND_BRIDGE;
	/* --physdev-in/out PORT: a frame of some port of some bridge */
	return p->invert ? COND_UNKNOWN : COND_BRIDGE;
}

/* Fold one condition into the rule's: FALSE wins, then anything unknown
 * weakens TRUE. */
static void cond_and(enum cond *acc, bool *bridge_named, bool *unknown, enum cond c)
{
	if (c == COND_FALSE)
		*acc = COND_FALSE;
	else if (c == COND_BRIDGE)
		*bridge_named = true;
	else if (c == COND_UNKNOWN)
		*unknown = true;
}

static void cmp_text(struct rule_view *v, int key, int op, const void *data, uint32_t len)
{
	char word[64], name[IFNAMSIZ + 1] = "";

	if (key == NFT_META_IIF || key == NFT_META_OIF) {
		snprintf(word, sizeof(word), "%s %s%u", meta_word(key), op == NFT_CMP_NEQ ? "!= " : "",
			 len == 4 ? *(const uint32_t *)data : 0);
		text_add(v, "%s", word);
		return;
	}
	memcpy(name, data, len < IFNAMSIZ ? len : IFNAMSIZ);
	snprintf(word, sizeof(word), "%s %s\"%s%s\"", meta_word(key), op == NFT_CMP_NEQ ? "!= " : "",
		 name, len < IFNAMSIZ && !memchr(data, 0, len) ? "*" : "");
	text_add(v, "%s", word);
}

static void verdict_of(struct rule_view *v, const struct nftnl_expr *e)
{
	int code = (int)nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT);
	const char *chain = nftnl_expr_is_set(e, NFTNL_EXPR_IMM_CHAIN)
				    ? nftnl_expr_get_str(e, NFTNL_EXPR_IMM_CHAIN) : "";
	char *t = v->verdict_text;
	size_t tl = sizeof(v->verdict_text);

	switch (code) {
	case NF_ACCEPT: v->verdict = V_ACCEPT; snprintf(t, tl, "accept"); break;
	case NF_DROP: v->verdict = V_DROP; snprintf(t, tl, "drop"); break;
	case NFT_RETURN: v->verdict = V_RETURN; snprintf(t, tl, "return"); break;
	case NFT_JUMP:
	case NFT_GOTO:
		v->verdict = code == NFT_JUMP ? V_JUMP : V_GOTO;
		snprintf(v->target, sizeof(v->target), "%s", chain);
		snprintf(t, tl, "%s %s", code == NFT_JUMP ? "jump" : "goto", chain);
		break;
	default: snprintf(t, tl, "continue"); break;
	}
}

static void rule_view(const struct nftnl_rule *r, const struct nd_nft_bridge *br,
		      struct rule_view *v)
{
	struct nftnl_expr_iter *it = nftnl_expr_iter_create(r);
	unsigned family = nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY);
	/* the interface-name load just before: nft and iptables-nft put the
	 * meta load right before its cmp, and any other load may reuse the
	 * register */
	int meta_key = -1;
	uint32_t meta_reg = 0;
	bool bridge_named = false, unknown = false;
	enum cond acc = COND_TRUE;
	struct nftnl_expr *e;

	memset(v, 0, sizeof(*v));
	v->packets = -1;
	while (it && (e = nftnl_expr_iter_next(it))) {
		const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
		int prev_key = meta_key;
		uint32_t len = 0;
		const void *d;

		meta_key = -1;
		if (!strcmp(name, "meta") && nftnl_expr_is_set(e, NFTNL_EXPR_META_DREG)) {
			int key = (int)nftnl_expr_get_u32(e, NFTNL_EXPR_META_KEY);

			meta_key = meta_word(key) ? key : -1;
			meta_reg = nftnl_expr_get_u32(e, NFTNL_EXPR_META_DREG);
		} else if (!strcmp(name, "cmp")) {
			int op = (int)nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_OP);

			d = nftnl_expr_get(e, NFTNL_EXPR_CMP_DATA, &len);
			if (prev_key >= 0 && d &&
			    nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_SREG) == meta_reg) {
				cond_and(&acc, &bridge_named, &unknown,
					 meta_cmp(br, family, prev_key, op, d, len));
				cmp_text(v, prev_key, op, d, len);
			} else {
				unknown = true;
				text_add(v, "%s", "[match]");
			}
		} else if (!strcmp(name, "immediate") &&
			   nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_DREG) == NFT_REG_VERDICT) {
			verdict_of(v, e);
		} else if (!strcmp(name, "counter")) {
			v->packets = (int64_t)nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_PACKETS);
		} else if (!strcmp(name, "match")) {
			const char *mt = nftnl_expr_get_str(e, NFTNL_EXPR_MT_NAME);

			d = nftnl_expr_get(e, NFTNL_EXPR_MT_INFO, &len);
			if (!strcmp(mt, "physdev") && d) {
				cond_and(&acc, &bridge_named, &unknown, physdev_match(d, len));
				text_add(v, "%s", "xt match \"physdev\"");
			} else if (strcmp(mt, "comment")) {
				unknown = true;
				text_add(v, "xt match \"%s\"", mt);
			}
		} else if (!strcmp(name, "target")) {
			const char *tg = nftnl_expr_get_str(e, NFTNL_EXPR_TG_NAME);

			if (!strcmp(tg, "REJECT") || !strcmp(tg, "DROP"))
				v->verdict = V_DROP;
			snprintf(v->verdict_text, sizeof(v->verdict_text), "xt target \"%s\"", tg);
		} else if (!strcmp(name, "reject")) {
			v->verdict = V_DROP;
			snprintf(v->verdict_text, sizeof(v->verdict_text), "reject");
		} else if (!strcmp(name, "lookup") || !strcmp(name, "range") ||
			   !strcmp(name, "limit") || !strcmp(name, "quota") ||
			   !strcmp(name, "connlimit")) {
			unknown = true;
			text_add(v, "%s", "[match]");
		}
	}
	nftnl_expr_iter_destroy(it);
	if (v->packets >= 0) {
		char word[48];

		snprintf(word, sizeof(word), "counter packets %" PRId64, v->packets);
		text_add(v, "%s", word);
	}
	/* the verdict last, as nft prints it */
	if (v->verdict_text[0])
		text_add(v, "%s", v->verdict_text);
	if (acc == COND_FALSE)
		v->cond = COND_FALSE;
	else if (!unknown)
		v->cond = COND_TRUE;
	else
		v->cond = bridge_named ? COND_BRIDGE : COND_UNKNOWN;
}

/* ---- the walk ---- */

enum walk_end { WALK_FELL_THROUGH, WALK_RETURNED, WALK_DECIDED };

struct walk {
	const struct nd_nft_ruleset *rs;
	const struct nd_nft_bridge *br;
	struct nd_fw_path *out;
};

static void decide(struct walk *w, const char *chain, const struct nftnl_rule *r,
		   const struct rule_view *v)
{
	w->out->dropped = v->verdict == V_DROP;
	snprintf(w->out->rule_chain, sizeof(w->out->rule_chain), "%s", chain);
	w->out->handle = nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE);
	snprintf(w->out->rule, sizeof(w->out->rule), "%s", v->text);
	w->out->packets = v->packets;
}

static enum walk_end walk_chain(struct walk *w, const char *chain, unsigned depth)
{
	unsigned family = w->out->family_nr;

	if (depth > JUMP_DEPTH)
		return WALK_FELL_THROUGH;
	for (size_t i = 0; i < w->rs->nrules; i++) {
		const struct nftnl_rule *r = w->rs->rules[i];
		struct rule_view v;
		enum walk_end sub;

		if (nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY) != family ||
		    strcmp(nftnl_rule_get_str(r, NFTNL_RULE_TABLE), w->out->table) ||
		    strcmp(nftnl_rule_get_str(r, NFTNL_RULE_CHAIN), chain))
			continue;
		rule_view(r, w->br, &v);
		if (v.cond == COND_FALSE)
			continue;
		switch (v.verdict) {
		case V_ACCEPT:
		case V_DROP:
			if (v.cond == COND_UNKNOWN)
				break;  /* e.g. "ct state invalid drop": not about the bridge */
			decide(w, chain, r, &v);
			return WALK_DECIDED;
		case V_RETURN:
			if (v.cond == COND_TRUE)
				return WALK_RETURNED;
			break;
		case V_JUMP:
		case V_GOTO:
			/* Docker's place for the admin's rules, reached first from FORWARD */
			if (!strcmp(v.target, "DOCKER-USER") && !w->out->fix_chain[0] &&
			    chain_find(w->rs, family, w->out->table, v.target))
				snprintf(w->out->fix_chain, sizeof(w->out->fix_chain), "%s", v.target);
			sub = walk_chain(w, v.target, depth + 1);
			if (sub == WALK_DECIDED)
				return sub;
			if (v.verdict == V_GOTO && v.cond == COND_TRUE)
				return WALK_RETURNED;
			break;
		case V_NONE:
			break;
		}
	}
	return WALK_FELL_THROUGH;
}

unsigned nd_nft_walk(const struct nd_nft_ruleset *rs, const struct nd_nft_bridge *br,
		     struct nd_fw_path *v, unsigned max)
{
	unsigned n = 0;

	for (size_t i = 0; i < rs->nchains && n < max; i++) {
		const struct nd_nft_chain *c = &rs->chains[i];
		struct nd_fw_path *p = &v[n];
		struct walk w = { rs, br, p };

		if (c->hook != NF_FORWARD_HOOK || (c->family != NFPROTO_IPV4 &&
		    c->family != NFPROTO_IPV6 && c->family != NFPROTO_INET &&
		    c->family != NFPROTO_BRIDGE))
			continue;
		memset(p, 0, sizeof(*p));
		p->family_nr = c->family;
		snprintf(p->family, sizeof(p->family), "%s", nd_nf_family_name(c->family));
		snprintf(p->table, sizeof(p->table), "%s", c->table);
		snprintf(p->chain, sizeof(p->chain), "%s", c->name);
		if (walk_chain(&w, c->name, 0) != WALK_DECIDED) {
			p->dropped = c->policy == NF_DROP;
			p->handle = 0;
			snprintf(p->rule_chain, sizeof(p->rule_chain), "%s", c->name);
			snprintf(p->rule, sizeof(p->rule), "policy %s", p->dropped ? "drop" : "accept");
			p->packets = c->packets;
		}
		if (!p->fix_chain[0])
			snprintf(p->fix_chain, sizeof(p->fix_chain), "%s", c->name);
		n++;
	}
	return n;
}

int nd_nft_forward_paths(const struct nd_nft_bridge *br, struct nd_fw_path *v, unsigned max,
			 unsigned *n)
{
	struct nd_nft_ruleset rs;
	int ret = nd_nft_ruleset_read(&rs);

	*n = ret ? 0 : nd_nft_walk(&rs, br, v, max);
	nd_nft_ruleset_free(&rs);
	return ret;
}

const char *nd_nf_family_name(unsigned family)
{
	switch (family) {
	case NFPROTO_INET: return "inet";
	case NFPROTO_IPV4: return "ip";
	case NFPROTO_IPV6: return "ip6";
	case NFPROTO_BRIDGE: return "bridge";
	default: return "?";
	}
}
