/* A pcapng reader built on the byte cursor: sections in either byte order,
 * interfaces with names, time resolution and offset, Enhanced, Simple and
 * obsolete Packet Blocks; other blocks are skipped.  The file is read, one
 * block at a time, into a buffer the frames are handed out of: a pipe, a
 * FIFO or stdin read as well as a file, and a file that shrinks while it
 * is read is "cut short", not a SIGBUS (a mapping would fault). */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netdiag/input.h>

#include "capture_internal.h"

#define PCAPNG_MAX_IFACES 4096
#define PCAPNG_NAME_MAX 64
#define BLOCK_MIN_LEN 12
/* a block is a frame and its options: 256 KiB snaplen leaves room */
#define BLOCK_MAX_LEN (16u << 20)

struct pcapng_iface {
	int linktype;
	uint32_t snaplen;
	double units_per_sec;
	int64_t ts_offset;
	char name[PCAPNG_NAME_MAX];
};

struct nd_pcapng_reader {
	int fd;
	uint8_t prefix[4];     /* bytes file.c read to tell pcapng from pcap */
	size_t nprefix, prefix_off;
	uint8_t *block;        /* the current block, whole */
	size_t cap;
	size_t off;            /* file offset of the next block */
	bool big_endian;       /* byte order of the current section */
	bool in_section;
	struct pcapng_iface *ifaces;
	unsigned nif;
};

static int rd16(const struct nd_pcapng_reader *r, struct nd_cur *c, uint16_t *v)
{
	uint16_t x;
	int err = nd_cur_u16(c, &x);

	if (!err)
		*v = r->big_endian ? x : (uint16_t)(x >> 8 | x << 8);
	return err;
}

static int rd32(const struct nd_pcapng_reader *r, struct nd_cur *c, uint32_t *v)
{
	return r->big_endian ? nd_cur_u32(c, v) : nd_cur_u32le(c, v);
}

int nd_pcapng_open_fd(struct nd_pcapng_reader **rp, int fd, const uint8_t *prefix,
		      size_t nprefix, char *err, size_t errlen)
{
	struct nd_pcapng_reader *r = calloc(1, sizeof(*r));

	if (!r || nprefix > sizeof(r->prefix)) {
		free(r);
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	r->fd = fd;
	memcpy(r->prefix, prefix, nprefix);
	r->nprefix = nprefix;
	*rp = r;
	return 0;
}

/* n bytes into dst, the prefix first; fewer only at the end of input */
static ssize_t fill(struct nd_pcapng_reader *r, uint8_t *dst, size_t n)
{
	size_t got = 0;

	ssize_t k;

	while (got < n && r->prefix_off < r->nprefix)
		dst[got++] = r->prefix[r->prefix_off++];
	k = nd_read_full(r->fd, dst + got, n - got);
	return k < 0 ? k : (ssize_t)got + k;
}

static int damaged(size_t off, char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "damaged pcapng at offset %zu: %s", off, what);
	return -EINVAL;
}

static int section_header(struct nd_pcapng_reader *r, struct nd_cur *body, size_t off,
			  char *err, size_t errlen)
{
	uint32_t magic;

	if (nd_cur_u32(body, &magic))
		return damaged(off, err, errlen, "short section header");
	if (magic == PCAPNG_BYTE_ORDER_MAGIC)
		r->big_endian = true;
	else if (magic == 0x4d3c2b1au)
		r->big_endian = false;
	else
		return damaged(off, err, errlen, "bad byte-order magic");
	r->in_section = true;
	r->nif = 0;  /* interface ids are per section */
	return 0;
}

/* if_tsresol: high bit clear = negative power of 10, set = of 2 */
static double tsresol_units(uint8_t v)
{
	if (v & 0x80)
		return ldexp(1.0, v & 0x7f);
	return pow(10.0, v);
}

static int interface_block(struct nd_pcapng_reader *r, struct nd_cur *body, size_t off,
			   char *err, size_t errlen)
{
	struct pcapng_iface *ifc;
	uint16_t linktype, reserved, code, len;

	if (r->nif == PCAPNG_MAX_IFACES)
		return damaged(off, err, errlen, "too many interfaces");
	if (!(r->nif & (r->nif - 1))) {
		struct pcapng_iface *grown =
			realloc(r->ifaces, sizeof(*grown) * (r->nif ? r->nif * 2 : 4));

		if (!grown)
			return -ENOMEM;
		r->ifaces = grown;
	}
	ifc = &r->ifaces[r->nif];
	memset(ifc, 0, sizeof(*ifc));
	ifc->units_per_sec = 1e6;
	if (rd16(r, body, &linktype) || rd16(r, body, &reserved) || rd32(r, body, &ifc->snaplen))
		return damaged(off, err, errlen, "short interface block");
	ifc->linktype = linktype;
	while (!rd16(r, body, &code) && !rd16(r, body, &len) && code != PCAPNG_OPT_END) {
		struct nd_cur val;

		if (nd_cur_sub(body, len, &val) || nd_cur_skip(body, (4 - len % 4) % 4))
			return damaged(off, err, errlen, "interface option overruns block");
		if (code == PCAPNG_IF_NAME) {
			size_t n = len < PCAPNG_NAME_MAX - 1 ? len : PCAPNG_NAME_MAX - 1;

			nd_cur_bytes(&val, ifc->name, n);
			ifc->name[n] = 0;
		} else if (code == PCAPNG_IF_TSRESOL && len >= 1) {
			uint8_t v;

			nd_cur_u8(&val, &v);
			ifc->units_per_sec = tsresol_units(v);
		} else if (code == PCAPNG_IF_TSOFFSET && len >= 8) {
			uint32_t a, b;

			rd32(r, &val, &a);
			rd32(r, &val, &b);
			ifc->ts_offset = (int64_t)(r->big_endian ? (uint64_t)a << 32 | b
								 : (uint64_t)b << 32 | a);
		}
	}
	r->nif++;
	return 0;
}

void nd_epb_flags_to_meta(uint32_t flags, struct nd_frame_meta *m)
{
	if ((flags & ND_EPB_DIR_MASK) == ND_EPB_DIR_INBOUND)
		m->dir = ND_DIR_IN;
	else if ((flags & ND_EPB_DIR_MASK) == ND_EPB_DIR_OUTBOUND)
		m->dir = ND_DIR_OUT;
	if (flags & ND_EPB_CSUM_NOTREADY)
		m->hints |= ND_HINT_CSUM_NOTREADY;
	if (flags & ND_EPB_CSUM_VALID)
		m->hints |= ND_HINT_CSUM_VALID;
}

static void epb_options(const struct nd_pcapng_reader *r, struct nd_cur *body,
			struct nd_frame_meta *m)
{
	uint16_t code, len;

	while (!rd16(r, body, &code) && !rd16(r, body, &len) && code != PCAPNG_OPT_END) {
		struct nd_cur val;
		uint32_t flags;

		if (nd_cur_sub(body, len, &val) || nd_cur_skip(body, (4 - len % 4) % 4))
			return;
		if (code == PCAPNG_EPB_FLAGS && !rd32(r, &val, &flags))
			nd_epb_flags_to_meta(flags, m);
	}
}

static int packet_block(struct nd_pcapng_reader *r, uint32_t type, struct nd_cur *body,
			size_t off, struct nd_frame_meta *m, const uint8_t **data,
			char *err, size_t errlen)
{
	uint32_t ifid = 0, ts_hi = 0, ts_lo = 0, caplen, wirelen;
	const struct pcapng_iface *ifc;
	uint16_t ifid16, drops;

	memset(m, 0, sizeof(*m));
	if (type == PCAPNG_EPB) {
		if (rd32(r, body, &ifid) || rd32(r, body, &ts_hi) || rd32(r, body, &ts_lo) ||
		    rd32(r, body, &caplen) || rd32(r, body, &wirelen))
			return damaged(off, err, errlen, "short packet block");
	} else if (type == PCAPNG_OPB) {
		if (rd16(r, body, &ifid16) || rd16(r, body, &drops) || rd32(r, body, &ts_hi) ||
		    rd32(r, body, &ts_lo) || rd32(r, body, &caplen) || rd32(r, body, &wirelen))
			return damaged(off, err, errlen, "short packet block");
		ifid = ifid16;
	} else {
		if (rd32(r, body, &wirelen))
			return damaged(off, err, errlen, "short simple packet block");
		caplen = wirelen;
		if (r->nif && r->ifaces[0].snaplen && caplen > r->ifaces[0].snaplen)
			caplen = r->ifaces[0].snaplen;
		if (caplen > nd_cur_left(body))
			caplen = (uint32_t)nd_cur_left(body);
	}
	if (ifid >= r->nif)
		return damaged(off, err, errlen, "packet names an undeclared interface");
	ifc = &r->ifaces[ifid];
	*data = nd_cur_ptr(body);
	if (nd_cur_skip(body, caplen) || nd_cur_skip(body, (4 - caplen % 4) % 4))
		return damaged(off, err, errlen, "packet data overruns block");
	m->caplen = caplen;
	m->wirelen = wirelen < caplen ? caplen : wirelen;
	m->linktype = ifc->linktype;
	m->ifindex = ifid;
	m->ifname = ifc->name;
	m->ts = (double)((uint64_t)ts_hi << 32 | ts_lo) / ifc->units_per_sec +
		(double)ifc->ts_offset;
	if (type != PCAPNG_SPB)
		epb_options(r, body, m);
	return 1;
}

int nd_pcapng_next(struct nd_pcapng_reader *r, struct nd_frame_meta *m, const uint8_t **data,
		   char *err, size_t errlen)
{
	for (;;) {
		struct nd_cur c, body;
		uint32_t type, total, trailer;
		size_t off = r->off;
		ssize_t got;
		int ret;

		/* type, length and one more word: for a section header that
		 * word is the byte-order magic the length is read with */
		if (r->cap < BLOCK_MIN_LEN) {
			uint8_t *b = realloc(r->block, 65536);

			if (!b)
				return -ENOMEM;
			r->block = b;
			r->cap = 65536;
		}
		got = fill(r, r->block, BLOCK_MIN_LEN);
		if (got < 0) {
			snprintf(err, errlen, "%s", strerror((int)-got));
			return (int)got;
		}
		if (got == 0)
			return 0;
		if (got < BLOCK_MIN_LEN)
			return damaged(off, err, errlen, "truncated block header (file cut short?)");
		nd_cur_init(&c, r->block, BLOCK_MIN_LEN);
		nd_cur_u32(&c, &type);
		if (type == PCAPNG_SHB) {
			struct nd_cur peek = c;
			uint32_t magic;

			nd_cur_skip(&peek, 4);
			nd_cur_u32(&peek, &magic);
			r->big_endian = magic == PCAPNG_BYTE_ORDER_MAGIC;
		} else if (!r->in_section) {
			return damaged(off, err, errlen, "no section header");
		} else if (!r->big_endian) {
			type = __builtin_bswap32(type);
		}
		if (rd32(r, &c, &total) || total < BLOCK_MIN_LEN || total % 4)
			return damaged(off, err, errlen, "bad block length");
		if (total > BLOCK_MAX_LEN)
			return damaged(off, err, errlen, "block longer than 16 MiB");
		if (total > r->cap) {
			uint8_t *b = realloc(r->block, total);

			if (!b)
				return -ENOMEM;
			r->block = b;
			r->cap = total;
		}
		got = fill(r, r->block + BLOCK_MIN_LEN, total - BLOCK_MIN_LEN);
		if (got < 0) {
			snprintf(err, errlen, "%s", strerror((int)-got));
			return (int)got;
		}
		if ((size_t)got < total - BLOCK_MIN_LEN)
			return damaged(off, err, errlen, "block overruns the file (file cut short?)");
		nd_cur_init(&body, r->block + 8, total - BLOCK_MIN_LEN);
		nd_cur_init(&c, r->block + total - 4, 4);
		if (rd32(r, &c, &trailer) || trailer != total)
			return damaged(off, err, errlen, "block trailer does not match its length");
		r->off = off + total;
		switch (type) {
		case PCAPNG_SHB:
			ret = section_header(r, &body, off, err, errlen);
			break;
		case PCAPNG_IDB:
			ret = interface_block(r, &body, off, err, errlen);
			break;
		case PCAPNG_EPB:
		case PCAPNG_OPB:
		case PCAPNG_SPB:
			return packet_block(r, type, &body, off, m, data, err, errlen);
		default:
			ret = 0;  /* statistics, name resolution, custom: not ours */
		}
		if (ret)
			return ret;
	}
}

void nd_pcapng_close(struct nd_pcapng_reader *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	free(r->block);
	free(r->ifaces);
	free(r);
}
