/* netdiag rules lint|list: check rule files, list the rule set. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netdiag/rules.h>

#include "cli.h"

static const char usage_text[] =
	"usage: netdiag rules lint [-j] [DIR]     check every *.rule in DIR\n"
	"       netdiag rules list [-j] [DIR]     the rules: id, severity, title\n"
	"\n"
	"DIR defaults to the shipped rule set.  lint prints one line per bad\n"
	"file (FILE:LINE:COL: what) and exits 2 when any is bad.\n";

static const struct option opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

/* [-j] [DIR] after the verb; 1 when done (help), -1 on a bad word */
static int parse(const char *cmd, int argc, char **argv, bool *json, const char **dir,
		 char *buf, size_t len)
{
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j': *json = true; break;
		case 'h': fputs(usage_text, stdout); return 1;
		default: cli_bad_option(cmd, argv, "jh", opts); return -1;
		}
	}
	if (argc - optind > 1) {
		cli_err(cmd, argv[optind + 1], "unexpected argument (see 'netdiag rules --help')");
		return -1;
	}
	*dir = optind < argc ? argv[optind] : nd_rules_default_dir(buf, len);
	return 0;
}

/* the bad files, said on stderr as they are found and kept for -j */
struct lint_errors {
	char **v;
	unsigned n;
};

static void print_bad(void *arg, const char *err)
{
	struct lint_errors *e = arg;
	char **more = realloc(e->v, (e->n + 1) * sizeof(*e->v));

	fprintf(stderr, "netdiag: rules lint: %s\n", err);
	if (more) {
		e->v = more;
		e->v[e->n] = strdup(err);
		e->n += e->v[e->n] != NULL;
	}
}

static int rules_lint(int argc, char **argv)
{
	struct lint_errors bad = { 0 };
	char buf[4096];
	const char *dir;
	bool json = false;
	unsigned checked, nbad;
	struct nd_out doc, *o = &doc;
	int rc = parse("rules lint", argc, argv, &json, &dir, buf, sizeof(buf));

	if (rc)
		return rc < 0 ? EXIT_CANNOT : EXIT_HEALTHY;
	nbad = (unsigned)nd_rules_lint(dir, print_bad, &bad, &checked);
	fflush(stderr);
	if (!checked && !nbad) {
		cli_err("rules lint", dir, "no *.rule files");
		rc = EXIT_CANNOT;
		goto out;
	}
	cli_out_begin(o, "rules lint", json);
	nd_out_str(o, "dir", "%s: ", dir);
	nd_out_uint(o, "checked", "%" PRIu64 " rule", checked);
	nd_out_text(o, "%s checked, ", checked == 1 ? "" : "s");
	nd_out_uint(o, "bad", "%" PRIu64 " bad\n", nbad);
	nd_out_arr_open(o, "errors");
	for (unsigned i = 0; i < bad.n; i++)
		nd_out_str(o, ND_OUT_ITEM, NULL, bad.v[i]);
	nd_out_arr_close(o);
	nd_out_str(o, "status", NULL, nbad ? "error" : "healthy");
	nd_out_end(o);
	rc = nbad ? EXIT_CANNOT : EXIT_HEALTHY;
out:
	for (unsigned i = 0; i < bad.n; i++)
		free(bad.v[i]);
	free(bad.v);
	return rc;
}

static int rules_list(int argc, char **argv)
{
	char buf[4096], err[512];
	const char *dir;
	bool json = false;
	struct nd_rules rs;
	struct nd_out doc, *o = &doc;
	int rc = parse("rules list", argc, argv, &json, &dir, buf, sizeof(buf));

	if (rc)
		return rc < 0 ? EXIT_CANNOT : EXIT_HEALTHY;
	if (nd_rules_load(&rs, dir, err, sizeof(err))) {
		cli_err("rules list", NULL, "%s", err);
		return EXIT_CANNOT;
	}
	cli_out_begin(o, "rules list", json);
	nd_out_str(o, "dir", NULL, dir);
	nd_rules_print(&rs, o);
	nd_out_end(o);
	nd_rules_free(&rs);
	return EXIT_HEALTHY;
}

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} verbs[] = {
	{ "lint", rules_lint },
	{ "list", rules_list },
};

int cmd_rules(int argc, char **argv)
{
	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(usage_text, stdout);
		return EXIT_HEALTHY;
	}
	if (argc < 2) {
		cli_err("rules", NULL, "no verb given (see 'netdiag rules --help')");
		return EXIT_CANNOT;
	}
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(argv[1], verbs[i].name))
			return verbs[i].run(argc - 1, argv + 1);
	cli_err("rules", argv[1], "unknown verb (lint, list)");
	return EXIT_CANNOT;
}
