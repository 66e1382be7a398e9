# netdiag hook libvirt, as libvirt runs /etc/libvirt/hooks/qemu: `qemu
# DOMAIN started begin -` with the domain XML on stdin.  No libvirt daemon
# here: the XML is written in libvirt's documented live format
# (formatdomain.html: <interface type='bridge'> and type='network', with
# the <target dev='vnetN'/> and <alias> a running domain has).  Installed
# over an existing hook (which it chains to), it returns at once; the
# verdict of each tap reaches the state file (`hook status`) and the
# system log; the chained hook sees the same arguments and stdin and its
# exit status stands; `netdiag undo` puts the old hook back.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-hook.sh"
hook_env
hook_bridge
h=$HOOK_H
g0=$(hook_guest web0 vnet0 br0)
g1=$(hook_guest web1 vnet1 br0)
root=$NETDIAG_HOOK_ROOT
mkdir -p "$root/etc/libvirt/hooks" "$root/etc/libvirt/qemu/networks"
# a network whose bridge is br0, as 'virsh net-define' stores it
cat >"$root/etc/libvirt/qemu/networks/labnet.xml" <<'XML'
<network>
  <name>labnet</name>
  <uuid>6b1c7a44-3c1f-4d0e-9d0a-2a1b7c9e0f11</uuid>
  <forward mode='bridge'/>
  <bridge name='br0'/>
</network>
XML
# the admin's own hook: records its arguments and stdin, vetoes "prepare"
cat >"$root/etc/libvirt/hooks/qemu" <<SH
#!/bin/sh
echo "\$*" >>"$LAB_DIR/prev.args"
cat >"$LAB_DIR/prev.stdin.\$2"
[ "\$2" = prepare ] && exit 3
exit 0
SH
chmod 755 "$root/etc/libvirt/hooks/qemu"
cp "$root/etc/libvirt/hooks/qemu" "$LAB_DIR/prev.orig"

cat >"$LAB_DIR/domain.xml" <<'XML'
<domain type='qemu' id='7'>
  <name>web</name>
  <uuid>0f8fad5b-d9cb-469f-a165-70867728950e</uuid>
  <memory unit='KiB'>262144</memory>
  <currentMemory unit='KiB'>262144</currentMemory>
  <vcpu placement='static'>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc-q35-7.2'>hvm</type>
    <boot dev='network'/>
  </os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <interface type='bridge'>
      <mac address='52:54:00:6b:3c:01'/>
      <source bridge='br0'/>
      <target dev='vnet0'/>
      <model type='virtio'/>
      <alias name='net0'/>
      <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>
    </interface>
    <interface type='network'>
      <mac address='52:54:00:6b:3c:02'/>
      <source network='labnet' portid='8c5f7a8e-0b8e-4a62-9a43-2c0d9a3f1e55' bridge='br0'/>
      <target dev='vnet1'/>
      <model type='virtio'/>
      <alias name='net1'/>
    </interface>
    <interface type='network'>
      <mac address='52:54:00:6b:3c:09'/>
      <source network='labnet'/>
      <target dev='vnet9'/>
      <model type='virtio'/>
      <alias name='net2'/>
    </interface>
    <interface type='direct'>
      <mac address='52:54:00:6b:3c:03'/>
      <source dev='eth9' mode='bridge'/>
      <target dev='macvtap0'/>
    </interface>
    <serial type='pty'><target port='0'/></serial>
  </devices>
</domain>
XML

# 1. install over the admin's hook: it is moved aside and chained to
# where AppArmor enforces libvirtd's profile, a netdiag outside /usr/bin
# and /sbin could not be run by the hook: install says so
mkdir -p "$root/sys/kernel/security/apparmor"
printf 'virt-aa-helper (enforce)\nlibvirtd (enforce)\n' >"$root/sys/kernel/security/apparmor/profiles"
out=$("$NETDIAG" hook install libvirt 2>"$LAB_DIR/install.err") || fail "install: $out"
grep -q "^netdiag: hook install: warning: /[^ ]*/netdiag: libvirtd's AppArmor profile is enforced" \
	"$LAB_DIR/install.err" || fail "no AppArmor warning: $(cat "$LAB_DIR/install.err")"
hook=$root/etc/libvirt/hooks/qemu
assert_eq "$(cat "$root/etc/libvirt/hooks/qemu.netdiag-chained")" "$(cat "$LAB_DIR/prev.orig")" "old hook kept"
grep -q "hook libvirt --chain '$hook.netdiag-chained' \"\$@\"" "$hook" || fail "installed hook: $(cat "$hook")"
rc=0; "$NETDIAG" hook install libvirt 2>"$LAB_DIR/again.err" || rc=$?
assert_eq "$rc" 2 "installing twice"

# 2. "started": returns at once, the admin's hook ran with the same input
t0=$(date +%s%N)
rc=0
ip netns exec "$h" "$hook" web started begin - <"$LAB_DIR/domain.xml" || rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
assert_eq "$rc" 0 "started: exit"
[ "$ms" -lt 1000 ] || fail "the hook took $ms ms"
note "hook returned in $ms ms"
assert_eq "$(cat "$LAB_DIR/prev.args")" "web started begin -" "chained hook's arguments"
cmp -s "$LAB_DIR/prev.stdin.started" "$LAB_DIR/domain.xml" || fail "chained hook's stdin differs"
# the checks run: vnet0 and vnet1 capture, vnet9 (no such device) fails
wait_for 5 sh -c "[ \"\$('$NETDIAG' hook status web -j | jq '.hooks | length')\" = 3 ]" ||
	fail "no state files: $("$NETDIAG" hook status web 2>&1)"
# the guests boot meanwhile
hook_boot "$g0" || fail "web0 got no lease"
hook_boot "$g1" || fail "web1 got no lease"
wait_for 40 hook_done web 3 || fail "checks did not end: $("$NETDIAG" hook status web)"
note "status: $("$NETDIAG" hook status web)"
assert_eq "$(hook_states web)" "vnet0:done:healthy:br0 vnet1:done:healthy:br0 vnet9:error:error:br0" \
	"hook status"
st=$("$NETDIAG" hook status web -j || true)
assert_eq "$(echo "$st" | jq -r '.hooks[] | select(.tap == "vnet0") | .verdicts')" \
	"dhcp:ok,dns:ok,checksums:ok,host:ok,path:ok" "vnet0 verdicts"
secs=$(echo "$st" | jq -r '[.hooks[] | select(.tap != "vnet9") | .seconds] | max')
note "checks took up to $secs s"
rc=0; "$NETDIAG" hook status web >/dev/null || rc=$?
assert_eq "$rc" 1 "status exit with a failed check"

# 3. the system log: one line per tap, daemon facility
grep -q "^<30>netdiag-hook\[[0-9]*\]: web: vnet0 on br0: healthy (dhcp:ok,dns:ok," "$LAB_DIR/syslog" ||
	fail "log: $(cat "$LAB_DIR/syslog")"
grep -q "^<30>netdiag-hook\[[0-9]*\]: web: vnet1 on br0: healthy (" "$LAB_DIR/syslog" || fail "log vnet1"
grep -q "^<27>netdiag-hook\[[0-9]*\]: web: vnet9 on br0: could not check: vnet9: " "$LAB_DIR/syslog" ||
	fail "log vnet9: $(cat "$LAB_DIR/syslog")"
assert_eq "$(wc -l <"$LAB_DIR/syslog")" 3 "log lines"

# 4. other operations only chain; the old hook's veto stands
rc=0; "$hook" web prepare begin - <"$LAB_DIR/domain.xml" || rc=$?
assert_eq "$rc" 3 "the chained hook's exit status"
"$hook" web stopped end - <"$LAB_DIR/domain.xml" || fail "stopped"
assert_eq "$(tail -1 "$LAB_DIR/prev.args")" "web stopped end -" "chained on stopped"
assert_eq "$(wc -l <"$LAB_DIR/syslog")" 3 "no checks outside started"
# bad XML is logged, never fatal
rc=0; echo "<notxml" | "$NETDIAG" hook libvirt bad started begin - || rc=$?
assert_eq "$rc" 0 "bad XML: exit"
grep -q "^<27>netdiag-hook\[[0-9]*\]: bad: stdin: not a libvirt domain XML" "$LAB_DIR/syslog" ||
	fail "bad XML not logged"

# 5. undo: our hook gone, the admin's back where it was
"$NETDIAG" undo >"$LAB_DIR/undo.out" 2>&1 || fail "undo: $(cat "$LAB_DIR/undo.out")"
cmp -s "$hook" "$LAB_DIR/prev.orig" || fail "undo did not restore the old hook"
[ ! -e "$hook.netdiag-chained" ] || fail "chained copy left behind"
echo "hook-libvirt: ok"
