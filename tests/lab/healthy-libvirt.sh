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

healthy_probe
healthy_done
echo "healthy-libvirt: ok"
