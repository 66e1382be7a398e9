/* Link settings read from sysfs and written over rtnetlink; see
 * netdiag/linkset.h. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>

#include <netdiag/netlink.h>
#include <netdiag/host.h>
#include <netdiag/linkset.h>
#include <netdiag/rtnl.h>

static const struct {
	const char *key;       /* also the file under /sys/class/net/BR/bridge */
	int attr;              /* IFLA_BR_*, a u32 */
} bridge_keys[] = {
	{ "forward_delay", IFLA_BR_FORWARD_DELAY },
	{ "stp_state", IFLA_BR_STP_STATE },
};

static int bridge_key(const char *key)
{
	for (size_t i = 0; i < sizeof(bridge_keys) / sizeof(bridge_keys[0]); i++)
		if (!strcmp(bridge_keys[i].key, key))
			return bridge_keys[i].attr;
	return -EINVAL;
}

int nd_bridge_key_valid(const char *key)
{
	return bridge_key(key) < 0 ? -EINVAL : 0;
}

int nd_bridge_attr(const char *br, const char *key, long *value)
{
	char path[160];
	int ret;

	if (bridge_key(key) < 0)
		return -EINVAL;
	if (!if_nametoindex(br))
		return -ENODEV;
	snprintf(path, sizeof(path), "/sys/class/net/%s/bridge/%s", br, key);
	ret = nd_read_int(path, value);
	return ret == -ENOENT ? -EINVAL : ret;  /* a link without bridge/: not a bridge */
}

/* RTM_NEWLINK on an existing bridge with only the one IFLA_BR_* attribute:
 * br_changelink changes that and leaves the rest (net/bridge/br_netlink.c). */
int nd_bridge_attr_write(const char *br, const char *key, long value)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int attr = bridge_key(key), ifindex = (int)if_nametoindex(br);
	struct nlattr *info, *data;
	struct ifinfomsg *ifm;
	struct nlmsghdr *nlh;

	if (attr < 0 || value < 0 || value > (long)UINT32_MAX)
		return -EINVAL;
	if (!ifindex)
		return -ENODEV;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = ifindex;
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u32(nlh, (uint16_t)attr, (uint32_t)value);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	return nd_rtnl_request(nlh, buf, sizeof(buf), NULL, NULL);
}

static int link_by_name(struct nl_sock **sk, const char *dev, struct rtnl_link **l)
{
	int ret;

	ret = nd_nl_route_socket(sk);
	if (ret)
		return ret;
	ret = rtnl_link_get_kernel(*sk, 0, dev, l);
	if (ret < 0) {
		nl_socket_free(*sk);
		return nd_nl_errno(ret);
	}
	return 0;
}

int nd_link_mtu(const char *dev, unsigned *mtu)
{
	struct rtnl_link *l;
	struct nl_sock *sk;
	int ret = link_by_name(&sk, dev, &l);

	if (ret)
		return ret;
	*mtu = rtnl_link_get_mtu(l);
	rtnl_link_put(l);
	nl_socket_free(sk);
	return 0;
}

int nd_link_mtu_write(const char *dev, unsigned mtu)
{
	struct rtnl_link *l, *change;
	struct nl_sock *sk;
	int ret = link_by_name(&sk, dev, &l);

	if (ret)
		return ret;
	change = rtnl_link_alloc();
	if (!change) {
		ret = -ENOMEM;
		goto out;
	}
	rtnl_link_set_mtu(change, mtu);
	ret = rtnl_link_change(sk, l, change, 0);
	if (ret < 0)
		ret = ret == -NLE_INVAL || ret == -NLE_RANGE ? -EINVAL
		      : ret == -NLE_PERM || ret == -NLE_NOACCESS ? -EPERM : -EIO;
	rtnl_link_put(change);
out:
	rtnl_link_put(l);
	nl_socket_free(sk);
	return ret;
}
