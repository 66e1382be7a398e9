/* pcapng writer: host byte order, one section, nanosecond timestamps, the
 * kernel's checksum status and direction kept in epb_flags. */
#include <errno.h>
#include <math.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "capture_internal.h"

#define WRITER_MAX_IFACES 64
#define TSRESOL_NANO 9

struct writer_iface {
	char name[IF_NAMESIZE];
	int linktype;
};

struct nd_pcapng_writer {
	FILE *out;
	int err;
	struct writer_iface ifaces[WRITER_MAX_IFACES];
	unsigned nif;
};

static void put(struct nd_pcapng_writer *w, const void *p, size_t n)
{
	if (!w->err && fwrite(p, 1, n, w->out) != n)
		w->err = -errno;
}

static void put32(struct nd_pcapng_writer *w, uint32_t v)
{
	put(w, &v, sizeof(v));
}

static void put_option(struct nd_pcapng_writer *w, uint16_t code, const void *val, uint16_t len)
{
	static const uint8_t zero[4];

	put(w, &code, sizeof(code));
	put(w, &len, sizeof(len));
	put(w, val, len);
	put(w, zero, (4u - len % 4u) % 4u);
}

static uint32_t option_size(uint16_t len)
{
	return 4u + len + (4u - len % 4u) % 4u;
}

int nd_pcapng_writer_new(struct nd_pcapng_writer **wp, FILE *out)
{
	struct nd_pcapng_writer *w = calloc(1, sizeof(*w));
	uint16_t version[2] = { 1, 0 };
	int64_t section_len = -1;  /* unknown: written as a stream */

	if (!w)
		return -ENOMEM;
	w->out = out;
	put32(w, PCAPNG_SHB);
	put32(w, 28);
	put32(w, PCAPNG_BYTE_ORDER_MAGIC);
	put(w, version, sizeof(version));
	put(w, &section_len, sizeof(section_len));
	put32(w, 28);
	*wp = w;
	return w->err;
}

int nd_pcapng_interface(struct nd_pcapng_writer *w, const char *ifname, int linktype,
			uint32_t snaplen)
{
	uint16_t name_len, lt = (uint16_t)linktype, reserved = 0;
	uint8_t tsresol = TSRESOL_NANO;
	uint32_t total;
	unsigned i;

	for (i = 0; i < w->nif; i++)
		if (w->ifaces[i].linktype == linktype && !strcmp(w->ifaces[i].name, ifname))
			return (int)i;
	if (w->nif == WRITER_MAX_IFACES)
		return -ENOSPC;
	snprintf(w->ifaces[i].name, sizeof(w->ifaces[i].name), "%s", ifname);
	w->ifaces[i].linktype = linktype;
	name_len = (uint16_t)strlen(w->ifaces[i].name);
	total = 20 + (name_len ? option_size(name_len) : 0) + option_size(1) + 4;
	put32(w, PCAPNG_IDB);
	put32(w, total);
	put(w, &lt, sizeof(lt));
	put(w, &reserved, sizeof(reserved));
	put32(w, snaplen);
	if (name_len)
		put_option(w, PCAPNG_IF_NAME, w->ifaces[i].name, name_len);
	put_option(w, PCAPNG_IF_TSRESOL, &tsresol, 1);
	put32(w, PCAPNG_OPT_END);
	put32(w, total);
	w->nif++;
	return w->err ? w->err : (int)i;
}

static uint32_t epb_flags(const struct nd_frame_meta *m)
{
	uint32_t flags = 0;

	if (m->dir == ND_DIR_IN)
		flags |= ND_EPB_DIR_INBOUND;
	else if (m->dir == ND_DIR_OUT)
		flags |= ND_EPB_DIR_OUTBOUND;
	if (m->hints & ND_HINT_CSUM_NOTREADY)
		flags |= ND_EPB_CSUM_NOTREADY;
	if (m->hints & ND_HINT_CSUM_VALID)
		flags |= ND_EPB_CSUM_VALID;
	return flags;
}

int nd_pcapng_write(struct nd_pcapng_writer *w, const struct nd_frame_meta *m,
		    const uint8_t *data)
{
	static const uint8_t zero[4];
	uint64_t ns = (uint64_t)llround(m->ts * 1e9);
	uint32_t flags = epb_flags(m), pad = (4u - m->caplen % 4u) % 4u, total;
	int ifid = nd_pcapng_interface(w, m->ifname ? m->ifname : "", m->linktype, 0);

	if (ifid < 0)
		return ifid;
	total = 32 + m->caplen + pad + (flags ? option_size(4) : 0) + 4;
	put32(w, PCAPNG_EPB);
	put32(w, total);
	put32(w, (uint32_t)ifid);
	put32(w, (uint32_t)(ns >> 32));
	put32(w, (uint32_t)ns);
	put32(w, m->caplen);
	put32(w, m->wirelen);
	put(w, data, m->caplen);
	put(w, zero, pad);
	if (flags)
		put_option(w, PCAPNG_EPB_FLAGS, &flags, 4);
	put32(w, PCAPNG_OPT_END);
	put32(w, total);
	return w->err;
}

int nd_pcapng_writer_close(struct nd_pcapng_writer *w)
{
	int err;

	if (!w)
		return 0;
	if (fflush(w->out) && !w->err)
		w->err = -errno;
	err = w->err;
	free(w);
	return err;
}
