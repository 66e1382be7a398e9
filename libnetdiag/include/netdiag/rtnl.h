/* Routes, addresses and sysctls: the small writers the journal's kinds
 * and the routed-guest set-up share.  IPv4 main table. */
#ifndef NETDIAG_RTNL_H
#define NETDIAG_RTNL_H

#include <stdbool.h>

/* Add or delete "DST/LEN" via DEV; with gw, via that gateway on-link. */
int nd_route_change(bool add, const char *dst, const char *dev, const char *gw);
int nd_route_present(const char *dst, const char *dev, const char *gw, bool *present);

/* Add or delete "ADDR/LEN" on DEV. */
int nd_addr_change(bool add, const char *addr, const char *dev);
int nd_addr_present(const char *addr, const char *dev, bool *present);

/* Write a value under /proc/sys ("net/ipv4/ip_forward"). */
int nd_sysctl_write(const char *path, const char *value);

#endif
