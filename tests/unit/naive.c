#include "naive.h"

uint32_t naive_add(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

uint16_t naive_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t naive_l4(const uint8_t *src, const uint8_t *dst, size_t alen, uint8_t proto,
		  const uint8_t *seg, size_t len, size_t field_at)
{
	uint32_t sum = naive_add(0, src, alen);

	sum = naive_add(sum, dst, alen);
	sum += proto;
	sum += (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff);
	sum = naive_add(sum, seg, field_at);
	sum = naive_add(sum, seg + field_at + 2, len - field_at - 2);
	return naive_fold(sum);
}
