# Shared by the namespace scenarios in tests/lab/.  Source it first:
#   . "$(dirname "$0")/lib.sh"
# It gives each run a unique id so scenarios can run side by side, names
# namespaces and links from it, and removes everything it made on every
# exit path (EXIT, INT, TERM).  Addresses come from documentation ranges.
set -eu

LAB_ID=${LAB_ID:-n$$}
# the source tree: the one NETDIAG (build/netdiag) was built in
if [ -n "${NETDIAG:-}" ]; then
	LAB_ROOT=$(cd "$(dirname "$NETDIAG")/.." && pwd)
else
	LAB_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
	NETDIAG=$LAB_ROOT/build/netdiag
fi
LAB_DIR=$(mktemp -d "/tmp/netdiag-lab.$LAB_ID.XXXXXX")
# netdiag's run directory (journal, locks, VM state) of this run only:
# scenarios run side by side, and none touches the host's /run/netdiag
export NETDIAG_RUN_DIR="${NETDIAG_RUN_DIR:-$LAB_DIR/run}"
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
	# LAB_KEEP=DIR: keep the run's files there, to look at after a failure
	if [ -n "${LAB_KEEP:-}" ]; then mkdir -p "$LAB_KEEP" && cp -r "$LAB_DIR/." "$LAB_KEEP/"; fi
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

# lab_networkd_script FILE: LAB_DIR/networkd.sh, which runs a real
# systemd-networkd for $1 seconds with FILE as its only .network file
# (run it in the guest namespace as `unshare -m sh networkd.sh SECONDS`).
# networkd configures only links udev has initialised, so it starts its
# own udevd; /run is a private tmpfs, so nothing reaches the machine's.
lab_networkd_script() {
	cat >"$LAB_DIR/networkd.sh" <<NWD
set -e
mount -t tmpfs tmpfs /run
mkdir -p /run/udev /run/systemd/network /run/systemd/netif
cp "$1" /run/systemd/network/
chown -R systemd-network:systemd-network /run/systemd/netif
/lib/systemd/systemd-udevd --daemon
udevadm trigger --subsystem-match=net --action=add
udevadm settle -t 3 || true
exec timeout \$1 /lib/systemd/systemd-networkd
NWD
}

# lab_cc OUT SOURCE: a lab tool (tests/lab/tools/SOURCE) built against
# the static libnetdiag and the libraries the Makefile links it with
lab_cc() {
	cc -std=gnu11 -Wall -Werror -I"$LAB_ROOT/libnetdiag/include" -o "$1" "$LAB_ROOT/tests/lab/tools/$2" \
		"$LAB_ROOT/build/libnetdiag.a" \
		$(pkg-config --libs $(sed -n 's/^PKGS := //p' "$LAB_ROOT/Makefile")) -lm
}

# lab_bridge NS BR PORT:PEER_NS...: bridge BR in NS, STP and multicast
# snooping off, with a veth port PORT for each PEER_NS (whose end there is
# eth0); all of it up
lab_bridge() {
	lb_ns=$1 lb_br=$2
	shift 2
	ip -n "$lb_ns" link add "$lb_br" type bridge stp_state 0 mcast_snooping 0
	for lb_pair in "$@"; do
		ip -n "$lb_ns" link add "${lb_pair%%:*}" type veth peer name eth0 netns "${lb_pair##*:}"
		ip -n "$lb_ns" link set "${lb_pair%%:*}" master "$lb_br" up
		ip -n "${lb_pair##*:}" link set eth0 up
	done
	ip -n "$lb_ns" link set "$lb_br" up
}

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
# lab_udhcpc_script: $LAB_DIR/udhcpc.sh, for busybox udhcpc -s: puts the
# leased address on the interface
lab_udhcpc_script() {
	printf '#!/bin/sh\n[ "$1" = bound ] && ip addr add "$ip/24" dev "$interface"\nexit 0\n' \
		>"$LAB_DIR/udhcpc.sh"
	chmod +x "$LAB_DIR/udhcpc.sh"
}

# lab_dnsmasq NS NAME ARGS...: dnsmasq on eth0 (LAB_DNSMASQ_IF) of namespace
# NS, its lease, pid and log files LAB_DIR/NAME.*; returns once it runs
lab_dnsmasq() {
	ld_ns=$1; ld_name=$2; shift 2
	ip netns exec "$ld_ns" dnsmasq --conf-file=/dev/null --keep-in-foreground --no-resolv --no-hosts \
		--interface="${LAB_DNSMASQ_IF:-eth0}" --bind-interfaces --user=root --no-ping \
		--dhcp-leasefile="$LAB_DIR/$ld_name.leases" --pid-file="$LAB_DIR/$ld_name.pid" \
		--log-facility="$LAB_DIR/$ld_name.log" "$@" &
	LAB_PIDS="$LAB_PIDS $!"
	wait_for 5 test -s "$LAB_DIR/$ld_name.pid" || fail "dnsmasq $ld_name did not start"
}

# lab_vnetfwd NS TAP PORT [-c]: tools/vnetfwd in namespace NS between a new
# tap TAP and the link PORT, whose own TX checksum offload goes off (frames
# must leave it as the forwarder wrote them); returns once it runs.  -c: a
# reader that honours the virtio-net header (finishes checksums)
lab_vnetfwd() {
	[ -x "$LAB_DIR/vnetfwd" ] || cc -O2 -o "$LAB_DIR/vnetfwd" "$LAB_ROOT/tests/lab/tools/vnetfwd.c" ||
		fail "cannot build vnetfwd"
	ip netns exec "$1" ethtool -K "$3" tx off >/dev/null
	ip netns exec "$1" "$LAB_DIR/vnetfwd" ${4:-} "$2" "$3" >"$LAB_DIR/vnetfwd-$1-$2.out" 2>&1 &
	LAB_PIDS="$LAB_PIDS $!"
	wait_for 5 grep -q ready "$LAB_DIR/vnetfwd-$1-$2.out" ||
		fail "vnetfwd $2: $(cat "$LAB_DIR/vnetfwd-$1-$2.out")"
}

# The rules over a saved -j document (netdiag doctor --from):
# diagnoses FILE: the rules that fire, sorted, comma-joined
diagnoses() {
	dg_rc=0
	"$NETDIAG" doctor --from "$1" -j >"$1.doctor" 2>"$1.doctor.err" || dg_rc=$?
	[ "$dg_rc" -le 1 ] || fail "doctor --from $1: $(cat "$1.doctor.err")"
	jq -r '[.diagnoses[].rule] | unique | join(",")' "$1.doctor"
}
# rule_fires FILE RULE [VAR=V1,V2...]: RULE fires, and its diagnoses bind
# VAR to exactly these values (sorted, distinct)
rule_fires() {
	rf_file=$1; rf_rule=$2; shift 2
	case ",$(diagnoses "$rf_file")," in *",$rf_rule,"*) ;;
	*) fail "rule $rf_rule did not fire on $(basename "$rf_file"): $(diagnoses "$rf_file")" ;; esac
	for rf_b in "$@"; do
		assert_eq "$(jq -r --arg r "$rf_rule" --arg k "${rf_b%%=*}" \
			'[.diagnoses[] | select(.rule == $r) | .bindings[$k]] | unique | join(",")' \
			"$rf_file.doctor")" "${rf_b#*=}" "rule $rf_rule, \$${rf_b%%=*}"
	done
}
# rule_silent FILE RULE: the rule did not fire on a saved -j document
rule_silent() {
	case ",$(diagnoses "$1")," in *",$2,"*) fail "rule $2 fired on $(basename "$1")" ;; esac
}

# lab_capturing FILE: wait until the netdiag check whose stderr goes to
# FILE says its rings are open ("capturing on"), rather than sleeping: a
# guest's first packets must not go by before it looks
lab_capturing() {
	wait_for 20 grep -q "capturing on" "$1" || fail "netdiag check did not start capturing: $(cat "$1")"
}

# wait_for SECS CMD...: poll CMD every 0.1 s until it succeeds
wait_for() {
	t=$(( $1 * 10 )); shift
	while [ $t -gt 0 ]; do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; t=$((t - 1)); done
	return 1
}
