/* Names and MAC addresses (netdiag/names.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <net/if.h>

#include <netdiag/names.h>

bool nd_name_ok(const char *name, size_t max)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				 "0123456789_.-";
	size_t n = name ? strlen(name) : 0;

	return n && n <= max && name[0] != '.' && name[0] != '-' && strspn(name, ok) == n;
}

bool nd_ifname_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (!n || n >= IF_NAMESIZE || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (const unsigned char *c = (const unsigned char *)name; *c; c++)
		if (*c <= ' ' || *c == '/' || *c == ':' || *c >= 0x7f)
			return false;
	return true;
}

int nd_mac_parse(const char *text, uint8_t mac[6])
{
	unsigned b[6];
	char end;

	if (!text || strlen(text) != 17 ||
	    sscanf(text, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &end) != 6)
		return -EINVAL;
	/* sscanf's %x takes a sign and skips blanks: only hex digits here */
	for (int i = 0; i < 17; i++)
		if (i % 3 == 2 ? text[i] != ':' : !strchr("0123456789abcdefABCDEF", text[i]))
			return -EINVAL;
	for (int i = 0; mac && i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

void nd_mac_format(const uint8_t mac[6], char out[18])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
		 mac[5]);
}
