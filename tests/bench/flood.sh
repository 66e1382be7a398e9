#!/bin/sh
# Bounded memory: 1,000,000 distinct unanswered DNS queries through
# netdiag analyze; peak RSS must stay under 64 MiB and the report must say
# how many transactions were evicted.
set -eu
cd "$(dirname "$0")/../.."
B=build/bench
N=${FLOOD_QUERIES:-1000000}
cap="$B/dns-flood-$N.pcap"
mkdir -p "$B"
[ -s "$cap" ] || build/ndgen -o "$cap" -n "$N" --scenario dns-flood
/usr/bin/time -f '%M %e' -o "$B/flood.time" build/netdiag analyze -j "$cap" >"$B/flood.json" || true
set -- $(tail -1 "$B/flood.time")
rss_kib=$1
evicted=$(jq '.trackers.dns.evicted' "$B/flood.json")
unanswered=$(jq '[.findings[] | select(.id == "dns.unanswered") | .count] | add' "$B/flood.json")
echo "bench: dns flood, $N distinct unanswered queries: peak RSS $((rss_kib / 1024)) MiB" \
	"(target < 64 MiB: $( [ "$rss_kib" -lt 65536 ] && echo met || echo NOT met)), $2 s," \
	"$evicted transactions evicted, $unanswered reported unanswered"
