/* Bridges and their ports as sysfs shows them (base layer): the one
 * place that asks whether a device is a bridge, which bridge a port is
 * on, and which ports a bridge has. */
#ifndef NETDIAG_BRIDGE_H
#define NETDIAG_BRIDGE_H

/* exported from libnetdiag.so, whose other symbols are hidden */
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <net/if.h>

/* True when DEV exists and is a Linux bridge. */
bool nd_is_bridge(const char *dev);

/* The bridge DEV is a port of into out (IF_NAMESIZE): 0, or -ENOENT with
 * out "" when DEV is on no bridge (or does not exist). */
int nd_bridge_of(const char *dev, char out[IF_NAMESIZE]);

/* Up to max of BR's ports into out, in directory order; how many. */
unsigned nd_bridge_ports(const char *br, char (*out)[IF_NAMESIZE], unsigned max);

#pragma GCC visibility pop
#endif
