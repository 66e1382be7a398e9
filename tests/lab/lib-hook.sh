# Shared by the hook scenarios; source after lib.sh.  hook_env: the hook's
# files under a private root (NETDIAG_HOOK_ROOT), its state and journal in
# this run (NETDIAG_RUN_DIR), and a system log: syslog datagrams to a
# socket of this run (NETDIAG_SYSLOG_SOCKET; syslog(3) itself can only
# write to /dev/log), collected one per line in LAB_DIR/syslog by a small
# listener.  hook_bridge: br0 in namespace HOOK_H with dnsmasq (DHCP
# 192.0.2.50-60, probe.example) in namespace srv behind port upl.
hook_env() {
	command -v dnsmasq >/dev/null || skip "dnsmasq not installed"
	command -v python3 >/dev/null || skip "python3 not installed (the syslog listener)"
	export NETDIAG_HOOK_ROOT=$LAB_DIR/root
	export NETDIAG_RUN_DIR=$LAB_DIR/run
	export NETDIAG_SYSLOG_SOCKET=$LAB_DIR/syslog.sock
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a") as f:
    while True:
        f.write(s.recv(4096).decode(errors="replace") + "\n")
        f.flush()' "$NETDIAG_SYSLOG_SOCKET" "$LAB_DIR/syslog" &
	LAB_PIDS="$LAB_PIDS $!"
	wait_for 5 test -S "$NETDIAG_SYSLOG_SOCKET" || fail "syslog listener did not start"
	: >"$LAB_DIR/syslog"
}

hook_bridge() {
	HOOK_H=$(lab_ns host)
	hb_s=$(lab_ns srv)
	ip -n "$HOOK_H" link add br0 type bridge stp_state 0 forward_delay 0 mcast_snooping 0
	ip -n "$HOOK_H" link add upl type veth peer name eth0 netns "$hb_s"
	ip -n "$HOOK_H" link set upl master br0 up
	ip -n "$HOOK_H" link set br0 up
	ip -n "$hb_s" link set eth0 up
	ip -n "$hb_s" addr add 192.0.2.1/24 dev eth0
	lab_dnsmasq "$hb_s" dns --dhcp-range=192.0.2.50,192.0.2.60,255.255.255.0,1h \
		--address=/probe.example/192.0.2.99 --address=/probe.example/2001:db8::99
	lab_udhcpc_script
}

# hook_guest NAME TAP [BRIDGE]: a guest namespace behind veth TAP in the
# host namespace (on BRIDGE when given); prints the namespace
hook_guest() {
	hg_ns=$(lab_ns "$1")
	ip -n "$HOOK_H" link add "$2" type veth peer name eth0 netns "$hg_ns"
	[ -n "${3:-}" ] && ip -n "$HOOK_H" link set "$2" master "$3"
	ip -n "$HOOK_H" link set "$2" up
	ip -n "$hg_ns" link set eth0 up
	echo "$hg_ns"
}

# hook_boot NS: what a booting guest does on the network: DHCP, one lookup
hook_boot() {
	ip netns exec "$1" busybox udhcpc -i eth0 -n -q -t 5 -T 1 -s "$LAB_DIR/udhcpc.sh" \
		>/dev/null 2>&1 || return 1
	ip netns exec "$1" busybox nslookup probe.example 192.0.2.1 >/dev/null 2>&1
}

# hook_states GUEST: "tap:state:status:bridge ..." of netdiag hook status -j
hook_states() {
	"$NETDIAG" hook status "$1" -j 2>/dev/null |
		jq -r '[.hooks[] | "\(.tap):\(.state):\(.status):\(.bridge)"] | sort | join(" ")'
}
# hook_done GUEST N: N states recorded, none running
hook_done() {
	[ "$("$NETDIAG" hook status "$1" -j 2>/dev/null |
		jq '[.hooks[] | select(.state != "running")] | length')" = "$2" ]
}
