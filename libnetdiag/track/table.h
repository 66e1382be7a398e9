/* A bounded hash table for trackers (private to libnetdiag/track).
 *
 * Entries are fixed-size and start with their key (compared with memcmp,
 * so keys must be fully initialised, padding included).  The pool is used
 * as a ring: a new entry takes the slot after the previous new one, so
 * when the table is full the oldest entry is the one evicted (an optional
 * callback sees it first).  No allocation after init.
 */
#ifndef NETDIAG_TRACK_TABLE_H
#define NETDIAG_TRACK_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nd_table {
	uint8_t *pool;
	size_t pool_mapped;    /* bytes mapped for the pool, 0 when from calloc */
	int32_t *next;         /* hash chain per slot, -1 ends */
	uint32_t *hashes;
	bool *used;
	int32_t *buckets;
	uint32_t nbuckets;     /* power of two */
	uint32_t cap;
	size_t entry_size, key_size;
	uint32_t next_slot;
	uint64_t evicted;
	void (*on_evict)(void *ctx, void *entry);
	void *ctx;
};

int nd_table_init(struct nd_table *t, uint32_t cap, size_t entry_size, size_t key_size);
void nd_table_free(struct nd_table *t);

/* The entry with this key, or NULL.  With `create`, a zeroed entry holding
 * the key is made when none exists (*created set). */
void *nd_table_get(struct nd_table *t, const void *key, bool create, bool *created);

/* The entry in slot i, or NULL when the slot is free (for iteration). */
void *nd_table_slot(struct nd_table *t, uint32_t i);

#endif
