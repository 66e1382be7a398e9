/* Names and link-layer addresses as users type them (base layer): one
 * rule for each kind of name, one MAC parser and formatter. */
#ifndef NETDIAG_NAMES_H
#define NETDIAG_NAMES_H

/* exported from libnetdiag.so, whose other symbols are hidden */
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A name a user gives an object of netdiag's (a VM, a routed guest), used
 * in file names under the run directory: 1..max of [A-Za-z0-9_.-], not
 * starting with '.' or '-' (neither a hidden file nor an option). */
bool nd_name_ok(const char *name, size_t max);

/* An interface name the kernel could have: 1..IFNAMSIZ-1 bytes, no
 * blank, control character, '/' or ':', not "." or "..". */
bool nd_ifname_ok(const char *name);

/* "52:54:00:12:34:56" (six two-digit hex bytes, nothing after): 0 and the
 * bytes into mac when mac is not NULL, else -EINVAL. */
int nd_mac_parse(const char *text, uint8_t mac[6]);

/* mac as "52:54:00:12:34:56" into out (18 bytes). */
void nd_mac_format(const uint8_t mac[6], char out[18]);

#pragma GCC visibility pop
#endif
