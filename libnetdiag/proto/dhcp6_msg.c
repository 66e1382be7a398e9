/* DHCPv6 dissector. */
#include <errno.h>
#include <string.h>

#include <netdiag/dhcp6.h>

enum {
	OPT_CLIENTID = 1, OPT_SERVERID = 2, OPT_IA_NA = 3, OPT_IAADDR = 5,
	OPT_RELAY_MSG = 9, OPT_STATUS_CODE = 13, OPT_RAPID_COMMIT = 14,
	OPT_DNS_SERVERS = 23, OPT_IA_PD = 25, OPT_IAPREFIX = 26,
};

#define RELAY_HOPS_MAX 8   /* RFC 8415 7.6: HOP_COUNT_LIMIT is 8 */
#define RELAY_HLEN 34

static void duid(struct nd_cur v, uint8_t *out, unsigned *len)
{
	*len = nd_cur_left(&v) < ND_DHCP6_DUID_MAX ? (unsigned)nd_cur_left(&v) : ND_DHCP6_DUID_MAX;
	nd_cur_bytes(&v, out, *len);
}

/* The next option of the list at c: 1 with its code and value, 0 at the
 * end, -EINVAL when the list is cut short. */
static int next_option(struct nd_cur *c, uint16_t *code, struct nd_cur *v)
{
	uint16_t len;

	if (!nd_cur_left(c))
		return 0;
	if (nd_cur_u16(c, code) || nd_cur_u16(c, &len) || nd_cur_sub(c, len, v))
		return -EINVAL;
	return 1;
}

static int ia_options(struct nd_dhcp6_ia *ia, struct nd_cur c);

static int lease_option(struct nd_dhcp6_ia *ia, uint16_t code, struct nd_cur v)
{
	struct nd_dhcp6_lease *l;

	if (ia->nleases == ND_DHCP6_ADDRS_MAX)
		return 0;
	l = &ia->leases[ia->nleases];
	if (code == OPT_IAADDR) {
		if (nd_cur_bytes(&v, l->addr, 16) || nd_cur_u32(&v, &l->preferred) ||
		    nd_cur_u32(&v, &l->valid))
			return -EINVAL;
		l->prefix_len = 128;
	} else {
		if (nd_cur_u32(&v, &l->preferred) || nd_cur_u32(&v, &l->valid) ||
		    nd_cur_u8(&v, &l->prefix_len) || nd_cur_bytes(&v, l->addr, 16))
			return -EINVAL;
	}
	ia->nleases++;
	/* a status inside IAADDR/IAPREFIX concerns the IA */
	return ia_options(ia, v);
}

static int status_code(struct nd_cur v, uint16_t *status)
{
	return nd_cur_u16(&v, status) ? -EINVAL : 0;
}

static int ia_options(struct nd_dhcp6_ia *ia, struct nd_cur c)
{
	struct nd_cur v;
	uint16_t code;
	int more, err = 0;

	while (!err && (more = next_option(&c, &code, &v)) > 0) {
		if (code == OPT_IAADDR || code == OPT_IAPREFIX)
			err = lease_option(ia, code, v);
		else if (code == OPT_STATUS_CODE)
			err = status_code(v, &ia->status);
	}
	return err ? err : more;
}

static int ia_option(struct nd_dhcp6 *m, uint16_t code, struct nd_cur v)
{
	struct nd_dhcp6_ia *ia;

	if (m->nia == ND_DHCP6_IA_MAX)
		return 0;
	ia = &m->ia[m->nia];
	memset(ia, 0, sizeof(*ia));
	ia->type = code;
	ia->status = ND_DHCP6_STATUS_NONE;
	if (nd_cur_u32(&v, &ia->iaid) || nd_cur_u32(&v, &ia->t1) || nd_cur_u32(&v, &ia->t2))
		return -EINVAL;
	m->nia++;
	return ia_options(ia, v);
}

static int message(struct nd_dhcp6 *m, struct nd_cur c, unsigned depth);

static int options(struct nd_dhcp6 *m, struct nd_cur c, unsigned depth)
{
	struct nd_cur v;
	uint16_t code;
	int more, err = 0;

	while (!err && (more = next_option(&c, &code, &v)) > 0) {
		switch (code) {
		case OPT_CLIENTID:
			duid(v, m->client_duid, &m->client_duid_len);
			break;
		case OPT_SERVERID:
			duid(v, m->server_duid, &m->server_duid_len);
			break;
		case OPT_IA_NA:
		case OPT_IA_PD:
			err = ia_option(m, code, v);
			break;
		case OPT_STATUS_CODE:
			err = status_code(v, &m->status);
			break;
		case OPT_RAPID_COMMIT:
			m->rapid_commit = true;
			break;
		case OPT_DNS_SERVERS:
			m->ndns = nd_cur_left(&v) / 16;
			break;
		case OPT_RELAY_MSG:
			if (depth)
				err = message(m, v, depth);
			break;
		default:
			break;
		}
	}
	return err ? err : more;
}

/* depth counts relay layers still allowed below this one */
static int message(struct nd_dhcp6 *m, struct nd_cur c, unsigned depth)
{
	uint8_t type, b[3];

	if (nd_cur_u8(&c, &type))
		return -EMSGSIZE;
	if (type == ND_DHCP6_RELAY_FORW || type == ND_DHCP6_RELAY_REPL) {
		if (!depth)
			return -EINVAL;
		if (nd_cur_skip(&c, RELAY_HLEN - 1))
			return -EMSGSIZE;
		m->relayed++;
		m->type = type;
		return options(m, c, depth - 1);
	}
	m->type = type;
	if (nd_cur_bytes(&c, b, 3))
		return -EMSGSIZE;
	m->xid = (uint32_t)b[0] << 16 | (uint32_t)b[1] << 8 | b[2];
	/* not relay messages below a client/server message */
	return options(m, c, 0);
}

int nd_dhcp6_parse(struct nd_dhcp6 *m, struct nd_cur c)
{
	memset(m, 0, sizeof(*m));
	m->status = ND_DHCP6_STATUS_NONE;
	return message(m, c, RELAY_HOPS_MAX);
}

const char *nd_dhcp6_type_name(uint8_t type)
{
	static const char *const names[] = {
		"?", "SOLICIT", "ADVERTISE", "REQUEST", "CONFIRM", "RENEW", "REBIND", "REPLY",
		"RELEASE", "DECLINE", "RECONFIGURE", "INFORMATION-REQUEST", "RELAY-FORW",
		"RELAY-REPL",
	};

	return type < sizeof(names) / sizeof(names[0]) ? names[type] : "DHCPv6?";
}

const char *nd_dhcp6_status_name(uint16_t status)
{
	static const char *const names[] = {
		"Success", "UnspecFail", "NoAddrsAvail", "NoBinding", "NotOnLink",
		"UseMulticast", "NoPrefixAvail",
	};

	return status < sizeof(names) / sizeof(names[0]) ? names[status] : "status?";
}
