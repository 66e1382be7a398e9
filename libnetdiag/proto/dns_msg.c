/* DNS message dissector. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <netdiag/dns.h>

#define DNS_HLEN 12
#define LABEL_POINTER 0xc0
#define LABEL_MAX 63
#define NAME_WIRE_MAX 255
#define HOPS_MAX 32          /* a name has at most 127 labels; loops end here */
#define TYPE_A 1
#define TYPE_AAAA 28
#define TYPE_OPT 41

/* One walk for both uses: with `out`, the name as text; without, only
 * checked and stepped over (records' owner names are never needed as text,
 * only whether one is the root), with the same errors either way. */
static int name_walk(struct nd_cur *c, char *out, size_t outlen, bool *root)
{
	struct nd_cur walk = *c;
	size_t wire = 0, n = 0, resume = 0;
	int hops = 0, err = 0;

	for (;;) {
		uint8_t len;

		if (nd_cur_u8(&walk, &len)) {
			err = -EMSGSIZE;
			goto out;
		}
		if ((len & LABEL_POINTER) == LABEL_POINTER) {
			uint8_t low;
			size_t target;

			if (nd_cur_u8(&walk, &low)) {
				err = -EMSGSIZE;
				goto out;
			}
			target = (size_t)(len & 0x3f) << 8 | low;
			/* a pointer must point before itself: no loops, no forward refs */
			if (target >= walk.off - 2 || ++hops > HOPS_MAX) {
				err = -EINVAL;
				goto out;
			}
			if (!resume)
				resume = walk.off;
			if (nd_cur_seek(&walk, target)) {
				err = -EINVAL;
				goto out;
			}
			continue;
		}
		if (len > LABEL_MAX) {
			err = -EINVAL;  /* 0x40 and 0x80 label types are obsolete */
			goto out;
		}
		wire += (size_t)len + 1;
		if (wire > NAME_WIRE_MAX) {
			err = -EINVAL;
			goto out;
		}
		if (!len)
			break;
		if (!out) {
			if (nd_cur_skip(&walk, len)) {
				err = -EMSGSIZE;
				goto out;
			}
			continue;
		}
		if (n && n + 1 < outlen)
			out[n++] = '.';
		/* a whole label mapped in place, when the message holds it
		 * (no copy of it first: a call per label) */
		if (nd_cur_left(&walk) >= len && n + len < outlen) {
			const uint8_t *label = nd_cur_ptr(&walk);

			for (uint8_t i = 0; i < len; i++)
				out[n + i] = (label[i] > 0x20 && label[i] < 0x7f) ? (char)label[i] : '?';
			n += len;
			walk.off += len;
			continue;
		}
		for (uint8_t i = 0; i < len; i++) {
			uint8_t ch;

			if (nd_cur_u8(&walk, &ch)) {
				err = -EMSGSIZE;
				goto out;
			}
			if (n + 1 < outlen)
				out[n++] = (ch > 0x20 && ch < 0x7f) ? (char)ch : '?';
		}
	}
	if (root)
		*root = wire == 1;
	if (out && !n)
		out[n++] = '.';
	c->off = resume ? resume : walk.off;
out:
	/* what was read so far, as text, on an error too */
	if (out)
		out[n] = 0;
	return err;
}

int nd_dns_name(struct nd_cur *c, char *out, size_t outlen)
{
	if (outlen < 2)
		return -ENOSPC;
	return name_walk(c, out, outlen, NULL);
}

static int header(struct nd_dns *m, struct nd_cur *c)
{
	uint16_t flags;

	if (nd_cur_u16(c, &m->id) || nd_cur_u16(c, &flags) || nd_cur_u16(c, &m->qdcount) ||
	    nd_cur_u16(c, &m->ancount) || nd_cur_u16(c, &m->nscount) || nd_cur_u16(c, &m->arcount))
		return -EMSGSIZE;
	m->qr = flags >> 15;
	m->opcode = (flags >> 11) & 0xf;
	m->aa = (flags >> 10) & 1;
	m->tc = (flags >> 9) & 1;
	m->rd = (flags >> 8) & 1;
	m->ra = (flags >> 7) & 1;
	m->rcode = flags & 0xf;
	return 0;
}

static int record(struct nd_dns *m, struct nd_cur *c, bool answer)
{
	uint16_t type, class, rdlen;
	uint32_t ttl;
	struct nd_cur rdata;
	bool root;
	int err = name_walk(c, NULL, 0, &root);

	if (err)
		return err;
	if (nd_cur_u16(c, &type) || nd_cur_u16(c, &class) || nd_cur_u32(c, &ttl) ||
	    nd_cur_u16(c, &rdlen) || nd_cur_sub(c, rdlen, &rdata))
		return -EMSGSIZE;
	if (answer && type == TYPE_A && rdlen == 4 && m->n_a < ND_DNS_ADDRS_MAX)
		nd_cur_bytes(&rdata, m->a[m->n_a++], 4);
	else if (answer && type == TYPE_AAAA && rdlen == 16 && m->n_aaaa < ND_DNS_ADDRS_MAX)
		nd_cur_bytes(&rdata, m->aaaa[m->n_aaaa++], 16);
	else if (type == TYPE_OPT && root) {
		/* RFC 6891 6.1.3: CLASS is the UDP size, TTL holds the extended
		 * RCODE (upper 8 bits of 12) and the version */
		m->has_edns = true;
		m->edns_udp_size = class;
		m->edns_version = (uint8_t)(ttl >> 16);
		m->rcode |= (uint16_t)((ttl >> 24) << 4);
	}
	return 0;
}

int nd_dns_parse(struct nd_dns *m, struct nd_cur c)
{
	int err;

	/* all but the name's buffer cleared (its text ends at its first
	 * zero, on an error too): 256 bytes less to write per message; the
	 * rest copied from a zeroed one (a memset of it is a rep stos, slow
	 * to start) */
	static const struct nd_dns zero;

	_Static_assert(offsetof(struct nd_dns, qtype) <
		       offsetof(struct nd_dns, qname) + ND_DNS_NAME_MAX + _Alignof(uint16_t),
		       "only the name's buffer (and padding) lies between the two copies");
	memcpy(m, &zero, offsetof(struct nd_dns, qname) + 1);
	memcpy(&m->qtype, &zero.qtype, sizeof(*m) - offsetof(struct nd_dns, qtype));
	if (header(m, &c))
		return -EMSGSIZE;
	if (m->qdcount) {
		err = nd_dns_name(&c, m->qname, sizeof(m->qname));
		if (err)
			return err;
		if (nd_cur_u16(&c, &m->qtype) || nd_cur_u16(&c, &m->qclass))
			return -EMSGSIZE;
		m->has_question = true;
		/* further questions (never seen in practice) are skipped */
		for (unsigned i = 1; i < m->qdcount; i++) {
			err = name_walk(&c, NULL, 0, NULL);
			if (err || nd_cur_skip(&c, 4))
				return err ? err : -EMSGSIZE;
		}
	}
	for (unsigned i = 0; i < (unsigned)m->ancount + m->nscount + m->arcount; i++) {
		err = record(m, &c, i < m->ancount);
		if (err)
			return err;
		if (i < m->ancount)
			m->nanswers++;
	}
	m->sections_complete = true;
	return 0;
}

const char *nd_dns_rcode_name(uint16_t rcode)
{
	static const char *const names[] = {
		"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
		"YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE",
	};

	return rcode < sizeof(names) / sizeof(names[0]) ? names[rcode] : "RCODE?";
}
