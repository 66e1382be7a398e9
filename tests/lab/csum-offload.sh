# The checksum case.  A forwarder (tests/lab/tools/vnetfwd.c) reads the tap
# "tapf" opened with IFF_VNET_HDR and checksum offload, and passes frames to
# the guest's veth without finishing the checksums the kernel left to it.
# dnsmasq answers DNS on tapf; the guest's lookups fail with its UDP
# InCsumErrors rising; netdiag check on the guest's port sees the answers
# leave with partial checksums and the guest ignore them (its kernel counts
# the drops); after 'netdiag offload set tapf tx off' the same lookup
# succeeds.
. "$(dirname "$0")/lib.sh"
command -v dnsmasq >/dev/null || skip "dnsmasq not installed"
h=$(lab_ns host)
g=$(lab_ns guest)
ip -n "$h" link add fwd0 type veth peer name eth0 netns "$g"
ip -n "$h" link set fwd0 up
ip -n "$g" link set eth0 up
ip -n "$g" addr add 192.0.2.50/24 dev eth0
lab_vnetfwd "$h" tapf fwd0
ip -n "$h" addr add 192.0.2.1/24 dev tapf
ip -n "$h" link set tapf up
ip netns exec "$h" dnsmasq --conf-file=/dev/null --keep-in-foreground --no-resolv --no-hosts \
	--interface=tapf --bind-interfaces --user=root --port=53 \
	--address=/probe.example/192.0.2.99 --address=/probe.example/2001:db8::99 \
	--pid-file="$LAB_DIR/dnsmasq.pid" --log-facility="$LAB_DIR/dnsmasq.log" &
LAB_PIDS="$LAB_PIDS $!"
wait_for 5 test -s "$LAB_DIR/dnsmasq.pid" || fail "dnsmasq did not start"
csum_errors() { ip netns exec "$g" awk '/^Udp: [0-9]/ {print $(NF-2)}' /proc/net/snmp; }
lookup() { ip netns exec "$g" busybox timeout 3 busybox nslookup probe.example 192.0.2.1 >/dev/null 2>&1; }

before=$(csum_errors)
ip netns exec "$h" "$NETDIAG" check --tap fwd0 --duration 4 -j >"$LAB_DIR/bad.json" 2>"$LAB_DIR/bad.err" &
cpid=$!
lab_capturing "$LAB_DIR/bad.err"
lookup && fail "the lookup succeeded through the unfinished checksums"
rc=0; wait "$cpid" || rc=$?
# the guest's own count (its kernel dropped them), not a capture inside it:
# the host sees its taps only
after=$(csum_errors)
[ "$after" -gt "$before" ] || fail "guest InCsumErrors did not rise ($before -> $after)"
note "guest UDP InCsumErrors $before -> $after"
assert_eq "$rc" 1 "check exit status"
jf="$LAB_DIR/bad.json"
assert_eq "$(jget "$jf" '.findings[] | select(.id == "csum.partial") | .interface + " " + .direction')" \
	"fwd0 out" "where the partial checksums are"
assert_eq "$(jget "$jf" '.findings[] | select(.id == "dns.reply-ignored") | .fields.reply_checksum')" \
	partial "the ignored answers' checksum"

# the remedy: no checksum offload on the tap that hands the frames over
ip netns exec "$h" env NETDIAG_RUN_DIR="$LAB_DIR/run" "$NETDIAG" offload set tapf tx off >/dev/null ||
	fail "offload set"
lookup || fail "the lookup still fails after tx off on tapf"
before=$(csum_errors)
lookup || fail "second lookup failed"
assert_eq "$(csum_errors)" "$before" "InCsumErrors after the remedy"
echo "csum-offload: ok"
