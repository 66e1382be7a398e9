/* Capture files: classic pcap through libpcap, pcapng through pcapng.c. */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture_internal.h"

/* Reading a file through libpcap by path goes 4 KiB per read(); a FILE*
 * with a large buffer reads it in 256 KiB pieces (staying in cache for the checksums) (a third of an analysis
 * was spent in the kernel). */
#define FILE_BUF_SIZE (1u << 18)

struct nd_file {
	pcap_t *pcap;              /* classic pcap */
	FILE *in;                  /* its stream; pcap_close() closes it */
	char *buf;                 /* the stream's buffer, freed after */
	struct nd_pcapng_reader *ng; /* or pcapng */
	int linktype;
	uint64_t number;
};

static int is_pcapng(const char *path, char *err, size_t errlen)
{
	uint8_t magic[4];
	FILE *in = fopen(path, "rb");
	size_t n;

	if (!in) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -errno;
	}
	n = fread(magic, 1, sizeof(magic), in);
	fclose(in);
	if (n < sizeof(magic)) {
		snprintf(err, errlen, "too short to be a capture file");
		return -EINVAL;
	}
	/* the Section Header Block type reads the same in either byte order */
	return magic[0] == 0x0a && magic[1] == 0x0d && magic[2] == 0x0d && magic[3] == 0x0a;
}

int nd_file_open(struct nd_file **fp, const char *path, char *err, size_t errlen)
{
	char pcap_err[PCAP_ERRBUF_SIZE];
	struct nd_file *f;
	int ng, ret;

	ng = is_pcapng(path, err, errlen);
	if (ng < 0)
		return ng;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	if (ng) {
		ret = nd_pcapng_open(&f->ng, path, err, errlen);
		if (ret) {
			free(f);
			return ret;
		}
	} else {
		f->in = fopen(path, "rb");
		if (!f->in) {
			ret = -errno;
			snprintf(err, errlen, "%s", strerror(errno));
			free(f);
			return ret;
		}
		f->buf = malloc(FILE_BUF_SIZE);
		if (f->buf)
			setvbuf(f->in, f->buf, _IOFBF, FILE_BUF_SIZE);
		f->pcap = pcap_fopen_offline_with_tstamp_precision(f->in, PCAP_TSTAMP_PRECISION_NANO,
								   pcap_err);
		if (!f->pcap) {
			snprintf(err, errlen, "%s", pcap_err);
			fclose(f->in);
			free(f->buf);
			free(f);
			return -EINVAL;
		}
		f->linktype = pcap_datalink(f->pcap);
	}
	*fp = f;
	return 0;
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
	free(f->buf);
	nd_pcapng_close(f->ng);
	free(f);
}
