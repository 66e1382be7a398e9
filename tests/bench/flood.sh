#!/bin/sh
# A DNS flood: 1,000,000 distinct unanswered queries through netdiag
# analyze.  Queries per CPU second (reference only; the machine is shared),
# peak RSS against the 32 MiB bound, and the report: every query either
# unanswered (evicted or timed out) or pending (the last second's).
set -eu
cd "$(dirname "$0")/../.."
B=build/bench
N=${FLOOD_QUERIES:-1000000}
cap="$B/dns-flood-$N.pcap"
mkdir -p "$B"
[ -x "$B/cputime" ] || cc -O2 -o "$B/cputime" tests/bench/cputime.c
[ -s "$cap" ] || build/ndgen -o "$cap" -n "$N" --scenario dns-flood
best_cpu="" rss_kib=0
for _ in 1 2 3; do
	"$B/cputime" -o "$B/flood.time" build/netdiag analyze -j "$cap" \
		>"$B/flood.json" || true
	set -- $(cat "$B/flood.time")
	cpu=$(echo "$1 + $2" | bc -l)
	[ "$3" -gt "$rss_kib" ] && rss_kib=$3
	if [ -z "$best_cpu" ] || [ "$(echo "$cpu < $best_cpu" | bc -l)" = 1 ]; then best_cpu=$cpu; fi
done
evicted=$(jq '.trackers.dns.transactions_evicted' "$B/flood.json")
pending=$(jq '.trackers.dns.pending' "$B/flood.json")
unanswered=$(jq '[.findings[] | select(.id == "dns.unanswered") | .count] | add' "$B/flood.json")
qps=$(echo "$N / $best_cpu" | bc -l | awk '{ printf "%.0f", $1 }')
echo "bench: dns flood, $N distinct unanswered queries: $qps queries per CPU second" \
	"(best of 3; target >= 2,000,000), peak RSS $((rss_kib / 1024)) MiB" \
	"(target < 32 MiB: $( [ "$rss_kib" -lt 32768 ] && echo met || echo NOT met));" \
	"$unanswered unanswered ($evicted evicted), $pending pending at the end," \
	"$( [ $((unanswered + pending)) -eq "$N" ] && echo "all $N accounted for" || echo "NOT all accounted for")"
