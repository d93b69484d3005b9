/* stats.h — every statistic mpbench reports has its one implementation here.
 *
 * Pure functions over arrays of doubles; inputs are never modified (functions
 * that need order copy). Randomised procedures (bootstrap) take an explicit seed
 * and are reproducible bit for bit.
 */
#ifndef MPB_STATS_H
#define MPB_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* Number of bootstrap resamples used by every bootstrap CI. */
#define MPB_BOOTSTRAP_RESAMPLES 2000

struct mpb_summary {
	size_t n;
	double min, max, median, mean;
	double stddev;     /* sample standard deviation (n-1); 0 when n < 2 */
	double mad;        /* median absolute deviation from the median, unscaled */
	double p95;        /* 95th percentile, linear interpolation (numpy default) */
	double ci_lo, ci_hi; /* 95% percentile-bootstrap CI of the median */
	size_t outliers;   /* count with modified z-score |0.6745 (x - median) / MAD| > 3.5 */
};

/* Median of x[0..n); n >= 1. */
double mpb_stats_median(const double *x, size_t n);
/* p-th percentile (0 <= p <= 100) with linear interpolation between closest
 * ranks (Hyndman–Fan type 7, numpy's default); n >= 1. */
double mpb_stats_percentile(const double *x, size_t n, double p);
/* Flag outliers by modified z-score (Iglewicz–Hoaglin, threshold 3.5); flags
 * may be NULL. When MAD is 0 nothing is flagged. Returns the count. */
size_t mpb_stats_outliers(const double *x, size_t n, bool *flags);
/* 95% percentile-bootstrap CI of the median with MPB_BOOTSTRAP_RESAMPLES
 * resamples drawn with mpb_rng seeded by `seed`. n == 1 gives [x0, x0].
 * Returns 0, or -1 on allocation failure. */
int mpb_stats_median_ci(const double *x, size_t n, uint64_t seed, double *lo, double *hi);
/* 95% bootstrap CI of median(num)/median(den), resampling both independently.
 * Returns 0, or -1 on allocation failure or a zero denominator median. */
int mpb_stats_ratio_ci(const double *num, size_t nn, const double *den, size_t nd,
		       uint64_t seed, double *lo, double *hi);
/* Fill s for x[0..n), n >= 1. Returns 0, or -1 on allocation failure. */
int mpb_stats_summarize(const double *x, size_t n, uint64_t seed, struct mpb_summary *s);
/* {n, min, max, median, mean, stddev, mad, p95, ci95: [lo, hi], outliers}; NULL on ENOMEM. */
json_t *mpb_stats_summary_json(const struct mpb_summary *s);
/* Mann–Whitney U test (two-sided), normal approximation with tie correction and
 * continuity correction. *u is U for sample x. *p is the two-sided p-value
 * (1.0 when either sample is empty or all values are tied). Returns 0 or -1. */
int mpb_stats_mann_whitney(const double *x, size_t nx, const double *y, size_t ny,
			   double *u, double *p);

#endif
