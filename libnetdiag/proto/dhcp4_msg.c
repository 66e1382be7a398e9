/* DHCPv4 dissector. */
#include <errno.h>
#include <string.h>

#include <netdiag/dhcp4.h>

#define BOOTP_SNAME_AT 44
#define BOOTP_SNAME_LEN 64
#define BOOTP_FILE_AT 108
#define BOOTP_FILE_LEN 128
#define BOOTP_LEN 236
#define DHCP_MAGIC 0x63825363u

enum {
	OPT_PAD = 0, OPT_MASK = 1, OPT_ROUTER = 3, OPT_DNS = 6, OPT_HOSTNAME = 12,
	OPT_DOMAIN = 15, OPT_MTU = 26, OPT_REQUESTED_IP = 50, OPT_LEASE = 51,
	OPT_OVERLOAD = 52, OPT_TYPE = 53, OPT_SERVER_ID = 54, OPT_PARAMS = 55,
	OPT_T1 = 58, OPT_T2 = 59, OPT_CLIENT_ID = 61, OPT_RELAY = 82,
	OPT_SEARCH = 119, OPT_CLASSLESS = 121, OPT_END = 255,
};

static void addr_list(struct nd_cur v, uint8_t (*out)[4], unsigned *n)
{
	while (*n < ND_DHCP4_ADDRS_MAX && !nd_cur_bytes(&v, out[*n], 4))
		(*n)++;
}

static void text(struct nd_cur v, char *out)
{
	size_t n = nd_cur_left(&v) < ND_DHCP4_TEXT_MAX - 1 ? nd_cur_left(&v) : ND_DHCP4_TEXT_MAX - 1;

	nd_cur_bytes(&v, out, n);
	out[n] = 0;
}

/* RFC 3442: each route is a width, the significant octets, a router. */
static unsigned count_classless(struct nd_cur v)
{
	unsigned n = 0;
	uint8_t width;

	while (!nd_cur_u8(&v, &width) && width <= 32 &&
	       !nd_cur_skip(&v, (size_t)(width + 7) / 8 + 4))
		n++;
	return n;
}

static int u32_option(struct nd_cur v, uint32_t *out, bool *has)
{
	if (nd_cur_u32(&v, out))
		return -EINVAL;
	*has = true;
	return 0;
}

static int option(struct nd_dhcp4 *m, uint8_t code, struct nd_cur v)
{
	size_t len = nd_cur_left(&v);

	m->noptions++;
	switch (code) {
	case OPT_TYPE:
		return nd_cur_u8(&v, &m->type) ? -EINVAL : 0;
	case OPT_SERVER_ID:
		m->has_server_id = !nd_cur_bytes(&v, m->server_id, 4);
		return 0;
	case OPT_REQUESTED_IP:
		m->has_requested_ip = !nd_cur_bytes(&v, m->requested_ip, 4);
		return 0;
	case OPT_MASK:
		m->has_mask = !nd_cur_bytes(&v, m->mask, 4);
		return 0;
	case OPT_LEASE:
		return u32_option(v, &m->lease, &m->has_lease);
	case OPT_T1:
		return u32_option(v, &m->t1, &m->has_t1);
	case OPT_T2:
		return u32_option(v, &m->t2, &m->has_t2);
	case OPT_MTU:
		m->has_mtu = !nd_cur_u16(&v, &m->mtu);
		return 0;
	case OPT_ROUTER:
		addr_list(v, m->routers, &m->nrouters);
		return 0;
	case OPT_DNS:
		addr_list(v, m->dns, &m->ndns);
		return 0;
	case OPT_HOSTNAME:
		text(v, m->hostname);
		return 0;
	case OPT_DOMAIN:
		text(v, m->domain);
		return 0;
	case OPT_PARAMS:
		m->nparams = len < sizeof(m->params) ? (unsigned)len : sizeof(m->params);
		nd_cur_bytes(&v, m->params, m->nparams);
		return 0;
	case OPT_CLIENT_ID:
		m->client_id_len = len < sizeof(m->client_id) ? (unsigned)len : sizeof(m->client_id);
		nd_cur_bytes(&v, m->client_id, m->client_id_len);
		return 0;
	case OPT_OVERLOAD:
		return nd_cur_u8(&v, &m->overload) ? -EINVAL : 0;
	case OPT_RELAY:
		m->has_relay_info = true;
		return 0;
	case OPT_SEARCH:
		m->search_len += (unsigned)len;
		return 0;
	case OPT_CLASSLESS:
		m->classless_routes = count_classless(v);
		return 0;
	default:
		return 0;
	}
}

/* Walk one option area; a missing END in sname/file is tolerated. */
static int options(struct nd_dhcp4 *m, struct nd_cur c, bool main_area)
{
	for (;;) {
		uint8_t code, len;
		struct nd_cur v;
		int err;

		if (nd_cur_u8(&c, &code))
			return main_area ? -EINVAL : 0;  /* RFC 2131 4.1: END is required */
		if (code == OPT_END)
			return 0;
		if (code == OPT_PAD)
			continue;
		if (nd_cur_u8(&c, &len) || nd_cur_sub(&c, len, &v))
			return -EINVAL;
		err = option(m, code, v);
		if (err)
			return err;
	}
}

int nd_dhcp4_parse(struct nd_dhcp4 *m, struct nd_cur c)
{
	struct nd_cur bootp = c, area;
	uint32_t magic;
	int err;

	memset(m, 0, sizeof(*m));
	if (nd_cur_u8(&c, &m->op) || nd_cur_u8(&c, &m->htype) || nd_cur_u8(&c, &m->hlen) ||
	    nd_cur_u8(&c, &m->hops) || nd_cur_u32(&c, &m->xid) || nd_cur_u16(&c, &m->secs) ||
	    nd_cur_u16(&c, &m->flags) || nd_cur_bytes(&c, m->ciaddr, 4) ||
	    nd_cur_bytes(&c, m->yiaddr, 4) || nd_cur_bytes(&c, m->siaddr, 4) ||
	    nd_cur_bytes(&c, m->giaddr, 4) || nd_cur_bytes(&c, m->chaddr, 16) ||
	    nd_cur_seek(&c, BOOTP_LEN) || nd_cur_u32(&c, &magic))
		return -EMSGSIZE;
	if (magic != DHCP_MAGIC)
		return -EINVAL;
	err = options(m, c, true);
	if (err)
		return err;
	/* RFC 2132 9.3: overloaded options continue in file, then sname */
	if ((m->overload & 1) && !nd_cur_seek(&bootp, BOOTP_FILE_AT) &&
	    !nd_cur_sub(&bootp, BOOTP_FILE_LEN, &area)) {
		err = options(m, area, false);
		if (err)
			return err;
	}
	nd_cur_seek(&bootp, 0);
	if ((m->overload & 2) && !nd_cur_seek(&bootp, BOOTP_SNAME_AT) &&
	    !nd_cur_sub(&bootp, BOOTP_SNAME_LEN, &area))
		return options(m, area, false);
	return 0;
}

const char *nd_dhcp4_type_name(uint8_t type)
{
	static const char *const names[] = {
		"BOOTP", "DISCOVER", "OFFER", "REQUEST", "DECLINE", "ACK", "NAK",
		"RELEASE", "INFORM",
	};

	return type < sizeof(names) / sizeof(names[0]) ? names[type] : "DHCP?";
}
