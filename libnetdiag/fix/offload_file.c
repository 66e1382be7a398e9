/* Saved feature files: `netdiag offload save` writes a device's
 * changeable features, `restore` reads them back as one change. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netdiag/input.h>
#include <netdiag/offload.h>

int nd_offload_save(const char *path, const struct nd_features *all, unsigned n,
		    char *err, size_t errlen)
{
	char tmp[4096];
	FILE *out;
	int fd, ret = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	out = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!out) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return ret;
	}
	fprintf(out, "# netdiag offload save: DEV FEATURE on|off, restore with "
		     "'netdiag offload restore FILE'\n");
	for (unsigned d = 0; d < n; d++)
		for (unsigned k = 0; k < all[d].n; k++)
			if (all[d].v[k].name[0] && !all[d].v[k].fixed)
				fprintf(out, "%s %s %s\n", all[d].ifname, all[d].v[k].name,
					all[d].v[k].wanted ? "on" : "off");
	if (fclose(out) || rename(tmp, path)) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
	}
	return ret;
}

/* the request for dev, a new one when the file has not named it yet */
static struct nd_offload_request *device(struct nd_offload_file *f, const char *dev)
{
	struct nd_offload_request *r;

	for (unsigned d = 0; d < f->nreq; d++)
		if (!strcmp(f->reqs[d].ifname, dev))
			return &f->reqs[d];
	if (f->nreq == ND_OFFLOAD_DEVICES_MAX)
		return NULL;
	r = &f->reqs[f->nreq++];
	memset(r, 0, sizeof(*r));
	snprintf(r->ifname, sizeof(r->ifname), "%s", dev);
	return r;
}

static int read_line(struct nd_offload_file *f, const char *line, unsigned lineno,
		     char *err, size_t errlen)
{
	char dev[32], feat[ND_FEATURE_NAME_MAX], state[8], extra[2];
	struct nd_offload_request *r;
	char *name;

	if (line[0] == '#' || line[strspn(line, " \t\n")] == 0)
		return 0;
	if (sscanf(line, "%31s %39s %7s %1s", dev, feat, state, extra) != 3 ||
	    (strcmp(state, "on") && strcmp(state, "off"))) {
		snprintf(err, errlen, "line %u: want 'DEV FEATURE on|off'", lineno);
		return -EINVAL;
	}
	r = device(f, dev);
	if (!r) {
		snprintf(err, errlen, "line %u: more than %d devices", lineno, ND_OFFLOAD_DEVICES_MAX);
		return -EINVAL;
	}
	if (r->n == ND_OFFLOAD_CHANGES_MAX) {
		snprintf(err, errlen, "line %u: too many features for %s", lineno, dev);
		return -EINVAL;
	}
	name = f->names[r - f->reqs][r->n];
	snprintf(name, ND_FEATURE_NAME_MAX, "%s", feat);
	r->ch[r->n++] = (struct nd_feature_change){ name, !strcmp(state, "on") };
	return 0;
}

int nd_offload_file_read(const char *path, struct nd_offload_file *f, char *err, size_t errlen)
{
	unsigned lineno = 0;
	char line[256], *text;
	size_t len;
	FILE *in;
	int ret;

	f->nreq = 0;
	/* a saved file: regular and small (/dev/zero or a FIFO would hang) */
	ret = nd_input_read(path, ND_INPUT_REGULAR, 1u << 20, 10, &text, &len, err, errlen);
	if (ret)
		return ret;
	in = fmemopen(text, len ? len : 1, "r");
	if (!in) {
		ret = -errno;
		snprintf(err, errlen, "%s", strerror(errno));
		goto out;
	}
	while (!ret && fgets(line, sizeof(line), in))
		ret = read_line(f, line, ++lineno, err, errlen);
	fclose(in);
	if (!ret && !f->nreq) {
		snprintf(err, errlen, "no settings in the file");
		ret = -EINVAL;
	}
out:
	free(text);
	return ret;
}
