/* Host inspection: the bridge, its ports, the guest taps and the sysctls
 * that decide whether bridged and routed guest traffic gets through.
 * Links come from rtnetlink (libnl-route-3), bridge and port attributes
 * from sysfs, sysctls from procfs; nothing is changed. */
#ifndef NETDIAG_HOST_H
#define NETDIAG_HOST_H

/* exported from libnetdiag.so, whose other symbols are hidden */
#pragma GCC visibility push(default)

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include <netdiag/finding.h>
#include <netdiag/json.h>
#include <netdiag/out.h>

#define ND_HOST_PORTS_MAX 64
#define ND_HOST_TAPS_MAX 16
#define ND_HOST_FW_MAX 8
#define ND_FW_RULE_MAX 96

enum nd_port_state {
	ND_PORT_DISABLED = 0, ND_PORT_LISTENING, ND_PORT_LEARNING, ND_PORT_FORWARDING,
	ND_PORT_BLOCKING,
};

struct nd_link_info {
	char name[IF_NAMESIZE];
	char kind[16];             /* "bridge", "tun", "veth", "" for hardware */
	int ifindex, master;
	bool up, carrier;          /* IFF_UP; IFF_LOWER_UP */
	unsigned mtu;
	int rp_filter;             /* effective: max(all, this interface) */
	int proxy_arp;             /* effective: max(all, this interface) */
	int accept_ra;             /* this interface's */
	int port_state;            /* enum nd_port_state when a bridge port, else -1 */
	int learning, flooding;    /* bridge port learning / unicast flooding, -1 if not a port */
	double forward_in;         /* seconds until a listening/learning port forwards by the
				    * kernel's forward-delay timer; -1 when no timer runs */
	char addrs[4][48];         /* first addresses, "192.0.2.1/24" */
	unsigned naddrs;
};

/* A base chain on the forward hook, walked as a frame bridged on this
 * bridge would go: which rule, or the policy, decides it.  Rule conditions
 * on the interface (iifname, oifname, iif, oif, meta ibrname/obrname,
 * xt physdev) are decided; others (addresses, ports, ct state) are not,
 * so an accept or drop counts when its decided conditions name the bridge
 * or when it has no conditions at all. */
struct nd_fw_path {
	char family[8];            /* "ip", "ip6", "inet", "bridge" */
	unsigned family_nr;        /* NFPROTO_* */
	char table[64], chain[64]; /* the base chain */
	bool applies;              /* bridged frames reach this chain (br_netfilter
				      mode for ip/ip6/inet; always for bridge) */
	bool dropped;              /* the decision: drop (or reject), else accept */
	char rule_chain[64];       /* chain holding the deciding rule (jump/goto target) */
	uint64_t handle;           /* the deciding rule's handle; 0: the base chain's policy */
	char rule[ND_FW_RULE_MAX]; /* readable: 'iifname "br0" oifname "br0" accept', "policy drop" */
	int64_t packets;           /* its counter; -1 when it has none */
	char fix_chain[64];        /* where an accept for the bridge belongs: DOCKER-USER
				      when the base chain jumps there first, else the base chain */
};

struct nd_bridge_info {
	struct nd_link_info link;
	bool stp;
	double forward_delay;      /* seconds */
	bool snooping, querier;
	bool nf_call_iptables, nf_call_ip6tables;  /* from the bridge's own settings */
	struct nd_link_info ports[ND_HOST_PORTS_MAX];
	unsigned nports;
	struct nd_fw_path fw[ND_HOST_FW_MAX];   /* forward-hook chains, see above */
	unsigned nfw;
	char host_serves[16];      /* "dhcp", "dns", "dhcp,dns": UDP 67/53 listened to on
				      the bridge's IPv4 address (or the wildcard) */
};

struct nd_host_opts {
	const char *bridge;                     /* NULL: every bridge in the namespace */
	const char *taps[ND_HOST_TAPS_MAX];     /* guest ports that must be on the bridge */
	unsigned ntaps;
};

struct nd_host_report {
	struct nd_bridge_info *bridges;
	unsigned nbridges;
	struct nd_link_info taps[ND_HOST_TAPS_MAX];
	unsigned ntaps;
	int ip_forward, ip6_forward;
	unsigned routes4, routes6, neighbours;
	char default_gw4[48];      /* "" when there is no IPv4 default route */
	int brnf_loaded;           /* br_netfilter: /proc/sys/net/bridge exists */
	int brnf_call_iptables, brnf_call_ip6tables;
	uint64_t udp_in_csum_errors, udp_in_errors;  /* /proc/net/snmp */
	uint64_t udp6_in_csum_errors, udp6_in_errors;
};

/* Inspect and append findings: link.no-carrier (what really lacks
 * carrier; a bridge only when none of its ports is on its way to
 * forwarding), bridge.tap-not-enslaved, bridge.port-not-forwarding (info
 * for a port the STP timer will forward, with forward_in seconds),
 * bridge.stp-delay, mtu.mismatch, rpfilter.strict,
 * bridge.snooping-no-querier, brnf.forward-drop (one per bridge and
 * forward-hook chain that drops its bridged frames).  The report is filled for
 * inventories; free with nd_host_report_free.  -ENODEV: a named bridge or
 * tap does not exist (err names it); -EINVAL: the bridge is not a bridge. */
int nd_host_inspect(const struct nd_host_opts *o, struct nd_host_report *r,
		    struct nd_findings *out, char *err, size_t errlen);
void nd_host_report_free(struct nd_host_report *r);

/* The report through the output writer (host/print.c): in JSON the
 * members "bridges", "taps", ..., "udp6_in_errors" of the open object; in
 * text a line per bridge and per port (state, STP, MTU, snooping) and one
 * of the host's forwarding, br_netfilter and checksum-error counters. */
void nd_host_report_print(const struct nd_host_report *r, struct nd_out *o);

/* Read an integer from a procfs/sysfs file: 0 or -errno. */
int nd_read_int(const char *path, long *v);

/* A sysctl by its path under /proc/sys ("net/ipv4/ip_forward"), opened
 * without following a link.  Read: the value with its trailing newline
 * cut.  Write: the value, then read back; -EIO when the kernel kept
 * another (blanks between words do not count: it prints some with tabs). */
int nd_sysctl_read(const char *path, char *out, size_t len);
int nd_sysctl_write(const char *path, const char *value);

/* Effective rp_filter of an interface: the larger of all and its own
 * (net/ipv4/devinet.c uses the maximum). */
int nd_rp_filter_effective(long all, long iface);

/* Parse the Udp (or Udp6) InCsumErrors / InErrors from the text of
 * /proc/net/snmp (/proc/net/snmp6). */
int nd_parse_snmp_udp(const char *text, bool v6, uint64_t *csum_errors, uint64_t *in_errors);

const char *nd_port_state_name(int state);

/* Who on this host (this network namespace) listens on UDP port:
 * "dnsmasq (pid 812) on 0.0.0.0:67", several joined by "; ", "" for
 * nobody.  Returns how many sockets. */
int nd_host_udp_listeners(uint16_t port, char *out, size_t len);
/* Is addr (text) one of this host's own addresses? */
bool nd_host_addr_local(const char *addr);

/* Clock ticks (USER_HZ, as sysfs bridge timers and netlink's IFLA_BR_*
 * delays count) to seconds. */
double nd_clock_ticks_to_s(long ticks);

/* Seconds until a bridge port in `state` forwards, from its
 * forward_delay_timer (clock ticks, USER_HZ) and the bridge's forward delay
 * (seconds): a listening port still has the learning phase ahead
 * (net/bridge/br_stp_timer.c).  -1 when no timer will move it (forwarding,
 * blocking, disabled, or a listening/learning port with no timer running:
 * user-space STP). */
double nd_port_forward_in(int state, long timer_ticks, double forward_delay);

#pragma GCC visibility pop
#endif
