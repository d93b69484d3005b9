/* test_stats.c — unit tests for harness/base/stats.c.
 *
 * Reference values were computed offline, independently of stats.c, in
 * python3 3.11 with the `statistics` module:
 *   median        statistics.median(x)
 *   mean, stddev  statistics.mean(x), statistics.stdev(x)
 *   MAD           statistics.median([abs(v - med) for v in x])
 *   percentiles   statistics.quantiles(x, n=N, method='inclusive')[i], which is
 *                 Hyndman–Fan type 7 (numpy's default); e.g. p95 = n=100, [94],
 *                 p2.5 = n=40, [0], p37.5 = n=8, [2]
 *   outliers      [abs(0.6745 * (v - med) / mad) > 3.5 for v in x]
 *   bootstrap     a Python port of splitmix64/xoshiro256** drawing each resample
 *                 as [x[rng.below(n)] for _ in range(n)], statistics.median of
 *                 each, CI = statistics.quantiles(meds, n=40,
 *                 method='inclusive')[0] and [38]
 *   Mann–Whitney  rank(v) = #{w < v} + (#{w == v} + 1) / 2 over the pooled
 *                 sample, U = R_x - nx(nx+1)/2, var = nx ny / 12 * ((N+1) -
 *                 sum(t^3 - t) / (N(N-1))), z = max(|U - nx ny/2| - 0.5, 0) /
 *                 sqrt(var), p = math.erfc(z / sqrt(2)); the tied case was also
 *                 checked by hand (see test_mann_whitney_ties).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static bool close_enough(double got, double want)
{
	if (got == want)
		return true;
	return fabs(got - want) <= 1e-12 * fmax(1.0, fmax(fabs(got), fabs(want)));
}

#define assert_close(got, want)                                                        \
	do {                                                                           \
		double got_ = (got), want_ = (want);                                   \
		if (!close_enough(got_, want_)) {                                      \
			print_error("%s = %.17g, expected %.17g\n", #got, got_, want_); \
			fail();                                                        \
		}                                                                      \
	} while (0)

/* Sample vectors (shared with the Python reference script). */
static const double odd[] = { 5.0, 1.0, 4.0, 2.0, 3.0, 9.5, 7.25 };
static const double even[] = { 10.0, 2.5, 7.0, 3.0, 8.5, 1.0 };
static const double ties[] = { 3.0, 1.0, 3.0, 3.0, 2.0, 3.0, 5.0, 1.0 };
static const double one[] = { 42.0 };
static const double outl[] = { 10.0, 10.2, 9.9, 10.1, 9.8, 10.0, 10.3, 9.7, 50.0, 10.1 };
static const double flat[] = { 4.0, 4.0, 4.0, 4.0, 4.0, 100.0 }; /* MAD == 0 */
static const double tiedmed[] = { 2.0, 7.0, 7.0, 7.0, 1.0, 9.0, 7.0, 3.0 }; /* even n, ties at the median */
static const double pair[] = { 3.0, 8.0 };
static const double same[] = { 6.5, 6.5, 6.5, 6.5, 6.5 };               /* odd n, all tied */

struct ref {
	const double *x;
	size_t n;
	double min, max, median, mean, stddev, mad;
	double p2_5, p25, p37_5, p90, p95;
};

static const struct ref refs[] = {
	{ odd, N_OF(odd), 1.0, 9.5, 4.0, 4.535714285714286, 2.9945386797905793, 2.0,
	  1.15, 2.5, 3.25, 8.15, 8.825 },
	{ even, N_OF(even), 1.0, 10.0, 5.0, 5.333333333333333, 3.65604522218567, 3.0,
	  1.1875, 2.625, 2.9375, 9.25, 9.625 },
	{ ties, N_OF(ties), 1.0, 5.0, 3.0, 2.625, 1.3024701806293193, 0.5,
	  1.0, 1.75, 2.625, 3.6, 4.3 },
	{ outl, N_OF(outl), 9.7, 50.0, 10.05, 14.01, 12.64686610280279, 0.14999999999999947,
	  9.7225, 9.925, 10.0, 14.27, 32.135 },
	{ tiedmed, N_OF(tiedmed), 1.0, 9.0, 7.0, 5.375, 2.9246489410818914, 1.0,
	  1.175, 2.75, 5.5, 7.6, 8.3 },
	{ pair, N_OF(pair), 3.0, 8.0, 5.5, 5.5, 3.5355339059327378, 2.5,
	  3.125, 4.25, 4.875, 7.5, 7.75 },
	{ same, N_OF(same), 6.5, 6.5, 6.5, 6.5, 0.0, 0.0, 6.5, 6.5, 6.5, 6.5, 6.5 },
};

static void test_median(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_OF(refs); i++)
		assert_close(mpb_stats_median(refs[i].x, refs[i].n), refs[i].median);
	assert_close(mpb_stats_median(one, 1), 42.0);
	/* Hand: sorted {1, 2} -> 1.5. */
	const double two[] = { 2.0, 1.0 };
	assert_close(mpb_stats_median(two, 2), 1.5);
}

static void test_percentile(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_OF(refs); i++) {
		const struct ref *r = &refs[i];
		assert_close(mpb_stats_percentile(r->x, r->n, 2.5), r->p2_5);
		assert_close(mpb_stats_percentile(r->x, r->n, 25.0), r->p25);
		assert_close(mpb_stats_percentile(r->x, r->n, 37.5), r->p37_5);
		assert_close(mpb_stats_percentile(r->x, r->n, 50.0), r->median);
		assert_close(mpb_stats_percentile(r->x, r->n, 90.0), r->p90);
		assert_close(mpb_stats_percentile(r->x, r->n, 95.0), r->p95);
		assert_close(mpb_stats_percentile(r->x, r->n, 0.0), r->min);
		assert_close(mpb_stats_percentile(r->x, r->n, 100.0), r->max);
	}
	for (double p = 0.0; p <= 100.0; p += 12.5)
		assert_close(mpb_stats_percentile(one, 1, p), 42.0);
}

static void test_inputs_not_modified(void **state)
{
	(void)state;
	double x[N_OF(outl)], lo, hi, u, p;
	bool flags[N_OF(outl)];
	struct mpb_summary s;
	memcpy(x, outl, sizeof x);
	(void)mpb_stats_median(x, N_OF(x));
	(void)mpb_stats_percentile(x, N_OF(x), 95.0);
	(void)mpb_stats_outliers(x, N_OF(x), flags);
	assert_int_equal(mpb_stats_median_ci(x, N_OF(x), 1, &lo, &hi), 0);
	assert_int_equal(mpb_stats_ratio_ci(x, N_OF(x), x, N_OF(x), 1, &lo, &hi), 0);
	assert_int_equal(mpb_stats_summarize(x, N_OF(x), 1, &s), 0);
	assert_int_equal(mpb_stats_mann_whitney(x, 5, x + 5, 5, &u, &p), 0);
	assert_memory_equal(x, outl, sizeof x);
}

static void test_summarize(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_OF(refs); i++) {
		const struct ref *r = &refs[i];
		struct mpb_summary s;
		assert_int_equal(mpb_stats_summarize(r->x, r->n, 7, &s), 0);
		assert_int_equal(s.n, r->n);
		assert_close(s.min, r->min);
		assert_close(s.max, r->max);
		assert_close(s.median, r->median);
		assert_close(s.mean, r->mean);
		assert_close(s.stddev, r->stddev);
		assert_close(s.mad, r->mad);
		assert_close(s.p95, r->p95);
		assert_true(s.ci_lo <= s.median && s.median <= s.ci_hi);
		double lo, hi;
		assert_int_equal(mpb_stats_median_ci(r->x, r->n, 7, &lo, &hi), 0);
		assert_true(s.ci_lo == lo && s.ci_hi == hi);
	}
	struct mpb_summary s;
	assert_int_equal(mpb_stats_summarize(outl, N_OF(outl), 7, &s), 0);
	assert_int_equal(s.outliers, 1);
	assert_int_equal(mpb_stats_summarize(odd, N_OF(odd), 7, &s), 0);
	assert_int_equal(s.outliers, 0);
}

static void test_summarize_one(void **state)
{
	(void)state;
	struct mpb_summary s;
	assert_int_equal(mpb_stats_summarize(one, 1, 3, &s), 0);
	assert_int_equal(s.n, 1);
	assert_close(s.min, 42.0);
	assert_close(s.max, 42.0);
	assert_close(s.median, 42.0);
	assert_close(s.mean, 42.0);
	assert_close(s.stddev, 0.0);
	assert_close(s.mad, 0.0);
	assert_close(s.p95, 42.0);
	assert_close(s.ci_lo, 42.0);
	assert_close(s.ci_hi, 42.0);
	assert_int_equal(s.outliers, 0);
}

static void test_outliers(void **state)
{
	(void)state;
	bool flags[N_OF(outl)];
	memset(flags, 1, sizeof flags);
	/* python3: only 50.0 (index 8) has |0.6745 (x - 10.05) / 0.15| > 3.5 (~179.6). */
	assert_int_equal(mpb_stats_outliers(outl, N_OF(outl), flags), 1);
	for (size_t i = 0; i < N_OF(outl); i++)
		assert_int_equal(flags[i], i == 8);
	assert_int_equal(mpb_stats_outliers(outl, N_OF(outl), NULL), 1);

	/* median 4, MAD median({0,0,0,0,0,96}) = 0: nothing flagged, not even 100. */
	bool fflags[N_OF(flat)];
	memset(fflags, 1, sizeof fflags);
	assert_int_equal(mpb_stats_outliers(flat, N_OF(flat), fflags), 0);
	for (size_t i = 0; i < N_OF(flat); i++)
		assert_false(fflags[i]);

	bool f1 = true;
	assert_int_equal(mpb_stats_outliers(one, 1, &f1), 0);
	assert_false(f1);
	assert_int_equal(mpb_stats_outliers(odd, N_OF(odd), NULL), 0);
	assert_int_equal(mpb_stats_outliers(ties, N_OF(ties), NULL), 0);
}

static void test_median_ci_reference(void **state)
{
	(void)state;
	double lo, hi;
	/* Python port of the bootstrap (see top of file). */
	assert_int_equal(mpb_stats_median_ci(outl, N_OF(outl), 1, &lo, &hi), 0);
	assert_close(lo, 9.9);
	assert_close(hi, 10.2);
	assert_int_equal(mpb_stats_median_ci(odd, N_OF(odd), 42, &lo, &hi), 0);
	assert_close(lo, 2.0);
	assert_close(hi, 7.25);
	assert_int_equal(mpb_stats_median_ci(even, N_OF(even), 5, &lo, &hi), 0);
	assert_close(lo, 1.75);
	assert_close(hi, 9.25);
	assert_int_equal(mpb_stats_median_ci(ties, N_OF(ties), 9, &lo, &hi), 0);
	assert_close(lo, 1.0);
	assert_close(hi, 3.0);
	/* python3: w = [float((i*37) % 23) + 0.5*(i % 3) for i in range(30)];
	 * the upper bound falls between two replicates (interpolated). */
	double w[30];
	for (int i = 0; i < 30; i++)
		w[i] = (double)((i * 37) % 23) + 0.5 * (i % 3);
	assert_int_equal(mpb_stats_median_ci(w, N_OF(w), 2024, &lo, &hi), 0);
	assert_close(lo, 6.75);
	assert_close(hi, 14.50625);
}

static void test_median_ci_determinism(void **state)
{
	(void)state;
	double x[200];
	/* A spread-out sample so that different seeds give different CIs. */
	for (size_t i = 0; i < N_OF(x); i++)
		x[i] = 100.0 + 37.0 * sin((double)i * 1.7) + (double)(i % 13) * 0.31;
	double med = mpb_stats_median(x, N_OF(x));

	double lo1, hi1, lo2, hi2;
	assert_int_equal(mpb_stats_median_ci(x, N_OF(x), 12345, &lo1, &hi1), 0);
	assert_int_equal(mpb_stats_median_ci(x, N_OF(x), 12345, &lo2, &hi2), 0);
	assert_memory_equal(&lo1, &lo2, sizeof lo1); /* bit for bit */
	assert_memory_equal(&hi1, &hi2, sizeof hi1);
	assert_true(lo1 <= med && med <= hi1);
	assert_true(lo1 < hi1);

	int differ = 0;
	for (uint64_t seed = 1; seed <= 8; seed++) {
		double lo, hi;
		assert_int_equal(mpb_stats_median_ci(x, N_OF(x), seed, &lo, &hi), 0);
		assert_true(lo <= med && med <= hi);
		differ += lo != lo1 || hi != hi1;
	}
	assert_true(differ >= 6);

	for (size_t i = 0; i < N_OF(refs); i++) {
		double lo, hi;
		assert_int_equal(mpb_stats_median_ci(refs[i].x, refs[i].n, 99, &lo, &hi), 0);
		assert_true(lo <= refs[i].median && refs[i].median <= hi);
		assert_true(lo >= refs[i].min && hi <= refs[i].max);
	}

	assert_int_equal(mpb_stats_median_ci(one, 1, 5, &lo1, &hi1), 0);
	assert_close(lo1, 42.0);
	assert_close(hi1, 42.0);
}

static void test_ratio_ci(void **state)
{
	(void)state;
	double lo, hi, lo2, hi2;
	/* Python port: numerator resample drawn before denominator each round. */
	assert_int_equal(mpb_stats_ratio_ci(odd, N_OF(odd), even, N_OF(even), 3, &lo, &hi), 0);
	assert_close(lo, 0.25806451612903225);
	assert_close(hi, 2.6363636363636362);
	/* Contains median(odd)/median(even) = 4/5. */
	assert_true(lo <= 0.8 && 0.8 <= hi);

	assert_int_equal(mpb_stats_ratio_ci(outl, N_OF(outl), ties, N_OF(ties), 77, &lo, &hi), 0);
	assert_int_equal(mpb_stats_ratio_ci(outl, N_OF(outl), ties, N_OF(ties), 77, &lo2, &hi2), 0);
	assert_memory_equal(&lo, &lo2, sizeof lo);
	assert_memory_equal(&hi, &hi2, sizeof hi);
	assert_close(lo, 3.3000000000000007); /* Python port */
	assert_close(hi, 6.8);
	double ratio = 10.05 / 3.0;
	assert_true(lo <= ratio && ratio <= hi);

	/* Constant samples: the ratio is exact. */
	const double a[] = { 6.0, 6.0, 6.0 }, b[] = { 2.0, 2.0 };
	assert_int_equal(mpb_stats_ratio_ci(a, 3, b, 2, 1, &lo, &hi), 0);
	assert_close(lo, 3.0);
	assert_close(hi, 3.0);
	assert_int_equal(mpb_stats_ratio_ci(one, 1, b, 1, 1, &lo, &hi), 0);
	assert_close(lo, 21.0);
	assert_close(hi, 21.0);

	/* Zero denominator median. */
	const double z[] = { 0.0, 0.0, 1.0 };
	assert_int_equal(mpb_stats_ratio_ci(odd, N_OF(odd), z, N_OF(z), 1, &lo, &hi), -1);
}

static void test_mann_whitney_ties(void **state)
{
	(void)state;
	/* Hand: pooled sorted 1.1x | 2.2 x x y (ranks 2-4, avg 3) | 3.3 x y y
	 * (ranks 5-7, avg 6) | 4.4x 8 | 5.5x 9 | y 10..13. R_x = 1+3+3+6+8+9 = 30,
	 * U = 30 - 21 = 9. Ties: 2 * (27 - 3) = 48. var = 42/12 * (14 - 48/156)
	 * = 47.923..., z = (12 - 0.5) / sqrt(var) = 1.6612..., p via python. */
	const double x[] = { 1.1, 2.2, 2.2, 3.3, 4.4, 5.5 };
	const double y[] = { 2.2, 3.3, 3.3, 6.6, 7.7, 8.8, 9.9 };
	double u, p;
	assert_int_equal(mpb_stats_mann_whitney(x, N_OF(x), y, N_OF(y), &u, &p), 0);
	assert_close(u, 9.0);
	assert_close(p, 0.09667054340670096);
	/* Swapped: U_y = nx ny - U_x = 33, same p. */
	assert_int_equal(mpb_stats_mann_whitney(y, N_OF(y), x, N_OF(x), &u, &p), 0);
	assert_close(u, 33.0);
	assert_close(p, 0.09667054340670096);
}

static void test_mann_whitney_many_ties(void **state)
{
	(void)state;
	/* python3, the formulas at the top of this file (every value tied with
	 * another somewhere) */
	const double x[] = { 1, 2, 2, 3, 3, 3, 4, 5 }, y[] = { 2, 3, 3, 4, 4, 5, 5, 5, 6 };
	double u, p;
	assert_int_equal(mpb_stats_mann_whitney(x, N_OF(x), y, N_OF(y), &u, &p), 0);
	assert_close(u, 17.5);
	assert_close(p, 0.07608863010264959);
	const double a[] = { 10, 20, 20, 30 }, b[] = { 20, 20, 40, 50, 50 };
	assert_int_equal(mpb_stats_mann_whitney(a, N_OF(a), b, N_OF(b), &u, &p), 0);
	assert_close(u, 4.0);
	assert_close(p, 0.1574897544273815);
}

static void test_mann_whitney_no_ties(void **state)
{
	(void)state;
	double u, p;
	/* Hand: U = 0, var = 4/12 * 5, z = 1.5 / sqrt(5/3); p from python erfc. */
	const double a[] = { 1.0, 2.0 }, b[] = { 3.0, 4.0 };
	assert_int_equal(mpb_stats_mann_whitney(a, 2, b, 2, &u, &p), 0);
	assert_close(u, 0.0);
	assert_close(p, 0.24527811680677286);
	const double c[] = { 1.0, 3.0, 5.0 }, d[] = { 2.0, 4.0, 6.0 };
	assert_int_equal(mpb_stats_mann_whitney(c, 3, d, 3, &u, &p), 0);
	assert_close(u, 3.0);
	assert_close(p, 0.6625205835400575);
	/* |U - mu| < 0.5: continuity correction clamps z at 0, p = 1. */
	const double e[] = { 1.0, 4.0 }, f[] = { 2.0, 3.0 };
	assert_int_equal(mpb_stats_mann_whitney(e, 2, f, 2, &u, &p), 0);
	assert_close(u, 2.0);
	assert_close(p, 1.0);
}

static void test_mann_whitney_degenerate(void **state)
{
	(void)state;
	double u, p;
	const double t[] = { 5.0, 5.0, 5.0 };
	assert_int_equal(mpb_stats_mann_whitney(t, 2, t, 3, &u, &p), 0);
	assert_close(u, 3.0); /* all tied: every rank 3, R_x = 6, U = 6 - 3 */
	assert_close(p, 1.0);
	assert_int_equal(mpb_stats_mann_whitney(t, 0, t, 3, &u, &p), 0);
	assert_close(p, 1.0);
	assert_int_equal(mpb_stats_mann_whitney(t, 3, t, 0, &u, &p), 0);
	assert_close(p, 1.0);
}

static void test_summary_json(void **state)
{
	(void)state;
	struct mpb_summary s;
	assert_int_equal(mpb_stats_summarize(outl, N_OF(outl), 11, &s), 0);
	json_t *j = mpb_stats_summary_json(&s);
	assert_non_null(j);
	assert_true(json_is_object(j));
	assert_int_equal(json_object_size(j), 10);

	assert_true(json_is_integer(json_object_get(j, "n")));
	assert_int_equal(json_integer_value(json_object_get(j, "n")), 10);
	assert_true(json_is_integer(json_object_get(j, "outliers")));
	assert_int_equal(json_integer_value(json_object_get(j, "outliers")), 1);
	const char *reals[] = { "min", "max", "median", "mean", "stddev", "mad", "p95" };
	const double want[] = { s.min, s.max, s.median, s.mean, s.stddev, s.mad, s.p95 };
	for (size_t i = 0; i < N_OF(reals); i++) {
		json_t *v = json_object_get(j, reals[i]);
		assert_non_null(v);
		assert_true(json_is_real(v));
		assert_true(json_real_value(v) == want[i]);
	}
	json_t *ci = json_object_get(j, "ci95");
	assert_true(json_is_array(ci));
	assert_int_equal(json_array_size(ci), 2);
	assert_true(json_real_value(json_array_get(ci, 0)) == s.ci_lo);
	assert_true(json_real_value(json_array_get(ci, 1)) == s.ci_hi);
	json_decref(j);

	/* Non-finite values become null. */
	s.mean = NAN;
	s.max = INFINITY;
	s.ci_hi = -INFINITY;
	j = mpb_stats_summary_json(&s);
	assert_non_null(j);
	assert_true(json_is_null(json_object_get(j, "mean")));
	assert_true(json_is_null(json_object_get(j, "max")));
	assert_true(json_is_null(json_array_get(json_object_get(j, "ci95"), 1)));
	assert_true(json_is_real(json_array_get(json_object_get(j, "ci95"), 0)));
	char *text = json_dumps(j, 0);
	assert_non_null(text);
	free(text);
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_median),
		cmocka_unit_test(test_percentile),
		cmocka_unit_test(test_inputs_not_modified),
		cmocka_unit_test(test_summarize),
		cmocka_unit_test(test_summarize_one),
		cmocka_unit_test(test_outliers),
		cmocka_unit_test(test_median_ci_reference),
		cmocka_unit_test(test_median_ci_determinism),
		cmocka_unit_test(test_ratio_ci),
		cmocka_unit_test(test_mann_whitney_ties),
		cmocka_unit_test(test_mann_whitney_many_ties),
		cmocka_unit_test(test_mann_whitney_no_ties),
		cmocka_unit_test(test_mann_whitney_degenerate),
		cmocka_unit_test(test_summary_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
