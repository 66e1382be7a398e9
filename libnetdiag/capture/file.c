/* Capture files: classic pcap through libpcap, pcapng through pcapng.c. */
#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <netdiag/input.h>

#include "capture_internal.h"

/* Reading a file through libpcap by path goes 4 KiB per read(), and
 * libpcap copies every record out of its stream: a third of an analysis
 * was spent in the kernel, 8% more in that copy.  Here libpcap opens the
 * file through a FILE* with a 256 KiB buffer, reads and checks the file
 * header and gives the link type; plain pcap records are then read in
 * place from 256 KiB read()s on a second descriptor (one copy, staying
 * in cache for the checksums; a mapping was slower here: page faults
 * under a virtualised MMU).  A record libpcap might treat otherwise (cut
 * short at the end, longer than the snapshot length or libpcap's bound,
 * a time before 1970 or after 2038, a fraction beyond a second) hands
 * the rest of the file to libpcap from that record on. */
#define FILE_BUF_SIZE (1u << 18)
#define PCAP_FILE_HDR 24
#define PCAP_REC_HDR 16
#define PCAP_MAGIC_US 0xa1b2c3d4u
#define PCAP_MAGIC_NS 0xa1b23c4du
#define PCAP_CAPLEN_MAX 262144u   /* libpcap's own bound for a record */

struct inplace {
	int fd;                    /* -1: libpcap reads */
	uint8_t *buf;
	size_t cap, len, pos;      /* bytes held, next record at pos */
	off_t file_off;            /* file offset of buf[0] */
	bool swapped, nano, eof;
	uint32_t snaplen;
};

struct nd_file {
	pcap_t *pcap;              /* classic pcap */
	FILE *in;                  /* its stream; pcap_close() closes it */
	char *buf;                 /* the stream's buffer, freed after */
	struct inplace ip;
	struct nd_pcapng_reader *ng; /* or pcapng */
	int linktype;
	uint64_t number;
};

static uint32_t rd32(const struct inplace *ip, const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return ip->swapped ? __builtin_bswap32(v) : v;
}

static void inplace_stop(struct inplace *ip)
{
	if (ip->fd >= 0)
		close(ip->fd);
	ip->fd = -1;
	free(ip->buf);
	ip->buf = NULL;
}

/* The in-place path for a plain pcap file (either byte order, micro- or
 * nanoseconds); otherwise libpcap reads it all. */
static void inplace_start(struct inplace *ip, int stream_fd)
{
	uint8_t hdr[PCAP_FILE_HDR];
	char self[64];
	struct stat st;
	uint32_t magic;

	/* a regular file only (a pipe or a FIFO is read once, by libpcap),
	 * through a description of its own: the stream's offset stays */
	if (fstat(stream_fd, &st) || !S_ISREG(st.st_mode))
		return;
	snprintf(self, sizeof(self), "/proc/self/fd/%d", stream_fd);
	ip->fd = open(self, O_RDONLY | O_CLOEXEC);
	if (ip->fd < 0)
		return;
	if (pread(ip->fd, hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr))
		goto off;
	memcpy(&magic, hdr, sizeof(magic));
	ip->swapped = magic == __builtin_bswap32(PCAP_MAGIC_US) ||
		      magic == __builtin_bswap32(PCAP_MAGIC_NS);
	if (!ip->swapped && magic != PCAP_MAGIC_US && magic != PCAP_MAGIC_NS)
		goto off;
	ip->nano = rd32(ip, hdr) == PCAP_MAGIC_NS;
	ip->snaplen = rd32(ip, hdr + 16);
	ip->cap = FILE_BUF_SIZE + PCAP_CAPLEN_MAX + PCAP_REC_HDR;
	ip->buf = malloc(ip->cap);
	ip->file_off = PCAP_FILE_HDR;
	if (ip->buf && lseek(ip->fd, PCAP_FILE_HDR, SEEK_SET) == PCAP_FILE_HDR)
		return;
off:
	inplace_stop(ip);
}

/* At least `need` bytes from pos on, when the file has them. */
static bool inplace_fill(struct inplace *ip, size_t need)
{
	if (ip->len - ip->pos >= need)
		return true;
	/* keep the partial record, read more behind it */
	memmove(ip->buf, ip->buf + ip->pos, ip->len - ip->pos);
	ip->file_off += (off_t)ip->pos;
	ip->len -= ip->pos;
	ip->pos = 0;
	while (!ip->eof && ip->len < need) {
		ssize_t n = read(ip->fd, ip->buf + ip->len, ip->cap - ip->len);

		if (n <= 0)
			ip->eof = true;
		else
			ip->len += (size_t)n;
	}
	return ip->len >= need;
}

/* The next record in place: 1, 0 at the end, or -1 when libpcap is to
 * take over from this record (its stream is moved there). */
static int inplace_next(struct nd_file *f, struct nd_frame_meta *m, const uint8_t **data)
{
	struct inplace *ip = &f->ip;
	const uint8_t *h;
	uint32_t caplen, frac;

	if (!inplace_fill(ip, PCAP_REC_HDR)) {
		if (ip->len == ip->pos)
			return 0;
		goto handover;
	}
	h = ip->buf + ip->pos;
	caplen = rd32(ip, h + 8);
	frac = rd32(ip, h + 4);
	if (caplen > PCAP_CAPLEN_MAX || (ip->snaplen && caplen > ip->snaplen) ||
	    rd32(ip, h) > INT32_MAX || frac >= (ip->nano ? 1000000000u : 1000000u))
		goto handover;
	if (!inplace_fill(ip, PCAP_REC_HDR + caplen))
		goto handover;
	h = ip->buf + ip->pos;
	memset(m, 0, sizeof(*m));
	m->number = ++f->number;
	m->ts = (double)rd32(ip, h) + (double)(ip->nano ? frac : frac * 1000ull) / 1e9;
	m->caplen = caplen;
	m->wirelen = rd32(ip, h + 12);
	m->linktype = f->linktype;
	m->ifname = "";
	*data = h + PCAP_REC_HDR;
	ip->pos += PCAP_REC_HDR + caplen;
	return 1;
handover:
	if (fseeko(f->in, ip->file_off + (off_t)ip->pos, SEEK_SET))
		return -1;
	inplace_stop(ip);
	return -1;
}


/* The first bytes, read to tell the formats apart, are served again to
 * libpcap through this cookie stream: a pipe cannot be rewound. */
struct replay {
	int fd;
	uint8_t magic[4];
	size_t n, off;
};

static ssize_t replay_read(void *cookie, char *buf, size_t len)
{
	struct replay *rp = cookie;
	size_t got = 0;
	ssize_t k;

	while (got < len && rp->off < rp->n)
		buf[got++] = (char)rp->magic[rp->off++];
	if (got)
		return (ssize_t)got;
	do
		k = read(rp->fd, buf, len);
	while (k < 0 && errno == EINTR);
	return k;
}

/* The in-place reader hands a regular file back to libpcap at a record
 * (SEEK_SET): the bytes served again are behind us by then. */
static int replay_seek(void *cookie, off64_t *off, int whence)
{
	struct replay *rp = cookie;
	off_t at = lseek(rp->fd, (off_t)*off, whence);

	if (at < 0)
		return -1;
	rp->off = rp->n;
	*off = at;
	return 0;
}

static int replay_close(void *cookie)
{
	struct replay *rp = cookie;
	int rc = close(rp->fd);

	free(rp);
	return rc;
}

int nd_file_open(struct nd_file **fp, const char *path, char *err, size_t errlen)
{
	static const cookie_io_functions_t io = { .read = replay_read, .seek = replay_seek,
						   .close = replay_close };
	char pcap_err[PCAP_ERRBUF_SIZE];
	struct replay *rp = NULL;
	struct nd_file *f = NULL;
	uint8_t magic[4];
	ssize_t n;
	FILE *stream;
	int fd, ret;

	/* "-", a FIFO or a pipe is read as a stream, once; a device is not
	 * a capture file */
	fd = nd_input_open(path, ND_INPUT_STREAM, err, errlen);
	if (fd < 0)
		return fd;
	n = nd_read_full(fd, magic, sizeof(magic));
	if (n < 0) {
		snprintf(err, errlen, "%s", strerror((int)-n));
		ret = (int)n;
		goto fail;
	}
	if (n < (ssize_t)sizeof(magic)) {
		snprintf(err, errlen, "too short to be a capture file");
		ret = -EINVAL;
		goto fail;
	}
	f = calloc(1, sizeof(*f));
	if (!f) {
		ret = -ENOMEM;
		goto fail;
	}
	f->ip.fd = -1;
	/* the Section Header Block type reads the same in either byte order */
	if (magic[0] == 0x0a && magic[1] == 0x0d && magic[2] == 0x0d && magic[3] == 0x0a) {
		ret = nd_pcapng_open_fd(&f->ng, fd, magic, sizeof(magic), err, errlen);
		if (ret)
			goto fail;
		*fp = f;
		return 0;
	}
	rp = calloc(1, sizeof(*rp));
	if (!rp) {
		ret = -ENOMEM;
		goto fail;
	}
	rp->fd = fd;
	memcpy(rp->magic, magic, sizeof(magic));
	rp->n = sizeof(magic);
	stream = fopencookie(rp, "r", io);
	if (!stream) {
		ret = -ENOMEM;
		goto fail;
	}
	/* from here the stream owns fd and rp */
	f->in = stream;
	f->buf = malloc(FILE_BUF_SIZE);
	if (f->buf)
		setvbuf(stream, f->buf, _IOFBF, FILE_BUF_SIZE);
	f->pcap = pcap_fopen_offline_with_tstamp_precision(stream, PCAP_TSTAMP_PRECISION_NANO,
							   pcap_err);
	if (!f->pcap) {
		snprintf(err, errlen, "%s", pcap_err);
		fclose(stream);
		free(f->buf);
		free(f);
		return -EINVAL;
	}
	f->linktype = pcap_datalink(f->pcap);
	inplace_start(&f->ip, fd);
	*fp = f;
	return 0;
fail:
	close(fd);
	free(rp);
	free(f);
	return ret;
}

int nd_file_next(struct nd_file *f, struct nd_frame_meta *m, const uint8_t **data,
		 char *err, size_t errlen)
{
	struct pcap_pkthdr *h;
	int ret;

	if (f->ng) {
		ret = nd_pcapng_next(f->ng, m, data, err, errlen);
		if (ret == 1)
			m->number = ++f->number;
		return ret;
	}
	if (f->ip.fd >= 0) {
		ret = inplace_next(f, m, data);
		if (ret >= 0)
			return ret;
	}
	ret = pcap_next_ex(f->pcap, &h, data);
	if (ret == PCAP_ERROR_BREAK)
		return 0;
	if (ret != 1) {
		snprintf(err, errlen, "%s", pcap_geterr(f->pcap));
		return -EINVAL;
	}
	memset(m, 0, sizeof(*m));
	m->number = ++f->number;
	m->ts = (double)h->ts.tv_sec + (double)h->ts.tv_usec / 1e9;
	m->caplen = h->caplen;
	m->wirelen = h->len;
	m->linktype = f->linktype;
	m->ifname = "";
	return 1;
}

void nd_file_close(struct nd_file *f)
{
	if (!f)
		return;
	inplace_stop(&f->ip);
	if (f->pcap)
		pcap_close(f->pcap);
	free(f->buf);
	nd_pcapng_close(f->ng);
	free(f);
}
