/* netdiag version: the version and the JSON schema it writes. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <netdiag/netdiag.h>

#include "cli.h"

static const char usage_text[] = "usage: netdiag version [-j|--json]\n";

int cmd_version(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct nd_out doc, *o = &doc;
	bool json = false;
	int c;

	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'h': fputs(usage_text, stdout); return EXIT_HEALTHY;
		default: return cli_bad_option("version", argv, "jh", opts);
		}
	}
	if (optind < argc) {
		cli_err("version", argv[optind], "unexpected argument");
		return EXIT_CANNOT;
	}
	cli_out_begin(o, "version", json);
	nd_out_str(o, "version", "netdiag %s", nd_version());
	nd_out_text(o, " (JSON schema %s)\n", ND_JSON_SCHEMA);
	nd_out_end(o);
	return EXIT_HEALTHY;
}
