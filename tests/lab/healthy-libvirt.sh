# Issue 14, healthy setups stay quiet: libvirt's default network.  The
# setup as lib-setups.sh builds it (setup_libvirt: STP on, dnsmasq with
# libvirt's conf and its address ping, libvirt's iptables rules); busybox
# udhcpc, ISC dhclient and systemd-networkd each get a lease and two
# answers, first-time and returning, while check watches: exit 0, no
# warning or error, the lease and the answers seen on the guest's port;
# then check in text (12 lines at most), check --active and doctor: exit
# 0, nothing to report.  Last, the probe guest on the bridge (vm run
# --probe, TCG): leased, resolved, exit 0, no warning or error.
# check --active also runs first, on the idle host before any guest.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-vm.sh"
. "$(dirname "$0")/lib-setups.sh"
command -v dnsmasq >/dev/null || skip "dnsmasq not installed"
setup_libvirt
healthy_matrix

vm_env
hv_rc=0
ip netns exec "$SETUP_H" "$NETDIAG" vm run h1 --probe --bridge "$SETUP_BR" --resolve "$SETUP_NAME" \
	--accel "${VM_ACCEL:-tcg}" -j >"$LAB_DIR/vm.json" 2>"$LAB_DIR/vm.err" || hv_rc=$?
f=$LAB_DIR/vm.json
[ "$hv_rc" = 0 ] || hfail "vm run --probe: exit $hv_rc, expected 0 ($(head -c 300 "$LAB_DIR/vm.err"))"
p=$(problems "$f")
[ -z "$p" ] || hfail "vm run --probe: warnings/errors: $p"
hv_lease=$(jget "$f" '.guest.nics[0] | (.lease | tostring) + " " + .ip + " " + .server' 2>/dev/null)
case $hv_lease in "true 192.0.2."*" $SETUP_SERVER") ;; *) hfail "vm run --probe: guest lease '$hv_lease'" ;; esac
hv_dns=$(jget "$f" '.guest.dns[0] | .name + " " + (.resolved | tostring) + " " + .addr' 2>/dev/null)
[ "$hv_dns" = "$SETUP_NAME true $SETUP_ADDR" ] || hfail "vm run --probe: guest DNS '$hv_dns'"
assert_eq "$(jget "$f" '.guest.snmp.udp_in_csum_errors' 2>/dev/null)" 0 "guest UDP checksum errors"
note "libvirt vm run --probe: exit $hv_rc, lease $hv_lease in $(jget "$f" '.guest.nics[0].seconds' 2>/dev/null) s, dns $hv_dns, problems: ${p:-none}"
healthy_done
echo "healthy-libvirt: ok"
