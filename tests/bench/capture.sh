#!/bin/sh
# Capture throughput: tcpreplay sends a generated DNS/DHCP capture into one
# end of a veth pair as fast as it can; netdiag check (capture + all
# trackers) and tcpdump -w /dev/null each capture the same replay on the
# other end, both with the filter "udp or icmp6" (check's default).  Frames
# seen and kernel drops are printed side by side.
set -eu
cd "$(dirname "$0")/../.."
B=build/bench
N=${CAPTURE_FRAMES:-200000}
cap="$B/replay-$N.pcap"
mkdir -p "$B"
[ -s "$cap" ] || build/ndgen -o "$cap" -n "$N" --partial 2 --bad 1
ns=ndbench$$
cleanup() { ip netns del "$ns" 2>/dev/null || true; }
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link add rp0 type veth peer name rp1
ip -n "$ns" link set rp0 up
ip -n "$ns" link set rp1 up
replay() { ip netns exec "$ns" tcpreplay -q --topspeed -i rp0 "$cap" 2>/dev/null | grep -o 'Rated: [0-9.]* Bps, [0-9.]* Mbps, [0-9.]* pps' || true; }

# netdiag: capture for as long as the replay takes, plus a margin
ip netns exec "$ns" build/netdiag check --tap rp1 --duration 6 -j >"$B/capture.json" 2>/dev/null &
pid=$!
sleep 0.5
rate=$(replay)
wait "$pid" || true
nd_frames=$(jq '.capture_points[0].frames' "$B/capture.json")
nd_drops=$(jq '.capture_points[0].kernel_drops' "$B/capture.json")

# the same filter netdiag check uses by default
ip netns exec "$ns" tcpdump -q -i rp1 -w /dev/null "udp or icmp6" 2>"$B/tcpdump.err" &
pid=$!
sleep 1
replay >/dev/null
sleep 1
kill -INT "$pid"
wait "$pid" 2>/dev/null || true
td_frames=$(sed -n 's/^\([0-9]*\) packets captured.*/\1/p' "$B/tcpdump.err")
td_drops=$(sed -n 's/^\([0-9]*\) packets dropped by kernel.*/\1/p' "$B/tcpdump.err")
echo "bench: capture on a veth, $N frames replayed at top speed ($rate)"
printf '  %-44s %8s frames, %6s dropped by the kernel\n' \
	"netdiag check (capture + every tracker)" "$nd_frames" "$nd_drops" \
	"tcpdump -w /dev/null" "$td_frames" "$td_drops"
