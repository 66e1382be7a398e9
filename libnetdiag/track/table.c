/* Bounded hash table with oldest-first eviction; see table.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "table.h"

#define HUGE_PAGE (2u << 20)

/* Pools of 2 MiB and more come from their own mapping with transparent
 * huge pages asked for: a flood's random lookups miss the TLB on every
 * entry otherwise, and under a virtualised MMU a miss is dear.  Zeroed,
 * as calloc's. */
static void *pool_alloc(size_t size, size_t *mapped)
{
	void *p;

	*mapped = 0;
	if (size < HUGE_PAGE)
		return calloc(1, size);
	size = (size + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	madvise(p, size, MADV_HUGEPAGE);
	*mapped = size;
	return p;
}

int nd_table_init(struct nd_table *t, uint32_t cap, size_t entry_size, size_t key_size)
{
	memset(t, 0, sizeof(*t));
	t->cap = cap;
	t->entry_size = entry_size;
	t->key_size = key_size;
	for (t->nbuckets = 16; t->nbuckets < cap; t->nbuckets <<= 1)
		;
	t->pool = pool_alloc((size_t)cap * entry_size, &t->pool_mapped);
	t->next = calloc(cap, sizeof(*t->next));
	t->hashes = calloc(cap, sizeof(*t->hashes));
	t->used = calloc(cap, sizeof(*t->used));
	t->buckets = malloc(sizeof(*t->buckets) * t->nbuckets);
	if (!t->pool || !t->next || !t->hashes || !t->used || !t->buckets) {
		nd_table_free(t);
		return -ENOMEM;
	}
	memset(t->buckets, 0xff, sizeof(*t->buckets) * t->nbuckets);
	return 0;
}

void nd_table_free(struct nd_table *t)
{
	if (t->pool_mapped)
		munmap(t->pool, t->pool_mapped);
	else
		free(t->pool);
	free(t->next);
	free(t->hashes);
	free(t->used);
	free(t->buckets);
	memset(t, 0, sizeof(*t));
}

static inline uint64_t load64(const uint8_t *p)
{
	uint64_t w;

	memcpy(&w, p, sizeof(w));
	return w;
}

/* Eight bytes a step (keys are 40-80 bytes, mostly addresses and zero
 * padding; byte-wise FNV cost 11% of an analysis).  Each word is
 * multiplied on its own and added to a rotated accumulator, so the
 * multiplies do not wait on each other and position still counts; the
 * last word is read overlapping the one before (no byte loop, no call).
 * Then a murmur-style finaliser. */
static uint32_t hash_key(const void *key, size_t n)
{
	const uint8_t *b = key;
	uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
	size_t i = 0;

	if (n < 8) {
		uint64_t w = 0;

		memcpy(&w, b, n);
		h += w * 0xff51afd7ed558ccdull;
	} else {
		for (; i + 8 <= n; i += 8)
			h = ((h << 23) | (h >> 41)) + load64(b + i) * 0xff51afd7ed558ccdull;
		if (i < n)
			h = ((h << 23) | (h >> 41)) + load64(b + n - 8) * 0xc4ceb9fe1a85ec53ull;
	}
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 29;
	return (uint32_t)h;
}

static void unlink_slot(struct nd_table *t, int32_t idx)
{
	int32_t *link = &t->buckets[t->hashes[idx] & (t->nbuckets - 1)];

	while (*link != -1 && *link != idx)
		link = &t->next[*link];
	if (*link == idx)
		*link = t->next[idx];
}

void *nd_table_get(struct nd_table *t, const void *key, bool create, bool *created)
{
	uint32_t h = hash_key(key, t->key_size);
	int32_t *bucket = &t->buckets[h & (t->nbuckets - 1)];
	int32_t idx;
	uint8_t *e;

	if (created)
		*created = false;
	for (idx = *bucket; idx != -1; idx = t->next[idx]) {
		e = t->pool + (size_t)idx * t->entry_size;
		if (t->hashes[idx] == h && !memcmp(e, key, t->key_size))
			return e;
	}
	if (!create)
		return NULL;
	idx = (int32_t)t->next_slot;
	t->next_slot = (t->next_slot + 1) % t->cap;
	e = t->pool + (size_t)idx * t->entry_size;
	if (t->used[idx]) {
		if (t->on_evict)
			t->on_evict(t->ctx, e);
		unlink_slot(t, idx);
		t->evicted++;
		/* the bucket may have been this slot's own chain head */
		bucket = &t->buckets[h & (t->nbuckets - 1)];
		/* a slot never used is still as calloc() left it */
		memset(e, 0, t->entry_size);
	}
	memcpy(e, key, t->key_size);
	t->used[idx] = true;
	t->hashes[idx] = h;
	t->next[idx] = *bucket;
	*bucket = idx;
	if (created)
		*created = true;
	return e;
}

void *nd_table_slot(struct nd_table *t, uint32_t i)
{
	return i < t->cap && t->used[i] ? t->pool + (size_t)i * t->entry_size : NULL;
}
