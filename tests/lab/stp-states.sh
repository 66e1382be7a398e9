# STP port states as netdiag host reports them (issue 14): a new port in
# listening/learning is information with the seconds until it forwards,
# not a missing carrier; only links that really lack carrier are
# link.no-carrier, and a bridge's own "no carrier" names its ports.
. "$(dirname "$0")/lib.sh"
ns=$(lab_ns stp)
inns() { ip netns exec "$ns" "$@"; }
host_json() { rc=0; inns "$NETDIAG" host --bridge br0 -j >"$LAB_DIR/$1.json" || rc=$?; }
# warnings and errors, "id:interface" sorted
bad() { jq -r '[.findings[] | select(.severity != "info") | .id + ":" + .interface] | sort | join(" ")' "$LAB_DIR/$1.json"; }
port_field() { jget "$LAB_DIR/$1.json" ".findings[] | select(.id == \"bridge.port-not-forwarding\" and .interface == \"$2\") | .$3"; }
port_state() { jget "$LAB_DIR/$1.json" ".bridges[0].ports[] | select(.name == \"$2\") | .port_state"; }

# a bridge with STP and a 4 s forward delay, no ports yet: no carrier, and
# why, as a fact (an idle libvirt or incus bridge is waiting, not broken)
ip -n "$ns" link add br0 type bridge stp_state 1 forward_delay 400
ip -n "$ns" link set br0 up
host_json empty
assert_eq "$rc" 0 "exit, bridge without ports"
assert_eq "$(bad empty)" "" "warnings and errors, bridge without ports"
assert_eq "$(jget "$LAB_DIR/empty.json" '.findings[] | select(.id == "link.no-carrier") | .severity + " " + .fields.reason')" \
	"info it has no ports" "reason, bridge without ports"
rule_silent "$LAB_DIR/empty.json" bridge-no-carrier

# a new veth port, its peer up: STP takes it through listening and learning
ip -n "$ns" link add g0 type veth peer name g0p
ip -n "$ns" link set g0p up
ip -n "$ns" link set g0 master br0 up
host_json new
assert_eq "$rc" 0 "exit, new port under STP"
assert_eq "$(bad new)" "" "warnings and errors, new port under STP"
state=$(port_field new g0 fields.state)
case $state in listening|learning) ;; *) fail "new port state: '$state'" ;; esac
assert_eq "$(port_state new g0)" "$state" "inventory port state"
assert_eq "$(port_field new g0 severity)" info "severity, new port"
assert_eq "$(port_field new g0 fields.forward_delay)" 4 "forward delay in the finding"
in=$(port_field new g0 fields.forward_in)
jq -en --argjson s "$in" '$s > 0 and $s <= 8' >/dev/null || fail "forward_in $in not in (0, 8]"
assert_eq "$(jget "$LAB_DIR/new.json" '.bridges[0].ports[0].forward_in')" "$in" "inventory forward_in"
# listening still has the whole learning phase ahead
[ "$state" = learning ] || jq -en --argjson s "$in" '$s > 4' >/dev/null || fail "listening, forward_in $in <= 4"
assert_eq "$(jget "$LAB_DIR/new.json" '[.findings[] | select(.id == "link.no-carrier")] | length')" 0 \
	"no link.no-carrier while the port joins"
# the bridge has no carrier meanwhile, and the port's finding says so
assert_eq "$(jget "$LAB_DIR/new.json" '.bridges[0].link.carrier')" false "bridge carrier while joining"
case $(port_field new g0 summary) in *"the bridge has no carrier until then") ;;
*) fail "summary: $(port_field new g0 summary)" ;; esac
# the rules: the joining port, not tap-down
assert_eq "$(diagnoses "$LAB_DIR/new.json")" "snooping-no-querier,stp-port-joining" "diagnoses, new port"
rule_fires "$LAB_DIR/new.json" stp-port-joining port=g0 br=br0 "state=$state"
note "new port: $state, forwards in $in s"

# once it forwards: no finding about it, the bridge has carrier
wait_for 12 inns sh -c 'test "$(cat /sys/class/net/br0/brif/g0/state)" = 3' || fail "g0 never forwarded"
host_json fwd
assert_eq "$rc" 0 "exit, port forwarding"
assert_eq "$(port_state fwd g0)" forwarding "port state after the forward delay"
assert_no_finding "$LAB_DIR/fwd.json" bridge.port-not-forwarding
assert_no_finding "$LAB_DIR/fwd.json" link.no-carrier
assert_eq "$(jget "$LAB_DIR/fwd.json" '.bridges[0].link.carrier')" true "bridge carrier once a port forwards"

# a veth port whose peer is down: a real missing carrier, on it alone
ip -n "$ns" link add g1 type veth peer name g1p
ip -n "$ns" link set g1 master br0 up
host_json peerdown
assert_eq "$rc" 1 "exit, peer down"
assert_eq "$(bad peerdown)" "link.no-carrier:g1" "findings, peer down"
assert_eq "$(jget "$LAB_DIR/peerdown.json" '.findings[] | select(.id == "link.no-carrier") | .fields.state + "/" + .fields.kind + "/" + .fields.reason')" \
	"up, no carrier/veth/the other end of its veth pair is down" "no-carrier fields"
assert_no_finding "$LAB_DIR/peerdown.json" bridge.port-not-forwarding
rule_fires "$LAB_DIR/peerdown.json" tap-down dev=g1 "state=up, no carrier"

# the forwarding port taken down too: now the bridge lacks carrier, and says why
ip -n "$ns" link set g0 down
host_json alldown
assert_eq "$(bad alldown)" "link.no-carrier:br0 link.no-carrier:g0 link.no-carrier:g1" "findings, no port up"
assert_eq "$(jget "$LAB_DIR/alldown.json" '.findings[] | select(.id == "link.no-carrier" and .interface == "br0") | .fields.reason')" \
	"none of its 2 ports forwards (g0 down, g1 no carrier)" "bridge reason"
echo "stp-states: ok"
