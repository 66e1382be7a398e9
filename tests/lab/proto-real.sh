# Real peers: dnsmasq serves DHCP and DNS in one namespace, busybox udhcpc
# and nslookup ask from another (then DHCPv6 and RA: dnsmasq against
# dhclient -6 and rdisc6); tcpdump records the link; netdiag analyze
# must see the lease and the answer and nothing wrong, and count the same
# DHCP and DNS messages as tshark.  Then the failures: no DHCP server
# (dhcp4.no-offer) and a resolver that does not answer (dns.unanswered).
. "$(dirname "$0")/lib.sh"
command -v dnsmasq >/dev/null || skip "dnsmasq not installed"
srv=$(lab_ns srv)
cli=$(lab_ns cli)
ip link add "${LAB_ID}s" netns "$srv" type veth peer name "${LAB_ID}c" netns "$cli"
ip -n "$srv" link set "${LAB_ID}s" up
ip -n "$cli" link set "${LAB_ID}c" up
ip -n "$srv" addr add 192.0.2.1/24 dev "${LAB_ID}s"
# complete checksums on the wire: a pcap cannot carry the kernel's
# "not ready" mark, and this scenario is about the protocols
ip netns exec "$srv" ethtool -K "${LAB_ID}s" tx off >/dev/null
ip netns exec "$cli" ethtool -K "${LAB_ID}c" tx off >/dev/null

start_dnsmasq() {
	ip netns exec "$srv" dnsmasq --conf-file=/dev/null --keep-in-foreground --no-resolv \
		--no-hosts --interface="${LAB_ID}s" --bind-interfaces --user=root ${DNSMASQ_EXTRA:-} \
		--dhcp-range=192.0.2.50,192.0.2.60,255.255.255.0,1h \
		--address=/probe.example/192.0.2.99 --address=/probe.example/2001:db8::99 --dhcp-leasefile="$LAB_DIR/leases" \
		--pid-file="$LAB_DIR/dnsmasq.pid" --log-facility="$LAB_DIR/dnsmasq.log" &
	LAB_PIDS="$LAB_PIDS $!"
	wait_for 5 test -s "$LAB_DIR/dnsmasq.pid" || fail "dnsmasq did not start"
}

# capture into $1 (filter $2) until stop_capture
start_capture() {
	ip netns exec "$cli" tcpdump -q -U --immediate-mode -i "${LAB_ID}c" -w "$1" \
		"${2:-udp port 53 or udp port 67 or udp port 68}" \
		2>"$LAB_DIR/tcpdump.err" &
	cap_pid=$!
	LAB_PIDS="$LAB_PIDS $cap_pid"
	wait_for 5 grep -q listening "$LAB_DIR/tcpdump.err" || fail "tcpdump did not start"
}
stop_capture() {
	sleep 0.3
	kill "$cap_pid"
	wait "$cap_pid" 2>/dev/null || true
}

cat >"$LAB_DIR/udhcpc.sh" <<SCRIPT
#!/bin/sh
[ "\$1" = bound ] && ip addr add "\$ip/24" dev "\$interface"
exit 0
SCRIPT
chmod +x "$LAB_DIR/udhcpc.sh"

# 1. healthy (--no-ping: dnsmasq's address check would delay the OFFER
# past udhcpc's 1 s retries; that case is dhcp4.slow-offer)
DNSMASQ_EXTRA=--no-ping start_dnsmasq
start_capture "$LAB_DIR/ok.pcap"
ip netns exec "$cli" busybox udhcpc -i "${LAB_ID}c" -n -q -t 3 -T 1 -s "$LAB_DIR/udhcpc.sh" \
	>"$LAB_DIR/udhcpc.log" 2>&1 || fail "udhcpc got no lease: $(cat "$LAB_DIR/udhcpc.log")"
ip netns exec "$cli" busybox nslookup probe.example 192.0.2.1 >"$LAB_DIR/nslookup.log" 2>&1 ||
	fail "nslookup failed: $(cat "$LAB_DIR/nslookup.log")"
stop_capture
"$NETDIAG" analyze -j "$LAB_DIR/ok.pcap" >"$LAB_DIR/ok.json" || fail "healthy: exit $?"
assert_eq "$(jget "$LAB_DIR/ok.json" '[.findings[] | select(.severity != "info")] | length')" 0 \
	"warnings on the healthy exchange: $(jq -c '[.findings[].id]' "$LAB_DIR/ok.json")"
lease=$(jget "$LAB_DIR/ok.json" '.findings[] | select(.id == "dhcp4.lease") | .fields.address')
case "$lease" in 192.0.2.5[0-9]|192.0.2.60) ;; *) fail "lease: got '$lease'" ;; esac
assert_eq "$(jget "$LAB_DIR/ok.json" '.findings[] | select(.id == "dns.latency") | .fields.answered')" \
	"$(jget "$LAB_DIR/ok.json" '.trackers.dns.messages / 2 | floor')" "answered DNS queries"
# cross-check with tshark: the same DHCP and DNS message counts
ts_dhcp=$(tshark -r "$LAB_DIR/ok.pcap" -Y dhcp -T fields -e frame.number 2>/dev/null | wc -l)
ts_dns=$(tshark -r "$LAB_DIR/ok.pcap" -Y dns -T fields -e frame.number 2>/dev/null | wc -l)
assert_eq "$(jget "$LAB_DIR/ok.json" '.trackers.dhcp4.messages')" "$ts_dhcp" "DHCP messages vs tshark"
assert_eq "$(jget "$LAB_DIR/ok.json" '.trackers.dns.messages')" "$ts_dns" "DNS messages vs tshark"
[ "$ts_dhcp" -ge 4 ] || fail "expected a full DHCP exchange, tshark saw $ts_dhcp messages"
cp "$LAB_DIR/ok.pcap" "${KEEP_FIXTURES:-$LAB_DIR}/real-dnsmasq-udhcpc.pcap" 2>/dev/null || true

# 2. a resolver that does not answer: 198.51.100.53 is routed via the
# server's namespace, which does not forward and so drops the queries
ip -n "$cli" route add 198.51.100.0/24 via 192.0.2.1
start_capture "$LAB_DIR/dns-dead.pcap"
# until the resolver has been asked again (nslookup retries after ~2.5 s):
# queries all within the capture's last second would be pending, not
# unanswered, and a loaded machine can delay the retry past a fixed wait
ip netns exec "$cli" busybox timeout 12 busybox nslookup probe.example 198.51.100.53 >/dev/null 2>&1 &
ns_pid=$!
asked_again() { [ "$(tcpdump -nr "$LAB_DIR/dns-dead.pcap" 2>/dev/null | wc -l)" -ge 3 ]; }
wait_for 12 asked_again || fail "nslookup did not ask the dead resolver again"
kill "$ns_pid" 2>/dev/null || true
wait "$ns_pid" 2>/dev/null || true
stop_capture
rc=0; "$NETDIAG" analyze -j "$LAB_DIR/dns-dead.pcap" >"$LAB_DIR/dead.json" || rc=$?
assert_eq "$rc" 1 "exit status, dead resolver"
assert_finding "$LAB_DIR/dead.json" dns.unanswered
assert_eq "$(jget "$LAB_DIR/dead.json" '.findings[] | select(.id == "dns.unanswered") | .fields.server')" \
	198.51.100.53 "server"
assert_eq "$(jget "$LAB_DIR/dead.json" '.findings[] | select(.id == "dns.unanswered") | .fields.answered')" \
	0 "answered"

# 3. no DHCP server
kill "$(cat "$LAB_DIR/dnsmasq.pid")"
ip -n "$cli" -4 addr flush dev "${LAB_ID}c"
start_capture "$LAB_DIR/no-server.pcap"
ip netns exec "$cli" busybox udhcpc -i "${LAB_ID}c" -n -q -t 3 -T 1 -s "$LAB_DIR/udhcpc.sh" \
	>/dev/null 2>&1 && fail "udhcpc got a lease with no server"
stop_capture
rc=0; "$NETDIAG" analyze -j "$LAB_DIR/no-server.pcap" >"$LAB_DIR/nosrv.json" || rc=$?
assert_eq "$rc" 1 "exit status, no server"
assert_finding "$LAB_DIR/nosrv.json" dhcp4.no-offer
assert_eq "$(jget "$LAB_DIR/nosrv.json" '.findings[] | select(.id == "dhcp4.no-offer") | .fields.discovers')" \
	3 "DISCOVERs (udhcpc -t 3)"
# 4. DHCPv6 and router advertisements: dnsmasq with --enable-ra, the ISC
# client (dhclient -6) and rdisc6 soliciting
for side in "$srv:${LAB_ID}s" "$cli:${LAB_ID}c"; do
	ip netns exec "${side%%:*}" sysctl -qw "net.ipv6.conf.${side##*:}.accept_dad=0"
done
ip -n "$srv" addr add 2001:db8::1/64 dev "${LAB_ID}s"
rm -f "$LAB_DIR/dnsmasq.pid"
DNSMASQ_EXTRA="--dhcp-range=2001:db8::100,2001:db8::1ff,64,1h --enable-ra --no-ping" start_dnsmasq
start_capture "$LAB_DIR/v6.pcap" 'icmp6 or udp port 546 or udp port 547'
ip netns exec "$cli" rdisc6 -1 "${LAB_ID}c" >/dev/null 2>&1 || fail "no router advertisement"
ip netns exec "$cli" timeout 10 dhclient -6 -1 -sf /bin/true -lf "$LAB_DIR/d6.leases" \
	-pf "$LAB_DIR/dhclient6.pid" "${LAB_ID}c" >/dev/null 2>&1 || fail "dhclient -6 got no lease"
stop_capture
"$NETDIAG" analyze -j "$LAB_DIR/v6.pcap" >"$LAB_DIR/v6.json" || fail "DHCPv6/RA: exit $?"
assert_eq "$(jget "$LAB_DIR/v6.json" '[.findings[] | select(.severity != "info")] | length')" 0 \
	"warnings on DHCPv6/RA: $(jq -c '[.findings[].id]' "$LAB_DIR/v6.json")"
assert_eq "$(jget "$LAB_DIR/v6.json" '.findings[] | select(.id == "nd.router") | .fields.prefixes')" \
	2001:db8::/64 "advertised prefix"
ts_d6=$(tshark -r "$LAB_DIR/v6.pcap" -Y dhcpv6 -T fields -e frame.number 2>/dev/null | wc -l)
ts_ra=$(tshark -r "$LAB_DIR/v6.pcap" -Y 'icmpv6.type == 134' -T fields -e frame.number 2>/dev/null | wc -l)
assert_eq "$(jget "$LAB_DIR/v6.json" '.trackers.dhcp6.messages')" "$ts_d6" "DHCPv6 messages vs tshark"
assert_eq "$(jget "$LAB_DIR/v6.json" '.trackers.nd.router_advertisements')" "$ts_ra" "RAs vs tshark"
[ "$ts_d6" -ge 4 ] || fail "expected SOLICIT/ADVERTISE/REQUEST/REPLY, tshark saw $ts_d6"
echo "proto-real: ok"
