/* The monotonic clock every timeout and duration is read from (base
 * layer): never steps with the wall clock. */
#ifndef NETDIAG_CLOCK_H
#define NETDIAG_CLOCK_H

/* exported from libnetdiag.so, whose other symbols are hidden */
#pragma GCC visibility push(default)

/* Seconds, and milliseconds, since an arbitrary fixed point. */
double nd_mono_s(void);
double nd_mono_ms(void);

#pragma GCC visibility pop
#endif
