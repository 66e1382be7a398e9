/* Helpers shared by unit tests: an independent, byte-pair RFC 1071 sum to
 * check libnetdiag's word-at-a-time one against. */
#ifndef NETDIAG_TEST_NAIVE_H
#define NETDIAG_TEST_NAIVE_H

#include <stddef.h>
#include <stdint.h>

/* Add bytes as big-endian 16-bit words to a 32-bit running sum. */
uint32_t naive_add(uint32_t sum, const uint8_t *p, size_t n);
/* Fold and complement. */
uint16_t naive_fold(uint32_t sum);
/* Checksum of a transport segment with an IPv4/IPv6 pseudo-header, the
 * checksum field (at field_at) counted as zero. */
uint16_t naive_l4(const uint8_t *src, const uint8_t *dst, size_t alen, uint8_t proto,
		  const uint8_t *seg, size_t len, size_t field_at);

#endif
