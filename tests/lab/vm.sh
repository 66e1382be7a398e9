# netdiag vm: real QEMU guests (TCG, so it runs without /dev/kvm) on a
# bridge in a namespace this test makes, with dnsmasq behind another port.
# The probe guest boots, leases, resolves and reports; vm stop and SIGTERM
# power it off through ACPI; two guests run side by side; bad input is
# refused with one line and nothing left behind.
# lab-timeout: 900 (TCG guests one after another on 2 busy cores)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-vm.sh"
vm_simple_topology
h=$VM_H
GUEST=$VM_GUEST

nd() { ip netns exec "$h" "$NETDIAG" "$@"; }
probe() { name=$1; shift; nd vm run "$name" --probe --bridge br0 --resolve probe.test --accel tcg --timeout 240 "$@"; }

# gone NAME: no tap, no QEMU, no state directory, no supervisor lock
gone() {
	! ip -n "$h" link show "ndvm-$1" >/dev/null 2>&1 || fail "$1: tap ndvm-$1 left behind"
	! pgrep -f "netdiag-vm-$1(,| |$)" >/dev/null || fail "$1: QEMU still running"
	[ ! -e "$NETDIAG_RUN_DIR/vm/$1" ] || fail "$1: state directory left behind"
}

# healthy_report FILE NAME: lease from the pool, name resolved, no guest
# checksum errors, powered off, no problem findings
healthy_report() {
	f=$1
	assert_eq "$(jget "$f" .vm.end_reason)" powered-off "$2 end reason"
	assert_eq "$(jget "$f" .vm.accel)" tcg "$2 accelerator"
	assert_eq "$(jget "$f" '.guest.nics | length')" 1 "$2 NICs"
	assert_eq "$(jget "$f" '.guest.nics[0].lease')" true "$2 lease"
	assert_eq "$(jget "$f" '.guest.nics[0].mac')" "$(jget "$f" .vm.mac)" "$2 guest MAC"
	assert_eq "$(jget "$f" '.guest.nics[0].server')" 192.0.2.1 "$2 DHCP server"
	case $(jget "$f" '.guest.nics[0].ip') in
	192.0.2.5[0-9]|192.0.2.60) ;;
	*) fail "$2: lease $(jget "$f" '.guest.nics[0].ip') outside the pool" ;;
	esac
	assert_eq "$(jget "$f" '.guest.dns[0].name')" probe.test "$2 DNS name"
	assert_eq "$(jget "$f" '.guest.dns[0].resolved')" true "$2 resolved"
	assert_eq "$(jget "$f" '.guest.dns[0].addr')" 192.0.2.99 "$2 answer"
	assert_eq "$(jget "$f" '.guest.snmp.udp_in_csum_errors')" 0 "$2 guest UDP checksum errors"
	assert_eq "$(jget "$f" '.guest.snmp.udp_in_errors')" 0 "$2 guest UDP errors"
	assert_eq "$(jget "$f" '.check.capture_points[0].interface')" "ndvm-$2" "$2 capture point"
	assert_finding "$f" dhcp4.lease
	assert_eq "$(jget "$f" '[.findings[] | select(.severity != "info")] | length')" 0 \
		"$2 problem findings"
	assert_eq "$(jget "$f" .status)" healthy "$2 status"
}

# 1. probe guest held up after its report; vm list, vm wait, vm stop
probe t1 --hold -j >"$LAB_DIR/t1.json" 2>"$LAB_DIR/t1.err" &
t1=$!
nd vm wait t1 --for 'NDPROBE 1 done' --timeout 240 >/dev/null || fail "t1 did not report"
nd vm list -j >"$LAB_DIR/list.json"
assert_eq "$(jget "$LAB_DIR/list.json" '.vms[] | select(.name == "t1") | .status')" running "t1 listed"
assert_eq "$(jget "$LAB_DIR/list.json" '.vms[] | select(.name == "t1") | .tap')" ndvm-t1 "t1 tap"
ip -n "$h" link show ndvm-t1 | grep -q "master br0" || fail "t1: tap not on br0"
assert_eq "$(nd vm stop t1 --timeout 60)" "t1: powered-off" "vm stop"
wait "$t1" || fail "t1: vm run exited $? ($(cat "$LAB_DIR/t1.err"))"
healthy_report "$LAB_DIR/t1.json" t1
gone t1
nd vm list -j >"$LAB_DIR/list.json"
assert_eq "$(jget "$LAB_DIR/list.json" '.vms[] | select(.name == "t1") | .end_reason')" powered-off \
	"t1 end in vm list"
note "t1: lease $(jget "$LAB_DIR/t1.json" '.guest.nics[0].ip') in $(jget "$LAB_DIR/t1.json" '.guest.nics[0].seconds') s, run $(jget "$LAB_DIR/t1.json" .vm.timings_ms.run) ms"

# 2. two guests at once on one bridge: distinct MACs, distinct leases
probe t2 -j >"$LAB_DIR/t2.json" 2>"$LAB_DIR/t2.err" &
t2=$!
probe t3 -j >"$LAB_DIR/t3.json" 2>"$LAB_DIR/t3.err" &
t3=$!
wait "$t2" || fail "t2: vm run exited $? ($(cat "$LAB_DIR/t2.err"))"
wait "$t3" || fail "t3: vm run exited $? ($(cat "$LAB_DIR/t3.err"))"
healthy_report "$LAB_DIR/t2.json" t2
healthy_report "$LAB_DIR/t3.json" t3
[ "$(jget "$LAB_DIR/t2.json" .vm.mac)" != "$(jget "$LAB_DIR/t3.json" .vm.mac)" ] || fail "same MAC twice"
[ "$(jget "$LAB_DIR/t2.json" '.guest.nics[0].ip')" != "$(jget "$LAB_DIR/t3.json" '.guest.nics[0].ip')" ] ||
	fail "same lease twice"
gone t2
gone t3

# 3. SIGTERM to vm run: the power button, not a kill
# (not through a shell function: $! must be netdiag itself)
ip netns exec "$h" "$NETDIAG" vm run t4 --probe --bridge br0 --resolve probe.test --accel tcg \
	--timeout 240 --hold --console-log "$LAB_DIR/t4.console" -j >"$LAB_DIR/t4.json" 2>"$LAB_DIR/t4.err" &
t4=$!
nd vm wait t4 --for 'NDPROBE 1 done' --timeout 240 >/dev/null || fail "t4 did not report"
kill -TERM "$t4"
wait "$t4" || fail "t4: vm run exited $? after SIGTERM ($(cat "$LAB_DIR/t4.err"))"
assert_eq "$(jget "$LAB_DIR/t4.json" .vm.end_reason)" powered-off "t4 end after SIGTERM"
grep -q "NDPROBE 1 powerbutton" "$LAB_DIR/t4.console" || fail "t4: the guest never saw the power button"
grep -q "reboot: Power down" "$LAB_DIR/t4.console" || fail "t4: the guest did not power down"
gone t4

# 4. vm wait --for dhcp, vm destroy, and a name already running
probe t5 --hold -j >"$LAB_DIR/t5.json" 2>/dev/null &
t5=$!
nd vm wait t5 --for dhcp --timeout 240 || fail "t5: no DHCP seen on its tap"
# an attached console gets the guest's output from now on, until the end
ip netns exec "$h" "$NETDIAG" vm console t5 </dev/null >"$LAB_DIR/t5.console" 2>&1 &
con=$!
nd vm wait t5 --for 'NDPROBE 1 done' --timeout 240 >/dev/null || fail "t5 did not report"
# bad_input NAME ARGS...: exit 2, one line naming command and reason, nothing left
bad_input() {
	what=$1; shift
	rc=0
	nd vm run "$@" >"$LAB_DIR/bad.out" 2>"$LAB_DIR/bad.err" || rc=$?
	assert_eq "$rc" 2 "$what: exit status"
	assert_eq "$(wc -l <"$LAB_DIR/bad.err")" 1 "$what: lines on stderr"
	grep -q "^netdiag: vm run: " "$LAB_DIR/bad.err" || fail "$what: $(cat "$LAB_DIR/bad.err")"
	[ ! -s "$LAB_DIR/bad.out" ] || fail "$what: wrote to stdout"
}
bad_input "name running" t5 --probe --bridge br0 --accel tcg
grep -q "t5: a VM of this name is already running" "$LAB_DIR/bad.err" || fail "running: $(cat "$LAB_DIR/bad.err")"
ip -n "$h" link show ndvm-t5 >/dev/null || fail "t5: the refused second run took its tap"
assert_eq "$(nd vm destroy t5)" "t5: killed" "vm destroy"
wait "$t5" && fail "t5: a destroyed guest should exit 1"
assert_eq "$(jget "$LAB_DIR/t5.json" .vm.end_reason)" killed "t5 end"
wait "$con" || fail "vm console exited $?"
grep -q "NDPROBE 1 snmp udp_in_errors=0" "$LAB_DIR/t5.console" ||
	fail "vm console saw: $(cat "$LAB_DIR/t5.console")"
assert_finding "$LAB_DIR/t5.json" vm.crashed
gone t5

# 5. how a guest ends, told apart: reboot, halt, panic; then any guest
# with --check.  One guest at a time (issue 15): four TCG guests booting at
# once on 2 busy cores made "reboot: exit status 1", and a --check run ends
# at its first DHCP verdict, which on a shared bridge can be another
# guest's exchange (k1 saw e-reboot's lease and stopped before its own).
# Each waits for its end with a budget for TCG on busy cores.
# ended_as HOW STATUS REASON: exit status and end reason of e-HOW, said
# with the problem findings when they differ
ended_as() {
	rc=0
	ip netns exec "$h" "$NETDIAG" vm run "e-$1" --probe --bridge br0 --resolve probe.test \
		--accel tcg --timeout 240 --append "netdiag.then=$1" -j >"$LAB_DIR/e-$1.json" \
		2>"$LAB_DIR/e-$1.err" || rc=$?
	why="end $(jget "$LAB_DIR/e-$1.json" .vm.end_reason), problems $(jq -c \
		'[.findings[] | select(.severity != "info") | .id]' "$LAB_DIR/e-$1.json"), $(cat "$LAB_DIR/e-$1.err")"
	assert_eq "$rc" "$2" "$1: exit status ($why)"
	assert_eq "$(jget "$LAB_DIR/e-$1.json" .vm.end_reason)" "$3" "$1: end reason ($why)"
	gone "e-$1"
}
ended_as reboot 0 reset
ended_as halt 0 halted
ended_as panic 1 panic
assert_finding "$LAB_DIR/e-panic.json" vm.crashed
# any guest with --check: here the probe's kernel and initramfs given by
# hand, so no guest report, only the host-side check from boot
rc=0
ip netns exec "$h" "$NETDIAG" vm run k1 --bridge br0 --accel tcg --check --timeout 240 \
	--kernel "$GUEST/vmlinuz" --initrd "$GUEST/probe.cpio.gz" \
	--append "console=ttyS0 quiet netdiag.resolve=probe.test" -j >"$LAB_DIR/k1.json" \
	2>"$LAB_DIR/k1.err" || rc=$?
assert_eq "$rc" 0 "--check: exit status ($(cat "$LAB_DIR/k1.err"))"
assert_eq "$(jget "$LAB_DIR/k1.json" .vm.end_reason)" powered-off "--check: end reason"
assert_eq "$(jget "$LAB_DIR/k1.json" 'has("guest")')" false "--check: no guest report"
assert_eq "$(jget "$LAB_DIR/k1.json" '.check.capture_points[0].interface')" ndvm-k1 "--check: capture point"
# on its tap (the promiscuous bridge point sees the other guests' leases too)
assert_eq "$(jget "$LAB_DIR/k1.json" '[.findings[] | select(.id == "dhcp4.lease" and .interface == "ndvm-k1") | .fields.client] | join(",")')" \
	"$(jget "$LAB_DIR/k1.json" .vm.mac)" "--check: lease seen for the guest's MAC"
gone k1

touch "$LAB_DIR/vmlinuz"
bad_input "missing kernel" b1 --bridge br0 --kernel "$LAB_DIR/nonexistent"
grep -q "nonexistent: No such file or directory" "$LAB_DIR/bad.err" || fail "kernel: $(cat "$LAB_DIR/bad.err")"
bad_input "missing bridge" b1 --bridge nobr0 --kernel "$LAB_DIR/vmlinuz"
grep -q "nobr0: no such bridge" "$LAB_DIR/bad.err" || fail "bridge: $(cat "$LAB_DIR/bad.err")"
bad_input "not a bridge" b1 --bridge srvp --kernel "$LAB_DIR/vmlinuz"
grep -q "srvp: not a bridge" "$LAB_DIR/bad.err" || fail "not a bridge: $(cat "$LAB_DIR/bad.err")"
bad_input "short MAC" b1 --bridge br0 --kernel "$LAB_DIR/vmlinuz" --mac 02:00:00:00:01
grep -q "02:00:00:00:01: not a unicast MAC" "$LAB_DIR/bad.err" || fail "mac: $(cat "$LAB_DIR/bad.err")"
bad_input "multicast MAC" b1 --bridge br0 --kernel "$LAB_DIR/vmlinuz" --mac 01:00:5e:00:00:01
bad_input "bad name" "b/1" --bridge br0 --kernel "$LAB_DIR/vmlinuz"
bad_input "bad accel" b1 --bridge br0 --kernel "$LAB_DIR/vmlinuz" --accel xen
bad_input "kernel and disk" b1 --bridge br0 --kernel "$LAB_DIR/vmlinuz" --disk "$LAB_DIR/vmlinuz"
gone b1
rc=0; nd vm stop nosuch 2>"$LAB_DIR/bad.err" || rc=$?
assert_eq "$rc" 2 "vm stop of no VM"
grep -q "^netdiag: vm stop: nosuch: no such VM running$" "$LAB_DIR/bad.err" || fail "stop: $(cat "$LAB_DIR/bad.err")"
[ -z "$(ip -n "$h" -o link show type tun)" ] || fail "taps left: $(ip -n "$h" -o link show type tun)"
echo "vm: ok"
