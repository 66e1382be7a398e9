/* A device's identity for the journal: ifindex, link kind, MAC and
 * permanent address, read with one RTM_GETLINK by name (libmnl), so it is
 * the current network namespace's device whatever /sys shows. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <netdiag/journal.h>

#ifndef IFLA_PERM_ADDRESS
#define IFLA_PERM_ADDRESS 54
#endif

static void hwaddr(const struct nlattr *a, char *out, size_t len)
{
	const unsigned char *b = mnl_attr_get_payload(a);
	unsigned n = mnl_attr_get_payload_len(a);
	size_t used = 0;
	bool zero = true;

	out[0] = 0;
	for (unsigned i = 0; i < n; i++)
		zero &= !b[i];
	for (unsigned i = 0; i < n && !zero && used + 3 < len; i++)
		used += (size_t)snprintf(out + used, len - used, "%s%02x", i ? ":" : "", b[i]);
}

static int link_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct nd_journal_dev *d = arg;
	struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	struct nlattr *a;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	d->ifindex = ifm->ifi_index;
	mnl_attr_for_each(a, nlh, sizeof(*ifm)) {
		switch (mnl_attr_get_type(a)) {
		case IFLA_ADDRESS:
			hwaddr(a, d->mac, sizeof(d->mac));
			break;
		case IFLA_PERM_ADDRESS:
			hwaddr(a, d->perm, sizeof(d->perm));
			break;
		case IFLA_LINKINFO: {
			struct nlattr *i;

			mnl_attr_for_each_nested(i, a)
				if (mnl_attr_get_type(i) == IFLA_INFO_KIND)
					snprintf(d->kind, sizeof(d->kind), "%s", mnl_attr_get_str(i));
			break;
		}
		}
	}
	return MNL_CB_OK;
}

int nd_journal_dev_get(const char *name, struct nd_journal_dev *d)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl = NULL;
	struct ifinfomsg *ifm;
	struct nlmsghdr *nlh;
	unsigned seq, portid;
	int ret;

	memset(d, 0, sizeof(*d));
	if (!name[0] || strlen(name) >= IF_NAMESIZE)
		return -ENODEV;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = seq = (unsigned)time(NULL);
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	ret = (int)mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (ret < 0) {
		ret = -errno;
		goto out;
	}
	ret = mnl_cb_run(buf, (size_t)ret, seq, portid, link_cb, d) < 0 ? -errno : 0;
	if (ret == -ENOENT || ret == -ENODEV || (!ret && !d->ifindex))
		ret = -ENODEV;
out:
	if (nl)
		mnl_socket_close(nl);
	return ret;
}
