/* The run directory: state that must outlive a process but not a boot
 * (the journal, locks, guests' and VMs' state files).  Part of the base
 * layer: it uses nothing else of netdiag. */
#ifndef NETDIAG_RUNDIR_H
#define NETDIAG_RUNDIR_H

/* exported from libnetdiag.so, whose other symbols are hidden */
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stddef.h>

/* Where netdiag keeps state that must survive the process but not a
 * reboot: $NETDIAG_RUN_DIR, else /run/netdiag. */
const char *nd_run_dir(void);

/* The run directory, created 0700 when missing, opened O_NOFOLLOW and
 * checked: a directory owned by the effective user and writable by no
 * one else.  Returns its descriptor (O_CLOEXEC) or a negative errno with
 * err set to one line ("DIR: owned by uid 65534, not 0: refused"). */
int nd_run_dir_open(char *err, size_t errlen);

/* NAME under the directory fd, the same way (mkdir 0700 when create). */
int nd_run_subdir_open(int dirfd, const char *name, bool create, char *err, size_t errlen);

/* An exclusive lock on RUN_DIR/NAME (created 0600, O_NOFOLLOW, checked),
 * not waited for: its descriptor, held until closed, or -EWOULDBLOCK when
 * another process holds it.  doctor.lock: one changing doctor at a time. */
int nd_run_lock(const char *name, char *err, size_t errlen);

/* NAME under dirfd, a regular file of ours with one link, never through a
 * symlink (flags | O_NOFOLLOW | O_CLOEXEC, mode 0600): the descriptor, or a
 * negative errno with err set. */
int nd_run_file_open(int dirfd, const char *name, int flags, char *err, size_t errlen);

#pragma GCC visibility pop
#endif
