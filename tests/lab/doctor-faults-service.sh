# netdiag issue 13 acceptance: faults with no offload cause, at the
# servers (tests/lab/lib-fault.sh's topology with an honest reader, -c: the
# answers still leave tapf checksum-partial, as toward every vnet_hdr
# guest, and reach the guest complete).  For each, while the guest's client
# keeps trying (ft_fault_case): doctor exits 1 with the right diagnosis and
# no diagnosis blames checksums; doctor --fix --yes has no remedy to apply
# (exit 1, nothing kept) and changes no offload.
#  1. DHCP server stopped (dnsmasq serves DNS only): busybox udhcpc gets no
#     lease; the diagnosis rests on dhcp4.no-offer
#  2. the upstream resolver answers SERVFAIL (tools/servfail.py behind
#     dnsmasq): busybox nslookup of a forwarded name fails; the diagnosis
#     rests on dns.servfail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fault.sh"
ft_topology -c
# 16 s looks: the background udhcpc sends 3 DISCOVERs 3 s apart, then
# is silent 8 s; dhcp4.no-offer wants several unanswered in one look, and
# a look that starts in the silence must outlast it
FT_DURATION=16
dhcp_once() { ft_flush; ft_udhcpc 6; }
# sanity: with the honest reader the guest gets its lease and answers
ft_expect "udhcpc with nothing broken" "$(ft_yes dhcp_once)" yes
ft_static
ft_expect "nslookup with nothing broken" "$(ft_yes ft_nslookup)" yes

# 1. DHCP server stopped
ft_server_stop
ft_server_start --no-dhcp
ft_fault_case dhcp-stopped '[.evidence[]?.id] | index("dhcp4.no-offer") != null' "" dhcp_once ft_udhcpc_bg

# 2. SERVFAIL from upstream
command -v python3 >/dev/null || skip "python3 missing (the SERVFAIL upstream)"
ft_server_stop
ip netns exec "$FT_S" python3 "$LAB_ROOT/tests/lab/tools/servfail.py" 127.0.0.1 5353 >"$LAB_DIR/servfail.out" 2>&1 &
LAB_PIDS="$LAB_PIDS $!"
wait_for 5 grep -q ready "$LAB_DIR/servfail.out" || fail "servfail.py: $(cat "$LAB_DIR/servfail.out")"
ft_server_start --server=127.0.0.1#5353
ft_static
up_once() {
	ip netns exec "$FT_G" busybox timeout 3 busybox nslookup up.test 192.0.2.2 >"$LAB_DIR/up.out" 2>&1
}
up_bg() { ft_bg ip netns exec "$FT_G" sh -c 'while :; do busybox timeout 1 busybox nslookup up.test 192.0.2.2 >/dev/null 2>&1; sleep 0.3; done'; }
up_once || true
ft_expect "nslookup up.test says SERVFAIL" "$(grep -c "can't find up.test: SERVFAIL" "$LAB_DIR/up.out" | grep -q '^[1-9]' && echo yes || echo no)" yes
ft_fault_case servfail '[.evidence[]?.id] | index("dns.servfail") != null' "" up_once up_bg
ft_done doctor-faults-service
