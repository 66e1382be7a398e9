/* Files given as input (captures, --from documents, rule files, offload
 * save files): opened without blocking on a FIFO, checked for their kind,
 * read bounded in size and time. */
#ifndef NETDIAG_INPUT_H
#define NETDIAG_INPUT_H

/* exported from libnetdiag.so, whose other symbols are hidden */
#pragma GCC visibility push(default)

#include <stddef.h>
#include <sys/types.h>

enum nd_input_kind {
	ND_INPUT_REGULAR, /* a regular file only: a FIFO or device is refused */
	ND_INPUT_STREAM,  /* also "-" (stdin), a FIFO, a pipe or socket; never a device */
};

/* An fd for reading path ("-": a dup of stdin), blocking, O_CLOEXEC.  A
 * FIFO is opened without waiting for a writer.  Returns the fd or a
 * negative errno with the reason in err ("not a regular file", ...). */
int nd_input_open(const char *path, enum nd_input_kind kind, char *err, size_t errlen);

/* The whole of path, at most max bytes, within timeout_s seconds of no
 * input, NUL-terminated in *text (owned by the caller: free).  -EFBIG
 * past max, -ETIMEDOUT when a stream goes quiet, -EINTR when a signal
 * with a handler (SIGINT, SIGTERM) arrives: a reader never outlives a
 * request to stop. */
int nd_input_read(const char *path, enum nd_input_kind kind, size_t max, int timeout_s,
		  char **text, size_t *len, char *err, size_t errlen);

/* Up to n bytes from fd into buf, across short reads and EINTR: the count
 * (less than n only at the end of the input) or a negative errno. */
ssize_t nd_read_full(int fd, void *buf, size_t n);

#pragma GCC visibility pop
#endif
