/* Private to the doctor, lowest first: steps.c (the run's steps, notes,
 * stopping), look.c (looking and verifying), remedy.c (the kinds of
 * change), attempt.c (one change tried, kept or undone), guide.c (the
 * offload guide's search), doctor.c (the loop).  Each uses only those
 * before it.  See netdiag/doctor.h for what it does. */
#ifndef NETDIAG_DOCTOR_INTERNAL_H
#define NETDIAG_DOCTOR_INTERNAL_H

#include <net/if.h>

#include <netdiag/doctor.h>
#include <netdiag/offload.h>

#define GUIDE_CANDIDATES_MAX 8
#define TX_NAMES_MAX 8

struct look {
	struct nd_findings fs;
	struct nd_check_result check;
	bool checked;
};

struct run {
	const struct nd_doctor_opts *o;
	const struct nd_rules *rs;
	struct nd_doctor_result *res;
	struct look latest;          /* the last look, taken after a change */
	bool latest_kept;            /* ... which was kept: the host is as it saw */
	struct look kept;            /* the look after the last kept change */
	unsigned journal_start;
	char *err;
	size_t errlen;
};

/* steps.c */
void doctor_note(const struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool doctor_stopped(const struct run *r);
struct nd_doctor_step *doctor_new_step(struct run *r, size_t di, unsigned ri,
				       enum nd_remedy_action a);

/* attempt.c: apply one change (s->target, value as the kind takes it), look again,
 * keep or undo; s->outcome says which.  -EINTR when stopped. */
int doctor_try_change(struct run *r, const struct nd_diagnosis *d,
		      const struct nd_rule_remedy *m, struct nd_doctor_step *s, const char *value);

/* look.c */
int doctor_look(struct run *r, struct look *l, bool again);
void doctor_look_free(struct look *l);
/* Live journal records now: a mark to undo back to. */
unsigned doctor_journal_mark(void);
int doctor_undo_since(unsigned since, char *err, size_t errlen);
/* Is the diagnosis gone in l, with its traffic seen healthy? */
bool doctor_verified(const struct run *r, const struct nd_diagnosis *d,
		     const struct nd_rule_remedy *m, const struct look *l, char *why, size_t whylen);
/* Look again after a change: 1 verified, 0 not (why says), -EINTR. */
int doctor_look_again(struct run *r, const struct nd_diagnosis *d,
		      const struct nd_rule_remedy *m, char *why, size_t whylen);
const char *doctor_verify_name(const struct nd_diagnosis *d, const struct nd_rule_remedy *m);

/* remedy.c: one entry per kind of change a rule's remedy names */
struct remedy_kind {
	enum nd_remedy_action action;
	/* s->target and s->change from the bindings; value: what apply takes */
	void (*describe)(const struct nd_diagnosis *d, const struct nd_rule_remedy *m,
			 struct nd_doctor_step *s, char *value, size_t vlen);
	/* through the journal: 0 changed, 1 already so, negative errno (err) */
	int (*apply)(struct nd_doctor_step *s, const char *value, char *err, size_t errlen);
};
const struct remedy_kind *remedy_kind(enum nd_remedy_action a);
/* The TX checksum features of dev that are on and changeable. */
unsigned remedy_tx_on(struct nd_ethtool *e, const char *dev, const char *names[TX_NAMES_MAX]);
/* features ("tx", or names) off on dev; s (may be NULL) gets the count */
int remedy_offload_off(struct nd_doctor_step *s, const char *dev, const char *features,
		       char *err, size_t errlen);

/* Where an offload remedy may act, least blast first (see remedy.c). */
unsigned remedy_offload_candidates(const char *tap, const char *src,
				   char out[GUIDE_CANDIDATES_MAX][IF_NAMESIZE]);

/* guide.c */
/* The offload guide for remedy ri of diagnosis di: 1 kept, 0 not, -EINTR. */
int doctor_guide(struct run *r, size_t di, unsigned ri);

#endif
