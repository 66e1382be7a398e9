#!/bin/sh
# The launcher's own overhead beside the guest's boot.  The probe guest
# (TCG, so the figures do not depend on /dev/kvm) boots on a bridge with
# dnsmasq, RUNS times; from netdiag's JSON: setup (vm run called -> QEMU
# exec'd), teardown (QEMU exited -> tap and state gone), the guest's run
# (exec -> exit) and its own uptime at the end of its report.  The peer is
# the same kernel and initramfs started by a bare QEMU command on a tap
# made beforehand, timed from the shell: the difference is what the
# launcher and its live check add to the wall time.
set -eu
cd "$(dirname "$0")/../.."
NETDIAG=$PWD/build/netdiag
RUNS=${VM_RUNS:-3}
. tests/lab/lib.sh
. tests/lab/lib-vm.sh
vm_simple_topology
h=$VM_H
now() { date +%s.%N; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

: >"$LAB_DIR/nd"; : >"$LAB_DIR/peer"
for i in $(seq "$RUNS"); do
	t0=$(now)
	ip netns exec "$h" "$NETDIAG" vm run b1 --probe --bridge br0 --resolve probe.test --accel tcg \
		-j >"$LAB_DIR/b1.json" 2>/dev/null || fail "run $i: $(jq -c .findings "$LAB_DIR/b1.json")"
	wall=$(echo "$(now) - $t0" | bc -l)
	jq -r --arg wall "$wall" '[.vm.timings_ms.setup, .vm.timings_ms.run, .vm.timings_ms.teardown,
		.guest.uptime_s * 1000, .guest.nics[0].seconds * 1000, ($wall | tonumber) * 1000] | @tsv' \
		"$LAB_DIR/b1.json" >>"$LAB_DIR/nd"

	ip -n "$h" tuntap add dev peer0 mode tap vnet_hdr
	ip -n "$h" link set peer0 master br0 up
	t0=$(now)
	ip netns exec "$h" qemu-system-x86_64 -machine q35 -accel tcg -m 256 -nodefaults \
		-no-user-config -display none -no-reboot -serial "file:$LAB_DIR/peer.log" \
		-netdev tap,id=n0,ifname=peer0,script=no,downscript=no,vnet_hdr=on \
		-device virtio-net-pci,netdev=n0,mac=02:00:00:00:be:01 \
		-kernel build/guest/vmlinuz -initrd build/guest/probe.cpio.gz \
		-append "console=ttyS0 quiet panic=-1 netdiag.resolve=probe.test" >/dev/null 2>&1
	echo "($(now) - $t0) * 1000" | bc -l >>"$LAB_DIR/peer"
	grep -q "NDPROBE 1 dns .*addr=192.0.2.99" "$LAB_DIR/peer.log" || fail "peer run $i did not resolve"
	ip -n "$h" link del peer0
done
col() { cut -f"$1" "$LAB_DIR/nd" | median; }
setup=$(col 1); run=$(col 2); teardown=$(col 3); uptime=$(col 4); lease=$(col 5); wall=$(col 6)
peer=$(median <"$LAB_DIR/peer")
echo "bench: vm, probe guest under TCG on a bridge with dnsmasq, median of $RUNS"
printf '  %-44s %9.1f ms\n' "launcher setup (vm run -> QEMU exec)" "$setup"
printf '  %-44s %9.1f ms\n' "launcher teardown (QEMU exit -> cleaned up)" "$teardown"
printf '  %-44s %9.1f ms\n' "guest run (QEMU exec -> exit)" "$run"
printf '  %-44s %9.1f ms  (DHCP %.0f ms of it)\n' "guest's own uptime at its report's end" "$uptime" "$lease"
printf '  %-44s %9.1f ms\n' "netdiag vm run --probe, wall" "$wall"
printf '  %-44s %9.1f ms\n' "bare qemu-system-x86_64, same guest, wall" "$peer"
echo "  launcher overhead (setup + teardown) / guest run: $(echo "($setup + $teardown) / $run * 100" | bc -l | awk '{printf "%.2f%%", $1}')"
echo "  wall, netdiag / bare QEMU: $(echo "$wall / $peer" | bc -l | awk '{printf "%.3f", $1}')"
