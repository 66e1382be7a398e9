# Hostile and unlucky input (issue 15): capture files from pipes, FIFOs and
# stdin read as streams; a capture that shrinks while read is "cut short",
# not SIGBUS; --from, offload restore and rule files bounded in kind, size
# and time, SIGTERM honoured; no file clobbered, no half document; every
# bad option one line and exit 2.  Needs no namespace: the only device
# named is lo (read, never changed) and one that does not exist.
. "$(dirname "$0")/lib.sh"
GEN=$LAB_ROOT/build/ndgen
# the journal and state of this run only (doctor reads the journal's mark)
export NETDIAG_RUN_DIR="$LAB_DIR/run"
[ -x "$GEN" ] || fail "build/ndgen missing (make all)"
"$GEN" -o "$LAB_DIR/c.pcapng" -f pcapng --scenario demo
"$GEN" -o "$LAB_DIR/c.pcap" -f pcap --scenario demo
frames() { jq -c '[.points[].frames]' "$1"; }

# bad WHAT WANT CMD...: exit 2, one line on stderr matching WANT, stdout empty
bad() {
	what=$1; want=$2; shift 2
	rc=0
	"$@" >"$LAB_DIR/bad.out" 2>"$LAB_DIR/bad.err" || rc=$?
	assert_eq "$rc" 2 "$what: exit status"
	assert_eq "$(wc -l <"$LAB_DIR/bad.err")" 1 "$what: lines on stderr ($(head -c 300 "$LAB_DIR/bad.err"))"
	grep -q -- "$want" "$LAB_DIR/bad.err" || fail "$what: $(cat "$LAB_DIR/bad.err")"
	[ ! -s "$LAB_DIR/bad.out" ] || fail "$what: wrote to stdout: $(head -c 200 "$LAB_DIR/bad.out")"
}

# 1. streams: the same frames from a path, stdin, /dev/stdin and a FIFO
for fmt in pcapng pcap; do
	f=$LAB_DIR/c.$fmt
	"$NETDIAG" analyze -j "$f" >"$LAB_DIR/path.json" || true
	want=$(frames "$LAB_DIR/path.json")
	[ "$want" != "[]" ] || fail "$fmt: no frames read"
	"$NETDIAG" analyze -j - <"$f" >"$LAB_DIR/stdin.json" || true
	assert_eq "$(frames "$LAB_DIR/stdin.json")" "$want" "$fmt: analyze - "
	cat "$f" | "$NETDIAG" analyze -j /dev/stdin >"$LAB_DIR/pipe.json" || true
	assert_eq "$(frames "$LAB_DIR/pipe.json")" "$want" "$fmt: cat | analyze /dev/stdin"
	mkfifo "$LAB_DIR/fifo.$fmt"
	cat "$f" >"$LAB_DIR/fifo.$fmt" &
	timeout 20 "$NETDIAG" analyze -j "$LAB_DIR/fifo.$fmt" >"$LAB_DIR/fifo.json" || true
	assert_eq "$(frames "$LAB_DIR/fifo.json")" "$want" "$fmt: analyze FIFO"
	note "$fmt: frames per point $want from path, stdin, pipe and FIFO"
done
# a capture cut mid-block through a pipe: damaged, said, exit 2
head -c 5000 "$LAB_DIR/c.pcapng" | bad "pcapng cut short" "cut short" "$NETDIAG" analyze /dev/stdin
bad "a device as capture" "not a file, pipe or FIFO" "$NETDIAG" analyze /dev/zero

# 2. a pcapng that shrinks while it is read: an error, never SIGBUS
"$GEN" -o "$LAB_DIR/big.pcapng" -f pcapng -n 400000 --scenario mixed
size=$(stat -c %s "$LAB_DIR/big.pcapng")
sigbus=0
for i in 1 2 3; do
	cp "$LAB_DIR/big.pcapng" "$LAB_DIR/shrink.pcapng"
	"$NETDIAG" analyze "$LAB_DIR/shrink.pcapng" >/dev/null 2>"$LAB_DIR/shrink.err" &
	a=$!
	sleep 0.2
	truncate -s $((size / 3)) "$LAB_DIR/shrink.pcapng"
	rc=0; wait "$a" || rc=$?
	[ "$rc" -lt 128 ] || sigbus=$((sigbus + 1))
	note "shrink $i: exit $rc $(head -c 120 "$LAB_DIR/shrink.err")"
done
assert_eq "$sigbus" 0 "analyze runs killed by a signal while the file shrank ($size bytes to a third)"

# 3. doctor --from: a device refused, a flood bounded, a quiet FIFO and SIGTERM
bad "--from /dev/zero" "/dev/zero: not a file, pipe or FIFO" "$NETDIAG" doctor --from /dev/zero
head -c 80000000 /dev/zero | tr '\0' ' ' >"$LAB_DIR/flood"
bad "--from a 80 MB document" "larger than 67108864 bytes" "$NETDIAG" doctor --from "$LAB_DIR/flood"
mkfifo "$LAB_DIR/from.fifo"
sleep 60 >"$LAB_DIR/from.fifo" &
writer=$!
LAB_PIDS="$LAB_PIDS $writer"
"$NETDIAG" doctor --from "$LAB_DIR/from.fifo" >/dev/null 2>"$LAB_DIR/from.err" &
d=$!
sleep 1
kill -0 "$d" || fail "doctor --from a quiet FIFO ended early: $(cat "$LAB_DIR/from.err")"
t0=$(date +%s%N)
kill -TERM "$d"
rc=0; wait "$d" || rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$ms" -lt 2000 ] || fail "doctor took $ms ms to honour SIGTERM"
[ "$rc" -ne 0 ] || fail "doctor --from interrupted exited 0"
note "doctor --from a quiet FIFO: SIGTERM honoured in $ms ms (exit $rc)"
kill "$writer" 2>/dev/null || true

# 4. offload restore and rule files: regular files only
bad "restore /dev/zero" "not a regular file" "$NETDIAG" offload restore /dev/zero
mkfifo "$LAB_DIR/restore.fifo"
bad "restore a FIFO" "not a regular file" timeout 10 "$NETDIAG" offload restore "$LAB_DIR/restore.fifo"
mkdir "$LAB_DIR/rules"
mkfifo "$LAB_DIR/rules/x.rule"
rc=0; timeout 10 "$NETDIAG" rules lint "$LAB_DIR/rules" >/dev/null 2>"$LAB_DIR/lint.err" || rc=$?
assert_eq "$rc" 2 "rules lint with a FIFO rule: exit status"
grep -q "x.rule: not a regular file" "$LAB_DIR/lint.err" || fail "lint: $(cat "$LAB_DIR/lint.err")"

# 5. offload save to an existing file with a bad device: the file stays;
# offload show with a bad second device: one error document, no devices
echo "keep me" >"$LAB_DIR/saved"
bad "save nosuch" "nd-nosuch0: no such device" "$NETDIAG" offload save lo nd-nosuch0 -o "$LAB_DIR/saved"
assert_eq "$(cat "$LAB_DIR/saved")" "keep me" "existing file after a failed save"
rc=0
"$NETDIAG" offload show lo nd-nosuch0 -j >"$LAB_DIR/show.json" 2>/dev/null || rc=$?
assert_eq "$rc" 2 "offload show lo nosuch: exit status"
jq -e . "$LAB_DIR/show.json" >/dev/null || fail "offload show: not one JSON document: $(cat "$LAB_DIR/show.json")"
assert_eq "$(jget "$LAB_DIR/show.json" .status)" error "offload show: status"
assert_eq "$(jget "$LAB_DIR/show.json" 'has("devices")')" false "offload show: half a devices list"

# 6. bad options: one line, exit 2, the usage only with --help
for cmd in analyze check host doctor undo "vm run x" "vm stop x" "vm wait x" "vm destroy x" \
	"route guest add x" "route guest config x" "offload guide"; do
	# shellcheck disable=SC2086
	bad "$cmd --bogus" "--bogus: unknown option" "$NETDIAG" $cmd --bogus
done
bad "analyze --junit (no value)" "--junit: wants a value" "$NETDIAG" analyze --junit
bad "check -t (no value)" "-t: wants a value" "$NETDIAG" check -t
bad "check --duration nan" "nan: --duration wants seconds" "$NETDIAG" check --tap lo --duration nan
bad "doctor --duration nan" "nan: --duration wants seconds" "$NETDIAG" doctor --tap lo --duration nan
bad "check --duration inf" "--duration wants seconds" "$NETDIAG" check --tap lo --duration inf
bad "vm run --timeout nan" "--timeout wants seconds" "$NETDIAG" vm run x --probe --bridge b --timeout nan
bad "undo --last -1" "-1: --last wants a count above 0" "$NETDIAG" undo --last -1 --dry-run
bad "netdiag with no command" "no command given" "$NETDIAG"
bad "vm with no verb" "no verb given" "$NETDIAG" vm
"$NETDIAG" analyze --help | grep -q '^usage: netdiag analyze' || fail "analyze --help lost its usage"
# 7. interface names from a capture file: ESC, newline and 0xff in "tap0"
# (same length, so the blocks stay whole)
perl -pe 's/tap0/\x1b\n\xff0/g' "$LAB_DIR/c.pcapng" >"$LAB_DIR/evil.pcapng"
"$NETDIAG" analyze "$LAB_DIR/evil.pcapng" >"$LAB_DIR/evil.txt" || true
! grep -q "$(printf '\033')" "$LAB_DIR/evil.txt" || fail "an ESC reached the text output"
! grep -q "$(printf '\377')" "$LAB_DIR/evil.txt" || fail "a 0xff byte reached the text output"
grep -q '^\\x1b\\x0a\\xff0 out: 6 frames$' "$LAB_DIR/evil.txt" ||
	fail "capture point name not escaped: $(head -5 "$LAB_DIR/evil.txt" | od -c | head)"
grep -q '^error   csum.partial \\x1b\\x0a\\xff0 out ' "$LAB_DIR/evil.txt" ||
	fail "finding's interface not escaped: $(grep csum.partial "$LAB_DIR/evil.txt" | od -c | head)"
"$NETDIAG" analyze --frames "$LAB_DIR/evil.pcapng" >"$LAB_DIR/evil.frames" || true
! grep -q "$(printf '\033')" "$LAB_DIR/evil.frames" || fail "an ESC reached --frames"
assert_eq "$(wc -l <"$LAB_DIR/evil.frames")" 56 "--frames: one line per frame"
"$NETDIAG" analyze -j "$LAB_DIR/evil.pcapng" >"$LAB_DIR/evil.json" || true
iconv -f UTF-8 -t UTF-8 "$LAB_DIR/evil.json" >/dev/null || fail "-j is not valid UTF-8"
assert_eq "$(jq -c '[.points[].interface] | unique' "$LAB_DIR/evil.json")" \
	'["\u001b\n�0","br0","tap1"]' "JSON interface names"
echo "input-bounds: ok"
