/* Least privilege: a command keeps only the capabilities it needs. */
#ifndef NETDIAG_PRIVS_H
#define NETDIAG_PRIVS_H

/* exported from libnetdiag.so, whose other symbols are hidden */
#pragma GCC visibility push(default)

#include <stddef.h>
#include <stdint.h>

/* Capability bits (CAP_NET_RAW and friends from <linux/capability.h>) as
 * a mask: ND_CAP(CAP_NET_RAW) | ND_CAP(CAP_NET_ADMIN). */
#define ND_CAP(c) (UINT64_C(1) << (c))

/* Keep the capabilities in `keep` and no other: effective and permitted
 * are cut to keep, inheritable and ambient emptied, and the bounding set
 * cut to keep as well, so no execve can bring the rest back (uid 0 gains
 * the bounding set on exec).  A process without capabilities (an
 * unprivileged user) is left as it is; capabilities asked for but not
 * held are not gained.  Returns 0 or a negative errno. */
int nd_caps_keep(uint64_t keep);

/* The effective set, for tests and messages. */
uint64_t nd_caps_effective(void);

#pragma GCC visibility pop
#endif
