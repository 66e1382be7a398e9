/* The supervisor's state, shared by vmm/run.c (the loop, QEMU, the end)
 * and vmm/console.c (the console, the control and console sockets). */
#ifndef NETDIAG_SUPERVISOR_H
#define NETDIAG_SUPERVISOR_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <termios.h>

#include "vm_internal.h"

#define QEMU_TAP_FD 3             /* the tap's number in QEMU */
/* QEMU runs as an unprivileged user: what it cannot open itself is opened
 * by the supervisor and passed at these numbers (see vm_qemu_fds) */
#define QEMU_QMP_FD 4             /* the listening QMP socket */
#define QEMU_KERNEL_FD 5          /* sealed memfd copies of kernel and initrd */
#define QEMU_INITRD_FD 6
#define QEMU_DISK_RW_FD 7         /* fdset 1: the disk, read-write and read-only */
#define QEMU_DISK_RO_FD 8
#define QEMU_CDROM_FD 9           /* fdset 2 */
#define PRESS_EVERY_MS 1000       /* power button repeat until the guest reacts */
#define STOP_TIMEOUT_S 30         /* SIGTERM's grace before quit */
#define KILL_AFTER_QUIT_MS 5000
#define QMP_CONNECT_MS 10000
#define CLIENTS_MAX 8
#define LINE_MAX_CONSOLE 1024
#define CONSOLE_ESCAPE 0x1d       /* ^] on the terminal presses the power button */

enum client_kind { CLIENT_NONE, CLIENT_CONTROL, CLIENT_CONSOLE };

struct client {
	int fd;
	enum client_kind kind;
};

struct sup {
	const struct nd_vm_config *c;
	const struct nd_vm_hooks *h;
	struct nd_vm_result *r;
	struct nd_vm_info info;
	char console_log[512], qmp_path[512];
	int lockfd, tapfd, serial, sigfd, logfd, qemu_log, ctl_listen, con_listen;
	/* passed to QEMU (QEMU_*_FD), -1 when unused */
	int qmp_listen, kernel_fd, initrd_fd, disk_rw_fd, disk_ro_fd, cdrom_fd;
	uid_t qemu_uid;           /* whom QEMU runs as, and its groups */
	gid_t qemu_gid, qemu_groups[2];
	int qemu_ngroups;
	bool qemu_setuid;         /* false: not root, QEMU stays our user */
	struct client clients[CLIENTS_MAX];
	struct vm_qmp qmp;
	double qmp_deadline;
	char line[LINE_MAX_CONSOLE];
	size_t linelen;
	uint64_t console_bytes;
	pid_t qemu;
	bool exited;
	/* what the guest said or did */
	bool shutdown_seen, panicked, said_restart, said_halt, said_panic;
	char shutdown_reason[64], panic_line[128];
	/* stopping */
	bool stopping, quit_sent, killed;
	double stop_deadline, next_press, kill_at;
	/* terminal */
	bool tty_raw;
	struct termios tty_saved;
};

void sup_init(struct sup *s);
void sup_kill(struct sup *s);

/* stop.c: press the power button now and every second, quit after
 * timeout_s (asked again while stopping: quit at once); the loop's tick
 * that presses, quits and kills on time */
void sup_begin_stop(struct sup *s, unsigned timeout_s);
void sup_stop_tick(struct sup *s);

/* spawn.c */
/* Whom QEMU runs as ($NETDIAG_VM_USER or nobody, with /dev/kvm's group),
 * looked up before fork. */
int sup_qemu_identity(struct sup *s, char *err, size_t errlen);
/* Everything QEMU needs from us, opened with our rights. */
int sup_open_qemu_fds(struct sup *s, char *err, size_t errlen);
void sup_close_qemu_fds(struct sup *s);
int sup_start_qemu(struct sup *s, const char *qemu, struct vm_argv *argv, char *err,
		   size_t errlen);

/* console.c */
int sup_listen_unix(const char *path);
void sup_serial_readable(struct sup *s);
void sup_terminal_readable(struct sup *s);
void sup_control_accept(struct sup *s);
void sup_console_accept(struct sup *s);
void sup_console_client_readable(struct sup *s, struct client *cl);
void sup_console_out(struct sup *s, const char *buf, size_t n);
/* Tell control clients how the guest ended and drop every client. */
void sup_clients_end(struct sup *s, const char *end);

#endif
