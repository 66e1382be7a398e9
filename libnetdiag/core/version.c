#include <netdiag/netdiag.h>

const char *nd_version(void)
{
	return ND_VERSION;
}
