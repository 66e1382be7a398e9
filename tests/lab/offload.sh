# netdiag offload against ethtool, in a namespace: show agrees with
# ethtool --json -k on every feature of a veth, a tap and a bridge; set
# changes what ethtool sees (dependents included); undo restores the exact
# prior state; bad input and missing permission change nothing.
. "$(dirname "$0")/lib.sh"
ns=$(lab_ns off)
inns() { ip netns exec "$ns" "$@"; }
export NETDIAG_RUN_DIR="$LAB_DIR/run"
ip -n "$ns" link add v0 type veth peer name v1
ip -n "$ns" tuntap add t0 mode tap
ip -n "$ns" link add b0 type bridge

# ethtool prints some kernel features under their old names
renames='{"rx-checksum":"rx-checksumming","rx-gro":"generic-receive-offload",
 "rx-lro":"large-receive-offload","tx-generic-segmentation":"generic-segmentation-offload",
 "rx-vlan-hw-parse":"rx-vlan-offload","tx-vlan-hw-insert":"tx-vlan-offload",
 "rx-ntuple-filter":"ntuple-filters","rx-hashing":"receive-hashing"}'
for dev in v0 t0 b0; do
	inns "$NETDIAG" offload show -j "$dev" >"$LAB_DIR/nd.json" || fail "show $dev"
	inns ethtool --json -k "$dev" >"$LAB_DIR/et.json"
	diff=$(jq -r --argjson ren "$renames" --slurpfile et "$LAB_DIR/et.json" '
		.devices[0].features | to_entries[] |
		.key as $k | ($et[0][0][$ren[$k] // $k]) as $e |
		if $e == null then "missing in ethtool: \($k)"
		elif [$e.active, $e.fixed, $e.requested] != [.value.active, .value.fixed, .value.requested]
		then "\($k): netdiag \([.value.active, .value.fixed, .value.requested]) ethtool \([$e.active, $e.fixed, $e.requested])"
		else empty end' "$LAB_DIR/nd.json")
	[ -z "$diff" ] || fail "$dev differs from ethtool:
$diff"
	n=$(jq '.devices[0].features | length' "$LAB_DIR/nd.json")
	[ "$n" -ge 40 ] || fail "$dev: only $n features"
done

# the SIOCETHTOOL fallback (kernels before 5.6) gives the same answers
for dev in v0 t0 b0; do
	a=$(inns "$NETDIAG" offload show -j "$dev" | jq -cS '.devices[0].features')
	b=$(inns env NETDIAG_ETHTOOL_IOCTL=1 "$NETDIAG" offload show -j "$dev" | jq -cS '.devices[0].features')
	assert_eq "$b" "$a" "ioctl fallback vs netlink on $dev"
done
inns ethtool --json -k v0 >"$LAB_DIR/before.json"
inns env NETDIAG_ETHTOOL_IOCTL=1 "$NETDIAG" offload set v0 gro off >/dev/null || fail "set through ioctl"
assert_eq "$(inns ethtool --json -k v0 | jq '.[0]["generic-receive-offload"].active')" false "gro off via ioctl"
inns env NETDIAG_ETHTOOL_IOCTL=1 "$NETDIAG" undo >/dev/null
inns ethtool --json -k v0 >"$LAB_DIR/now.json"
cmp -s "$LAB_DIR/before.json" "$LAB_DIR/now.json" || fail "undo through ioctl"

# set tx off: the checksum offload goes, and TSO with it
inns ethtool --json -k v0 >"$LAB_DIR/before.json"
inns "$NETDIAG" offload set v0 tx off >"$LAB_DIR/set.out" || fail "set: exit $?"
inns ethtool --json -k v0 >"$LAB_DIR/after.json"
assert_eq "$(jq '.[0]["tx-checksum-ip-generic"].active' "$LAB_DIR/after.json")" false "tx-checksum-ip-generic"
assert_eq "$(jq '.[0]["tx-tcp-segmentation"].active' "$LAB_DIR/after.json")" false "TSO follows"
grep -q 'tx-tcp-segmentation off (follows from the change)' "$LAB_DIR/set.out" ||
	fail "dependent change not reported: $(cat "$LAB_DIR/set.out")"
# a second identical set changes nothing
assert_eq "$(inns "$NETDIAG" offload set v0 tx off)" "v0: nothing to change" "repeat"
inns "$NETDIAG" undo >"$LAB_DIR/undo.out" || fail "undo: exit $?"
inns ethtool --json -k v0 >"$LAB_DIR/restored.json"
cmp -s "$LAB_DIR/before.json" "$LAB_DIR/restored.json" || fail "undo did not restore v0 exactly"
assert_eq "$(inns "$NETDIAG" undo)" "nothing to undo" "journal empty after undo"

# bad input: one line, exit 2, nothing changed
check_bad() {
	want=$1; shift
	rc=0; inns "$NETDIAG" "$@" 2>"$LAB_DIR/err" >/dev/null || rc=$?
	assert_eq "$rc" 2 "exit of: $*"
	assert_eq "$(wc -l <"$LAB_DIR/err")" 1 "one error line for: $*"
	grep -q "$want" "$LAB_DIR/err" || fail "message for '$*': $(cat "$LAB_DIR/err")"
	inns ethtool --json -k v0 >"$LAB_DIR/now.json"
	cmp -s "$LAB_DIR/before.json" "$LAB_DIR/now.json" || fail "'$*' changed v0"
}
check_bad "nosuch0: no such device" offload set nosuch0 tx off
check_bad "banana: unknown feature\|banana: no such feature" offload set v0 banana off
check_bad "rx-lro is fixed off" offload set v0 lro on
check_bad "maybe: not on or off" offload set v0 tx maybe
# without CAP_NET_ADMIN
rc=0; inns setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	env NETDIAG_RUN_DIR="$LAB_DIR/run-nobody" "$NETDIAG" offload set v0 tx off \
	2>"$LAB_DIR/err" >/dev/null || rc=$?
assert_eq "$rc" 2 "exit without permission"
assert_eq "$(wc -l <"$LAB_DIR/err")" 1 "one line without permission: $(cat "$LAB_DIR/err")"
inns ethtool --json -k v0 >"$LAB_DIR/now.json"
cmp -s "$LAB_DIR/before.json" "$LAB_DIR/now.json" || fail "unprivileged set changed v0"
# two devices as one transaction, interrupted between them: both as before
ip -n "$ns" link set v1 up
inns ethtool --json -k v1 >"$LAB_DIR/v1-before.json"
ip netns exec "$ns" env NETDIAG_TEST_STEP_DELAY=3 "$NETDIAG" offload set v0 tx off -- v1 gro off \
	>"$LAB_DIR/int.out" 2>"$LAB_DIR/int.err" &
pid=$!  # ip netns exec execs env, env execs netdiag: one pid
sleep 1
kill -INT "$pid"
rc=0; wait "$pid" || rc=$?
assert_eq "$rc" 2 "exit when interrupted"
grep -q "interrupted" "$LAB_DIR/int.err" || fail "no interruption message: $(cat "$LAB_DIR/int.err")"
inns ethtool --json -k v0 >"$LAB_DIR/now.json"
cmp -s "$LAB_DIR/before.json" "$LAB_DIR/now.json" || fail "interrupted change left v0 changed"
inns ethtool --json -k v1 >"$LAB_DIR/now1.json"
cmp -s "$LAB_DIR/v1-before.json" "$LAB_DIR/now1.json" || fail "interrupted change left v1 changed"
assert_eq "$(inns "$NETDIAG" undo)" "nothing to undo" "nothing left in the journal"
# and uninterrupted: both change, one undo restores both
inns "$NETDIAG" offload set v0 tx off -- v1 gro off >/dev/null || fail "two-device set"
assert_eq "$(inns ethtool --json -k v1 | jq '.[0]["generic-receive-offload"].active')" false "gro on v1"
inns "$NETDIAG" undo >/dev/null
inns ethtool --json -k v0 >"$LAB_DIR/now.json"
inns ethtool --json -k v1 >"$LAB_DIR/now1.json"
cmp -s "$LAB_DIR/before.json" "$LAB_DIR/now.json" && cmp -s "$LAB_DIR/v1-before.json" "$LAB_DIR/now1.json" ||
	fail "undo of a two-device change"
# save, change, restore: back to the saved state; a bad file changes nothing
inns "$NETDIAG" offload save v0 v1 -o "$LAB_DIR/saved" || fail "save"
grep -q '^v0 tx-checksum-ip-generic on$' "$LAB_DIR/saved" || fail "save file: $(head -3 "$LAB_DIR/saved")"
inns "$NETDIAG" offload set v0 tx off -- v1 gro off >/dev/null
inns "$NETDIAG" offload restore "$LAB_DIR/saved" >/dev/null || fail "restore"
inns ethtool --json -k v0 >"$LAB_DIR/now.json"
inns ethtool --json -k v1 >"$LAB_DIR/now1.json"
cmp -s "$LAB_DIR/before.json" "$LAB_DIR/now.json" && cmp -s "$LAB_DIR/v1-before.json" "$LAB_DIR/now1.json" ||
	fail "restore did not bring back the saved state"
inns "$NETDIAG" offload set v0 tx off >/dev/null
printf 'v0 rx-gro off\nv0 tx-checksum-ip-generic sideways\n' >"$LAB_DIR/bad"
inns ethtool --json -k v0 >"$LAB_DIR/mid.json"
rc=0; inns "$NETDIAG" offload restore "$LAB_DIR/bad" 2>"$LAB_DIR/err" || rc=$?
assert_eq "$rc" 2 "exit, bad save file"
assert_eq "$(cat "$LAB_DIR/err")" "netdiag: offload: $LAB_DIR/bad: line 2: want 'DEV FEATURE on|off'" "bad file message"
inns ethtool --json -k v0 >"$LAB_DIR/now.json"
cmp -s "$LAB_DIR/mid.json" "$LAB_DIR/now.json" || fail "a bad save file changed v0"
inns "$NETDIAG" undo >/dev/null
echo "offload: ok"
