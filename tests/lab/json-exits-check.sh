# Every exit path of check, analyze, vm, ci, hook, rules and version with
# -j prints one JSON document: a missing device, file, VM, guest or
# directory, and an unknown option, each exit 2 with one document that
# parses, "status": "error" and an "error" naming the object, and its
# "command" as the message names it.  Then check's verdict lines and its
# "checks" members are one walk: on a bridge with a port and no traffic
# (IPv6 off, so not a frame), the text's five lines are exactly what the
# JSON's checks say, --require'd dhcp included.
. "$(dirname "$0")/lib.sh"
h=$(lab_ns host)
export NETDIAG_RUN_DIR="$LAB_DIR/run"
mkdir -p "$NETDIAG_RUN_DIR"
chmod 700 "$NETDIAG_RUN_DIR"

# exits2 NAME OBJECT COMMAND ARGS...: exit 2, one document, error names OBJECT
exits2() {
	name=$1 object=$2 command=$3
	shift 3
	rc=0
	ip netns exec "$h" "$NETDIAG" "$@" >"$LAB_DIR/out.json" 2>"$LAB_DIR/out.err" || rc=$?
	assert_eq "$rc" 2 "$name: exit status ($(cat "$LAB_DIR/out.err"))"
	jq -e . "$LAB_DIR/out.json" >/dev/null ||
		fail "$name: not one JSON document: $(cat "$LAB_DIR/out.json")"
	assert_eq "$(jget "$LAB_DIR/out.json" .status)" error "$name: status"
	assert_eq "$(jget "$LAB_DIR/out.json" .command)" "$command" "$name: command"
	err=$(jget "$LAB_DIR/out.json" .error)
	case "$err" in
	"$object: "*) ;;
	*) fail "$name: error does not name $object first: $err" ;;
	esac
	# the same words as the one line on stderr
	assert_eq "$(cat "$LAB_DIR/out.err")" "netdiag: $command: $err" "$name: stderr line"
}

nodev=nd-nosuch0
exits2 "check --tap" $nodev check check --tap $nodev --duration 1 -j
exits2 "check --bridge" $nodev check check --bridge $nodev --duration 1 -j
exits2 "check --uplink" $nodev check check --uplink $nodev --duration 1 -j
exits2 "analyze" "$LAB_DIR/nosuch.pcap" analyze analyze -j "$LAB_DIR/nosuch.pcap"
exits2 "ci" "$LAB_DIR/nosuch.yaml" ci ci -j "$LAB_DIR/nosuch.yaml"
exits2 "vm run" $nodev "vm run" vm run g1 --bridge $nodev --kernel /nonexistent -j
exits2 "vm run --probe" $nodev "vm run" vm run g1 --probe --bridge $nodev -j
exits2 "vm stop" nd-novm "vm stop" vm stop nd-novm -j
exits2 "vm destroy" nd-novm "vm destroy" vm destroy nd-novm -j
exits2 "vm wait" nd-novm "vm wait" vm wait nd-novm --for dhcp --timeout 1 -j
exits2 "hook status" nd-noguest "hook status" hook status nd-noguest -j
exits2 "rules list" "$LAB_DIR/norules" "rules list" rules list -j "$LAB_DIR/norules"
mkdir "$LAB_DIR/empty"
exits2 "rules lint" "$LAB_DIR/empty" "rules lint" rules lint -j "$LAB_DIR/empty"
# an unknown option, after -j and before it
exits2 "check --bogus" --bogus check check -j --bogus
exits2 "analyze --bogus" --bogus analyze analyze --bogus -j x.pcap
exits2 "ci --bogus" --bogus ci ci -j --bogus x.yaml
exits2 "vm run --bogus" --bogus "vm run" vm run g1 -j --bogus
exits2 "vm list --bogus" --bogus "vm list" vm list -j --bogus
exits2 "vm stop --bogus" --bogus "vm stop" vm stop g1 -j --bogus
exits2 "hook status --bogus" --bogus "hook status" hook status -j --bogus
exits2 "rules list --bogus" --bogus "rules list" rules list -j --bogus
exits2 "version --bogus" --bogus version version -j --bogus
exits2 "check --fail-on" maybe check check --tap lo -j --fail-on maybe
# frame lines are text: with -j they would leave no document
exits2 "analyze --frames -j" --frames analyze analyze -j --frames "$LAB_DIR/nosuch.pcap"
exits2 "vm run --console -j" --console "vm run" vm run g1 --bridge br0 --kernel /k --console -j

# the healthy paths' documents parse too
for args in "vm list -j" "hook status -j" "rules list -j" "version -j"; do
	# shellcheck disable=SC2086
	ip netns exec "$h" "$NETDIAG" $args >"$LAB_DIR/ok.json" || fail "$args: exit status $?"
	jq -e . "$LAB_DIR/ok.json" >/dev/null || fail "$args: not one JSON document"
done
assert_eq "$(jget "$LAB_DIR/ok.json" .version)" "$("$NETDIAG" version | cut -d' ' -f2)" "version -j"

# check: the text's verdict lines are the JSON's checks
ip netns exec "$h" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n "$h" link add br0 type bridge stp_state 0 forward_delay 0 mcast_snooping 0
ip -n "$h" link add tapg type veth peer name tapp
for l in br0 tapg tapp; do ip -n "$h" link set "$l" up; done
ip -n "$h" link set tapg master br0
# run_check OUT [ARGS...]: check with dhcp required into LAB_DIR/OUT
run_check() {
	out=$1
	shift
	rc=0
	ip netns exec "$h" "$NETDIAG" check --bridge br0 --tap tapg --duration 1 --require dhcp "$@" \
		>"$LAB_DIR/$out" 2>"$LAB_DIR/check.err" || rc=$?
	assert_eq "$rc" 1 "check $*: exit status (a required check saw nothing)"
}
run_check check.json -j
run_check check.txt
assert_eq "$(jget "$LAB_DIR/check.json" '[.checks[].name] | join(",")')" "dhcp,dns,checksums,host,path" \
	"checks"
assert_eq "$(jget "$LAB_DIR/check.json" '[.checks[].verdict] | join(",")')" \
	"not-seen,not-seen,not-seen,ok,not-seen" "verdicts"
assert_eq "$(jget "$LAB_DIR/check.json" '[.checks[] | select(.required) | .name] | join(",")')" dhcp \
	"required"
assert_eq "$(jget "$LAB_DIR/check.json" '[.checks[].evidence] | join(",")')" "0,0,0,1,0" "evidence"
assert_eq "$(jget "$LAB_DIR/check.json" .status)" problems "check status"
assert_finding "$LAB_DIR/check.json" check.not-seen
# the lines the text prints, rendered from the JSON members
jq -r '.checks[] | .name as $n | ($n + ("          " | .[0:(10 - ($n | length))])) + " " +
	(if .verdict == "not-seen" then "not seen" else .verdict end) +
	(if .findings != "" then ": " + .findings
	 elif .verdict == "ok" and .name != "host" and .name != "active"
	 then " (\(.evidence) frames)"
	 elif .verdict == "not-seen"
	 then (if .required then ": required, none captured" else ": no such traffic, no verdict" end)
	 else "" end)' "$LAB_DIR/check.json" >"$LAB_DIR/checks.from-json"
head -n 5 "$LAB_DIR/check.txt" >"$LAB_DIR/checks.text"
diff "$LAB_DIR/checks.from-json" "$LAB_DIR/checks.text" >&2 ||
	fail "check's verdict lines and its JSON checks differ"
grep -q '^dhcp       not seen: required, none captured$' "$LAB_DIR/check.txt" ||
	fail "dhcp line: $(head -1 "$LAB_DIR/check.txt")"
note "exit-2 documents: $(grep -c "^exits2 " "$0") commands; check: $(tr '\n' '|' <"$LAB_DIR/checks.text")"
