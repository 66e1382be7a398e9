# The journal's identity and trust (issue 15), in namespaces sharing one
# run directory:
#  1. a record is undone only in the namespace it was made in: undo in
#     another says why it skips, changes nothing there, keeps the record
#  2. a deleted device: skipped ("device gone", exit 1, not 2 forever),
#     --forget drops it; a device recreated under the same name (a bridge
#     the admin set tx off on) is "device replaced" and keeps its state
#  3. a change the kernel refuses (no CAP_NET_ADMIN) leaves no open record
#  4. 5,000 records and one more: the newest is seen and undone first, all
#     undone, the file compacted
#  5. damaged lines (one character, cut short, an over-long line whose
#     tail is a sealed record) are reported by number, never applied
#  6. a forged run directory (owned by nobody, writable by others, a
#     planted symlink: journal.lock, guests/, vm/) is refused, exit 2, one
#     line, nothing followed; a forged record (sysctl ../../, a file
#     netdiag never writes, one under another persistence root) is refused
#  7. route guest: bad addresses and names refused, re-add with another
#     address refused (the first route kept), undoing add removes
#     guests/NAME; undo --last -1 refused
. "$(dirname "$0")/lib.sh"
a=$(lab_ns ja)
b=$(lab_ns jb)
export NETDIAG_RUN_DIR="$LAB_DIR/run"
lab_cc "$LAB_DIR/jtool" jtool.c || fail "cannot build jtool"
A() { ip netns exec "$a" "$NETDIAG" "$@"; }
B() { ip netns exec "$b" "$NETDIAG" "$@"; }
feat() { ip netns exec "$1" ethtool --json -k "$2" | jq -r ".[0][\"$3\"].active"; }
sysctl_in() { ip netns exec "$1" cat "/proc/sys/$2"; }
J=$NETDIAG_RUN_DIR/journal

# ---- 1. namespaces ----
ip -n "$a" tuntap add tg mode tap
ip -n "$a" link set tg up
ip -n "$b" tuntap add tg mode tap
ip -n "$b" link set tg up
assert_eq "$(sysctl_in "$a" net/ipv4/ip_forward)/$(sysctl_in "$b" net/ipv4/ip_forward)" 0/0 "ip_forward before"
A route guest add g1 --ip 203.0.113.10 --dev tg >/dev/null || fail "route guest add in A"
assert_eq "$(sysctl_in "$a" net/ipv4/ip_forward)/$(sysctl_in "$a" net/ipv4/conf/tg/proxy_arp)" 1/1 "A after add"
ip netns exec "$b" sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward'
rc=0; B undo >"$LAB_DIR/undo-b.out" 2>"$LAB_DIR/undo-b.err" || rc=$?
assert_eq "$rc" 1 "undo in another namespace: exit (records skipped)"
assert_eq "$(grep -c 'made in another network namespace; undo it there' "$LAB_DIR/undo-b.out")" 4 \
	"records skipped in B, each with its reason"
grep -q '^skipped sysctl net/ipv4/ip_forward (record [0-9]*): made in another network namespace' \
	"$LAB_DIR/undo-b.out" || fail "skip line: $(cat "$LAB_DIR/undo-b.out")"
assert_eq "$(sysctl_in "$b" net/ipv4/ip_forward)/$(sysctl_in "$b" net/ipv4/conf/tg/proxy_arp)" 1/0 \
	"B untouched by undo (its own ip_forward 1 stays, proxy_arp stays 0)"
assert_eq "$(sysctl_in "$a" net/ipv4/ip_forward)/$(sysctl_in "$a" net/ipv4/conf/tg/proxy_arp)" 1/1 \
	"A still changed after B's undo"
A undo >"$LAB_DIR/undo-a.out" || fail "undo in A: $(cat "$LAB_DIR/undo-a.out")"
assert_eq "$(grep -c '^restored' "$LAB_DIR/undo-a.out")" 4 "records restored in A"
assert_eq "$(sysctl_in "$a" net/ipv4/ip_forward)/$(sysctl_in "$a" net/ipv4/conf/tg/proxy_arp)" 0/0 "A after undo"
A route guest list | grep -q g1 && fail "guest g1 listed after its add was undone"
[ -e "$NETDIAG_RUN_DIR/guests/g1" ] && fail "guests/g1 left after undo"
note "namespaces: 4 records skipped in B with reasons, restored in A; guests/g1 removed"

# ---- 2. device deleted, device replaced ----
ip -n "$a" link add v0 type veth peer name v1
ip -n "$a" link set v0 up
A offload set v0 rxvlan off >/dev/null || fail "offload set v0"
ip -n "$a" link del v0
rc=0; A undo >"$LAB_DIR/gone.out" 2>"$LAB_DIR/gone.err" || rc=$?
assert_eq "$rc" 1 "undo with the device gone: exit"
assert_eq "$(cat "$LAB_DIR/gone.out")" \
	"$(printf 'skipped offload v0 rx-vlan-hw-parse (record %s): device gone; '"'"'netdiag undo --forget'"'"' drops it' \
	"$(grep '^change' "$J" | tail -1 | cut -d' ' -f2)")" "device gone: the skip line"
A undo --forget >"$LAB_DIR/forget.out" || fail "forget: $(cat "$LAB_DIR/forget.out")"
grep -q '^forgot offload v0 rx-vlan-hw-parse (record [0-9]*): device gone$' "$LAB_DIR/forget.out" ||
	fail "forget output: $(cat "$LAB_DIR/forget.out")"
assert_eq "$(A undo)" "nothing to undo" "after forget"
# replaced: x0 a veth when changed, a bridge the admin set tx off on when undone
ip -n "$a" link add x0 type veth peer name x1
A offload set x0 tx off >/dev/null || fail "offload set x0"
ip -n "$a" link del x0
ip -n "$a" link add x0 type bridge
ip netns exec "$a" ethtool -K x0 tx off
rc=0; A undo >"$LAB_DIR/repl.out" 2>&1 || rc=$?
assert_eq "$rc" 1 "undo with the device replaced: exit"
assert_eq "$(grep -c 'device replaced (same name, another device)' "$LAB_DIR/repl.out")" \
	"$(grep -c '^change .* offload x0 ' "$J")" "every x0 record skipped as replaced"
assert_eq "$(feat "$a" x0 tx-checksum-ip-generic)" false "the new x0 keeps the admin's tx off"
A undo --forget >/dev/null || fail "forget x0"
assert_eq "$(A undo)" "nothing to undo" "after forgetting x0"
note "device gone and device replaced: skipped with reasons, forgotten"

# ---- 3. a refused change leaves no open record ----
ip -n "$a" link add v0 type veth peer name v1
rc=0; ip netns exec "$a" setpriv --bounding-set=-net_admin --inh-caps=-net_admin \
	"$NETDIAG" offload set v0 rxvlan off >/dev/null 2>"$LAB_DIR/eperm.err" || rc=$?
assert_eq "$rc" 2 "offload set without CAP_NET_ADMIN: exit"
assert_eq "$(feat "$a" v0 rx-vlan-offload)" true "rxvlan unchanged"
assert_eq "$(grep -c '^fail ' "$J")" 1 "the refused change's record closed"
rc=0; assert_eq "$(A undo)" "nothing to undo" "undo after the refused change"

# ---- 4. 5,000 records and one more ----
mtu=$(ip -n "$a" -j link show v0 | jq -r '.[0].mtu')
n0=$(grep -c '^change' "$J" || true)
ip netns exec "$a" "$LAB_DIR/jtool" fill 5000 mtu v0 - "$mtu" "$mtu" || fail "fill"
A offload set v0 rxvlan off >/dev/null || fail "offload set after 5,000 records"
assert_eq "$(grep -c '^change' "$J")" $((n0 + 5001)) "change lines in the journal"
assert_eq "$(A undo --last 1 --dry-run)" "would restore offload v0 rx-vlan-hw-parse back to on" \
	"the 5,001st record is the newest"
A undo >"$LAB_DIR/5k.out" || fail "undo of 5,001 records"
assert_eq "$(grep -c '^restored' "$LAB_DIR/5k.out")" 5001 "records restored"
assert_eq "$(feat "$a" v0 rx-vlan-offload)" true "rxvlan back on"
assert_eq "$(A undo)" "nothing to undo" "after undoing 5,001"
assert_eq "$(wc -l <"$J")" 1 "journal compacted to its next-id line"
note "5,001 records undone, journal compacted to $(wc -c <"$J") bytes"

# ---- 5. damaged lines ----
A offload set v0 rxvlan off >/dev/null
A offload set v1 rxvlan off >/dev/null
A offload set v0 txvlan off >/dev/null
# v1's record: one character changed
l1=$(grep -n '^change [0-9]* offload v1 ' "$J" | cut -d: -f1)
sed -i "${l1}s/ v1 / v2 /" "$J"
# an over-long line whose tail is a sealed record turning v1's
# rx-vlan-hw-parse back on: the tail must not be read
tail_rec=$(sed -n "${l1}p" "$J" | sed 's/ crc=.*//; s/ v2 / v1 /; s/^change [0-9]*/change 99999/')
{ head -c 6000 /dev/zero | tr '\0' x; "$LAB_DIR/jtool" seal "$tail_rec"; } >>"$J"
l2=$(wc -l <"$J")
# and a last line cut short
printf 'change 100000 offload v0 rx-vlan-hw-parse on off run=' >>"$J"
rc=0; A undo >"$LAB_DIR/dmg.out" 2>"$LAB_DIR/dmg.err" || rc=$?
assert_eq "$rc" 2 "undo with damaged lines: exit"
assert_eq "$(sed "s|$NETDIAG_RUN_DIR|RUN|; s/ left as is.*//" "$LAB_DIR/dmg.err" | tr '\n' '|')" \
"netdiag: undo: RUN/journal:$l1: checksum mismatch (damaged);|netdiag: undo: RUN/journal:$l2: over-long line ($((6000 + ${#tail_rec} + 13)) bytes);|netdiag: undo: RUN/journal:$((l2 + 1)): cut short (no end of line);|" \
	"each damaged line by number"
assert_eq "$(grep -c '^restored' "$LAB_DIR/dmg.out")" 2 "the two sound records restored"
assert_eq "$(feat "$a" v1 rx-vlan-offload)" false "v1: neither the damaged record nor the over-long tail applied"
# undo's own lines start after the cut one: a second undo has nothing
# sound left, and the cut line is still reported (now without checksum)
rc=0; A undo >"$LAB_DIR/dmg2.out" 2>"$LAB_DIR/dmg2.err" || rc=$?
assert_eq "$rc:$(grep -c '^restored' "$LAB_DIR/dmg2.out"):$(wc -l <"$LAB_DIR/dmg2.err")" 2:0:3 \
	"second undo: exit, restored, damaged lines"
A undo --forget >"$LAB_DIR/fdmg.out" || fail "forget damage"
assert_eq "$(grep -c "^forgot $NETDIAG_RUN_DIR/journal:" "$LAB_DIR/fdmg.out")" 3 \
	"damaged lines forgotten"
assert_eq "$(A undo)" "nothing to undo" "after forgetting the damage"
ip netns exec "$a" ethtool -K v1 rxvlan on
note "damaged lines $l1, $l2, $((l2 + 1)) reported; sound records restored"

# ---- 6. a forged run directory and forged records ----
chown nobody "$NETDIAG_RUN_DIR"
rc=0; A undo >/dev/null 2>"$LAB_DIR/own.err" || rc=$?
assert_eq "$rc:$(wc -l <"$LAB_DIR/own.err")" 2:1 "run directory owned by nobody: exit, lines"
assert_eq "$(cat "$LAB_DIR/own.err")" "netdiag: undo: $NETDIAG_RUN_DIR: owned by uid $(id -u nobody), not 0: refused" \
	"owned by nobody: message"
rc=0; A offload set v0 rxvlan off >/dev/null 2>&1 || rc=$?
assert_eq "$rc:$(feat "$a" v0 rx-vlan-offload)" 2:true "offload set refused, nothing changed"
chown root "$NETDIAG_RUN_DIR"
chmod 0777 "$NETDIAG_RUN_DIR"
rc=0; A undo >/dev/null 2>"$LAB_DIR/mode.err" || rc=$?
assert_eq "$rc:$(cat "$LAB_DIR/mode.err")" \
	"2:netdiag: undo: $NETDIAG_RUN_DIR: writable by others (mode 777): refused" "world-writable"
chmod 0700 "$NETDIAG_RUN_DIR"
# planted symlinks: journal.lock, guests
mv "$NETDIAG_RUN_DIR/journal.lock" "$LAB_DIR/lock.saved"
ln -s "$LAB_DIR/planted-lock" "$NETDIAG_RUN_DIR/journal.lock"
rc=0; A undo >/dev/null 2>"$LAB_DIR/sym.err" || rc=$?
assert_eq "$rc:$(cat "$LAB_DIR/sym.err")" \
	"2:netdiag: undo: $NETDIAG_RUN_DIR/journal.lock: a symbolic link: refused" "planted journal.lock"
[ -e "$LAB_DIR/planted-lock" ] && fail "followed the planted journal.lock"
rm "$NETDIAG_RUN_DIR/journal.lock"
mkdir -p "$LAB_DIR/elsewhere"
rm -rf "$NETDIAG_RUN_DIR/guests"
ln -s "$LAB_DIR/elsewhere" "$NETDIAG_RUN_DIR/guests"
rc=0; A route guest add g2 --ip 203.0.113.12 --dev tg >/dev/null 2>"$LAB_DIR/gsym.err" || rc=$?
assert_eq "$rc" 2 "route guest add with guests/ a symlink: exit"
[ -z "$(ls -A "$LAB_DIR/elsewhere")" ] || fail "wrote through the planted guests/ symlink"
assert_eq "$(A undo)" "nothing to undo" "the refused add left no record"
rm "$NETDIAG_RUN_DIR/guests"
# the VMs' state directory the same way
ln -s "$LAB_DIR/elsewhere" "$NETDIAG_RUN_DIR/vm"
rc=0; A vm list >/dev/null 2>"$LAB_DIR/vm.err" || rc=$?
assert_eq "$rc:$(cat "$LAB_DIR/vm.err")" \
	"2:netdiag: vm list: $NETDIAG_RUN_DIR/vm: not a directory of ours, or writable by others: refused" \
	"RUN_DIR/vm a symlink"
rm "$NETDIAG_RUN_DIR/vm"
# forged records, sealed: a sysctl outside /proc/sys/net, a file netdiag never writes
: >"$LAB_DIR/victim"
ns_id=$(ip netns exec "$a" stat -L -c '%d:%i' /proc/self/ns/net)
{
	"$LAB_DIR/jtool" seal "change 90000 sysctl ../../$LAB_DIR/w - 0 1 run=0123456789abcdef ns=$ns_id dev=-"
	"$LAB_DIR/jtool" seal "change 90001 file $LAB_DIR/victim - absent present run=0123456789abcdef ns=$ns_id dev=-"
	"$LAB_DIR/jtool" seal "change 90002 file /home/x/etc/sysctl.d/60-netdiag-0.conf - absent present run=0123456789abcdef ns=$ns_id dev=-"
} >>"$J"
rc=0; A undo >"$LAB_DIR/forged.out" 2>"$LAB_DIR/forged.err" || rc=$?
assert_eq "$rc" 2 "undo of a forged journal: exit"
assert_eq "$(sed "s|$NETDIAG_RUN_DIR|RUN|; s/; left as is.*//" "$LAB_DIR/forged.err" | head -2 | tr '\n' '|')" \
"netdiag: undo: RUN/journal:2: record 90000: a sysctl outside /proc/sys/net: refused|netdiag: undo: RUN/journal:3: record 90001: a file netdiag does not write: refused|" \
	"forged records refused"
# a file of netdiag's form, but not under this run's persistence root
grep -q '^netdiag: undo: file /home/x/etc/sysctl.d/60-netdiag-0.conf: Operation not permitted$' "$LAB_DIR/forged.err" ||
	fail "file outside the persistence root: $(cat "$LAB_DIR/forged.err")"
[ -e "$LAB_DIR/w" ] && fail "forged sysctl record wrote $LAB_DIR/w"
[ -e "$LAB_DIR/victim" ] || fail "forged file record removed the victim"
A undo --forget >/dev/null 2>&1 || fail "forget the forged lines"
# the record of netdiag's form closes only under its own root (there is no such file)
ip netns exec "$a" env NETDIAG_PERSIST_ROOT=/home/x "$NETDIAG" undo >/dev/null || fail "undo under /home/x"
assert_eq "$(A undo)" "nothing to undo" "after the forged records"
note "forged run directory and records refused"

# ---- 7. route guest ----
bad_add() {
	rc=0; A route guest add "$@" >/dev/null 2>"$LAB_DIR/bad.err" || rc=$?
	assert_eq "$rc:$(wc -l <"$LAB_DIR/bad.err")" 2:1 "route guest add $*: exit, lines"
}
bad_add g3 --ip 0.0.0.0 --dev tg
bad_add g3 --ip 224.0.0.1 --dev tg
bad_add g3 --ip 255.255.255.255 --dev tg
bad_add g3 --ip 203.0.113.13 --ip6 2001:db8::1/64x --dev tg
bad_add g3 --ip 203.0.113.13 --ip6 ff02::1 --dev tg
bad_add aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa --ip 203.0.113.13 --dev tg
[ -d "$NETDIAG_RUN_DIR/guests" ] && [ -n "$(ls -A "$NETDIAG_RUN_DIR/guests")" ] && fail "a bad add left a guest"
A route guest add g4 --ip 203.0.113.14 --dev tg >/dev/null || fail "add g4"
rc=0; A route guest add g4 --ip 203.0.113.15 --dev tg >/dev/null 2>"$LAB_DIR/readd.err" || rc=$?
assert_eq "$rc:$(cat "$LAB_DIR/readd.err")" \
	"2:netdiag: route: g4: already set up as 203.0.113.14 via tg: 'netdiag route guest del g4' first" \
	"re-add with another address"
ip -n "$a" route show 203.0.113.14 | grep -q 'dev tg' || fail "the first route went"
ip -n "$a" route show 203.0.113.15 | grep -q . && fail "a second route was added"
A route guest add g4 --ip 203.0.113.14 --dev tg >/dev/null || fail "the same add again"
rc=0; A undo --last -1 >/dev/null 2>"$LAB_DIR/last.err" || rc=$?
assert_eq "$rc:$(cat "$LAB_DIR/last.err")" "2:netdiag: undo: -1: --last wants a count above 0" "undo --last -1"
A route guest list | grep -q g4 || fail "g4 not listed"
A undo >/dev/null || fail "undo g4"
ip -n "$a" route show 203.0.113.14 | grep -q . && fail "g4's route left after undo"
A route guest list | grep -q g4 && fail "g4 listed after its add was undone"
echo "journal-identity: ok"
