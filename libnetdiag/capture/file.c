/* Capture files: classic pcap through libpcap, pcapng through pcapng.c. */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netdiag/input.h>

#include "capture_internal.h"

struct nd_file {
	pcap_t *pcap;              /* classic pcap */
	struct nd_pcapng_reader *ng; /* or pcapng */
	int linktype;
	uint64_t number;
};

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

static int replay_close(void *cookie)
{
	struct replay *rp = cookie;
	int rc = close(rp->fd);

	free(rp);
	return rc;
}

static ssize_t read_magic(int fd, uint8_t *magic, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t k = read(fd, magic + got, n - got);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		if (!k)
			break;
		got += (size_t)k;
	}
	return (ssize_t)got;
}

int nd_file_open(struct nd_file **fp, const char *path, char *err, size_t errlen)
{
	static const cookie_io_functions_t io = { .read = replay_read, .close = replay_close };
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
	n = read_magic(fd, magic, sizeof(magic));
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
	f->pcap = pcap_fopen_offline_with_tstamp_precision(stream, PCAP_TSTAMP_PRECISION_NANO,
							   pcap_err);
	if (!f->pcap) {
		snprintf(err, errlen, "%s", pcap_err);
		fclose(stream);
		free(f);
		return -EINVAL;
	}
	f->linktype = pcap_datalink(f->pcap);
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
	if (f->pcap)
		pcap_close(f->pcap);
	nd_pcapng_close(f->ng);
	free(f);
}
