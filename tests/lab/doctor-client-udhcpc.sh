# netdiag issue 13 acceptance, busybox udhcpc (tests/lab/lib-fault.sh's topology: the
# guest behind a reader that drops the virtio-net header of tapf):
#  - busybox udhcpc -n in the guest fails through the fault
#  - doctor --bridge br0 --tap tapf --fix --yes, 16 s a look, while the
#    client keeps trying: exit 0, exactly one checksum diagnosis (naming
#    tapf), exactly one change kept: tapf tx off; of every device on the
#    path (tapf, br0, srvp, and behind them srv's eth0, gv, the guest's
#    eth0) only tapf's offloads differ, tx-checksum-ip-generic on -> off
#  - the guest itself then gets its lease (the background udhcpc)
#  - netdiag undo: every offload as before, and the client fails again
# Every expectation is measured and logged; the run fails listing all
# that differ (ft_expect).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fault.sh"
ft_topology
ft_client_case udhcpc 16 "ft_udhcpc 8" ft_udhcpc_bg
