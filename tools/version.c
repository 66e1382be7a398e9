#include <stdio.h>
#include <string.h>

#include <netdiag/netdiag.h>

#include "cli.h"

int cmd_version(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: netdiag version\n");
		return EXIT_HEALTHY;
	}
	printf("netdiag %s (JSON schema %s)\n", nd_version(), ND_JSON_SCHEMA);
	return EXIT_HEALTHY;
}
