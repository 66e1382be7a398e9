/* The Internet checksum (RFC 1071), a machine word at a time.
 *
 * 32-bit words are added into a 64-bit accumulator, so carries collect in
 * the upper half and are folded once at the end (RFC 1071 section 2(C):
 * "deferred carries").  Words are loaded in memory order; the one's
 * complement sum is byte-order independent up to a final swap (section
 * 2(B)), done in nd_csum_fold.
 */
#include <arpa/inet.h>
#include <string.h>

#include <netdiag/pkt.h>

static inline uint32_t load32(const uint8_t *p)
{
	uint32_t w;

	memcpy(&w, p, sizeof(w));
	return w;
}

uint64_t nd_csum_partial(const void *buf, size_t len, uint64_t sum)
{
	const uint8_t *p = buf;

	while (len >= 16) {
		sum += (uint64_t)load32(p) + load32(p + 4) + load32(p + 8) + load32(p + 12);
		p += 16;
		len -= 16;
	}
	while (len >= 4) {
		sum += load32(p);
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t h;

		memcpy(&h, p, sizeof(h));
		sum += h;
		p += 2;
		len -= 2;
	}
	if (len) {
		/* a trailing odd byte is the high-order byte of a zero-padded
		 * word: in memory order it sits first */
		uint8_t pad[2] = { p[0], 0 };
		uint16_t h;

		memcpy(&h, pad, sizeof(h));
		sum += h;
	}
	return sum;
}

/* Fold to 16 bits, still in memory order, not complemented. */
static inline uint16_t fold_mem(uint64_t sum)
{
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffffu) + (sum >> 16);
	sum = (sum & 0xffffu) + (sum >> 16);
	return (uint16_t)sum;
}

uint16_t nd_csum_fold(uint64_t sum)
{
	return (uint16_t)~ntohs(fold_mem(sum));
}
