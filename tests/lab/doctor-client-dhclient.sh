# netdiag issue 13 acceptance, ISC dhclient (tests/lab/lib-fault.sh's topology: the
# guest behind a reader that drops the virtio-net header of tapf):
#  - dhclient -1 in the guest fails through the fault, and logs
#    "N bad udp checksums in M packets"
#  - doctor --bridge br0 --tap tapf --fix --yes, 16 s a look, while the
#    client keeps trying: exit 0, exactly one checksum diagnosis (naming
#    tapf), exactly one change kept: tapf tx off; of every device on the
#    path (tapf, br0, srvp, and behind them srv's eth0, gv, the guest's
#    eth0) only tapf's offloads differ, tx-checksum-ip-generic on -> off
#  - the guest itself then gets its lease (the background dhclient)
#  - netdiag undo: every offload as before, and the client fails again
# Every expectation is measured and logged; the run fails listing all
# that differ (ft_expect).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fault.sh"
ft_topology
# 16 s a look: in the background dhclient keeps its own backoff, DISCOVERs
# up to 15 s apart (backoff-cutoff), so each look sees at least one
command -v dhclient >/dev/null || skip "dhclient missing (isc-dhcp-client)"
bad_before=0
bad_line() {
	n=$(ft_dhclient_bad)
	ft_expect "dhclient logged a new 'bad udp checksums' line" "$([ "$n" -gt "$bad_before" ] && echo yes || echo no)" yes
	note "dhclient: $(grep 'bad udp checksums' "$LAB_DIR/dhclient.log" | tail -1)"
	bad_before=$n
}
# dhclient backs off up to 15 s between DISCOVERs: a look must outlast
# that to see it ask again after the OFFER (the default bound, 30 s)
ft_client_case dhclient 30 "ft_dhclient 14" ft_dhclient_bg bad_line
