/* A bounded hash table for trackers (private to libnetdiag/track).
 *
 * Entries are fixed-size and start with their key (compared with memcmp,
 * so keys must be fully initialised, padding included).  The pool is used
 * as a ring: a new entry takes the slot after the previous new one, so
 * when the table is full the oldest entry is the one evicted (an optional
 * callback sees it first).  No allocation after init.
 *
 * The index is in buckets of one cache line: fifteen cells, each a slot
 * and a few bits of its key's hash, and a count of the entries whose home
 * is this bucket or one before it but which had to go further on.  A
 * lookup reads its home bucket's line, and the next one only while that
 * count says something went past; a lookup that finds nothing (every
 * query of a flood) reads one line and no entry.  An eviction clears one
 * cell, found from the slot's stored hash: nothing moves.
 */
#ifndef NETDIAG_TRACK_TABLE_H
#define NETDIAG_TRACK_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ND_TABLE_CELLS 15

struct nd_bucket {
	uint32_t cell[ND_TABLE_CELLS];   /* 0: free */
	uint32_t passed;                 /* entries stored beyond this bucket
					  * whose home is here or before */
};

struct nd_table {
	uint8_t *pool;
	struct nd_bucket *index;
	uint32_t *hashes;      /* per slot: its key's hash */
	void *mem;             /* one allocation for all three */
	size_t mem_len;        /* bytes mapped, 0 when from calloc */
	uint32_t mask;         /* buckets - 1; a power of two */
	uint32_t slot_bits;    /* a cell: tag << slot_bits | (slot + 1) */
	uint32_t cap;
	uint32_t filled;       /* slots ever used: slots below it hold an entry */
	size_t entry_size, key_size;
	uint32_t next_slot;
	uint64_t evicted;
	void (*on_evict)(void *ctx, void *entry);
	void *ctx;
};

/* cap: 1 to ND_TABLE_CAP_MAX slots. */
#define ND_TABLE_CAP_MAX (1u << 24)
int nd_table_init(struct nd_table *t, uint32_t cap, size_t entry_size, size_t key_size);
void nd_table_free(struct nd_table *t);

/* The entry with this key, or NULL.  With `create`, a zeroed entry holding
 * the key is made when none exists (*created set). */
void *nd_table_get(struct nd_table *t, const void *key, bool create, bool *created);

/* The same in two steps, so a caller with several lookups to make can
 * start every memory load before it waits on the first: the key's hash,
 * a prefetch of what a lookup of it will read (with `create`, what an
 * insertion evicting the oldest entry will read too), then the lookup. */
uint32_t nd_table_hash(const struct nd_table *t, const void *key);
void nd_table_prefetch(const struct nd_table *t, uint32_t hash, bool create);
void *nd_table_find(struct nd_table *t, const void *key, uint32_t hash, bool create,
		    bool *created);

/* The entry in slot i, or NULL when the slot is free (for iteration). */
void *nd_table_slot(struct nd_table *t, uint32_t i);

#endif
