/* test_sampling.c — unit tests for harness/run/sampling.c: the adaptive stopping
 * rule on synthetic noise sources (quiet, noisy, moderately noisy, costly),
 * its limits, its determinism, the racing rule of tune over a hand-built
 * sweep, the accounting of time and CPU, and the policy a command line
 * gives. No timing: every "wall time" here is made up. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "method.h"
#include "options.h"
#include "rng.h"
#include "sampling.h"
#include "stats.h"
#include "workload.h"

/* A synthetic noise source: base * (1 + sd * N(0, 1)), seeded. */
struct noise {
	struct mpb_rng rng;
	double base, sd;
};

static double gauss(struct mpb_rng *r)
{
	double u1 = mpb_rng_double(r), u2 = mpb_rng_double(r);
	if (u1 < 1e-300)
		u1 = 1e-300;
	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

static double draw(struct noise *n)
{
	double v = n->base * (1.0 + n->sd * gauss(&n->rng));
	return v > 1.0 ? v : 1.0;
}

/* Feed runs from the source until the policy stops; each run "costs"
 * cost_ns. Returns the number of runs and the final verdict. */
static size_t sample_until_stop(const struct mpb_sampling_policy *p, uint64_t min_runs,
				struct noise *src, uint64_t cost_ns, double *x, size_t cap,
				struct mpb_sampling_verdict *v)
{
	size_t n = 0;
	for (;;) {
		assert_int_equal(mpb_sampling_decide(p, min_runs, x, n, n * cost_ns, 99, v), 0);
		if (v->state != MPB_SAMPLING_MORE)
			return n;
		assert_true(n < cap); /* the rule must stop on its own */
		x[n++] = draw(src);
	}
}

static void test_quiet_source_stops_at_min_runs(void **state)
{
	(void)state;
	struct mpb_sampling_policy p = { .max_runs = 30, .target_ci = 0.03 };
	struct noise src = { .base = 1e6, .sd = 0.002 };
	mpb_rng_seed(&src.rng, 1);
	double x[64];
	struct mpb_sampling_verdict v;
	size_t n = sample_until_stop(&p, 5, &src, 0, x, 64, &v);
	assert_int_equal(n, 5);
	assert_int_equal(v.state, MPB_SAMPLING_CONVERGED);
	assert_string_equal(mpb_sampling_state_name(v.state), "target_ci");
	assert_true(v.ci_half <= 0.03);
	assert_true(v.ci_lo <= v.median && v.median <= v.ci_hi);
	assert_true(v.median == mpb_stats_median(x, n));
}

static void test_noisy_source_hits_max_runs(void **state)
{
	(void)state;
	struct mpb_sampling_policy p = { .max_runs = 12, .target_ci = 0.03 };
	struct noise src = { .base = 1e6, .sd = 0.4 };
	mpb_rng_seed(&src.rng, 2);
	double x[64];
	struct mpb_sampling_verdict v;
	size_t n = sample_until_stop(&p, 3, &src, 0, x, 64, &v);
	assert_int_equal(n, 12);
	assert_int_equal(v.state, MPB_SAMPLING_MAX_RUNS);
	assert_string_equal(mpb_sampling_state_name(v.state), "max_runs");
	assert_true(v.ci_half > 0.03);
}

static void test_time_budget(void **state)
{
	(void)state;
	/* every run costs 1 s; the budget is 4.5 s: the 5th run crosses it */
	struct mpb_sampling_policy p = { .max_runs = 30, .target_ci = 0.01,
					 .max_time_ns = 4500000000ull };
	struct noise src = { .base = 1e9, .sd = 0.4 };
	mpb_rng_seed(&src.rng, 3);
	double x[64];
	struct mpb_sampling_verdict v;
	size_t n = sample_until_stop(&p, 3, &src, 1000000000ull, x, 64, &v);
	assert_int_equal(n, 5);
	assert_int_equal(v.state, MPB_SAMPLING_MAX_TIME);
	assert_string_equal(mpb_sampling_state_name(v.state), "max_time");

	/* the budget never cuts below --runs */
	p.max_time_ns = 1;
	mpb_rng_seed(&src.rng, 3);
	n = sample_until_stop(&p, 4, &src, 1000000000ull, x, 64, &v);
	assert_int_equal(n, 4);
	assert_int_equal(v.state, MPB_SAMPLING_MAX_TIME);
}

static void test_moderate_noise_converges_consistently(void **state)
{
	(void)state;
	struct mpb_sampling_policy p = { .max_runs = 200, .target_ci = 0.03 };
	/* for several seeded sources: once stopped for the CI, the CI is within
	 * the target; at every earlier count past --runs it was not */
	for (uint64_t seed = 10; seed < 16; seed++) {
		struct noise src = { .base = 2e6, .sd = 0.08 };
		mpb_rng_seed(&src.rng, seed);
		double x[256];
		struct mpb_sampling_verdict v;
		size_t n = sample_until_stop(&p, 5, &src, 0, x, 256, &v);
		assert_int_equal(v.state, MPB_SAMPLING_CONVERGED);
		assert_true(v.ci_half <= 0.03);
		assert_true(n > 5); /* 8% noise cannot give +-3% from 5 runs */
		for (size_t k = 5; k < n; k++) {
			struct mpb_sampling_verdict e;
			assert_int_equal(mpb_sampling_decide(&p, 5, x, k, 0, 99, &e), 0);
			assert_int_equal(e.state, MPB_SAMPLING_MORE);
			assert_true(e.ci_half > 0.03);
		}
		/* the verdict's CI is the stats module's CI for the same seed */
		double lo, hi;
		assert_int_equal(mpb_stats_median_ci(x, n, 99, &lo, &hi), 0);
		assert_true(lo == v.ci_lo && hi == v.ci_hi);
		assert_true(fabs(v.ci_half - (hi - lo) / 2 / mpb_stats_median(x, n)) < 1e-15);
	}
}

static void test_below_min_runs_and_degenerate(void **state)
{
	(void)state;
	struct mpb_sampling_policy p = { .max_runs = 30, .target_ci = 0.03 };
	const double same[] = { 5.0, 5.0, 5.0, 5.0, 5.0, 5.0 };
	struct mpb_sampling_verdict v;
	/* identical runs have a zero-width CI, but --runs comes first */
	for (size_t n = 0; n < 4; n++) {
		assert_int_equal(mpb_sampling_decide(&p, 4, same, n, 0, 1, &v), 0);
		assert_int_equal(v.state, MPB_SAMPLING_MORE);
		assert_int_equal(v.n, n);
	}
	assert_true(isnan(v.median) == false);
	assert_int_equal(mpb_sampling_decide(&p, 4, same, 0, 0, 1, &v), 0);
	assert_true(isnan(v.median) && isnan(v.ci_half));
	assert_int_equal(mpb_sampling_decide(&p, 4, same, 4, 0, 1, &v), 0);
	assert_int_equal(v.state, MPB_SAMPLING_CONVERGED);
	assert_true(v.ci_half == 0.0);
	/* -r 1: one run is enough (a CI of one run has no width) */
	assert_int_equal(mpb_sampling_decide(&p, 1, same, 1, 0, 1, &v), 0);
	assert_int_equal(v.state, MPB_SAMPLING_CONVERGED);
}

static void test_zero_policy_is_fixed_count(void **state)
{
	(void)state;
	/* zeroed policy: exactly --runs; max_runs below --runs counts as --runs */
	struct mpb_sampling_policy zero = { 0 }, low = { .max_runs = 2, .target_ci = 0.0001 };
	struct noise src = { .base = 1e6, .sd = 0.3 };
	mpb_rng_seed(&src.rng, 4);
	double x[64];
	struct mpb_sampling_verdict v;
	assert_int_equal(sample_until_stop(&zero, 7, &src, 0, x, 64, &v), 7);
	assert_int_equal(v.state, MPB_SAMPLING_MAX_RUNS);
	assert_int_equal(sample_until_stop(&low, 6, &src, 0, x, 64, &v), 6);
	assert_int_equal(v.state, MPB_SAMPLING_MAX_RUNS);
}

static void test_decide_is_deterministic(void **state)
{
	(void)state;
	struct mpb_sampling_policy p = { .max_runs = 30, .target_ci = 0.02 };
	struct noise src = { .base = 1e6, .sd = 0.05 };
	mpb_rng_seed(&src.rng, 5);
	double x[20];
	for (size_t i = 0; i < 20; i++)
		x[i] = draw(&src);
	struct mpb_sampling_verdict a, b;
	assert_int_equal(mpb_sampling_decide(&p, 5, x, 20, 0, 1234, &a), 0);
	assert_int_equal(mpb_sampling_decide(&p, 5, x, 20, 0, 1234, &b), 0);
	assert_int_equal(a.state, b.state);
	assert_int_equal(a.n, b.n);
	assert_memory_equal(&a.median, &b.median, sizeof a.median);
	assert_memory_equal(&a.ci_lo, &b.ci_lo, sizeof a.ci_lo);
	assert_memory_equal(&a.ci_hi, &b.ci_hi, sizeof a.ci_hi);
	assert_memory_equal(&a.ci_half, &b.ci_half, sizeof a.ci_half);
}

static void test_cannot_qualify(void **state)
{
	(void)state;
	/* best median wall 100, tolerance 5%: qualifying walls are <= 105.26 */
	assert_false(mpb_sampling_cannot_qualify(105.0, 100.0, 0.05));
	assert_true(mpb_sampling_cannot_qualify(105.3, 100.0, 0.05));
	assert_false(mpb_sampling_cannot_qualify(100.0, 100.0, 0.0));
	assert_true(mpb_sampling_cannot_qualify(100.5, 100.0, 0.0));
	/* no best yet, or a tolerance of 100%: nothing is dropped */
	assert_false(mpb_sampling_cannot_qualify(1e9, INFINITY, 0.05));
	assert_false(mpb_sampling_cannot_qualify(1e9, 100.0, 1.0));
}

/* A hand-built sweep: four points of one group (null workload, fork, raw,
 * pipe) at 1, 2, 3 and 4 workers, one baseline. */
#define NP 4
#define MAXR 40
struct fixture {
	struct mpb_point pt[NP];
	struct mpb_baseline bl;
	struct mpb_plan plan;
	struct mpb_point_state ps[NP];
	struct mpb_wall_state bs;
	struct mpb_sample runs[NP][MAXR];
	double serial[MAXR];
	struct mpb_dataset s;
};

static void fixture_init(struct fixture *f)
{
	memset(f, 0, sizeof *f);
	for (size_t i = 0; i < NP; i++) {
		f->pt[i] = (struct mpb_point){
			.id = (unsigned)i, .workload = &mpb_workload_null, .tasks = 10,
			.workers = (unsigned)i + 1, .method = mpb_method_find("fork"),
			.codec = mpb_codec_find("raw"), .transport = &mpb_transport_pipe, .chunksize = 1,
		};
		f->ps[i].runs = f->runs[i];
		f->ps[i].cap = MAXR;
	}
	f->bl = (struct mpb_baseline){ &mpb_workload_null, 0, 10 };
	f->plan = (struct mpb_plan){ .points = f->pt, .npoints = NP, .baselines = &f->bl,
				     .nbaselines = 1, .runs = 3, .seed = 7 };
	f->bs = (struct mpb_wall_state){ .wall_ns = f->serial, .cap = MAXR };
	f->s = (struct mpb_dataset){ .plan = &f->plan, .pts = f->ps, .bls = &f->bs,
				   .sampling = { .max_runs = 20, .target_ci = 0.001 } };
}

static void set_runs(struct fixture *f, size_t i, const double *wall, size_t n)
{
	for (size_t r = 0; r < n; r++)
		f->runs[i][r] = (struct mpb_sample){ .wall_ns = (uint64_t)wall[r] };
	f->ps[i].nruns = n;
}

static void test_sweep_racing(void **state)
{
	(void)state;
	struct fixture *f = calloc(1, sizeof *f);
	assert_non_null(f);
	fixture_init(f);
	/* 1 worker: twice as slow, tight; 2: the best; 3: 3% slower but noisy;
	 * 4: 20% slower, tight. None has converged at +-0.1%. */
	const double w1[] = { 2000, 2010, 1990, 2005 }, w2[] = { 1000, 1010, 990, 1005 };
	const double w3[] = { 900, 1250, 1030, 1100 }, w4[] = { 1200, 1210, 1190, 1205 };
	set_runs(f, 0, w1, 4);
	set_runs(f, 1, w2, 4);
	set_runs(f, 2, w3, 4);
	set_runs(f, 3, w4, 4);

	/* without racing every point wants more */
	for (size_t i = 0; i < NP; i++)
		assert_true(mpb_sampling_point_wants_more(&f->s, i));

	f->s.sampling.race_tolerance = 0.05;
	struct mpb_sampling_verdict v;
	mpb_sampling_point_verdict(&f->s, 0, &v);
	assert_int_equal(v.state, MPB_SAMPLING_DROPPED);
	assert_string_equal(mpb_sampling_state_name(v.state), "dropped");
	assert_true(mpb_sampling_point_wants_more(&f->s, 1));  /* the best */
	assert_true(mpb_sampling_point_wants_more(&f->s, 2));  /* could still qualify */
	assert_false(mpb_sampling_point_wants_more(&f->s, 3)); /* cannot */

	/* racing waits for --runs */
	set_runs(f, 3, w4, 2);
	assert_true(mpb_sampling_point_wants_more(&f->s, 3));
	set_runs(f, 3, w4, 4);

	/* a failed point is not the best: with a much faster point 1, point 2
	 * is out; with point 1 failed, point 2 leads and wants more */
	const double fast[] = { 500, 505, 495, 502 };
	set_runs(f, 1, fast, 4);
	assert_false(mpb_sampling_point_wants_more(&f->s, 2));
	f->ps[1].failed = true;
	assert_true(mpb_sampling_point_wants_more(&f->s, 2));
	f->ps[1].failed = false;

	/* a point of another group does not race against this one */
	f->pt[3].codec = mpb_codec_find("none");
	assert_true(mpb_sampling_point_wants_more(&f->s, 3));
	free(f);
}

static void test_sweep_baseline_and_limits(void **state)
{
	(void)state;
	struct fixture *f = calloc(1, sizeof *f);
	assert_non_null(f);
	fixture_init(f);
	struct noise src = { .base = 1e6, .sd = 0.3 };
	mpb_rng_seed(&src.rng, 6);
	for (size_t r = 0; r < 20; r++)
		f->serial[r] = draw(&src);
	f->bs.n = 2;
	assert_true(mpb_sampling_baseline_wants_more(&f->s, 0)); /* below --runs */
	f->bs.n = 10;
	assert_true(mpb_sampling_baseline_wants_more(&f->s, 0)); /* noisy, below max */
	f->bs.n = 20;
	assert_false(mpb_sampling_baseline_wants_more(&f->s, 0));
	struct mpb_sampling_verdict v;
	mpb_sampling_baseline_verdict(&f->s, 0, &v);
	assert_int_equal(v.state, MPB_SAMPLING_MAX_RUNS);

	/* the time budget is the item's own accounting */
	f->bs.n = 10;
	f->s.sampling.max_time_ns = 1000;
	f->bs.acct.spent_ns = 999;
	assert_true(mpb_sampling_baseline_wants_more(&f->s, 0));
	f->bs.acct.spent_ns = 1000;
	assert_false(mpb_sampling_baseline_wants_more(&f->s, 0));

	assert_int_equal(mpb_sampling_max_runs(&f->s), 20);
	f->s.sampling.max_runs = 0;
	assert_int_equal(mpb_sampling_max_runs(&f->s), 3);
	free(f);
}

static void test_accounting(void **state)
{
	(void)state;
	struct mpb_sampling_acct a = { 0 };
	mpb_sampling_account(&a, 100, 40, true);
	mpb_sampling_account(&a, 200, 70, false);
	assert_int_equal(a.spent_ns, 300);
	assert_int_equal(a.timed_runs, 2);
	assert_int_equal(a.cpu_runs, 1);
	assert_int_equal(a.cpu_ns, 40);

	struct mpb_point pt = { .method = mpb_method_find("fork") };
	assert_true(mpb_sampling_cpu_visible(&pt));
	pt.method = mpb_method_find("thread");
	assert_true(mpb_sampling_cpu_visible(&pt));
	pt.method = mpb_method_find("forkserver");
	assert_false(mpb_sampling_cpu_visible(&pt));

	/* the CPU clock only moves forward, and moves while we compute */
	uint64_t c0 = mpb_sampling_cpu_now();
	volatile double sink = 0;
	for (int i = 0; i < 2000000; i++)
		sink += sqrt((double)i);
	uint64_t c1 = mpb_sampling_cpu_now();
	assert_true(c1 > c0);
	(void)sink;
}

static void test_policy_from_options(void **state)
{
	(void)state;
	struct mpb_config cfg;
	struct mpb_diag d = { 0 };
	struct mpb_sampling_policy p;
	double tol;
	char *a1[] = { "-r", "4", "--target-ci", "2.5", "--max-time", "1.5", "--tolerance", "10" };
	assert_int_equal(mpb_options_parse(MPB_CMD_SWEEP, 8, a1, &cfg, &d), 0);
	assert_int_equal(mpb_sampling_policy_from(&cfg, false, &p, &tol, &d), 0);
	assert_int_equal(p.max_runs, MPB_SAMPLING_DEFAULT_MAX_RUNS);
	assert_true(fabs(p.target_ci - 0.025) < 1e-15);
	assert_int_equal(p.max_time_ns, 1500000000ull);
	assert_true(p.race_tolerance == 0);
	assert_true(fabs(tol - 0.10) < 1e-15);
	assert_int_equal(mpb_sampling_policy_from(&cfg, true, &p, &tol, &d), 0);
	assert_true(fabs(p.race_tolerance - 0.10) < 1e-15);

	/* defaults: 30 runs, +-3%, 10 s, 5% */
	assert_int_equal(mpb_options_parse(MPB_CMD_SWEEP, 0, a1, &cfg, &d), 0);
	assert_int_equal(mpb_sampling_policy_from(&cfg, false, &p, &tol, &d), 0);
	assert_int_equal(p.max_runs, 30);
	assert_true(fabs(p.target_ci - MPB_SAMPLING_DEFAULT_TARGET_CI) < 1e-15);
	assert_int_equal(p.max_time_ns, (uint64_t)(MPB_SAMPLING_DEFAULT_MAX_TIME_S * 1e9));
	assert_true(fabs(tol - 0.05) < 1e-15);

	/* -r above the default --max-runs raises it; an explicit lower one is an error */
	char *a2[] = { "-r", "50" };
	assert_int_equal(mpb_options_parse(MPB_CMD_SWEEP, 2, a2, &cfg, &d), 0);
	assert_int_equal(mpb_sampling_policy_from(&cfg, false, &p, &tol, &d), 0);
	assert_int_equal(p.max_runs, 50);
	char *a3[] = { "-r", "5", "--max-runs", "3" };
	assert_int_equal(mpb_options_parse(MPB_CMD_SWEEP, 4, a3, &cfg, &d), 0);
	assert_int_equal(mpb_sampling_policy_from(&cfg, false, &p, &tol, &d), -MPB_EINPUT);
	assert_non_null(strstr(d.msg, "--max-runs"));
	assert_non_null(strstr(d.msg, "3"));
	assert_non_null(strstr(d.msg, "5"));

	/* malformed and out-of-range percentages fail in the parser */
	char *bad[][2] = { { "--target-ci", "abc" }, { "--target-ci", "101" },
			   { "--max-time", "-1" }, { "--tolerance", "100" },
			   { "--tolerance", "5%" }, { "--max-time", "1e3" },
			   { "--target-ci", "" }, { "--max-time", "nan" } };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct mpb_diag e = { 0 };
		int rc = mpb_options_parse(MPB_CMD_SWEEP, 2, bad[i], &cfg, &e);
		if (rc != -MPB_EINPUT)
			fail_msg("%s %s: rc %d", bad[i][0], bad[i][1], rc);
		assert_non_null(strstr(e.msg, bad[i][0]));
		if (bad[i][1][0])
			assert_non_null(strstr(e.msg, bad[i][1]));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quiet_source_stops_at_min_runs),
		cmocka_unit_test(test_noisy_source_hits_max_runs),
		cmocka_unit_test(test_time_budget),
		cmocka_unit_test(test_moderate_noise_converges_consistently),
		cmocka_unit_test(test_below_min_runs_and_degenerate),
		cmocka_unit_test(test_zero_policy_is_fixed_count),
		cmocka_unit_test(test_decide_is_deterministic),
		cmocka_unit_test(test_cannot_qualify),
		cmocka_unit_test(test_sweep_racing),
		cmocka_unit_test(test_sweep_baseline_and_limits),
		cmocka_unit_test(test_accounting),
		cmocka_unit_test(test_policy_from_options),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
