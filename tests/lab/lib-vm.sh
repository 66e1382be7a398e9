# Shared by the scenarios with real QEMU guests, the launcher's benchmark
# and 'make demo'; source after lib.sh.  vm_topology builds, in namespaces
# of this run:
#
#   srv ns  eth0 192.0.2.2  dnsmasq: DHCP 192.0.2.50-60, DNS server 192.0.2.1
#        |
#   host ns br0 (bridge) <- srvp, fwdb, and each guest's tap
#        |
#   fwdb -- fwd0  <vnetfwd>  tapf 192.0.2.1  dnsmasq: DNS, probe.test
#
# vnetfwd (tests/lab/tools) hands frames from tapf to the bridge without
# finishing checksums the kernel left to the device, as a vnet_hdr-unaware
# datapath does: with TX checksum offload on tapf, DNS answers reach the
# guests with only the pseudo-header sum.  VM_H names the host namespace.

# vm_env: what every QEMU scenario needs (dnsmasq, QEMU, the built probe
# guest: its files in VM_GUEST), and a run directory of this run
vm_env() {
	command -v dnsmasq >/dev/null || skip "dnsmasq not installed"
	command -v qemu-system-x86_64 >/dev/null || fail "qemu-system-x86_64 missing (make deps)"
	VM_GUEST=$LAB_ROOT/build/guest
	[ -s "$VM_GUEST/vmlinuz" ] && [ -s "$VM_GUEST/probe.cpio.gz" ] ||
		fail "probe guest not built (make guest)"
	export NETDIAG_GUEST_DIR="$VM_GUEST"
	export NETDIAG_RUN_DIR="$LAB_DIR/run"
}

# vm_simple_topology: no fault, one server: br0 in namespace VM_H, and
# namespace srv on port srvp, 192.0.2.1, with dnsmasq serving DHCP
# (192.0.2.50-60) and DNS (probe.test)
vm_simple_topology() {
	vm_env
	VM_H=$(lab_ns host)
	vm_s=$(lab_ns srv)
	ip -n "$VM_H" link add br0 type bridge stp_state 0 mcast_snooping 0
	ip -n "$VM_H" link add srvp type veth peer name eth0 netns "$vm_s"
	ip -n "$VM_H" link set srvp master br0 up
	ip -n "$VM_H" link set br0 up
	ip -n "$vm_s" link set eth0 up
	ip -n "$vm_s" addr add 192.0.2.1/24 dev eth0
	lab_dnsmasq "$vm_s" d --dhcp-range=192.0.2.50,192.0.2.60,255.255.255.0,1h \
		--address=/probe.test/192.0.2.99 --address=/probe.test/2001:db8::99
}

vm_topology() {
	vm_env
	VM_H=$(lab_ns host)
	vm_s=$(lab_ns srv)
	ip -n "$VM_H" link add br0 type bridge stp_state 0 mcast_snooping 0
	ip -n "$VM_H" link add srvp type veth peer name eth0 netns "$vm_s"
	ip -n "$VM_H" link add fwd0 type veth peer name fwdb
	for l in srvp fwdb; do ip -n "$VM_H" link set "$l" master br0 up; done
	ip -n "$VM_H" link set fwd0 up
	ip -n "$VM_H" link set br0 up
	ip -n "$vm_s" link set eth0 up
	ip -n "$vm_s" addr add 192.0.2.2/24 dev eth0
	lab_vnetfwd "$VM_H" tapf fwd0
	ip -n "$VM_H" addr add 192.0.2.1/24 dev tapf
	ip -n "$VM_H" link set tapf up
	ip netns exec "$vm_s" dnsmasq --conf-file=/dev/null --keep-in-foreground --no-resolv \
		--no-hosts --interface=eth0 --bind-interfaces --user=root --no-ping --port=0 \
		--dhcp-range=192.0.2.50,192.0.2.60,255.255.255.0,1h \
		--dhcp-option=option:dns-server,192.0.2.1 --dhcp-option=option:router,192.0.2.1 \
		--dhcp-leasefile="$LAB_DIR/dhcp.leases" --pid-file="$LAB_DIR/dhcp.pid" \
		--log-facility="$LAB_DIR/dhcp.log" &
	LAB_PIDS="$LAB_PIDS $!"
	ip netns exec "$VM_H" dnsmasq --conf-file=/dev/null --keep-in-foreground --no-resolv \
		--no-hosts --interface=tapf --bind-interfaces --user=root \
		--address=/probe.test/192.0.2.99 --address=/probe.test/2001:db8::99 \
		--pid-file="$LAB_DIR/dns.pid" --log-facility="$LAB_DIR/dns.log" &
	LAB_PIDS="$LAB_PIDS $!"
	wait_for 5 test -s "$LAB_DIR/dhcp.pid" || fail "DHCP server did not start"
	wait_for 5 test -s "$LAB_DIR/dns.pid" || fail "DNS server did not start"
}

# vm_probe NAME ARGS...: the probe guest on br0 (TCG), resolving probe.test
vm_probe() {
	vm_name=$1; shift
	ip netns exec "$VM_H" "$NETDIAG" vm run "$vm_name" --probe --bridge br0 \
		--resolve probe.test --accel "${VM_ACCEL:-tcg}" "$@"
}
