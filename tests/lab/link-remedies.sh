# The link remedies through the journal (issue 13): a port's MTU, a
# bridge's forward delay and STP state changed over netlink by
# nd_link_set_mtu / nd_bridge_set (through tests/lab/tools/linkset.c),
# seen by `ip link`, and put back by `netdiag undo`.
. "$(dirname "$0")/lib.sh"
ns=$(lab_ns links)
inns() { ip netns exec "$ns" "$@"; }
export NETDIAG_RUN_DIR="$LAB_DIR/run"
lab_cc "$LAB_DIR/linkset" linkset.c || fail "cannot build linkset"
linkset() { inns "$LAB_DIR/linkset" "$@"; }
mtu() { inns ip -j link show "$1" | jq -r '.[0].mtu'; }
brattr() { inns cat "/sys/class/net/br0/bridge/$1"; }
records() { jq -Rr 'select(startswith("change")) | split(" ")[2:7] | join(" ")' "$NETDIAG_RUN_DIR/journal"; }

ip -n "$ns" link add br0 type bridge stp_state 1 forward_delay 1500
ip -n "$ns" link add g0 type veth peer name g0p
ip -n "$ns" link set g0 master br0
# (the bridge follows its smallest port unless its own MTU is set after)
ip -n "$ns" link set g0 mtu 1400
ip -n "$ns" link set br0 mtu 1500
for l in br0 g0 g0p; do ip -n "$ns" link set "$l" up; done
assert_eq "$(mtu g0)/$(mtu br0)" 1400/1500 "MTUs before"

# the port's MTU set to the bridge's, and back
assert_eq "$(linkset mtu g0 1500)" changed "mtu change"
assert_eq "$(mtu g0)" 1500 "ip link: g0 mtu after"
assert_eq "$(records)" "mtu g0 - 1400 1500" "journal after the mtu change"
assert_eq "$(linkset mtu g0 1500)" unchanged "mtu again"
assert_eq "$(records | wc -l)" 1 "no record for a value already there"
inns "$NETDIAG" undo >"$LAB_DIR/undo1.out" || fail "undo: $(cat "$LAB_DIR/undo1.out")"
assert_eq "$(cat "$LAB_DIR/undo1.out")" "restored mtu g0 back to 1400" "undo output, mtu"
assert_eq "$(mtu g0)" 1400 "ip link: g0 mtu after undo"
# a guest tap too (no process holds it: its MTU changes all the same)
ip -n "$ns" tuntap add tap0 mode tap
ip -n "$ns" link set tap0 mtu 1400
ip -n "$ns" link set tap0 master br0 up
assert_eq "$(mtu tap0)/$(mtu br0)" 1400/1500 "tap MTU before"
assert_eq "$(linkset mtu tap0 1500)" changed "tap mtu change"
assert_eq "$(mtu tap0)" 1500 "ip link: tap0 mtu after"
inns "$NETDIAG" undo >"$LAB_DIR/undo1.out" || fail "undo: $(cat "$LAB_DIR/undo1.out")"
assert_eq "$(mtu tap0)" 1400 "ip link: tap0 mtu after undo"

# the forward delay: 15 s -> 2 s -> 15 s (clock ticks, as ip link counts them)
assert_eq "$(brattr forward_delay)" 1500 "forward_delay before"
assert_eq "$(linkset bridge br0 forward_delay 200)" changed "forward_delay change"
assert_eq "$(inns ip -j -d link show br0 | jq -r '.[0].linkinfo.info_data.forward_delay')" 200 \
	"ip link: forward_delay after"
# STP on refuses what 802.1D does not allow (2..30 s): an error, nothing changed
rc=0; linkset bridge br0 forward_delay 100 2>"$LAB_DIR/err" >/dev/null || rc=$?
assert_eq "$rc" 2 "exit, forward_delay out of range"
assert_eq "$(cat "$LAB_DIR/err")" "linkset: br0: forward_delay: Numerical result out of range" \
	"out of range message"
assert_eq "$(brattr forward_delay)" 200 "forward_delay after the refusal"
# the refused change is closed in the journal (issue 15): no open record
# for a later undo to trip on, so the next undo is the 200 change's
assert_eq "$(grep -c '^fail ' "$NETDIAG_RUN_DIR/journal")" 1 "the refused change's record closed"
inns "$NETDIAG" undo --dry-run >"$LAB_DIR/undo2.out" || fail "undo: $(cat "$LAB_DIR/undo2.out")"
assert_eq "$(cat "$LAB_DIR/undo2.out")" "would restore bridge br0 forward_delay back to 1500" \
	"open records after the refusal"
inns "$NETDIAG" undo >"$LAB_DIR/undo3.out" || fail "undo: $(cat "$LAB_DIR/undo3.out")"
assert_eq "$(cat "$LAB_DIR/undo3.out")" "restored bridge br0 forward_delay back to 1500" "undo output, forward_delay"
assert_eq "$(inns ip -j -d link show br0 | jq -r '.[0].linkinfo.info_data.forward_delay')" 1500 \
	"ip link: forward_delay after undo"

# STP: on -> off -> on
assert_eq "$(linkset bridge br0 stp_state 0)" changed "stp_state change"
assert_eq "$(inns ip -j -d link show br0 | jq -r '.[0].linkinfo.info_data.stp_state')" 0 "ip link: stp_state after"
assert_eq "$(records | tail -1)" "bridge br0 stp_state 1 0" "journal record, stp_state"
inns "$NETDIAG" undo >"$LAB_DIR/undo4.out" || fail "undo: $(cat "$LAB_DIR/undo4.out")"
assert_eq "$(cat "$LAB_DIR/undo4.out")" "restored bridge br0 stp_state back to 1" "undo output, stp_state"
assert_eq "$(inns ip -j -d link show br0 | jq -r '.[0].linkinfo.info_data.stp_state')" 1 "ip link: stp_state after undo"

# bad input: one line, exit 2, nothing journaled
n=$(records | wc -l)
rc=0; linkset bridge br0 hello_time 100 2>"$LAB_DIR/err" >/dev/null || rc=$?
assert_eq "$rc:$(cat "$LAB_DIR/err")" "2:linkset: br0: hello_time: Invalid argument" "unknown key"
rc=0; linkset bridge g0 stp_state 0 2>"$LAB_DIR/err" >/dev/null || rc=$?
assert_eq "$rc:$(cat "$LAB_DIR/err")" "2:linkset: g0: not a bridge: Invalid argument" "not a bridge"
rc=0; linkset mtu nosuch0 1500 2>"$LAB_DIR/err" >/dev/null || rc=$?
assert_eq "$rc:$(cat "$LAB_DIR/err")" "2:linkset: nosuch0: No such device" "missing device"
assert_eq "$(records | wc -l)" "$n" "records after bad input"
[ ! -e /run/netdiag/journal ] || ! grep -q " br0 " /run/netdiag/journal || fail "touched /run/netdiag"
echo "link-remedies: ok"
