/* The monotonic clock (netdiag/clock.h). */
#include <time.h>

#include <netdiag/clock.h>

double nd_mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double nd_mono_ms(void)
{
	return nd_mono_s() * 1e3;
}
