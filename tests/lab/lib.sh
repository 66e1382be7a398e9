# Shared by the namespace scenarios in tests/lab/.  Source it first:
#   . "$(dirname "$0")/lib.sh"
# It gives each run a unique id so scenarios can run side by side, names
# namespaces and links from it, and removes everything it made on every
# exit path (EXIT, INT, TERM).  Addresses come from documentation ranges.
set -eu

LAB_ID=${LAB_ID:-n$$}
NETDIAG=${NETDIAG:-$(cd "$(dirname "$0")/../.." && pwd)/build/netdiag}
LAB_DIR=$(mktemp -d "/tmp/netdiag-lab.$LAB_ID.XXXXXX")
LAB_NS=""
LAB_LINKS=""
LAB_PIDS=""

lab_cleanup() {
	set +e
	for p in $LAB_PIDS; do kill "$p" 2>/dev/null; done
	for p in $LAB_PIDS; do
		for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null
	done
	for l in $LAB_LINKS; do ip link del "$l" 2>/dev/null; done
	# lab_ns runs in command substitutions, so find ours by name
	for n in $LAB_NS $(ip netns list 2>/dev/null | awk -v p="$LAB_ID-" 'index($1, p) == 1 {print $1}'); do
		# processes a scenario started inside a namespace die with it
		ip netns pids "$n" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$n" 2>/dev/null
	done
	rm -rf "$LAB_DIR"
}
trap lab_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "$*"; exit 77; }
note() { echo "lab: $*" >&2; }

# lab_ns NAME: create namespace "$LAB_ID-NAME" with loopback up; prints its name
lab_ns() {
	n="$LAB_ID-$1"
	ip netns add "$n"
	LAB_NS="$LAB_NS $n"
	ip -n "$n" link set lo up
	echo "$n"
}

# lab_link NAME: register a root-namespace link for deletion at exit
lab_link() { LAB_LINKS="$LAB_LINKS $1"; }

# lab_bg CMD...: start a background process and register it for killing
lab_bg() { "$@" & LAB_PIDS="$LAB_PIDS $!"; }

# jq wrappers for asserting from netdiag's JSON
jget() { jq -r "$2" "$1"; }
assert_eq() { [ "$1" = "$2" ] || fail "${3:-value}: expected '$2', got '$1'"; }
# assert_finding FILE ID: the JSON report in FILE has a finding with ID
assert_finding() {
	jq -e --arg id "$2" '.findings | map(select(.id == $id)) | length > 0' "$1" >/dev/null ||
		fail "expected finding $2 in $1: $(jq -c '[.findings[].id]' "$1")"
}
assert_no_finding() {
	jq -e --arg id "$2" '.findings | map(select(.id == $id)) | length == 0' "$1" >/dev/null ||
		fail "unexpected finding $2 in $1"
}
# wait_for SECS CMD...: poll CMD every 0.1 s until it succeeds
wait_for() {
	t=$(( $1 * 10 )); shift
	while [ $t -gt 0 ]; do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; t=$((t - 1)); done
	return 1
}
