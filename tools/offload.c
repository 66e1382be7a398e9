/* netdiag offload show|set: ethtool-style offload control, journaled. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <netdiag/journal.h>
#include <netdiag/offload.h>
#include <netdiag/report.h>

#include "cli.h"

#define CHANGES_MAX 32

static const char usage_text[] =
	"usage: netdiag offload show DEV... [-j|--json]\n"
	"       netdiag offload set DEV FEATURE on|off [FEATURE on|off]...\n"
	"\n"
	"FEATURE is a kernel feature name (tx-checksum-ip-generic, rx-gro, ...) or\n"
	"one of ethtool's short names: rx tx sg tso ufo gso gro lro rxvlan txvlan\n"
	"ntuple rxhash.  'set' checks every name first, records the prior state in\n"
	"the journal ('netdiag undo' restores it), applies, and reports what the\n"
	"kernel actually changed, dependent features included.\n";

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

static bool asked_for(const struct nd_feature_change *ch, unsigned n, const char *name)
{
	for (unsigned k = 0; k < n; k++)
		if (!strcmp(ch[k].name, name))
			return true;
	return false;
}

static int show(int argc, char **argv)
{
	bool json = false;
	struct nd_json j;
	int ndev = 0;

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json"))
			json = true;
	if (json) {
		nd_json_init(&j, stdout, true);
		nd_json_obj_open(&j);
		nd_json_kv_str(&j, "schema", ND_JSON_SCHEMA);
		nd_json_kv_str(&j, "command", "offload");
		nd_json_key(&j, "devices");
		nd_json_arr_open(&j);
	}
	for (int i = 1; i < argc; i++) {
		struct nd_ethtool *e;
		struct nd_features fs;

		if (argv[i][0] == '-')
			continue;
		if (open_device(&e, argv[i], &fs))
			return EXIT_CANNOT;
		nd_ethtool_close(e);
		ndev++;
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
	if (!ndev) {
		cli_err("offload", "show", "name at least one device");
		return EXIT_CANNOT;
	}
	return EXIT_HEALTHY;
}

/* Expand "tx off" style arguments into kernel-name changes. */
static int parse_changes(int argc, char **argv, struct nd_feature_change *ch, unsigned *n)
{
	*n = 0;
	if (argc < 2 || argc % 2) {
		cli_err("offload", "set", "wants DEV FEATURE on|off [FEATURE on|off]...");
		return -EINVAL;
	}
	for (int i = 0; i < argc; i += 2) {
		const char *names[8];
		unsigned k = nd_feature_alias(argv[i], names, 8);
		bool on = !strcmp(argv[i + 1], "on");

		if (!on && strcmp(argv[i + 1], "off")) {
			cli_err("offload", argv[i + 1], "not on or off");
			return -EINVAL;
		}
		if (!k) {
			cli_err("offload", argv[i], "unknown feature");
			return -EINVAL;
		}
		for (unsigned m = 0; m < k && *n < CHANGES_MAX; m++)
			ch[(*n)++] = (struct nd_feature_change){ names[m], on };
	}
	return 0;
}

/* Alias expansions name features a device may lack (tx-checksum-fcoe-crc
 * on a veth): keep those the device has, refuse names it has none of. */
static int keep_present(const struct nd_features *fs, struct nd_feature_change *ch, unsigned *n,
			char *const *argv)
{
	unsigned k = 0;

	for (unsigned i = 0; i < *n; i++)
		if (nd_feature_find(fs, ch[i].name))
			ch[k++] = ch[i];
	if (!k) {
		cli_err("offload", argv[0], "no such feature on %s", fs->ifname);
		return -ENOENT;
	}
	*n = k;
	return 0;
}

static int set(int argc, char **argv)
{
	struct nd_feature_change ch[CHANGES_MAX];
	struct nd_features before, after;
	struct nd_journal *jr = NULL;
	struct nd_ethtool *e = NULL;
	unsigned n, recorded = 0;
	char err[256] = "";
	int ret, status = EXIT_CANNOT;

	if (argc < 2) {
		cli_err("offload", "set", "wants DEV FEATURE on|off (see 'netdiag offload --help')");
		return EXIT_CANNOT;
	}
	if (parse_changes(argc - 2, argv + 2, ch, &n) || open_device(&e, argv[1], &before))
		return EXIT_CANNOT;
	if (keep_present(&before, ch, &n, argv + 2))
		goto out;
	/* every check before anything is recorded or changed */
	for (unsigned i = 0; i < n; i++) {
		const struct nd_feature *f = nd_feature_find(&before, ch[i].name);

		if (f->fixed && f->active != ch[i].on) {
			cli_err("offload", argv[1], "%s is fixed %s and cannot be changed", f->name,
				f->active ? "on" : "off");
			goto out;
		}
	}
	ret = nd_journal_open(&jr, err, sizeof(err));
	if (ret) {
		cli_err("offload", NULL, "journal: %s", err);
		goto out;
	}
	for (unsigned i = 0; i < n; i++) {
		const struct nd_feature *f = nd_feature_find(&before, ch[i].name);
		struct nd_journal_record r = { 0 };

		if (f->wanted == ch[i].on)
			continue;
		snprintf(r.kind, sizeof(r.kind), "offload");
		snprintf(r.object, sizeof(r.object), "%s", before.ifname);
		snprintf(r.key, sizeof(r.key), "%s", f->name);
		snprintf(r.before, sizeof(r.before), "%s", f->wanted ? "on" : "off");
		snprintf(r.after, sizeof(r.after), "%s", ch[i].on ? "on" : "off");
		if (nd_journal_append(jr, &r)) {
			cli_err("offload", NULL, "journal: cannot write");
			goto out;
		}
		recorded++;
	}
	if (!recorded) {
		printf("%s: nothing to change\n", before.ifname);
		status = EXIT_HEALTHY;
		goto out;
	}
	ret = nd_offload_set(e, &before, ch, n, err, sizeof(err));
	if (ret || nd_offload_get(e, before.ifname, &after)) {
		cli_err("offload", argv[1], "%s", err[0] ? err : "cannot read the features back");
		nd_journal_undo(jr, recorded, false, NULL, NULL);
		goto out;
	}
	for (unsigned i = 0; i < after.n; i++)
		if (after.v[i].name[0] && after.v[i].active != before.v[i].active)
			printf("%s: %s %s%s\n", after.ifname, after.v[i].name,
			       after.v[i].active ? "on" : "off",
			       asked_for(ch, n, after.v[i].name) ? "" : " (follows from the change)");
	printf("recorded %u change%s in the journal: 'netdiag undo' restores them\n", recorded,
	       recorded == 1 ? "" : "s");
	status = EXIT_HEALTHY;
out:
	nd_journal_close(jr);
	nd_ethtool_close(e);
	return status;
}

int cmd_offload(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(usage_text, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_CANNOT : EXIT_HEALTHY;
	}
	if (!strcmp(argv[1], "show"))
		return show(argc - 1, argv + 1);
	if (!strcmp(argv[1], "set"))
		return set(argc - 1, argv + 1);
	cli_err("offload", argv[1], "unknown verb (show, set)");
	return EXIT_CANNOT;
}
