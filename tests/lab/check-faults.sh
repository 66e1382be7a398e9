# netdiag check against faults built for real: a bridge br0 in a host
# namespace, dnsmasq behind port srvp, a guest behind port gp.  Each fault
# is set up, the guest tries DHCP and DNS while check captures, and the
# exact finding is asserted; then the fault is removed.
. "$(dirname "$0")/lib.sh"
command -v dnsmasq >/dev/null || skip "dnsmasq not installed"
h=$(lab_ns host)
g=$(lab_ns guest)
s=$(lab_ns srv)
s2=$(lab_ns srv2)
lab_bridge "$h" br0 "gp:$g" "srvp:$s" "srv2p:$s2"
ip -n "$s" addr add 192.0.2.1/24 dev eth0
ip -n "$s2" addr add 192.0.2.2/24 dev eth0
lab_udhcpc_script

stop_dnsmasq() { kill "$(cat "$LAB_DIR/$1.pid")"; rm -f "$LAB_DIR/$1.pid"; sleep 0.2; }

# scenario NAME: check while the guest does DHCP then DNS; JSON in NAME.json
scenario() {
	ip -n "$g" -4 addr flush dev eth0
	ip netns exec "$h" "$NETDIAG" check --bridge br0 --tap gp --uplink srvp --duration 4 -j \
		>"$LAB_DIR/$1.json" 2>"$LAB_DIR/$1.err" &
	cpid=$!
	lab_capturing "$LAB_DIR/$1.err"
	ip netns exec "$g" busybox udhcpc -i eth0 -n -q -t 3 -T 1 -s "$LAB_DIR/udhcpc.sh" >/dev/null 2>&1 ||
		ip -n "$g" addr add 192.0.2.50/24 dev eth0
	ip netns exec "$g" busybox timeout 2 busybox nslookup probe.example 192.0.2.1 >/dev/null 2>&1 || true
	wait "$cpid" || true
}
ids() { jq -r '[.findings[] | select(.severity != "info") | .id] | unique | join(" ")' "$LAB_DIR/$1.json"; }
has() { jq -e --arg id "$2" 'any(.findings[]; .id == $id)' "$LAB_DIR/$1.json" >/dev/null ||
	fail "$1: expected $2, got: $(ids "$1")"; }

A="--address=/probe.example/192.0.2.99 --address=/probe.example/2001:db8::99"
RANGE="--dhcp-range=192.0.2.50,192.0.2.60,255.255.255.0,1h"

# healthy
lab_dnsmasq "$s" one $RANGE $A
scenario healthy
assert_eq "$(ids healthy)" "" "healthy"
assert_eq "$(diagnoses "$LAB_DIR/healthy.json")" "" "diagnoses when healthy"

# no DHCP server (DNS only)
stop_dnsmasq one
lab_dnsmasq "$s" one $A
scenario nodhcp
has nodhcp dhcp4.no-offer
assert_eq "$(jget "$LAB_DIR/nodhcp.json" '.findings[] | select(.id == "dhcp4.no-offer" and .interface == "gp") | .fields.discovers')" 3 discovers

# DNS server down (DHCP only: --port=0)
stop_dnsmasq one
lab_dnsmasq "$s" one $RANGE --port=0
scenario nodns
has nodns dns.unanswered
assert_eq "$(jget "$LAB_DIR/nodns.json" '.findings[] | select(.id == "dns.unanswered" and .interface == "gp") | .fields.server')" 192.0.2.1 server

# two DHCP servers
stop_dnsmasq one
lab_dnsmasq "$s" one $RANGE $A
lab_dnsmasq "$s2" two --dhcp-range=192.0.2.70,192.0.2.80,255.255.255.0,1h
scenario twoservers
has twoservers dhcp4.multiple-servers
assert_eq "$(jget "$LAB_DIR/twoservers.json" '.findings[] | select(.id == "dhcp4.multiple-servers" and .interface == "gp") | .fields.server_ids | split(",") | sort | join(",")')" \
	"192.0.2.1,192.0.2.2" "the two servers"
# the bridge point is promiscuous: it sees both servers' unicast OFFERs too,
# and the one fact seen at two points is one finding
assert_eq "$(jget "$LAB_DIR/twoservers.json" '[.findings[] | select(.id == "dhcp4.multiple-servers")] | length')" 1 \
	"one finding for the two servers"
assert_eq "$(jget "$LAB_DIR/twoservers.json" '.findings[] | select(.id == "dhcp4.multiple-servers") | .fields.seen_on')" \
	"gp,br0" "the two servers, seen on the tap and the bridge"
rule_fires "$LAB_DIR/twoservers.json" dhcp-multiple-servers dev=gp
# a malformed rule file: refused with FILE:LINE:COL, or left out when lenient
mkdir "$LAB_DIR/rules"
cp "$LAB_ROOT"/rules/*.rule "$LAB_DIR/rules/"
printf 'rule      tap-down\nseverity  error\nwhen      link.no-carrier interface=$dev state\n' \
	>"$LAB_DIR/rules/tap-down.rule"
rc=0; "$NETDIAG" doctor --from "$LAB_DIR/twoservers.json" --rules "$LAB_DIR/rules" >/dev/null 2>"$LAB_DIR/err" || rc=$?
assert_eq "$rc" 2 "exit status with a malformed rule"
assert_eq "$(cat "$LAB_DIR/err")" \
	"netdiag: doctor: $LAB_DIR/rules/tap-down.rule:3:42: 'state': expected KEY=VALUE or KEY!=VALUE" "the refusal"
# two servers is a warning: exit 1 only with --fail-on warning
rc=0; "$NETDIAG" doctor --from "$LAB_DIR/twoservers.json" --rules "$LAB_DIR/rules" --rules-lenient -j \
	--fail-on warning >"$LAB_DIR/lenient.json" 2>"$LAB_DIR/err" || rc=$?
assert_eq "$rc" 1 "exit status, lenient, --fail-on warning"
assert_eq "$(jget "$LAB_DIR/lenient.json" '[.diagnoses[].rule] | join(",")')" dhcp-multiple-servers "diagnoses, lenient"
grep -q "tap-down.rule:3:42: .* (left out: --rules-lenient)$" "$LAB_DIR/err" || fail "lenient: $(cat "$LAB_DIR/err")"
rc=0; "$NETDIAG" rules lint "$LAB_DIR/rules" >"$LAB_DIR/lint.out" 2>&1 || rc=$?
assert_eq "$rc" 2 "rules lint exit status"
assert_eq "$(tail -1 "$LAB_DIR/lint.out")" "$LAB_DIR/rules: $(ls "$LAB_DIR"/rules/*.rule | wc -l) rules checked, 1 bad" "rules lint summary"
stop_dnsmasq two

# STP with a 15 s forward delay, the guest port just plugged in
ip -n "$h" link set br0 type bridge stp_state 1 forward_delay 1500
ip -n "$h" link set gp nomaster
ip -n "$h" link set gp master br0
scenario stp
has stp bridge.stp-delay
has stp bridge.port-not-forwarding
has stp dhcp4.no-offer
rule_fires "$LAB_DIR/stp.json" stp-forward-delay br=br0 delay=30
ip -n "$h" link set br0 type bridge stp_state 0

# the guest port outside the bridge
ip -n "$h" link set gp nomaster
scenario outside
has outside bridge.tap-not-enslaved
has outside dhcp4.no-offer
rule_fires "$LAB_DIR/outside.json" tap-not-on-bridge tap=gp br=br0
ip -n "$h" link set gp master br0
sleep 0.3

# an MTU mismatch on the guest port
ip -n "$h" link set br0 mtu 1500
ip -n "$h" link set gp mtu 1400
scenario mtu
has mtu mtu.mismatch
# (the bridge follows its smallest port: gp is the one that narrows it)
assert_eq "$(jget "$LAB_DIR/mtu.json" '[.findings[] | select(.id == "mtu.mismatch") | "\(.interface) \(.fields.mtu) \(.fields.want_mtu)"] | join(",")')" \
	"gp 1400 1500" "the narrow port and the MTU it should have"
rule_fires "$LAB_DIR/mtu.json" mtu-mismatch port=gp mtu=1400 want=1500 br=br0
ip -n "$h" link set gp mtu 1500

# strict rp_filter
ip netns exec "$h" sysctl -qw net.ipv4.conf.all.rp_filter=1
scenario rpf
has rpf rpfilter.strict
rule_fires "$LAB_DIR/rpf.json" rp-filter-strict dev=br0,gp,srv2p,srvp
ip netns exec "$h" sysctl -qw net.ipv4.conf.all.rp_filter=0
# br_netfilter hands bridged IPv4 to an inet FORWARD chain with policy drop
# (what Docker's iptables FORWARD DROP amounts to)
modprobe br_netfilter 2>/dev/null || true
if [ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]; then
	ip netns exec "$h" sysctl -qw net.bridge.bridge-nf-call-iptables=1
	ip netns exec "$h" nft add table inet ndlab
	ip netns exec "$h" nft add chain inet ndlab forward '{ type filter hook forward priority 0; policy drop; }'
	scenario brnf
	has brnf brnf.forward-drop
	has brnf dhcp4.no-offer
	assert_eq "$(jget "$LAB_DIR/brnf.json" '.findings[] | select(.id == "path.lost-in-host" and .fields.messages == "DHCPv4 client messages") | .fields.seen_on + ">" + .fields.missing_on')" \
		"gp>srvp" "where br_netfilter drops the DISCOVERs"
	rule_fires "$LAB_DIR/brnf.json" brnf-forward-drop br=br0 chain=forward table=ndlab
	ip netns exec "$h" nft delete table inet ndlab
	ip netns exec "$h" sysctl -qw net.bridge.bridge-nf-call-iptables=0
else
	note "br_netfilter not available: its scenario skipped"
fi
echo "check-faults: ok"
