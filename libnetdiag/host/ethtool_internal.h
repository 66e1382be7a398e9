/* Private to libnetdiag/host: the SIOCETHTOOL fallback behind
 * netdiag/offload.h. */
#ifndef NETDIAG_ETHTOOL_INTERNAL_H
#define NETDIAG_ETHTOOL_INTERNAL_H

#include <netdiag/offload.h>

int nd_ethtool_ioctl_get(int fd, const char *ifname, struct nd_features *fs);
int nd_ethtool_ioctl_set(int fd, const struct nd_features *current,
			 const struct nd_feature_change *changes, unsigned n);

#endif
