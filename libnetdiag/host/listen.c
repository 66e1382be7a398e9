/* Which guest services the host answers itself: UDP sockets in
 * /proc/net/udp on a port, bound to the wildcard or to one of a bridge's
 * IPv4 addresses.  A guest's DHCP and DNS to such a server end in INPUT on
 * the host and never cross FORWARD. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "host_internal.h"

/* does addr ("192.0.2.1/24") hold the raw (network order) value a? */
static bool addr_is(const char *addr, uint32_t a)
{
	char ip[48];
	struct in_addr in;

	snprintf(ip, sizeof(ip), "%s", addr);
	ip[strcspn(ip, "/")] = 0;
	return inet_pton(AF_INET, ip, &in) == 1 && in.s_addr == a;
}

int nd_udp4_listening(uint16_t port, const struct nd_link_info *l, bool *yes)
{
	char line[256];
	FILE *f = fopen("/proc/net/udp", "r");

	*yes = false;
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f) && !*yes) {
		unsigned a, p;

		/* "  12: 0100A8C0:0043 ...": the address printed from the raw
		 * __be32 (%08X), the port in host order */
		if (sscanf(line, " %*u: %8X:%4X", &a, &p) != 2 || p != port)
			continue;
		if (a == INADDR_ANY) {
			/* a wildcard server needs an IPv4 address here to be reached */
			for (unsigned i = 0; i < l->naddrs && !*yes; i++)
				*yes = !strchr(l->addrs[i], ':');
			continue;
		}
		for (unsigned i = 0; i < l->naddrs && !*yes; i++)
			*yes = addr_is(l->addrs[i], a);
	}
	fclose(f);
	return 0;
}
