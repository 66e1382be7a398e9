/* netdiag offload show|set: ethtool-style offload control, journaled. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netdiag/input.h>
#include <netdiag/journal.h>
#include <netdiag/offload.h>
#include <netdiag/report.h>

#include <linux/capability.h>

#include <netdiag/privs.h>

#include "cli.h"


static const char usage_text[] =
	"usage: netdiag offload show DEV... [-j|--json]\n"
	"       netdiag offload set DEV FEATURE on|off [FEATURE on|off]... [-- DEV ...]\n"
	"       netdiag offload save DEV... -o FILE\n"
	"       netdiag offload restore FILE\n"
	"       netdiag offload guide --tap TAP [--bridge BR] [--duration S] [--yes|--dry-run] [-j]\n"
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

static int open_device(struct nd_ethtool **e, const char *dev, struct nd_features *fs)
{
	int ret = nd_ethtool_open(e);

	if (ret) {
		cli_err("offload", NULL, "ethtool netlink: %s", strerror(-ret));
		return ret;
	}
	ret = nd_offload_get(*e, dev, fs);
	if (ret) {
		cli_err("offload", dev, "%s", ret == -ENODEV ? "no such device" : strerror(-ret));
		nd_ethtool_close(*e);
		*e = NULL;
	}
	return ret;
}

static void print_feature(const struct nd_feature *f)
{
	printf("  %-36s %s%s", f->name, f->active ? "on" : "off", f->fixed ? " [fixed]" : "");
	if (f->wanted != f->active)
		printf(" [requested %s]", f->wanted ? "on" : "off");
	putchar('\n');
}


/* Every named device's features, read before a byte is printed: a bad
 * device later on the line must not leave half a document.  Owned by the
 * caller (free); NULL after an error said. */
static struct nd_features *read_devices(int argc, char **argv, bool skip_o, int *ndev)
{
	struct nd_features *all = calloc((size_t)argc, sizeof(*all));

	*ndev = 0;
	if (!all) {
		cli_err("offload", NULL, "%s", strerror(ENOMEM));
		return NULL;
	}
	for (int i = 1; i < argc; i++) {
		struct nd_ethtool *e;

		if (skip_o && !strcmp(argv[i], "-o")) {
			i++;
			continue;
		}
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json"))
			continue;
		if (argv[i][0] == '-') {
			cli_err("offload", argv[i], "unknown option (see 'netdiag offload --help')");
			free(all);
			return NULL;
		}
		if (open_device(&e, argv[i], &all[*ndev])) {
			free(all);
			return NULL;
		}
		nd_ethtool_close(e);
		(*ndev)++;
	}
	return all;
}

static int show(int argc, char **argv)
{
	struct nd_features *all;
	bool json = false;
	struct nd_json j;
	int ndev = 0;

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json"))
			json = true;
	all = read_devices(argc, argv, false, &ndev);
	if (!all)
		return EXIT_CANNOT;
	if (!ndev) {
		free(all);
		cli_err("offload", "show", "name at least one device");
		return EXIT_CANNOT;
	}
	if (json) {
		cli_json_open(&j, "offload");
		nd_json_key(&j, "devices");
		nd_json_arr_open(&j);
	}
	for (int d = 0; d < ndev; d++) {
		const struct nd_features fs = all[d];

		if (!json) {
			printf("%s:\n", fs.ifname);
			for (unsigned k = 0; k < fs.n; k++)
				if (fs.v[k].name[0])
					print_feature(&fs.v[k]);
			continue;
		}
		nd_json_obj_open(&j);
		nd_json_kv_str(&j, "ifname", fs.ifname);
		nd_json_key(&j, "features");
		nd_json_obj_open(&j);
		for (unsigned k = 0; k < fs.n; k++) {
			if (!fs.v[k].name[0])
				continue;
			nd_json_key(&j, fs.v[k].name);
			nd_json_obj_open(&j);
			nd_json_kv_bool(&j, "active", fs.v[k].active);
			nd_json_kv_bool(&j, "fixed", fs.v[k].fixed);
			nd_json_kv_bool(&j, "requested", fs.v[k].wanted);
			nd_json_obj_close(&j);
		}
		nd_json_obj_close(&j);
		nd_json_obj_close(&j);
	}
	if (json) {
		nd_json_arr_close(&j);
		nd_json_obj_close(&j);
		nd_json_end(&j);
	}
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

static bool asked_for(const struct nd_offload_request *r, const char *name)
{
	for (unsigned k = 0; k < r->n; k++)
		if (!strcmp(r->ch[k].name, name))
			return true;
	return false;
}

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static int set(int argc, char **argv)
{
	static struct nd_offload_request reqs[ND_OFFLOAD_DEVICES_MAX];
	unsigned nreq, recorded = 0;
	char err[256] = "";

	if (argc < 4 || parse_requests(argc - 1, argv + 1, reqs, &nreq)) {
		if (argc < 4)
			cli_err("offload", "set", "wants DEV FEATURE on|off (see 'netdiag offload --help')");
		return EXIT_CANNOT;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (nd_offload_change(reqs, nreq, &stop_flag, err, sizeof(err))) {
		cli_err("offload", NULL, "%s", err);
		return EXIT_CANNOT;
	}
	for (unsigned d = 0; d < nreq; d++) {
		const struct nd_offload_request *r = &reqs[d];

		recorded += r->recorded;
		if (!r->recorded)
			printf("%s: nothing to change\n", r->ifname);
		for (unsigned i = 0; r->recorded && i < r->after.n; i++)
			if (r->after.v[i].name[0] && r->after.v[i].active != r->before.v[i].active)
				printf("%s: %s %s%s\n", r->ifname, r->after.v[i].name,
				       r->after.v[i].active ? "on" : "off",
				       asked_for(r, r->after.v[i].name) ? "" : " (follows from the change)");
	}
	if (recorded)
		printf("recorded %u change%s in the journal: 'netdiag undo' restores them\n", recorded,
		       recorded == 1 ? "" : "s");
	return EXIT_HEALTHY;
}

/* The save file: "# netdiag offload save" then one "DEV FEATURE on|off"
 * line per changeable feature (its requested state). */
static int save(int argc, char **argv)
{
	const char *path = NULL;
	struct nd_features *all;
	char tmp[4096];
	FILE *out = NULL;
	int ndev = 0, fd, status = EXIT_CANNOT;

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-o") && i + 1 < argc)
			path = argv[++i];
	if (!path) {
		cli_err("offload", "save", "wants -o FILE");
		return EXIT_CANNOT;
	}
	/* every device read before the file is touched: a bad name leaves
	 * an existing FILE as it was */
	all = read_devices(argc, argv, true, &ndev);
	if (!all)
		return EXIT_CANNOT;
	if (!ndev) {
		cli_err("offload", "save", "name at least one device");
		goto out;
	}
	/* written beside it and renamed over it: FILE is whole or untouched */
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	out = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!out) {
		cli_err("offload", path, "%s", strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	fprintf(out, "# netdiag offload save: DEV FEATURE on|off, restore with "
		     "'netdiag offload restore FILE'\n");
	for (int d = 0; d < ndev; d++)
		for (unsigned k = 0; k < all[d].n; k++)
			if (all[d].v[k].name[0] && !all[d].v[k].fixed)
				fprintf(out, "%s %s %s\n", all[d].ifname, all[d].v[k].name,
					all[d].v[k].wanted ? "on" : "off");
	if (fclose(out) || rename(tmp, path)) {
		cli_err("offload", path, "%s", strerror(errno));
		unlink(tmp);
		goto out;
	}
	status = EXIT_HEALTHY;
out:
	free(all);
	return status;
}

/* Read the whole file before anything is applied: a bad line is reported
 * with its number and nothing changes. */
static int restore(int argc, char **argv)
{
	static struct nd_offload_request reqs[ND_OFFLOAD_DEVICES_MAX];
	static char names[ND_OFFLOAD_DEVICES_MAX][ND_OFFLOAD_CHANGES_MAX * 4][ND_FEATURE_NAME_MAX];
	unsigned nreq = 0, lineno = 0, recorded = 0;
	char line[256], err[256] = "", *text;
	size_t len;
	FILE *in;
	int rc;

	if (argc != 2) {
		cli_err("offload", "restore", "wants FILE");
		return EXIT_CANNOT;
	}
	/* a saved file: regular and small (/dev/zero or a FIFO would hang) */
	rc = nd_input_read(argv[1], ND_INPUT_REGULAR, 1u << 20, 10, &text, &len, err, sizeof(err));
	if (rc) {
		cli_err("offload", argv[1], "%s", err);
		return EXIT_CANNOT;
	}
	in = fmemopen(text, len ? len : 1, "r");
	if (!in) {
		free(text);
		cli_err("offload", argv[1], "%s", strerror(errno));
		return EXIT_CANNOT;
	}
	while (fgets(line, sizeof(line), in)) {
		char dev[32], feat[ND_FEATURE_NAME_MAX], state[8], extra[2];
		struct nd_offload_request *r = NULL;

		lineno++;
		if (line[0] == '#' || line[strspn(line, " \t\n")] == 0)
			continue;
		if (sscanf(line, "%31s %39s %7s %1s", dev, feat, state, extra) != 3 ||
		    (strcmp(state, "on") && strcmp(state, "off"))) {
			fclose(in);
			free(text);
			cli_err("offload", argv[1], "line %u: want 'DEV FEATURE on|off'", lineno);
			return EXIT_CANNOT;
		}
		for (unsigned d = 0; d < nreq && !r; d++)
			if (!strcmp(reqs[d].ifname, dev))
				r = &reqs[d];
		if (!r) {
			if (nreq == ND_OFFLOAD_DEVICES_MAX) {
				fclose(in);
				free(text);
				cli_err("offload", argv[1], "line %u: more than %d devices", lineno,
					ND_OFFLOAD_DEVICES_MAX);
				return EXIT_CANNOT;
			}
			r = &reqs[nreq];
			memset(r, 0, sizeof(*r));
			snprintf(r->ifname, sizeof(r->ifname), "%s", dev);
			nreq++;
		}
		if (r->n == ND_OFFLOAD_CHANGES_MAX) {
			fclose(in);
			free(text);
			cli_err("offload", argv[1], "line %u: too many features for %s", lineno, dev);
			return EXIT_CANNOT;
		}
		snprintf(names[r - reqs][r->n], ND_FEATURE_NAME_MAX, "%s", feat);
		r->ch[r->n] = (struct nd_feature_change){ names[r - reqs][r->n], !strcmp(state, "on") };
		r->n++;
	}
	fclose(in);
	free(text);
	if (!nreq) {
		cli_err("offload", argv[1], "no settings in the file");
		return EXIT_CANNOT;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (nd_offload_change(reqs, nreq, &stop_flag, err, sizeof(err))) {
		cli_err("offload", argv[1], "%s", err);
		return EXIT_CANNOT;
	}
	for (unsigned d = 0; d < nreq; d++)
		recorded += reqs[d].recorded;
	printf("restored %u device%s, %u change%s journaled\n", nreq, nreq == 1 ? "" : "s",
	       recorded, recorded == 1 ? "" : "s");
	return EXIT_HEALTHY;
}

int cmd_offload(int argc, char **argv)
{
	if (argc < 2) {
		cli_err("offload", NULL, "no verb given (see 'netdiag offload --help')");
		return EXIT_CANNOT;
	}
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(usage_text, stdout);
			return EXIT_HEALTHY;
		}
	/* reading features needs no capability (ethtool's GET requests) */
	if ((!strcmp(argv[1], "show") || !strcmp(argv[1], "save")) && cli_caps("offload", 0))
		return EXIT_CANNOT;
	if ((!strcmp(argv[1], "set") || !strcmp(argv[1], "restore")) &&
	    cli_caps("offload", ND_CAP(CAP_NET_ADMIN)))
		return EXIT_CANNOT;
	if (!strcmp(argv[1], "show"))
		return show(argc - 1, argv + 1);
	if (!strcmp(argv[1], "set"))
		return set(argc - 1, argv + 1);
	if (!strcmp(argv[1], "save"))
		return save(argc - 1, argv + 1);
	if (!strcmp(argv[1], "restore"))
		return restore(argc - 1, argv + 1);
	if (!strcmp(argv[1], "guide"))
		return doctor_main("offload guide", true, argc - 1, argv + 1);
	cli_err("offload", argv[1], "unknown verb (show, set, save, restore, guide)");
	return EXIT_CANNOT;
}
