# netdiag doctor end to end on the checksum case (tests/lab/lib-vm.sh's
# bridge, with a namespace guest "g" on port gp asking DNS all the time):
#  1. doctor --yes diagnoses csum-partial-to-guest, turns TX checksum
#     offload off on tapf (the device owning the answers' source) and on
#     nothing else, verifies, keeps it, prints the persistence snippet;
#     the guest resolves afterwards; offload guide does the same;
#  2. the same fault from a host netdiag cannot change (the answers come
#     from another namespace's broken datapath): every candidate is tried,
#     none helps alone or all together, all are undone and the offloads
#     are as before;
#  3. SIGINT while a change is being verified: the host is as before;
#  4. (issue 15) of two doctors at once the second is refused, the journal
#     stays sound; a SIGINT rollback undoes only its own run's records,
#     not an earlier run's kept change nor a concurrent netdiag's.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-vm.sh"
vm_topology
h=$VM_H
g=$(lab_ns guest)
ip -n "$h" link add gp type veth peer name eth0 netns "$g"
ip -n "$h" link set gp master br0 up
ip -n "$g" link set eth0 up
ip -n "$g" addr add 192.0.2.70/24 dev eth0
nd() { ip netns exec "$h" "$NETDIAG" "$@"; }
lookup() { ip netns exec "$g" busybox timeout 2 busybox nslookup probe.test "$1" >/dev/null 2>&1; }
# the guest keeps asking, as a guest whose DNS times out does
asker() {
	while :; do ip netns exec "$g" busybox timeout 1 busybox nslookup probe.test "$1" >/dev/null 2>&1 || true
		sleep 0.2; done
}
# offloads: the TX checksum state of every device on the path, one line
offloads() {
	for d in tapf fwd0 fwdb gp br0 srvp ${1:-}; do
		printf '%s=%s ' "$d" "$(nd offload show "$d" -j |
			jq -r '.devices[0].features["tx-checksum-ip-generic"].active')"
	done
}
lookup 192.0.2.1 && fail "DNS resolved through the fault before the fix"
before=$(offloads)

# 1. the fix that helps, on the one device that matters
asker 192.0.2.1 &
apid=$!
LAB_PIDS="$LAB_PIDS $apid"
# --dry-run: the plan, candidates in order, nothing changed
rc=0
nd doctor --bridge br0 --tap gp --duration 3 --dry-run -j >"$LAB_DIR/dry.json" 2>/dev/null || rc=$?
assert_eq "$rc" 1 "doctor --dry-run exit status"
assert_eq "$(jget "$LAB_DIR/dry.json" '[.steps[] | .outcome + " " + .action] | join(",")')" \
	"planned offload-guide,manual manual" "the dry run's steps"
assert_eq "$(jget "$LAB_DIR/dry.json" '.steps[0].target | split(",") | .[0:2] | join(",")')" tapf,gp \
	"candidates: the answers' sender, then the tap"
assert_eq "$(offloads)" "$before" "offloads after the dry run"
# --fix asks; "n" changes nothing
rc=0
echo n | nd doctor --bridge br0 --tap gp --duration 3 --fix -j >"$LAB_DIR/no.json" 2>"$LAB_DIR/no.err" || rc=$?
assert_eq "$rc" 1 "doctor --fix answered no: exit status"
assert_eq "$(jget "$LAB_DIR/no.json" '[.steps[] | .outcome] | unique | join(",")')" declined,manual "steps answered no (the manual remedy shown)"
grep -q "apply? \[y/N\]" "$LAB_DIR/no.err" || fail "no question asked: $(cat "$LAB_DIR/no.err")"
assert_eq "$(offloads)" "$before" "offloads after no"
root=$LAB_DIR/root
mkdir -p "$root/etc/systemd/network"
rc=0
NETDIAG_PERSIST_ROOT=$root nd doctor --bridge br0 --tap gp --duration 3 --yes --persist networkd \
	>"$LAB_DIR/fix.txt" 2>"$LAB_DIR/fix.err" || rc=$?
assert_eq "$rc" 0 "doctor --yes exit status ($(cat "$LAB_DIR/fix.err"))"
grep -q "^fixed   csum-partial-to-guest: Packets reach the guest behind gp" "$LAB_DIR/fix.txt" ||
	fail "diagnosis missing: $(cat "$LAB_DIR/fix.txt")"
assert_eq "$(grep -c '^  kept ' "$LAB_DIR/fix.txt")" 1 "changes kept"
grep -q "^  kept  *csum-partial-to-guest  *tapf tx off" "$LAB_DIR/fix.txt" ||
	fail "not kept on tapf: $(grep -A8 '^remedies' "$LAB_DIR/fix.txt")"
grep -q "TransmitChecksumOffload=false" "$LAB_DIR/fix.txt" || fail "no networkd snippet"
grep -q 'RUN+="/usr/sbin/ethtool -K tapf tx off"' "$LAB_DIR/fix.txt" || fail "no udev snippet"
after=$(offloads)
assert_eq "$after" "$(echo "$before" | sed 's/tapf=true/tapf=false/')" "only tapf changed"
lookup 192.0.2.1 || fail "the guest still cannot resolve after the fix"
note "kept: $(grep '^  kept' "$LAB_DIR/fix.txt")"
nd doctor --bridge br0 --tap gp --duration 2 -j >"$LAB_DIR/after.json" || fail "doctor after the fix found problems"
assert_eq "$(jget "$LAB_DIR/after.json" '[.diagnoses[] | select(.rule == "csum-partial-to-guest")] | length')" \
	0 "diagnosis after the fix"
link=$root/etc/systemd/network/50-netdiag-tapf.link
assert_eq "$(grep -c '^OriginalName=tapf$\|^TransmitChecksumOffload=false$' "$link")" 2 "the .link file written"
grep -q "^written (netdiag undo removes them): $link$" "$LAB_DIR/fix.txt" || fail "written file not named"
# the .link file is under the test's root: undo removes only files under it
NETDIAG_PERSIST_ROOT=$root nd undo >/dev/null || fail "undo"
assert_eq "$(offloads)" "$before" "undo restores tapf"
[ -e "$link" ] && fail "undo left the .link file"
# the same through its own entry point, the offload guide
rc=0
nd offload guide --tap gp --bridge br0 --duration 3 --yes -j >"$LAB_DIR/guide.json" 2>"$LAB_DIR/guide.err" || rc=$?
assert_eq "$rc" 0 "offload guide exit status ($(cat "$LAB_DIR/guide.err"))"
assert_eq "$(jget "$LAB_DIR/guide.json" '[.steps[] | select(.outcome == "kept") | "\(.target) \(.change)"] | join(",")')" \
	"tapf tx off" "the guide's kept change"
assert_eq "$(jget "$LAB_DIR/guide.json" '[.steps[] | select(.action != "offload-guide")] | length')" 0 \
	"the guide's steps beyond offloads"
assert_eq "$(offloads)" "$(echo "$before" | sed 's/tapf=true/tapf=false/')" "the guide changed only tapf"
nd undo >/dev/null || fail "undo after the guide"
assert_eq "$(offloads)" "$before" "undo restores tapf after the guide"
# two doctors at once (issue 15): the second is refused at once (a look
# of one would verify the other's change and keep its own for it); the
# first fixes; the journal stays sound
tx_of() { nd offload show "$1" -j | jq -r '.devices[0].features["tx-checksum-ip-generic"].active'; }
nd doctor --bridge br0 --tap gp --duration 3 --yes -j >"$LAB_DIR/two-a.json" 2>"$LAB_DIR/two-a.err" &
pa=$!
nd doctor --bridge br0 --tap gp --duration 3 --yes -j >"$LAB_DIR/two-b.json" 2>"$LAB_DIR/two-b.err" &
pb=$!
ra=0; wait "$pa" || ra=$?
rb=0; wait "$pb" || rb=$?
refused="netdiag: doctor: another netdiag doctor is changing this host; run again when it is done"
if [ "$ra" = 2 ]; then x=b; y=a; else x=a; y=b; fi
assert_eq "$ra$rb" "$( [ $x = a ] && echo 02 || echo 20)" "two doctors: exit statuses"
assert_eq "$(cat "$LAB_DIR/two-$y.err")" "$refused" "the second doctor's one line"
assert_eq "$(jget "$LAB_DIR/two-$x.json" '[.steps[] | select(.outcome == "kept") | .target + " " + .change] | join(",")')" \
	"tapf tx off" "the first doctor's kept change"
assert_eq "$(tx_of tapf)" false "tapf tx off after both"
nd undo --dry-run >/dev/null 2>"$LAB_DIR/two.err" || true
[ ! -s "$LAB_DIR/two.err" ] || fail "the journal after two doctors: $(cat "$LAB_DIR/two.err")"
nd undo >/dev/null || fail "undo after two doctors"
assert_eq "$(offloads)" "$before" "undo restores the offloads after two doctors"
note "two doctors at once: $y refused, $x kept tapf tx off"
# and with the probe guest (QEMU) booted for each look
rc=0
VM_ACCEL= nd doctor --probe --bridge br0 --resolve probe.test --yes -j >"$LAB_DIR/probe.json" \
	2>"$LAB_DIR/probe.err" || rc=$?
assert_eq "$rc" 0 "doctor --probe exit status ($(tail -3 "$LAB_DIR/probe.err"))"
f=$LAB_DIR/probe.json
assert_eq "$(jget "$f" '[.diagnoses[] | select(.rule == "csum-partial-to-guest") | .bindings.tap | startswith("ndvm-dr")] | all')" \
	true "the diagnosis names the probe guest's tap"
assert_eq "$(jget "$f" '[.findings[] | select(.id == "guest.dns-failed") | .fields.name] | unique | join(",")')" \
	probe.test "the guest's own report: the name it could not resolve"
assert_eq "$(jget "$f" '[.steps[] | select(.outcome == "kept") | .target + " " + .change] | join(",")')" \
	"tapf tx off" "kept with the probe guest"
assert_eq "$(jget "$f" '.looks')" 2 "probe guest boots"
nd undo >/dev/null || fail "undo after doctor --probe"
assert_eq "$(offloads)" "$before" "undo restores tapf after doctor --probe"
kill "$apid" 2>/dev/null || true
wait "$apid" 2>/dev/null || true
sleep 1

# 2. the fault elsewhere: a second broken datapath in namespace far
far=$(lab_ns far)
ip -n "$far" link add fwd0 type veth peer name farp netns "$h"
ip -n "$h" link set farp master br0 up
ip -n "$far" link set fwd0 up
lab_vnetfwd "$far" tapf fwd0
ip -n "$far" addr add 192.0.2.3/24 dev tapf
ip -n "$far" link set tapf up
ip netns exec "$far" dnsmasq --conf-file=/dev/null --keep-in-foreground --no-resolv --no-hosts \
	--interface=tapf --bind-interfaces --user=root --address=/probe.test/192.0.2.99 \
	--address=/probe.test/2001:db8::99 --pid-file="$LAB_DIR/far.pid" &
LAB_PIDS="$LAB_PIDS $!"
wait_for 5 test -s "$LAB_DIR/far.pid" || fail "far dnsmasq"
lookup 192.0.2.3 && fail "DNS from far resolved through its fault"
asker 192.0.2.3 &
LAB_PIDS="$LAB_PIDS $!"
before=$(offloads farp)
rc=0
nd doctor --bridge br0 --tap gp --duration 3 --yes -j >"$LAB_DIR/far.json" 2>/dev/null || rc=$?
assert_eq "$rc" 1 "doctor exit status when nothing helps"
f="$LAB_DIR/far.json"
assert_eq "$(jget "$f" '.diagnoses[] | select(.rule == "csum-partial-to-guest") | .bindings.src')" \
	192.0.2.3 "the answers' source"
assert_eq "$(jget "$f" '[.steps[] | select(.outcome == "kept")] | length')" 0 "kept changes"
tried=$(jget "$f" '[.steps[] | select(.outcome == "undone") | .target] | join(",")')
[ -n "$tried" ] || fail "no candidate tried: $(jq -c .steps "$f")"
case ",$tried," in *,tapf,*) fail "tapf tried for answers from far: $tried" ;; esac
case ",$tried," in *,gp,*) ;; *) fail "the guest's port not tried: $tried" ;; esac
assert_eq "$(jget "$f" '[.steps[] | select(.outcome == "undone") | .detail | startswith("did not help")] | all')" \
	true "each undone step says why"
assert_eq "$(jget "$f" '[.steps[] | select(.target | contains(","))] | length')" 1 "the all-together trial"
assert_eq "$(offloads farp)" "$before" "offloads after nothing helped"
note "nothing helped, undone: $tried"

# 3. SIGINT while the first change is being verified
ip netns exec "$h" "$NETDIAG" doctor --bridge br0 --tap gp --duration 4 --yes \
	>"$LAB_DIR/int.txt" 2>"$LAB_DIR/int.err" &
dpid=$!
wait_for 20 grep -q "applied" "$LAB_DIR/int.err" || fail "no change applied: $(cat "$LAB_DIR/int.err")"
kill -INT "$dpid"
rc=0; wait "$dpid" || rc=$?
assert_eq "$rc" 2 "exit status after SIGINT"
grep -q "interrupted: every change of this run is undone" "$LAB_DIR/int.err" || fail "$(cat "$LAB_DIR/int.err")"
assert_eq "$(offloads farp)" "$before" "offloads after SIGINT"
assert_eq "$(nd undo --dry-run 2>&1 | grep -c 'would restore')" 0 "journal records left"

# 4. SIGINT again, with a change an earlier run kept (xk0) and one another
#    netdiag makes while this doctor looks (xc0): the rollback takes this
#    run's records only (issue 15; it used to undo by count)
ip -n "$h" link add xk0 type veth peer name xk1
ip -n "$h" link add xc0 type veth peer name xc1
rxvlan() { nd offload show "$1" -j | jq -r '.devices[0].features["rx-vlan-hw-parse"].active'; }
nd offload set xk0 rxvlan off >/dev/null || fail "offload set xk0"
ip netns exec "$h" "$NETDIAG" doctor --bridge br0 --tap gp --duration 4 --yes \
	>"$LAB_DIR/int2.txt" 2>"$LAB_DIR/int2.err" &
dpid=$!
wait_for 20 grep -q "applied" "$LAB_DIR/int2.err" || fail "no change applied: $(cat "$LAB_DIR/int2.err")"
nd offload set xc0 rxvlan off >/dev/null || fail "offload set xc0 while the doctor looks"
kill -INT "$dpid"
rc=0; wait "$dpid" || rc=$?
assert_eq "$rc" 2 "exit status after SIGINT (second)"
assert_eq "$(offloads farp)" "$before" "offloads after the second SIGINT"
assert_eq "$(rxvlan xk0)/$(rxvlan xc0)" false/false "the other runs' changes after the doctor's rollback"
assert_eq "$(nd undo --dry-run 2>&1 | sort | tr '\n' ';')" \
	"would restore offload xc0 rx-vlan-hw-parse back to on;would restore offload xk0 rx-vlan-hw-parse back to on;" \
	"the journal after the rollback: the other runs' records"
nd undo >/dev/null || fail "undo xk0, xc0"
assert_eq "$(rxvlan xk0)/$(rxvlan xc0)" true/true "xk0, xc0 after undo"
echo "doctor-csum: ok"
