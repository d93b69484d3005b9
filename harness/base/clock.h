/* clock.h — the one clock: CLOCK_MONOTONIC in nanoseconds. It is system-wide,
 * so timestamps taken in workers compare with the parent's. */
#ifndef MPB_CLOCK_H
#define MPB_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t mpb_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#endif
