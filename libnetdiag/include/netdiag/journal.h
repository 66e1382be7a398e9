/* The journal of host changes (docs/design/architecture.md, decision 4).
 *
 * Every change is a record: kind, object, key, value before, value after,
 * and its identity: the run that made it, the network namespace it was
 * made in and, where the kind names a device, that device as the kernel
 * knows it (ifindex, kind, MAC, permanent address).  A record is appended
 * and fsync'd before the change is applied, so a crash leaves a journal
 * that can still be undone; undo walks it newest first and restores the
 * before-values only where the identity still matches, saying why it
 * skips the others.  Each line carries a CRC-32, so a damaged or cut line
 * is reported by its number, never read as a record nor skipped silently.
 *
 * The journal lives in $NETDIAG_RUN_DIR or /run/netdiag: a directory of
 * ours (owner the effective user, writable by no one else), every file
 * in it opened under its descriptor with O_NOFOLLOW.  An exclusive lock
 * keeps two runs from interleaving; closed records are compacted away,
 * so there is no fixed capacity.
 *
 * Kinds are a table (journal.c): each knows how to write its value and
 * which objects it may touch (sysctls under /proc/sys/net, files netdiag
 * writes), so a forged record cannot steer undo elsewhere.
 */
#ifndef NETDIAG_JOURNAL_H
#define NETDIAG_JOURNAL_H

/* exported from libnetdiag.so, whose other symbols are hidden */
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stddef.h>
#include <net/if.h>

#include <netdiag/out.h>
#include <netdiag/rundir.h>

#define ND_JOURNAL_FIELD_MAX 64
#define ND_JOURNAL_OBJECT_MAX 256           /* a device, a sysctl or file path */
#define ND_JOURNAL_RUN_MAX 24

/* A device as the kernel names it: what tells a recreated device of the
 * same name from the one a record was made on. */
struct nd_journal_dev {
	int ifindex;                        /* 0: the record names no device */
	char kind[16];                      /* "bridge", "tun", "veth"; "" for hardware */
	char mac[24];
	char perm[24];                      /* IFLA_PERM_ADDRESS, "" when absent */
};

/* DEV in the current network namespace: -ENODEV when there is none. */
int nd_journal_dev_get(const char *name, struct nd_journal_dev *d);

struct nd_journal_record {
	unsigned id;
	char kind[16];                      /* "offload" */
	char object[ND_JOURNAL_OBJECT_MAX]; /* device, path */
	char key[ND_JOURNAL_FIELD_MAX];     /* feature */
	char before[ND_JOURNAL_FIELD_MAX];
	char after[ND_JOURNAL_FIELD_MAX];
	char run[ND_JOURNAL_RUN_MAX];       /* nd_journal_run_id() of its maker */
	unsigned long long ns_dev, ns_ino;  /* /proc/self/ns/net when made */
	char dev_name[IF_NAMESIZE];         /* the device named, "" for none */
	struct nd_journal_dev dev;
	unsigned line;                      /* line number in the journal */
	bool legacy;                        /* an older netdiag's: no identity, no checksum */
	bool undone;
};

/* Why undo leaves a record alone. */
enum nd_journal_skip {
	ND_JOURNAL_APPLIES = 0,
	ND_JOURNAL_OTHER_NS,                /* made in a namespace that still exists */
	ND_JOURNAL_NS_GONE,                 /* made in a namespace no longer there */
	ND_JOURNAL_DEV_GONE,                /* its device was deleted */
	ND_JOURNAL_DEV_REPLACED,            /* a device of that name, not the same one */
};

/* "other network namespace", ...; never NULL. */
const char *nd_journal_skip_text(enum nd_journal_skip s);

/* Whether r can be undone here and now.  Every skip but OTHER_NS can
 * never apply again (nd_journal_forget drops those). */
enum nd_journal_skip nd_journal_applies(const struct nd_journal_record *r);

/* A line of the journal that is not a record: line number and reason. */
struct nd_journal_damage {
	unsigned line;
	char reason[96];
};

struct nd_journal;

/* This process's run id: 16 hex digits, random, the same for its life. */
const char *nd_journal_run_id(void);

/* Open (creating) and lock the journal, waiting up to a few seconds for
 * another run's lock; -EWOULDBLOCK when it stays held, -EPERM when the
 * run directory or a file in it is not to be trusted (err says which). */
int nd_journal_open(struct nd_journal **j, char *err, size_t errlen);
void nd_journal_close(struct nd_journal *j);

/* A journal read from text (tests, fuzzing): no file, no lock, cannot
 * append; undo and forget on it are refused (-EROFS). */
int nd_journal_parse(const char *text, size_t len, struct nd_journal **j);

/* Append a record (before the change is made); sets r->id, r->run, the
 * namespace and, for kinds that name a device, the device's identity
 * (-ENODEV when it does not exist).  A record whose object the kind may
 * not touch is refused (-EPERM). */
int nd_journal_append(struct nd_journal *j, struct nd_journal_record *r);

/* Close record id whose change the kernel refused (nothing was changed):
 * it no longer counts as open. */
int nd_journal_failed(struct nd_journal *j, unsigned id);

/* Record a change and make it: the record is synced first, then the
 * kind's writer sets `after` and reads it back (a file's or a moved
 * file's absence is checked, not written); when that fails the
 * before-value is written back and the record closed, so a refused
 * change (EPERM) leaves no open record.  Kinds: offload (object device,
 * key feature, on|off), sysctl (object path under /proc/sys/net), route
 * (object DST/LEN, key DEV or DEV@GW, present|absent), addr (object
 * ADDR/LEN, key DEV, present|absent), mtu (object device, the MTU), bridge
 * (object bridge, key forward_delay in clock ticks or stp_state; see
 * netdiag/linkset.h), file (object a path netdiag wrote, absent|present),
 * rename (object where netdiag moved a file, key its original path,
 * absent|present: undo moves it back), nft-rule (object FAMILY/TABLE/CHAIN,
 * key the bridge, present|absent: netdiag's accept rule for that bridge,
 * found again by its comment and deleted by its handle; netdiag/nft.h). */
int nd_journal_change(struct nd_journal *j, const char *kind, const char *object,
		      const char *key, const char *before, const char *after);

/* /proc/sys/PATH (say net/ipv4/ip_forward) set to value through the
 * journal: 1 when it already was, 0 when changed, negative errno. */
int nd_journal_sysctl(struct nd_journal *j, const char *path, const char *value);

/* Records not yet undone, oldest first; *n set.  Owned by the journal. */
const struct nd_journal_record *nd_journal_records(struct nd_journal *j, unsigned *n);

/* Lines that are not records, in file order; *n set. */
const struct nd_journal_damage *nd_journal_damaged(struct nd_journal *j, unsigned *n);

/* Undo the last `count` live records (all when 0), newest first, of every
 * run: each before-value is written back through its kind and read back.
 * `done` is called per record with its result: 0 restored, a negative
 * errno, or a positive enum nd_journal_skip when its identity does not
 * match (the record stays).  dry_run only reports.  Returns the first
 * error, else 0. */
int nd_journal_undo(struct nd_journal *j, unsigned count, bool dry_run,
		    void (*done)(void *arg, const struct nd_journal_record *r, int result),
		    void *arg);

/* The id of the last record this process appended (0 before any): a
 * mark for nd_journal_undo_run. */
unsigned nd_journal_mark(void);

/* Undo this run's live records newer than mark, newest first, and no
 * other run's: a run's rollback. */
int nd_journal_undo_run(struct nd_journal *j, unsigned mark, bool dry_run,
			void (*done)(void *arg, const struct nd_journal_record *r, int result),
			void *arg);

/* Drop what can never apply: records whose namespace or device is gone
 * or replaced, and damaged lines (each reported through the callbacks
 * first, `damage` may be NULL), then compact the file. */
int nd_journal_forget(struct nd_journal *j, bool dry_run,
		      void (*done)(void *arg, const struct nd_journal_record *r, int result),
		      void (*damage)(void *arg, const struct nd_journal_damage *d), void *arg);

/* ---- what undo did, through the output writer (fix/journal_print.c) ---- */

/* One record as nd_journal_undo's callback got it: in JSON an element
 * {"id", "result" ("restored", "would restore", "skipped", "failed"),
 * "kind", "object", "key", "before", and "reason" (a skip or failure) or
 * "legacy"}; in text the line "restored offload g0 rx-gro back to on" or
 * "skipped ... (record N): reason; ...".  A failure is JSON only: the
 * caller says it on stderr. */
void nd_journal_undo_print(struct nd_out *o, const struct nd_journal_record *r, int result,
			   bool dry_run);
/* One record nd_journal_forget dropped: "forgot" or "would forget" and its
 * reason ("failed" with the errno's text, JSON only). */
void nd_journal_forget_print(struct nd_out *o, const struct nd_journal_record *r, int result,
			     bool dry_run);
/* A damaged line: in JSON {"line", "reason"}; in text, when forget
 * dropped it, "forgot RUN_DIR/journal:LINE: reason" (else nothing: undo
 * says a damaged line it leaves on stderr). */
void nd_journal_damage_print(struct nd_out *o, const struct nd_journal_damage *d, bool forget,
			     bool dry_run);

#pragma GCC visibility pop
#endif
