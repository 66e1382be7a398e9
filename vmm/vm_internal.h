/* Private plumbing of the launcher, shared by the files of vmm/. */
#ifndef NETDIAG_VM_INTERNAL_H
#define NETDIAG_VM_INTERNAL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include <netdiag/clock.h>
#include <netdiag/vm.h>

/* Files in the state directory. */
#define VM_LOCK "lock"
#define VM_STATE "state"
#define VM_CONTROL "control.sock"
#define VM_CONSOLE "console.sock"
#define VM_QMP "qmp.sock"
#define VM_CONSOLE_LOG "console.log"
#define VM_QEMU_LOG "qemu.log"
#define VM_HISTORY "ended"       /* RUN_DIR/vm/ended: recent end records */

/* state.c: the supervisor's claim on a name.  Creates RUN_DIR/vm/NAME,
 * clears a stale one, takes the lock (held through *lockfd for the life
 * of the run).  -EBUSY when another supervisor holds it. */
int vm_state_claim(const char *name, int *lockfd, char *err, size_t errlen);
int vm_state_write(const char *name, const struct nd_vm_info *info,
		   const char *console_log);
/* Remove the state directory and, when v is set, add its end record to
 * the history. */
void vm_state_release(const char *name, int lockfd, const struct nd_vm_info *info);
/* True when a supervisor holds the name's lock. */
bool vm_state_running(const char *name);
void vm_path(const char *name, const char *file, char *buf, size_t len);

/* tap.c: open (creating if needed) a tap with IFF_VNET_HDR, put it on the
 * bridge with the bridge's MTU, bring it up.  *created says whether it
 * did not exist before (then it disappears when the last fd closes). */
int vm_tap_open(const char *tap, const char *bridge, int *fd, bool *created,
		char *err, size_t errlen);

/* qemu.c: the QEMU argv.  Strings live in the returned vector's storage;
 * free with vm_argv_free. */
struct vm_argv {
	char **v;
	size_t n, cap;
};
int vm_qemu_argv(const struct nd_vm_config *c, const char *qemu, const char *accel,
		 const char *mac, int tap_fd, const char *qmp_path, struct vm_argv *a);
/* The same for a QEMU that opens no file of ours: QMP on a listening
 * socket at fds->qmp, kernel and initrd as /proc/self/fd/N, disk and
 * cdrom through -add-fd fdsets, and -sandbox on (seccomp: no spawning,
 * no privilege changes, no obsolete syscalls). */
struct vm_qemu_fds {
	int qmp, kernel, initrd, disk_rw, disk_ro, cdrom;
};
int vm_qemu_argv_fds(const struct nd_vm_config *c, const char *qemu, const char *accel,
		     const char *mac, int tap_fd, const struct vm_qemu_fds *fds,
		     struct vm_argv *a);
void vm_argv_free(struct vm_argv *a);
/* The QEMU binary: c->qemu, $NETDIAG_QEMU, or qemu-system-x86_64 in PATH. */
int vm_qemu_find(const char *want, char *path, size_t len);

/* qmp.c: a QMP client on a unix socket. */
struct json_tokener;
struct vm_qmp {
	int fd;
	struct json_tokener *tok;   /* the message being read, across reads */
	size_t msg_len;             /* its bytes so far */
	bool skipping;              /* after a malformed message: to the next line */
	bool greeted;               /* the {"QMP": ...} greeting came */
	bool ready;                 /* a return came: capabilities negotiated */
	unsigned rejected;          /* malformed or unknown messages dropped */
	char error[128];            /* the last error reply, "CLASS: desc" */
};
typedef void vm_qmp_event_fn(void *arg, const char *event, const char *reason);
/* Connect and send qmp_capabilities.  q needs fd -1 (or an earlier
 * vm_qmp_close) and tok NULL or its own; vm_qmp_close frees both. */
int vm_qmp_connect(struct vm_qmp *q, const char *path);
/* Send {"execute": CMD}; replies arrive through vm_qmp_read. */
int vm_qmp_execute(struct vm_qmp *q, const char *cmd);
/* Read what is there; calls ev(arg, event, reason) per event message
 * (reason: data.reason or data.action, "" when neither).  0, or a
 * negative errno when the connection is gone. */
int vm_qmp_read(struct vm_qmp *q, vm_qmp_event_fn *ev, void *arg);
/* What vm_qmp_read does with bytes received: LEN bytes of the stream,
 * any cut, messages completed by them handled in order.  A malformed or
 * unknown message counts in q->rejected and is dropped with the rest of
 * its line.  0, or -ENOMEM. */
int vm_qmp_feed(struct vm_qmp *q, const char *data, size_t len, vm_qmp_event_fn *ev, void *arg);
void vm_qmp_close(struct vm_qmp *q);

bool vm_uefi_available(void);

/* The signals the supervisor takes through its signalfd (SIGTERM, SIGINT,
 * SIGHUP, SIGCHLD), in mask, blocked in the calling thread; the previous
 * mask in old, for pthread_sigmask(SIG_SETMASK, old) at the end. */
void vm_block_signals(sigset_t *mask, sigset_t *old);

#endif
