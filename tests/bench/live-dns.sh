#!/bin/sh
# Live capture of DNS traffic: tcpreplay sends a generated DNS capture
# (LIVE_FRAMES distinct queries) into one end of a veth pair at top speed;
# netdiag check (capture and every tracker) and tcpdump -w /dev/null each
# capture one replay on the other end, in turn, LIVE_ROUNDS rounds.  The
# figure: netdiag's CPU time per captured frame over tcpdump's, paired per
# round, median; and the kernel's drops for each (target: at most 2x
# tcpdump's CPU per frame, no drops where tcpdump has none).
set -eu
cd "$(dirname "$0")/../.."
B=build/bench
N=${LIVE_FRAMES:-1000000}
ROUNDS=${LIVE_ROUNDS:-5}
# dns-flood: every query a new transaction (the trackers' worst case);
# mixed: DNS queries with their answers, DHCP, a little TCP
SCENARIO=${LIVE_SCENARIO:-dns-flood}
cap="$B/live-$SCENARIO-$N.pcap"
mkdir -p "$B"
command -v tcpreplay >/dev/null || { echo "bench: live dns: tcpreplay not installed (skipped)"; exit 0; }
[ -x "$B/cputime" ] || cc -O2 -o "$B/cputime" tests/bench/cputime.c
[ -s "$cap" ] || build/ndgen -o "$cap" -n "$N" --scenario "$SCENARIO"
ns=ndlive$$
cleanup() { ip netns del "$ns" 2>/dev/null || true; }
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link add rp0 type veth peer name rp1
ip -n "$ns" link set rp0 up
ip -n "$ns" link set rp1 up
replay() { ip netns exec "$ns" tcpreplay -q --topspeed -i rp0 "$cap" >/dev/null 2>&1 || true; }
cpu() { awk '{ printf "%.4f", $1 + $2 }' "$1"; }

# netdiag check's own start (host inspection, rings): CPU with no traffic
"$B/cputime" -o "$B/live-idle.time" ip netns exec "$ns" build/netdiag check \
	--tap rp1 --duration 1 -j >/dev/null 2>&1 || true
: >"$B/live.txt"
r=0
while [ "$r" -lt "$ROUNDS" ]; do
	"$B/cputime" -o "$B/live-nd.time" ip netns exec "$ns" build/netdiag check \
		--tap rp1 --duration 8 -j >"$B/live.json" 2>/dev/null &
	pid=$!
	sleep 1
	replay
	wait "$pid" || true
	nd_frames=$(jq '.capture_points[0].frames' "$B/live.json")
	nd_drops=$(jq '.capture_points[0].kernel_drops' "$B/live.json")
	"$B/cputime" -o "$B/live-td.time" ip netns exec "$ns" tcpdump -q -i rp1 \
		-w /dev/null "udp or icmp6" 2>"$B/live-tcpdump.err" &
	pid=$!
	sleep 1
	replay
	sleep 1
	# cputime's child is ip netns exec -> tcpdump: stop tcpdump itself
	kill -INT $(pgrep -P "$pid") 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	td_frames=$(sed -n 's/^\([0-9]*\) packets captured.*/\1/p' "$B/live-tcpdump.err")
	td_drops=$(sed -n 's/^\([0-9]*\) packets dropped by kernel.*/\1/p' "$B/live-tcpdump.err")
	echo "$r $(cpu "$B/live-nd.time") $nd_frames $nd_drops $(cpu "$B/live-td.time") $td_frames $td_drops" >>"$B/live.txt"
	r=$((r + 1))
done
med() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
nd_us=$(awk '{ printf "%.3f\n", 1e6 * $2 / ($3 ? $3 : 1) }' "$B/live.txt" | med)
td_us=$(awk '{ printf "%.3f\n", 1e6 * $5 / ($6 ? $6 : 1) }' "$B/live.txt" | med)
ratio=$(awk '{ nd = $2 / ($3 ? $3 : 1); td = $5 / ($6 ? $6 : 1); printf "%.2f\n", td ? nd / td : 0 }' "$B/live.txt" | med)
set -- $(awk '{ a += $4; b += $7; f = $3; g = $6 } END { print a, b, f, g }' "$B/live.txt")
echo "bench: live capture of DNS traffic ($SCENARIO), $N frames replayed at top speed, $ROUNDS rounds"
echo "  netdiag check: $nd_us us CPU per frame (startup included; $(cpu "$B/live-idle.time") s of it with no traffic), tcpdump -w /dev/null: $td_us us (medians)"
echo "  netdiag / tcpdump CPU per frame: ${ratio}x, paired per round, median" \
	"(target <= 2x: $(echo "$ratio <= 2" | bc -l | sed 's/1/met/;s/0/NOT met/'))"
echo "  kernel drops over all rounds: netdiag $1, tcpdump $2" \
	"(target none where tcpdump has none: $( [ "$2" -gt 0 ] || [ "$1" -eq 0 ] && echo met || echo NOT met))"
echo "  frames captured in the last round: netdiag $3, tcpdump $4"
