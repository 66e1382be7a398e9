/* libnetdiag: the umbrella header. */
#ifndef NETDIAG_NETDIAG_H
#define NETDIAG_NETDIAG_H

/* exported from libnetdiag.so, whose other symbols are hidden */
#pragma GCC visibility push(default)

#include <netdiag/cursor.h>
#include <netdiag/finding.h>
#include <netdiag/json.h>
#include <netdiag/report.h>

#define ND_VERSION "0.1.0"

const char *nd_version(void);

#pragma GCC visibility pop
#endif
