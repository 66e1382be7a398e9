/* Checks after guest boot, from the hypervisor's own hooks.
 *
 * libvirt runs /etc/libvirt/hooks/qemu as `qemu DOMAIN OPERATION SUBOP
 * EXTRA` with the domain XML on stdin (https://libvirt.org/hooks.html);
 * Proxmox VE runs a VM's hookscript as `SCRIPT VMID PHASE`
 * (pre-start, post-start, pre-stop, post-stop).  When the guest has
 * started, each of its taps gets a detached, bounded `check --tap TAP
 * --bridge BR --until-verdict`; the verdict goes to the system log and to
 * a state file, RUN_DIR/hook/GUEST/TAP, that `netdiag hook status` reads.
 * A hook never holds up or fails the guest's start: the checks run in a
 * grandchild in its own session, the hook itself returns at once. */
#ifndef NETDIAG_HOOK_H
#define NETDIAG_HOOK_H

/* exported from libnetdiag.so, whose other symbols are hidden */
#pragma GCC visibility push(default)

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include <netdiag/json.h>
#include <netdiag/out.h>

#define ND_HOOK_PORTS_MAX 16
#define ND_HOOK_GUEST_MAX 64
#define ND_HOOK_TIMEOUT 60.0        /* a check's bound, seconds */

struct nd_hook_port {
	char tap[IF_NAMESIZE];
	char bridge[IF_NAMESIZE];    /* the tap's bridge ("" when none found) */
	char uplink[IF_NAMESIZE];    /* Proxmox firewall: fwlnVMIDiN, else "" */
	char outer[IF_NAMESIZE];     /* Proxmox firewall: the bridge behind fwbr */
};

/* Root under which hook files are read and installed: $NETDIAG_HOOK_ROOT
 * (tests), else "" (the real /). */
const char *nd_hook_root(void);

/* The taps and bridges of a libvirt domain's XML (<interface type='bridge'
 * or 'network'> with <target dev>; the bridge from <source bridge>, else
 * the network's definition, ROOT/etc/libvirt/qemu/networks/NAME.xml, else
 * the tap's master in sysfs).  name gets the domain's <name>.  -EINVAL
 * with err when the XML is not a domain. */
int nd_hook_libvirt_ports(const char *xml, size_t len, char *name, size_t namelen,
			  struct nd_hook_port *ports, unsigned max, unsigned *n,
			  char *err, size_t errlen);

/* A Proxmox VM's taps, tapVMIDiN, and their bridges from sysfs; with the
 * firewall on, the tap's bridge is fwbrVMIDiN, its uplink fwlnVMIDiN and
 * outer the bridge fwprVMIDpN is on. */
int nd_hook_proxmox_ports(unsigned vmid, struct nd_hook_port *ports, unsigned max, unsigned *n);

/* Start the checks, one detached process per port (double fork, setsid,
 * stdio on /dev/null), each bounded by timeout seconds (0: the default),
 * and return at once.  Each writes its state file ("running", then
 * "done" with the verdicts) and one line to the system log. */
int nd_hook_start(const char *guest, const struct nd_hook_port *ports, unsigned n,
		  double timeout, char *err, size_t errlen);

/* One line to the system log (syslog(3), facility daemon, ident
 * netdiag-hook), or with $NETDIAG_SYSLOG_SOCKET set, the same datagram
 * to that AF_UNIX socket instead (tests; syslog(3) always uses /dev/log). */
void nd_hook_log(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Run the hook this one replaced: path with argv (argv[0] is set to path),
 * input on its stdin; *status its exit status (1 when killed). */
int nd_hook_chain(const char *path, char *const *args, unsigned nargs, const char *input,
		  size_t len, int *status);

struct nd_hook_state {
	char guest[ND_HOOK_GUEST_MAX + 1];
	char tap[IF_NAMESIZE], bridge[IF_NAMESIZE];
	char state[16];              /* running, done, error */
	char status[16];             /* healthy, problems, not-seen (no traffic in
	                              * time), error; "" while running */
	char verdicts[160];          /* "dhcp:ok,dns:not-seen,..." */
	char findings[256];          /* ids at warning or worse */
	char error[160];
	double started, finished, seconds;
	long pid;
};
/* The states of one guest (NULL: every guest), at most max. */
int nd_hook_states(const char *guest, struct nd_hook_state *v, unsigned max, unsigned *n);
/* The states from one walk: one line each in text ("no hook checks
 * recorded" when none), a "hooks" array in JSON. */
void nd_hook_states_print(const struct nd_hook_state *v, unsigned n, struct nd_out *o);

/* Install the hook for "libvirt" (ROOT/etc/libvirt/hooks/qemu) or
 * "proxmox" (ROOT/var/lib/vz/snippets/netdiag-hook.sh): a shell script
 * running `netdiag_path hook KIND`.  An existing hook there is moved to
 * PATH.netdiag-chained and chained to; chain names another to chain to
 * (Proxmox: the VM's current hookscript).  Each step is journaled, so
 * `netdiag undo` removes the script and moves the old hook back.
 * installed gets the script's path.  -EEXIST: ours is already there. */
int nd_hook_install(const char *kind, const char *netdiag_path, const char *chain,
		    char *installed, size_t ilen, char *err, size_t errlen);

/* True when AppArmor enforces a libvirtd profile (the root's
 * /sys/kernel/security/apparmor/profiles lists one "(enforce)") and
 * netdiag_path is outside the directories Debian's profile lets a hook
 * run programs from (/usr/bin, /usr/sbin, /bin, /sbin): libvirt would
 * then fail every domain start, since its hook could not run netdiag. */
bool nd_hook_apparmor_blocks(const char *netdiag_path);

#pragma GCC visibility pop
#endif
