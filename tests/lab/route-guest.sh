# Routed /32 guest: namespaces guest, host, upstream.  The guest holds
# 203.0.113.10/32 behind a veth into the host; the host's uplink is in
# 198.51.100.0/24 and the guest's gateway, 198.51.100.2, lies outside the
# guest's /32.  Before 'route guest add' the guest cannot reach upstream;
# after add (host) and apply (guest) it can; after del and undo it cannot,
# and every route and sysctl is back to what it was.
. "$(dirname "$0")/lib.sh"
gst=$(lab_ns guest)
hst=$(lab_ns host)
ups=$(lab_ns up)
ip link add tg netns "$hst" type veth peer name eth0 netns "$gst"
ip link add uph netns "$hst" type veth peer name eth0 netns "$ups"
ip -n "$hst" link set tg up
ip -n "$hst" link set uph up
ip -n "$gst" link set eth0 up
ip -n "$ups" link set eth0 up
ip -n "$hst" addr add 198.51.100.2/24 dev uph
ip -n "$ups" addr add 198.51.100.1/24 dev eth0
# the provider routes the failover address to the host
ip -n "$ups" route add 203.0.113.10/32 via 198.51.100.2
ip netns exec "$hst" sysctl -qw net.ipv4.ip_forward=0
ip netns exec "$hst" sysctl -qw net.ipv4.conf.all.rp_filter=1
H="ip netns exec $hst env NETDIAG_RUN_DIR=$LAB_DIR/host-run $NETDIAG"
G="ip netns exec $gst env NETDIAG_RUN_DIR=$LAB_DIR/guest-run $NETDIAG"
reach() { ip netns exec "$gst" busybox ping -c 1 -W 1 198.51.100.1 >/dev/null 2>&1; }
state() {
	ip -n "$hst" -4 route show table main
	for k in ip_forward conf/all/rp_filter conf/tg/rp_filter conf/tg/proxy_arp conf/all/proxy_arp; do
		printf '%s=%s\n' "$k" "$(ip netns exec "$hst" cat /proc/sys/net/ipv4/$k)"
	done
	ip -n "$hst" neigh show proxy
}
state >"$LAB_DIR/before.host"

# the guest side, config applied: still no way out
$G route guest apply --ip 203.0.113.10/32 --gateway 198.51.100.2 --if eth0 >/dev/null || fail "apply"
assert_eq "$(ip -n "$gst" -4 route show default | tr -s " " | sed "s/ $//")" "default via 198.51.100.2 dev eth0 proto static onlink" "guest default route"
reach && fail "the guest reached upstream before the host was set up"
$H route guest check web1 >/dev/null 2>&1 && fail "check of an unknown guest succeeded"

# host side
$H route guest add web1 --ip 203.0.113.10 --dev tg --gateway 198.51.100.2 --mac 02:00:00:00:00:0a \
	>"$LAB_DIR/add.out" || fail "add: $(cat "$LAB_DIR/add.out")"
wait_for 5 reach || fail "the guest cannot reach upstream after add and apply"
assert_eq "$($H route guest add web1 --ip 203.0.113.10 --dev tg)" \
	"guest web1: already set up, nothing changed" "second add"
$H route guest check web1 -j >"$LAB_DIR/check.json" || fail "check after add: $(cat "$LAB_DIR/check.json")"
assert_eq "$(jget "$LAB_DIR/check.json" '.findings | length')" 0 "findings after add"
assert_eq "$(diagnoses "$LAB_DIR/check.json")" "" "diagnoses after add"
assert_eq "$($H route guest list -j | jq -r '.guests[0].name + " " + (.guests[0].route | tostring)')" \
	"web1 true" "list"

# each piece removed by hand is reported
ip -n "$hst" route del 203.0.113.10/32 dev tg
ip netns exec "$hst" sysctl -qw net.ipv4.conf.tg.proxy_arp=0 net.ipv4.ip_forward=0 net.ipv4.conf.tg.rp_filter=1
rc=0; $H route guest check web1 -j >"$LAB_DIR/check.json" || rc=$?
assert_eq "$rc" 1 "check exit with pieces missing"
assert_eq "$(jq -r '[.findings[].id] | sort | join(" ")' "$LAB_DIR/check.json")" \
	"route.forwarding-off route.missing-host-route route.no-proxy-arp route.rpfilter-strict" "missing pieces"
f=$LAB_DIR/check.json
rule_fires "$f" routed-guest-incomplete guest=web1 ip=203.0.113.10 tap=tg
rule_fires "$f" routed-guest-no-proxy-arp guest=web1 tap=tg
rule_fires "$f" routed-guest-forwarding-off guest=web1 ip=203.0.113.10 tap=tg
rule_fires "$f" routed-guest-rp-filter guest=web1 tap=tg
# doctor --yes puts the sysctl pieces back (each verified by the guest's
# check) and leaves the route, a manual remedy: problems remain
rc=0; $H doctor --tap tg --duration 1 --yes -j >"$LAB_DIR/doctor.json" 2>"$LAB_DIR/doctor.err" || rc=$?
assert_eq "$rc" 1 "doctor exit with the route still missing ($(cat "$LAB_DIR/doctor.err"))"
assert_eq "$(jget "$LAB_DIR/doctor.json" '[.steps[] | select(.outcome == "kept") | .target + "=" + .change] | sort | join(" ")')" \
	"net/ipv4/conf/tg/proxy_arp=1 net/ipv4/conf/tg/rp_filter=2 net/ipv4/ip_forward=1" "kept sysctls"
assert_eq "$(jget "$LAB_DIR/doctor.json" '[.steps[] | select(.outcome == "manual") | .rule] | join(" ")')" \
	routed-guest-incomplete "manual remedies"
assert_eq "$($H undo --last 3 --dry-run | sort | tr '\n' ';')" \
"would restore sysctl net/ipv4/conf/tg/proxy_arp back to 0;would restore sysctl net/ipv4/conf/tg/rp_filter back to 1;would restore sysctl net/ipv4/ip_forward back to 0;" \
	"the doctor's changes in the journal"
rc=0; $H route guest check web1 -j >"$LAB_DIR/check.json" || rc=$?
assert_eq "$(jq -r '[.findings[].id] | join(" ")' "$LAB_DIR/check.json")" route.missing-host-route \
	"pieces missing after doctor"
$H route guest add web1 --ip 203.0.113.10 --dev tg >/dev/null || fail "re-add"
wait_for 5 reach || fail "not reachable after re-add"

# del, then undo everything: unreachable, host state as before
$H route guest del web1 >/dev/null || fail "del"
$H undo >"$LAB_DIR/undo.out" || fail "undo: $(cat "$LAB_DIR/undo.out")"
reach && fail "the guest still reaches upstream after del and undo"
state >"$LAB_DIR/after.host"
diff -u "$LAB_DIR/before.host" "$LAB_DIR/after.host" || fail "host state differs after undo"
$G undo >/dev/null || fail "guest undo"
assert_eq "$(ip -n "$gst" -4 addr show dev eth0 | grep -c inet)" 0 "guest address removed by undo"

# the linux-ip configuration as printed, pasted into the guest: works too
$H route guest add web1 --ip 203.0.113.10 --dev tg >/dev/null || fail "add for config test"
"$NETDIAG" route guest config web1 --os linux-ip --ip 203.0.113.10 --gateway 198.51.100.2 --if eth0 \
	>"$LAB_DIR/linux-ip.sh"
ip netns exec "$gst" sh -e "$LAB_DIR/linux-ip.sh" || fail "the linux-ip configuration did not apply"
wait_for 5 reach || fail "not reachable with the linux-ip configuration"
$H undo >/dev/null
reach && fail "reachable after undo of the config test"
ip -n "$gst" -4 addr flush dev eth0

# the systemd-networkd configuration as printed, run by a real networkd in
# the guest namespace.  networkd configures only links udev has
# initialised, so the guest gets its own udevd; /run is a private tmpfs in
# a mount namespace, so nothing of theirs reaches the machine's /run.
if [ -x /lib/systemd/systemd-networkd ] && [ -x /lib/systemd/systemd-udevd ]; then
	$H route guest add web1 --ip 203.0.113.10 --dev tg >/dev/null || fail "add for networkd test"
	mkdir -p "$LAB_DIR/networkd"
	"$NETDIAG" route guest config web1 --os systemd-networkd --ip 203.0.113.10 \
		--gateway 198.51.100.2 --if eth0 >"$LAB_DIR/networkd/10-eth0.network"
	lab_networkd_script "$LAB_DIR/networkd/10-eth0.network"
	ip netns exec "$gst" unshare -m sh "$LAB_DIR/networkd.sh" 8 >"$LAB_DIR/networkd.log" 2>&1 &
	nwd=$!
	wait_for 8 reach || fail "not reachable with the systemd-networkd configuration: $(tail -5 "$LAB_DIR/networkd.log")"
	wait "$nwd" 2>/dev/null || true
	ip netns pids "$gst" | xargs -r kill 2>/dev/null || true
	$H undo >/dev/null
	ip -n "$gst" -4 addr flush dev eth0
	ip -n "$gst" -4 route flush dev eth0 2>/dev/null || true
else
	note "systemd-networkd or systemd-udevd missing: networkd configuration not exercised"
fi

# IPv6 prefix and the guest's MAC
ip netns exec "$hst" sysctl -qw net.ipv6.conf.all.forwarding=0
$H route guest add web6 --ip 203.0.113.10 --dev tg --ip6 2001:db8:10::/64 --mac 02:00:00:00:00:99 \
	>/dev/null || fail "add with --ip6"
assert_eq "$(ip -n "$hst" -6 route show 2001:db8:10::/64 | cut -d' ' -f1-3)" "2001:db8:10::/64 dev tg" "IPv6 route"
assert_eq "$(ip netns exec "$hst" cat /proc/sys/net/ipv6/conf/all/forwarding)" 1 "IPv6 forwarding"
gmac=$(ip -n "$gst" link show eth0 | awk '/link\/ether/ {print $2}')
ip -n "$hst" neigh replace 203.0.113.10 lladdr "$gmac" dev tg nud reachable
$H route guest check web6 -j >"$LAB_DIR/c6.json" || true
assert_eq "$(jq -r '[.findings[].id] | join(" ")' "$LAB_DIR/c6.json")" "route.guest-mac-mismatch" "MAC check"
$H route guest del web6 >/dev/null
$H undo >/dev/null
assert_eq "$(ip -n "$hst" -6 route show 2001:db8:10::/64)" "" "IPv6 route removed by undo"
assert_eq "$(ip netns exec "$hst" cat /proc/sys/net/ipv6/conf/all/forwarding)" 0 "IPv6 forwarding restored"
ip -n "$hst" neigh del 203.0.113.10 dev tg

# del, then undo of the del alone: the guest comes back whole (its route
# and its saved set-up, kept aside out of list's sight in between)
guests() { $H route guest list -j | jq -r '[.guests[] | "\(.name) \(.ip) \(.dev) \(.route)"] | join(";")'; }
$H route guest add web3 --ip 203.0.113.10 --dev tg >/dev/null || fail "add web3"
$H route guest del web3 >/dev/null || fail "del web3"
assert_eq "$(guests)" "" "list after del"
assert_eq "$(ls -A "$LAB_DIR/host-run/guests" | sed 's/[0-9]*$/N/' | tr '\n' ' ')" ".web3.N " "guests/ after del"
assert_eq "$(ip -n "$hst" -4 route show 203.0.113.10/32)" "" "route after del"
$H undo --last 2 >"$LAB_DIR/undo3.out" 2>&1 || fail "undo of del: $(cat "$LAB_DIR/undo3.out")"
assert_eq "$(cut -d' ' -f1-3 "$LAB_DIR/undo3.out" | tr '\n' ';')" \
	"restored route 203.0.113.10/32;restored guest web3;" "undo of del says"
assert_eq "$(guests)" "web3 203.0.113.10 tg true" "list after undo of del"
assert_eq "$(ls -A "$LAB_DIR/host-run/guests" | tr '\n' ' ')" "web3 " "guests/ after undo of del"
$H route guest check web3 >/dev/null || fail "check after undo of del"
$H undo >/dev/null || fail "undo of add web3"
assert_eq "$(guests)" "" "list after undo of add"
assert_eq "$(ls -A "$LAB_DIR/host-run/guests" | wc -l)" 0 "guests/ after undo of add"
state >"$LAB_DIR/after3.host"
diff -u "$LAB_DIR/before.host" "$LAB_DIR/after3.host" || fail "host state differs after undo of web3"

# bad input: one line, exit 2, nothing changed
state >"$LAB_DIR/b1"
for args in "add web2 --ip 203.0.113.10/24 --dev tg" "add web2 --ip 203.0.113.10 --dev nosuch0" \
	    "add web2 --ip 203.0.113.10 --dev tg --mac 02:00:00:00:00" \
	    "add web2 --ip 203.0.113.10 --dev tg --gateway 203.0.113.10" \
	    "add web2 --ip 203.0.113.10 --dev tg --ip6 2001:db8::zz"; do
	rc=0; $H route guest $args >/dev/null 2>"$LAB_DIR/err" || rc=$?
	assert_eq "$rc" 2 "exit of: $args"
	assert_eq "$(wc -l <"$LAB_DIR/err")" 1 "one line for: $args"
done
state >"$LAB_DIR/b2"
cmp -s "$LAB_DIR/b1" "$LAB_DIR/b2" || fail "bad input changed the host"
echo "route-guest: ok"
