/* The trackers' bounded table (libnetdiag/track/table.c) against a plain
 * model: a ring of the last CAP keys.  Keys are drawn from a small set so
 * lookups hit, miss, and insertions evict in every mix.  A hash that
 * sends every key to a few buckets (given to nd_table_find in place of
 * the table's own) fills them, so entries go on to later buckets, and
 * evictions take cells from the middle of such runs: a lookup must still
 * go on exactly as far as something went past. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "track/table.h"

#define CAP 100
#define KEYS 400
#define STEPS 200000

struct key {
	uint32_t k;
	uint32_t pad;
};

struct entry {
	struct key key;
	uint32_t value;
};

static uint32_t ring[CAP];
static unsigned nring, head, evictions;

static int model_find(uint32_t k)
{
	for (unsigned i = 0; i < nring; i++)
		if (ring[i] == k)
			return (int)i;
	return -1;
}

static void model_insert(uint32_t k)
{
	if (nring < CAP) {
		ring[nring++] = k;
		return;
	}
	ring[head] = k;
	head = (head + 1) % CAP;
}

static void count_evict(void *ctx, void *entry)
{
	struct entry *e = entry;

	assert_ptr_equal(ctx, &evictions);
	/* the oldest key goes first */
	assert_int_equal(e->key.k, ring[head]);
	evictions++;
}

/* bad_hash: all keys in three buckets, few tags */
static void run(uint32_t key_mask, bool bad_hash)
{
	struct nd_table t;
	uint32_t seed = 12345;

	nring = head = evictions = 0;
	assert_int_equal(nd_table_init(&t, CAP, sizeof(struct entry), sizeof(struct key)), 0);
	t.on_evict = count_evict;
	t.ctx = &evictions;
	for (unsigned step = 0; step < STEPS; step++) {
		struct key k = { 0 };
		struct entry *e;
		bool create, created;

		seed = seed * 1103515245u + 12345u;
		k.k = (seed >> 8) % KEYS & key_mask;
		create = (seed >> 4) & 1;
		if (bad_hash)
			e = nd_table_find(&t, &k, (k.k % 3) * 0x01000001u, create, &created);
		else
			e = nd_table_get(&t, &k, create, &created);
		if (model_find(k.k) >= 0) {
			assert_non_null(e);
			assert_false(created);
			assert_int_equal(e->value, k.k * 7 + 1);
		} else if (create) {
			assert_non_null(e);
			assert_true(created);
			assert_int_equal(e->value, 0);
			e->value = k.k * 7 + 1;
			model_insert(k.k);
		} else {
			assert_null(e);
		}
	}
	assert_int_equal(t.evicted, evictions);
	for (uint32_t i = 0; i < CAP; i++) {
		struct entry *e = nd_table_slot(&t, i);

		if (i >= nring) {
			assert_null(e);
			continue;
		}
		assert_non_null(e);
		assert_int_not_equal(model_find(e->key.k), -1);
	}
	/* what went past a bucket is still there to be counted */
	for (uint32_t b = 0; b <= t.mask; b++)
		assert_true(t.index[b].passed <= nring);
	nd_table_free(&t);
}

static void test_against_model(void **state)
{
	run(~0u, false);
}

/* overflow: buckets full, entries further on, counts kept through
 * evictions */
static void test_crowded_buckets(void **state)
{
	run(~0u, true);
}

/* fewer distinct keys than slots: no eviction, slots left free */
static void test_few_keys(void **state)
{
	run(63, false);
}

/* the prefetching form finds what nd_table_get finds */
static void test_hash_then_find(void **state)
{
	struct nd_table t;
	struct key k = { .k = 42 };
	struct entry *e;
	uint32_t h;
	bool created;

	assert_int_equal(nd_table_init(&t, 8, sizeof(struct entry), sizeof(struct key)), 0);
	h = nd_table_hash(&t, &k);
	nd_table_prefetch(&t, h, true);
	e = nd_table_find(&t, &k, h, true, &created);
	assert_true(created);
	assert_ptr_equal(nd_table_get(&t, &k, false, NULL), e);
	assert_null(nd_table_slot(&t, 1));
	nd_table_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_against_model),
		cmocka_unit_test(test_few_keys),
		cmocka_unit_test(test_crowded_buckets),
		cmocka_unit_test(test_hash_then_find),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
