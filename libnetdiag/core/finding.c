#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netdiag/finding.h>

void nd_findings_init(struct nd_findings *fs)
{
	fs->v = NULL;
	fs->n = 0;
	fs->cap = 0;
}

void nd_findings_free(struct nd_findings *fs)
{
	free(fs->v);
	nd_findings_init(fs);
}

struct nd_finding *nd_findings_add(struct nd_findings *fs, const char *id,
				   enum nd_severity sev)
{
	struct nd_finding *f;

	if (fs->n == fs->cap) {
		size_t cap = fs->cap ? fs->cap * 2 : 16;
		struct nd_finding *v = realloc(fs->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		fs->v = v;
		fs->cap = cap;
	}
	f = &fs->v[fs->n++];
	memset(f, 0, sizeof(*f));
	snprintf(f->id, sizeof(f->id), "%s", id);
	f->severity = sev;
	return f;
}

struct nd_finding *nd_findings_add_link(struct nd_findings *fs, const char *id,
					enum nd_severity sev, const char *ifname)
{
	struct nd_finding *f = nd_findings_add(fs, id, sev);

	if (f) {
		snprintf(f->ifname, sizeof(f->ifname), "%s", ifname);
		f->count = 1;
	}
	return f;
}

static int finding_cmp(const void *a, const void *b)
{
	const struct nd_finding *x = a, *y = b;
	int r;

	if (x->severity != y->severity)
		return x->severity > y->severity ? -1 : 1;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	r = strcmp(x->id, y->id);
	if (r)
		return r;
	r = strcmp(x->ifname, y->ifname);
	if (r)
		return r;
	return strcmp(x->subject, y->subject);
}

void nd_findings_sort(struct nd_findings *fs)
{
	if (fs->n > 1)
		qsort(fs->v, fs->n, sizeof(*fs->v), finding_cmp);
}

const struct nd_finding *nd_findings_find(const struct nd_findings *fs,
					  const char *id, const char *ifname)
{
	for (size_t i = 0; i < fs->n; i++) {
		if (strcmp(fs->v[i].id, id))
			continue;
		if (ifname && strcmp(fs->v[i].ifname, ifname))
			continue;
		return &fs->v[i];
	}
	return NULL;
}

size_t nd_findings_count_at_least(const struct nd_findings *fs, enum nd_severity sev)
{
	size_t n = 0;

	for (size_t i = 0; i < fs->n; i++)
		n += fs->v[i].severity >= sev;
	return n;
}

static struct nd_field *field_slot(struct nd_finding *f, const char *key)
{
	struct nd_field *fl;

	for (unsigned i = 0; i < f->nfields; i++)
		if (!strcmp(f->fields[i].key, key))
			return &f->fields[i];
	if (f->nfields == ND_FINDING_FIELDS_MAX)
		return NULL;
	fl = &f->fields[f->nfields++];
	snprintf(fl->key, sizeof(fl->key), "%s", key);
	return fl;
}

int nd_finding_set_int(struct nd_finding *f, const char *key, int64_t v)
{
	struct nd_field *fl = field_slot(f, key);

	if (!fl)
		return -ENOSPC;
	fl->type = ND_FIELD_INT;
	fl->v.i = v;
	return 0;
}

int nd_finding_set_double(struct nd_finding *f, const char *key, double v)
{
	struct nd_field *fl = field_slot(f, key);

	if (!fl)
		return -ENOSPC;
	fl->type = ND_FIELD_DOUBLE;
	fl->v.d = v;
	return 0;
}

int nd_finding_set_str(struct nd_finding *f, const char *key, const char *v)
{
	struct nd_field *fl = field_slot(f, key);

	if (!fl)
		return -ENOSPC;
	fl->type = ND_FIELD_STR;
	snprintf(fl->v.s, sizeof(fl->v.s), "%s", v);
	return 0;
}

const struct nd_field *nd_finding_field(const struct nd_finding *f, const char *key)
{
	for (unsigned i = 0; i < f->nfields; i++)
		if (!strcmp(f->fields[i].key, key))
			return &f->fields[i];
	return NULL;
}

void nd_finding_add_frame(struct nd_finding *f, uint64_t frame)
{
	if (f->nframes < ND_FINDING_FRAMES_MAX)
		f->frames[f->nframes++] = frame;
	f->frames_total++;
}

void nd_finding_summary(struct nd_finding *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->summary, sizeof(f->summary), fmt, ap);
	va_end(ap);
}

void nd_finding_subject(struct nd_finding *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->subject, sizeof(f->subject), fmt, ap);
	va_end(ap);
}

const char *nd_severity_name(enum nd_severity sev)
{
	static const char *const names[] = {
		[ND_SEV_INFO] = "info",
		[ND_SEV_WARNING] = "warning",
		[ND_SEV_ERROR] = "error",
	};

	return (unsigned)sev < sizeof(names) / sizeof(names[0]) ? names[sev] : "?";
}

const char *nd_dir_name(enum nd_dir dir)
{
	static const char *const names[] = {
		[ND_DIR_UNKNOWN] = "",
		[ND_DIR_IN] = "in",
		[ND_DIR_OUT] = "out",
	};

	return (unsigned)dir < sizeof(names) / sizeof(names[0]) ? names[dir] : "?";
}

/* Packet findings are facts about traffic; the same fact seen at the tap
 * and again at the bridge is one fact.  Host findings are about devices. */
static bool packet_fact(const struct nd_finding *f)
{
	static const char *const prefixes[] = { "csum.", "dhcp4.", "dhcp6.", "dns.", "nd." };

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(f->id, prefixes[i], strlen(prefixes[i])))
			return f->subject[0] != 0;
	return false;
}

static void append_point(struct nd_finding *f, const char *ifname)
{
	const struct nd_field *seen = nd_finding_field(f, "seen_on");
	char list[ND_FIELD_STR_MAX];

	snprintf(list, sizeof(list), "%s%s%s", seen ? seen->v.s : f->ifname, ",", ifname);
	nd_finding_set_str(f, "seen_on", list);
}

int nd_findings_merge_points(struct nd_findings *fs, int (*rank)(void *arg, const char *ifname),
			     void *arg)
{
	size_t out = 0;

	for (size_t i = 0; i < fs->n; i++) {
		struct nd_finding *f = &fs->v[i];
		size_t k;

		for (k = 0; k < out; k++) {
			struct nd_finding *o = &fs->v[k];

			if (packet_fact(f) && !strcmp(o->id, f->id) && !strcmp(o->subject, f->subject) &&
			    strcmp(o->ifname, f->ifname))
				break;
		}
		if (k == out) {
			if (packet_fact(f) && !nd_finding_field(f, "seen_on"))
				nd_finding_set_str(f, "seen_on", f->ifname);
			fs->v[out++] = *f;
			continue;
		}
		/* keep the figures of the point ranked first (the guest's tap) */
		if (rank(arg, f->ifname) < rank(arg, fs->v[k].ifname)) {
			struct nd_finding kept = *f;
			const struct nd_field *seen = nd_finding_field(&fs->v[k], "seen_on");
			char list[ND_FIELD_STR_MAX];

			snprintf(list, sizeof(list), "%s,%s", f->ifname, seen ? seen->v.s : "");
			nd_finding_set_str(&kept, "seen_on", list);
			fs->v[k] = kept;
		} else {
			append_point(&fs->v[k], f->ifname);
		}
	}
	fs->n = out;
	return 0;
}
