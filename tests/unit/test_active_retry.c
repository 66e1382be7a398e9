/* The active probe's retransmission schedule: sends at 0, 0.5, 1.5, 3.5,
 * 7.5, then every 4 s, and a restart begins again at once. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "active/active_internal.h"

/* sends a schedule makes in [0, budget), polled every 10 ms */
static unsigned sends_within(double budget, double *times, unsigned max)
{
	struct active_retry r;
	unsigned n = 0;

	active_retry_start(&r, 0);
	for (int ms = 0; ms < (int)(budget * 1000); ms += 10)
		if (active_retry_due(&r, ms / 1000.0) && n < max)
			times[n++] = ms / 1000.0;
	return n;
}

static void test_schedule(void **state)
{
	const double want[] = { 0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5 };
	double t[16];
	unsigned n = sends_within(16, t, 16);

	assert_int_equal(n, 7);
	for (unsigned i = 0; i < n; i++)
		assert_true(t[i] > want[i] - 0.001 && t[i] < want[i] + 0.001);
	assert_int_equal(sends_within(3, t, 16), 3);
	assert_int_equal(sends_within(10, t, 16), 5);
}

static void test_restart(void **state)
{
	struct active_retry r;

	active_retry_start(&r, 0);
	assert_true(active_retry_due(&r, 0));
	assert_true(active_retry_due(&r, 0.5));
	assert_false(active_retry_due(&r, 1.0));
	active_retry_start(&r, 1.0);
	assert_true(active_retry_due(&r, 1.0));
	assert_false(active_retry_due(&r, 1.4));
	assert_true(active_retry_due(&r, 1.5));
	assert_int_equal(r.sent, 2);
}

static void test_slow_reason(void **state)
{
	struct active_lease l = { .stage = ACTIVE_LEASED, .offer_s = 0.01, .server_s = 0.01 };
	char buf[64];

	active_slow_reason(&l, buf, sizeof(buf));
	assert_string_equal(buf, "");
	l.offer_s = 7.2;
	l.port_wait_s = 4.0;
	l.server_s = 3.1;
	active_slow_reason(&l, buf, sizeof(buf));
	assert_string_equal(buf, "stp-forward-delay,server-address-check");
	l.port_wait_s = 0;
	l.offer_s = l.server_s = 3.1;
	active_slow_reason(&l, buf, sizeof(buf));
	assert_string_equal(buf, "server-address-check");
	l.offer_s = 1.6;
	l.server_s = 1.6;
	active_slow_reason(&l, buf, sizeof(buf));
	assert_string_equal(buf, "unknown");
	l.stage = ACTIVE_NO_OFFER;
	active_slow_reason(&l, buf, sizeof(buf));
	assert_string_equal(buf, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schedule),
		cmocka_unit_test(test_restart),
		cmocka_unit_test(test_slow_reason),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
