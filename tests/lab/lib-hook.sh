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

# hook_libvirtd: Debian's own libvirtd (packages libvirt-daemon,
# libvirt-daemon-driver-qemu, libvirt-clients), privileged as a host runs
# it, in namespace HOOK_H so its taps, and the hook's checks, are there.
# The mount namespace `ip netns exec` makes gives the daemon, and the hooks
# it runs, private copies of each place a privileged libvirtd uses, so
# nothing outside LAB_DIR changes and no network is defined (no "default"
# network, no virbr0):
#   /etc/libvirt   NETDIAG_HOOK_ROOT/etc/libvirt: its config, hooks/qemu
#   /run           LAB_DIR/lv/run: its sockets (virsh reaches them through
#                  LIBVIRT_DEFAULT_URI) and network status files; /run/netdiag
#                  is NETDIAG_RUN_DIR, where the hook's default state lands
#   /var, /dev     overlays on a tmpfs: state, cache, QEMU logs; /dev/log is
#                  this run's syslog socket.  libvirt runs a hook with a
#                  scrubbed environment (PATH, HOME, LC_ALL), so the hook
#                  sees no NETDIAG_*: it takes /run/netdiag and syslog(3).
#   /etc/passwd, /etc/group  with the user libvirt-qemu, which the QEMU
#                  driver resolves before it reads qemu.conf (the postinst
#                  of libvirt-daemon-system would add it)
# qemu.conf runs QEMU as root without cgroups or a security driver, its
# stdio to a file (no virtlogd).  Hooks are read when the daemon starts:
# restart it (hook_libvirtd_stop, hook_libvirtd) after installing one.
hook_libvirtd() {
	command -v libvirtd >/dev/null || skip "libvirtd not installed (libvirt-daemon)"
	command -v virsh >/dev/null || skip "virsh not installed (libvirt-clients)"
	[ -d /etc/libvirt ] || skip "/etc/libvirt missing (libvirt-clients)"
	grep -qw overlay /proc/filesystems || modprobe -q overlay 2>/dev/null ||
		skip "no overlay filesystem (the daemon's private /var and /dev)"
	hl_d=$LAB_DIR/lv
	hl_etc=$NETDIAG_HOOK_ROOT/etc/libvirt
	mkdir -p "$hl_d/run" "$hl_d/up" "$hl_d/hostdev" "$hl_etc/hooks" "$NETDIAG_RUN_DIR"
	cat >"$hl_etc/libvirtd.conf" <<-CONF
	auth_unix_rw = "none"
	auth_unix_ro = "none"
	log_level = 3
	log_filters = "1:util.command"
	log_outputs = "1:file:$hl_d/libvirtd.log"
	CONF
	cat >"$hl_etc/qemu.conf" <<-'CONF'
	user = "root"
	group = "root"
	dynamic_ownership = 0
	remember_owner = 0
	security_driver = "none"
	cgroup_controllers = [ ]
	namespaces = [ ]
	stdio_handler = "file"
	CONF
	cp /etc/passwd "$hl_d/passwd"
	cp /etc/group "$hl_d/group"
	getent passwd libvirt-qemu >/dev/null ||
		echo "libvirt-qemu:x:64055:64055::/var/lib/libvirt:/usr/sbin/nologin" >>"$hl_d/passwd"
	getent group libvirt-qemu >/dev/null || echo "libvirt-qemu:x:64055:" >>"$hl_d/group"
	ip netns exec "$HOOK_H" sh -ec '
		d=$1
		mount -t tmpfs -o mode=755 lv "$d/up"
		mkdir -p "$d/up/var" "$d/up/var.w" "$d/up/dev" "$d/up/dev.w"
		mount -t overlay lv -o "lowerdir=/var,upperdir=$d/up/var,workdir=$d/up/var.w" /var
		mount --rbind /dev "$d/hostdev"
		mount -t overlay lv -o "lowerdir=/dev,upperdir=$d/up/dev,workdir=$d/up/dev.w" /dev
		for m in pts shm mqueue hugepages; do
			[ -d "$d/hostdev/$m" ] && mount --rbind "$d/hostdev/$m" "/dev/$m" || true
		done
		ln -sf "$2" /dev/log
		mount --bind "$d/run" /run
		mkdir -p /run/netdiag
		mount --bind "$3" /run/netdiag
		mount --bind "$4" /etc/libvirt
		mount --bind "$d/passwd" /etc/passwd
		mount --bind "$d/group" /etc/group
		exec libvirtd -f /etc/libvirt/libvirtd.conf' \
		sh "$hl_d" "$NETDIAG_SYSLOG_SOCKET" "$NETDIAG_RUN_DIR" "$hl_etc" \
		>>"$hl_d/libvirtd.out" 2>&1 &
	HOOK_LIBVIRTD=$!
	LAB_PIDS="$LAB_PIDS $!"
	export LIBVIRT_DEFAULT_URI="qemu:///system?socket=$hl_d/run/libvirt/libvirt-sock"
	# the QEMU driver probes QEMU's capabilities first (a TCG QEMU, slow)
	wait_for 120 virsh -q version || {
		kill -0 "$HOOK_LIBVIRTD" 2>/dev/null || fail "libvirtd exited: $(tail -5 "$hl_d/libvirtd.out" "$hl_d/libvirtd.log")"
		fail "libvirtd did not answer: $(tail -5 "$hl_d/libvirtd.log")"
	}
}

# hook_libvirtd_stop: the daemon gone (its domains must be destroyed first:
# libvirtd leaves running guests behind on purpose)
hook_libvirtd_stop() {
	kill "$HOOK_LIBVIRTD" 2>/dev/null || true
	wait_for 30 hook_gone "$HOOK_LIBVIRTD" || fail "libvirtd did not stop"
	wait "$HOOK_LIBVIRTD" 2>/dev/null || true
}
# hook_gone PID: exited (a child not yet waited for is a zombie)
hook_gone() {
	hg_st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 0
	case $hg_st in Z*|"") return 0 ;; esac
	return 1
}
