#!/usr/bin/env python3
"""An upstream DNS server that is broken: it answers every query SERVFAIL
(RCODE 2), as a failing recursive resolver does.  servfail.py ADDR PORT."""
import socket
import sys

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
print("ready", flush=True)
while True:
    q, peer = s.recvfrom(4096)
    i = 12
    while i < len(q) and q[i]:
        i += 1 + q[i]
    if i + 5 > len(q):
        continue
    # same id and question; QR=1, opcode and RD copied, RA=1, RCODE=2
    flags = (0x80 | (q[2] & 0x79)) << 8 | 0x80 | 2
    s.sendto(q[:2] + flags.to_bytes(2, "big") + b"\0\1\0\0\0\0\0\0" + q[12:i + 5], peer)
