# Compare netdiag's per-frame checksum verdicts (analyze --frames) with
# tcpdump's (-n -vv output) for one capture file.
# Inputs: tests/corpus/explained.tsv, the tcpdump text (-v ORACLE=path),
# the netdiag frame lines (tab-separated); -v FILE=name of the capture.
# Prints one line per disagreement and a final "SUMMARY compared agreed skipped".
function hexnum(s) { return tolower(s) }
function hex2num(s,    i, n, c) {
	n = 0
	s = tolower(s)
	for (i = 1; i <= length(s); i++) {
		c = index("0123456789abcdef", substr(s, i, 1))
		if (c) n = n * 16 + c - 1
	}
	return n
}
# optional third input: frames netdiag deliberately leaves undecoded
FILENAME ~ /explained/ { if ($1 == FILE) { if ($2 == "*") all_explained = 1; else explained[$2] = 1 }; next }
FILENAME == ORACLE {
	if (match($0, /^ *[0-9]+  /)) {
		frame = $1 + 0
		seen_udp = 0; seen_tcp = 0
	}
	# the outer IPv4 header's checksum, on the frame's first line
	if (match($0, /^ *[0-9]+  .*proto [A-Za-z0-9-]+ \([0-9]+\), length [0-9]+,.* bad cksum [0-9a-f]+ \(->[0-9a-f]+\)!/)) {
		s = substr($0, RSTART, RLENGTH)
		sub(/.*bad cksum /, "", s)
		split(s, w, " ")
		ipbad[frame] = sprintf("0x%04x 0x%04x", hex2num(w[1]), hex2num(substr(w[2], 4, length(w[2]) - 5)))
	} else if (match($0, /^ *[0-9]+  [0-9:.]+ IP \(/)) {
		ipok[frame] = 1
	}
	if (frame == 0 || (frame in verdict))
		next
	if (match($0, /\[no cksum\]/)) {
		verdict[frame] = "none"; layer[frame] = "udp"
	} else if (match($0, /\[udp sum ok\]/)) {
		verdict[frame] = "ok"; layer[frame] = "udp"
	} else if (match($0, /\[bad udp cksum 0x[0-9a-f]+ -> 0x[0-9a-f]+!\]/)) {
		split(substr($0, RSTART, RLENGTH), w, " ")
		verdict[frame] = "bad"; layer[frame] = "udp"
		found[frame] = w[4]; expected[frame] = substr(w[6], 1, length(w[6]) - 2)
	} else if (match($0, /Flags \[[^]]*\], cksum 0x[0-9a-f]+ \(correct\)/)) {
		verdict[frame] = "ok"; layer[frame] = "tcp"
	} else if (match($0, /Flags \[[^]]*\], cksum 0x[0-9a-f]+ \(incorrect -> 0x[0-9a-f]+\)/)) {
		s = substr($0, RSTART, RLENGTH)
		sub(/.*cksum /, "", s)
		split(s, w, " ")
		verdict[frame] = "bad"; layer[frame] = "tcp"
		found[frame] = w[1]; expected[frame] = substr(w[4], 1, length(w[4]) - 1)
	}
	next
}
{
	n = $1 + 0
	if ((all_explained || explained[n]) && $5 == "-") {
		if (n in verdict) skipped_link++
		next
	}
	if (n in ipbad) {
		ipcompared++
		if ($9 == "bad" && ($10 " " $11) == ipbad[n]) ipagreed++
		else print "DIFF\t" n "\tipv4\ttcpdump bad " ipbad[n] "\tnetdiag " $9 " " $10 " " $11
	} else if ((n in ipok) && $9 != "n/a") {
		ipcompared++
		if ($9 == "ok") ipagreed++
		else print "DIFF\t" n "\tipv4\ttcpdump ok\tnetdiag " $9 " " $10 " " $11
	}
	if (!(n in verdict))
		next
	proto = $5; v = $6; f = "0x" substr($7, 3); e = "0x" substr($8, 3)
	if (proto != layer[n]) {
		# tcpdump judged a packet netdiag does not see at this layer:
		# UDP quoted in an ICMP error, or inside a tunnel
		if (proto == "-") {
			print "DIFF\t" n "\t" layer[n] "\ttcpdump " verdict[n] "\tnetdiag did not decode the frame (" $4 ")"
			next
		}
		skipped++
		next
	}
	compared++
	nd_ok = (v == "ok")
	if (verdict[n] == "ok" && nd_ok) { agreed++; next }
	if (verdict[n] == "none" && v == "none") { agreed++; next }
	if (verdict[n] == "bad" && (v == "bad" || v == "partial" || v == "partial-offload")) {
		if (hexnum(found[n]) == hexnum(f) && hexnum(expected[n]) == hexnum(e)) { agreed++; next }
		print "DIFF\t" n "\t" layer[n] "\ttcpdump bad " found[n] " -> " expected[n] "\tnetdiag " v " " f " -> " e
		next
	}
	print "DIFF\t" n "\t" layer[n] "\ttcpdump " verdict[n] "\tnetdiag " v " " f " -> " e
}
END { print "SUMMARY\t" compared + 0 "\t" agreed + 0 "\t" skipped + 0 "\t" ipcompared + 0 "\t" ipagreed + 0 "\t" skipped_link + 0 }
