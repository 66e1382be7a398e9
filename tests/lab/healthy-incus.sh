# Issue 14, healthy setups stay quiet: incus.  The setup as lib-setups.sh
# builds it (setup_incus); busybox udhcpc, ISC dhclient and systemd-networkd
# each get a lease and two answers, first-time and returning, while check
# watches: exit 0, no warning or error, the lease and the answers seen on
# the guest's port; then check in text (12 lines at most), check --active
# and doctor: exit 0, nothing to report.
# check --active also runs first, on the idle host before any guest; last,
# the probe guest on the bridge (vm run --probe, TCG): leased, resolved,
# exit 0, no warning or error.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-vm.sh"
. "$(dirname "$0")/lib-setups.sh"
command -v dnsmasq >/dev/null || skip "dnsmasq not installed"
setup_incus
healthy_matrix
healthy_probe
healthy_done
echo "healthy-incus: ok"
