#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <netdiag/pkt.h>

#include "naive.h"

/* RFC 1071 section 3: the example bytes sum to 0xddf2 */
static void test_rfc1071_example(void **state)
{
	const uint8_t b[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };

	assert_int_equal(nd_csum_fold(nd_csum_partial(b, sizeof(b), 0)), (uint16_t)~0xddf2);
}

/* Every length 0..300 at every alignment 0..7 against the byte-pair sum. */
static void test_matches_naive_all_lengths_and_alignments(void **state)
{
	uint8_t buf[320];

	srand(7);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rand();
	for (size_t off = 0; off < 8; off++)
		for (size_t len = 0; len <= 300; len++)
			assert_int_equal(nd_csum_fold(nd_csum_partial(buf + off, len, 0)),
					 naive_fold(naive_add(0, buf + off, len)));
}

/* Sums chain: two even pieces equal the whole. */
static void test_chaining(void **state)
{
	uint8_t buf[64];

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 37 + 11);
	assert_int_equal(nd_csum_fold(nd_csum_partial(buf + 20, 44, nd_csum_partial(buf, 20, 0))),
			 nd_csum_fold(nd_csum_partial(buf, 64, 0)));
}

/* All-ones bytes: carries on every add, folded correctly. */
static void test_carries(void **state)
{
	uint8_t buf[4096];

	memset(buf, 0xff, sizeof(buf));
	assert_int_equal(nd_csum_fold(nd_csum_partial(buf, sizeof(buf), 0)),
			 naive_fold(naive_add(0, buf, sizeof(buf))));
	assert_int_equal(nd_csum_fold(nd_csum_partial(buf, 3, 0)),
			 naive_fold(naive_add(0, buf, 3)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc1071_example),
		cmocka_unit_test(test_matches_naive_all_lengths_and_alignments),
		cmocka_unit_test(test_chaining),
		cmocka_unit_test(test_carries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
