# The rules on live protocol faults built with real servers on a bridge:
# br0 in a host namespace, router r1 (dnsmasq: DHCPv4, DHCPv6, RA) on
# port r1p, a second namespace r2 on port r2p, a guest on port gp asking
# with busybox udhcpc, dhclient -6 and rdisc6 while netdiag check looks.
#  healthy         no rule fires
#  rogue RA        a second dnsmasq advertising itself: rogue-router-adverts
#  DHCPv6 timers   ISC dhcpd -6 configured with T1 above T2 and a preferred
#                  lifetime above the valid one: dhcpv6-bad-timers
#  partial offers  DHCPv4 from a server behind a datapath that leaves the
#                  checksum to offload (tests/lab/tools/vnetfwd): busybox
#                  udhcpc drops the offers, dhcp-offer-partial-checksum and
#                  csum-partial-to-guest fire; offload guide turns TX
#                  checksum offload off on tapd, which cures both
. "$(dirname "$0")/lib.sh"
command -v dnsmasq >/dev/null || skip "dnsmasq not installed"
command -v dhcpd >/dev/null || fail "dhcpd missing (make deps)"
h=$(lab_ns host)
g=$(lab_ns guest)
r1=$(lab_ns r1)
r2=$(lab_ns r2)
ip -n "$h" link add br0 type bridge stp_state 0 mcast_snooping 0
for pair in "gp:$g" "r1p:$r1" "r2p:$r2"; do
	ip -n "$h" link add "${pair%%:*}" type veth peer name eth0 netns "${pair##*:}"
	ip -n "$h" link set "${pair%%:*}" master br0 up
	ip netns exec "${pair##*:}" sysctl -qw net.ipv6.conf.eth0.accept_dad=0
	ip -n "${pair##*:}" link set eth0 up
done
ip -n "$h" link set br0 up
ip -n "$r1" addr add 192.0.2.1/24 dev eth0
ip -n "$r1" addr add 2001:db8::1/64 dev eth0
ip -n "$r2" addr add 2001:db8:1::1/64 dev eth0
lab_udhcpc_script

stop_pid() { kill "$(cat "$LAB_DIR/$1.pid")" 2>/dev/null || true; rm -f "$LAB_DIR/$1.pid"; sleep 0.3; }
V4="--dhcp-range=192.0.2.50,192.0.2.60,255.255.255.0,1h"
V6="--dhcp-range=2001:db8::100,2001:db8::1ff,64,1h --enable-ra"

# scenario NAME: netdiag check on br0 while the guest asks for v4 and v6
# addresses and solicits routers; the JSON in NAME.json
scenario() {
	ip -n "$g" -4 addr flush dev eth0
	rm -f "$LAB_DIR/d6.leases"; touch "$LAB_DIR/d6.leases"
	ip netns exec "$h" "$NETDIAG" check --bridge br0 --tap gp --duration "${DUR:-6}" -j \
		>"$LAB_DIR/$1.json" 2>"$LAB_DIR/$1.err" &
	cpid=$!
	lab_capturing "$LAB_DIR/$1.err"
	ip netns exec "$g" busybox udhcpc -i eth0 -n -q -t 3 -T 1 -s "$LAB_DIR/udhcpc.sh" \
		>/dev/null 2>&1 || true
	ip netns exec "$g" rdisc6 -1 -w 500 eth0 >/dev/null 2>&1 || true
	ip netns exec "$g" timeout 3 dhclient -6 -1 -sf /bin/true -lf "$LAB_DIR/d6.leases" \
		-pf "$LAB_DIR/dhclient6.pid" eth0 >/dev/null 2>&1 || true
	wait "$cpid" || true
	[ -s "$LAB_DIR/$1.json" ] || fail "$1: check wrote nothing: $(cat "$LAB_DIR/$1.err")"
}

# healthy: one router for everything
lab_dnsmasq "$r1" r1 --port=0 $V4 $V6
scenario healthy
assert_eq "$(jget "$LAB_DIR/healthy.json" '[.findings[] | select(.id == "dhcp4.lease")] | length > 0')" \
	true "a DHCPv4 lease when healthy"
assert_eq "$(diagnoses "$LAB_DIR/healthy.json")" "" "diagnoses when healthy"

# rogue RA: r2 advertises itself as a default router too
lab_dnsmasq "$r2" r2 --port=0 --enable-ra --dhcp-range=2001:db8:1::,ra-only
scenario rogue
rule_fires "$LAB_DIR/rogue.json" rogue-router-adverts
# on the guest's port always; on br0 too when a periodic RA fell in the look
case $(jq -r '[.diagnoses[] | select(.rule == "rogue-router-adverts") | .bindings.dev] | unique | join(",")' \
	"$LAB_DIR/rogue.json.doctor") in gp|br0,gp) ;; *) fail "rogue RA on: $(cat "$LAB_DIR/rogue.json.doctor")" ;; esac
assert_eq "$(jq -r '[.diagnoses[] | select(.rule == "rogue-router-adverts") | .bindings.routers | split(",") | length] | unique | join(",")' "$LAB_DIR/rogue.json.doctor")" \
	2 "routers named"
stop_pid r2

# DHCPv6 timers against RFC 8415: ISC dhcpd, DHCPv6 only, r1 keeps v4 and RA
stop_pid r1
lab_dnsmasq "$r1" r1 --port=0 $V4 --enable-ra --dhcp-range=2001:db8::,ra-only
cat >"$LAB_DIR/dhcpd6.conf" <<CONF
default-lease-time 3600;
preferred-lifetime 7200;
option dhcp-renewal-time 5000;
option dhcp-rebinding-time 4000;
subnet6 2001:db8::/64 { range6 2001:db8::100 2001:db8::1ff; }
CONF
: >"$LAB_DIR/dhcpd6.leases"
ip netns exec "$r1" dhcpd -6 -f -cf "$LAB_DIR/dhcpd6.conf" -lf "$LAB_DIR/dhcpd6.leases" \
	-pf "$LAB_DIR/dhcpd6.pid" eth0 >"$LAB_DIR/dhcpd6.log" 2>&1 &
LAB_PIDS="$LAB_PIDS $!"
wait_for 5 grep -q "^Sending on" "$LAB_DIR/dhcpd6.log" || fail "dhcpd -6: $(cat "$LAB_DIR/dhcpd6.log")"
scenario timers
rule_fires "$LAB_DIR/timers.json" dhcpv6-bad-timers \
	"problem=T1 above T2,preferred lifetime above valid lifetime"
assert_eq "$(diagnoses "$LAB_DIR/timers.json")" dhcpv6-bad-timers "diagnoses with bad timers"
stop_pid dhcpd6
stop_pid r1

# partial offers: DHCPv4 from tapd behind vnetfwd, TX checksum offload on
ip -n "$h" link add fwd0 type veth peer name fwdb
ip -n "$h" link set fwdb master br0 up
ip -n "$h" link set fwd0 up
lab_vnetfwd "$h" tapd fwd0
ip -n "$h" addr add 192.0.2.1/24 dev tapd
ip -n "$h" link set tapd up
ip netns exec "$h" dnsmasq --conf-file=/dev/null --keep-in-foreground --no-resolv --no-hosts \
	--interface=tapd --bind-interfaces --user=root --no-ping --port=0 $V4 \
	--dhcp-leasefile="$LAB_DIR/d.leases" --pid-file="$LAB_DIR/d.pid" &
LAB_PIDS="$LAB_PIDS $!"
wait_for 5 test -s "$LAB_DIR/d.pid" || fail "dnsmasq on tapd did not start"
gmac=$(ip -n "$g" link show eth0 | awk '/link\/ether/ {print $2}')
scenario partial
assert_eq "$(jget "$LAB_DIR/partial.json" '[.findings[] | select(.id == "dhcp4.lease")] | length')" 0 \
	"a lease through partial checksums"
# the bridge point is promiscuous: it sees the unicast offers and the
# client asking again too, one fact with the tap's figures
rule_fires "$LAB_DIR/partial.json" dhcp-offer-partial-checksum "client=$gmac" tap=gp
assert_eq "$(jget "$LAB_DIR/partial.json" '.findings[] | select(.id == "dhcp4.offer-ignored") | .fields.seen_on')" \
	gp,br0 "the ignored offers, seen on the tap and the bridge"
rule_fires "$LAB_DIR/partial.json" csum-partial-to-guest tap=gp src=192.0.2.1
# the offload guide finds tapd, and the guest gets its lease
rc=0
ip netns exec "$g" sh -c "while :; do busybox udhcpc -i eth0 -n -q -t 2 -T 1 -s /bin/true >/dev/null 2>&1; sleep 0.2; done" &
LAB_PIDS="$LAB_PIDS $!"
ip netns exec "$h" "$NETDIAG" offload guide --tap gp --bridge br0 --duration 3 --yes -j \
	>"$LAB_DIR/guide.json" 2>"$LAB_DIR/guide.err" || rc=$?
assert_eq "$rc" 0 "offload guide exit status ($(cat "$LAB_DIR/guide.err"))"
assert_eq "$(jget "$LAB_DIR/guide.json" '[.steps[] | select(.outcome == "kept") | .target + " " + .change] | unique | join(",")')" \
	"tapd tx off" "kept by the guide"
assert_eq "$(jget "$LAB_DIR/guide.json" '[.steps[] | select(.rule == "dhcp-offer-partial-checksum") | .outcome] | unique | join(",")')" \
	gone "the DHCP diagnosis after the change kept for csum-partial-to-guest"
ip netns exec "$g" busybox udhcpc -i eth0 -n -q -t 3 -T 1 -s /bin/true >/dev/null 2>&1 ||
	fail "no lease after the guide's change"
ip netns exec "$h" "$NETDIAG" undo >/dev/null || fail "undo"
assert_eq "$(ip netns exec "$h" "$NETDIAG" offload show tapd -j | jq -r '.devices[0].features["tx-checksum-ip-generic"].active')" \
	true "tapd's TX checksum offload after undo"
echo "rules-proto: ok"
