/* The trackers every analysis runs, in the order they report. */
#include "track_internal.h"

const struct nd_tracker_entry nd_default_trackers[] = {
	{ "csum", nd_csum_tracker_new },
	{ "dhcp4", nd_dhcp4_tracker_new },
	{ "dhcp6", nd_dhcp6_tracker_new },
	{ "dns", nd_dns_tracker_new },
	{ "nd", nd_ndp_tracker_new },
	{ NULL, NULL },
};
