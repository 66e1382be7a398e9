/* The forward-hook walk (host/nft.c) over rulesets built in memory the way
 * nft and iptables-nft lay them out: Docker's, libvirt's, physdev, goto. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "host/host_internal.h"

#define FORWARD 2
#define INPUT 1

static const struct nd_nft_bridge br0 = { "br0", 7, { "vnet0", "eth1" }, 2 };

static void chain(struct nd_nft_ruleset *rs, unsigned family, const char *table,
		  const char *name, int hook, int policy)
{
	struct nd_nft_chain c = { .family = family, .hook = hook, .policy = policy,
				  .packets = hook >= 0 ? 11 : -1 };

	snprintf(c.table, sizeof(c.table), "%s", table);
	snprintf(c.name, sizeof(c.name), "%s", name);
	assert_int_equal(nd_nft_ruleset_add_chain(rs, &c), 0);
}

static struct nftnl_rule *rule(unsigned family, const char *table, const char *chain_name,
			       uint64_t handle)
{
	struct nftnl_rule *r = nftnl_rule_alloc();

	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, family);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain_name);
	nftnl_rule_set_u64(r, NFTNL_RULE_HANDLE, handle);
	return r;
}

/* meta KEY; cmp OP NAME (len bytes: 16 as nft pads, strlen+1 as iptables-nft) */
static void name_cmp(struct nftnl_rule *r, int key, int op, const char *name, uint32_t len)
{
	struct nftnl_expr *m = nftnl_expr_alloc("meta"), *c = nftnl_expr_alloc("cmp");
	char buf[16] = "";

	strncpy(buf, name, sizeof(buf) - 1);
	nftnl_expr_set_u32(m, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(m, NFTNL_EXPR_META_DREG, NFT_REG_1);
	nftnl_rule_add_expr(r, m);
	nftnl_expr_set_u32(c, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(c, NFTNL_EXPR_CMP_OP, op);
	nftnl_expr_set_data(c, NFTNL_EXPR_CMP_DATA, buf, len);
	nftnl_rule_add_expr(r, c);
}

/* payload load into reg 1 and a cmp: a condition netdiag does not decide */
static void saddr_cmp(struct nftnl_rule *r)
{
	struct nftnl_expr *p = nftnl_expr_alloc("payload"), *c = nftnl_expr_alloc("cmp");
	uint32_t a = 0x010200c0;

	nftnl_expr_set_u32(p, NFTNL_EXPR_PAYLOAD_BASE, NFT_PAYLOAD_NETWORK_HEADER);
	nftnl_expr_set_u32(p, NFTNL_EXPR_PAYLOAD_OFFSET, 12);
	nftnl_expr_set_u32(p, NFTNL_EXPR_PAYLOAD_LEN, 4);
	nftnl_expr_set_u32(p, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	nftnl_rule_add_expr(r, p);
	nftnl_expr_set_u32(c, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(c, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
	nftnl_expr_set_data(c, NFTNL_EXPR_CMP_DATA, &a, sizeof(a));
	nftnl_rule_add_expr(r, c);
}

static void physdev(struct nftnl_rule *r, int invert)
{
	struct nftnl_expr *m = nftnl_expr_alloc("match");
	/* struct xt_physdev_info; libnftnl keeps (and frees) the buffer */
	unsigned char *info = calloc(1, 66);

	info[65] = 0x04;                  /* XT_PHYSDEV_OP_BRIDGED */
	info[64] = invert ? 0x04 : 0;
	nftnl_expr_set_str(m, NFTNL_EXPR_MT_NAME, "physdev");
	nftnl_expr_set_u32(m, NFTNL_EXPR_MT_REV, 0);
	nftnl_expr_set_data(m, NFTNL_EXPR_MT_INFO, info, 66);
	nftnl_rule_add_expr(r, m);
}

static void counter(struct nftnl_rule *r, uint64_t packets)
{
	struct nftnl_expr *c = nftnl_expr_alloc("counter");

	nftnl_expr_set_u64(c, NFTNL_EXPR_CTR_PACKETS, packets);
	nftnl_expr_set_u64(c, NFTNL_EXPR_CTR_BYTES, packets * 300);
	nftnl_rule_add_expr(r, c);
}

static void verdict(struct nd_nft_ruleset *rs, struct nftnl_rule *r, int code, const char *to)
{
	struct nftnl_expr *i = nftnl_expr_alloc("immediate");

	nftnl_expr_set_u32(i, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(i, NFTNL_EXPR_IMM_VERDICT, (uint32_t)code);
	if (to)
		nftnl_expr_set_str(i, NFTNL_EXPR_IMM_CHAIN, to);
	nftnl_rule_add_expr(r, i);
	assert_int_equal(nd_nft_ruleset_add_rule(rs, r), 0);
}

/* iptables-nft's Docker layout: FORWARD drop, DOCKER-USER first */
static void docker(struct nd_nft_ruleset *rs, bool user_accept)
{
	struct nftnl_rule *r;

	chain(rs, NFPROTO_IPV4, "filter", "FORWARD", FORWARD, NF_DROP);
	chain(rs, NFPROTO_IPV4, "filter", "DOCKER-USER", -1, 0);
	chain(rs, NFPROTO_IPV4, "filter", "DOCKER", -1, 0);
	chain(rs, NFPROTO_IPV4, "filter", "INPUT", INPUT, NF_DROP);
	r = rule(NFPROTO_IPV4, "filter", "FORWARD", 10);
	counter(r, 0);
	verdict(rs, r, NFT_JUMP, "DOCKER-USER");
	r = rule(NFPROTO_IPV4, "filter", "FORWARD", 11);
	name_cmp(r, NFT_META_OIFNAME, NFT_CMP_EQ, "docker0", 8);
	saddr_cmp(r);   /* stands for ct state related,established */
	verdict(rs, r, NF_ACCEPT, NULL);
	r = rule(NFPROTO_IPV4, "filter", "FORWARD", 12);
	name_cmp(r, NFT_META_OIFNAME, NFT_CMP_EQ, "docker0", 8);
	verdict(rs, r, NFT_JUMP, "DOCKER");
	r = rule(NFPROTO_IPV4, "filter", "FORWARD", 13);
	name_cmp(r, NFT_META_IIFNAME, NFT_CMP_EQ, "docker0", 8);
	name_cmp(r, NFT_META_OIFNAME, NFT_CMP_NEQ, "docker0", 8);
	verdict(rs, r, NF_ACCEPT, NULL);
	if (user_accept) {
		r = rule(NFPROTO_IPV4, "filter", "DOCKER-USER", 20);
		name_cmp(r, NFT_META_IIFNAME, NFT_CMP_EQ, "br0", 16);
		name_cmp(r, NFT_META_OIFNAME, NFT_CMP_EQ, "br0", 16);
		counter(r, 4);
		verdict(rs, r, NF_ACCEPT, NULL);
	}
	r = rule(NFPROTO_IPV4, "filter", "DOCKER-USER", 21);
	verdict(rs, r, NFT_RETURN, NULL);
}

static void test_docker_policy(void **state)
{
	struct nd_nft_ruleset rs = { 0 };
	struct nd_fw_path p[4];

	docker(&rs, false);
	assert_int_equal(nd_nft_walk(&rs, &br0, p, 4), 1);   /* INPUT is not walked */
	assert_true(p[0].dropped);
	assert_string_equal(p[0].family, "ip");
	assert_string_equal(p[0].chain, "FORWARD");
	assert_int_equal(p[0].handle, 0);
	assert_string_equal(p[0].rule, "policy drop");
	assert_int_equal(p[0].packets, 11);
	assert_string_equal(p[0].fix_chain, "DOCKER-USER");
	nd_nft_ruleset_free(&rs);
}

static void test_docker_user_accept(void **state)
{
	struct nd_nft_ruleset rs = { 0 };
	struct nd_fw_path p[4];

	docker(&rs, true);
	assert_int_equal(nd_nft_walk(&rs, &br0, p, 4), 1);
	assert_false(p[0].dropped);
	assert_string_equal(p[0].rule_chain, "DOCKER-USER");
	assert_int_equal(p[0].handle, 20);
	assert_int_equal(p[0].packets, 4);
	assert_string_equal(p[0].rule, "iifname \"br0\" oifname \"br0\" counter packets 4 accept");
	nd_nft_ruleset_free(&rs);
}

/* libvirt: LIBVIRT_FWX's iptables-nft "-i virbr0 -o virbr0 -j ACCEPT" */
static void test_libvirt_fwx(void **state)
{
	struct nd_nft_ruleset rs = { 0 };
	struct nd_fw_path p[4];
	struct nftnl_rule *r;

	chain(&rs, NFPROTO_IPV4, "filter", "FORWARD", FORWARD, NF_DROP);
	chain(&rs, NFPROTO_IPV4, "filter", "LIBVIRT_FWX", -1, 0);
	chain(&rs, NFPROTO_IPV4, "filter", "LIBVIRT_FWI", -1, 0);
	verdict(&rs, rule(NFPROTO_IPV4, "filter", "FORWARD", 1), NFT_JUMP, "LIBVIRT_FWX");
	verdict(&rs, rule(NFPROTO_IPV4, "filter", "FORWARD", 2), NFT_JUMP, "LIBVIRT_FWI");
	r = rule(NFPROTO_IPV4, "filter", "LIBVIRT_FWX", 3);
	name_cmp(r, NFT_META_IIFNAME, NFT_CMP_EQ, "br0", 4);
	name_cmp(r, NFT_META_OIFNAME, NFT_CMP_EQ, "br0", 4);
	counter(r, 7);
	verdict(&rs, r, NF_ACCEPT, NULL);
	r = rule(NFPROTO_IPV4, "filter", "LIBVIRT_FWI", 4);
	name_cmp(r, NFT_META_OIFNAME, NFT_CMP_EQ, "br0", 4);
	verdict(&rs, r, NF_DROP, NULL);
	assert_int_equal(nd_nft_walk(&rs, &br0, p, 4), 1);
	assert_false(p[0].dropped);
	assert_string_equal(p[0].rule_chain, "LIBVIRT_FWX");
	assert_int_equal(p[0].handle, 3);
	assert_int_equal(p[0].packets, 7);
	assert_string_equal(p[0].fix_chain, "FORWARD");
	nd_nft_ruleset_free(&rs);
}

/* a drop naming the bridge decides; accepts and drops that only test
 * addresses do not; another bridge's accept does not */
static void test_rules_that_count(void **state)
{
	struct nd_nft_ruleset rs = { 0 };
	struct nd_fw_path p[4];
	struct nftnl_rule *r;

	chain(&rs, NFPROTO_INET, "fw", "forward", FORWARD, NF_ACCEPT);
	r = rule(NFPROTO_INET, "fw", "forward", 1);
	saddr_cmp(r);
	verdict(&rs, r, NF_DROP, NULL);
	r = rule(NFPROTO_INET, "fw", "forward", 2);
	saddr_cmp(r);
	verdict(&rs, r, NF_ACCEPT, NULL);
	r = rule(NFPROTO_INET, "fw", "forward", 3);
	name_cmp(r, NFT_META_IIFNAME, NFT_CMP_EQ, "virbr0", 16);
	verdict(&rs, r, NF_ACCEPT, NULL);
	r = rule(NFPROTO_INET, "fw", "forward", 4);
	name_cmp(r, NFT_META_IIFNAME, NFT_CMP_EQ, "br0", 16);
	counter(r, 3);
	verdict(&rs, r, NF_DROP, NULL);
	assert_int_equal(nd_nft_walk(&rs, &br0, p, 4), 1);
	assert_true(p[0].dropped);
	assert_int_equal(p[0].handle, 4);
	assert_string_equal(p[0].rule, "iifname \"br0\" counter packets 3 drop");
	nd_nft_ruleset_free(&rs);
}

/* "iifname br0 ip saddr X accept": the register is reused by the payload
 * load; the accept still names the bridge.  "br+" (iptables wildcard) too. */
static void test_register_reuse_and_wildcard(void **state)
{
	struct nd_nft_ruleset rs = { 0 };
	struct nd_fw_path p[4];
	struct nftnl_rule *r;

	chain(&rs, NFPROTO_IPV4, "filter", "FORWARD", FORWARD, NF_DROP);
	r = rule(NFPROTO_IPV4, "filter", "FORWARD", 1);
	name_cmp(r, NFT_META_IIFNAME, NFT_CMP_EQ, "br", 2);
	saddr_cmp(r);
	verdict(&rs, r, NF_ACCEPT, NULL);
	assert_int_equal(nd_nft_walk(&rs, &br0, p, 4), 1);
	assert_false(p[0].dropped);
	assert_string_equal(p[0].rule, "iifname \"br*\" [match] accept");
	nd_nft_ruleset_free(&rs);
}

/* iptables -I FORWARD -m physdev --physdev-is-bridged -j ACCEPT, after a
 * "! --physdev-is-bridged" accept that does not apply */
static void test_physdev(void **state)
{
	struct nd_nft_ruleset rs = { 0 };
	struct nd_fw_path p[4];
	struct nftnl_rule *r;

	chain(&rs, NFPROTO_IPV4, "filter", "FORWARD", FORWARD, NF_DROP);
	r = rule(NFPROTO_IPV4, "filter", "FORWARD", 1);
	physdev(r, 1);
	verdict(&rs, r, NF_DROP, NULL);
	r = rule(NFPROTO_IPV4, "filter", "FORWARD", 2);
	physdev(r, 0);
	verdict(&rs, r, NF_ACCEPT, NULL);
	assert_int_equal(nd_nft_walk(&rs, &br0, p, 4), 1);
	assert_false(p[0].dropped);
	assert_int_equal(p[0].handle, 2);
	assert_string_equal(p[0].rule, "xt match \"physdev\" accept");
	nd_nft_ruleset_free(&rs);
}

/* goto: the end of the target returns to the base chain's caller, i.e.
 * the policy; a jump's end comes back to the next rule */
static void test_goto(void **state)
{
	struct nd_nft_ruleset rs = { 0 };
	struct nd_fw_path p[4];
	struct nftnl_rule *r;

	chain(&rs, NFPROTO_IPV4, "filter", "FORWARD", FORWARD, NF_DROP);
	chain(&rs, NFPROTO_IPV4, "filter", "empty", -1, 0);
	verdict(&rs, rule(NFPROTO_IPV4, "filter", "FORWARD", 1), NFT_GOTO, "empty");
	r = rule(NFPROTO_IPV4, "filter", "FORWARD", 2);
	verdict(&rs, r, NF_ACCEPT, NULL);
	assert_int_equal(nd_nft_walk(&rs, &br0, p, 4), 1);
	assert_true(p[0].dropped);
	assert_string_equal(p[0].rule, "policy drop");
	nd_nft_ruleset_free(&rs);
}

/* the bridge family sees ports as iifname and the bridge as ibrname */
static void test_bridge_family(void **state)
{
	struct nd_nft_ruleset rs = { 0 };
	struct nd_fw_path p[4];
	struct nftnl_rule *r;

	chain(&rs, NFPROTO_BRIDGE, "b", "guests", FORWARD, NF_DROP);
	r = rule(NFPROTO_BRIDGE, "b", "guests", 1);
	name_cmp(r, NFT_META_IIFNAME, NFT_CMP_EQ, "br0", 16);
	verdict(&rs, r, NF_ACCEPT, NULL);
	assert_int_equal(nd_nft_walk(&rs, &br0, p, 4), 1);
	assert_true(p[0].dropped);
	r = rule(NFPROTO_BRIDGE, "b", "guests", 2);
	name_cmp(r, NFT_META_BRI_IIFNAME, NFT_CMP_EQ, "br0", 16);
	verdict(&rs, r, NF_ACCEPT, NULL);
	assert_int_equal(nd_nft_walk(&rs, &br0, p, 4), 1);
	assert_false(p[0].dropped);
	assert_string_equal(p[0].rule, "meta ibrname \"br0\" accept");
	nd_nft_ruleset_free(&rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docker_policy),
		cmocka_unit_test(test_docker_user_accept),
		cmocka_unit_test(test_libvirt_fwx),
		cmocka_unit_test(test_rules_that_count),
		cmocka_unit_test(test_register_reuse_and_wildcard),
		cmocka_unit_test(test_physdev),
		cmocka_unit_test(test_goto),
		cmocka_unit_test(test_bridge_family),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
