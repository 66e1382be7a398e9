/* libnetdiag: the umbrella header. */
#ifndef NETDIAG_NETDIAG_H
#define NETDIAG_NETDIAG_H

#include <netdiag/cursor.h>
#include <netdiag/finding.h>
#include <netdiag/json.h>
#include <netdiag/report.h>

#define ND_VERSION "0.1.0"

const char *nd_version(void);

#endif
