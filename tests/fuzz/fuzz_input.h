/* The fuzz targets that read a file: the input handed over as a memfd's
 * /dev/fd path, so the reader's own open, reads and bounds are exercised. */
#ifndef FUZZ_INPUT_H
#define FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

/* data in a memfd named name, its path into path: the descriptor (the
 * caller closes it), or -1 */
static inline int fuzz_input(const char *name, const uint8_t *data, size_t size, char path[32])
{
	int fd = memfd_create(name, MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return -1;
	}
	snprintf(path, 32, "/dev/fd/%d", fd);
	return fd;
}

#endif
