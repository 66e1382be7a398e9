/* The journal of host changes (ARCHITECTURE.md, decision 4).
 *
 * Every change is a record: kind, object, key, value before, value after.
 * A record is appended and fsync'd before the change is applied, so a
 * crash leaves a journal that can still be undone; undo walks it newest
 * first and restores the before-values that are not yet restored.  The
 * journal lives in $NETDIAG_RUN_DIR or /run/netdiag (directory 0700, file
 * 0600); an exclusive lock keeps two runs from interleaving.
 *
 * Kinds are a table (journal.c): each knows how to read and write its
 * value, so routes, sysctls and neighbour entries join as new rows.
 */
#ifndef NETDIAG_JOURNAL_H
#define NETDIAG_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

#define ND_JOURNAL_FIELD_MAX 64
#define ND_JOURNAL_OBJECT_MAX 256           /* a device, a sysctl or file path */

/* Where netdiag keeps state that must survive the process but not a
 * reboot: $NETDIAG_RUN_DIR, else /run/netdiag. */
const char *nd_run_dir(void);

struct nd_journal_record {
	unsigned id;
	char kind[16];                      /* "offload" */
	char object[ND_JOURNAL_OBJECT_MAX]; /* device, path */
	char key[ND_JOURNAL_FIELD_MAX];     /* feature */
	char before[ND_JOURNAL_FIELD_MAX];
	char after[ND_JOURNAL_FIELD_MAX];
	bool undone;
};

struct nd_journal;

/* Open (creating) and lock the journal; -EWOULDBLOCK when another run
 * holds it. */
int nd_journal_open(struct nd_journal **j, char *err, size_t errlen);
void nd_journal_close(struct nd_journal *j);

/* Append a record (before the change is made); sets r->id. */
int nd_journal_append(struct nd_journal *j, struct nd_journal_record *r);

/* Record a change and make it: the record is synced first, then the
 * kind's writer sets `after` and reads it back.  Kinds: offload (object
 * device, key feature, on|off), sysctl (object path under /proc/sys),
 * route (object DST/LEN, key DEV or DEV@GW, present|absent), addr (object
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

/* Undo the last `count` live records (all when 0), newest first: each
 * before-value is written back through its kind and read back.  `done` is
 * called per record with its result; dry_run only reports. */
int nd_journal_undo(struct nd_journal *j, unsigned count, bool dry_run,
		    void (*done)(void *arg, const struct nd_journal_record *r, int result),
		    void *arg);

#endif
