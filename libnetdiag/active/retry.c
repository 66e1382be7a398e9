/* The probe's retransmission schedule, shared by DHCP and DNS. */
#include <time.h>

#include <netdiag/clock.h>

#include "active/active_internal.h"

void active_retry_start(struct active_retry *r, double now)
{
	r->next = now;
	r->interval = ACTIVE_RETRY_FIRST;
	r->sent = 0;
}

bool active_retry_due(struct active_retry *r, double now)
{
	if (now < r->next)
		return false;
	r->sent++;
	r->next = now + r->interval;
	r->interval = r->interval * 2 > ACTIVE_RETRY_MAX ? ACTIVE_RETRY_MAX : r->interval * 2;
	return true;
}
