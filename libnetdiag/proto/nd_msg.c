/* Neighbour discovery dissector. */
#include <errno.h>
#include <string.h>

#include <netdiag/nd.h>

enum { OPT_SRC_LLADDR = 1, OPT_TGT_LLADDR = 2, OPT_PREFIX = 3, OPT_MTU = 5, OPT_RDNSS = 25 };

static void prefix_option(struct nd_ndp_msg *m, struct nd_cur v)
{
	struct nd_ndp_prefix *p;
	uint8_t flags;
	uint32_t reserved;

	if (m->nprefixes == ND_NDP_PREFIXES_MAX)
		return;
	p = &m->prefixes[m->nprefixes];
	if (nd_cur_u8(&v, &p->len) || nd_cur_u8(&v, &flags) || nd_cur_u32(&v, &p->valid) ||
	    nd_cur_u32(&v, &p->preferred) || nd_cur_u32(&v, &reserved) ||
	    nd_cur_bytes(&v, p->prefix, 16))
		return;
	p->on_link = flags & 0x80;
	p->autonomous = flags & 0x40;
	m->nprefixes++;
}

static void rdnss_option(struct nd_ndp_msg *m, struct nd_cur v)
{
	uint16_t reserved;

	if (nd_cur_u16(&v, &reserved) || nd_cur_u32(&v, &m->rdnss_lifetime))
		return;
	while (m->nrdnss < ND_NDP_RDNSS_MAX && !nd_cur_bytes(&v, m->rdnss[m->nrdnss], 16))
		m->nrdnss++;
}

static int options(struct nd_ndp_msg *m, struct nd_cur c)
{
	while (nd_cur_left(&c)) {
		uint8_t type, len;
		uint16_t reserved;
		struct nd_cur v;

		if (nd_cur_u8(&c, &type) || nd_cur_u8(&c, &len))
			return -EMSGSIZE;
		/* RFC 4861 4.6: length in 8-octet units, 0 is invalid */
		if (!len || nd_cur_sub(&c, (size_t)len * 8 - 2, &v))
			return -EINVAL;
		switch (type) {
		case OPT_SRC_LLADDR:
		case OPT_TGT_LLADDR:
			m->has_lladdr = !nd_cur_bytes(&v, m->lladdr, 6);
			break;
		case OPT_PREFIX:
			prefix_option(m, v);
			break;
		case OPT_MTU:
			if (!nd_cur_u16(&v, &reserved))
				nd_cur_u32(&v, &m->mtu);
			break;
		case OPT_RDNSS:
			rdnss_option(m, v);
			break;
		default:
			break;
		}
	}
	return 0;
}

int nd_ndp_parse(struct nd_ndp_msg *m, struct nd_cur c)
{
	uint8_t code, flags;
	uint16_t sum;
	uint32_t word, reachable, retrans;

	memset(m, 0, sizeof(*m));
	if (nd_cur_u8(&c, &m->type) || nd_cur_u8(&c, &code) || nd_cur_u16(&c, &sum))
		return -EMSGSIZE;
	switch (m->type) {
	case ND_ICMP6_RS:
		if (nd_cur_u32(&c, &word))
			return -EMSGSIZE;
		break;
	case ND_ICMP6_RA:
		if (nd_cur_u8(&c, &m->hop_limit) || nd_cur_u8(&c, &flags) ||
		    nd_cur_u16(&c, &m->router_lifetime) || nd_cur_u32(&c, &reachable) ||
		    nd_cur_u32(&c, &retrans))
			return -EMSGSIZE;
		m->managed = flags & 0x80;
		m->other = flags & 0x40;
		break;
	case ND_ICMP6_NS:
	case ND_ICMP6_NA:
		if (nd_cur_u32(&c, &word) || nd_cur_bytes(&c, m->target, 16))
			return -EMSGSIZE;
		m->router_flag = word >> 31;
		m->solicited = (word >> 30) & 1;
		m->override = (word >> 29) & 1;
		break;
	default:
		return -EPROTONOSUPPORT;
	}
	return options(m, c);
}
