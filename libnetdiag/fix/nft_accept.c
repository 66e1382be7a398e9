/* The bridge accept rule; see netdiag/nft.h. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <netdiag/nft.h>

#define COMMENT_FMT "netdiag: accept bridge %s"

struct chain_ref {
	unsigned family;            /* NFPROTO_* */
	char table[64], chain[64];
};

static const struct {
	const char *name;
	unsigned family;
} families[] = {
	{ "ip", NFPROTO_IPV4 },
	{ "ip6", NFPROTO_IPV6 },
	{ "inet", NFPROTO_INET },
};

static int chain_ref(const char *family, const char *table, const char *chain,
		     struct chain_ref *c)
{
	memset(c, 0, sizeof(*c));
	if (!table[0] || !chain[0] || strlen(table) >= sizeof(c->table) ||
	    strlen(chain) >= sizeof(c->chain))
		return -EINVAL;
	snprintf(c->table, sizeof(c->table), "%s", table);
	snprintf(c->chain, sizeof(c->chain), "%s", chain);
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		if (!strcmp(families[i].name, family)) {
			c->family = families[i].family;
			return 0;
		}
	return -EAFNOSUPPORT;
}

/* "FAMILY/TABLE/CHAIN", the journal's object */
static int chain_ref_parse(const char *object, struct chain_ref *c)
{
	char family[16], table[64];
	const char *a = strchr(object, '/'), *b = a ? strchr(a + 1, '/') : NULL;

	if (!b || (size_t)(a - object) >= sizeof(family) || (size_t)(b - a - 1) >= sizeof(table))
		return -EINVAL;
	snprintf(family, sizeof(family), "%.*s", (int)(a - object), object);
	snprintf(table, sizeof(table), "%.*s", (int)(b - a - 1), a + 1);
	return chain_ref(family, table, b + 1, c);
}

/* ---- reading the chain back ---- */

struct find {
	const char *comment;
	uint64_t handle;
	bool found;
};

static int comment_cb(const struct nftnl_udata *attr, void *data)
{
	const char **comment = data;

	if (nftnl_udata_type(attr) == NFTNL_UDATA_RULE_COMMENT)
		*comment = nftnl_udata_get(attr);
	return 0;
}

static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct find *f = data;
	struct nftnl_rule *r = nftnl_rule_alloc();
	const char *comment = NULL;
	const void *ud;
	uint32_t len = 0;

	if (!r)
		return MNL_CB_ERROR;
	if (nftnl_rule_nlmsg_parse(nlh, r) == 0 &&
	    (ud = nftnl_rule_get_data(r, NFTNL_RULE_USERDATA, &len)) &&
	    nftnl_udata_parse(ud, len, comment_cb, &comment) >= 0 && comment &&
	    strnlen(comment, len) < len && !strcmp(comment, f->comment) && !f->found) {
		f->handle = nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE);
		f->found = true;
	}
	nftnl_rule_free(r);
	return MNL_CB_OK;
}

static int open_nl(struct mnl_socket **nl)
{
	*nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!*nl)
		return -errno;
	if (mnl_socket_bind(*nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int ret = -errno;

		mnl_socket_close(*nl);
		return ret;
	}
	return 0;
}

/* -ENOENT when the table or chain does not exist: a rule dump filtered by
 * chain would only come back empty.  No NLM_F_ACK: the answer is the
 * chain or an error, nothing left on the socket for the dump after. */
static int chain_exists(struct mnl_socket *nl, const struct chain_ref *c)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned seq = (unsigned)time(NULL) - 1;
	struct nftnl_chain *ch = nftnl_chain_alloc();
	struct nlmsghdr *nlh;
	int ret;

	if (!ch)
		return -ENOMEM;
	nlh = nftnl_chain_nlmsg_build_hdr(buf, NFT_MSG_GETCHAIN, (uint16_t)c->family, 0, seq);
	nftnl_chain_set_str(ch, NFTNL_CHAIN_TABLE, c->table);
	nftnl_chain_set_str(ch, NFTNL_CHAIN_NAME, c->chain);
	nftnl_chain_nlmsg_build_payload(nlh, ch);
	nftnl_chain_free(ch);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	ret = (int)mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (ret > 0)
		ret = mnl_cb_run(buf, (size_t)ret, seq, mnl_socket_get_portid(nl), NULL, NULL);
	return ret < 0 ? -errno : 0;
}

/* netdiag's rule for bridge in chain c: 0 with f->found set, or -errno
 * (-ENOENT: no such table or chain) */
static int find_rule(const struct chain_ref *c, const char *bridge, struct find *f)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], comment[64];
	unsigned seq = (unsigned)time(NULL);
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct mnl_socket *nl = NULL;
	struct nlmsghdr *nlh;
	int ret;

	snprintf(comment, sizeof(comment), COMMENT_FMT, bridge);
	memset(f, 0, sizeof(*f));
	f->comment = comment;
	if (!r)
		return -ENOMEM;
	ret = open_nl(&nl);
	if (!ret)
		ret = chain_exists(nl, c);
	if (ret)
		goto out;
	/* a dump with table and chain set lists that chain only */
	nlh = nftnl_rule_nlmsg_build_hdr(buf, NFT_MSG_GETRULE, (uint16_t)c->family, NLM_F_DUMP, seq);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, c->table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, c->chain);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	for (;;) {
		ret = (int)mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (ret <= 0)
			break;
		ret = mnl_cb_run(buf, (size_t)ret, seq, mnl_socket_get_portid(nl), rule_cb, f);
		if (ret <= MNL_CB_STOP)
			break;
	}
	ret = ret < 0 ? -errno : 0;
out:
	if (nl)
		mnl_socket_close(nl);
	nftnl_rule_free(r);
	return ret;
}

/* ---- changing it ---- */

static void add_name_match(struct nftnl_rule *r, enum nft_meta_keys key, const char *name)
{
	struct nftnl_expr *meta = nftnl_expr_alloc("meta"), *cmp = nftnl_expr_alloc("cmp");
	char padded[IFNAMSIZ] = "";

	/* nft compares the whole IFNAMSIZ buffer: an exact name, no prefix */
	strncpy(padded, name, sizeof(padded) - 1);
	nftnl_expr_set_u32(meta, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(meta, NFTNL_EXPR_META_DREG, NFT_REG_1);
	nftnl_rule_add_expr(r, meta);
	nftnl_expr_set_u32(cmp, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(cmp, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
	nftnl_expr_set_data(cmp, NFTNL_EXPR_CMP_DATA, padded, sizeof(padded));
	nftnl_rule_add_expr(r, cmp);
}

/* 'iifname "BR" oifname "BR" counter accept comment "netdiag: ..."' */
static struct nftnl_rule *accept_rule(const struct chain_ref *c, const char *bridge)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_udata_buf *ud = nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN);
	struct nftnl_expr *counter, *verdict;
	char comment[64];

	if (!r || !ud) {
		nftnl_rule_free(r);
		nftnl_udata_buf_free(ud);
		return NULL;
	}
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, c->family);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, c->table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, c->chain);
	/* br_netfilter's FORWARD hook has the bridge as in and out device
	 * (br_nf_forward_ip); "meta ibrname" is bridge-family only and fails
	 * here with EOPNOTSUPP */
	add_name_match(r, NFT_META_IIFNAME, bridge);
	add_name_match(r, NFT_META_OIFNAME, bridge);
	counter = nftnl_expr_alloc("counter");
	nftnl_rule_add_expr(r, counter);
	verdict = nftnl_expr_alloc("immediate");
	nftnl_expr_set_u32(verdict, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(verdict, NFTNL_EXPR_IMM_VERDICT, NF_ACCEPT);
	nftnl_rule_add_expr(r, verdict);
	snprintf(comment, sizeof(comment), COMMENT_FMT, bridge);
	nftnl_udata_put_strz(ud, NFTNL_UDATA_RULE_COMMENT, comment);
	nftnl_rule_set_data(r, NFTNL_RULE_USERDATA, nftnl_udata_buf_data(ud),
			    nftnl_udata_buf_len(ud));
	nftnl_udata_buf_free(ud);
	return r;
}

/* One rule message in an nf_tables batch; the kernel's answer to it. */
static int batch_rule(uint16_t type, uint16_t flags, const struct chain_ref *c,
		      struct nftnl_rule *r)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned seq = (unsigned)time(NULL), rule_seq;
	struct mnl_nlmsg_batch *b = mnl_nlmsg_batch_start(buf, sizeof(buf));
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	int ret = open_nl(&nl);

	if (ret)
		return ret;
	nftnl_batch_begin(mnl_nlmsg_batch_current(b), seq++);
	mnl_nlmsg_batch_next(b);
	rule_seq = seq;
	nlh = nftnl_rule_nlmsg_build_hdr(mnl_nlmsg_batch_current(b), type, (uint16_t)c->family,
					 flags | NLM_F_ACK, seq++);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	mnl_nlmsg_batch_next(b);
	nftnl_batch_end(mnl_nlmsg_batch_current(b), seq++);
	mnl_nlmsg_batch_next(b);
	if (mnl_socket_sendto(nl, mnl_nlmsg_batch_head(b), mnl_nlmsg_batch_size(b)) < 0) {
		ret = -errno;
		goto out;
	}
	ret = (int)mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (ret > 0)
		ret = mnl_cb_run(buf, (size_t)ret, rule_seq, mnl_socket_get_portid(nl), NULL, NULL);
	ret = ret < 0 ? -errno : 0;
out:
	mnl_nlmsg_batch_stop(b);
	mnl_socket_close(nl);
	return ret;
}

static int rule_insert(const struct chain_ref *c, const char *bridge)
{
	struct nftnl_rule *r = accept_rule(c, bridge);
	int ret;

	if (!r)
		return -ENOMEM;
	/* NEWRULE without NLM_F_APPEND and without a position: the head of
	 * the chain (nf_tables_newrule), evaluated before every other rule */
	ret = batch_rule(NFT_MSG_NEWRULE, NLM_F_CREATE, c, r);
	nftnl_rule_free(r);
	return ret;
}

static int rule_delete(const struct chain_ref *c, uint64_t handle)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	int ret;

	if (!r)
		return -ENOMEM;
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, c->family);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, c->table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, c->chain);
	nftnl_rule_set_u64(r, NFTNL_RULE_HANDLE, handle);
	ret = batch_rule(NFT_MSG_DELRULE, 0, c, r);
	nftnl_rule_free(r);
	return ret;
}

int nd_nft_rule_write(const char *object, const char *bridge, const char *value)
{
	bool want = !strcmp(value, "present");
	struct chain_ref c;
	struct find f;
	int ret;

	if (strlen(bridge) >= IFNAMSIZ || !bridge[0])
		return -EINVAL;
	ret = chain_ref_parse(object, &c);
	if (!ret)
		ret = find_rule(&c, bridge, &f);
	/* a chain (or table) since deleted holds no rule of ours */
	if (ret == -ENOENT && !want)
		return 0;
	if (ret || f.found == want)
		return ret;
	ret = want ? rule_insert(&c, bridge) : rule_delete(&c, f.handle);
	if (!ret)
		ret = find_rule(&c, bridge, &f);
	if (!ret && f.found != want)
		ret = -EIO;
	return ret;
}

int nd_nft_bridge_accept_find(const char *family, const char *table, const char *chain,
			      const char *bridge, uint64_t *handle)
{
	struct chain_ref c;
	struct find f;
	int ret = chain_ref(family, table, chain, &c);

	if (!ret)
		ret = find_rule(&c, bridge, &f);
	if (!ret && !f.found)
		ret = -ENOENT;
	if (!ret)
		*handle = f.handle;
	return ret;
}

int nd_nft_bridge_accept(struct nd_journal *j, const char *family, const char *table,
			 const char *chain, const char *bridge, char *err, size_t errlen)
{
	char object[ND_JOURNAL_OBJECT_MAX];
	struct chain_ref c;
	struct find f;
	int ret;

	if (!bridge[0] || strlen(bridge) >= IFNAMSIZ) {
		snprintf(err, errlen, "%s: not an interface name", bridge);
		return -EINVAL;
	}
	ret = chain_ref(family, table, chain, &c);
	if (ret) {
		snprintf(err, errlen, "%s %s %s: %s", family, table, chain,
			 ret == -EAFNOSUPPORT ? "family not ip, ip6 or inet" : "bad table or chain name");
		return ret;
	}
	ret = find_rule(&c, bridge, &f);
	if (ret) {
		snprintf(err, errlen, "%s %s %s: %s", family, table, chain,
			 ret == -ENOENT ? "no such chain" : strerror(-ret));
		return ret;
	}
	if (f.found)
		return 1;
	snprintf(object, sizeof(object), "%s/%s/%s", family, table, chain);
	ret = nd_journal_change(j, "nft-rule", object, bridge, "absent", "present");
	if (ret)
		snprintf(err, errlen, "%s %s %s: accept for %s: %s", family, table, chain, bridge,
			 strerror(-ret));
	return ret;
}
