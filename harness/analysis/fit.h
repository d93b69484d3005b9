/* fit.h — scaling models fitted to a speedup curve: Amdahl's law and the
 * Universal Scalability Law (USL), with the fit's quality and the worker
 * count the USL predicts as best.
 *
 * Data: the median speedup S(N) over the serial baseline at each measured
 * worker count N of one curve. Models, each with a free scale c (the pool's
 * speedup at one worker, which pool overhead puts below 1):
 *   Amdahl  S(N) = c N / (1 + f (N - 1)),                 0 <= f <= 1
 *   USL     S(N) = c N / (1 + s (N - 1) + k N (N - 1)),   0 <= s <= 1, k >= 0
 * f is the serial fraction of the pool's scaling from one worker; Amdahl is
 * the USL with k = 0. Ordinary least squares on S.
 *
 * Amdahl: c has a closed form for every f, so f is found by bounded 1-D
 * minimisation of the profiled residual (101-point grid on [0, 1], then
 * golden-section search in the bracket around the best grid point).
 * Its 95% CI comes from a bootstrap over runs: each resample redraws every
 * point's runs and the serial baseline's runs with replacement, recomputes
 * the median speedups and refits f; the CI is the 2.5th..97.5th percentile
 * of MPB_FIT_BOOTSTRAP refits (seeded, reproducible). With as few worker
 * counts as a sweep has, resampling points would be meaningless; resampling
 * runs carries the measurement noise into f.
 * USL: Levenberg–Marquardt on (c, s, k), each step projected onto the
 * bounds, from three starts (the Amdahl fit; no contention; the linearised
 * problem c N / S - 1 = s (N - 1) + k N (N - 1) solved by non-negative least
 * squares), keeping the best. With as many worker counts as parameters a
 * fit is exact (dof 0) and its R^2 says nothing. */
#ifndef MPB_FIT_H
#define MPB_FIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define MPB_FIT_BOOTSTRAP 1000

struct mpb_dataset;
struct mpb_point;

struct mpb_fit_quality {
	size_t n;       /* points fitted */
	size_t dof;     /* n minus the parameters; 0: the fit is exact by construction */
	double r2;      /* 1 - RSS / TSS; NaN when every speedup is equal */
	double rmse;    /* sqrt(RSS / n) */
};

struct mpb_amdahl {
	double scale, f;
};

struct mpb_usl {
	double scale, sigma, kappa;
};

/* Amdahl fit of speedups s[i] at worker counts w[i], i < n: needs two
 * distinct worker counts and positive finite speedups; 0, or -1. q may be
 * NULL. */
int mpb_fit_amdahl(const double *w, const double *s, size_t n, struct mpb_amdahl *a,
		   struct mpb_fit_quality *q);
double mpb_fit_amdahl_speedup(const struct mpb_amdahl *a, double n);

/* USL fit: needs three distinct worker counts; 0, or -1. q may be NULL. */
int mpb_fit_usl(const double *w, const double *s, size_t n, struct mpb_usl *u,
		struct mpb_fit_quality *q);
double mpb_fit_usl_speedup(const struct mpb_usl *u, double n);

/* The integer worker count where the USL peaks (the better of the integers
 * around sqrt((1 - s) / k)); 1 when s >= 1; 0 when the curve has no peak
 * (k == 0: it rises towards c/s for ever). */
unsigned mpb_fit_usl_peak(const struct mpb_usl *u);

/* One curve: the points of a group that differ only in worker count. */
struct mpb_fit_curve {
	size_t n;
	const double *workers;        /* [n] */
	const double *const *wall;    /* [n][nruns[i]] wall times */
	const size_t *nruns;          /* [n], each >= 1 */
	const double *serial;         /* serial baseline wall times */
	size_t nserial;               /* >= 1 */
};

struct mpb_fit_result {
	bool have_amdahl, have_usl;
	struct mpb_amdahl amdahl;
	double f_lo, f_hi;            /* 95% bootstrap CI of amdahl.f */
	struct mpb_fit_quality amdahl_q;
	struct mpb_usl usl;
	struct mpb_fit_quality usl_q;
	unsigned usl_peak_workers;    /* 0: no peak */
	double usl_peak_speedup;      /* at usl_peak_workers; NaN without a peak */
	const char *why_not;          /* when a model could not be fitted */
};

/* Fit both models to a curve from the median speedups; the serial
 * fraction's CI by the bootstrap over runs described above. 0, or -1 on
 * allocation failure (the result then says why_not). */
int mpb_fit_curve(const struct mpb_fit_curve *c, uint64_t seed, struct mpb_fit_result *r);

/* Whether two points lie on one curve: the same axes except workers (and
 * except the chunk size when both follow the python rule, which resolves it
 * per worker count). */
bool mpb_fit_same_curve(const struct mpb_point *a, const struct mpb_point *b);

/* analysis.fits of a sweep: one object per curve with a measured baseline
 * and at least one measured point. NULL on ENOMEM. */
json_t *mpb_fit_sweep_json(const struct mpb_dataset *s);

#endif
