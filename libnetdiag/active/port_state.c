/* The probe port's bridge port state over rtnetlink: a GETLINK for the
 * bridge-side end, whose reply carries the bridge's view of the port in
 * IFLA_LINKINFO / IFLA_INFO_SLAVE_DATA / IFLA_BRPORT_STATE.  Netlink and not
 * /sys/class/net: sysfs shows the namespace it was mounted in, not the one
 * the caller has entered. */
#include <errno.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <netdiag/active.h>

static int slave_data_cb(const struct nlattr *a, void *arg)
{
	int *state = arg;

	if (mnl_attr_get_type(a) == IFLA_BRPORT_STATE && !mnl_attr_validate(a, MNL_TYPE_U8))
		*state = mnl_attr_get_u8(a);
	return MNL_CB_OK;
}

static int linkinfo_cb(const struct nlattr *a, void *arg)
{
	if (mnl_attr_get_type(a) == IFLA_INFO_SLAVE_DATA &&
	    !mnl_attr_validate(a, MNL_TYPE_NESTED))
		mnl_attr_parse_nested(a, slave_data_cb, arg);
	return MNL_CB_OK;
}

static int link_attr_cb(const struct nlattr *a, void *arg)
{
	if (mnl_attr_get_type(a) == IFLA_LINKINFO && !mnl_attr_validate(a, MNL_TYPE_NESTED))
		mnl_attr_parse_nested(a, linkinfo_cb, arg);
	return MNL_CB_OK;
}

static int link_cb(const struct nlmsghdr *nlh, void *arg)
{
	return mnl_attr_parse(nlh, sizeof(struct ifinfomsg), link_attr_cb, arg) < 0
		? MNL_CB_ERROR : MNL_CB_OK;
}

int nd_probe_port_state(const struct nd_probe_port *p)
{
	/* a GETLINK reply with statistics runs to a few KiB */
	uint8_t buf[16384];
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	uint32_t seq = (uint32_t)time(NULL);
	int state = -ENOENT;
	ssize_t n;

	if (!p->nl || p->host_ifindex <= 0)
		return -EBADF;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = seq;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = p->host_ifindex;
	if (mnl_socket_sendto(p->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	n = mnl_socket_recvfrom(p->nl, buf, sizeof(buf));
	if (n < 0)
		return -errno;
	if (mnl_cb_run(buf, (size_t)n, seq, mnl_socket_get_portid(p->nl), link_cb, &state) < 0)
		return -errno;
	return state;
}
