/* Capture files: reading pcap and pcapng, writing pcapng.
 *
 * Classic pcap is read with libpcap.  pcapng is read by netdiag's own block
 * reader, because libpcap hands out neither the Enhanced Packet Block flags
 * (direction, "checksum not ready", "checksum valid") nor the interface a
 * packet came from, and refuses files whose interfaces differ in link type.
 * Evidence is written as pcapng with those flags set, so a file keeps what
 * the kernel knew.
 */
#ifndef NETDIAG_CAPTURE_H
#define NETDIAG_CAPTURE_H

/* exported from libnetdiag.so, whose other symbols are hidden */
#pragma GCC visibility push(default)

#include <stdint.h>
#include <stdio.h>

#include <netdiag/pkt.h>

/* pcapng epb_flags bits (pcapng specification, EPB options) */
#define ND_EPB_DIR_MASK        0x3u
#define ND_EPB_DIR_INBOUND     0x1u
#define ND_EPB_DIR_OUTBOUND    0x2u
#define ND_EPB_CSUM_NOTREADY   (1u << 9)
#define ND_EPB_CSUM_VALID      (1u << 10)

#define ND_CAPTURE_ERR_MAX 256

struct nd_file;

/* Open a pcap or pcapng file (told apart by its first bytes).  On failure
 * returns a negative errno and writes a reason to err (without the path). */
int nd_file_open(struct nd_file **f, const char *path, char *err, size_t errlen);

/* Next frame: 1 and *m / *data filled (valid until the next call), 0 at
 * the end, negative errno on a damaged file with the reason in err. */
int nd_file_next(struct nd_file *f, struct nd_frame_meta *m, const uint8_t **data,
		 char *err, size_t errlen);

void nd_file_close(struct nd_file *f);

/* pcapng writer: one section, interfaces added as they are first seen. */
struct nd_pcapng_writer;

/* Write to `out` (not closed by the writer). */
int nd_pcapng_writer_new(struct nd_pcapng_writer **w, FILE *out);
/* Returns the interface id for (name, linktype), adding an IDB (with
 * if_name, nanosecond if_tsresol) the first time. */
int nd_pcapng_interface(struct nd_pcapng_writer *w, const char *ifname, int linktype,
			uint32_t snaplen);
/* One EPB; the flags word is made from m->dir and m->hints. */
int nd_pcapng_write(struct nd_pcapng_writer *w, const struct nd_frame_meta *m,
		    const uint8_t *data);
/* Flushes; returns -errno of the first failed write, if any. */
int nd_pcapng_writer_close(struct nd_pcapng_writer *w);

#pragma GCC visibility pop
#endif
