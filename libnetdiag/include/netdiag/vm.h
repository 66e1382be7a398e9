/* The launcher: a guest on QEMU attached to a bridge through a tap that
 * netdiag opens itself, its serial console captured, its shutdown driven
 * over QMP, its state under RUN_DIR/vm/NAME/ while it runs.
 *
 * One foreground process (the supervisor, nd_vm_run) owns the tap, the
 * QEMU child, the QMP connection and the console; other commands talk to
 * it through a control socket in the state directory. */
#ifndef NETDIAG_VM_H
#define NETDIAG_VM_H

/* exported from libnetdiag.so, whose other symbols are hidden */
#pragma GCC visibility push(default)

#include <net/if.h>
#include <signal.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <netdiag/check.h>
#include <netdiag/finding.h>
#include <netdiag/json.h>

#define ND_VM_NAME_MAX 32
#define ND_VM_MAX 64             /* VMs listed at once */

enum nd_vm_accel { ND_VM_ACCEL_AUTO, ND_VM_ACCEL_KVM, ND_VM_ACCEL_TCG };

/* How a run ended (bhyve tells these apart by exit code; we by name). */
enum nd_vm_end {
	ND_VM_END_NONE = 0,      /* still running, or never started */
	ND_VM_END_POWERED_OFF,   /* ACPI power-off by the guest */
	ND_VM_END_RESET,         /* the guest rebooted */
	ND_VM_END_HALTED,        /* the guest halted its CPUs; QEMU quit for it */
	ND_VM_END_TRIPLE_FAULT,  /* reset with no reboot message: a CPU fault */
	ND_VM_END_PANIC,         /* guest kernel panic (pvpanic or console) */
	ND_VM_END_KILLED,        /* destroyed, or did not react to the power button */
	ND_VM_END_QEMU_DIED,     /* QEMU exited on its own without a shutdown */
};

struct nd_vm_config {
	const char *name;
	const char *bridge;
	const char *tap;         /* NULL: "ndvm-NAME" cut to IFNAMSIZ */
	const char *mac;         /* NULL: derived from the name */
	unsigned cpus;           /* 0: 1 */
	unsigned mem_mb;         /* 0: 256 */
	const char *kernel, *initrd, *append;
	const char *disk, *cdrom;
	bool uefi;
	enum nd_vm_accel accel;
	bool nic_offloads_off;   /* virtio-net without checksum and TSO offloads */
	bool console;            /* copy the serial console to stdout, stdin to it */
	const char *console_log; /* NULL: RUN_DIR/vm/NAME/console.log */
	const char *qemu;        /* NULL: $NETDIAG_QEMU or qemu-system-x86_64 in PATH */
};

/* Filled in by the supervisor as the run goes. */
struct nd_vm_result {
	char tap[IF_NAMESIZE];
	char mac[18];
	char accel[8];           /* "kvm" or "tcg" */
	char accel_why[96];      /* why TCG was chosen under auto, "" otherwise */
	pid_t qemu_pid;
	enum nd_vm_end end;
	char end_detail[128];    /* QEMU's shutdown reason, exit status, panic line */
	int qemu_status;         /* waitpid status */
	/* launcher overhead and the guest's life, milliseconds */
	double setup_ms;         /* nd_vm_run called -> QEMU exec'd */
	double run_ms;           /* QEMU exec'd -> QEMU exited */
	double teardown_ms;      /* QEMU exited -> tap and state gone */
};

/* Hooks the supervisor calls from its loop (all optional). */
struct nd_vm_hooks {
	/* QEMU is running with the tap attached */
	void (*started)(void *arg, const struct nd_vm_result *r);
	/* one complete serial console line, without its newline */
	void (*console_line)(void *arg, const char *line);
	void *arg;
};

/* Run a guest to its end.  Returns 0 when it ran (r->end says how it
 * ended), or a negative errno with err naming the object ("br9: no such
 * bridge") when it could not start; nothing is left behind either way.
 * SIGTERM, SIGINT and SIGHUP are taken over while it runs: they press
 * the power button and wait (stop_timeout seconds, then quit, then
 * SIGKILL); *stop set non-zero by another thread does the same. */
int nd_vm_run(const struct nd_vm_config *c, const struct nd_vm_hooks *h,
	      volatile sig_atomic_t *stop, struct nd_vm_result *r,
	      char *err, size_t errlen);

/* Checks nd_vm_run makes before changing anything; exposed so a caller
 * can validate before it starts other work. */
int nd_vm_validate(const struct nd_vm_config *c, char *err, size_t errlen);

/* Names: [A-Za-z0-9_.-], 1..ND_VM_NAME_MAX, not starting with '.' or '-'. */
bool nd_vm_name_valid(const char *name);
/* A stable, locally administered unicast MAC from the name. */
void nd_vm_mac_from_name(const char *name, char mac[18]);
/* "52:54:00:12:34:56" -> 0; -EINVAL if malformed, multicast or zero. */
int nd_vm_mac_parse(const char *text, uint8_t mac[6]);
/* The tap name a VM gets when none is given. */
void nd_vm_tap_name(const char *name, char tap[IF_NAMESIZE]);

/* KVM when /dev/kvm opens and runs a vCPU to a HLT within a second;
 * otherwise TCG with why filled in. */
enum nd_vm_accel nd_vm_accel_pick(enum nd_vm_accel want, char *why, size_t whylen);

const char *nd_vm_end_name(enum nd_vm_end e);
/* 0 for a normal end (powered off, reset, halted), 1 for a crash or a
 * kill, per the exit-status rule. */
int nd_vm_end_status(enum nd_vm_end e);

/* What `vm list` shows: running VMs from their state, and the most
 * recent ended runs with their end reason. */
struct nd_vm_info {
	char name[ND_VM_NAME_MAX + 1];
	bool running;
	pid_t pid, qemu_pid;
	char tap[IF_NAMESIZE], bridge[IF_NAMESIZE], mac[18], accel[8];
	double started;          /* seconds since the epoch */
	double ended;            /* 0 while running */
	char end[16];            /* end reason name once ended */
};
/* Returns how many were written to v (at most n); -EPERM when RUN_DIR or
 * RUN_DIR/vm is not to be trusted (another owner, writable by others, a
 * symlink). */
int nd_vm_list(struct nd_vm_info *v, size_t n);
/* `vm list` from one walk: a table in text, "vms" (an array) in JSON. */
void nd_vm_list_print(const struct nd_vm_info *v, size_t n, struct nd_out *o);

/* The state directory of a VM: RUN_DIR/vm/NAME. */
void nd_vm_state_dir(const char *name, char *buf, size_t len);
/* Read one key of a running VM's state ("console_log", "tap", "mac"). */
int nd_vm_state_get(const char *name, const char *key, char *val, size_t len);

/* Talk to a running VM's supervisor.  stop: power button, then quit after
 * timeout_s, then SIGKILL; destroy: SIGKILL now.  Both wait for the end
 * and fill end with its name.  -ENOENT: no such VM running. */
int nd_vm_stop(const char *name, unsigned timeout_s, char *end, size_t endlen,
	       char *err, size_t errlen);
int nd_vm_destroy(const char *name, char *end, size_t endlen, char *err, size_t errlen);
/* A connected socket to the VM's console (output in, keystrokes out). */
int nd_vm_console_connect(const char *name, int *fd, char *err, size_t errlen);

/* Wait until a line of the VM's console matches the POSIX extended
 * regular expression, or the guest sends its first DHCP message on its
 * tap.  -ETIMEDOUT, -ENOENT (VM gone), -EINVAL (bad regex). */
int nd_vm_wait_console(const char *name, const char *regex, double timeout_s,
		       char *line, size_t linelen, char *err, size_t errlen);
int nd_vm_wait_dhcp(const char *name, double timeout_s, char *err, size_t errlen);

/* The probe guest's report, read from its "NDPROBE 1 ..." console lines. */
#define ND_VM_PROBE_NICS_MAX 4
#define ND_VM_PROBE_DNS_MAX 8
struct nd_vm_probe_dns {
	char iface[IF_NAMESIZE], server[48], name[64], addr[48];
	bool ok;
	double ms;
};
struct nd_vm_probe_nic {
	char iface[IF_NAMESIZE], mac[18];
	unsigned mtu;
	bool leased, tried;
	char ip[48], mask[48], router[48], dns[96], server[48];
	long lease_s;
	double ms;               /* DISCOVER to lease (or give-up), guest clock */
};
struct nd_vm_probe_report {
	bool started, done;
	char kernel[64];
	struct nd_vm_probe_nic nics[ND_VM_PROBE_NICS_MAX];
	unsigned nnics;
	struct nd_vm_probe_dns dns[ND_VM_PROBE_DNS_MAX];
	unsigned ndns;
	bool snmp;
	uint64_t udp_in_errors, udp_in_csum_errors, udp6_in_errors, udp6_in_csum_errors;
	double done_ms;          /* guest uptime at the end of the report */
};
/* Feed one console line; lines that are not probe lines are ignored.
 * Returns 1 when the line was a probe line, 0 otherwise. */
int nd_vm_probe_feed(struct nd_vm_probe_report *p, const char *line);
/* Findings from the guest's side: guest.no-lease, guest.dns-failed,
 * guest.udp-csum-errors, guest.no-report; subject names the VM. */
void nd_vm_probe_findings(const struct nd_vm_probe_report *p, const char *vm,
			  struct nd_findings *out);
/* The probe guest's report: lease, DNS and checksum-counter lines in
 * text; in JSON members of an open object (started, done, nics, dns,
 * snmp, uptime_s). */
void nd_vm_probe_report_print(const struct nd_vm_probe_report *p, struct nd_out *o);

/* Where `--probe` finds vmlinuz and probe.cpio.gz: $NETDIAG_GUEST_DIR,
 * then "guest" beside the running executable, then the installed copy. */
int nd_vm_probe_guest_files(char *kernel, size_t klen, char *initrd, size_t ilen,
			    char *err, size_t errlen);

/* c made the probe guest: its kernel and initramfs, and a command line
 * asking it to resolve `resolve` (comma-separated names; NULL:
 * example.com) and, with hold, to stay up after its report; c->append is
 * kept at the end.  b holds the strings c points to afterwards. */
/* A name the probe guest may be asked to resolve: letters, digits, '-',
 * '_', '.', 1 to 253 of them.  It goes on the guest's kernel command
 * line, where a blank would start a new parameter (init=...) and a comma
 * a new name. */
bool nd_vm_probe_name_valid(const char *name);
struct nd_vm_probe_files {
	char kernel[PATH_MAX], initrd[PATH_MAX], append[1024];
};
int nd_vm_probe_config(struct nd_vm_config *c, struct nd_vm_probe_files *b, const char *resolve,
		       bool hold, char *err, size_t errlen);

/* A guest run with checks: `vm run --probe` and `vm run --check`.  The
 * guest boots while `netdiag check` captures on its tap and bridge from
 * the first frame; with the probe guest its own report (lease, answers,
 * its kernel's checksum counters) joins the host-side findings. */
struct nd_vm_probe_opts {
	bool guest_report;       /* the probe guest: wait for and read its report */
	bool hold;               /* the guest stays up after its report */
	double timeout_s;        /* for the report (probe) or the verdict (check) */
	volatile sig_atomic_t *stop;
	void (*started)(void *arg, const struct nd_vm_result *r);
	void *arg;
};
struct nd_vm_probe_result {
	struct nd_vm_result vm;
	struct nd_vm_probe_report guest;
	struct nd_check_result check;
	bool checked;            /* check ran (result valid) */
	bool timed_out;          /* the guest did not report in time: stopped */
};
/* Returns 0 when the guest ran (findings in out: check findings, guest.*
 * from the report, vm.crashed / vm.timeout), negative with err set when it
 * could not start.  Free with nd_vm_probe_result_free whatever the return. */
int nd_vm_probe_run(const struct nd_vm_config *c, const struct nd_vm_probe_opts *o,
		    struct nd_vm_probe_result *res, struct nd_findings *out,
		    char *err, size_t errlen);
void nd_vm_probe_result_free(struct nd_vm_probe_result *res);
/* The "vm" member of the JSON output, an object: name, tap, MAC,
 * accelerator, end reason and the launcher's timings (JSON only: in text
 * the launcher says these on stderr). */
void nd_vm_result_print(const struct nd_vm_config *c, const struct nd_vm_result *r,
			struct nd_out *o);
/* `vm run --probe|--check` from one walk: "vm", "guest" (the probe's
 * report) and "check" members; in text the probe's lines and how the
 * guest ended.  Findings are the caller's to print. */
void nd_vm_probe_result_print(const struct nd_vm_config *c,
			      const struct nd_vm_probe_result *res, bool probe, struct nd_out *o);

#pragma GCC visibility pop
#endif
