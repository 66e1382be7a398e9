/* netdiag rules lint|list: check rule files, list the rule set. */
#include <stdio.h>
#include <string.h>

#include <netdiag/rules.h>

#include "cli.h"

static const char usage_text[] =
	"usage: netdiag rules lint [DIR]     check every *.rule in DIR\n"
	"       netdiag rules list [DIR]     the rules: id, severity, title\n"
	"\n"
	"DIR defaults to the shipped rule set.  lint prints one line per bad\n"
	"file (FILE:LINE:COL: what) and exits 2 when any is bad.\n";

static void print_bad(void *arg, const char *err)
{
	unsigned *n = arg;

	fprintf(stderr, "netdiag: rules lint: %s\n", err);
	(*n)++;
}

int cmd_rules(int argc, char **argv)
{
	char buf[4096], err[512];
	const char *dir;
	unsigned checked, nbad = 0;
	struct nd_rules rs;

	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(usage_text, stdout);
		return EXIT_HEALTHY;
	}
	if (argc < 2 || argc > 3) {
		cli_err("rules", argc > 3 ? argv[3] : NULL, "%s (see 'netdiag rules --help')",
			argc < 2 ? "no verb given" : "unexpected argument");
		return EXIT_CANNOT;
	}
	dir = argc == 3 ? argv[2] : nd_rules_default_dir(buf, sizeof(buf));
	if (!strcmp(argv[1], "lint")) {
		nd_rules_lint(dir, print_bad, &nbad, &checked);
		fflush(stderr);
		if (!checked && !nbad) {
			cli_err("rules lint", dir, "no *.rule files");
			return EXIT_CANNOT;
		}
		printf("%s: %u rule%s checked, %u bad\n", dir, checked, checked == 1 ? "" : "s", nbad);
		return nbad ? EXIT_CANNOT : EXIT_HEALTHY;
	}
	if (!strcmp(argv[1], "list")) {
		if (nd_rules_load(&rs, dir, err, sizeof(err))) {
			cli_err("rules list", NULL, "%s", err);
			return EXIT_CANNOT;
		}
		for (size_t i = 0; i < rs.n; i++)
			printf("%-30s %-8s %s\n", rs.v[i].id, nd_severity_name(rs.v[i].severity),
			       rs.v[i].title);
		nd_rules_free(&rs);
		return EXIT_HEALTHY;
	}
	cli_err("rules", argv[1], "unknown verb (lint, list)");
	return EXIT_CANNOT;
}
