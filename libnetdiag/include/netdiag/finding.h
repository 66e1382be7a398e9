/* The finding model, shared by packet trackers and host checks.
 *
 * A finding is one thing netdiag observed that matters: an id such as
 * "dhcp4.no-offer", a severity, the subject it concerns, how often it was
 * seen and when, the frames that prove it, a one-line summary, and a small
 * table of named figures ("discovers": 5) that JSON output and tests read.
 */
#ifndef NETDIAG_FINDING_H
#define NETDIAG_FINDING_H

/* exported from libnetdiag.so, whose other symbols are hidden */
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>

enum nd_severity {
	ND_SEV_INFO = 0,  /* worth knowing, not a fault (e.g. csum.partial-offload) */
	ND_SEV_WARNING,   /* likely to hurt some guests */
	ND_SEV_ERROR,     /* breaks guest networking */
};

enum nd_dir {
	ND_DIR_UNKNOWN = 0,
	ND_DIR_IN,        /* received by the capturing host */
	ND_DIR_OUT,       /* sent by the capturing host */
};

#define ND_FINDING_ID_MAX 48
#define ND_FINDING_SUBJECT_MAX 160
#define ND_FINDING_SUMMARY_MAX 256
#define ND_FINDING_FRAMES_MAX 16
#define ND_FINDING_FIELDS_MAX 16
#define ND_FIELD_KEY_MAX 32
#define ND_FIELD_STR_MAX 96

enum nd_field_type { ND_FIELD_INT, ND_FIELD_DOUBLE, ND_FIELD_STR };

struct nd_field {
	char key[ND_FIELD_KEY_MAX];
	enum nd_field_type type;
	union {
		int64_t i;
		double d;
		char s[ND_FIELD_STR_MAX];
	} v;
};

struct nd_finding {
	char id[ND_FINDING_ID_MAX];
	enum nd_severity severity;
	char ifname[64];                 /* capture point or device, "" if none */
	enum nd_dir dir;
	char subject[ND_FINDING_SUBJECT_MAX]; /* flow, client, device: human text */
	uint64_t count;                  /* occurrences behind the finding */
	double first, last;              /* seconds since the epoch; 0 if timeless */
	uint64_t frames[ND_FINDING_FRAMES_MAX]; /* evidence, 1-based frame numbers */
	unsigned nframes;
	uint64_t frames_total;           /* evidence frames including those not kept */
	char summary[ND_FINDING_SUMMARY_MAX];
	struct nd_field fields[ND_FINDING_FIELDS_MAX];
	unsigned nfields;
};

struct nd_findings {
	struct nd_finding *v;
	size_t n, cap;
};

void nd_findings_init(struct nd_findings *fs);
void nd_findings_free(struct nd_findings *fs);

/* Append a zeroed finding with id and severity set.  Returns a pointer into
 * fs (valid until the next add) or NULL when out of memory. */
struct nd_finding *nd_findings_add(struct nd_findings *fs, const char *id,
				   enum nd_severity sev);

/* A finding about one interface, seen once (host checks): as
 * nd_findings_add, with ifname and a count of 1. */
struct nd_finding *nd_findings_add_link(struct nd_findings *fs, const char *id,
					enum nd_severity sev, const char *ifname);

/* Worst first: severity, then count, then id, interface and subject.
 * Findings equal in all five keep no set order (qsort). */
void nd_findings_sort(struct nd_findings *fs);

/* One finding per fact: packet findings with the same id and subject at
 * several capture points become one, with the figures of the point that
 * rank() puts first (lowest) and a field seen_on listing every point. */
int nd_findings_merge_points(struct nd_findings *fs, int (*rank)(void *arg, const char *ifname),
			     void *arg);

/* First finding with this id (and ifname, when not NULL), or NULL. */
const struct nd_finding *nd_findings_find(const struct nd_findings *fs,
					  const char *id, const char *ifname);

size_t nd_findings_count_at_least(const struct nd_findings *fs, enum nd_severity sev);

/* Field setters: a key set twice keeps the last value; fields past
 * ND_FINDING_FIELDS_MAX are dropped and the call returns -ENOSPC. */
int nd_finding_set_int(struct nd_finding *f, const char *key, int64_t v);
int nd_finding_set_double(struct nd_finding *f, const char *key, double v);
int nd_finding_set_str(struct nd_finding *f, const char *key, const char *v);
const struct nd_field *nd_finding_field(const struct nd_finding *f, const char *key);

/* Record an evidence frame: the first ND_FINDING_FRAMES_MAX are kept,
 * frames_total counts all. */
void nd_finding_add_frame(struct nd_finding *f, uint64_t frame);

void nd_finding_summary(struct nd_finding *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void nd_finding_subject(struct nd_finding *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

const char *nd_severity_name(enum nd_severity sev);
const char *nd_dir_name(enum nd_dir dir);

#pragma GCC visibility pop
#endif
