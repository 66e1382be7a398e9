# netdiag hook proxmox, as Proxmox VE runs a VM's hookscript: `SCRIPT VMID
# PHASE` (pre-start, post-start, pre-stop, post-stop; see
# /usr/share/pve-docs/examples/guest-example-hookscript.pl).  Taps are
# named as Proxmox names them: VM 100's tap100i0 straight on vmbr0; VM 101
# with its firewall on: tap101i0 on fwbr101i0, linked to vmbr0 by the veth
# pair fwln101i0 / fwpr101p0; VM 102 whose guest never asks, bounded by
# --timeout.  Installed as a snippet chaining to the VM's old hookscript,
# removed by `netdiag undo`.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-hook.sh"
hook_env
# Proxmox's bridge is vmbr0; hook_bridge makes br0, so rename before use
hook_bridge
h=$HOOK_H
ip -n "$h" link set br0 down
ip -n "$h" link set br0 name vmbr0
ip -n "$h" link set vmbr0 up
g100=$(hook_guest vm100 tap100i0 vmbr0)
ip -n "$h" link add fwbr101i0 type bridge stp_state 0 forward_delay 0
ip -n "$h" link add fwln101i0 type veth peer name fwpr101p0
ip -n "$h" link set fwln101i0 master fwbr101i0
ip -n "$h" link set fwpr101p0 master vmbr0
for l in fwbr101i0 fwln101i0 fwpr101p0; do ip -n "$h" link set "$l" up; done
g101=$(hook_guest vm101 tap101i0 fwbr101i0)
hook_guest vm102 tap102i0 vmbr0 >/dev/null

# the VM's old hookscript, and the snippets directory of storage "local"
root=$NETDIAG_HOOK_ROOT
mkdir -p "$root/var/lib/vz/snippets"
printf '#!/bin/sh\necho "$*" >>"%s/old.args"\n' "$LAB_DIR" >"$LAB_DIR/old-hook.sh"
chmod 755 "$LAB_DIR/old-hook.sh"
out=$("$NETDIAG" hook install proxmox --chain "$LAB_DIR/old-hook.sh") || fail "install: $out"
script=$root/var/lib/vz/snippets/netdiag-hook.sh
grep -q "hook proxmox --chain '$LAB_DIR/old-hook.sh' \"\$@\"" "$script" || fail "script: $(cat "$script")"
echo "$out" | grep -q "qm set VMID --hookscript local:snippets/netdiag-hook.sh" || fail "install: $out"

# 1. the phases of a start, as Proxmox calls them: only post-start checks
for vm in 100 101; do
	ip netns exec "$h" "$script" "$vm" pre-start || fail "pre-start $vm"
	t0=$(date +%s%N)
	ip netns exec "$h" "$script" "$vm" post-start || fail "post-start $vm"
	note "post-start $vm returned in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
done
assert_eq "$(tr '\n' ' ' <"$LAB_DIR/old.args")" "100 pre-start 100 post-start 101 pre-start 101 post-start " \
	"the old hookscript ran at every phase"
wait_for 5 sh -c "'$NETDIAG' hook status 101 >/dev/null 2>&1" || fail "no state for 101"
hook_boot "$g100" || fail "vm100 got no lease"
hook_boot "$g101" || fail "vm101 got no lease"
wait_for 40 hook_done 100 1 || fail "100: $("$NETDIAG" hook status 100)"
wait_for 40 hook_done 101 1 || fail "101: $("$NETDIAG" hook status 101)"
assert_eq "$(hook_states 100)" "tap100i0:done:healthy:vmbr0" "VM 100"
assert_eq "$(hook_states 101)" "tap101i0:done:healthy:fwbr101i0" "VM 101 on its firewall bridge"
# through the firewall bridge and out of its link to vmbr0: the path check
assert_eq "$("$NETDIAG" hook status 101 -j | jq -r '.hooks[0].verdicts')" \
	"dhcp:ok,dns:ok,checksums:ok,host:ok,path:ok" "VM 101 verdicts"
grep -q "^<30>netdiag-hook\[[0-9]*\]: 101: tap101i0 on fwbr101i0: healthy (" "$LAB_DIR/syslog" ||
	fail "log: $(cat "$LAB_DIR/syslog")"
note "$("$NETDIAG" hook status)"

# 2. bounded: a guest that never asks ends its check at --timeout
t0=$(date +%s)
ip netns exec "$h" "$NETDIAG" hook proxmox --timeout 3 102 post-start || fail "post-start 102"
wait_for 15 hook_done 102 1 || fail "102 not bounded: $("$NETDIAG" hook status 102)"
secs=$("$NETDIAG" hook status 102 -j | jq -r '.hooks[0].seconds')
note "102: ended after $secs s: $("$NETDIAG" hook status 102)"
assert_eq "$(echo "$secs < 4.5" | bc)" 1 "102 bounded near 3 s"
assert_eq "$(hook_states 102)" "tap102i0:done:not-seen:vmbr0" "102: nothing seen"
assert_eq "$("$NETDIAG" hook status 102 -j | jq -r '.hooks[0].verdicts')" \
	"dhcp:not-seen,dns:not-seen,checksums:not-seen,host:ok,path:not-seen" "102 verdicts"

# 3. a VMID with no taps is logged, not fatal
ip netns exec "$h" "$script" 555 post-start || fail "555"
grep -q "netdiag-hook\[[0-9]*\]: 555: no tap555i\* devices" "$LAB_DIR/syslog" || fail "555 not logged"

# 4. undo removes the snippet
"$NETDIAG" undo >/dev/null 2>&1 || fail "undo"
[ ! -e "$script" ] || fail "snippet left behind"
echo "hook-proxmox: ok"
