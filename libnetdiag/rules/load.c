/* The rule set on disk: every *.rule file of a directory, strict (load),
 * lenient (bad files left out and said) or for lint; the shipped set's
 * directory. */
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netdiag/input.h>
#include <netdiag/rules.h>

#ifndef ND_RULES_DIR
#define ND_RULES_DIR "/usr/local/share/netdiag/rules"
#endif

#define RULE_FILE_MAX (1u << 20)  /* the shipped rules are a few KiB each */

static int rule_file(const struct dirent *e)
{
	size_t n = strlen(e->d_name);

	return e->d_name[0] != '.' && n > 5 && !strcmp(e->d_name + n - 5, ".rule");
}

static int load_one(const char *dir, const char *name, struct nd_rule *r, char *err, size_t errlen)
{
	char path[PATH_MAX], why[128], *text;
	size_t len;
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	/* a regular file of sane size: a FIFO or /dev/zero named *.rule
	 * must not hang or fill the loader */
	rc = nd_input_read(path, ND_INPUT_REGULAR, RULE_FILE_MAX, 10, &text, &len, why, sizeof(why));
	if (rc) {
		snprintf(err, errlen, "%s: %s", path, why);
		return rc;
	}
	f = fmemopen(text, len, "r");
	if (!f) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(text);
		return rc;
	}
	rc = nd_rule_parse(r, path, f, err, errlen);
	fclose(f);
	free(text);
	return rc;
}

/* Every rule file in dir into rs.  Strict (bad == NULL): the first bad
 * file ends it, err says why and rs is empty.  Lenient: each bad file goes
 * to bad(), is left out, and the rest load. */
static int load_dir(struct nd_rules *rs, const char *dir, void (*bad)(void *arg, const char *err),
		    void *arg, unsigned *nbad, char *err, size_t errlen)
{
	struct dirent **names;
	int n, rc = 0;

	memset(rs, 0, sizeof(*rs));
	n = scandir(dir, &names, rule_file, alphasort);
	if (n < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return rc;
	}
	rs->v = calloc(n ? (size_t)n : 1, sizeof(*rs->v));
	rs->cap = (size_t)n;
	if (!rs->v) {
		rc = -ENOMEM;
		snprintf(err, errlen, "%s: %s", dir, strerror(ENOMEM));
	}
	for (int i = 0; i < n; i++) {
		struct nd_rule *r = &rs->v[rs->n];
		int one = rc ? rc : load_one(dir, names[i]->d_name, r, err, errlen);

		for (size_t k = 0; k < rs->n && !one; k++)
			if (!strcmp(rs->v[k].id, r->id)) {
				snprintf(err, errlen, "%s: rule %s defined twice", r->file, r->id);
				one = -EINVAL;
			}
		if (!one)
			rs->n++;
		else if (!rc && bad) {
			bad(arg, err);
			(*nbad)++;
		} else
			rc = one;
		free(names[i]);
	}
	free(names);
	if (rc)
		nd_rules_free(rs);
	return rc;
}

int nd_rules_load(struct nd_rules *rs, const char *dir, char *err, size_t errlen)
{
	return load_dir(rs, dir, NULL, NULL, NULL, err, errlen);
}

int nd_rules_load_lenient(struct nd_rules *rs, const char *dir,
			  void (*bad)(void *arg, const char *err), void *arg, unsigned *nbad,
			  char *err, size_t errlen)
{
	*nbad = 0;
	return load_dir(rs, dir, bad, arg, nbad, err, errlen);
}

int nd_rules_lint(const char *dir, void (*bad)(void *arg, const char *err), void *arg,
		  unsigned *checked)
{
	struct nd_rules rs;
	char err[512];
	unsigned nbad = 0;

	*checked = 0;
	if (nd_rules_load_lenient(&rs, dir, bad, arg, &nbad, err, sizeof(err))) {
		bad(arg, err);
		return 1;
	}
	*checked = (unsigned)rs.n + nbad;
	nd_rules_free(&rs);
	return (int)nbad;
}

void nd_rules_free(struct nd_rules *rs)
{
	free(rs->v);
	memset(rs, 0, sizeof(*rs));
}

const char *nd_rules_default_dir(char *buf, size_t len)
{
	const char *env = getenv("NETDIAG_RULES_DIR");
	char exe[PATH_MAX];
	ssize_t n;

	if (env && env[0])
		return env;
	/* build/netdiag in a source tree: the tree's rules/ */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char tree[PATH_MAX];

		exe[n] = 0;
		snprintf(tree, sizeof(tree), "%s/../rules", dirname(exe));
		if (len >= PATH_MAX && realpath(tree, buf) && access(buf, R_OK) == 0)
			return buf;
	}
	return ND_RULES_DIR;
}
