# Capture points are promiscuous (issue 14).  A bridge device's packet
# socket sees frames forwarded between two ports only while the bridge is
# promiscuous, so a point that is not saw almost none of a UDP blast between
# two guests, and on a Proxmox-style bridge (DHCP server behind the uplink,
# OFFERs unicast to the guest's MAC) never the OFFER: a false
# dhcp4.no-offer on the bridge while the guest got its lease.
#   vmbr0 in a host namespace; ports tap100i0 (guest a), tap101i0 (guest b),
#   eno1 (dnsmasq in srv, the "LAN").
# 1. a blast of 20,000 datagrams a -> b: the bridge point counts exactly
#    what a non-promiscuous tcpdump beside it counts, and every datagram;
#    the port points see each once, in its direction.
# 2. the bridge's promiscuity comes back to its previous value after an
#    ordinary end, SIGINT, SIGKILL, and with promisc set by the admin.
# 3. Proxmox DHCP: unicast OFFERs and ACKs seen on the bridge, exit 0.
# 4. --until-verdict waits for the named tap's guest, not another one's.
. "$(dirname "$0")/lib.sh"
command -v dnsmasq >/dev/null || skip "dnsmasq not installed"
command -v tcpdump >/dev/null || skip "tcpdump not installed"
h=$(lab_ns host)
a=$(lab_ns a)
b=$(lab_ns b)
s=$(lab_ns srv)
# no IPv6 chatter (DAD, MLD, RS): every frame on the wire is the test's
for n in "$h" "$a" "$b" "$s"; do
	ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
lab_bridge "$h" vmbr0 "tap100i0:$a" "tap101i0:$b" "eno1:$s"
ip -n "$a" addr add 192.0.2.11/24 dev eth0
ip -n "$b" addr add 192.0.2.12/24 dev eth0
ip -n "$s" addr add 192.0.2.1/24 dev eth0

promiscuity() { ip -n "$h" -d link show vmbr0 | sed -n 's/.*promiscuity \([0-9]*\).*/\1/p'; }
promisc_is() { [ "$(promiscuity)" = "$1" ]; }
assert_eq "$(promiscuity)" 0 "promiscuity before any capture"

# 1. the blast.  Neighbours resolved first (the ping also teaches the bridge
# both MACs): datagrams queued behind an ARP lookup may be dropped.
macof() { ip -n "$1" -j link show eth0 | jq -r '.[0].address'; }
ip -n "$a" neigh replace 192.0.2.12 lladdr "$(macof "$b")" dev eth0 nud permanent
ip -n "$b" neigh replace 192.0.2.11 lladdr "$(macof "$a")" dev eth0 nud permanent
ip netns exec "$a" busybox ping -c 1 -W 2 192.0.2.12 >/dev/null || fail "a cannot reach b"
SENT=20000
cc -O2 -Wall -Werror -o "$LAB_DIR/udpblast" "$LAB_ROOT/tests/lab/tools/udpblast.c" || fail "cannot build udpblast"
# tcpdump -p: its socket must not make the bridge promiscuous, or netdiag's
# count would be right with or without its own membership
ip netns exec "$h" tcpdump -p -n -i vmbr0 -B 8192 -w "$LAB_DIR/blast.pcap" 'udp or icmp6' \
	2>"$LAB_DIR/tcpdump.err" &
td_pid=$!
LAB_PIDS="$LAB_PIDS $td_pid"
wait_for 5 grep -q "listening on" "$LAB_DIR/tcpdump.err" || fail "tcpdump: $(cat "$LAB_DIR/tcpdump.err")"
ip netns exec "$h" "$NETDIAG" check --bridge vmbr0 --tap tap100i0 --uplink tap101i0 --duration 8 -j \
	>"$LAB_DIR/blast.json" 2>"$LAB_DIR/blast.err" &
nd_pid=$!
# netdiag's rings are open once the bridge is promiscuous (tcpdump -p is not)
wait_for 10 promisc_is 1 || fail "the bridge point did not make vmbr0 promiscuous: promiscuity $(promiscuity)"
lab_capturing "$LAB_DIR/blast.err"
sent=$(ip netns exec "$a" timeout 30 "$LAB_DIR/udpblast" 192.0.2.12 9 "$SENT" || true)
assert_eq "$sent" "$SENT" "datagrams sent"
rc=0; wait "$nd_pid" || rc=$?
kill -INT "$td_pid"; wait "$td_pid" || true
assert_eq "$rc" 0 "blast: exit status ($(cat "$LAB_DIR/blast.err"))"
td_frames=$(sed -n 's/^\([0-9]*\) packets\{0,1\} captured.*/\1/p' "$LAB_DIR/tcpdump.err")
td_drops=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel.*/\1/p' "$LAB_DIR/tcpdump.err")
jf="$LAB_DIR/blast.json"
point() { jget "$jf" ".capture_points[] | select(.interface == \"$1\") | .$2"; }
nd_frames=$(point vmbr0 frames)
nd_drops=$(point vmbr0 kernel_drops)
note "blast of $sent: bridge point $nd_frames frames ($nd_drops dropped), tcpdump $td_frames ($td_drops dropped)"
if [ "$nd_drops" = 0 ] && [ "$td_drops" = 0 ]; then
	assert_eq "$nd_frames" "$td_frames" "bridge point frames vs tcpdump -i vmbr0"
	assert_eq "$nd_frames" "$SENT" "bridge point frames vs datagrams sent"
else
	note "kernel drops: netdiag $nd_drops, tcpdump $td_drops; comparing frames + drops"
	assert_eq "$((nd_frames + nd_drops))" "$((td_frames + td_drops))" "bridge point frames+drops vs tcpdump"
fi
# the port points: each datagram once, received on a's port, sent out of b's
for p in tap100i0 tap101i0; do
	assert_eq "$(point "$p" kernel_drops)" 0 "$p kernel drops"
	assert_eq "$(point "$p" frames)" "$SENT" "$p frames"
done
dirs() { jget "$jf" "[.packets.points[] | select(.interface == \"$1\") | \"\(.direction)=\(.frames)\"] | join(\",\")"; }
assert_eq "$(dirs tap100i0)" "in=$SENT" "directions on a's port"
assert_eq "$(dirs tap101i0)" "out=$SENT" "directions on b's port"
assert_eq "$(dirs vmbr0)" "in=$SENT" "directions on the bridge"
assert_eq "$(promiscuity)" 0 "promiscuity after netdiag ended"

# 2. promiscuity after SIGINT and SIGKILL mid-capture, and an admin's own
# promisc setting left as it was
ip netns exec "$h" "$NETDIAG" check --bridge vmbr0 --tap tap100i0 --duration 30 -j \
	>"$LAB_DIR/int.json" 2>"$LAB_DIR/int.err" &
nd_pid=$!
wait_for 10 promisc_is 1 || fail "SIGINT run: promiscuity $(promiscuity)"
kill -INT "$nd_pid"
rc=0; wait "$nd_pid" || rc=$?
assert_eq "$rc" 0 "exit status after SIGINT ($(cat "$LAB_DIR/int.err"))"
jq -e '.capture_points | length == 2' "$LAB_DIR/int.json" >/dev/null || fail "no report after SIGINT"
[ "$(jget "$LAB_DIR/int.json" '.seconds < 10')" = true ] || fail "SIGINT did not end the capture early"
assert_eq "$(promiscuity)" 0 "promiscuity after SIGINT"
ip netns exec "$h" "$NETDIAG" check --bridge vmbr0 --duration 30 -j >/dev/null 2>&1 &
nd_pid=$!
wait_for 10 promisc_is 1 || fail "SIGKILL run: promiscuity $(promiscuity)"
kill -KILL "$nd_pid"; wait "$nd_pid" 2>/dev/null || true
assert_eq "$(promiscuity)" 0 "promiscuity after SIGKILL"
ip -n "$h" link set vmbr0 promisc on
ip netns exec "$h" "$NETDIAG" check --bridge vmbr0 --duration 30 -j >/dev/null 2>&1 &
nd_pid=$!
wait_for 10 promisc_is 2 || fail "admin promisc run: promiscuity $(promiscuity)"
kill -INT "$nd_pid"; wait "$nd_pid" || true
assert_eq "$(promiscuity)" 1 "the admin's promisc after netdiag"
ip -n "$h" link show vmbr0 | grep -q PROMISC || fail "the admin's PROMISC flag is gone"
ip -n "$h" link set vmbr0 promisc off
assert_eq "$(promiscuity)" 0 "promiscuity after promisc off"

# 3. Proxmox-style: dnsmasq behind the uplink answers with unicast (no
# --dhcp-broadcast; busybox udhcpc does not set the broadcast flag).  The
# guest (a, its address gone) takes a lease twice, as a rebooted guest
# does: two DISCOVERs at the bridge, so a bridge point blind to the
# unicast OFFERs says dhcp4.no-offer.
ip -n "$a" addr flush dev eth0
ip -n "$a" neigh flush dev eth0
lab_dnsmasq "$s" dhcp --dhcp-range=192.0.2.50,192.0.2.60,255.255.255.0,1h
lab_udhcpc_script
ip netns exec "$h" tcpdump -p -n -i eno1 -w "$LAB_DIR/dhcp.pcap" 'udp port 67 or udp port 68' \
	2>"$LAB_DIR/tcpdump-dhcp.err" &
td_pid=$!
LAB_PIDS="$LAB_PIDS $td_pid"
wait_for 5 grep -q "listening on" "$LAB_DIR/tcpdump-dhcp.err" || fail "tcpdump: $(cat "$LAB_DIR/tcpdump-dhcp.err")"
ip netns exec "$h" "$NETDIAG" check --bridge vmbr0 --duration 5 -j >"$LAB_DIR/dhcp.json" 2>"$LAB_DIR/dhcp.err" &
nd_pid=$!
wait_for 10 promisc_is 1 || fail "DHCP run: promiscuity $(promiscuity)"
lab_capturing "$LAB_DIR/dhcp.err"
for try in 1 2; do
	ip -n "$a" -4 addr flush dev eth0
	ip netns exec "$a" busybox udhcpc -i eth0 -n -q -t 3 -T 1 -s "$LAB_DIR/udhcpc.sh" >/dev/null 2>&1 ||
		fail "guest got no lease (try $try)"
done
lease=$(ip -n "$a" -4 -j addr show dev eth0 | jq -r '.[0].addr_info[0].local')
rc=0; wait "$nd_pid" || rc=$?
kill -INT "$td_pid"; wait "$td_pid" || true
jf="$LAB_DIR/dhcp.json"
# the OFFERs and ACKs really were unicast: to the guest's MAC and address
amac=$(macof "$a")
replies=$(tcpdump -r "$LAB_DIR/dhcp.pcap" -n -e 'udp src port 67' 2>/dev/null |
	sed -n 's/^[^ ]* [^ ]* > \([^,]*\),.* > \([0-9.]*\)\.68: .*/\1 \2/p' | sort | uniq -c | awk '{ print $1 "x " $2 " " $3 }')
assert_eq "$replies" "4x $amac $lease" "server replies on the uplink (count x MAC address)"
[ "$rc" = 0 ] || fail "Proxmox DHCP: exit $rc: $(jq -c '[.findings[] | select(.severity != "info") | .id + " " + .interface]' "$jf") $(cat "$LAB_DIR/dhcp.err")"
assert_no_finding "$jf" dhcp4.no-offer
assert_eq "$(jget "$jf" '.capture_points[] | select(.interface == "vmbr0") | "\(.dhcp4_client) \(.dhcp4_server)"')" \
	"4 4" "DHCP client/server messages at the bridge point"
assert_eq "$(jget "$jf" '.findings[] | select(.id == "dhcp4.lease" and .interface == "vmbr0") | .fields.address')" \
	"$lease" "lease seen at the bridge point"

# 4. --until-verdict judges on the named tap: guest a's exchange, seen whole
# on the promiscuous bridge, must not end a check of guest b's tap
ip -n "$a" -4 addr flush dev eth0
ip -n "$b" -4 addr flush dev eth0
ip netns exec "$h" "$NETDIAG" check --bridge vmbr0 --tap tap101i0 --until-verdict --duration 20 -j \
	>"$LAB_DIR/uv.json" 2>"$LAB_DIR/uv.err" &
nd_pid=$!
wait_for 10 promisc_is 1 || fail "until-verdict run: promiscuity $(promiscuity)"
lab_capturing "$LAB_DIR/uv.err"
ip netns exec "$a" busybox udhcpc -i eth0 -n -q -t 3 -T 1 -s "$LAB_DIR/udhcpc.sh" >/dev/null 2>&1 ||
	fail "guest a got no lease"
# the check's poll loop looks every 250 ms: a second is four chances to stop
sleep 1
kill -0 "$nd_pid" 2>/dev/null || fail "--until-verdict ended on another guest's exchange: $(cat "$LAB_DIR/uv.json")"
t0=$(date +%s.%N)
ip netns exec "$b" busybox udhcpc -i eth0 -n -q -t 3 -T 1 -s "$LAB_DIR/udhcpc.sh" >/dev/null 2>&1 ||
	fail "guest b got no lease"
rc=0; wait "$nd_pid" || rc=$?
secs=$(echo "$(date +%s.%N) - $t0" | bc -l)
[ "$rc" = 0 ] || fail "until-verdict: exit $rc: $(jq -c '[.findings[] | select(.severity != "info") | .id + " " + .interface]' "$LAB_DIR/uv.json") $(cat "$LAB_DIR/uv.err")"
# after the lease it waits up to 3 s for the guest's first DNS query (b
# asks none), then drains the rings
[ "$(echo "$secs < 4.5" | bc -l)" = 1 ] || fail "--until-verdict ran on $secs s after b's lease"
assert_eq "$(jget "$LAB_DIR/uv.json" '.findings[] | select(.id == "dhcp4.lease" and .interface == "tap101i0") | .fields.client')" \
	"$(macof "$b")" "the lease seen on b's tap"
echo "bridge-promisc: ok"
