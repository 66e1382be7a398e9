# brnf.forward-drop from the rules that apply (issues 13 and 14): a host
# namespace with bridge br0 in bridge-nf mode (the bridge's own
# nf_call_iptables, the sysctl off), a guest running udhcpc, dnsmasq behind
# another port.  Each firewall is built with iptables-nft as Docker or
# libvirt builds it; the guest's lease shows what the kernel really does,
# the -j report must agree.  (1) Docker: FORWARD policy drop, DOCKER-USER:
# the finding names the chain and policy; netdiag's accept rule (through
# the journal) lets the lease through; undo removes exactly that rule.
# (2) libvirt: LIBVIRT_FWX accepts br0 to br0 first: no finding.  (3) DHCP
# and DNS served by the host itself: no error.
. "$(dirname "$0")/lib.sh"
command -v dnsmasq >/dev/null || skip "dnsmasq not installed"
command -v iptables >/dev/null || skip "iptables not installed"
case $(iptables -V) in *nf_tables*) ;; *) skip "iptables is not iptables-nft" ;; esac
h=$(lab_ns host)
g=$(lab_ns guest)
s=$(lab_ns srv)
[ -e /proc/sys/net/bridge/bridge-nf-call-iptables ] || modprobe br_netfilter 2>/dev/null || true
ip netns exec "$h" sysctl -q net.bridge.bridge-nf-call-iptables >/dev/null 2>&1 ||
	skip "br_netfilter not available"
export NETDIAG_RUN_DIR="$LAB_DIR/run"

lab_bridge "$h" br0 "gp:$g" "srvp:$s"
ip -n "$s" addr add 192.0.2.1/24 dev eth0
# bridge-nf mode for br0 alone: the bridge's flag, not the namespace's sysctl
ip netns exec "$h" sysctl -qw net.bridge.bridge-nf-call-iptables=0
ip netns exec "$h" sysctl -qw net.bridge.bridge-nf-call-ip6tables=0
ip -n "$h" link set br0 type bridge nf_call_iptables 1
lab_udhcpc_script
lab_dnsmasq "$s" srv --dhcp-range=192.0.2.50,192.0.2.60,255.255.255.0,1h

ipt() { ip netns exec "$h" iptables "$@"; }
host_json() { ip netns exec "$h" "$NETDIAG" host --bridge br0 -j >"$LAB_DIR/$1.json" || true; }
# fw NAME JQ: a member of the brnf.forward-drop finding in NAME.json
fw() { jget "$LAB_DIR/$1.json" ".findings[] | select(.id == \"brnf.forward-drop\") | $2"; }
chains() { jget "$LAB_DIR/$1.json" ".bridges[0].forward_chains[] | select(.family == \"ip\") | $2"; }
# lease: 0 when the guest gets a lease in the range (3 discovers, 1 s apart)
lease() {
	ip -n "$g" -4 addr flush dev eth0
	ip netns exec "$g" busybox udhcpc -i eth0 -n -q -t 3 -T 1 -s "$LAB_DIR/udhcpc.sh" \
		>/dev/null 2>&1 || return 1
	ip -n "$g" -4 addr show dev eth0 | grep -Eq 'inet 192\.0\.2\.(5[0-9]|60)/'
}
netdiag_rules() { ip netns exec "$h" nft -a list chain ip filter "$1" | grep -c 'netdiag: accept bridge br0' || true; }

# the path works with no firewall at all
lease || fail "no lease without a firewall"

# (1) Docker's iptables-nft rules: FORWARD drop, DOCKER-USER first
ipt -P FORWARD DROP
ipt -N DOCKER-USER
ipt -A DOCKER-USER -j RETURN
ipt -N DOCKER
ipt -A FORWARD -j DOCKER-USER
ipt -A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
ipt -A FORWARD -o docker0 -j DOCKER
ipt -A FORWARD -i docker0 ! -o docker0 -j ACCEPT
ipt -A FORWARD -i docker0 -o docker0 -j ACCEPT
ipt -Z FORWARD
! lease || fail "docker: the guest got a lease through FORWARD drop"
host_json docker
assert_eq "$(fw docker '[.severity, .interface, .fields.family, .fields.table, .fields.chain, .fields.by, .fields.rule_chain, .fields.handle, .fields.rule, .fields.fix_chain, .fields.host_serves] | join("|")')" \
	"error|br0|ip|filter|FORWARD|policy|FORWARD|0|policy drop|DOCKER-USER|" "docker: brnf.forward-drop"
# udhcpc's 3 DISCOVERs are what the policy dropped
assert_eq "$(fw docker .fields.packets)" 3 "docker: packets dropped by the policy"
rule_fires "$LAB_DIR/docker.json" brnf-forward-drop br=br0 family=ip table=filter chain=FORWARD \
	fix_chain=DOCKER-USER "rule=policy drop"

# bridge-nf mode off (the bridge's flag and the sysctl): the same rules
# never see bridged frames; no finding, and the lease passes
ip -n "$h" link set br0 type bridge nf_call_iptables 0
host_json nobrnf
assert_no_finding "$LAB_DIR/nobrnf.json" brnf.forward-drop
assert_eq "$(chains nobrnf .applies)" false "nobrnf: FORWARD applies"
lease || fail "nobrnf: no lease with bridge-nf off"
ip -n "$h" link set br0 type bridge nf_call_iptables 1

# the remedy: netdiag's accept rule at the top of DOCKER-USER, journaled
[ -x "$LAB_DIR/nftaccept" ] || lab_cc "$LAB_DIR/nftaccept" nftaccept.c || fail "cannot build nftaccept"
rules_before=$(ip netns exec "$h" nft -a list chain ip filter DOCKER-USER | grep -c '# handle')
out=$(ip netns exec "$h" "$LAB_DIR/nftaccept" ip filter DOCKER-USER br0) || fail "nftaccept: $out"
handle=${out#inserted handle }
[ "$handle" != "$out" ] && [ "$handle" -gt 0 ] || fail "nftaccept said: $out"
note "accept rule inserted, handle $handle"
# first in the chain, in the form that works, with the handle read back
assert_eq "$(ip netns exec "$h" nft -a list chain ip filter DOCKER-USER | grep -m1 -e 'iifname' -e 'return')" \
	"$(printf '\t\tiifname "br0" oifname "br0" counter packets 0 bytes 0 accept comment "netdiag: accept bridge br0" # handle %s' "$handle")" \
	"docker: the accept rule, first in DOCKER-USER"
# (the record's first seven words; identity and checksum follow)
assert_eq "$(cut -d' ' -f1-7 "$NETDIAG_RUN_DIR/journal")" \
	"change 1 nft-rule ip/filter/DOCKER-USER br0 absent present" "journal record"
# a second call finds it there and changes nothing
assert_eq "$(ip netns exec "$h" "$LAB_DIR/nftaccept" ip filter DOCKER-USER br0)" "present handle $handle" "second call"
assert_eq "$(grep -c '^change' "$NETDIAG_RUN_DIR/journal")" 1 "journal records after the second call"
host_json fixed
assert_no_finding "$LAB_DIR/fixed.json" brnf.forward-drop
assert_eq "$(chains fixed '[.verdict, .by, .rule_chain, .handle] | join("|")')" "accept|rule|DOCKER-USER|$handle" \
	"fixed: what decides FORWARD"
lease || fail "fixed: no lease with the accept rule"
host_json fixed2
# DISCOVER, OFFER, REQUEST, ACK crossed the bridge through the rule
pk=$(chains fixed2 .packets)
[ "$pk" -ge 4 ] || fail "fixed: accept rule counted $pk packets, expected at least 4"
note "accept rule counted $pk packets for one lease"

# undo: exactly that rule goes, DOCKER-USER's own stays, the fault is back
ip netns exec "$h" "$NETDIAG" undo >"$LAB_DIR/undo.out" 2>&1 || fail "undo: $(cat "$LAB_DIR/undo.out")"
assert_eq "$(cat "$LAB_DIR/undo.out")" "restored nft-rule ip/filter/DOCKER-USER br0 back to absent" "undo says"
assert_eq "$(netdiag_rules DOCKER-USER)" 0 "netdiag rules after undo"
ip netns exec "$h" nft -a list chain ip filter DOCKER-USER | grep -q "# handle $handle\$" &&
	fail "undo: handle $handle still there"
assert_eq "$(ip netns exec "$h" nft -a list chain ip filter DOCKER-USER | grep -c '# handle')" "$rules_before" \
	"rules in DOCKER-USER after undo"
host_json undone
assert_eq "$(fw undone '.fields.by + " " + .fields.fix_chain')" "policy DOCKER-USER" "undone: the finding is back"
! lease || fail "undone: the guest got a lease after undo"

# a drop rule for the bridge before any accept: the rule is named
ipt -I FORWARD 2 -i br0 -j DROP
host_json droprule
dh=$(ip netns exec "$h" nft -a list chain ip filter FORWARD | sed -n 's/.*iifname "br0" .*drop # handle \([0-9]*\)$/\1/p')
assert_eq "$(fw droprule '[.fields.by, .fields.rule_chain, .fields.handle, .fields.rule] | join("|")')" \
	"rule|FORWARD|$dh|iifname \"br0\" counter packets 0 drop" "droprule: the rule that drops"
ipt -F
ipt -X

# (2) libvirt's rules: FORWARD drop, but LIBVIRT_FWX accepts br0 to br0 first
ipt -N LIBVIRT_FWX
ipt -N LIBVIRT_FWI
ipt -N LIBVIRT_FWO
ipt -A FORWARD -j LIBVIRT_FWX
ipt -A FORWARD -j LIBVIRT_FWI
ipt -A FORWARD -j LIBVIRT_FWO
ipt -A LIBVIRT_FWX -i br0 -o br0 -j ACCEPT
ipt -A LIBVIRT_FWI -d 192.0.2.0/24 -o br0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
ipt -A LIBVIRT_FWI -o br0 -j REJECT
ipt -A LIBVIRT_FWO -s 192.0.2.0/24 -i br0 -j ACCEPT
ipt -A LIBVIRT_FWO -i br0 -j REJECT
lease || fail "libvirt: no lease through LIBVIRT_FWX"
host_json libvirt
assert_no_finding "$LAB_DIR/libvirt.json" brnf.forward-drop
assert_eq "$(chains libvirt '[.applies, .verdict, .by, .rule_chain, .rule] | join("|")' | sed 's/packets [0-9]*/packets N/')" \
	"true|accept|rule|LIBVIRT_FWX|iifname \"br0\" oifname \"br0\" counter packets N accept" "libvirt: what decides FORWARD"
pk=$(chains libvirt .packets)
[ "$pk" -ge 4 ] || fail "libvirt: LIBVIRT_FWX counted $pk packets, expected at least 4"
note "LIBVIRT_FWX counted $pk packets for one lease"
assert_eq "$(diagnoses "$LAB_DIR/libvirt.json")" "" "libvirt: diagnoses"
ipt -F
ipt -X

# (3) DHCP and DNS served by the host on br0 itself (INPUT), FORWARD drop,
# no server behind another port
kill "$(cat "$LAB_DIR/srv.pid")"
ip -n "$h" link set srvp nomaster
ip -n "$h" addr add 192.0.2.1/24 dev br0
ip netns exec "$h" dnsmasq --conf-file=/dev/null --keep-in-foreground --no-resolv --no-hosts \
	--interface=br0 --bind-interfaces --user=root --no-ping \
	--address=/probe.example/192.0.2.99 --address=/probe.example/2001:db8::99 \
	--dhcp-range=192.0.2.50,192.0.2.60,255.255.255.0,1h --dhcp-leasefile="$LAB_DIR/local.leases" \
	--pid-file="$LAB_DIR/local.pid" --log-facility="$LAB_DIR/local.log" &
LAB_PIDS="$LAB_PIDS $!"
wait_for 5 test -s "$LAB_DIR/local.pid" || fail "dnsmasq on br0 did not start"
ipt -P INPUT DROP
ipt -A INPUT -i br0 -p udp --dport 67 -j ACCEPT
ipt -A INPUT -i br0 -p udp --dport 53 -j ACCEPT
ipt -A INPUT -i br0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
lease || fail "local: no lease from the host's own dnsmasq"
ip netns exec "$g" busybox nslookup probe.example 192.0.2.1 >"$LAB_DIR/nslookup" 2>&1 ||
	fail "local: no DNS answer from the host: $(cat "$LAB_DIR/nslookup")"
host_json local
assert_eq "$(jget "$LAB_DIR/local.json" '[.findings[] | select(.severity == "error") | .id] | join(" ")')" "" \
	"local: errors"
assert_eq "$(fw local '[.severity, .fields.host_serves, .fields.by] | join("|")')" "warning|dhcp,dns|policy" \
	"local: brnf.forward-drop"
assert_eq "$(jget "$LAB_DIR/local.json" '.bridges[0].host_serves')" "dhcp,dns" "local: host_serves"
case ",$(diagnoses "$LAB_DIR/local.json")," in *,brnf-forward-drop,*) fail "local: rule brnf-forward-drop fired" ;; esac
ipt -P INPUT ACCEPT
ipt -P FORWARD ACCEPT
ipt -F
echo "firewall: ok"
