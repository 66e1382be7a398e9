/* Netlink plumbing shared by every area (netdiag/netlink.h). */
#include <errno.h>
#include <time.h>

#include <netlink/netlink.h>

#include <netdiag/netlink.h>

int nd_nl_route_socket(struct nl_sock **sk)
{
	*sk = nl_socket_alloc();
	if (!*sk)
		return -ENOMEM;
	if (nl_connect(*sk, NETLINK_ROUTE) < 0) {
		nl_socket_free(*sk);
		*sk = NULL;
		return -EIO;
	}
	return 0;
}

int nd_nl_errno(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case 0: return 0;
	case NLE_NODEV: return -ENODEV;
	case NLE_OBJ_NOTFOUND: return -ENOENT;
	case NLE_EXIST: return -EEXIST;
	case NLE_PERM: case NLE_NOACCESS: return -EPERM;
	case NLE_INVAL: return -EINVAL;
	case NLE_BUSY: return -EBUSY;
	case NLE_OPNOTSUPP: return -EOPNOTSUPP;
	case NLE_NOMEM: return -ENOMEM;
	default: return -EIO;
	}
}

int nd_rtnl_request(struct nlmsghdr *nlh, void *buf, size_t len, mnl_cb_t cb, void *data)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	unsigned portid, seq = (unsigned)time(NULL);
	ssize_t n;
	int ret;

	nlh->nlmsg_seq = seq;
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	n = mnl_socket_recvfrom(nl, buf, len);
	if (n < 0) {
		ret = -errno;
		goto out;
	}
	/* an NLMSG_ERROR answer: 0 (the ack) or the kernel's -errno */
	ret = mnl_cb_run(buf, (size_t)n, seq, portid, cb, data) < 0 ? -errno : 0;
out:
	if (nl)
		mnl_socket_close(nl);
	return ret;
}
