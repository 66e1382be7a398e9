/* netdiag offload show|set|save|restore|guide: ethtool-style offload
 * control, journaled. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/capability.h>

#include <netdiag/offload.h>
#include <netdiag/privs.h>

#include "cli.h"

struct offload_verb {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
	bool changes;   /* needs CAP_NET_ADMIN; reading features needs none */
};

static int show(int argc, char **argv);
static int set(int argc, char **argv);
static int save(int argc, char **argv);
static int restore(int argc, char **argv);
static int guide(int argc, char **argv);

/* the verbs, each with its usage; the options they take below */
static const struct offload_verb verbs[] = {
	{ "show", show, "show DEV... [-j|--json]", false },
	{ "set", set, "set [-j] DEV FEATURE on|off [FEATURE on|off]... [-- DEV ...]", true },
	{ "save", save, "save DEV... -o FILE [-j|--json]", false },
	{ "restore", restore, "restore FILE [-j|--json]", true },
	{ "guide", guide, "guide --tap TAP [--bridge BR] [--duration S] [--yes|--dry-run] [-j]",
	  false },
	{ 0 },
};

/* show, set and restore take -j; set takes it before DEV only */
static const struct option json_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

/* save: -o FILE, -j */
static const struct option save_opts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

static const char about[] =
	"\n"
	"FEATURE is a kernel feature name (tx-checksum-ip-generic, rx-gro, ...) or\n"
	"one of ethtool's short names: rx tx sg tso ufo gso gro lro rxvlan txvlan\n"
	"ntuple rxhash.  'set' checks every name first, records the prior state in\n"
	"the journal ('netdiag undo' restores it), applies, and reports what the\n"
	"kernel actually changed, dependent features included.  Several devices\n"
	"(separated by --) change as one: a refusal, SIGINT or SIGTERM undoes\n"
	"what was already changed.\n"
	"\n"
	"'guide' looks at the guest's tap (netdiag check, S seconds, default 5) and,\n"
	"for each checksum diagnosis, turns TX checksum offload off on one device\n"
	"at a time (the answers' sender, the tap, its bridge, the other ports),\n"
	"keeping the first change after which the bad checksums are gone and good\n"
	"ones seen; when none helps alone, all together and then each left out in\n"
	"turn, to find the smallest set; then the fewest features on it.  What\n"
	"does not help is undone; Ctrl-C undoes the whole run.  It asks before\n"
	"each change unless --yes.  It is 'netdiag doctor --offload-only --fix'\n"
	"on a live look (doctor's other options apply).\n";

static void usage(FILE *out)
{
	for (const struct offload_verb *v = verbs; v->name; v++)
		fprintf(out, "%s netdiag offload %s\n", v == verbs ? "usage:" : "      ", v->usage);
	fputs(about, out);
}


/* The verb's options: -h prints its usage, an unknown one is said once.
 * Returns 'j' once for each -j, -1 at the end, 'h' or '?' after saying. */
static int verb_opt(int argc, char **argv, const char *shortopts, const struct option *opts,
		    const char *verb)
{
	int c = getopt_long(argc, argv, shortopts, opts, NULL);

	if (c == 'h') {
		for (const struct offload_verb *v = verbs; v->name; v++)
			if (!strcmp(v->name, verb))
				printf("usage: netdiag offload %s\n", v->usage);
	} else if (c == '?' || c == ':') {
		cli_bad_option("offload", argv, shortopts, opts);
		c = '?';
	}
	return c;
}

/* Every named device's features, read before a byte is printed: a bad
 * device later on the line must not leave half a document.  Owned by the
 * caller (free); NULL after an error said. */
static struct nd_features *read_devices(int n, char **names)
{
	struct nd_features *all = calloc(n ? (size_t)n : 1, sizeof(*all));
	struct nd_ethtool *e = NULL;
	int ret;

	if (!all) {
		cli_err("offload", NULL, "%s", strerror(ENOMEM));
		return NULL;
	}
	ret = nd_ethtool_open(&e);
	if (ret) {
		cli_err("offload", NULL, "ethtool netlink: %s", strerror(-ret));
		goto fail;
	}
	for (int i = 0; i < n; i++) {
		ret = nd_offload_get(e, names[i], &all[i]);
		if (ret) {
			cli_err("offload", names[i], "%s",
				ret == -ENODEV ? "no such device" : strerror(-ret));
			goto fail;
		}
	}
	nd_ethtool_close(e);
	return all;
fail:
	if (e)
		nd_ethtool_close(e);
	free(all);
	return NULL;
}

/* -j and -h: -1 to go on, else the exit status (after -h or a bad option) */
static int json_only(int argc, char **argv, const char *shortopts, const char *verb, bool *json)
{
	int c;

	*json = false;
	while ((c = verb_opt(argc, argv, shortopts, json_opts, verb)) != -1) {
		if (c == 'h')
			return EXIT_HEALTHY;
		if (c != 'j')
			return EXIT_CANNOT;
		*json = true;
	}
	return -1;
}

static int show(int argc, char **argv)
{
	struct nd_features *all;
	bool json = false;
	struct nd_out o;
	int c;

	c = json_only(argc, argv, "jh", "show", &json);
	if (c >= 0)
		return c;
	if (optind == argc) {
		cli_err("offload", "show", "name at least one device");
		return EXIT_CANNOT;
	}
	all = read_devices(argc - optind, argv + optind);
	if (!all)
		return EXIT_CANNOT;
	cli_out_begin(&o, "offload", json);
	nd_features_print(all, (unsigned)(argc - optind), &o);
	nd_out_end(&o);
	free(all);
	return EXIT_HEALTHY;
}

/* "DEV FEATURE on|off ... [-- DEV FEATURE on|off ...]" into requests,
 * short names expanded. */
static int parse_requests(int argc, char **argv, struct nd_offload_request *reqs, unsigned *nreq)
{
	int i = 0;

	*nreq = 0;
	while (i < argc) {
		struct nd_offload_request *r;

		if (*nreq == ND_OFFLOAD_DEVICES_MAX) {
			cli_err("offload", "set", "at most %d devices", ND_OFFLOAD_DEVICES_MAX);
			return -EINVAL;
		}
		r = &reqs[(*nreq)++];
		memset(r, 0, sizeof(*r));
		snprintf(r->ifname, sizeof(r->ifname), "%s", argv[i++]);
		while (i < argc && strcmp(argv[i], "--")) {
			const char *names[8];
			unsigned k;
			bool on;

			if (i + 1 >= argc) {
				cli_err("offload", argv[i], "wants on or off after it");
				return -EINVAL;
			}
			on = !strcmp(argv[i + 1], "on");
			if (!on && strcmp(argv[i + 1], "off")) {
				cli_err("offload", argv[i + 1], "not on or off");
				return -EINVAL;
			}
			k = nd_feature_alias(argv[i], names, 8);
			if (!k) {
				cli_err("offload", argv[i], "unknown feature");
				return -EINVAL;
			}
			for (unsigned m = 0; m < k && r->n < ND_OFFLOAD_CHANGES_MAX; m++)
				r->ch[r->n++] = (struct nd_feature_change){ names[m], on };
			i += 2;
		}
		if (!r->n) {
			cli_err("offload", r->ifname, "no FEATURE on|off given");
			return -EINVAL;
		}
		i++;  /* past "--" */
	}
	return *nreq ? 0 : -EINVAL;
}

/* the change, undone as a whole on SIGINT or SIGTERM; err says why not */
static int change(struct nd_offload_request *reqs, unsigned nreq, char *err, size_t errlen)
{
	cli_stop_on_signals(true);
	return nd_offload_change(reqs, nreq, &cli_stop, err, errlen);
}

static int set(int argc, char **argv)
{
	static struct nd_offload_request reqs[ND_OFFLOAD_DEVICES_MAX];
	char err[256] = "";
	bool json = false;
	struct nd_out o;
	unsigned nreq;
	int c;

	/* options before DEV only ("+"): a "--" between devices is the command's */
	c = json_only(argc, argv, "+jh", "set", &json);
	if (c >= 0)
		return c;
	if (argc - optind < 3) {
		cli_err("offload", "set", "wants DEV FEATURE on|off (see 'netdiag offload --help')");
		return EXIT_CANNOT;
	}
	if (parse_requests(argc - optind, argv + optind, reqs, &nreq))
		return EXIT_CANNOT;
	if (change(reqs, nreq, err, sizeof(err))) {
		cli_err("offload", NULL, "%s", err);
		return EXIT_CANNOT;
	}
	cli_out_begin(&o, "offload", json);
	nd_offload_change_print(reqs, nreq, false, &o);
	nd_out_end(&o);
	return EXIT_HEALTHY;
}

static int save(int argc, char **argv)
{
	const char *path = NULL;
	struct nd_features *all;
	char err[256] = "";
	bool json = false;
	struct nd_out o;
	int c, status = EXIT_CANNOT;

	while ((c = verb_opt(argc, argv, "o:jh", save_opts, "save")) != -1) {
		if (c == 'h')
			return EXIT_HEALTHY;
		if (c != 'o' && c != 'j')
			return EXIT_CANNOT;
		json |= c == 'j';
		if (c == 'o')
			path = optarg;
	}
	if (!path) {
		cli_err("offload", "save", "wants -o FILE");
		return EXIT_CANNOT;
	}
	if (optind == argc) {
		cli_err("offload", "save", "name at least one device");
		return EXIT_CANNOT;
	}
	/* every device read before the file is touched: a bad name leaves
	 * an existing FILE as it was */
	all = read_devices(argc - optind, argv + optind);
	if (!all)
		return EXIT_CANNOT;
	if (nd_offload_save(path, all, (unsigned)(argc - optind), err, sizeof(err))) {
		cli_err("offload", NULL, "%s", err);
	} else {
		/* text: nothing, the file is the output */
		cli_out_begin(&o, "offload", json);
		nd_out_str(&o, "saved", NULL, path);
		nd_features_print(all, json ? (unsigned)(argc - optind) : 0, &o);
		nd_out_end(&o);
		status = EXIT_HEALTHY;
	}
	free(all);
	return status;
}

static int restore(int argc, char **argv)
{
	static struct nd_offload_file file;
	char err[256] = "";
	bool json = false;
	struct nd_out o;
	int c;

	c = json_only(argc, argv, "jh", "restore", &json);
	if (c >= 0)
		return c;
	if (optind != argc - 1) {
		cli_err("offload", "restore", "wants FILE");
		return EXIT_CANNOT;
	}
	/* the whole file is read before anything is applied */
	if (nd_offload_file_read(argv[optind], &file, err, sizeof(err)) ||
	    change(file.reqs, file.nreq, err, sizeof(err))) {
		cli_err("offload", argv[optind], "%s", err);
		return EXIT_CANNOT;
	}
	cli_out_begin(&o, "offload", json);
	nd_offload_change_print(file.reqs, file.nreq, true, &o);
	nd_out_end(&o);
	return EXIT_HEALTHY;
}

static int guide(int argc, char **argv)
{
	return doctor_main("offload guide", true, argc, argv);
}

int cmd_offload(int argc, char **argv)
{
	if (argc < 2) {
		cli_err("offload", NULL, "no verb given (see 'netdiag offload --help')");
		return EXIT_CANNOT;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return EXIT_HEALTHY;
	}
	for (const struct offload_verb *v = verbs; v->name; v++) {
		if (strcmp(argv[1], v->name))
			continue;
		/* guide is the doctor's: it narrows its own */
		if (v->run != guide && cli_caps("offload", v->changes ? ND_CAP(CAP_NET_ADMIN) : 0))
			return EXIT_CANNOT;
		optind = 1;
		return v->run(argc - 1, argv + 1);
	}
	cli_err("offload", argv[1], "unknown verb (show, set, save, restore, guide)");
	return EXIT_CANNOT;
}
