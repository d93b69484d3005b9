/* test_fit.c — unit tests for harness/analysis/fit.c: Amdahl and USL fits on
 * synthetic curves with known parameters (exact and noisy), the bootstrap
 * CI of the serial fraction over synthetic runs, the USL's predicted best
 * worker count, the data a fit refuses, and analysis.fits of a hand-built
 * sweep. The synthetic data come from the models' formulas written out here,
 * not from fit.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "dataset.h"
#include "fit.h"
#include "method.h"
#include "rng.h"
#include "workload.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static double amdahl(double scale, double f, double n)
{
	return scale / (f + (1.0 - f) / n);
}

static double usl(double scale, double s, double k, double n)
{
	return scale * n / (1.0 + s * (n - 1.0) + k * n * (n - 1.0));
}

static double gauss(struct mpb_rng *r)
{
	double u1 = mpb_rng_double(r), u2 = mpb_rng_double(r);
	if (u1 < 1e-300)
		u1 = 1e-300;
	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

static const double W[] = { 1, 2, 4, 8, 16 };

static void test_amdahl_exact(void **state)
{
	(void)state;
	double s[N_OF(W)];
	for (size_t i = 0; i < N_OF(W); i++)
		s[i] = amdahl(1.0, 0.1, W[i]);
	struct mpb_amdahl a;
	struct mpb_fit_quality q;
	assert_int_equal(mpb_fit_amdahl(W, s, N_OF(W), &a, &q), 0);
	assert_true(fabs(a.f - 0.1) < 1e-6);
	assert_true(fabs(a.scale - 1.0) < 1e-6);
	assert_true(q.r2 > 0.999999);
	assert_true(q.rmse < 1e-6);
	assert_int_equal(q.n, N_OF(W));
	assert_int_equal(q.dof, N_OF(W) - 2);
	for (size_t i = 0; i < N_OF(W); i++)
		assert_true(fabs(mpb_fit_amdahl_speedup(&a, W[i]) - s[i]) < 1e-5);

	/* pool overhead: the whole curve scaled by 0.8 */
	for (size_t i = 0; i < N_OF(W); i++)
		s[i] = amdahl(0.8, 0.1, W[i]);
	assert_int_equal(mpb_fit_amdahl(W, s, N_OF(W), &a, &q), 0);
	assert_true(fabs(a.f - 0.1) < 1e-6);
	assert_true(fabs(a.scale - 0.8) < 1e-6);

	/* the bounds: a perfectly parallel curve and a flat one */
	for (size_t i = 0; i < N_OF(W); i++)
		s[i] = 0.9 * W[i];
	assert_int_equal(mpb_fit_amdahl(W, s, N_OF(W), &a, NULL), 0);
	assert_true(a.f < 1e-9);
	for (size_t i = 0; i < N_OF(W); i++)
		s[i] = 0.7;
	assert_int_equal(mpb_fit_amdahl(W, s, N_OF(W), &a, &q), 0);
	assert_true(a.f > 1.0 - 1e-9);
	assert_true(fabs(a.scale - 0.7) < 1e-6);
	assert_true(isnan(q.r2)); /* every speedup equal: R^2 undefined */
}

static void test_amdahl_noisy(void **state)
{
	(void)state;
	struct mpb_rng rng;
	mpb_rng_seed(&rng, 11);
	const double w[] = { 1, 2, 3, 4, 6, 8, 12, 16 };
	double s[N_OF(w)];
	for (size_t i = 0; i < N_OF(w); i++)
		s[i] = amdahl(0.9, 0.1, w[i]) * (1.0 + 0.01 * gauss(&rng));
	struct mpb_amdahl a;
	struct mpb_fit_quality q;
	assert_int_equal(mpb_fit_amdahl(w, s, N_OF(w), &a, &q), 0);
	assert_true(fabs(a.f - 0.1) < 0.01);
	assert_true(fabs(a.scale - 0.9) < 0.03);
	assert_true(q.r2 > 0.99);
}

static void test_refused_data(void **state)
{
	(void)state;
	struct mpb_amdahl a;
	struct mpb_usl u;
	const double w1[] = { 4, 4, 4 }, s1[] = { 2, 2.1, 1.9 };
	assert_int_equal(mpb_fit_amdahl(w1, s1, 3, &a, NULL), -1); /* one worker count */
	assert_int_equal(mpb_fit_amdahl(W, s1, 1, &a, NULL), -1);
	const double w2[] = { 1, 2 }, s2[] = { 1, 1.8 };
	assert_int_equal(mpb_fit_amdahl(w2, s2, 2, &a, NULL), 0);
	assert_int_equal(mpb_fit_usl(w2, s2, 2, &u, NULL), -1);  /* three parameters */
	const double w3[] = { 1, 2, 2, 2 }, s3[] = { 1, 1.8, 1.7, 1.9 };
	assert_int_equal(mpb_fit_usl(w3, s3, 4, &u, NULL), -1);  /* two distinct counts */
	const double w4[] = { 1, 2, 4 }, s4[] = { 1, 0, 3 }, s5[] = { 1, NAN, 3 };
	assert_int_equal(mpb_fit_amdahl(w4, s4, 3, &a, NULL), -1);
	assert_int_equal(mpb_fit_usl(w4, s5, 3, &u, NULL), -1);
}

static void test_usl_exact(void **state)
{
	(void)state;
	const double w[] = { 1, 2, 4, 8, 16, 32, 64 };
	double s[N_OF(w)];
	for (size_t i = 0; i < N_OF(w); i++)
		s[i] = usl(1.0, 0.05, 0.002, w[i]);
	struct mpb_usl u;
	struct mpb_fit_quality q;
	assert_int_equal(mpb_fit_usl(w, s, N_OF(w), &u, &q), 0);
	assert_true(fabs(u.sigma - 0.05) < 1e-5);
	assert_true(fabs(u.kappa - 0.002) < 1e-7);
	assert_true(fabs(u.scale - 1.0) < 1e-5);
	assert_true(q.r2 > 0.999999);
	assert_int_equal(q.dof, N_OF(w) - 3);
	/* the peak: sqrt(0.95 / 0.002) = 21.79..., the better of 21 and 22 */
	unsigned want = usl(1, 0.05, 0.002, 22) > usl(1, 0.05, 0.002, 21) ? 22 : 21;
	assert_int_equal(mpb_fit_usl_peak(&u), want);
	assert_true(fabs(mpb_fit_usl_speedup(&u, 10) - usl(1, 0.05, 0.002, 10)) < 1e-5);

	/* peak then decline, with a scale below 1, over few counts */
	const double w2[] = { 1, 2, 3, 4, 5, 6, 8 };
	double s2[N_OF(w2)];
	for (size_t i = 0; i < N_OF(w2); i++)
		s2[i] = usl(0.85, 0.1, 0.05, w2[i]);
	assert_int_equal(mpb_fit_usl(w2, s2, N_OF(w2), &u, &q), 0);
	assert_true(fabs(u.sigma - 0.1) < 1e-4);
	assert_true(fabs(u.kappa - 0.05) < 1e-5);
	assert_true(fabs(u.scale - 0.85) < 1e-4);
	assert_int_equal(mpb_fit_usl_peak(&u), 4); /* sqrt(0.9 / 0.05) = 4.24 */
}

static void test_usl_noisy_and_amdahl_shaped(void **state)
{
	(void)state;
	struct mpb_rng rng;
	mpb_rng_seed(&rng, 12);
	const double w[] = { 1, 2, 4, 6, 8, 12, 16, 24, 32 };
	double s[N_OF(w)];
	for (size_t i = 0; i < N_OF(w); i++)
		s[i] = usl(1.0, 0.03, 0.001, w[i]) * (1.0 + 0.005 * gauss(&rng));
	struct mpb_usl u;
	struct mpb_fit_quality q;
	assert_int_equal(mpb_fit_usl(w, s, N_OF(w), &u, &q), 0);
	assert_true(fabs(u.sigma - 0.03) < 0.01);
	assert_true(fabs(u.kappa - 0.001) < 0.0003);
	assert_true(q.r2 > 0.99);

	/* Amdahl data: no coherency, so no peak, and the contention is f */
	for (size_t i = 0; i < N_OF(w); i++)
		s[i] = amdahl(1.0, 0.2, w[i]);
	assert_int_equal(mpb_fit_usl(w, s, N_OF(w), &u, &q), 0);
	assert_true(u.kappa < 1e-7);
	assert_true(fabs(u.sigma - 0.2) < 1e-4);
	assert_true(mpb_fit_usl_peak(&u) == 0 || mpb_fit_usl_peak(&u) > 1000);
}

static void test_usl_peak_edges(void **state)
{
	(void)state;
	struct mpb_usl u = { 1, 1.0, 0.01 };
	assert_int_equal(mpb_fit_usl_peak(&u), 1);
	u = (struct mpb_usl){ 1, 0.1, 0 };
	assert_int_equal(mpb_fit_usl_peak(&u), 0);
	u = (struct mpb_usl){ 1, 0.0, 1.0 }; /* sqrt(1) = 1: S(1) = 1 > S(2) = 2/3 */
	assert_int_equal(mpb_fit_usl_peak(&u), 1);
}

/* Synthetic runs: the serial baseline ~1 s, each point's wall the serial
 * median over an Amdahl speedup of f = 0.1, both with 2% noise. */
struct runs {
	double serial[15];
	double wall[5][15];
	const double *rows[5];
	size_t nruns[5];
};

static void make_runs(struct runs *r, uint64_t seed)
{
	struct mpb_rng rng;
	mpb_rng_seed(&rng, seed);
	for (size_t k = 0; k < 15; k++)
		r->serial[k] = 1e9 * (1.0 + 0.02 * gauss(&rng));
	for (size_t i = 0; i < N_OF(W); i++) {
		for (size_t k = 0; k < 15; k++)
			r->wall[i][k] = 1e9 / amdahl(0.95, 0.1, W[i]) * (1.0 + 0.02 * gauss(&rng));
		r->rows[i] = r->wall[i];
		r->nruns[i] = 15;
	}
}

static void test_fit_curve_recovers_serial_fraction(void **state)
{
	(void)state;
	struct runs r;
	make_runs(&r, 21);
	struct mpb_fit_curve c = { N_OF(W), W, r.rows, r.nruns, r.serial, 15 };
	struct mpb_fit_result a, b;
	assert_int_equal(mpb_fit_curve(&c, 5, &a), 0);
	assert_true(a.have_amdahl && a.have_usl);
	assert_null(a.why_not);
	assert_true(fabs(a.amdahl.f - 0.1) < 0.02);
	assert_true(a.f_lo <= a.amdahl.f && a.amdahl.f <= a.f_hi);
	assert_true(a.f_lo < a.f_hi);
	assert_true(a.f_lo <= 0.1 && 0.1 <= a.f_hi);
	assert_true(a.f_hi - a.f_lo < 0.05);
	/* the seeded bootstrap is reproducible bit for bit */
	assert_int_equal(mpb_fit_curve(&c, 5, &b), 0);
	assert_memory_equal(&a.amdahl, &b.amdahl, sizeof a.amdahl);
	assert_memory_equal(&a.f_lo, &b.f_lo, sizeof a.f_lo);
	assert_memory_equal(&a.f_hi, &b.f_hi, sizeof a.f_hi);
	assert_memory_equal(&a.usl, &b.usl, sizeof a.usl);
	assert_int_equal(mpb_fit_curve(&c, 6, &b), 0);
	assert_true(b.f_lo != a.f_lo || b.f_hi != a.f_hi);
	assert_true(a.amdahl.f == b.amdahl.f); /* the point estimate has no randomness */

	/* one point: no fit, and why */
	struct mpb_fit_curve one = { 1, W, r.rows, r.nruns, r.serial, 15 };
	assert_int_equal(mpb_fit_curve(&one, 5, &a), 0);
	assert_false(a.have_amdahl || a.have_usl);
	assert_non_null(a.why_not);
	struct mpb_fit_curve none = { N_OF(W), W, r.rows, r.nruns, r.serial, 0 };
	assert_int_equal(mpb_fit_curve(&none, 5, &a), 0);
	assert_false(a.have_amdahl);
	assert_non_null(a.why_not);
}

/* analysis.fits of a hand-built sweep: one curve of four points (python
 * chunk rule, so chunk sizes differ per worker count) plus a point of
 * another method alone. */
static void test_sweep_json(void **state)
{
	(void)state;
	struct runs r;
	make_runs(&r, 22);
	struct mpb_point pt[5];
	struct mpb_point_state ps[5];
	struct mpb_sample smp[5][15];
	memset(pt, 0, sizeof pt);
	memset(ps, 0, sizeof ps);
	for (size_t i = 0; i < 5; i++) {
		pt[i] = (struct mpb_point){
			.id = (unsigned)i, .workload = &mpb_workload_null, .tasks = 64,
			.workers = (unsigned)W[i], .method = mpb_method_find("fork"),
			.codec = mpb_codec_find("raw"), .transport = &mpb_transport_pipe,
			.chunk_strategy = MPB_CHUNK_PYTHON, .chunksize = 64 / (4 * (uint64_t)W[i]) + 1,
		};
		for (size_t k = 0; k < 15; k++)
			smp[i][k] = (struct mpb_sample){ .wall_ns = (uint64_t)r.wall[i][k] };
		ps[i] = (struct mpb_point_state){ .runs = smp[i], .nruns = 15, .cap = 15 };
	}
	pt[4].method = mpb_method_find("spawn");
	struct mpb_baseline bl = { &mpb_workload_null, 0, 64 };
	struct mpb_wall_state bs = { .wall_ns = r.serial, .n = 15, .cap = 15 };
	struct mpb_plan plan = { .points = pt, .npoints = 5, .baselines = &bl, .nbaselines = 1,
				 .runs = 5, .seed = 3 };
	struct mpb_dataset s = { .plan = &plan, .pts = ps, .bls = &bs };
	json_t *fits = mpb_fit_sweep_json(&s);
	assert_non_null(fits);
	assert_int_equal(json_array_size(fits), 2);
	json_t *f0 = json_array_get(fits, 0), *f1 = json_array_get(fits, 1);
	assert_string_equal(json_string_value(json_object_get(f0, "method")), "fork");
	assert_int_equal(json_array_size(json_object_get(f0, "workers")), 4);
	assert_true(json_is_null(json_object_get(f0, "chunksize")));
	json_t *am = json_object_get(f0, "amdahl");
	double f = json_real_value(json_object_get(am, "serial_fraction"));
	assert_true(fabs(f - 0.1) < 0.03);
	json_t *ci = json_object_get(am, "serial_fraction_ci95");
	assert_true(json_real_value(json_array_get(ci, 0)) <= f);
	assert_true(f <= json_real_value(json_array_get(ci, 1)));
	assert_true(json_is_object(json_object_get(f0, "usl")));
	assert_true(json_is_null(json_object_get(f0, "why_not")));
	/* speedups are median(serial) / median(wall), ascending workers */
	json_t *sp = json_object_get(f0, "speedups");
	for (size_t i = 1; i < 4; i++)
		assert_true(json_real_value(json_array_get(sp, i)) >
			    json_real_value(json_array_get(sp, i - 1)));
	/* the spawn point alone: no model fits, and the reason */
	assert_string_equal(json_string_value(json_object_get(f1, "method")), "spawn");
	assert_true(json_is_null(json_object_get(f1, "amdahl")));
	assert_true(json_is_null(json_object_get(f1, "usl")));
	assert_true(json_is_string(json_object_get(f1, "why_not")));
	json_decref(fits);

	/* without baseline runs there is nothing to fit */
	bs.n = 0;
	fits = mpb_fit_sweep_json(&s);
	assert_non_null(fits);
	assert_int_equal(json_array_size(fits), 0);
	json_decref(fits);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_amdahl_exact),
		cmocka_unit_test(test_amdahl_noisy),
		cmocka_unit_test(test_refused_data),
		cmocka_unit_test(test_usl_exact),
		cmocka_unit_test(test_usl_noisy_and_amdahl_shaped),
		cmocka_unit_test(test_usl_peak_edges),
		cmocka_unit_test(test_fit_curve_recovers_serial_fraction),
		cmocka_unit_test(test_sweep_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
