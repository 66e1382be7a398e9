/* The monotonic clock every timeout and duration is read from (base
 * layer): never steps with the wall clock. */
#ifndef NETDIAG_CLOCK_H
#define NETDIAG_CLOCK_H

/* Seconds, and milliseconds, since an arbitrary fixed point. */
double nd_mono_s(void);
double nd_mono_ms(void);

#endif
