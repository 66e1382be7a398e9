# netdiag check --active is a patient client: on a libvirt-like network
# (STP on with the kernel's 2 s minimum forward delay, dnsmasq pinging an
# address before it first offers it) the probe still gets its lease, says
# why it was slow, and reports nothing wrong; against a prompt server on a
# bridge without STP it is fast; with no server it gives up within its
# budget; --timeout is honoured and checked.
. "$(dirname "$0")/lib.sh"
command -v dnsmasq >/dev/null || skip "dnsmasq not installed"
command -v tcpdump >/dev/null || skip "tcpdump not installed"
h=$(lab_ns host)
s=$(lab_ns srv)
# libvirt's <bridge stp='on' delay='0'/>: the kernel raises the delay to 2 s
ip -n "$h" link add br0 type bridge stp_state 1 forward_delay 200
ip -n "$h" link add srvp type veth peer name eth0 netns "$s"
ip -n "$h" link set srvp master br0 up
ip -n "$h" link set br0 up
ip -n "$s" link set eth0 up
ip -n "$s" addr add 192.0.2.1/24 dev eth0

port_state() { ip -n "$h" -d -j link show "$1" | jq -r '.[0].linkinfo.info_slave_data.state'; }
forwarding() { [ "$(port_state "$1")" = forwarding ]; }
wait_for 10 forwarding srvp || fail "srvp never forwarding: $(port_state srvp)"

# dnsmasq as libvirt starts it (its generated conf, lease file and DNS kept
# inside the lab: no-resolv, one local name)
cat >"$LAB_DIR/default.conf" <<CONF
strict-order
except-interface=lo
bind-dynamic
interface=eth0
dhcp-range=192.0.2.2,192.0.2.254,255.255.255.0
dhcp-no-override
dhcp-authoritative
dhcp-lease-max=253
no-resolv
no-hosts
address=/probe.example/192.0.2.99
user=root
log-dhcp
dhcp-leasefile=$LAB_DIR/default.leases
pid-file=$LAB_DIR/default.pid
log-facility=$LAB_DIR/default.log
CONF
start_dnsmasq() {
	rm -f "$LAB_DIR/default.pid"
	ip netns exec "$s" dnsmasq --conf-file="$LAB_DIR/default.conf" --keep-in-foreground "$@" &
	LAB_PIDS="$LAB_PIDS $!"
	wait_for 5 test -s "$LAB_DIR/default.pid" || fail "dnsmasq did not start"
}
stop_dnsmasq() {
	sd_pid=$(cat "$LAB_DIR/default.pid")
	kill "$sd_pid"
	wait_for 5 sh -c "! kill -0 $sd_pid" || fail "dnsmasq did not stop"
}
# probe NAME ARGS...: netdiag check --active, JSON in NAME.json, exit in rc,
# wall-clock seconds in secs
probe() {
	pr_name=$1; shift
	t0=$(date +%s.%N)
	rc=0
	ip netns exec "$h" "$NETDIAG" check --bridge br0 --active --resolve probe.example -j "$@" \
		>"$LAB_DIR/$pr_name.json" 2>"$LAB_DIR/$pr_name.err" || rc=$?
	secs=$(echo "$(date +%s.%N) - $t0" | bc -l)
	jf="$LAB_DIR/$pr_name.json"
}
field() { jget "$jf" ".findings[] | select(.id == \"$1\") | .fields.$2"; }
# is A B: the shell test of A OP B with bc (is "$x >= 2")
is() { [ "$(echo "$1" | bc -l)" = 1 ] || fail "$2: expected $1"; }
not_ok() { jq -c '[.findings[] | select(.severity != "info") | .id + ": " + .summary]' "$jf"; }

# (a) libvirt-like: STP holds the probe port 4 s (listening 2, learning 2),
# then dnsmasq pings the address about 3 s before it offers it
start_dnsmasq
# capturing before the probe starts, each packet written as it comes
ip netns exec "$h" tcpdump -U --immediate-mode -i srvp -n -w "$LAB_DIR/srvp.pcap" icmp \
	2>"$LAB_DIR/tcpdump.err" &
tcpdump_pid=$!
LAB_PIDS="$LAB_PIDS $tcpdump_pid"
wait_for 5 grep -q "listening on" "$LAB_DIR/tcpdump.err" || fail "tcpdump: $(cat "$LAB_DIR/tcpdump.err")"
probe libvirt
[ "$rc" = 0 ] || fail "libvirt-like: exit $rc: $(not_ok) $(cat "$LAB_DIR/libvirt.err")"
assert_eq "$(jq '[.findings[] | select(.severity != "info")] | length' "$jf")" 0 "warnings and errors, libvirt-like"
addr=$(field active.lease address)
case "$addr" in 192.0.2.*) ;; *) fail "libvirt-like lease: $(jq -c '.findings' "$jf")" ;; esac
assert_eq "$(field active.dns-answer rcode)" NOERROR "DNS answer, libvirt-like"
assert_eq "$(jget "$jf" '.findings[] | select(.id == "active.lease") | .fields.offer_seconds | type')" number "offer_seconds is a number"
offer=$(field active.lease offer_seconds)
wait_stp=$(field active.lease port_wait_seconds)
server=$(field active.lease server_seconds)
is "$offer >= 2" "offer_seconds $offer"
assert_eq "$(field active.lease slow_reason)" "stp-forward-delay,server-address-check" "slow_reason"
assert_eq "$(field active.lease port_held)" "listening,learning" "port states while waiting"
# 2 s listening + 2 s learning, looked at every 50 ms
is "$wait_stp >= 3.8 && $wait_stp <= 4.5" "port_wait_seconds $wait_stp"
# dnsmasq's PING_WAIT is 3 s, timed on its whole-second clock
is "$server >= 2.5 && $server <= 4.2" "server_seconds $server"
is "$(field active.lease discovers) >= 5" "discovers $(field active.lease discovers)"
is "$secs < 10" "libvirt-like run took $secs s"
# dnsmasq did check the address: ICMP echo requests to it on the server's port
sleep 0.3
kill "$tcpdump_pid"
wait "$tcpdump_pid" 2>/dev/null || true
pings=$(tcpdump -r "$LAB_DIR/srvp.pcap" -n "icmp[icmptype] == icmp-echo and dst host $addr" 2>/dev/null | wc -l)
is "$pings >= 1" "echo requests to $addr seen on srvp: $pings"
note "libvirt-like: offer in $offer s (port held $wait_stp s, server $server s, $pings pings), run $secs s"
stop_dnsmasq

# (b) prompt: --no-ping, STP off
ip -n "$h" link set br0 type bridge stp_state 0
wait_for 5 forwarding srvp || fail "srvp not forwarding with STP off"
start_dnsmasq --no-ping
probe prompt
[ "$rc" = 0 ] || fail "prompt: exit $rc: $(not_ok) $(cat "$LAB_DIR/prompt.err")"
lease=$(field active.lease seconds)
ms=$(field active.dns-answer ms)
is "$lease + $ms / 1000 < 1" "lease $lease s + answer $ms ms"
assert_eq "$(field active.lease discovers)" 1 "DISCOVERs, prompt server"
assert_eq "$(field active.lease slow_reason)" null "no slow_reason when prompt"
assert_eq "$(field active.dns-answer rcode)" NOERROR "DNS answer, prompt"
note "prompt: lease in $lease s, answer in $ms ms, run $secs s"
stop_dnsmasq

# (b2) OFFER but no ACK: the server's namespace drops REQUESTs (DHCP
# option 53 = 3, the first option: UDP payload byte 242)
start_dnsmasq --no-ping
ip netns exec "$s" nft add table inet ndlab
ip netns exec "$s" nft add chain inet ndlab in '{ type filter hook input priority 0; }'
ip netns exec "$s" nft add rule inet ndlab in udp dport 67 @ih,1936,8 3 counter drop
probe noack --timeout 3
assert_eq "$rc" 1 "exit status, REQUESTs dropped"
assert_eq "$(field active.no-lease seen)" "OFFER but no ACK" "what was seen, REQUESTs dropped"
assert_eq "$(field active.no-lease discovers)" 1 "DISCOVERs, REQUESTs dropped"
# REQUESTs at 0, 0.5 and 1.5 s after the prompt OFFER
assert_eq "$(field active.no-lease requests)" 3 "REQUESTs in 3 s"
dropped=$(ip netns exec "$s" nft -j list ruleset | jq '[.nftables[] | select(.rule) | .rule.expr[] | select(.counter) | .counter.packets] | add')
assert_eq "$dropped" 3 "REQUESTs dropped by the server's firewall"
ip netns exec "$s" nft delete table inet ndlab
stop_dnsmasq

# (b3) the resolver never answers (DNS off, still offered): the query is
# repeated within the budget and the lookup is the error
start_dnsmasq --no-ping --port=0 --dhcp-option=6,192.0.2.1
probe nodns --timeout 3
assert_eq "$rc" 1 "exit status, no DNS"
assert_eq "$(field active.lease slow_reason)" null "no slow_reason, no DNS"
assert_eq "$(jget "$jf" '.findings[] | select(.id == "active.dns-no-answer") | .severity')" error "dns-no-answer severity"
assert_eq "$(field active.dns-no-answer queries)" 3 "queries in 3 s"
is "$secs >= 3 && $secs < 5" "no-DNS run took $secs s"
stop_dnsmasq

# (c) no DHCP server: no-lease after the whole budget, and no longer
probe noserver
assert_eq "$rc" 1 "exit status, no server"
assert_eq "$(jget "$jf" '.findings[] | select(.id == "active.no-lease") | .severity')" error "no-lease severity"
assert_eq "$(field active.no-lease seen)" "no OFFER" "what was seen"
# DISCOVERs at 0, 0.5, 1.5, 3.5 and 7.5 s
assert_eq "$(field active.no-lease discovers)" 5 "DISCOVERs in 10 s"
is "$secs >= 10 && $secs < 12" "no-server run took $secs s"
note "no server: gave up after $secs s"

# (d) --timeout: honoured, and checked
probe short --timeout 3
assert_eq "$rc" 1 "exit status, --timeout 3"
assert_eq "$(field active.no-lease discovers)" 3 "DISCOVERs in 3 s"
assert_eq "$(field active.no-lease timeout)" 3 "timeout reported"
is "$secs >= 3 && $secs < 5" "--timeout 3 run took $secs s"
note "--timeout 3: gave up after $secs s"
for bad in -1 x 0 nan; do
	probe bad --timeout "$bad"
	assert_eq "$rc" 2 "exit status, --timeout $bad"
	assert_eq "$(cat "$LAB_DIR/bad.err")" "netdiag: check: $bad: --timeout wants seconds, more than 0 and at most 3600" \
		"error for --timeout $bad"
done
rc=0
ip netns exec "$h" "$NETDIAG" check --bridge br0 --timeout 3 >/dev/null 2>"$LAB_DIR/err" || rc=$?
assert_eq "$rc" 2 "exit status, --timeout without --active"
assert_eq "$(wc -l <"$LAB_DIR/err")" 1 "one error line"
echo "active-patient: ok"
