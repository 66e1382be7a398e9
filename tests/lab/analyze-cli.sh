# netdiag analyze end to end on generated captures: exact findings and
# figures, exit statuses, one-line errors.
. "$(dirname "$0")/lib.sh"
GEN=$(dirname "$NETDIAG")/ndgen
d=$LAB_DIR

# healthy: no findings, exit 0
"$GEN" -o "$d/ok.pcap" -n 500
"$NETDIAG" analyze -j "$d/ok.pcap" >"$d/ok.json" || fail "healthy capture: exit $?"
assert_eq "$(jget "$d/ok.json" '.status')" healthy status
assert_eq "$(jget "$d/ok.json" '[.findings[] | select(.severity != "info")] | length')" 0 \
	"warnings or errors on a healthy capture"
assert_eq "$(jget "$d/ok.json" '.frames')" 500 frames

# the demo story: 4 partial replies on tap0, 4 not-ready copies on br0
"$GEN" -o "$d/demo.pcapng" -f pcapng --scenario demo
rc=0; "$NETDIAG" analyze -j --junit "$d/junit.xml" "$d/demo.pcapng" >"$d/demo.json" || rc=$?
assert_eq "$rc" 1 "exit status with problems"
bad='[.findings[] | select(.severity != "info")]'
assert_eq "$(jget "$d/demo.json" "$bad | map(.id) | join(\",\")")" "csum.partial,dns.reply-ignored" ids
ign='.findings[] | select(.id == "dns.reply-ignored")'
assert_eq "$(jget "$d/demo.json" "$ign | .count")" 3 "ignored replies"
assert_eq "$(jget "$d/demo.json" "$ign | .frames | map(tostring) | join(\",\")")" "8,11,14" "repeat frames"
assert_eq "$(jget "$d/demo.json" "$ign | .fields.reply_checksum")" partial "verdict of the ignored reply"
assert_eq "$(jget "$d/demo.json" '.findings[] | select(.id == "dhcp4.lease") | .fields.address')" 192.0.2.50 lease
assert_eq "$(jget "$d/demo.json" '.findings[0].interface + " " + .findings[0].direction')" "tap0 out" where
assert_eq "$(jget "$d/demo.json" '.findings[0].count')" 4 "partial count"
assert_eq "$(jget "$d/demo.json" '.findings[0].frames | map(tostring) | join(",")')" "6,9,12,15" evidence
assert_eq "$(jget "$d/demo.json" '.findings[0].fields.found + " " + .findings[0].fields.expected')" "0x847c 0x5ab8" values
assert_eq "$(jget "$d/demo.json" '.findings[] | select(.id == "csum.partial-offload") | .interface + " " + .severity')" "br0 info" offload
assert_eq "$(jget "$d/demo.json" '.points | map(select(.interface == "tap1")) | map(.checksums.udp.ok) | add')" 40 tap1
# JUnit: the schema CI servers read; csum and dns fail, one failure each
xmllint --noout --schema "$LAB_ROOT/tests/junit.xsd" "$d/junit.xml" 2>/dev/null || fail "junit: invalid"
assert_eq "$(xmllint --xpath 'string(//testsuite/@failures)' "$d/junit.xml")" 2 "junit failures"
assert_eq "$(xmllint --xpath 'concat(//testcase[@name="csum"]/failure/@type, " ",
	//testcase[@name="dns"]/failure/@type)' "$d/junit.xml")" "csum.partial dns.reply-ignored" "junit failures"
assert_eq "$(xmllint --xpath 'substring-before(//testcase[@name="csum"]/failure/@message, ":")' \
	"$d/junit.xml")" tap0 "junit: the failure names its interface"
# exit 2: a JUnit file with the error
rc=0; "$NETDIAG" analyze --junit "$d/err.xml" "$d/nosuch.pcap" 2>/dev/null || rc=$?
assert_eq "$rc" 2 "unreadable capture"
assert_eq "$(xmllint --xpath 'string(//testcase/error/@message)' "$d/err.xml")" \
	"$d/nosuch.pcap: No such file or directory" "junit error"

# pcap and pcapng of the same traffic give the same verdicts
"$GEN" -o "$d/m.pcap" -n 3000 --partial 5 --bad 3
"$GEN" -o "$d/m.pcapng" -f pcapng -n 3000 --partial 5 --bad 3
# (pcapng keeps direction, so its counts split over two points: add them)
sum='[.points[].checksums.udp] | reduce .[] as $p ({}; reduce ($p | keys[]) as $k (.; .[$k] += $p[$k]))'
a=$("$NETDIAG" analyze -j "$d/m.pcap" | jq -cS "$sum")
b=$("$NETDIAG" analyze -j "$d/m.pcapng" | jq -cS "$sum")
assert_eq "$a" "$b" "pcap vs pcapng verdicts"
case "$a" in *'"partial":0'*) fail "no partial verdicts generated: $a" ;; esac

# bad input: one line, exit 2
rc=0; "$NETDIAG" analyze /nonexistent/x.pcap 2>"$d/err" >/dev/null || rc=$?
assert_eq "$rc" 2 "exit status, missing file"
assert_eq "$(cat "$d/err")" "netdiag: analyze: /nonexistent/x.pcap: No such file or directory" message
printf 'not a capture\n' >"$d/junk"
rc=0; "$NETDIAG" analyze "$d/junk" 2>"$d/err" >/dev/null || rc=$?
assert_eq "$rc" 2 "exit status, junk"
assert_eq "$(wc -l <"$d/err")" 1 "one error line"
rc=0; "$NETDIAG" analyze 2>/dev/null || rc=$?
assert_eq "$rc" 2 "exit status, no file"
# every command and subcommand answers --help with its usage, exit 0
for c in analyze check host offload "offload show" "offload set" undo route "route guest" \
	 "route guest add" "route guest del" "route guest list" "route guest check" \
	 "route guest apply" "route guest config" version help; do
	out=$("$NETDIAG" $c --help 2>&1) || fail "netdiag $c --help exited $?"
	case "$out" in *usage:*|*commands:*|netdiag\ 0.*) ;; *) fail "netdiag $c --help printed: $out" ;; esac
done
echo "analyze-cli: ok"
