/* Routes, addresses and sysctls: the small writers the journal's kinds
 * and the routed-guest set-up share.  IPv4 main table. */
#ifndef NETDIAG_RTNL_H
#define NETDIAG_RTNL_H

/* exported from libnetdiag.so, whose other symbols are hidden */
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stddef.h>

/* Add or delete "DST/LEN" (IPv4 or IPv6, told by the text) via DEV; with
 * gw, via that gateway on-link. */
int nd_route_change(bool add, const char *dst, const char *dev, const char *gw);
int nd_route_present(const char *dst, const char *dev, const char *gw, bool *present);

/* Add or delete "ADDR/LEN" on DEV. */
int nd_addr_change(bool add, const char *addr, const char *dev);
int nd_addr_present(const char *addr, const char *dev, bool *present);

/* The link-layer address the neighbour table holds for ADDR on DEV ("" if
 * none): the MAC a guest actually uses. */
int nd_neigh_lladdr(const char *addr, const char *dev, char *mac, size_t len);

#pragma GCC visibility pop
#endif
