/* ceiling_ratios.c — a point against its ceiling (see ceiling_ratios.h). */
#include "ceiling_ratios.h"

#include <stdio.h>

#include "stats.h"

int mpb_ceiling_ratios(const double *serial, size_t nserial, const double *ceiling,
		       size_t nceiling, const double *pool, size_t npool, uint64_t seed,
		       struct mpb_ceiling_ratios *r)
{
	*r = (struct mpb_ceiling_ratios){ 0 };
	if (nceiling == 0)
		return -1;
	r->ceiling_median_ns = mpb_stats_median(ceiling, nceiling);
	if (r->ceiling_median_ns <= 0)
		return 0;
	if (nserial > 0) {
		r->have_speedup = true;
		r->speedup = mpb_stats_median(serial, nserial) / r->ceiling_median_ns;
		if (mpb_stats_ratio_ci(serial, nserial, ceiling, nceiling, seed, &r->speedup_ci_lo,
				       &r->speedup_ci_hi) < 0)
			r->speedup_ci_lo = r->speedup_ci_hi = r->speedup;
	}
	double pm = npool ? mpb_stats_median(pool, npool) : 0;
	if (pm > 0) {
		r->have_vs = true;
		r->vs = r->ceiling_median_ns / pm;
		if (mpb_stats_ratio_ci(ceiling, nceiling, pool, npool, seed, &r->vs_ci_lo,
				       &r->vs_ci_hi) < 0)
			r->vs_ci_lo = r->vs_ci_hi = r->vs;
	}
	return 0;
}

int mpb_ceiling_sentence(char *buf, size_t len, double ceiling_speedup, unsigned workers,
			 const char *method, double pool_speedup, double vs_ceiling)
{
	return snprintf(buf, len, "this machine scales to %.2fx at %u worker%s; the %s pool "
			"reaches %.2fx, %.0f%% of that", ceiling_speedup, workers,
			workers == 1 ? "" : "s", method, pool_speedup, 100.0 * vs_ceiling);
}
