/* Netlink plumbing every area shares (base layer): one libnl route
 * socket set-up, one mapping of libnl's error codes to errno, and one
 * libmnl request-and-answer helper. */
#ifndef NETDIAG_NETLINK_H
#define NETDIAG_NETLINK_H

/* exported from libnetdiag.so, whose other symbols are hidden */
#pragma GCC visibility push(default)

#include <stddef.h>

#include <libmnl/libmnl.h>

struct nl_sock;

/* A libnl socket connected to NETLINK_ROUTE: 0, or -ENOMEM / -EIO. */
int nd_nl_route_socket(struct nl_sock **sk);

/* A libnl error (negative NLE_*) as a negative errno: -ENODEV for a
 * device that does not exist, -ENOENT for any other object (a route, an
 * address), -EEXIST, -EPERM, -EINVAL, -EBUSY, -EOPNOTSUPP, -ENOMEM;
 * -EIO for the rest. */
int nd_nl_errno(int nlerr);

/* One rtnetlink request over libmnl: nlh (built in buf, its sequence
 * number set here) sent on a socket of its own, the answer read back into
 * buf (len bytes) and run through cb (NULL when only an ack is awaited).
 * 0 or a negative errno, the kernel's own for a refused request. */
int nd_rtnl_request(struct nlmsghdr *nlh, void *buf, size_t len, mnl_cb_t cb, void *data);

#pragma GCC visibility pop
#endif
