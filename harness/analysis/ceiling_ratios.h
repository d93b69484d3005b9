/* ceiling_ratios.h — a point against the machine's scaling ceiling
 * (run/ceiling.h measures it): the ceiling's speedup over the serial
 * baseline, the pool's speedup as a fraction of it, and the verdict in words.
 * Pure functions of wall-time samples. */
#ifndef MPB_CEILING_RATIOS_H
#define MPB_CEILING_RATIOS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Ratios of a point against its ceiling, from samples of wall times. */
struct mpb_ceiling_ratios {
	double ceiling_median_ns;
	bool have_speedup;          /* serial samples given */
	double speedup;             /* median(serial) / median(ceiling): ceiling_speedup */
	double speedup_ci_lo, speedup_ci_hi;
	bool have_vs;               /* pool samples given */
	/* pool speedup / ceiling speedup = median(ceiling) / median(pool):
	 * speedup_vs_ceiling; the serial median cancels out, so the CI resamples
	 * only the ceiling and the pool walls */
	double vs, vs_ci_lo, vs_ci_hi;
};

/* Fill r from the samples (serial or pool may be absent: n == 0). CIs are
 * 95% bootstrap CIs of the ratio of medians, seeded. Returns 0, or -1 when
 * there is no ceiling sample (r is zeroed). */
int mpb_ceiling_ratios(const double *serial, size_t nserial, const double *ceiling,
		       size_t nceiling, const double *pool, size_t npool, uint64_t seed,
		       struct mpb_ceiling_ratios *r);

/* The verdict in words, e.g. "this machine scales to 1.90x at 2 workers; the
 * fork pool reaches 1.80x, 95% of that". Returns snprintf's count. */
int mpb_ceiling_sentence(char *buf, size_t len, double ceiling_speedup, unsigned workers,
			 const char *method, double pool_speedup, double vs_ceiling);

#endif
