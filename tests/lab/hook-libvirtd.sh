# netdiag hook libvirt run by a real libvirtd: Debian 12's libvirtd 9.0 as
# hook_libvirtd (lib-hook.sh) starts it, in namespace HOOK_H beside br0,
# where dnsmasq in namespace srv serves DHCP (192.0.2.50-60) and DNS.  A
# TCG domain, the probe guest (build/guest), with two NICs: one
# <interface type='bridge'> on br0, one <interface type='network'> on
# labnat, a NAT network like libvirt's "default" in 198.51.100.0/24 (its
# bridge, dnsmasq and firewall rules made by libvirt in HOOK_H).  libvirt
# names the taps and writes the XML the hook reads.  The admin's hook was
# there first: a start with it alone gives the figures without netdiag's
# hook; `netdiag hook install libvirt` moves it aside and chains to it;
# libvirtd restarts (it reads hooks when it starts).  Asserted: libvirtd
# waits under a second for each hook call (its own log's timestamps) and
# `virsh start` returns before any verdict; the admin's hook sees every
# call with libvirt's arguments and XML, and its veto of "prepare" still
# stops a start; each tap's verdict, exact, in the state file (`hook
# status`) and the system log (syslog(3) to /dev/log, as on a real host);
# the bridge of a transient network read from libvirt's status file;
# `netdiag undo` puts the admin's hook back; nothing changed on the host
# (/etc/libvirt, /run/libvirt, /var/lib/libvirt, no default network).
# lab-timeout: 600 (libvirtd probes a TCG QEMU twice; a TCG guest boots)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-hook.sh"
command -v qemu-system-x86_64 >/dev/null || fail "qemu-system-x86_64 missing (make deps)"
guest=$LAB_ROOT/build/guest
[ -s "$guest/vmlinuz" ] && [ -s "$guest/probe.cpio.gz" ] || fail "probe guest not built (make guest)"
etc_before=$(find /etc/libvirt -printf '%p %s %T@\n' 2>/dev/null | sort | md5sum)
# where a privileged libvirtd would write on the host, when absent now
absent_before=""
for d in /run/libvirt /run/libvirtd.pid /var/lib/libvirt /var/cache/libvirt /var/log/libvirt; do
	[ -e "$d" ] || absent_before="$absent_before $d"
done
hook_env
hook_bridge
h=$HOOK_H
root=$NETDIAG_HOOK_ROOT
hooks=$root/etc/libvirt/hooks
mkdir -p "$hooks"
# the admin's hook: each call's arguments and time, its stdin per
# operation; vetoes "prepare" while LAB_DIR/veto exists
cat >"$hooks/qemu" <<SH
#!/bin/sh
echo "\$* \$(date +%s.%N)" >>"$LAB_DIR/prev.args"
cat >"$LAB_DIR/prev.stdin.\$2"
[ "\$2" = prepare ] && [ -e "$LAB_DIR/veto" ] && exit 1
exit 0
SH
chmod 755 "$hooks/qemu"
cp "$hooks/qemu" "$LAB_DIR/prev.orig"

# a NAT network as libvirt's "default" is, in documentation addresses:
# libvirt makes its bridge, runs dnsmasq with its generated conf and adds
# its firewall rules, all in namespace HOOK_H; probe.example answered
# locally (localOnly: nothing forwarded)
cat >"$LAB_DIR/labnat.xml" <<'XML'
<network>
  <name>labnat</name>
  <forward mode='nat'/>
  <bridge stp='on' delay='0'/>
  <domain name='example' localOnly='yes'/>
  <dns>
    <host ip='198.51.100.99'><hostname>probe.example</hostname></host>
  </dns>
  <ip address='198.51.100.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='198.51.100.50' end='198.51.100.60'/>
    </dhcp>
  </ip>
</network>
XML
cat >"$LAB_DIR/probe1.xml" <<XML
<domain type='qemu'>
  <name>probe1</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$guest/vmlinuz</kernel>
    <initrd>$guest/probe.cpio.gz</initrd>
    <cmdline>console=ttyS0 quiet panic=-1 netdiag.resolve=probe.example netdiag.hold=1</cmdline>
  </os>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <interface type='bridge'>
      <mac address='52:54:00:17:00:01'/>
      <source bridge='br0'/>
      <model type='virtio'/>
    </interface>
    <interface type='network'>
      <mac address='52:54:00:17:00:02'/>
      <source network='labnat'/>
      <model type='virtio'/>
    </interface>
    <serial type='file'>
      <source path='$LAB_DIR/console.log'/>
      <target port='0'/>
    </serial>
    <memballoon model='none'/>
  </devices>
</domain>
XML
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
# hook_calls: how long libvirtd waited for each hook call of probe1's last
# start, "OP:MS ...", from its own log ("About to run" to "Result")
hook_calls() {
	awk 'function sec(t) { split(t, a, ":"); return a[1] * 3600 + a[2] * 60 + substr(a[3], 1, 6) }
	index($0, "About to run") && match($0, /hooks\/qemu probe1 (prepare|start|started) begin -$/) {
		split(substr($0, RSTART, RLENGTH), w, " "); op = w[3]; tid = $4; t0 = sec($2); next }
	tid != "" && $4 == tid && /virCommandRun:[0-9]+ : Result/ {
		if (op == "prepare") out = ""
		out = out (out == "" ? "" : " ") op ":" int((sec($2) - t0) * 1000 + 0.5)
		tid = "" }
	END { print out }' "$LAB_DIR/lv/libvirtd.log"
}
# virsh_start: starts probe1, sets start_ms and start_end (epoch seconds)
virsh_start() {
	vs_t0=$(date +%s%N)
	virsh -q start probe1 >"$LAB_DIR/start.out" 2>&1 || fail "virsh start: $(cat "$LAB_DIR/start.out")"
	start_ms=$(ms_since "$vs_t0")
	start_end=$(date +%s.%N)
}

# 1. libvirtd with the admin's hook alone: a start, for the time it takes
hook_libvirtd
note "$(libvirtd --version), $(virsh -q version | grep -i hypervisor)"
virsh -q net-define "$LAB_DIR/labnat.xml" >/dev/null
virsh -q net-start labnat >/dev/null
natbr=$(virsh -q net-info labnat | awk '$1 == "Bridge:" {print $2}')
note "labnat's bridge: $natbr, $(ip -n "$h" -4 -o addr show dev "$natbr" | awk '{print $4}')"
virsh -q define "$LAB_DIR/probe1.xml" >/dev/null
virsh_start
base_ms=$start_ms
base_calls=$(hook_calls)
note "virsh start without netdiag's hook: $base_ms ms; libvirtd waited for the hook (ms): $base_calls"
assert_eq "$(cut -d' ' -f1-4 "$LAB_DIR/prev.args" | tr '\n' ,)" \
	"probe1 prepare begin -,probe1 start begin -,probe1 started begin -," "the admin's hook, alone"
virsh -q destroy probe1 >/dev/null
hook_libvirtd_stop
: >"$LAB_DIR/prev.args"

# 2. install over the admin's hook; libvirtd reads it when it starts
out=$("$NETDIAG" hook install libvirt) || fail "install: $out"
cmp -s "$hooks/qemu.netdiag-chained" "$LAB_DIR/prev.orig" || fail "the admin's hook not kept aside"
grep -q "hook libvirt --chain '$hooks/qemu.netdiag-chained' \"\$@\"" "$hooks/qemu" ||
	fail "installed hook: $(cat "$hooks/qemu")"
hook_libvirtd
assert_eq "$(virsh -q net-list --name | tr -d ' \n')" "labnat" "libvirt's active networks"

# the admin's veto still stops a start, through ours
touch "$LAB_DIR/veto"
rc=0; virsh -q start probe1 >"$LAB_DIR/veto.out" 2>&1 || rc=$?
assert_eq "$rc" 1 "virsh start vetoed by the chained hook"
grep -q "Hook script execution failed" "$LAB_DIR/veto.out" || fail "veto: $(cat "$LAB_DIR/veto.out")"
assert_eq "$(virsh -q domstate probe1)" "shut off" "the vetoed domain"
rm "$LAB_DIR/veto"
: >"$LAB_DIR/prev.args"

# 3. the start: as fast as without our hook, back before any verdict
virsh_start
calls=$(hook_calls)
note "virsh start with netdiag's hook: $start_ms ms (without: $base_ms ms);" \
	"libvirtd waited for the hook (ms): $calls (without: $base_calls)"
case "$calls" in "prepare:"*" start:"*" started:"*) ;; *) fail "hook calls in libvirtd's log: '$calls'" ;; esac
for c in $calls; do
	[ "${c#*:}" -lt 1000 ] || fail "libvirtd waited ${c#*:} ms for the hook's ${c%%:*} call"
done
done_at_start=$("$NETDIAG" hook status probe1 -j 2>/dev/null |
	jq '[.hooks[] | select(.state != "running")] | length' || true)
assert_eq "${done_at_start:-0}" 0 "verdicts already there when virsh start returned"
assert_eq "$(cut -d' ' -f1-4 "$LAB_DIR/prev.args" | tr '\n' ,)" \
	"probe1 prepare begin -,probe1 start begin -,probe1 started begin -," "the chained hook's calls"
# the taps libvirt made (by MAC) and its live XML as the chained hook got it
tap_of() { virsh -q domiflist probe1 | awk -v m="$1" '$5 == m {print $1}'; }
tap0=$(tap_of 52:54:00:17:00:01)
tap1=$(tap_of 52:54:00:17:00:02)
case "$tap0 $tap1" in vnet[0-9]*" "vnet[0-9]*) ;; *) fail "libvirt's taps: $(virsh domiflist probe1)" ;; esac
note "libvirt's taps: $tap0 on br0, $tap1 on $natbr"
cp "$LAB_DIR/prev.stdin.started" "$LAB_DIR/live.xml"
xml_if() { xmllint --xpath "//interface[mac/@address='$1']" "$LAB_DIR/live.xml" | tr -d '\n' | tr -s ' '; }
assert_eq "$(xml_if 52:54:00:17:00:01 | sed 's/<address .*//')" \
	"<interface type=\"bridge\"> <mac address=\"52:54:00:17:00:01\"/> <source bridge=\"br0\"/> <target dev=\"$tap0\"/> <model type=\"virtio\"/> <alias name=\"net0\"/> " \
	"libvirt's live XML, the bridge interface"
assert_eq "$(xml_if 52:54:00:17:00:02 | sed 's/<address .*//; s/portid="[0-9a-f-]*"/portid="P"/')" \
	"<interface type=\"network\"> <mac address=\"52:54:00:17:00:02\"/> <source network=\"labnat\" portid=\"P\" bridge=\"$natbr\"/> <target dev=\"$tap1\"/> <model type=\"virtio\"/> <alias name=\"net1\"/> " \
	"libvirt's live XML, the network interface"

# 4. the verdicts: both taps, the probe guest leased and resolved on each
wait_for 150 hook_done probe1 2 || fail "checks did not end: $("$NETDIAG" hook status probe1 2>&1)"
note "status: $("$NETDIAG" hook status probe1)"
assert_eq "$(hook_states probe1)" "$tap0:done:healthy:br0 $tap1:done:healthy:$natbr" "hook status"
st=$("$NETDIAG" hook status probe1 -j) || fail "hook status exit: $st"
for t in $tap0 $tap1; do
	assert_eq "$(echo "$st" | jq -r --arg t "$t" '.hooks[] | select(.tap == $t) |
		"\(.guest) \(.verdicts) [\(.findings)]"')" \
		"probe1 dhcp:ok,dns:ok,checksums:ok,host:ok,path:ok []" "$t verdicts"
done
assert_eq "$(echo "$st" | jq -r .status)" healthy "hook status"
first=$(echo "$st" | jq '[.hooks[] | .started + .seconds] | min')
[ "$(echo "$first > $start_end" | bc)" = 1 ] || fail "a verdict ($first) before virsh start returned ($start_end)"
note "virsh start returned at $start_end; first verdict $(echo "$first - $start_end" | bc) s later" \
	"(the checks took $(echo "$st" | jq -r '[.hooks[].seconds] | join(" s, ")') s)"
grep -Eq "NDPROBE 1 lease iface=eth0 ip=192\.0\.2\.(5[0-9]|60) " "$LAB_DIR/console.log" || fail "the guest's console"
grep -Eq "NDPROBE 1 lease iface=eth1 ip=198\.51\.100\.(5[0-9]|60) " "$LAB_DIR/console.log" || fail "the guest's console"

# 5. the system log: syslog(3) lines, daemon facility, one per tap
for t in "$tap0 on br0" "$tap1 on $natbr"; do
	grep -Eq "^<30>[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} netdiag-hook\[[0-9]+\]: probe1: $t: healthy \(dhcp:ok,dns:ok,checksums:ok,host:ok,path:ok\)$" \
		"$LAB_DIR/syslog" || fail "log $t: $(cat "$LAB_DIR/syslog")"
done
assert_eq "$(grep -c 'netdiag-hook\[' "$LAB_DIR/syslog")" 2 "log lines"

# 5b. a transient network (net-create) has no definition, only the status
# file libvirt writes, <networkstatus> around the <network>: the bridge of
# an interface whose XML names none is read there (vnet9: no such tap)
ip -n "$h" link add br1 type bridge stp_state 0 forward_delay 0
ip -n "$h" link set br1 up
printf "<network><name>labt</name><forward mode='bridge'/><bridge name='br1'/></network>\n" \
	>"$LAB_DIR/labt.xml"
virsh -q net-create "$LAB_DIR/labt.xml" >/dev/null
netstatus=$LAB_DIR/lv/run/libvirt/network/labt.xml
[ ! -e "$root/etc/libvirt/qemu/networks/labt.xml" ] || fail "labt is not transient"
assert_eq "$(xmllint --xpath 'name(/*)' "$netstatus")/$(xmllint --xpath 'string(/networkstatus/network/bridge/@name)' "$netstatus")" \
	"networkstatus/br1" "libvirt's status file of labt"
printf "<domain type='qemu'><name>t</name><devices><interface type='network'><source network='labt'/><target dev='vnet9'/></interface></devices></domain>\n" |
	NETDIAG_HOOK_ROOT=$LAB_DIR/lv ip netns exec "$h" "$NETDIAG" hook libvirt t started begin - || fail "hook on t"
wait_for 20 hook_done t 1 || fail "no check of t: $("$NETDIAG" hook status t 2>&1)"
assert_eq "$(hook_states t)" "vnet9:error:error:br1" "the bridge from the status file"
virsh -q net-destroy labt >/dev/null

# 6. stop: the chained hook sees it; then the daemon goes, undo, as before
virsh -q destroy probe1 >/dev/null
assert_eq "$(cut -d' ' -f1-4 "$LAB_DIR/prev.args" | tail -2 | tr '\n' ,)" \
	"probe1 stopped end -,probe1 release end -," "the chained hook on destroy"
virsh -q undefine probe1 >/dev/null
virsh -q net-destroy labnat >/dev/null
virsh -q net-undefine labnat >/dev/null
hook_libvirtd_stop
"$NETDIAG" undo >"$LAB_DIR/undo.out" 2>&1 || fail "undo: $(cat "$LAB_DIR/undo.out")"
cmp -s "$hooks/qemu" "$LAB_DIR/prev.orig" || fail "undo did not put the admin's hook back"
assert_eq "$(ls -A "$hooks" | tr '\n' ' ')" "qemu " "hooks directory after undo"
assert_eq "$(find /etc/libvirt -printf '%p %s %T@\n' 2>/dev/null | sort | md5sum)" "$etc_before" \
	"the host's /etc/libvirt"
for d in $absent_before; do [ ! -e "$d" ] || fail "$d made on the host"; done
ip -o addr | grep -q '192\.168\.122\.' && fail "an address of libvirt's default network on the host"
ip link show virbr0 >/dev/null 2>&1 && fail "virbr0 on the host"
echo "hook-libvirtd: ok"
