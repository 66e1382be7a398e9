# The mission's case with a real guest: DNS answers reach the probe guest
# with unfinished UDP checksums (TX checksum offload on tapf, the datapath
# behind it ignores the vnet header).  The guest gets its lease but cannot
# resolve; its kernel counts one checksum error per answer it dropped, the
# host-side check sees the same answers leave the guest's tap partial.
# 'netdiag offload set tapf tx off' is the fix, and the guest then
# resolves with no checksum errors.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-vm.sh"
vm_topology

rc=0
vm_probe c1 -j >"$LAB_DIR/bad.json" 2>"$LAB_DIR/bad.err" || rc=$?
f="$LAB_DIR/bad.json"
assert_eq "$rc" 1 "exit status with the fault ($(cat "$LAB_DIR/bad.err"))"
assert_eq "$(jget "$f" .vm.end_reason)" powered-off "end reason"
assert_eq "$(jget "$f" '.guest.nics[0].lease')" true "lease (DHCP is not behind the fault)"
assert_eq "$(jget "$f" '.guest.nics[0].dns')" 192.0.2.1 "DNS server offered"
assert_eq "$(jget "$f" '.guest.dns[0].resolved')" false "resolved through the fault"
assert_finding "$f" guest.dns-failed
assert_finding "$f" guest.udp-csum-errors
assert_finding "$f" csum.partial
guest_errors=$(jget "$f" '.guest.snmp.udp_in_csum_errors')
[ "$guest_errors" -ge 1 ] || fail "guest counted no checksum errors"
# the same figure from both sides: answers that left the guest's tap with a
# partial checksum, and datagrams the guest's kernel dropped for it.  The
# (promiscuous) bridge point sees them come in from fwdb already partial:
# one fact, with the tap's figures, seen on both.
assert_eq "$(jget "$f" '[.findings[] | select(.id == "csum.partial") | .interface + " " + .direction + " " + .fields.seen_on] | sort | join(",")')" \
	"ndvm-c1 out ndvm-c1,br0" "where the partial checksums are"
assert_eq "$(jget "$f" '.findings[] | select(.id == "csum.partial" and .interface == "ndvm-c1") | .count')" \
	"$guest_errors" "partial answers on the tap = guest InCsumErrors"
assert_eq "$(jget "$f" '.findings[] | select(.id == "guest.udp-csum-errors") | .count')" \
	"$guest_errors" "guest.udp-csum-errors count"
note "with the fault: $guest_errors answers dropped by the guest for bad checksums"

ip netns exec "$VM_H" "$NETDIAG" offload set tapf tx off >/dev/null || fail "offload set tapf tx off"
rc=0
vm_probe c1 -j >"$LAB_DIR/good.json" 2>"$LAB_DIR/good.err" || rc=$?
f="$LAB_DIR/good.json"
assert_eq "$rc" 0 "exit status after the fix ($(cat "$LAB_DIR/good.err"))"
assert_eq "$(jget "$f" '.guest.dns[0].resolved')" true "resolved after the fix"
assert_eq "$(jget "$f" '.guest.dns[0].addr')" 192.0.2.99 "answer after the fix"
assert_eq "$(jget "$f" '.guest.snmp.udp_in_csum_errors')" 0 "guest checksum errors after the fix"
assert_no_finding "$f" csum.partial
ip netns exec "$VM_H" "$NETDIAG" undo >/dev/null || fail "undo"
echo "vm-csum: ok"
