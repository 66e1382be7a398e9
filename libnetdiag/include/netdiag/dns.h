/* DNS messages (RFC 1035, EDNS0 RFC 6891): the header, the first question,
 * A/AAAA answers, the OPT record.  Fixed-size, no allocation. */
#ifndef NETDIAG_DNS_H
#define NETDIAG_DNS_H

/* exported from libnetdiag.so, whose other symbols are hidden */
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stdint.h>

#include <netdiag/cursor.h>

#define ND_DNS_NAME_MAX 256   /* presentation form, RFC 1035 2.3.4: 255 octets */
#define ND_DNS_ADDRS_MAX 4

enum { ND_DNS_RCODE_NOERROR = 0, ND_DNS_RCODE_SERVFAIL = 2, ND_DNS_RCODE_NXDOMAIN = 3,
       ND_DNS_RCODE_REFUSED = 5 };

struct nd_dns {
	uint16_t id;
	bool qr, aa, tc, rd, ra;
	uint8_t opcode;
	uint16_t rcode;              /* with the EDNS extended bits when present */
	uint16_t qdcount, ancount, nscount, arcount;
	bool has_question;
	char qname[ND_DNS_NAME_MAX];
	uint16_t qtype, qclass;
	unsigned nanswers;           /* answer records walked */
	unsigned n_a, n_aaaa;
	uint8_t a[ND_DNS_ADDRS_MAX][4];
	uint8_t aaaa[ND_DNS_ADDRS_MAX][16];
	bool has_edns;
	uint16_t edns_udp_size;
	uint8_t edns_version;
	bool sections_complete;      /* every counted record was walked */
};

/* Parse a DNS message (the UDP payload, or a TCP one after its length).
 * 0, or -EMSGSIZE (short: header fields filled), -EINVAL (a name loops,
 * is too long or points outside the message). */
int nd_dns_parse(struct nd_dns *m, struct nd_cur msg);

/* Read a possibly compressed name at the cursor into `out` as dotted text
 * ("." for the root); the cursor moves past the name as it is in place.
 * Pointer hops are bounded and must go backwards (RFC 1035 4.1.4). */
int nd_dns_name(struct nd_cur *c, char *out, size_t outlen);

const char *nd_dns_rcode_name(uint16_t rcode);

#pragma GCC visibility pop
#endif
