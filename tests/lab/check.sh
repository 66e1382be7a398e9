# netdiag check live: a host namespace with bridge br0; a guest namespace
# behind port tapg; dnsmasq (DHCP, DNS) in a server namespace behind the
# uplink port upl.  Healthy: lease and answers, nothing wrong, the kernel's
# "not ready" marks give partial-offload (never partial), and the pcapng
# written gives analyze the same verdicts.  Then nft drops bridged frames:
# the DISCOVERs are seen on tapg and never on upl.
. "$(dirname "$0")/lib.sh"
command -v dnsmasq >/dev/null || skip "dnsmasq not installed"
h=$(lab_ns host)
g=$(lab_ns guest)
s=$(lab_ns srv)
ip -n "$h" link add br0 type bridge stp_state 0 mcast_snooping 0
ip -n "$h" link add tapg type veth peer name eth0 netns "$g"
ip -n "$h" link add upl type veth peer name eth0 netns "$s"
for l in br0 tapg upl; do ip -n "$h" link set "$l" up; done
ip -n "$h" link set tapg master br0
ip -n "$h" link set upl master br0
ip -n "$g" link set eth0 up
ip -n "$s" link set eth0 up
ip -n "$s" addr add 192.0.2.1/24 dev eth0
ip netns exec "$s" dnsmasq --conf-file=/dev/null --keep-in-foreground --no-resolv --no-hosts \
	--interface=eth0 --bind-interfaces --user=root --no-ping \
	--dhcp-range=192.0.2.50,192.0.2.60,255.255.255.0,1h \
	--address=/probe.example/192.0.2.99 --address=/probe.example/2001:db8::99 \
	--dhcp-leasefile="$LAB_DIR/leases" --pid-file="$LAB_DIR/dnsmasq.pid" \
	--log-facility="$LAB_DIR/dnsmasq.log" &
LAB_PIDS="$LAB_PIDS $!"
wait_for 5 test -s "$LAB_DIR/dnsmasq.pid" || fail "dnsmasq did not start"
cat >"$LAB_DIR/udhcpc.sh" <<SCRIPT
#!/bin/sh
[ "\$1" = bound ] && ip addr add "\$ip/24" dev "\$interface"
exit 0
SCRIPT
chmod +x "$LAB_DIR/udhcpc.sh"

# run_check NAME SECS: netdiag check in the host namespace, in the background
run_check() {
	ip netns exec "$h" "$NETDIAG" check --bridge br0 --tap tapg --uplink upl --duration "$2" \
		-j --write "$LAB_DIR/$1.pcapng" >"$LAB_DIR/$1.json" 2>"$LAB_DIR/$1.err" &
	check_pid=$!
	lab_capturing "$LAB_DIR/$1.err"
}
finish_check() {
	rc=0; wait "$check_pid" || rc=$?
}

# 1. healthy
run_check ok 4
ip netns exec "$g" busybox udhcpc -i eth0 -n -q -t 3 -T 1 -s "$LAB_DIR/udhcpc.sh" >/dev/null 2>&1 ||
	fail "guest got no lease"
ip netns exec "$g" busybox nslookup probe.example 192.0.2.1 >/dev/null 2>&1 || fail "no answer"
finish_check
[ "$rc" = 0 ] || fail "healthy: exit $rc: $(jq -c '[.findings[] | select(.severity != "info") | .id]' "$LAB_DIR/ok.json" 2>/dev/null) $(cat "$LAB_DIR/ok.err")"
jf="$LAB_DIR/ok.json"
assert_eq "$(jget "$jf" '.findings[] | select(.id == "dhcp4.lease" and .interface == "tapg") | .fields.server')" \
	192.0.2.1 "lease seen on the tap"
assert_eq "$(jget "$jf" '[.capture_points[] | select(.dhcp4_client > 0) | .interface] | join(",")')" \
	"tapg,br0,upl" "DHCP client messages at every point"
assert_no_finding "$jf" path.lost-in-host
assert_no_finding "$jf" csum.partial
# veth keeps CHECKSUM_PARTIAL: the kernel marks those frames not ready
assert_finding "$jf" csum.partial-offload
nok=$(jget "$jf" '[.packets.points[].checksums.udp["partial-offload"]] | add')
[ "$nok" -gt 0 ] || fail "no partial-offload verdicts live"
# the pcapng written keeps the marks: analyze gives the same verdicts
sum='[.points[].checksums.udp] | reduce .[] as $p ({}; reduce ($p | keys[]) as $k (.; .[$k] += $p[$k]))'
live=$(jq -cS ".packets | $sum" "$jf")
file=$("$NETDIAG" analyze -j "$LAB_DIR/ok.pcapng" | jq -cS "$sum")
assert_eq "$file" "$live" "verdicts: live vs --write file"

# 1a. --until-verdict: ends as soon as the exchange and the lookup are answered
ip -n "$g" -4 addr flush dev eth0
t0=$(date +%s.%N)
ip netns exec "$h" "$NETDIAG" check --bridge br0 --tap tapg --uplink upl --until-verdict -j \
	>"$LAB_DIR/uv.json" 2>"$LAB_DIR/uv.err" &
check_pid=$!
lab_capturing "$LAB_DIR/uv.err"
ip netns exec "$g" busybox udhcpc -i eth0 -n -q -t 3 -T 1 -s "$LAB_DIR/udhcpc.sh" >/dev/null 2>&1 ||
	fail "guest got no lease (until-verdict)"
ip netns exec "$g" busybox nslookup probe.example 192.0.2.1 >/dev/null 2>&1 || fail "no answer (until-verdict)"
finish_check
secs=$(echo "$(date +%s.%N) - $t0" | bc -l)
[ "$rc" = 0 ] || fail "until-verdict exit $rc: $(jq -c "[.findings[] | select(.severity != \"info\") | .summary]" "$LAB_DIR/uv.json")"
[ "$(echo "$secs < 10" | bc -l)" = 1 ] || fail "--until-verdict ran $secs s"
assert_eq "$(jget "$LAB_DIR/uv.json" '.findings[] | select(.id == "dhcp4.lease" and .interface == "tapg") | .fields.server')" \
	192.0.2.1 "lease seen before the verdict"

# 1b. --active: a probe port gets a lease and an answer, quickly, and
# leaves no veth, namespace or lease behind
links_before=$(ip -n "$h" -o link | wc -l)
t0=$(date +%s.%N)
ip netns exec "$h" "$NETDIAG" check --bridge br0 --active --resolve probe.example -j >"$LAB_DIR/act.json" ||
	fail "active: exit $?: $(jq -c '[.findings[].id]' "$LAB_DIR/act.json")"
secs=$(echo "$(date +%s.%N) - $t0" | bc -l)
jf="$LAB_DIR/act.json"
case "$(jget "$jf" '.findings[] | select(.id == "active.lease") | .fields.address')" in
	192.0.2.5[0-9]|192.0.2.60) ;; *) fail "active lease: $(jq -c '.findings' "$jf")" ;; esac
assert_eq "$(jget "$jf" '.findings[] | select(.id == "active.dns-answer") | .fields.rcode + " " + .fields.resolver')" \
	"NOERROR 192.0.2.1" "active DNS answer"
[ "$(echo "$secs < 2" | bc -l)" = 1 ] || fail "--active took $secs s (target under 2)"
note "active probe: lease and answer in $secs s"
assert_eq "$(ip -n "$h" -o link | wc -l)" "$links_before" "links after --active"
pmac=$(jget "$jf" '.findings[] | select(.id == "active.lease") | .fields.mac')
echo "$pmac" | grep -Eq '^([0-9a-f]{2}:){5}[0-9a-f]{2}$' || fail "probe MAC: '$pmac'"
# the server saw the probe: its log has the ACK to and the RELEASE from its MAC
grep -q "DHCPACK.* $pmac" "$LAB_DIR/dnsmasq.log" || fail "dnsmasq never leased to $pmac"
wait_for 5 grep -q "DHCPRELEASE.* $pmac" "$LAB_DIR/dnsmasq.log" || fail "dnsmasq saw no RELEASE from $pmac"
wait_for 5 sh -c "! grep -q ' $pmac ' '$LAB_DIR/leases'" ||
	fail "probe lease not released: $(cat "$LAB_DIR/leases")"

# 2. bridged frames dropped by the firewall: lost between tapg and upl
ip netns exec "$h" nft add table bridge ndlab
ip netns exec "$h" nft add chain bridge ndlab guests '{ type filter hook forward priority 0; policy drop; }'
ip -n "$g" -4 addr flush dev eth0
run_check drop 4
ip netns exec "$g" busybox udhcpc -i eth0 -n -q -t 3 -T 1 -s "$LAB_DIR/udhcpc.sh" >/dev/null 2>&1 &&
	fail "lease through a dropping bridge"
finish_check
assert_eq "$rc" 1 "exit status, dropping bridge"
jf="$LAB_DIR/drop.json"
assert_finding "$jf" dhcp4.no-offer
assert_finding "$jf" brnf.forward-drop
assert_eq "$(jget "$jf" '.findings[] | select(.id == "path.lost-in-host" and .fields.messages == "DHCPv4 client messages") | .fields.seen_on + ">" + .fields.missing_on')" \
	"tapg>upl" "where the DISCOVERs stop"
assert_eq "$(jget "$jf" '.capture_points[] | select(.interface == "tapg") | .dhcp4_client')" 3 "DISCOVERs on the tap"

# 3. bad input
rc=0; ip netns exec "$h" "$NETDIAG" check --tap nosuch0 --duration 1 2>"$LAB_DIR/err" >/dev/null || rc=$?
assert_eq "$rc" 2 "exit, missing tap"
assert_eq "$(wc -l <"$LAB_DIR/err")" 1 "one error line"
echo "check: ok"
