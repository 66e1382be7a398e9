/* Private to libnetdiag/capture. */
#ifndef NETDIAG_CAPTURE_INTERNAL_H
#define NETDIAG_CAPTURE_INTERNAL_H

#include <netdiag/capture.h>

/* pcapng block types (pcapng specification section 4) */
#define PCAPNG_SHB 0x0a0d0d0au
#define PCAPNG_IDB 0x00000001u
#define PCAPNG_OPB 0x00000002u  /* obsolete Packet Block */
#define PCAPNG_SPB 0x00000003u
#define PCAPNG_EPB 0x00000006u
#define PCAPNG_BYTE_ORDER_MAGIC 0x1a2b3c4du

/* option codes */
#define PCAPNG_OPT_END 0
#define PCAPNG_IF_NAME 2
#define PCAPNG_IF_TSRESOL 9
#define PCAPNG_IF_TSOFFSET 14
#define PCAPNG_EPB_FLAGS 2

struct nd_pcapng_reader;

/* A reader of fd (taken: closed by nd_pcapng_close), whose first nprefix
 * bytes were already read into prefix. */
int nd_pcapng_open_fd(struct nd_pcapng_reader **r, int fd, const uint8_t *prefix,
		      size_t nprefix, char *err, size_t errlen);
int nd_pcapng_next(struct nd_pcapng_reader *r, struct nd_frame_meta *m, const uint8_t **data,
		   char *err, size_t errlen);
void nd_pcapng_close(struct nd_pcapng_reader *r);

/* Direction and hints from an epb_flags word. */
void nd_epb_flags_to_meta(uint32_t flags, struct nd_frame_meta *m);

#endif
