/* Private to the journal's files (journal.c, journal_kinds.c,
 * journal_id.c, rundir.c). */
#ifndef NETDIAG_JOURNAL_INTERNAL_H
#define NETDIAG_JOURNAL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

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

/* journal_id.c: the device and inode of a namespace file */
int journal_netns_of(const char *path, unsigned long long *dev, unsigned long long *ino);

#endif
