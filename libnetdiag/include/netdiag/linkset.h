/* Link settings the narrowest remedies change: a device's MTU, and a
 * bridge's STP state and forward delay.  Read from sysfs, written over
 * rtnetlink: the MTU with libnl-route-3 (rtnl_link_change), bridge
 * attributes with an RTM_NEWLINK carrying IFLA_LINKINFO/IFLA_INFO_DATA
 * over libmnl, since libnl has setters only for bridge ports.
 *
 * The nd_link_set_mtu and nd_bridge_set forms go through the journal
 * (kinds "mtu" and "bridge", netdiag/journal.h): the before-value is read
 * and recorded first, the change made, the value read back and compared;
 * `netdiag undo` writes the before-value back the same way. */
#ifndef NETDIAG_LINKSET_H
#define NETDIAG_LINKSET_H

/* exported from libnetdiag.so, whose other symbols are hidden */
#pragma GCC visibility push(default)

#include <stddef.h>

struct nd_journal;

/* Bridge attributes by name: "forward_delay" (clock ticks, USER_HZ, as
 * sysfs and `ip link ... type bridge forward_delay` count them: 1500 is
 * 15 s; 200..3000 while STP is on), "stp_state" (0 off, 1 on; 2 reads back
 * when a user-space STP helper took over). */
int nd_bridge_attr(const char *br, const char *key, long *value);
int nd_bridge_attr_write(const char *br, const char *key, long value);
/* -EINVAL for a key not in the table. */
int nd_bridge_key_valid(const char *key);

int nd_link_mtu(const char *dev, unsigned *mtu);
int nd_link_mtu_write(const char *dev, unsigned mtu);

/* DEV's MTU set to mtu through the journal: 1 when it already was, 0 when
 * changed (and read back equal), negative errno with err naming the device
 * and the reason (-ENODEV: no such device; -EIO: the kernel kept another
 * value). */
int nd_link_set_mtu(struct nd_journal *j, const char *dev, unsigned mtu, char *err,
		    size_t errlen);

/* Bridge BR's attribute key (see nd_bridge_attr) set to value through the
 * journal: 1 when it already was, 0 when changed, negative errno (-EINVAL
 * an unknown key or a bridge that is not one, -ERANGE a forward delay the
 * kernel refuses while STP is on) with err naming bridge and reason. */
int nd_bridge_set(struct nd_journal *j, const char *br, const char *key, long value, char *err,
		  size_t errlen);

#pragma GCC visibility pop
#endif
