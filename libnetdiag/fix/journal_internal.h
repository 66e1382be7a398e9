/* Private to the journal's files (journal.c, journal_kinds.c,
 * journal_id.c, rundir.c). */
#ifndef NETDIAG_JOURNAL_INTERNAL_H
#define NETDIAG_JOURNAL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <netdiag/journal.h>

/* journal_kinds.c: whether a kind exists; whether it may touch object/key
 * (at_write: about to change the host, a file must be under this run's
 * persistence root); the device a record names ("" none, dev holds
 * IF_NAMESIZE); the kind's writer, refused (-EPERM) outside its bounds. */
bool journal_kind_known(const char *kind);
bool journal_object_ok(const char *kind, const char *object, const char *key, bool at_write);
void journal_dev_of(const char *kind, const char *object, const char *key, char *dev);
int journal_kind_write(const char *kind, const char *object, const char *key, const char *value);
/* a path under /proc/sys/net, without "." or ".." components */
bool journal_sysctl_ok(const char *path);

/* Root under which --persist writes: $NETDIAG_PERSIST_ROOT (tests), else "". */
const char *journal_persist_root(void);

/* journal_id.c: the device and inode of a namespace file */
int journal_netns_of(const char *path, unsigned long long *dev, unsigned long long *ino);

/* The longest line a record makes (each field at worst three times
 * encoded, plus identity and checksum) is under 2 KiB; longer is damage,
 * and its tail is never read as a record of its own. */
#define JOURNAL_LINE_MAX 4096

struct nd_journal {
	int dirfd, lock_fd, fd;          /* fd -1: parsed from text, read-only */
	struct nd_journal_record *all;   /* every change line, in file order */
	unsigned nall, capall;
	struct nd_journal_record *live;  /* those not undone, for callers */
	unsigned nlive;
	struct nd_journal_damage *dmg;
	unsigned ndmg, capdmg;
	unsigned next_id;
	unsigned closing;                /* undo/fail/forget lines: what compaction drops */
	bool cut;                        /* the file ends inside a line */
};

/* a line being written: over when it did not fit in cap */
struct journal_buf {
	char *p;
	size_t len, cap;
	bool over;
};

/* journal_line.c: printf into b; a record's line; the CRC-32 that ends
 * the line begun at start */
void journal_put(struct journal_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void journal_record_line(struct journal_buf *b, const struct nd_journal_record *r);
void journal_end_line(struct journal_buf *b, size_t start);
/* the file's text into j's records and damage (j reset first): 0 or -ENOMEM */
int journal_parse_text(struct nd_journal *j, const char *text, size_t len);
int journal_add_record(struct nd_journal *j, const struct nd_journal_record *r);
struct nd_journal_record *journal_find(struct nd_journal *j, unsigned id);

#endif
