# netdiag host in a namespace: each fault set up for real, its finding
# asserted; the healthy bridge raises no warning; bad input exits 2.
. "$(dirname "$0")/lib.sh"
ns=$(lab_ns host)
inns() { ip netns exec "$ns" "$@"; }
host_json() { inns "$NETDIAG" host -j "$@" >"$LAB_DIR/h.json" || true; }
ids() { jq -r '[.findings[] | select(.severity != "info") | .id + ":" + .interface] | sort | join(" ")' "$LAB_DIR/h.json"; }

ip -n "$ns" link add br0 type bridge stp_state 0
ip -n "$ns" link add g0 type veth peer name g0p
ip -n "$ns" link add g1 type veth peer name g1p
for l in br0 g0 g0p g1 g1p; do ip -n "$ns" link set "$l" up; done
ip -n "$ns" link set g0 master br0

# healthy: one guest port, forwarding, carrier, equal MTUs, rp_filter 0
inns "$NETDIAG" host --bridge br0 --tap g0 -j >"$LAB_DIR/h.json" || fail "healthy: exit $?"
assert_eq "$(ids)" "" "warnings on the healthy bridge"
assert_eq "$(jget "$LAB_DIR/h.json" '.bridges[0].ports[0].port_state')" forwarding "port state"
assert_eq "$(jget "$LAB_DIR/h.json" '.findings[] | select(.id == "bridge.snooping-no-querier") | .severity')" info snooping
# the rules: only the snooping note, silent once the bridge is a querier
assert_eq "$(diagnoses "$LAB_DIR/h.json")" snooping-no-querier "diagnoses of the healthy bridge"
rule_fires "$LAB_DIR/h.json" snooping-no-querier br=br0
ip -n "$ns" link set br0 type bridge mcast_querier 1
inns "$NETDIAG" host --bridge br0 --tap g0 -j >"$LAB_DIR/h.json" || fail "querier: exit $?"
assert_eq "$(diagnoses "$LAB_DIR/h.json")" "" "diagnoses with a querier"
# the inventory: addresses, routes, port learning and flooding, sysctls
ip -n "$ns" addr add 192.0.2.1/24 dev br0
ip -n "$ns" route add default via 192.0.2.254
inns sysctl -qw net.ipv4.conf.br0.proxy_arp=1
inns "$NETDIAG" host --bridge br0 -j >"$LAB_DIR/h.json" || true
assert_eq "$(jget "$LAB_DIR/h.json" '.bridges[0].link.addresses | map(select(startswith("192."))) | join(",")')" \
	192.0.2.1/24 "bridge address"
assert_eq "$(jget "$LAB_DIR/h.json" '.default_gateway4')" 192.0.2.254 "default gateway"
assert_eq "$(jget "$LAB_DIR/h.json" '.bridges[0].link.proxy_arp')" 1 "proxy_arp"
assert_eq "$(jget "$LAB_DIR/h.json" '.bridges[0].ports[0].learning')" 1 "port learning"
assert_eq "$(jget "$LAB_DIR/h.json" '.bridges[0].ports[0].flooding')" 1 "port flooding"
inns sysctl -qw net.ipv4.conf.br0.proxy_arp=0

# the guest port outside the bridge
host_json --bridge br0 --tap g1
assert_eq "$(ids)" "bridge.tap-not-enslaved:g1" "tap outside the bridge"

# a tap nobody holds open: no carrier
ip -n "$ns" tuntap add tap0 mode tap
ip -n "$ns" link set tap0 master br0 up
host_json --bridge br0 --tap tap0
assert_eq "$(ids)" "link.no-carrier:tap0" "tap without carrier"
assert_eq "$(jget "$LAB_DIR/h.json" '.findings[] | select(.id == "link.no-carrier") | .fields.state')" \
	"up, no carrier" "carrier state"
rule_fires "$LAB_DIR/h.json" tap-down dev=tap0 "state=up, no carrier"
ip -n "$ns" link del tap0

# a port that is down
ip -n "$ns" link set g0 down
host_json --bridge br0 --tap g0
# (the bridge loses its carrier with its only port)
assert_eq "$(ids)" "link.no-carrier:br0 link.no-carrier:g0" "port down"
assert_eq "$(jget "$LAB_DIR/h.json" '.findings[] | select(.id == "link.no-carrier" and .interface == "g0") | .fields.state')" down "down state"
rule_fires "$LAB_DIR/h.json" tap-down dev=g0
assert_eq "$(jget "$LAB_DIR/h.json" '.findings[] | select(.id == "link.no-carrier" and .interface == "br0") | .fields.reason')" \
	"none of its 1 port forwards (g0 down)" "the bridge's reason"
rule_fires "$LAB_DIR/h.json" bridge-no-carrier br=br0
ip -n "$ns" link set g0 up

# MTU 1400 on one port
ip -n "$ns" link set br0 mtu 1500
ip -n "$ns" link set g1 master br0
ip -n "$ns" link set g1 mtu 1400
host_json --bridge br0
# the port that narrows the path, and the MTU the rest of the bridge has
# (the kernel lowered the bridge to it)
assert_eq "$(jget "$LAB_DIR/h.json" '[.findings[] | select(.id == "mtu.mismatch") | "\(.interface) \(.fields.mtu)/\(.fields.want_mtu)"] | sort | join(" ")')" \
	"g1 1400/$(jget "$LAB_DIR/h.json" '[.bridges[0].ports[].mtu] | max')" \
	"mtu.mismatch on the narrow port"
jq -e '[.findings[] | select(.id == "mtu.mismatch")] | length == 1' "$LAB_DIR/h.json" >/dev/null ||
	fail "expected one mtu.mismatch: $(jq -c '[.findings[].id]' "$LAB_DIR/h.json")"
ip -n "$ns" link set g1 nomaster
ip -n "$ns" link set g1 mtu 1500
ip -n "$ns" link set br0 mtu 1500

# strict rp_filter
inns sysctl -qw net.ipv4.conf.all.rp_filter=1
host_json --bridge br0
assert_eq "$(ids)" "rpfilter.strict:br0 rpfilter.strict:g0" "strict rp_filter"
inns sysctl -qw net.ipv4.conf.all.rp_filter=0

# STP with the default 15 s forward delay: a new port starts listening
ip -n "$ns" link set br0 type bridge stp_state 1 forward_delay 1500
ip -n "$ns" link set g1 master br0
sleep 0.5
host_json --bridge br0
assert_eq "$(jget "$LAB_DIR/h.json" '.findings[] | select(.id == "bridge.stp-delay") | .fields.forward_delay')" 15 \
	"forward delay"
assert_eq "$(jget "$LAB_DIR/h.json" '.findings[] | select(.id == "bridge.port-not-forwarding" and .interface == "g1") | .fields.state')" \
	listening "new port state under STP"
# a new port is information (it forwards within two forward delays), not a fault
assert_eq "$(jget "$LAB_DIR/h.json" '.findings[] | select(.id == "bridge.port-not-forwarding" and .interface == "g1") | .severity')" \
	info "new port severity"
jq -e '.findings[] | select(.id == "bridge.port-not-forwarding" and .interface == "g1") | .fields.forward_in | . > 15 and . <= 30' \
	"$LAB_DIR/h.json" >/dev/null || fail "forward_in of a new listening port outside (15, 30]"

# multicast querier on: no snooping finding
ip -n "$ns" link set br0 type bridge stp_state 0 mcast_querier 1
host_json --bridge br0
assert_no_finding "$LAB_DIR/h.json" bridge.snooping-no-querier

# the firewall: a bridge-family forward chain with policy drop
inns nft add table bridge ndlab
inns nft add chain bridge ndlab guests '{ type filter hook forward priority 0; policy drop; }'
host_json --bridge br0
assert_eq "$(jget "$LAB_DIR/h.json" '.findings[] | select(.id == "brnf.forward-drop") | .fields.family + " " + .fields.chain')" \
	"bridge guests" "bridge forward drop"
inns nft delete table bridge ndlab
# br_netfilter sending bridged IPv4 to an inet FORWARD chain with policy drop
modprobe br_netfilter 2>/dev/null || true
if [ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]; then
	inns sysctl -qw net.bridge.bridge-nf-call-iptables=1
	inns nft add table inet ndlab
	inns nft add chain inet ndlab forward '{ type filter hook forward priority 0; policy drop; }'
	host_json --bridge br0
	assert_eq "$(jget "$LAB_DIR/h.json" '.findings[] | select(.id == "brnf.forward-drop") | .fields.family + " " + .fields.table')" \
		"inet ndlab" "br_netfilter with FORWARD drop"
	# without br_netfilter calling iptables the same chain only sees routed traffic
	inns sysctl -qw net.bridge.bridge-nf-call-iptables=0
	inns sysctl -qw net.bridge.bridge-nf-call-ip6tables=0
	host_json --bridge br0
	assert_no_finding "$LAB_DIR/h.json" brnf.forward-drop
	inns nft delete table inet ndlab
else
	note "br_netfilter not available: its half of the firewall check skipped"
fi

# TX checksum offload on the guest port (veth default): information
host_json --bridge br0 --tap g0
assert_eq "$(jget "$LAB_DIR/h.json" '.findings[] | select(.id == "offload.tx-csum-on" and .interface == "g0") | .severity')" \
	info "tx checksum offload finding"
inns ethtool -K g0 tx off >/dev/null
host_json --bridge br0 --tap g0
assert_eq "$(jget "$LAB_DIR/h.json" '[.findings[] | select(.id == "offload.tx-csum-on" and .interface == "g0")] | length')" \
	0 "no finding with tx off"

# bad input: one line, exit 2
rc=0; inns "$NETDIAG" host --bridge nosuch0 2>"$LAB_DIR/err" >/dev/null || rc=$?
assert_eq "$rc" 2 "exit, missing bridge"
assert_eq "$(cat "$LAB_DIR/err")" "netdiag: host: nosuch0: no such device" message
rc=0; inns "$NETDIAG" host --bridge g0 2>"$LAB_DIR/err" >/dev/null || rc=$?
assert_eq "$rc" 2 "exit, not a bridge"
assert_eq "$(cat "$LAB_DIR/err")" "netdiag: host: g0: not a bridge" message
rc=0; inns "$NETDIAG" host --bridge br0 --tap nosuch1 2>"$LAB_DIR/err" >/dev/null || rc=$?
assert_eq "$rc" 2 "exit, missing tap"
echo "host: ok"
