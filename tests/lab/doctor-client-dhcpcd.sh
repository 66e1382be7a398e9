# netdiag issue 13 acceptance, dhcpcd (tests/lab/lib-fault.sh's topology: the
# guest behind a reader that drops the virtio-net header of tapf):
#  - dhcpcd -1 -4 (private /run and /var/lib/dhcpcd) in the guest fails through the fault
#  - doctor --bridge br0 --tap tapf --fix --yes, 16 s a look, while the
#    client keeps trying: exit 0, exactly one checksum diagnosis (naming
#    tapf), exactly one change kept: tapf tx off; of every device on the
#    path (tapf, br0, srvp, and behind them srv's eth0, gv, the guest's
#    eth0) only tapf's offloads differ, tx-checksum-ip-generic on -> off
#  - the guest itself then gets its lease (dhcpcd started with the doctor)
#  - netdiag undo: every offload as before, and the client fails again
# Every expectation is measured and logged; the run fails listing all
# that differ (ft_expect).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fault.sh"
ft_topology
ft_client_case dhcpcd 16 "ft_dhcpcd 8" ft_dhcpcd_bg
