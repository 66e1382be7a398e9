/* Checksum figures on findings, shared by the trackers. */
#include <stdio.h>

#include "track_internal.h"

void nd_finding_set_csum(struct nd_finding *f, const char *class_key, const struct nd_csum *cs)
{
	char hex[8];

	if (class_key)
		nd_finding_set_str(f, class_key, nd_csum_class_name(cs->cls));
	snprintf(hex, sizeof(hex), "0x%04x", cs->found);
	nd_finding_set_str(f, "found", hex);
	snprintf(hex, sizeof(hex), "0x%04x", cs->expected);
	nd_finding_set_str(f, "expected", hex);
}
