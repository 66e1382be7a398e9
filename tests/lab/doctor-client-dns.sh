# netdiag issue 13 acceptance, DNS: busybox nslookup and glibc getent ahosts (tests/lab/lib-fault.sh's topology: the
# guest behind a reader that drops the virtio-net header of tapf):
#  - a lookup of probe.test (static 192.0.2.70) in the guest fails through the fault, the guest's Udp InCsumErrors grows
#  - doctor --bridge br0 --tap tapf --fix --yes, 10 s a look, while the
#    client keeps trying: exit 0, exactly one checksum diagnosis (naming
#    tapf), exactly one change kept: tapf tx off; of every device on the
#    path (tapf, br0, srvp, and behind them srv's eth0, gv, the guest's
#    eth0) only tapf's offloads differ, tx-checksum-ip-generic on -> off
#  - the guest itself then resolves probe.test to 192.0.2.99
#  - netdiag undo: every offload as before, and the client fails again
# Every expectation is measured and logged; the run fails listing all
# that differ (ft_expect).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fault.sh"
ft_topology
# glibc reads /etc/netns/GUEST/resolv.conf (made here, removed at exit)
ft_static
ft_resolv_conf
grows() {
	e=$(ft_guest_csum_errors)
	ft_expect "guest Udp InCsumErrors grew" "$([ "$e" -gt "${e0:-0}" ] && echo yes || echo no)" yes
	e0=$e
}
e0=$(ft_guest_csum_errors)
fails=""
( ft_client_case nslookup 10 ft_nslookup ft_nslookup_bg grows ) || fails="$fails nslookup"
# glibc: two tries 5 s apart, then the next lookup; a look that starts
# just after an answer needs the retry and the lookup after it: 16 s
( ft_client_case getent 16 ft_getent ft_getent_bg grows ) || fails="$fails getent"
[ -z "$fails" ] || fail "doctor-client-dns:$fails"
echo "doctor-client-dns: ok"
