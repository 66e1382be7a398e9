# Guest DHCP and DNS over VXLAN between two hypervisors (namespaces), with
# the tunnel's checksum offload broken.  Hypervisor h2 runs dnsmasq on its
# end of VNI 5001 ("eth0", a vxlan device) and sends the tunnel out of a
# tap whose frames a vnet_hdr-unaware forwarder (tools/vnetfwd.c) passes
# on to the underlay without finishing the checksums the kernel left to
# the device: the inner UDP checksums of dnsmasq's OFFERs and DNS answers
# stay partial (the outer UDP checksum is zero, noudpcsum, as Linux sends
# VXLAN over IPv4).  Hypervisor h1 bridges its end of the tunnel with the
# guest's port.  netdiag check on h1's underlay port finds the partial
# inner checksums and locates them by both points: the underlay port and
# the tunnel (VNI, remote end), "und1/vxlan5001@198.51.100.2"; the guest
# ignores its OFFERs and asks its DNS questions again.  The remedy: no
# checksum offload on h2's vxlan device, and the lookup succeeds.
. "$(dirname "$0")/lib.sh"
command -v dnsmasq >/dev/null || skip "dnsmasq not installed"
h1=$(lab_ns hv1)
h2=$(lab_ns hv2)
g=$(lab_ns guest)
# underlay: h2's tap -> vnetfwd -> veth fwd0 -> und1 in h1
ip -n "$h2" link add fwd0 type veth peer name und1 netns "$h1"
ip -n "$h2" link set fwd0 up
lab_vnetfwd "$h2" tapu fwd0
ip -n "$h2" addr add 198.51.100.2/24 dev tapu
ip -n "$h2" link set tapu up
ip -n "$h1" addr add 198.51.100.1/24 dev und1
ip -n "$h1" link set und1 up
# the overlay, VNI 5001, the standard port
ip -n "$h2" link add eth0 type vxlan id 5001 local 198.51.100.2 remote 198.51.100.1 \
	dstport 4789 noudpcsum dev tapu
ip -n "$h2" addr add 192.0.2.1/24 dev eth0
ip -n "$h2" link set eth0 up
ip -n "$h1" link add vx1 type vxlan id 5001 local 198.51.100.1 remote 198.51.100.2 \
	dstport 4789 noudpcsum dev und1
ip -n "$h1" link add br0 type bridge
ip -n "$h1" link add gv0 type veth peer name eth0 netns "$g"
ip -n "$h1" link set vx1 master br0
ip -n "$h1" link set gv0 master br0
ip -n "$h1" link set gv0 mtu 1450
for l in vx1 gv0 br0; do ip -n "$h1" link set "$l" up; done
ip -n "$g" link set eth0 mtu 1450 up
lab_dnsmasq "$h2" dns --dhcp-range=192.0.2.50,192.0.2.60,255.255.255.0,1h \
	--address=/probe.example/192.0.2.99 --address=/probe.example/2001:db8::99
lab_udhcpc_script

# the guest finishes its own checksums: only h2's direction is faulty
ip netns exec "$g" ethtool -K eth0 tx off >/dev/null

ip netns exec "$h1" "$NETDIAG" check --tap und1 --duration 7 -j >"$LAB_DIR/und1.json" 2>"$LAB_DIR/und1.err" &
cpid=$!
lab_capturing "$LAB_DIR/und1.err"
ip netns exec "$g" busybox udhcpc -i eth0 -n -q -t 2 -T 1 -s "$LAB_DIR/udhcpc.sh" \
	>"$LAB_DIR/udhcpc.out" 2>&1 && fail "the guest got a lease through partial checksums"
ip -n "$g" addr add 192.0.2.50/24 dev eth0
lookup() { ip netns exec "$g" busybox timeout 3 busybox nslookup probe.example 192.0.2.1 >/dev/null 2>&1; }
lookup && fail "the lookup succeeded through partial checksums"
rc=0; wait "$cpid" || rc=$?
jf="$LAB_DIR/und1.json"
assert_eq "$rc" 1 "check exit status"
tunnel="und1/vxlan5001@198.51.100.2"
# found: the answers' inner UDP checksums, one finding for the server's
# DHCP and DNS answers, located on the underlay port and in the tunnel
assert_eq "$(jget "$jf" '[.findings[] | select(.id == "csum.partial") | .interface + " " + .direction + " " + .fields.src + " " + .fields.layer] | join(";")')" \
	"$tunnel in 192.0.2.1 udp" "the partial inner checksums and where"
assert_eq "$(jget "$jf" '[.findings[] | select(.id == "csum.partial") | .fields.flows] | add >= 2')" \
	true "DHCP and DNS answers in one finding"
assert_eq "$(jget "$jf" '.findings[] | select(.id == "dhcp4.offer-ignored") | .interface + " " + .fields.reply_checksum')" \
	"$tunnel partial" "the guest ignored its OFFERs"
assert_eq "$(jget "$jf" '.findings[] | select(.id == "dns.reply-ignored") | .interface + " " + .fields.reply_checksum')" \
	"$tunnel partial" "the guest ignored its DNS answers"
# the outer UDP checksum is zero, as Linux sends VXLAN over IPv4: no finding
assert_eq "$(jget "$jf" '[.findings[] | select(.id | startswith("csum.")) | select(.interface == "und1")] | length')" \
	0 "no finding on the outer packets"

# the remedy on h2: no checksum offload on its tunnel device, so the
# kernel finishes the inner checksums before encapsulating
ip netns exec "$h2" ethtool -K eth0 tx off >/dev/null
ip netns exec "$g" busybox timeout 3 busybox nslookup probe.example 192.0.2.1 \
	>"$LAB_DIR/after.out" 2>&1 ||
	fail "the lookup still fails with the inner checksums finished on h2: $(cat "$LAB_DIR/after.out")"

# a bridge filter on h1 drops the DHCP server's replies on their way to
# the guest's port: seen in the tunnel, never on the tap, so lost in this
# host (path.lost-in-host names the tunnel's inner point it was seen on);
# the guest's DISCOVERs leave inside the tunnel, so they are not lost
ip netns exec "$h1" nft add table bridge ndlab
ip netns exec "$h1" nft add chain bridge ndlab guestfwd '{ type filter hook forward priority 0; }'
ip netns exec "$h1" nft add rule bridge ndlab guestfwd oifname gv0 udp sport 67 counter drop
ip -n "$g" -4 addr flush dev eth0
ip netns exec "$h1" "$NETDIAG" check --tap gv0 --uplink und1 --duration 6 -j >"$LAB_DIR/lost.json" \
	2>"$LAB_DIR/lost.err" &
cpid=$!
lab_capturing "$LAB_DIR/lost.err"
ip netns exec "$g" busybox udhcpc -i eth0 -n -q -t 3 -T 1 -s "$LAB_DIR/udhcpc.sh" \
	>/dev/null 2>&1 && fail "the guest got a lease through the drop rule"
rc=0; wait "$cpid" || rc=$?
jf="$LAB_DIR/lost.json"
assert_eq "$rc" 1 "check exit status, replies dropped"
assert_eq "$(jget "$jf" '[.findings[] | select(.id == "path.lost-in-host") | .interface + " " + .fields.seen_on + " " + .fields.missing_on + " " + .fields.messages] | join(";")')" \
	"gv0 $tunnel gv0 DHCPv4 server replies" "replies lost between the tunnel and the tap"
# the cause is on the host too: the bridge chain's drop explains the loss
rule_fires "$jf" bridge-filter-drop br=br0 table=ndlab chain=guestfwd in=guestfwd
rule_silent "$jf" path-lost-in-host
echo "vxlan: ok"
