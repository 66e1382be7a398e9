# Least privilege (issue 15): a running `check` keeps CAP_NET_RAW and
# CAP_NET_ADMIN and nothing else; `vm run`'s QEMU runs as nobody with no
# capability in any set, NoNewPrivs 1 and seccomp on, and still boots the
# probe guest to a lease through the tap fd it was handed.  Input that
# would have reached QEMU's options or the guest's kernel command line is
# refused with one line before anything is made.
# lab-timeout: 600 (a TCG guest on 2 busy cores)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-vm.sh"
vm_simple_topology
h=$VM_H
nd() { ip netns exec "$h" "$NETDIAG" "$@"; }

# status_of PID FIELD: the value of a /proc/PID/status line
status_of() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }
cap_is() { [ "$(status_of "$1" "$2")" = "$3" ]; }
uid_of() { awk '$1 == "Uid:" { print $2 "," $3 "," $4 "," $5 }' "/proc/$1/status"; }

# 1. check: capture and nftables, nothing else (bits 12 and 13: 0x3000)
ip netns exec "$h" "$NETDIAG" check --bridge br0 --duration 30 -j >"$LAB_DIR/check.json" 2>&1 &
chk=$!
wait_for 10 grep -q '^CapEff:' "/proc/$chk/status" || fail "check did not start"
# the drop happens before options are parsed: wait until the check runs
wait_for 10 cap_is "$chk" CapEff 0000000000003000 ||
	fail "check CapEff $(status_of "$chk" CapEff), want 0000000000003000"
assert_eq "$(status_of "$chk" CapPrm)" 0000000000003000 "check CapPrm"
assert_eq "$(status_of "$chk" CapInh)" 0000000000000000 "check CapInh"
# the bounding set too: no execve could bring the rest back
assert_eq "$(status_of "$chk" CapBnd)" 0000000000003000 "check CapBnd"
assert_eq "$(status_of "$chk" CapAmb)" 0000000000000000 "check CapAmb"
note "check pid $chk: CapEff $(status_of "$chk" CapEff) CapBnd $(status_of "$chk" CapBnd)"
kill -INT "$chk"
wait "$chk" || true
# analyze keeps nothing
"$NETDIAG" analyze --help >/dev/null

# 2. QEMU under vm run: nobody, no capabilities, NoNewPrivs, seccomp
vm_probe p1 --hold -j >"$LAB_DIR/p1.json" 2>"$LAB_DIR/p1.err" &
p1=$!
nd vm wait p1 --for 'NDPROBE 1 done' --timeout 240 >/dev/null ||
	fail "p1 did not report: $(cat "$LAB_DIR/p1.err")"
qpid=$(nd vm list -j | jq -r '.vms[] | select(.name == "p1") | .qemu_pid')
[ -n "$qpid" ] && [ "$qpid" != null ] || fail "no QEMU pid for p1: $(nd vm list -j)"
nobody=$(id -u nobody)
assert_eq "$(uid_of "$qpid")" "$nobody,$nobody,$nobody,$nobody" "QEMU uids (real, effective, saved, fs)"
for set in CapInh CapPrm CapEff CapBnd CapAmb; do
	assert_eq "$(status_of "$qpid" $set)" 0000000000000000 "QEMU $set"
done
assert_eq "$(status_of "$qpid" NoNewPrivs)" 1 "QEMU NoNewPrivs"
assert_eq "$(status_of "$qpid" Seccomp)" 2 "QEMU seccomp (filter mode)"
note "QEMU pid $qpid: uid $(uid_of "$qpid"), CapEff $(status_of "$qpid" CapEff), NoNewPrivs 1, Seccomp 2"
sup=$(nd vm list -j | jq -r '.vms[] | select(.name == "p1") | .pid')
sup_eff=$(status_of "$sup" CapEff)
note "vm run pid $sup: CapEff $sup_eff"
# kill, setgid, setuid, setpcap, net_admin, net_raw: bits 5 6 7 8 12 13
assert_eq "$sup_eff" 00000000000031e0 "vm run CapEff"
assert_eq "$(status_of "$sup" CapBnd)" 00000000000031e0 "vm run CapBnd"
assert_eq "$(nd vm stop p1 --timeout 60)" "p1: powered-off" "vm stop of the unprivileged QEMU"
wait "$p1" || fail "p1: vm run exited $? ($(cat "$LAB_DIR/p1.err"))"
assert_eq "$(jget "$LAB_DIR/p1.json" '.guest.nics[0].lease')" true "p1 lease through the passed tap fd"

# 3. values that would become QEMU options or kernel parameters: refused
bad() {
	what=$1; want=$2; shift 2
	rc=0
	"$@" >"$LAB_DIR/bad.out" 2>"$LAB_DIR/bad.err" || rc=$?
	assert_eq "$rc" 2 "$what: exit status"
	assert_eq "$(wc -l <"$LAB_DIR/bad.err")" 1 "$what: lines on stderr"
	grep -q -- "$want" "$LAB_DIR/bad.err" || fail "$what: $(cat "$LAB_DIR/bad.err")"
}
: >"$LAB_DIR/d,snapshot=on"
tab=$(printf '\t')
bad "resolve with a blank" "not a host name" nd vm run r1 --probe --bridge br0 --resolve 'a init=/bin/sh'
bad "resolve with a tab" "not a host name" nd vm run r1 --probe --bridge br0 --resolve "a${tab}init=/bin/sh"
bad "doctor --probe resolve" "not a host name" nd doctor --probe --bridge br0 --resolve 'a init=/bin/sh'
bad "-m -1" "-m wants MiB" nd vm run r1 --bridge br0 --kernel "$VM_GUEST/vmlinuz" -m -1
bad "-m 4294967296" "-m wants MiB" nd vm run r1 --bridge br0 --kernel "$VM_GUEST/vmlinuz" -m 4294967296
bad "-c -1" "-c wants" nd vm run r1 --bridge br0 --kernel "$VM_GUEST/vmlinuz" -c -1
bad "--timeout nan" "wants seconds" nd vm run r1 --probe --bridge br0 --timeout nan
bad "unknown option" "vm run: --frobnicate: unknown option" nd vm run r1 --frobnicate
# a disk whose name holds ",snapshot=on" stays one file name: QEMU gets
# file=/dev/fdset/1 and the file's name never enters an option string;
# the guest runs (there is no bootable system on it: QEMU is quit)
nd vm run d1 --bridge br0 --accel tcg --disk "$LAB_DIR/d,snapshot=on" -j \
	>"$LAB_DIR/d1.json" 2>"$LAB_DIR/d1.err" &
d1=$!
wait_for 240 sh -c "ip netns exec $h $NETDIAG vm list -j | jq -e '.vms[] | select(.name == \"d1\" and .qemu_pid > 0)'" ||
	fail "d1 did not start: $(cat "$LAB_DIR/d1.err")"
dq=$(nd vm list -j | jq -r '.vms[] | select(.name == "d1") | .qemu_pid')
tr '\0' '\n' <"/proc/$dq/cmdline" >"$LAB_DIR/d1.cmdline"
grep -q '^file=/dev/fdset/1,if=virtio,format=raw$' "$LAB_DIR/d1.cmdline" ||
	fail "d1 drive: $(grep -A1 drive "$LAB_DIR/d1.cmdline")"
! grep -q snapshot "$LAB_DIR/d1.cmdline" || fail "d1: snapshot=on reached QEMU's argv"
nd vm destroy d1 >/dev/null
wait "$d1" || true
# it ran until destroyed: QEMU, unprivileged, opened the disk's fdset
assert_eq "$(jget "$LAB_DIR/d1.json" .vm.end_reason)" killed "d1 end (QEMU alive with the disk until destroyed)"
[ -z "$(ip -n "$h" -o link show type tun)" ] || fail "taps left: $(ip -n "$h" -o link show type tun)"
echo "privs: ok"
