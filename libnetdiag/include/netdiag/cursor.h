/* Bounds-checked reads of packet bytes.
 *
 * Every read of packet data in libnetdiag goes through a cursor: a view of
 * [base, base + len) with a read position.  A read past the end returns
 * -EMSGSIZE and leaves the cursor where it was, so a short frame is a
 * reported condition and never an out-of-bounds access.  Multi-byte reads
 * are big-endian (network order).
 */
#ifndef NETDIAG_CURSOR_H
#define NETDIAG_CURSOR_H

/* exported from libnetdiag.so, whose other symbols are hidden */
#pragma GCC visibility push(default)

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct nd_cur {
	const uint8_t *base;
	size_t len;
	size_t off;
};

static inline void nd_cur_init(struct nd_cur *c, const void *base, size_t len)
{
	c->base = base;
	c->len = len;
	c->off = 0;
}

static inline size_t nd_cur_left(const struct nd_cur *c)
{
	return c->len - c->off;
}

static inline int nd_cur_skip(struct nd_cur *c, size_t n)
{
	if (nd_cur_left(c) < n)
		return -EMSGSIZE;
	c->off += n;
	return 0;
}

static inline int nd_cur_u8(struct nd_cur *c, uint8_t *v)
{
	if (nd_cur_left(c) < 1)
		return -EMSGSIZE;
	*v = c->base[c->off++];
	return 0;
}

static inline int nd_cur_u16(struct nd_cur *c, uint16_t *v)
{
	if (nd_cur_left(c) < 2)
		return -EMSGSIZE;
	*v = (uint16_t)(c->base[c->off] << 8 | c->base[c->off + 1]);
	c->off += 2;
	return 0;
}

static inline int nd_cur_u32(struct nd_cur *c, uint32_t *v)
{
	if (nd_cur_left(c) < 4)
		return -EMSGSIZE;
	*v = (uint32_t)c->base[c->off] << 24 | (uint32_t)c->base[c->off + 1] << 16 |
	     (uint32_t)c->base[c->off + 2] << 8 | c->base[c->off + 3];
	c->off += 4;
	return 0;
}

/* Little-endian 32-bit read: BSD loopback headers and pcap-era host fields. */
static inline int nd_cur_u32le(struct nd_cur *c, uint32_t *v)
{
	if (nd_cur_left(c) < 4)
		return -EMSGSIZE;
	*v = (uint32_t)c->base[c->off + 3] << 24 | (uint32_t)c->base[c->off + 2] << 16 |
	     (uint32_t)c->base[c->off + 1] << 8 | c->base[c->off];
	c->off += 4;
	return 0;
}

static inline int nd_cur_bytes(struct nd_cur *c, void *dst, size_t n)
{
	if (nd_cur_left(c) < n)
		return -EMSGSIZE;
	memcpy(dst, c->base + c->off, n);
	c->off += n;
	return 0;
}

/* Peek at one byte `at` bytes ahead of the read position without moving. */
static inline int nd_cur_peek_u8(const struct nd_cur *c, size_t at, uint8_t *v)
{
	if (nd_cur_left(c) <= at)
		return -EMSGSIZE;
	*v = c->base[c->off + at];
	return 0;
}

/* Split off the next n bytes as a cursor of their own and advance past them. */
static inline int nd_cur_sub(struct nd_cur *c, size_t n, struct nd_cur *sub)
{
	if (nd_cur_left(c) < n)
		return -EMSGSIZE;
	nd_cur_init(sub, c->base + c->off, n);
	c->off += n;
	return 0;
}

/* A cursor over the same bytes, positioned at absolute offset `off`
 * (name compression in DNS jumps backwards this way). */
static inline int nd_cur_seek(struct nd_cur *c, size_t off)
{
	if (off > c->len)
		return -EMSGSIZE;
	c->off = off;
	return 0;
}

/* The bytes from the read position to the end, for checksum routines that
 * sum a validated region; the caller must not read past nd_cur_left(). */
static inline const uint8_t *nd_cur_ptr(const struct nd_cur *c)
{
	return c->base + c->off;
}

#pragma GCC visibility pop
#endif
