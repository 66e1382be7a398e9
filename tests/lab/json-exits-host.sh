# Every exit 2 of host, offload, route, undo and doctor with -j prints one
# JSON document that parses: {"schema", "command", "status": "error",
# "error": "OBJECT: reason"} naming the device, option or file at fault,
# and the reason on stderr as one line.  A healthy run with -j is one
# document too.  Devices live in a namespace of this run; nothing changes.
. "$(dirname "$0")/lib.sh"
ns=$(lab_ns jx)
inns() { ip netns exec "$ns" "$@"; }
ip -n "$ns" link add br0 type bridge stp_state 0
ip -n "$ns" link add g0 type veth peer name g0p
for l in br0 g0 g0p; do ip -n "$ns" link set "$l" up; done
ip -n "$ns" link set g0 master br0
printf 'nosuch0 rx-gro off\n' >"$LAB_DIR/saved"
printf 'not a saved file\n' >"$LAB_DIR/bad-saved"
n=0

# exits2 OBJECT CMD...: exit 2, one line on stderr naming OBJECT, stdout one
# JSON document whose .status is "error" and whose .error names OBJECT
exits2() {
	object=$1; shift
	rc=0
	inns "$NETDIAG" "$@" >"$LAB_DIR/out.json" 2>"$LAB_DIR/err" || rc=$?
	assert_eq "$rc" 2 "$*: exit status"
	assert_eq "$(wc -l <"$LAB_DIR/err")" 1 "$*: lines on stderr ($(head -c 300 "$LAB_DIR/err"))"
	grep -qF -- "$object" "$LAB_DIR/err" || fail "$*: stderr does not name $object: $(cat "$LAB_DIR/err")"
	jq -e . "$LAB_DIR/out.json" >/dev/null || fail "$*: stdout is not JSON: $(head -c 300 "$LAB_DIR/out.json")"
	assert_eq "$(jq -s length "$LAB_DIR/out.json")" 1 "$*: documents on stdout"
	assert_eq "$(jget "$LAB_DIR/out.json" .schema)" netdiag/1.0 "$*: schema"
	assert_eq "$(jget "$LAB_DIR/out.json" .status)" error "$*: status"
	jq -e --arg o "$object" '.error | contains($o)' "$LAB_DIR/out.json" >/dev/null ||
		fail "$*: .error does not name $object: $(jget "$LAB_DIR/out.json" .error)"
	n=$((n + 1))
}

# a device that is not there
exits2 nosuch0 host --bridge nosuch0 -j
exits2 nosuch0 host --bridge br0 --tap nosuch0 -j
exits2 nosuch0 offload show g0 nosuch0 -j
exits2 nosuch0 offload show -j nosuch0
exits2 nosuch0 offload set -j nosuch0 rx-gro off
exits2 nosuch0 offload save nosuch0 -o "$LAB_DIR/out.saved" -j
exits2 nosuch0 offload restore "$LAB_DIR/saved" -j
exits2 nosuch0 offload guide --tap nosuch0 -j
exits2 nosuch0 route guest add vm1 --ip 198.51.100.7 --dev nosuch0 -j
exits2 nosuch0 route guest apply --ip 198.51.100.7 --gateway 192.0.2.1 --if nosuch0 -j
exits2 vm9 route guest check vm9 -j
exits2 vm9 route guest del vm9 -j
exits2 nosuch0 doctor --tap nosuch0 -j
# a bad option, a bad value, a bad file, a bad verb
exits2 --bogus host --bogus -j
exits2 --bogus offload show g0 --bogus -j
exits2 --bogus route guest list --bogus -j
exits2 --bogus undo --bogus -j
exits2 x undo --last x -j
exits2 --bogus doctor --bogus -j
exits2 sometimes host --fail-on sometimes -j
exits2 "$LAB_DIR/bad-saved" offload restore "$LAB_DIR/bad-saved" -j
exits2 /nonexistent doctor --from /nonexistent -j
exits2 frobnicate offload frobnicate -j
exits2 frobnicate route guest frobnicate -j
[ ! -e "$LAB_DIR/out.saved" ] || fail "offload save wrote a file for a missing device"

# and a healthy run: one document, its own status
inns "$NETDIAG" host --bridge br0 --tap g0 -j >"$LAB_DIR/out.json" || fail "host: exit $?"
assert_eq "$(jq -s 'map(.command + ":" + .status) | join(" ")' -r "$LAB_DIR/out.json")" host:healthy "host document"
inns "$NETDIAG" offload show g0 -j >"$LAB_DIR/out.json" || fail "offload show: exit $?"
assert_eq "$(jq -r '.devices[0].ifname' "$LAB_DIR/out.json")" g0 "offload show device"
inns "$NETDIAG" route guest list -j >"$LAB_DIR/out.json" || fail "route guest list: exit $?"
assert_eq "$(jq -c '[.command, .guests]' "$LAB_DIR/out.json")" '["route guest list",[]]' "route list"
inns "$NETDIAG" undo -j >"$LAB_DIR/out.json" || fail "undo: exit $?"
assert_eq "$(jq -c '[.command, .records, .status]' "$LAB_DIR/out.json")" '["undo",[],"healthy"]' "undo document"
# a change and a damaged journal: undo restores the record, leaves the
# line, exits 2 with one document saying both
inns "$NETDIAG" offload set -j g0 rx-gro on >"$LAB_DIR/out.json" || fail "offload set: exit $?"
assert_eq "$(jq -c '[.devices[0].ifname, .devices[0].changed[0].feature, .devices[0].changed[0].active, .devices[0].changed[0].asked, .recorded]' "$LAB_DIR/out.json")" \
	'["g0","rx-gro",true,true,1]' "offload set document"
echo "change 9 damaged" >>"$NETDIAG_RUN_DIR/journal"
rc=0
inns "$NETDIAG" undo -j >"$LAB_DIR/out.json" 2>"$LAB_DIR/err" || rc=$?
assert_eq "$rc" 2 "undo over a damaged line: exit status"
assert_eq "$(jq -s length "$LAB_DIR/out.json")" 1 "undo: documents on stdout"
assert_eq "$(jq -c '[.status, (.error | test("journal:2: ")), .damaged[0].line, .records[0].result, .records[0].object, .records[0].key, .records[0].before]' "$LAB_DIR/out.json")" \
	'["error",true,2,"restored","g0","rx-gro","off"]' "undo document"
assert_eq "$(inns "$NETDIAG" offload show -j g0 | jq -r '.devices[0].features["rx-gro"].active')" false "rx-gro after undo"
echo "json-exits-host: $n error documents checked"
