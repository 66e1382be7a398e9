/* The guest's tap: opened here, not by QEMU, with IFF_VNET_HDR so QEMU
 * reads the flag from the fd and passes checksum offload state to the
 * virtio-net device; enslaved to the bridge and brought up over
 * rtnetlink (libnl-route-3).  A tap netdiag creates is not persistent: it
 * disappears with the last fd, however the run ends. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/if_tun.h>
#include <linux/virtio_net.h>

#include <netlink/netlink.h>
#include <netlink/route/link.h>

#include <netdiag/bridge.h>
#include <netdiag/netlink.h>

#include "vm_internal.h"

static int tap_attach(const char *tap, const char *bridge, char *err, size_t errlen)
{
	struct nl_sock *sk = NULL;
	struct rtnl_link *br = NULL, *cur = NULL, *change = NULL;
	int rc = nd_nl_route_socket(&sk);

	if (rc) {
		snprintf(err, errlen, "rtnetlink: %s", strerror(-rc));
		return rc;
	}
	if (rtnl_link_get_kernel(sk, 0, bridge, &br) < 0) {
		rc = -ENODEV;
		snprintf(err, errlen, "%s: no such bridge", bridge);
		goto out;
	}
	if (rtnl_link_get_kernel(sk, 0, tap, &cur) < 0) {
		rc = -ENODEV;
		snprintf(err, errlen, "%s: tap vanished", tap);
		goto out;
	}
	change = rtnl_link_alloc();
	if (!change) {
		rc = -ENOMEM;
		goto out;
	}
	/* the tap takes the bridge's MTU: a smaller port would lower it */
	rtnl_link_set_mtu(change, rtnl_link_get_mtu(br));
	rtnl_link_set_master(change, rtnl_link_get_ifindex(br));
	rtnl_link_set_flags(change, IFF_UP);
	rc = rtnl_link_change(sk, cur, change, 0);
	if (rc < 0) {
		snprintf(err, errlen, "%s: cannot join %s: %s", tap, bridge, nl_geterror(rc));
		rc = nd_nl_errno(rc);
	}
out:
	rtnl_link_put(change);
	rtnl_link_put(cur);
	rtnl_link_put(br);
	nl_socket_free(sk);
	return rc;
}

int vm_tap_open(const char *tap, const char *bridge, int *fd, bool *created,
		char *err, size_t errlen)
{
	struct ifreq ifr;
	int hdrlen = sizeof(struct virtio_net_hdr_v1), rc, t;

	if (strlen(tap) >= IF_NAMESIZE) {
		snprintf(err, errlen, "%s: tap name longer than %d characters", tap, IF_NAMESIZE - 1);
		return -EINVAL;
	}
	*created = if_nametoindex(tap) == 0;
	t = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (t < 0) {
		rc = -errno;
		snprintf(err, errlen, "/dev/net/tun: %s", strerror(errno));
		return rc;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", tap);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	/* virtio 1.0 header (12 bytes), as virtio-net negotiates with modern guests */
	if (ioctl(t, TUNSETIFF, &ifr) < 0 || ioctl(t, TUNSETVNETHDRSZ, &hdrlen) < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", tap,
			 errno == EBUSY ? "in use by another process" : strerror(errno));
		close(t);
		return rc;
	}
	rc = tap_attach(tap, bridge, err, errlen);
	if (rc < 0) {
		close(t);
		return rc;
	}
	*fd = t;
	return 0;
}
