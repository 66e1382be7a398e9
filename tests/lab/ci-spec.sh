# netdiag ci: one spec with every kind of expectation passes on a healthy
# lab bridge (the probe guest, a TCG boot, only here); a spec without the
# guest fails exactly the right testcases on each injected fault: no DHCP
# server, an MTU mismatch, a missing /32 route, TX offload on where the
# spec says off.  Bad specs (syntax, unknown key, wrong type) give
# FILE:LINE:COL and exit 2.  Every JUnit file validates (tests/junit.xsd).
#
#   srv ns eth0 192.0.2.1 (dnsmasq: DHCP .50-.60, probe.example -> .99)
#     | upl
#   host ns br0 -- tapg -- guest ns eth0 (busybox udhcpc, on a loop)
#     tapr (routed guest 203.0.113.10/32, not on the bridge) -- routed ns
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-vm.sh"
command -v xmllint >/dev/null || fail "xmllint missing (make deps: libxml2-utils)"
vm_env
XSD=$LAB_ROOT/tests/junit.xsd
h=$(lab_ns host)
g=$(lab_ns guest)
s=$(lab_ns srv)
r=$(lab_ns routed)
ip -n "$h" link add br0 type bridge stp_state 0 forward_delay 0 mcast_snooping 0
ip -n "$h" link add tapg type veth peer name eth0 netns "$g"
ip -n "$h" link add upl type veth peer name eth0 netns "$s"
ip -n "$h" link add tapr type veth peer name eth0 netns "$r"
for l in br0 tapg upl tapr; do ip -n "$h" link set "$l" up; done
ip -n "$h" link set tapg master br0
ip -n "$h" link set upl master br0
ip netns exec "$h" ethtool -K tapg tx off >/dev/null
for n in "$g" "$s" "$r"; do ip -n "$n" link set eth0 up; done
ip -n "$s" addr add 192.0.2.1/24 dev eth0
# the routed guest's host side, as 'netdiag route guest add' makes it
ip -n "$h" addr add 198.51.100.1/32 dev tapr
ip -n "$h" route add 203.0.113.10/32 dev tapr
ip netns exec "$h" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.tapr.proxy_arp=1
start_dnsmasq() {
	lab_dnsmasq "$s" dns --dhcp-range=192.0.2.50,192.0.2.60,255.255.255.0,1h \
		--address=/probe.example/192.0.2.99
}
start_dnsmasq
# a guest asking for a lease again and again: traffic for the watch
lab_udhcpc_script
ip netns exec "$g" sh -c "while :; do busybox udhcpc -i eth0 -n -q -t 2 -T 1 \
	-s '$LAB_DIR/udhcpc.sh' >/dev/null 2>&1; sleep 0.5; done" &
LAB_PIDS="$LAB_PIDS $!"

spec() {
	cat <<SPEC
bridge: br0
expect:
  - bridge: { stp: false, forward_delay: 0, mtu: 1500, ports: [upl, tapg] }
  - offload: { device: tapg, features: { tx: off } }
  - lease:
      range: 192.0.2.50-192.0.2.60
      within: 4
      resolve: { probe.example: 192.0.2.99 }
  - name: routed g1
    routed: { name: g1, dev: tapr, address: 203.0.113.10 }
  - watch: { taps: [tapg], seconds: 3 }
SPEC
	[ "${1:-}" = guest ] && cat <<SPEC
  - probe-guest:
      range: 192.0.2.50-192.0.2.60
      within: 45
      resolve: { probe.example: 192.0.2.99 }
SPEC
	return 0
}
spec guest >"$LAB_DIR/full.yaml"
spec >"$LAB_DIR/fast.yaml"

# run NAME SPEC: netdiag ci in the host namespace; rc, LAB_DIR/NAME.{json,xml}
run() {
	rc=0
	ip netns exec "$h" "$NETDIAG" ci "$2" -j --junit "$LAB_DIR/$1.xml" >"$LAB_DIR/$1.json" \
		2>"$LAB_DIR/$1.err" || rc=$?
	xmllint --noout --schema "$XSD" "$LAB_DIR/$1.xml" 2>"$LAB_DIR/$1.xmllint" ||
		fail "$1: JUnit does not validate: $(cat "$LAB_DIR/$1.xmllint")"
	note "$1: rc $rc, $(jq -c '[.expectations[] | "\(.name)=\(.outcome) \(.seconds*10|floor/10)s"]' "$LAB_DIR/$1.json")"
}
# outcomes NAME: "name=outcome,..." of the JSON
outcomes() { jq -r '[.expectations[] | "\(.name)=\(.outcome)"] | join(",")' "$LAB_DIR/$1.json"; }
# failed_ids NAME: the ids failing the expectation named $2
ids() { jq -r --arg n "$2" '[.expectations[] | select(.name == $n) | .findings[] |
	select(.severity != "info") | .id] | unique | join(",")' "$LAB_DIR/$1.json"; }
# junit NAME XPATH: a figure from the JUnit file
junit() { xmllint --xpath "$2" "$LAB_DIR/$1.xml"; }

# 1. healthy, every kind with the probe guest
run healthy "$LAB_DIR/full.yaml"
[ "$rc" = 0 ] || fail "healthy: exit $rc: $(cat "$LAB_DIR/healthy.err") $(outcomes healthy)"
assert_eq "$(outcomes healthy)" \
	"bridge=pass,offload tapg=pass,lease=pass,routed g1=pass,watch tapg=pass,probe-guest=pass" healthy
lease=$(jget "$LAB_DIR/healthy.json" '.expectations[2].findings[] | select(.id == "active.lease") | .fields.address')
case $lease in 192.0.2.5[0-9]|192.0.2.60) ;; *) fail "lease $lease outside the range" ;; esac
assert_eq "$(jget "$LAB_DIR/healthy.json" '.expectations[2].findings[] | select(.id == "active.dns-answer") | .fields.answers')" \
	192.0.2.99 "probe.example answered"
assert_eq "$(junit healthy 'string(/testsuites/testsuite/@name)')" br0 "suite named for the bridge"
assert_eq "$(junit healthy 'count(//testcase[@classname="br0"])')" 6 "six testcases"
assert_eq "$(junit healthy 'count(//failure) + count(//skipped) + count(//error)')" 0 "healthy JUnit"
assert_eq "$(junit healthy 'string(//testcase[@name="probe-guest"]/@time) > 0')" true "guest time"
note "healthy: probe guest $(jget "$LAB_DIR/healthy.json" '.expectations[5].seconds') s, lease $lease"

# --list checks nothing and names all six
assert_eq "$(ip netns exec "$h" "$NETDIAG" ci --list "$LAB_DIR/full.yaml" | wc -l)" 6 "--list lines"

# 2. faults, one at a time, each undone after
# 2a. no DHCP server: the lease fails (active.no-lease), and the watch sees
#     the guest's DISCOVERs go unanswered
dns_pid=$(cat "$LAB_DIR/dns.pid")
kill "$dns_pid"
wait_for 5 sh -c "! kill -0 $dns_pid"
run nodhcp "$LAB_DIR/fast.yaml"
assert_eq "$rc" 1 "no DHCP: exit"
assert_eq "$(outcomes nodhcp)" \
	"bridge=pass,offload tapg=pass,lease=fail,routed g1=pass,watch tapg=fail" "no DHCP"
assert_eq "$(ids nodhcp lease)" active.no-lease "no DHCP: lease finding"
assert_eq "$(ids nodhcp 'watch tapg')" dhcp4.no-offer "no DHCP: watch finding"
assert_eq "$(junit nodhcp 'string(//testcase[@name="lease"]/failure/@type)')" active.no-lease "no DHCP JUnit"
rm -f "$LAB_DIR/dns.pid"
start_dnsmasq

# 2b. MTU mismatch: tapg at 1400 on a 1500 bridge
ip -n "$h" link set tapg mtu 1400
run mtu "$LAB_DIR/fast.yaml"
assert_eq "$rc" 1 "MTU: exit"
assert_eq "$(outcomes mtu)" \
	"bridge=fail,offload tapg=pass,lease=pass,routed g1=pass,watch tapg=fail" "MTU"
assert_eq "$(ids mtu 'watch tapg')" mtu.mismatch "MTU: watch finding"
assert_eq "$(jq -r '[.expectations[0].findings[] | select(.id == "ci.mtu") | "\(.interface):\(.fields.got)"] | sort | join(",")' "$LAB_DIR/mtu.json")" \
	"br0:1400,tapg:1400" "MTU: what differs"
assert_eq "$(junit mtu 'count(//testcase[@name="bridge"]/failure)')" 2 "MTU: one failure per interface"
ip -n "$h" link set tapg mtu 1500
ip -n "$h" link set br0 mtu 1500

# 2c. the routed guest's /32 route gone
ip -n "$h" route del 203.0.113.10/32 dev tapr
run route "$LAB_DIR/fast.yaml"
assert_eq "$rc" 1 "route: exit"
assert_eq "$(outcomes route)" \
	"bridge=pass,offload tapg=pass,lease=pass,routed g1=fail,watch tapg=pass" "route"
assert_eq "$(ids route 'routed g1')" route.missing-host-route "route: finding"
ip -n "$h" route add 203.0.113.10/32 dev tapr

# 2d. TX checksum offload back on
ip netns exec "$h" ethtool -K tapg tx on >/dev/null
run offload "$LAB_DIR/fast.yaml"
assert_eq "$rc" 1 "offload: exit"
assert_eq "$(outcomes offload)" \
	"bridge=pass,offload tapg=fail,lease=pass,routed g1=pass,watch tapg=pass" "offload"
assert_eq "$(jget "$LAB_DIR/offload.json" '.expectations[1].findings[0].fields.wrong')" \
	"$(ip netns exec "$h" ethtool -k tapg | awk -F': ' '/^\ttx-checksum-(ip-generic|ipv4|ipv6|fcoe-crc|sctp)/ && $2 ~ /^on/ {sub(/^\t/, "", $1); printf "%s%s", s, $1; s=","}')" \
	"offload: the features on"
ip netns exec "$h" ethtool -K tapg tx off >/dev/null

# 2e. a name that resolves elsewhere than the spec says
printf 'bridge: br0\nexpect:\n  - lease: { resolve: { probe.example: 192.0.2.98 } }\n' >"$LAB_DIR/dns.yaml"
run dnswrong "$LAB_DIR/dns.yaml"
assert_eq "$rc" 1 "wrong answer: exit"
assert_eq "$(ids dnswrong lease)" ci.dns-mismatch "wrong answer: finding"
assert_eq "$(jq -r '.expectations[0].findings[] | select(.id == "ci.dns-mismatch") | "\(.fields.want) \(.fields.got)"' "$LAB_DIR/dnswrong.json")" \
	"192.0.2.98 192.0.2.99" "wrong answer: want and got"

# 3. an expectation that cannot run is skipped, not passed: no QEMU to
#    boot the probe guest; with nothing else run, exit 2
printf 'bridge: br0\nexpect:\n  - probe-guest: { within: 5 }\n' >"$LAB_DIR/noguest.yaml"
export NETDIAG_QEMU=$LAB_DIR/no-qemu
run noguest "$LAB_DIR/noguest.yaml"
unset NETDIAG_QEMU
assert_eq "$rc" 2 "no QEMU: exit"
assert_eq "$(outcomes noguest)" probe-guest=skipped "no QEMU"
assert_eq "$(junit noguest 'count(//testcase[@name="probe-guest"]/skipped)')" 1 "skipped in JUnit"

# 4. netdiag check --junit: one testcase per verdict, not-seen ones skipped
#    (DNS: nobody asks; path: tapr carries no client), the suite named for the bridge
ip netns exec "$h" "$NETDIAG" check --bridge br0 --tap tapr --duration 1 \
	--junit "$LAB_DIR/check.xml" >/dev/null 2>&1 || true
xmllint --noout --schema "$XSD" "$LAB_DIR/check.xml" 2>/dev/null || fail "check JUnit invalid"
assert_eq "$(junit check 'string(/testsuites/testsuite/@name)')" br0 "check suite"
assert_eq "$(junit check 'count(//testcase)')" 5 "check testcases"
assert_eq "$(for n in $(xmllint --xpath '//testcase[skipped]/@name' "$LAB_DIR/check.xml"); do
	echo "$n"; done | sed 's/name="\(.*\)"/\1/' | sort | tr '\n' ' ')" "dns path " \
	"check: the checks that saw nothing are skipped"
rc=0
ip netns exec "$h" "$NETDIAG" check --tap nosuch0 --duration 1 --junit "$LAB_DIR/check2.xml" \
	>/dev/null 2>&1 || rc=$?
assert_eq "$rc" 2 "check on a missing tap: exit"
xmllint --noout --schema "$XSD" "$LAB_DIR/check2.xml" 2>/dev/null || fail "check error JUnit invalid"
assert_eq "$(junit check2 'count(//testcase/error)')" 1 "check: error testcase on exit 2"

# 5. bad specs: FILE:LINE:COL, exit 2, a JUnit error file
bad() {
	printf "$2" >"$LAB_DIR/$1.yaml"
	rc=0
	"$NETDIAG" ci "$LAB_DIR/$1.yaml" --junit "$LAB_DIR/$1.xml" 2>"$LAB_DIR/$1.err" >/dev/null || rc=$?
	assert_eq "$rc" 2 "$1: exit"
	assert_eq "$(cat "$LAB_DIR/$1.err")" "netdiag: ci: $LAB_DIR/$1.yaml:$3" "$1: message"
	xmllint --noout --schema "$XSD" "$LAB_DIR/$1.xml" 2>/dev/null || fail "$1: JUnit error file invalid"
	assert_eq "$(junit "$1" 'count(//testcase/error)')" 1 "$1: JUnit error"
}
bad syntax 'bridge: br0\nexpect:\n  - bridge: { mtu: 1500\n  - lease: {}\n' \
	"4:10: YAML syntax: did not find expected ',' or '}' while parsing a flow mapping"
bad unknown 'bridge: br0\nexpect:\n  - lease: { within: 5, colour: red }\n' \
	"3:25: unknown key 'colour' in lease (known: range, within, resolve)"
bad type 'bridge: br0\nexpect:\n  - watch:\n      taps: tapg\n' \
	"4:13: taps wants a list of interface names"
bad type2 'bridge: br0\nexpect:\n  - bridge: { stp: maybe }\n' \
	"3:20: stp wants true or false (on/off), not 'maybe'"
bad kind 'bridge: br0\nexpect:\n  - ping: { host: x }\n' \
	"3:5: unknown key 'ping' (kinds: bridge, offload, lease, probe-guest, routed, watch; and name)"
echo "ci-spec: ok"
