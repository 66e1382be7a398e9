# Guests behind a vnet_hdr-dropping reader, seen only from the host, with
# real DHCP and DNS clients in the guest; source after lib.sh.
# ft_topology builds, in namespaces of this run:
#
#   srv ns   eth0 192.0.2.2   dnsmasq: DHCP 192.0.2.50-60, DNS probe.test
#      |                      (192.0.2.99), router and DNS option 192.0.2.2
#   host ns  br0 (bridge) <- srvp (the uplink / server port), tapf
#                                                      |
#   vmm ns   vnetfwd: reads tapf (IFF_VNET_HDR, TUN_F_CSUM), drops the
#            virtio-net header, writes to gv     (tapf was made here and
#      |                                          moved into the host ns)
#   guest ns eth0 (peer of gv): the clients run here
#
# The host sees only tapf, br0 and srvp; gv and everything of the guest
# are behind the reader, as a QEMU guest's NIC is.  With TX checksum
# offload on tapf (the tap's default once TUN_F_CSUM is set) the server's
# answers, left CHECKSUM_PARTIAL by srv's veth, leave tapf partial and the
# reader hands them to the guest with only the pseudo-header sum.  The
# guest's eth0 computes its own checksums (tx off), as a guest whose NIC
# offers no checksum offload: what it sends is complete.  (Measured on
# 6.18: were the guest to leave them to the device and the reader to drop
# the header that way too, vnetfwd -n, its queries would enter the host
# unfinished and unmarked and srv's kernel would drop them, UdpInCsumErrors
# -- veth no longer takes CHECKSUM_NONE frames as verified -- and no host
# offload could cure that direction: not the reported case, where tapf tx
# off cures DNS.  DHCP clients checksum their raw packets themselves.)
# FT_H, FT_S, FT_V, FT_G name the namespaces.
#
# FT_LAYOUT=libvirt: no srv namespace and no uplink; dnsmasq serves on
# br0's own address, 192.0.2.2, in the host namespace, as libvirt's
# default network does (FT_S is the host namespace).  The answers are then
# the host's own: TX checksum offload off on br0 (the sender's device)
# helps as well as on tapf; tapf is the narrower change (this guest only).

# ft_topology [-c]: -c, the reader honours the header (as QEMU does): no
# checksum fault, for the faults of other causes (the frames still leave
# tapf checksum-partial, as they do toward every vnet_hdr guest).
# FT_DEVS: every device on the path, NS:DEV, host's first
ft_topology() {
	command -v dnsmasq >/dev/null || skip "dnsmasq not installed"
	export NETDIAG_RUN_DIR="$LAB_DIR/run"
	# /etc/netns/GUEST (glibc's resolv.conf) goes with the namespaces
	trap 'ft_resolv_conf_rm; lab_cleanup' EXIT
	FT_H=$(lab_ns host)
	FT_V=$(lab_ns vmm)
	FT_G=$(lab_ns guest)
	ip -n "$FT_H" link add br0 type bridge stp_state 0 mcast_snooping 0
	ip -n "$FT_H" link set br0 up
	if [ "${FT_LAYOUT:-}" = libvirt ]; then
		FT_S=$FT_H
		LAB_DNSMASQ_IF=br0
		ip -n "$FT_H" addr add 192.0.2.2/24 dev br0
		FT_DEVS="$FT_H:tapf $FT_H:br0 $FT_V:gv $FT_G:eth0"
	else
		FT_S=$(lab_ns srv)
		ip -n "$FT_H" link add srvp type veth peer name eth0 netns "$FT_S"
		ip -n "$FT_H" link set srvp master br0 up
		ip -n "$FT_S" link set eth0 up
		ip -n "$FT_S" addr add 192.0.2.2/24 dev eth0
		FT_DEVS="$FT_H:tapf $FT_H:br0 $FT_H:srvp $FT_S:eth0 $FT_V:gv $FT_G:eth0"
	fi
	ip -n "$FT_V" link add gv type veth peer name eth0 netns "$FT_G"
	ip -n "$FT_V" link set gv up
	ip -n "$FT_G" link set eth0 up
	ip netns exec "$FT_G" ethtool -K eth0 tx off >/dev/null
	lab_vnetfwd "$FT_V" tapf gv ${1:-}
	ip -n "$FT_V" link set tapf netns "$FT_H"
	ip -n "$FT_H" link set tapf master br0 up
	wait_for 5 ft_forwarding tapf || fail "tapf does not forward"
	ft_server_start
}

# ft_forwarding PORT: the bridge port forwards (STP or not)
ft_forwarding() { ip -n "$FT_H" -d link show "$1" | grep -q 'state forwarding'; }

# ft_server_start [--no-dhcp] [ARGS...]: dnsmasq in srv, DHCP and DNS
# (--no-dhcp: DNS only, the DHCP server stopped), extra ARGS
ft_server_start() {
	if [ "${1:-}" = --no-dhcp ]; then
		shift
		lab_dnsmasq "$FT_S" d --address=/probe.test/192.0.2.99 --address=/probe.test/2001:db8::99 "$@"
	else
		lab_dnsmasq "$FT_S" d --dhcp-range=192.0.2.50,192.0.2.60,255.255.255.0,1h \
			--dhcp-option=option:dns-server,192.0.2.2 --dhcp-option=option:router,192.0.2.2 \
			--address=/probe.test/192.0.2.99 --address=/probe.test/2001:db8::99 \
			--dhcp-authoritative "$@"
	fi
	FT_DNSMASQ=$(cat "$LAB_DIR/d.pid")
}
# ft_gone PID: the process has exited (a child of ours not yet waited
# for is a zombie: kill -0 still succeeds)
ft_gone() { ! kill -0 "$1" 2>/dev/null || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]; }
ft_server_stop() {
	kill "$FT_DNSMASQ" 2>/dev/null || true
	wait_for 5 ft_gone "$FT_DNSMASQ" || fail "dnsmasq did not stop"
	rm -f "$LAB_DIR/d.pid" "$LAB_DIR/d.leases"
}

# nd ARGS...: netdiag in the host namespace
nd() { ip netns exec "$FT_H" "$NETDIAG" "$@"; }
# ft_doctor FILE ARGS...: doctor -j into FILE, stderr FILE.err; sets FT_RC
ft_doctor() {
	fd_f=$1; shift
	FT_RC=0
	nd doctor --bridge br0 --tap tapf "$@" -j >"$fd_f" 2>"$fd_f.err" || FT_RC=$?
	note "doctor $*: exit $FT_RC, diagnoses $(jq -c '[.diagnoses[]?.rule]' "$fd_f" 2>/dev/null)," \
		"steps $(jq -c '[.steps[]? | .outcome + " " + .rule + " " + .target + " " + .change]' "$fd_f" 2>/dev/null)," \
		"findings $(jq -c '[.findings[]?.id] | group_by(.) | map("\(.[0]) x\(length)")' "$fd_f" 2>/dev/null)"
}

# ft_offloads: every feature of every device on the path, "ns:dev feature: state"
ft_offloads() {
	for fo_d in $FT_DEVS; do
		ip netns exec "${fo_d%%:*}" ethtool -k "${fo_d#*:}" | tail -n +2 |
			sed "s|^\s*|${fo_d#*-}: |"
	done
}
# ft_offload_diff BEFORE AFTER: the devices whose features differ, sorted
ft_offload_diff() {
	diff "$1" "$2" | sed -n 's/^[<>] \([^:]*:[^:]*\):.*/\1/p' | sort -u | tr '\n' ' ' | sed 's/ $//'
}
# ft_txcsum NS:DEV FILE: tx-checksum-ip-generic of the device in FILE
ft_txcsum() { sed -n "s|^${1#*-}: tx-checksum-ip-generic: \([a-z]*\).*|\1|p" "$2"; }

# --- the guest's clients ---------------------------------------------------
# Each ft_<client> runs once in the guest and returns 0 on success; each
# ft_<client>_bg keeps the client trying in the background, as a guest does
# while nobody looks, until ft_bg_stop.  ft_leased: the guest holds a lease.
ft_gone_or_leased() { ft_gone "$1" || ft_leased; }
ft_leased() { ip -n "$FT_G" -4 addr show dev eth0 | grep -q 'inet 192\.0\.2\.\(5[0-9]\|60\)/'; }
ft_flush() { ip -n "$FT_G" -4 addr flush dev eth0; ip -n "$FT_G" -4 route flush dev eth0 2>/dev/null || true; }
ft_static() { ft_flush; ip -n "$FT_G" addr add 192.0.2.70/24 dev eth0; }
FT_BG=""
ft_bg() { "$@" & FT_BG="$FT_BG $!"; LAB_PIDS="$LAB_PIDS $!"; }
ft_bg_stop() {
	for fb_p in $FT_BG; do
		kill "$fb_p" 2>/dev/null || true
		wait_for 5 ft_gone "$fb_p" || kill -9 "$fb_p" 2>/dev/null || true
		wait "$fb_p" 2>/dev/null || true
	done
	FT_BG=""
	# the clients' own children (dhclient's script, networkd, udevd)
	ip netns pids "$FT_G" | xargs -r kill -9 2>/dev/null || true
	wait_for 5 sh -c "[ -z \"\$(ip netns pids $FT_G)\" ]" || true
}

# ISC dhclient, its lease file, pid file and log in LAB_DIR.  The one try
# (ft_dhclient) has a short backoff (initial-interval 2, backoff-cutoff 2:
# a DISCOVER every ~2 s) so that within 14 s it has read the 5 offers after
# which it logs "N bad udp checksums in M packets" (common/packet.c: more
# than 4 seen, more than half of them bad).  In the background it keeps
# dhclient's own backoff (DISCOVERs up to backoff-cutoff 15 s apart): the
# doctor must look long enough to see the guest's next attempt.  Its -sf
# script only puts the lease on eth0 (dhclient-script rewrites resolv.conf).
ft_dhclient_conf() {
	printf 'timeout %s;\nretry 1;\n' "$1" >"$LAB_DIR/dhclient.conf"
	[ "$1" -gt 60 ] || printf 'initial-interval 2;\nbackoff-cutoff 2;\n' >>"$LAB_DIR/dhclient.conf"
	cat >"$LAB_DIR/dhclient.sh" <<'EOF'
#!/bin/sh
case $reason in BOUND|RENEW|REBIND|REBOOT) ip addr add "$new_ip_address/24" dev "$interface" ;; esac
exit 0
EOF
	chmod +x "$LAB_DIR/dhclient.sh"
}
# ft_dhclient SECS: one try (-1) of SECS; 0 once the guest holds the lease
ft_dhclient() {
	ft_dhclient_conf "$1"
	rm -f "$LAB_DIR/dhclient.leases"
	ip netns exec "$FT_G" dhclient -1 -d -v -cf "$LAB_DIR/dhclient.conf" -sf "$LAB_DIR/dhclient.sh" \
		-lf "$LAB_DIR/dhclient.leases" -pf "$LAB_DIR/dhclient.pid" eth0 >>"$LAB_DIR/dhclient.log" 2>&1 &
	fd_p=$!
	wait_for $(($1 + 3)) ft_gone_or_leased "$fd_p" || true
	kill "$fd_p" 2>/dev/null || true; wait "$fd_p" 2>/dev/null || true
	ft_leased
}
ft_dhclient_bg() {
	ft_dhclient_conf 600
	rm -f "$LAB_DIR/dhclient.leases"
	ft_bg ip netns exec "$FT_G" dhclient -d -v -cf "$LAB_DIR/dhclient.conf" -sf "$LAB_DIR/dhclient.sh" \
		-lf "$LAB_DIR/dhclient.leases" -pf "$LAB_DIR/dhclient.pid" eth0 >>"$LAB_DIR/dhclient.log" 2>&1
}
# the bad-checksum lines dhclient logged so far
ft_dhclient_bad() { grep -c 'bad udp checksums in [0-9]* packets' "$LAB_DIR/dhclient.log" || true; }

# busybox udhcpc: -t discovers -T s apart, then -A s pause, again.  In
# the background busybox's defaults but -A 5 instead of 20 (a DISCOVER at
# most 8 s apart: a 16 s look sees one)
ft_udhcpc() {
	lab_udhcpc_script
	ip netns exec "$FT_G" busybox udhcpc -i eth0 -f -q -n -t "$(($1 / 2))" -T 2 \
		-s "$LAB_DIR/udhcpc.sh" >>"$LAB_DIR/udhcpc.log" 2>&1
}
ft_udhcpc_bg() {
	lab_udhcpc_script
	ft_bg ip netns exec "$FT_G" busybox udhcpc -i eth0 -f -q -t 3 -T 3 -A 5 \
		-s "$LAB_DIR/udhcpc.sh" >>"$LAB_DIR/udhcpc.log" 2>&1
}

# systemd-networkd's DHCP client (tests/lab/route-guest.sh's setup): its
# own udevd, /run a private tmpfs in a mount namespace.  sd-dhcp sends at
# ~0, 1, 4, 11, 26, 57 s (doubling, +-1 s): the doctor starts right after
# it, so its first 16 s look sees four attempts and its second the fifth.
ft_networkd_script() {
	command -v udevadm >/dev/null && [ -x /lib/systemd/systemd-networkd ] &&
		[ -x /lib/systemd/systemd-udevd ] || skip "systemd-networkd or systemd-udevd missing"
	mkdir -p "$LAB_DIR/networkd"
	printf '[Match]\nName=eth0\n\n[Network]\nDHCP=ipv4\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n\n[DHCPv4]\nUseDNS=no\nUseHostname=no\nUseDomains=no\n' \
		>"$LAB_DIR/networkd/10-eth0.network"
	lab_networkd_script "$LAB_DIR/networkd/10-eth0.network"
}
ft_networkd() {
	ft_networkd_script
	ip netns exec "$FT_G" unshare -m sh "$LAB_DIR/networkd.sh" "$1" >>"$LAB_DIR/networkd.log" 2>&1 &
	fn_p=$!
	fn_rc=0
	wait_for "$1" ft_leased || fn_rc=1
	kill "$fn_p" 2>/dev/null || true; wait "$fn_p" 2>/dev/null || true
	ip netns pids "$FT_G" | xargs -r kill -9 2>/dev/null || true
	return $fn_rc
}
ft_networkd_bg() {
	ft_networkd_script
	ft_bg ip netns exec "$FT_G" unshare -m sh "$LAB_DIR/networkd.sh" 600 >>"$LAB_DIR/networkd.log" 2>&1
}

# dhcpcd (dhcpcd-base): RFC 2131 backoff (~0, 4, 12, 28, 60 s), IPv4 only, no hooks (-c: a script that only adds
# the address), its run and db directories private tmpfs in a mount
# namespace so nothing of it reaches the machine's /run or /var/lib
ft_dhcpcd_script() {
	[ -x /usr/sbin/dhcpcd ] || skip "dhcpcd missing (dhcpcd-base, make deps)"
	printf '#!/bin/sh\nexit 0\n' >"$LAB_DIR/dhcpcd-hook.sh"
	chmod +x "$LAB_DIR/dhcpcd-hook.sh"
	cat >"$LAB_DIR/dhcpcd.sh" <<DCD
set -e
mount -t tmpfs tmpfs /run
mkdir -p /var/lib/dhcpcd
mount -t tmpfs tmpfs /var/lib/dhcpcd
exec /usr/sbin/dhcpcd -f /dev/null -c "$LAB_DIR/dhcpcd-hook.sh" -B -d -4 -L --noarp "\$@" eth0
DCD
}
ft_dhcpcd() {
	ft_dhcpcd_script
	ip netns exec "$FT_G" timeout $(($1 + 5)) unshare -m sh "$LAB_DIR/dhcpcd.sh" -1 -t "$1" \
		>>"$LAB_DIR/dhcpcd.log" 2>&1 || return 1
	ft_leased
}
ft_dhcpcd_bg() {
	ft_dhcpcd_script
	ft_bg ip netns exec "$FT_G" unshare -m sh "$LAB_DIR/dhcpcd.sh" -t 0 >>"$LAB_DIR/dhcpcd.log" 2>&1
}

# busybox nslookup of probe.test at the server; answered 192.0.2.99
ft_nslookup() {
	ip netns exec "$FT_G" busybox timeout 2 busybox nslookup probe.test 192.0.2.2 \
		>"$LAB_DIR/nslookup.out" 2>&1 && grep -q 192.0.2.99 "$LAB_DIR/nslookup.out"
}
ft_nslookup_bg() { ft_bg ip netns exec "$FT_G" sh -c 'while :; do busybox timeout 1 busybox nslookup probe.test 192.0.2.2 >/dev/null 2>&1; sleep 0.3; done'; }

# glibc through /etc/netns/NS/resolv.conf (ip netns exec bind-mounts it),
# glibc's defaults (5 s timeout, 2 attempts: a lookup gives up after 10 s)
ft_resolv_conf() {
	mkdir -p "/etc/netns/$FT_G"
	printf 'nameserver 192.0.2.2\n' >"/etc/netns/$FT_G/resolv.conf"
}
ft_resolv_conf_rm() { [ -z "${FT_G:-}" ] || rm -rf "/etc/netns/$FT_G"; }
ft_getent() {
	ip netns exec "$FT_G" timeout 12 getent ahosts probe.test >"$LAB_DIR/getent.out" 2>&1 &&
		grep -q '^192\.0\.2\.99 ' "$LAB_DIR/getent.out"
}
ft_getent_bg() { ft_bg ip netns exec "$FT_G" sh -c 'while :; do timeout 12 getent ahosts probe.test >/dev/null 2>&1; sleep 0.3; done'; }

# the guest's kernel's UDP checksum errors
ft_guest_csum_errors() { ip netns exec "$FT_G" awk '/^Udp:/ {n++; if (n == 1) for (i = 1; i <= NF; i++) h[i] = $i; else for (i = 1; i <= NF; i++) if (h[i] == "InCsumErrors") print $i}' /proc/net/snmp; }

# --- expectations that are all measured before the scenario fails ----------
# ft_expect WHAT ACTUAL EXPECTED: note it; a mismatch is remembered and
# ft_done fails with every mismatch of the run, so one log shows all of
# what differs from the intended behaviour, not just the first
FT_FAILS=""
ft_expect() {
	if [ "$2" = "$3" ]; then note "ok   $1: $2"
	else note "FAIL $1: expected '$3', got '$2'"; FT_FAILS="$FT_FAILS
  $1: expected '$3', got '$2'"; fi
}
ft_done() {
	[ -z "$FT_FAILS" ] || fail "$1:$FT_FAILS"
	echo "$1: ok"
}
# ft_yes CMD...: "yes" if CMD succeeds, else "no"
ft_yes() { if "$@"; then echo yes; else echo no; fi; }

# jq over a doctor -j document: the checksum family is every rule whose id
# names checksums (csum-partial-to-guest, dhcp-offer-partial-checksum, and
# whatever the doctor grows), its evidence every csum.* finding
FT_CSUM='test("csum|checksum")'
ft_csum_diagnoses() { jq -r "[.diagnoses[]? | select(.rule | $FT_CSUM)] | length" "$1"; }
ft_csum_blamed() {
	jq -r "[.diagnoses[]? | select((.rule | $FT_CSUM) or ([.evidence[]?.id] | any(startswith(\"csum.\"))) or
		((.title + .cause) | test(\"checksum\"; \"i\")))] | length" "$1"
}
ft_rules() { jq -r '[.diagnoses[]?.rule] | join(",")' "$1"; }
ft_kept() { jq -r '[.steps[]? | select(.outcome == "kept") | .target + " " + .change] | join(",")' "$1"; }

# ft_client_case NAME DURATION ONCE BG [FAILS]: the checksum fault with
# client NAME in the guest.  ONCE (a function: one try, 0 on success) fails
# through the fault; the doctor runs --fix --yes for DURATION s per look
# while BG keeps the client trying: exit 0, one checksum diagnosis naming
# tapf and no other, one change kept (tapf tx off), only tapf's offloads
# differ, tx-checksum-ip-generic on -> off; then the guest itself succeeds (a DHCP
# client in the background gets its lease, a DNS client answers ONCE); undo
# restores every offload; ONCE fails again.  FAILS (optional): a function
# run after each failing try, for client-specific evidence (dhclient's log).
ft_client_case() {
	cc_name=$1 cc_dur=$2 cc_once=$3 cc_bg=$4 cc_fails=${5:-}
	ft_offloads >"$LAB_DIR/off.before"
	cc_err0=$(ft_guest_csum_errors)
	ft_expect "$cc_name through the fault" "$(ft_yes $cc_once)" no
	[ -z "$cc_fails" ] || $cc_fails
	note "$cc_name: guest Udp InCsumErrors $cc_err0 -> $(ft_guest_csum_errors)"
	$cc_bg
	ft_doctor "$LAB_DIR/fix.json" --fix --yes --duration "$cc_dur"
	f=$LAB_DIR/fix.json
	ft_expect "doctor --fix --yes exit status" "$FT_RC" 0
	ft_expect "checksum diagnoses" "$(ft_csum_diagnoses "$f")" 1
	# nothing else blamed: from br0 the unicast offers are not seen
	# (dhcp4.no-offer there), which must not read as a DHCP server down
	ft_expect "other diagnoses" "$(jq -r "[.diagnoses[]? | select(.rule | $FT_CSUM | not) | .rule] | join(\",\")" "$f")" ""
	ft_expect "the checksum diagnosis names tapf" \
		"$(jq -r "[.diagnoses[]? | select(.rule | $FT_CSUM) | [.bindings[]?] | index(\"tapf\") != null] | any" "$f")" true
	ft_expect "kept changes" "$(ft_kept "$f")" "tapf tx off"
	ft_offloads >"$LAB_DIR/off.fixed"
	ft_expect "devices whose offloads changed" "$(ft_offload_diff "$LAB_DIR/off.before" "$LAB_DIR/off.fixed")" host:tapf
	ft_expect "tapf tx-checksum-ip-generic before, after" \
		"$(ft_txcsum "$FT_H:tapf" "$LAB_DIR/off.before"),$(ft_txcsum "$FT_H:tapf" "$LAB_DIR/off.fixed")" on,off
	case $cc_name in
	nslookup|getent) ft_bg_stop; ft_expect "$cc_name after the fix" "$(ft_yes $cc_once)" yes ;;
	*) ft_expect "$cc_name gets its lease after the fix" "$(ft_yes wait_for 40 ft_leased)" yes
	   ft_bg_stop; ft_flush ;;
	esac
	cc_rc=0
	nd undo >"$LAB_DIR/undo.out" 2>&1 || cc_rc=$?
	note "undo: exit $cc_rc: $(tr '\n' ';' <"$LAB_DIR/undo.out")"
	ft_offloads >"$LAB_DIR/off.undone"
	ft_expect "devices whose offloads differ after undo" \
		"$(ft_offload_diff "$LAB_DIR/off.before" "$LAB_DIR/off.undone")" ""
	ft_expect "$cc_name after undo (the fault is back)" "$(ft_yes $cc_once)" no
	[ -z "$cc_fails" ] || $cc_fails
	ft_done "doctor-client-$cc_name"
}

# ft_fault_case NAME DIAG KEPT ONCE BG: a fault with no offload cause on the
# honest topology (ft_topology -c).  ONCE fails through it.  While BG keeps
# the client trying: doctor exits 1 with a diagnosis matching the jq
# predicate DIAG (over one diagnosis), and not one diagnosis blames
# checksums (rule, title, cause or a csum.* evidence).  doctor --fix --yes:
# KEPT "" -- no remedy can be applied: exit 1, nothing kept, nothing
# changed; else the kept changes (ft_kept) match the ERE KEPT: exactly one
# change, the narrowest, exit 0, and ONCE then succeeds (FT_REFRESH, if
# set, runs first: e.g. a guest port freshly added again).  Offloads never
# change.  Undo at the end puts the host back.
ft_fault_case() {
	fc_name=$1 fc_diag=$2 fc_kept=$3 fc_once=$4 fc_bg=$5
	note "--- $fc_name"
	ft_offloads >"$LAB_DIR/off.before"
	${FT_REFRESH:-true}
	ft_expect "$fc_name: the client through the fault" "$(ft_yes $fc_once)" no
	$fc_bg
	f=$LAB_DIR/$fc_name.json
	${FT_REFRESH:-true}
	ft_doctor "$f" --duration "${FT_DURATION:-5}"
	ft_expect "$fc_name: doctor exit status" "$FT_RC" 1
	ft_expect "$fc_name: the diagnosis ($fc_diag)" "$(jq -r "[.diagnoses[]? | select($fc_diag)] | length > 0" "$f")" true
	ft_expect "$fc_name: diagnoses blaming checksums (rules: $(ft_rules "$f"))" "$(ft_csum_blamed "$f")" 0
	f=$LAB_DIR/$fc_name.fix.json
	${FT_REFRESH:-true}
	ft_doctor "$f" --fix --yes --duration "${FT_DURATION:-5}"
	ft_expect "$fc_name: --fix diagnoses blaming checksums (rules: $(ft_rules "$f"))" "$(ft_csum_blamed "$f")" 0
	ft_offloads >"$LAB_DIR/off.fixed"
	ft_expect "$fc_name: devices whose offloads changed" "$(ft_offload_diff "$LAB_DIR/off.before" "$LAB_DIR/off.fixed")" ""
	if [ -z "$fc_kept" ]; then
		ft_expect "$fc_name: --fix exit status (no remedy to apply)" "$FT_RC" 1
		ft_expect "$fc_name: kept changes" "$(ft_kept "$f")" ""
	else
		ft_expect "$fc_name: --fix exit status" "$FT_RC" 0
		ft_expect "$fc_name: kept changes match /$fc_kept/ (got $(ft_kept "$f"))" \
			"$(ft_kept "$f" | grep -Eqx "$fc_kept" && echo yes || echo no)" yes
		ft_bg_stop
		${FT_REFRESH:-true}
		ft_expect "$fc_name: the client after the fix" "$(ft_yes $fc_once)" yes
	fi
	ft_bg_stop
	nd undo >/dev/null 2>&1 || true
}
