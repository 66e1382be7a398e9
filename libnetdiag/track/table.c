/* Bounded hash table with oldest-first eviction; see table.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "table.h"

#define HUGE_PAGE (2u << 20)
#define LINE 64

/* Tables of 2 MiB and more come from their own mapping with transparent
 * huge pages asked for: a flood's random lookups miss the TLB on every
 * entry otherwise, and under a virtualised MMU a miss is dear.  Zeroed,
 * as calloc's. */
static void *mem_alloc(size_t size, size_t *mapped)
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

static size_t line_up(size_t n)
{
	return (n + LINE - 1) & ~(size_t)(LINE - 1);
}

int nd_table_init(struct nd_table *t, uint32_t cap, size_t entry_size, size_t key_size)
{
	size_t pool_len, index_len, cells = 16;
	uint8_t *mem;

	memset(t, 0, sizeof(*t));
	if (!cap)
		return -EINVAL;
	/* at most half full: a probe for a key not there stops within a line */
	while (cells < 2 * (size_t)cap)
		cells <<= 1;
	pool_len = line_up((size_t)cap * entry_size);
	index_len = cells * sizeof(*t->index);
	mem = mem_alloc(pool_len + index_len + (size_t)cap * sizeof(*t->hashes), &t->mem_len);
	if (!mem)
		return -ENOMEM;
	t->mem = mem;
	t->pool = mem;
	t->index = (uint64_t *)(mem + pool_len);
	t->hashes = (uint32_t *)(mem + pool_len + index_len);
	t->mask = (uint32_t)(cells - 1);
	t->cap = cap;
	t->entry_size = entry_size;
	t->key_size = key_size;
	return 0;
}

void nd_table_free(struct nd_table *t)
{
	if (t->mem_len)
		munmap(t->mem, t->mem_len);
	else
		free(t->mem);
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
uint32_t nd_table_hash(const struct nd_table *t, const void *key)
{
	const uint8_t *b = key;
	size_t n = t->key_size, i = 0;
	uint64_t h = 0x9e3779b97f4a7c15ull ^ n;

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

static inline uint8_t *entry_at(const struct nd_table *t, uint32_t slot)
{
	return t->pool + (size_t)slot * t->entry_size;
}

/* Insertions evict in ring order, so what the one PREFETCH_AHEAD
 * insertions from now will read is known already: fetched that early, it
 * is in cache when needed, whatever the latency. */
#define PREFETCH_AHEAD 8

void nd_table_prefetch(const struct nd_table *t, uint32_t hash, bool create)
{
	/* an empty table has nothing to find: its index is not read unless
	 * written */
	if (t->filled || create)
		__builtin_prefetch(&t->index[hash & t->mask]);
	if (create) {
		uint32_t ahead = t->next_slot + PREFETCH_AHEAD;

		if (ahead >= t->cap)
			ahead -= t->cap;
		/* the oldest entries and their index cells (hashes[] is read
		 * in ring order: cheap) */
		if (ahead < t->filled)
			__builtin_prefetch(&t->index[t->hashes[ahead] & t->mask]);
		if (ahead < t->cap)
			for (size_t off = 0; off < t->entry_size; off += LINE)
				__builtin_prefetch(entry_at(t, ahead) + off, 1);
	}
}

/* Knuth's deletion for linear probing (TAOCP 6.4, algorithm R): later
 * cells of the run move back into the hole unless their home lies
 * cyclically in (hole, cell], so no probe meets a gap before its key. */
static void index_remove(struct nd_table *t, uint32_t slot)
{
	uint64_t mine = slot + 1;
	uint32_t hole = t->hashes[slot] & t->mask, i;

	while (t->index[hole] && (uint32_t)t->index[hole] != mine)
		hole = (hole + 1) & t->mask;
	if (!t->index[hole])
		return;
	for (i = (hole + 1) & t->mask; t->index[i]; i = (i + 1) & t->mask) {
		uint32_t home = (uint32_t)(t->index[i] >> 32) & t->mask;

		if (((i - home) & t->mask) >= ((i - hole) & t->mask)) {
			t->index[hole] = t->index[i];
			hole = i;
		}
	}
	t->index[hole] = 0;
}

void *nd_table_find(struct nd_table *t, const void *key, uint32_t hash, bool create,
		    bool *created)
{
	uint64_t tag = (uint64_t)hash << 32;
	uint32_t i, slot;
	uint8_t *e;

	if (created)
		*created = false;
	/* nothing made yet (the questions of a flood nobody answers): no
	 * index line to wait for */
	if (!t->filled && !create)
		return NULL;
	for (i = hash & t->mask; t->index[i]; i = (i + 1) & t->mask) {
		if ((t->index[i] & ~0xffffffffull) != tag)
			continue;
		e = entry_at(t, (uint32_t)t->index[i] - 1);
		if (!memcmp(e, key, t->key_size))
			return e;
	}
	if (!create)
		return NULL;
	slot = t->next_slot;
	t->next_slot = slot + 1 == t->cap ? 0 : slot + 1;
	e = entry_at(t, slot);
	if (slot < t->filled) {
		if (t->on_evict)
			t->on_evict(t->ctx, e);
		index_remove(t, slot);
		t->evicted++;
		/* a slot never used is still as calloc() left it */
		memset(e, 0, t->entry_size);
		/* the removal may have moved cells: find the free one again */
		for (i = hash & t->mask; t->index[i]; i = (i + 1) & t->mask)
			;
	} else {
		t->filled++;
	}
	memcpy(e, key, t->key_size);
	t->hashes[slot] = hash;
	t->index[i] = tag | (slot + 1);
	if (created)
		*created = true;
	return e;
}

void *nd_table_get(struct nd_table *t, const void *key, bool create, bool *created)
{
	return nd_table_find(t, key, nd_table_hash(t, key), create, created);
}

void *nd_table_slot(struct nd_table *t, uint32_t i)
{
	return i < t->filled ? entry_at(t, i) : NULL;
}
