/* Bounded hash table with oldest-first eviction; see table.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "table.h"

#define HUGE_PAGE (2u << 20)
#define LINE 64

/* Tables of 2 MiB and more come from their own mapping with transparent
 * huge pages asked for: a flood's random lookups miss the TLB on every
 * entry otherwise, and under a virtualised MMU a miss is dear.  Smaller
 * ones from calloc (which leaves fresh pages untouched), a line more
 * than asked, for the caller to start on a line.  Zeroed. */
static void *mem_alloc(size_t size, size_t *mapped)
{
	void *p;

	*mapped = 0;
	if (size < HUGE_PAGE)
		return calloc(1, size + LINE);
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
	size_t pool_len, index_len, buckets = 1;
	uint8_t *mem;

	_Static_assert(sizeof(struct nd_bucket) == LINE, "a bucket is one cache line");
	memset(t, 0, sizeof(*t));
	if (!cap || cap > ND_TABLE_CAP_MAX)
		return -EINVAL;
	/* eight entries a bucket at most, of fifteen cells: one in a hundred
	 * buckets or so overflows into the next */
	while (buckets * 8 < cap)
		buckets <<= 1;
	t->slot_bits = 1;
	while ((1u << t->slot_bits) <= cap)
		t->slot_bits++;
	pool_len = line_up((size_t)cap * entry_size);
	index_len = buckets * sizeof(*t->index);
	mem = mem_alloc(pool_len + index_len + (size_t)cap * sizeof(*t->hashes), &t->mem_len);
	if (!mem)
		return -ENOMEM;
	t->mem = mem;
	/* a bucket is one line, and so are entries of 64 bytes */
	mem = (uint8_t *)(((uintptr_t)mem + LINE - 1) & ~(uintptr_t)(LINE - 1));
	t->pool = mem;
	t->index = (struct nd_bucket *)(mem + pool_len);
	t->hashes = (uint32_t *)(mem + pool_len + index_len);
	t->mask = (uint32_t)(buckets - 1);
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
		/* the oldest entries and their home buckets (hashes[] is read
		 * in ring order: cheap) */
		if (ahead < t->filled)
			__builtin_prefetch(&t->index[t->hashes[ahead] & t->mask], 1);
		if (ahead < t->cap)
			for (size_t off = 0; off < t->entry_size; off += LINE)
				__builtin_prefetch(entry_at(t, ahead) + off, 1);
	}
}

/* A cell's tag: the hash's top bits, never zero (a free cell is). */
static inline uint32_t tag_of(const struct nd_table *t, uint32_t hash)
{
	return ((hash >> t->slot_bits) | 1) << t->slot_bits;
}

/* The cells of b whose masked value is `want`, as bits: a line compared
 * in four vector steps (SSE2 is in every x86-64), or cell by cell. */
static inline uint32_t cells_equal(const struct nd_bucket *b, uint32_t mask, uint32_t want)
{
#ifdef __SSE2__
	const __m128i m = _mm_set1_epi32((int)mask), w = _mm_set1_epi32((int)want);
	uint32_t bits = 0;

	for (unsigned i = 0; i < 4; i++) {
		__m128i c = _mm_load_si128((const __m128i *)b->cell + i);

		c = _mm_cmpeq_epi32(_mm_and_si128(c, m), w);
		bits |= (uint32_t)_mm_movemask_ps(_mm_castsi128_ps(c)) << 4 * i;
	}
	/* the sixteenth word is the count, not a cell */
	return bits & ((1u << ND_TABLE_CELLS) - 1);
#else
	uint32_t bits = 0;

	for (unsigned i = 0; i < ND_TABLE_CELLS; i++)
		bits |= (uint32_t)((b->cell[i] & mask) == want) << i;
	return bits;
#endif
}

static void index_remove(struct nd_table *t, uint32_t slot)
{
	uint32_t b = t->hashes[slot] & t->mask;
	uint32_t cell = tag_of(t, t->hashes[slot]) | (slot + 1), bits;

	/* it is in its home bucket or, past each full one, further on */
	while (!(bits = cells_equal(&t->index[b], ~0u, cell))) {
		t->index[b].passed--;
		b = (b + 1) & t->mask;
	}
	t->index[b].cell[__builtin_ctz(bits)] = 0;
}

static void index_insert(struct nd_table *t, uint32_t hash, uint32_t slot)
{
	uint32_t b = hash & t->mask, bits;

	while (!(bits = cells_equal(&t->index[b], ~0u, 0))) {
		t->index[b].passed++;
		b = (b + 1) & t->mask;
	}
	t->index[b].cell[__builtin_ctz(bits)] = tag_of(t, hash) | (slot + 1);
}

void *nd_table_find(struct nd_table *t, const void *key, uint32_t hash, bool create,
		    bool *created)
{
	uint32_t tag = tag_of(t, hash), tagmask = ~((1u << t->slot_bits) - 1);
	uint32_t b = hash & t->mask, slot;
	uint8_t *e;

	if (created)
		*created = false;
	/* nothing made yet (the questions of a flood nobody answers): no
	 * index line to wait for */
	if (!t->filled && !create)
		return NULL;
	for (;;) {
		const struct nd_bucket *bk = &t->index[b];

		for (uint32_t bits = cells_equal(bk, tagmask, tag); bits; bits &= bits - 1) {
			e = entry_at(t, (bk->cell[__builtin_ctz(bits)] & ~tagmask) - 1);
			if (!memcmp(e, key, t->key_size))
				return e;
		}
		if (!bk->passed)
			break;
		b = (b + 1) & t->mask;
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
		/* a slot never used is still as it was zeroed */
		memset(e, 0, t->entry_size);
	} else {
		t->filled++;
	}
	memcpy(e, key, t->key_size);
	t->hashes[slot] = hash;
	index_insert(t, hash, slot);
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
