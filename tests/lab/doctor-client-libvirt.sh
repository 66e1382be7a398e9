# netdiag issue 13 acceptance in libvirt's layout (FT_LAYOUT=libvirt: no
# uplink; dnsmasq answers from br0's own address in the host namespace),
# the guest behind the vnet_hdr-dropping reader on tapf.  Here TX checksum
# offload off on br0 (the answers' sender) cures the guest as well as on
# tapf (measured); tapf is the narrower change: only this guest's frames
# are checksummed in software, not everything the host sends on br0.
# For busybox udhcpc and busybox nslookup (ft_client_case): doctor --fix
# --yes: exit 0, one checksum diagnosis naming tapf, one change kept, tapf
# tx off, no other device's offloads differ; the guest gets its lease /
# answer; undo restores every offload and the fault is back.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fault.sh"
FT_LAYOUT=libvirt
ft_topology
fails=""
( ft_client_case udhcpc 16 "ft_udhcpc 8" ft_udhcpc_bg ) || fails="$fails udhcpc"
ft_static
( ft_client_case nslookup 10 ft_nslookup ft_nslookup_bg ) || fails="$fails nslookup"
[ -z "$fails" ] || fail "doctor-client-libvirt:$fails"
echo "doctor-client-libvirt: ok"
