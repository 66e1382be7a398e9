# Issue 14, healthy setups stay quiet: docker.  The setup as lib-setups.sh
# builds it (setup_docker); busybox udhcpc, ISC dhclient and systemd-networkd
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
setup_docker
healthy_matrix
# the setup is what it claims: the guests' frames crossed FORWARD (policy
# DROP) and the admin's rule let them through
hd_pkts=$(ip netns exec "$SETUP_H" iptables -L DOCKER-USER -n -v -x |
	awk '$3 == "ACCEPT" && $6 == "br0" && $7 == "br0" {print $1}')
[ "${hd_pkts:-0}" -gt 0 ] || hfail "the DOCKER-USER accept rule for br0 matched no packet: frames did not cross FORWARD"
note "docker: the DOCKER-USER accept rule for br0 matched $hd_pkts packets"
healthy_probe
healthy_done
echo "healthy-docker: ok"
