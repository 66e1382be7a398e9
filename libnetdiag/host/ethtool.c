/* The ethtool generic-netlink family through libmnl: family lookup,
 * the feature string set, FEATURES_GET and FEATURES_SET with verbose
 * (named) bitsets. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/ethtool.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <netdiag/offload.h>

#include "ethtool_internal.h"

struct nd_ethtool {
	int ioctl_fd;               /* >= 0: no netlink family, SIOCETHTOOL instead */
	struct mnl_socket *nl;
	uint16_t family;
	unsigned seq;
	unsigned portid;
	char buf[32768];            /* a page-sized reply at most; room to spare */
};

typedef int (*reply_fn)(const struct nlmsghdr *nlh, void *data);

static struct nlmsghdr *start_msg(struct nd_ethtool *e, uint16_t type, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(e->buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++e->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = type == GENL_ID_CTRL ? 1 : ETHTOOL_GENL_VERSION;
	return nlh;
}

/* Send and run the callback on every reply until the ACK/DONE. */
static int transact(struct nd_ethtool *e, struct nlmsghdr *nlh, reply_fn fn, void *data)
{
	int ret;

	nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(e->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ret = (int)mnl_socket_recvfrom(e->nl, e->buf, sizeof(e->buf));
		if (ret < 0)
			return -errno;
		ret = mnl_cb_run(e->buf, (size_t)ret, e->seq, e->portid, fn, data);
		if (ret <= MNL_CB_STOP)
			return ret < 0 ? -errno : 0;
	}
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID &&
		    mnl_attr_validate(a, MNL_TYPE_U16) >= 0)
			*(uint16_t *)data = mnl_attr_get_u16(a);
	return MNL_CB_OK;
}

int nd_ethtool_open(struct nd_ethtool **ep)
{
	struct nd_ethtool *e = calloc(1, sizeof(*e));
	struct nlmsghdr *nlh;
	int ret;

	if (!e)
		return -ENOMEM;
	e->ioctl_fd = -1;
	e->seq = (unsigned)time(NULL);
	/* NETDIAG_ETHTOOL_IOCTL=1 forces the fallback, to test it on kernels
	 * that have the family */
	if (getenv("NETDIAG_ETHTOOL_IOCTL"))
		goto use_ioctl;
	e->nl = mnl_socket_open(NETLINK_GENERIC);
	if (!e->nl || mnl_socket_bind(e->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto fail;
	}
	e->portid = mnl_socket_get_portid(e->nl);
	nlh = start_msg(e, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, ETHTOOL_GENL_NAME);
	ret = transact(e, nlh, family_cb, &e->family);
	if (!ret && e->family) {
		*ep = e;
		return 0;
	}
	if (ret && ret != -ENOENT)
		goto fail;
use_ioctl:
	e->ioctl_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (e->ioctl_fd < 0) {
		ret = -errno;
		goto fail;
	}
	*ep = e;
	return 0;
fail:
	nd_ethtool_close(e);
	return ret;
}

void nd_ethtool_close(struct nd_ethtool *e)
{
	if (!e)
		return;
	if (e->nl)
		mnl_socket_close(e->nl);
	if (e->ioctl_fd >= 0)
		close(e->ioctl_fd);
	free(e);
}

static void put_header(struct nlmsghdr *nlh, uint16_t attr, const char *ifname)
{
	struct nlattr *h = mnl_attr_nest_start(nlh, attr);

	mnl_attr_put_strz(nlh, ETHTOOL_A_HEADER_DEV_NAME, ifname);
	mnl_attr_nest_end(nlh, h);
}

/* ---- feature names: the ETH_SS_FEATURES string set ---- */

static void string_entry(const struct nlattr *s, struct nd_features *fs)
{
	const struct nlattr *a;
	uint32_t index = UINT32_MAX;
	const char *value = NULL;

	mnl_attr_for_each_nested(a, s) {
		if (mnl_attr_get_type(a) == ETHTOOL_A_STRING_INDEX &&
		    mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
			index = mnl_attr_get_u32(a);
		else if (mnl_attr_get_type(a) == ETHTOOL_A_STRING_VALUE &&
			 mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
			value = mnl_attr_get_str(a);
	}
	if (index < ND_FEATURES_MAX && value) {
		snprintf(fs->v[index].name, sizeof(fs->v[index].name), "%s", value);
		if (index >= fs->n)
			fs->n = index + 1;
	}
}

static int strset_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *sets, *set, *a, *s;

	mnl_attr_for_each(sets, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(sets) != ETHTOOL_A_STRSET_STRINGSETS)
			continue;
		mnl_attr_for_each_nested(set, sets)
			mnl_attr_for_each_nested(a, set)
				if (mnl_attr_get_type(a) == ETHTOOL_A_STRINGSET_STRINGS)
					mnl_attr_for_each_nested(s, a)
						string_entry(s, data);
	}
	return MNL_CB_OK;
}

/* ---- feature state: verbose bitsets list set bits by index ---- */

struct get_ctx {
	struct nd_features *fs;
	bool hw[ND_FEATURES_MAX], nochange[ND_FEATURES_MAX];
};

/* A verbose bitset lists bits by index; with NOMASK every listed bit is
 * set, otherwise the listed bits are the mask and VALUE marks the set ones. */
static void bitset(const struct nlattr *set, struct get_ctx *ctx, uint16_t which)
{
	const struct nlattr *a, *bits, *bit;
	bool nomask = false;

	mnl_attr_for_each_nested(a, set)
		if (mnl_attr_get_type(a) == ETHTOOL_A_BITSET_NOMASK)
			nomask = true;
	mnl_attr_for_each_nested(a, set) {
		if (mnl_attr_get_type(a) != ETHTOOL_A_BITSET_BITS)
			continue;
		mnl_attr_for_each_nested(bits, a) {
			uint32_t index = UINT32_MAX;
			bool value = nomask;

			mnl_attr_for_each_nested(bit, bits) {
				if (mnl_attr_get_type(bit) == ETHTOOL_A_BITSET_BIT_INDEX &&
				    mnl_attr_validate(bit, MNL_TYPE_U32) >= 0)
					index = mnl_attr_get_u32(bit);
				else if (mnl_attr_get_type(bit) == ETHTOOL_A_BITSET_BIT_VALUE)
					value = true;
			}
			if (index >= ND_FEATURES_MAX || !value)
				continue;
			switch (which) {
			case ETHTOOL_A_FEATURES_HW: ctx->hw[index] = true; break;
			case ETHTOOL_A_FEATURES_WANTED: ctx->fs->v[index].wanted = true; break;
			case ETHTOOL_A_FEATURES_ACTIVE: ctx->fs->v[index].active = true; break;
			case ETHTOOL_A_FEATURES_NOCHANGE: ctx->nochange[index] = true; break;
			}
		}
	}
}

static int features_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		uint16_t t = mnl_attr_get_type(a);

		if (t >= ETHTOOL_A_FEATURES_HW && t <= ETHTOOL_A_FEATURES_NOCHANGE)
			bitset(a, data, t);
	}
	return MNL_CB_OK;
}

static int map_errno(int err)
{
	return err == -ENODEV || err == -ENOENT ? -ENODEV : err;
}

int nd_offload_get(struct nd_ethtool *e, const char *ifname, struct nd_features *fs)
{
	struct get_ctx ctx = { .fs = fs };
	struct nlmsghdr *nlh;
	struct nlattr *sets, *set;
	int ret;

	memset(fs, 0, sizeof(*fs));
	snprintf(fs->ifname, sizeof(fs->ifname), "%s", ifname);
	if (e->ioctl_fd >= 0)
		return nd_ethtool_ioctl_get(e->ioctl_fd, ifname, fs);
	nlh = start_msg(e, e->family, ETHTOOL_MSG_STRSET_GET, 0);
	put_header(nlh, ETHTOOL_A_STRSET_HEADER, ifname);
	sets = mnl_attr_nest_start(nlh, ETHTOOL_A_STRSET_STRINGSETS);
	set = mnl_attr_nest_start(nlh, ETHTOOL_A_STRINGSETS_STRINGSET);
	mnl_attr_put_u32(nlh, ETHTOOL_A_STRINGSET_ID, ETH_SS_FEATURES);
	mnl_attr_nest_end(nlh, set);
	mnl_attr_nest_end(nlh, sets);
	ret = transact(e, nlh, strset_cb, fs);
	if (ret)
		return map_errno(ret);
	nlh = start_msg(e, e->family, ETHTOOL_MSG_FEATURES_GET, 0);
	put_header(nlh, ETHTOOL_A_FEATURES_HEADER, ifname);
	ret = transact(e, nlh, features_cb, &ctx);
	if (ret)
		return map_errno(ret);
	for (unsigned i = 0; i < fs->n; i++)
		fs->v[i].fixed = !ctx.hw[i] || ctx.nochange[i];
	return 0;
}

const struct nd_feature *nd_feature_find(const struct nd_features *fs, const char *name)
{
	for (unsigned i = 0; i < fs->n; i++)
		if (!strcmp(fs->v[i].name, name))
			return &fs->v[i];
	return NULL;
}

int nd_offload_set(struct nd_ethtool *e, const struct nd_features *current,
		   const struct nd_feature_change *changes, unsigned n, char *err, size_t errlen)
{
	struct nlattr *wanted, *bits, *bit;
	struct nlmsghdr *nlh;
	int ret;

	for (unsigned i = 0; i < n; i++) {
		const struct nd_feature *f = nd_feature_find(current, changes[i].name);

		if (!f) {
			snprintf(err, errlen, "%s: no such feature on %s", changes[i].name,
				 current->ifname);
			return -ENOENT;
		}
		if (f->fixed && f->active != changes[i].on) {
			snprintf(err, errlen, "%s: fixed on %s, cannot be turned %s", f->name,
				 current->ifname, changes[i].on ? "on" : "off");
			return -EPERM;
		}
	}
	if (e->ioctl_fd >= 0) {
		ret = nd_ethtool_ioctl_set(e->ioctl_fd, current, changes, n);
		if (ret)
			snprintf(err, errlen, "%s: %s", current->ifname, strerror(-ret));
		return ret;
	}
	nlh = start_msg(e, e->family, ETHTOOL_MSG_FEATURES_SET, 0);
	put_header(nlh, ETHTOOL_A_FEATURES_HEADER, current->ifname);
	wanted = mnl_attr_nest_start(nlh, ETHTOOL_A_FEATURES_WANTED);
	bits = mnl_attr_nest_start(nlh, ETHTOOL_A_BITSET_BITS);
	/* without NOMASK, only the listed bits change; VALUE says on */
	for (unsigned i = 0; i < n; i++) {
		bit = mnl_attr_nest_start(nlh, ETHTOOL_A_BITSET_BITS_BIT);
		mnl_attr_put_strz(nlh, ETHTOOL_A_BITSET_BIT_NAME, changes[i].name);
		if (changes[i].on)
			mnl_attr_put(nlh, ETHTOOL_A_BITSET_BIT_VALUE, 0, NULL);
		mnl_attr_nest_end(nlh, bit);
	}
	mnl_attr_nest_end(nlh, bits);
	mnl_attr_nest_end(nlh, wanted);
	ret = transact(e, nlh, NULL, NULL);
	if (ret)
		snprintf(err, errlen, "%s: %s", current->ifname, strerror(-ret));
	return ret;
}

/* ethtool -K's short names (ethtool's off_flag_def table) */
static const struct {
	const char *alias;
	const char *names[6];
} aliases[] = {
	{ "rx", { "rx-checksum" } },
	{ "tx", { "tx-checksum-ipv4", "tx-checksum-ip-generic", "tx-checksum-ipv6",
		  "tx-checksum-fcoe-crc", "tx-checksum-sctp" } },
	{ "sg", { "tx-scatter-gather", "tx-scatter-gather-fraglist" } },
	{ "tso", { "tx-tcp-segmentation", "tx-tcp-ecn-segmentation",
		   "tx-tcp-mangleid-segmentation", "tx-tcp6-segmentation" } },
	{ "ufo", { "tx-udp-fragmentation" } },
	{ "gso", { "tx-generic-segmentation" } },
	{ "gro", { "rx-gro" } },
	{ "lro", { "rx-lro" } },
	{ "rxvlan", { "rx-vlan-hw-parse" } },
	{ "txvlan", { "tx-vlan-hw-insert" } },
	{ "ntuple", { "rx-ntuple-filter" } },
	{ "rxhash", { "rx-hashing" } },
};

unsigned nd_feature_alias(const char *name, const char **out, unsigned max)
{
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
		unsigned n = 0;

		if (strcmp(aliases[i].alias, name))
			continue;
		for (; n < 6 && aliases[i].names[n] && n < max; n++)
			out[n] = aliases[i].names[n];
		return n;
	}
	if (!max || !name[0] || strlen(name) >= ND_FEATURE_NAME_MAX)
		return 0;
	out[0] = name;
	return 1;
}
