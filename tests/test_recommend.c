/* test_recommend.c — unit tests for harness/analysis/recommend.c: the recommendation
 * on synthetic throughput curves (plateau, peak then decline under
 * oversubscription, flat, still rising, several chunk sizes, a memory
 * limit), its edge cases, and the sweep-level entries and JSON (best
 * method, the results/README.md keys) over a hand-built sweep; the ceiling sentence
 * in the reason and the printed lines' axes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ceiling.h"
#include "codec.h"
#include "dataset.h"
#include "method.h"
#include "recommend.h"
#include "workload.h"

#define assert_contains(hay, needle)                                                   \
	do {                                                                           \
		if (!strstr((hay), (needle)))                                          \
			fail_msg("\"%s\" does not contain \"%s\"", (hay), (needle));   \
	} while (0)

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Candidates from (workers, throughput) pairs, chunk size 1. */
static void curve(struct mpb_rec_candidate *c, const unsigned *w, const double *thr, size_t n)
{
	for (size_t i = 0; i < n; i++)
		c[i] = (struct mpb_rec_candidate){ .id = 100 + i, .workers = w[i], .chunksize = 1,
						   .throughput = thr[i] };
}

static void test_plateau(void **state)
{
	(void)state;
	const unsigned w[] = { 1, 2, 4, 8 };
	const double thr[] = { 100, 180, 188, 190 };
	struct mpb_rec_candidate c[4];
	curve(c, w, thr, 4);
	struct mpb_rec_context ctx = { .tolerance = 0.05, .usable_cpus = 8, .mem_available = 0 };
	struct mpb_recommendation r;
	assert_int_equal(mpb_recommend_curve(c, 4, &ctx, &r), 0);
	/* 180 < 0.95 * 190 = 180.5 < 188: 4 workers */
	assert_int_equal(c[r.rec].workers, 4);
	assert_int_equal(c[r.best].workers, 8);
	assert_true(fabs(r.vs_best - 188.0 / 190.0) < 1e-12);
	assert_int_equal(r.shape, MPB_SHAPE_PLATEAU);
	assert_string_equal(mpb_recommend_shape_name(r.shape), "plateau");
	assert_false(r.over_cpus);
	assert_false(r.over_memory);
	assert_int_equal(r.chunks_at_rec, 1);
	assert_non_null(strstr(r.why, "4 workers reach 98.9%"));
	assert_non_null(strstr(r.why, "8 workers"));
	assert_non_null(strstr(r.why, "plateau"));

	/* a wider tolerance settles for 2 workers */
	ctx.tolerance = 0.10;
	assert_int_equal(mpb_recommend_curve(c, 4, &ctx, &r), 0);
	assert_int_equal(c[r.rec].workers, 2);
}

static void test_peak_then_decline(void **state)
{
	(void)state;
	/* 2 usable CPUs: the third and fourth worker only add contention */
	const unsigned w[] = { 4, 1, 3, 2 };
	const double thr[] = { 120, 100, 150, 190 };
	struct mpb_rec_candidate c[4];
	curve(c, w, thr, 4);
	struct mpb_rec_context ctx = { .tolerance = 0.05, .usable_cpus = 2, .mem_available = 0 };
	struct mpb_recommendation r;
	assert_int_equal(mpb_recommend_curve(c, 4, &ctx, &r), 0);
	assert_int_equal(c[r.rec].workers, 2);
	assert_int_equal(r.rec, r.best);
	assert_true(r.vs_best == 1.0);
	assert_int_equal(r.shape, MPB_SHAPE_PEAK);
	assert_false(r.over_cpus);
	assert_non_null(strstr(r.why, "2 workers give the best"));
	assert_non_null(strstr(r.why, "peaks at 2 workers"));
	assert_non_null(strstr(r.why, "63%")); /* 120 / 190 at 4 workers */
	assert_non_null(strstr(r.why, "oversubscribe the 2 usable CPUs"));
}

static void test_flat(void **state)
{
	(void)state;
	const unsigned w[] = { 1, 2, 4 };
	const double thr[] = { 100, 101, 99.5 };
	struct mpb_rec_candidate c[3];
	curve(c, w, thr, 3);
	struct mpb_rec_context ctx = { .tolerance = 0.05, .usable_cpus = 2, .mem_available = 0 };
	struct mpb_recommendation r;
	assert_int_equal(mpb_recommend_curve(c, 3, &ctx, &r), 0);
	assert_int_equal(c[r.rec].workers, 1);
	assert_int_equal(c[r.best].workers, 2);
	assert_int_equal(r.shape, MPB_SHAPE_FLAT);
	assert_non_null(strstr(r.why, "1 worker reaches"));
	assert_non_null(strstr(r.why, "flat"));
}

static void test_rising_over_cpus(void **state)
{
	(void)state;
	const unsigned w[] = { 1, 2, 4 };
	const double thr[] = { 100, 200, 400 };
	struct mpb_rec_candidate c[3];
	curve(c, w, thr, 3);
	struct mpb_rec_context ctx = { .tolerance = 0.05, .usable_cpus = 2, .mem_available = 0 };
	struct mpb_recommendation r;
	assert_int_equal(mpb_recommend_curve(c, 3, &ctx, &r), 0);
	assert_int_equal(c[r.rec].workers, 4);
	assert_int_equal(r.shape, MPB_SHAPE_RISING);
	assert_true(r.over_cpus);
	assert_non_null(strstr(r.why, "still rises"));
	/* unknown usable CPUs: no such warning */
	ctx.usable_cpus = 0;
	assert_int_equal(mpb_recommend_curve(c, 3, &ctx, &r), 0);
	assert_false(r.over_cpus);
}

static void test_chunk_sizes(void **state)
{
	(void)state;
	struct mpb_rec_candidate c[] = {
		{ 0, 1, 1, 100, 0, NULL, 0 }, { 1, 1, 8, 110, 0, NULL, 0 },
		{ 2, 2, 1, 150, 0, NULL, 0 }, { 3, 2, 8, 205, 0, NULL, 0 }, { 4, 2, 32, 190, 0, NULL, 0 },
		{ 5, 4, 1, 160, 0, NULL, 0 }, { 6, 4, 8, 210, 0, NULL, 0 },
	};
	struct mpb_rec_context ctx = { .tolerance = 0.05, .usable_cpus = 4, .mem_available = 0 };
	struct mpb_recommendation r;
	assert_int_equal(mpb_recommend_curve(c, N_OF(c), &ctx, &r), 0);
	/* best 210 (4 workers, chunk 8); 205 at 2 workers qualifies with chunk 8 */
	assert_int_equal(r.rec, 3);
	assert_int_equal(r.best, 6);
	assert_int_equal(r.chunks_at_rec, 3);
	assert_non_null(strstr(r.why, "chunksize 8 is the fastest of the 3 chunk sizes"));
}

static void test_memory_limit(void **state)
{
	(void)state;
	const unsigned w[] = { 1, 2, 4 };
	const double thr[] = { 100, 190, 380 };
	struct mpb_rec_candidate c[3];
	curve(c, w, thr, 3);
	for (size_t i = 0; i < 3; i++)
		c[i].mem_per_worker = 1024.0 * 1024 * 1024;
	struct mpb_rec_context ctx = { .tolerance = 0.05, .usable_cpus = 8, .mem_available = 3ull << 30 };
	struct mpb_recommendation r;
	assert_int_equal(mpb_recommend_curve(c, 3, &ctx, &r), 0);
	assert_int_equal(c[r.rec].workers, 4);
	assert_int_equal(r.memory_max_workers, 3);
	assert_true(r.over_memory);
	ctx.mem_available = 8ull << 30;
	assert_int_equal(mpb_recommend_curve(c, 3, &ctx, &r), 0);
	assert_int_equal(r.memory_max_workers, 8);
	assert_false(r.over_memory);
	/* unknown memory per worker: no limit claimed */
	c[2].mem_per_worker = 0;
	assert_int_equal(mpb_recommend_curve(c, 3, &ctx, &r), 0);
	assert_int_equal(r.memory_max_workers, 0);
	assert_false(r.over_memory);
}

static void test_edges(void **state)
{
	(void)state;
	struct mpb_recommendation r;
	struct mpb_rec_context ctx = { .tolerance = 0.05, .usable_cpus = 2, .mem_available = 0 };
	assert_int_equal(mpb_recommend_curve(NULL, 0, &ctx, &r), -1);
	struct mpb_rec_candidate bad[] = { { 0, 1, 1, 100, 0, NULL, 0 }, { 1, 2, 1, 0, 0, NULL, 0 } };
	assert_int_equal(mpb_recommend_curve(bad, 2, &ctx, &r), -1);
	bad[1].throughput = NAN;
	assert_int_equal(mpb_recommend_curve(bad, 2, &ctx, &r), -1);

	/* one count */
	struct mpb_rec_candidate one[] = { { 0, 3, 1, 50, 0, NULL, 0 } };
	assert_int_equal(mpb_recommend_curve(one, 1, &ctx, &r), 0);
	assert_int_equal(r.rec, 0);
	assert_int_equal(r.shape, MPB_SHAPE_SINGLE);
	assert_true(r.over_cpus);

	/* tolerance 0: the best itself; equal throughputs go to fewer workers */
	const unsigned w[] = { 4, 2, 1 };
	const double thr[] = { 200, 200, 150 };
	struct mpb_rec_candidate c[3];
	curve(c, w, thr, 3);
	ctx.tolerance = 0;
	assert_int_equal(mpb_recommend_curve(c, 3, &ctx, &r), 0);
	assert_int_equal(c[r.best].workers, 2);
	assert_int_equal(c[r.rec].workers, 2);
}

/* A hand-built sweep: sumsq at 1, 2, 4 workers with fork and with spawn;
 * spawn is faster. Wall times in ns per run. */
static void test_sweep_entries_and_json(void **state)
{
	(void)state;
	const unsigned w[] = { 1, 2, 4, 1, 2, 4 };
	const double wall[] = { 1000, 560, 540, 900, 480, 470 };
	struct mpb_point pt[6];
	struct mpb_point_state ps[6];
	struct mpb_sample smp[6][3];
	memset(pt, 0, sizeof pt);
	memset(ps, 0, sizeof ps);
	for (size_t i = 0; i < 6; i++) {
		pt[i] = (struct mpb_point){
			.id = (unsigned)i, .workload = &mpb_workload_sumsq, .size = 5000000, .tasks = 4,
			.workers = w[i], .method = mpb_method_find(i < 3 ? "fork" : "spawn"),
			.codec = mpb_codec_find("raw"), .transport = &mpb_transport_pipe, .chunksize = 1,
		};
		for (size_t k = 0; k < 3; k++)
			smp[i][k] = (struct mpb_sample){ .wall_ns = (uint64_t)wall[i] + k };
		ps[i] = (struct mpb_point_state){ .runs = smp[i], .nruns = 3, .cap = 3 };
	}
	double serial[] = { 1000, 1000, 1000 };
	struct mpb_baseline bl = { &mpb_workload_sumsq, 5000000, 4 };
	struct mpb_wall_state bs = { .wall_ns = serial, .n = 3, .cap = 3 };
	struct mpb_plan plan = { .points = pt, .npoints = 6, .baselines = &bl, .nbaselines = 1,
				 .runs = 3, .seed = 1 };
	struct mpb_machine m;
	memset(&m, 0, sizeof m);
	m.usable_cpus = 2;
	struct mpb_dataset s = { .plan = &plan, .machine = &m, .pts = ps, .bls = &bs,
			       .tolerance = 0.05 };

	struct mpb_rec_entry *e;
	size_t n;
	assert_int_equal(mpb_recommend_sweep(&s, &e, &n), 0);
	assert_int_equal(n, 2);
	/* fork: 561 vs best 541 -> 96.4%: 2 workers; spawn: 481 vs 471 -> 2 */
	assert_int_equal(e[0].point, 1);
	assert_int_equal(e[0].best_point, 2);
	assert_int_equal(e[1].point, 4);
	assert_int_equal(e[1].best_point, 5);
	assert_string_equal(e[0].best_method, "spawn");
	assert_string_equal(e[1].best_method, "spawn");
	assert_false(e[0].is_best_method);
	assert_true(e[1].is_best_method);
	assert_int_equal(e[0].family_methods, 2);
	assert_true(fabs(e[0].throughput - 4e9 / 561.0) < 1e-6);
	free(e);

	json_t *recs = mpb_recommend_json(&s);
	assert_non_null(recs);
	assert_int_equal(json_array_size(recs), 2);
	json_t *r0 = json_array_get(recs, 0);
	const char *keys[] = { "workload", "size", "method", "workers", "chunksize",
			       "throughput_vs_best", "why" };
	for (size_t k = 0; k < N_OF(keys); k++)
		assert_non_null(json_object_get(r0, keys[k]));
	assert_string_equal(json_string_value(json_object_get(r0, "workload")), "sumsq");
	assert_int_equal(json_integer_value(json_object_get(r0, "size")), 5000000);
	assert_string_equal(json_string_value(json_object_get(r0, "method")), "fork");
	assert_int_equal(json_integer_value(json_object_get(r0, "workers")), 2);
	assert_int_equal(json_integer_value(json_object_get(r0, "chunksize")), 1);
	assert_true(fabs(json_real_value(json_object_get(r0, "throughput_vs_best")) -
			 541.0 / 561.0) < 1e-12);
	assert_true(json_is_string(json_object_get(r0, "why")));
	assert_string_equal(json_string_value(json_object_get(r0, "best_method")), "spawn");
	assert_int_equal(json_array_size(json_object_get(r0, "warnings")), 0);
	/* the evidence: 2 workers against serial, and the other options */
	assert_true(json_is_true(json_object_get(r0, "parallelize")));
	assert_true(json_is_string(json_object_get(r0, "confidence")));
	assert_true(json_is_string(json_object_get(r0, "evidence")));
	json_t *vs = json_object_get(r0, "vs_serial");
	assert_true(fabs(json_real_value(json_object_get(vs, "ratio")) - 1000.0 / 561.0) < 1e-9);
	assert_int_equal(json_array_size(json_object_get(vs, "ci95")), 2);
	assert_string_equal(json_string_value(json_object_get(vs, "verdict")), "better");
	json_t *alts = json_object_get(r0, "alternatives");
	assert_int_equal(json_array_size(alts), 3); /* serial, 1 and 4 workers */
	assert_int_equal(json_integer_value(json_object_get(json_array_get(alts, 0), "workers")), 0);
	assert_true(json_is_null(json_object_get(json_array_get(alts, 0), "point")));
	json_t *a4 = json_array_get(alts, 2);
	assert_int_equal(json_integer_value(json_object_get(a4, "workers")), 4);
	assert_int_equal(json_integer_value(json_object_get(a4, "point")), 2);
	assert_true(json_is_number(json_object_get(a4, "p")));
	assert_true(json_is_null(json_object_get(r0, "pays_from_size")));
	assert_true(json_is_null(json_object_get(r0, "pays_from_workers")));
	json_decref(recs);

	/* a failed point is never recommended */
	ps[1].failed = true;
	assert_int_equal(mpb_recommend_sweep(&s, &e, &n), 0);
	assert_int_equal(e[0].point, 2);
	assert_true(e[0].r.over_cpus);
	char warn[2][MPB_REC_WARN_LEN];
	assert_int_equal(mpb_recommend_warnings(&s, &e[0], warn), 1);
	assert_non_null(strstr(warn[0], "4 workers exceed the 2 usable CPUs"));
	free(e);

	/* nothing measured: no entries */
	for (size_t i = 0; i < 6; i++)
		ps[i].nruns = 0;
	assert_int_equal(mpb_recommend_sweep(&s, &e, &n), 0);
	assert_int_equal(n, 0);
	assert_null(e);
}

/* Wall times of `n` hand-built points, 3 runs each (w + 0, w + 1, w + 2 ns),
 * against a serial baseline of 1000 ns. */
struct mini_sweep {
	struct mpb_point pt[8];
	struct mpb_point_state ps[8];
	struct mpb_sample smp[8][3];
	double serial[3];
	struct mpb_baseline bl;
	struct mpb_wall_state bs;
	struct mpb_plan plan;
	struct mpb_machine m;
	struct mpb_dataset s;
	struct mpb_ceiling cl[8];
	struct mpb_wall_state cs[8];
	double cwall[8][3];
};

static void mini_sweep(struct mini_sweep *ms, const struct mpb_point *pts, const double *wall,
		       size_t n)
{
	memset(ms, 0, sizeof *ms);
	for (size_t i = 0; i < n; i++) {
		ms->pt[i] = pts[i];
		ms->pt[i].id = (unsigned)i;
		for (size_t k = 0; k < 3; k++)
			ms->smp[i][k] = (struct mpb_sample){ .wall_ns = (uint64_t)wall[i] + k };
		ms->ps[i] = (struct mpb_point_state){ .runs = ms->smp[i], .nruns = 3, .cap = 3 };
	}
	for (size_t k = 0; k < 3; k++)
		ms->serial[k] = 1000;
	ms->bl = (struct mpb_baseline){ &mpb_workload_sumsq, 5000000, 4 };
	ms->bs = (struct mpb_wall_state){ .wall_ns = ms->serial, .n = 3, .cap = 3 };
	ms->plan = (struct mpb_plan){ .points = ms->pt, .npoints = n, .baselines = &ms->bl,
				      .nbaselines = 1, .runs = 3, .seed = 1 };
	ms->m.usable_cpus = 2;
	ms->s = (struct mpb_dataset){ .plan = &ms->plan, .machine = &ms->m, .pts = ms->ps,
				    .bls = &ms->bs, .tolerance = 0.05 };
}

/* A ceiling for each of the mini sweep's points, at its worker count,
 * every run of ceiling i taking cwall[i] ns. */
static void mini_ceilings(struct mini_sweep *ms, const double *cwall)
{
	for (size_t i = 0; i < ms->plan.npoints; i++) {
		ms->cl[i] = (struct mpb_ceiling){ &mpb_workload_sumsq, 5000000, 4,
						  ms->pt[i].workers, 0,
								MPB_METHOD_CEILING_PROCESSES };
		for (size_t k = 0; k < 3; k++)
			ms->cwall[i][k] = cwall[i];
		ms->cs[i] = (struct mpb_wall_state){ .wall_ns = ms->cwall[i], .n = 3, .cap = 3 };
		ms->pt[i].ceiling = i;
	}
	ms->plan.ceilings = ms->cl;
	ms->plan.nceilings = ms->plan.npoints;
	ms->s.cls = ms->cs;
}

static struct mpb_point sumsq_point(const char *method, unsigned workers, uint64_t parent_rss)
{
	return (struct mpb_point){
		.workload = &mpb_workload_sumsq, .size = 5000000, .tasks = 4, .workers = workers,
		.parent_rss = parent_rss, .method = mpb_method_find(method),
		.codec = mpb_codec_find(strcmp(method, "thread") == 0 ? "none" : "raw"),
		.transport = &mpb_transport_pipe, .chunksize = 1, .ceiling = MPB_NO_CEILING,
	};
}

/* fork at 1, 2 and 4 workers (1000, 560, 540 ns) with ceilings cwall. */
static void fork_124(struct mini_sweep *ms, const double cwall[3])
{
	const struct mpb_point pts[] = { sumsq_point("fork", 1, 0), sumsq_point("fork", 2, 0),
					 sumsq_point("fork", 4, 0) };
	const double wall[] = { 1000, 560, 540 };
	mini_sweep(ms, pts, wall, 3);
	mini_ceilings(ms, cwall);
}

/* With the machine's ceiling measured, the reason names it in words
 * "this machine scales to X at N workers; the pool reaches Y, Z%". */
static void test_why_names_the_ceiling(void **state)
{
	(void)state;
	static struct mini_sweep ms;
	const double cwall[] = { 1000, 520, 520 };
	fork_124(&ms, cwall);

	struct mpb_rec_entry *e;
	size_t n;
	assert_int_equal(mpb_recommend_sweep(&ms.s, &e, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(e[0].point, 1); /* 561 is within 5% of 541 */
	/* serial 1000 / ceiling 520 = 1.92x; 1000 / 561 = 1.78x; 520 / 561 = 93% */
	if (!strstr(e[0].r.why, "; this machine scales to 1.92x at 2 workers; the fork pool "
				"reaches 1.78x, 93% of that"))
		fail_msg("why: %s", e[0].r.why);
	assert_false(e[0].r.low_ceiling); /* 1.92 >= 0.6 x 2 */
	free(e);

	/* no ceiling runs (--no-ceiling): no such sentence */
	for (size_t i = 0; i < 3; i++)
		ms.cs[i].n = 0;
	assert_int_equal(mpb_recommend_sweep(&ms.s, &e, &n), 0);
	assert_int_equal(n, 1);
	assert_null(strstr(e[0].r.why, "this machine"));
	assert_false(e[0].r.low_ceiling);
	free(e);
}

/* A ceiling far below what bare processes should reach (1.14x at 2
 * workers on 2 usable CPUs, where 1 bare process costs nothing over serial:
 * a loaded machine) makes the confidence low, with the reason in words and
 * in JSON, whatever the comparisons say; the ceiling above the usable CPUs
 * (4 workers) is not the one judged. */
static void test_low_ceiling_lowers_confidence(void **state)
{
	(void)state;
	static struct mini_sweep ms;
	const double cwall[] = { 1000, 880, 300 }; /* 1.14x at 2, 3.3x at 4 */
	fork_124(&ms, cwall);
	struct mpb_rec_entry *e;
	size_t n;
	assert_int_equal(mpb_recommend_sweep(&ms.s, &e, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(e[0].point, 1);
	assert_true(e[0].r.low_ceiling);
	assert_int_equal(e[0].r.confidence, MPB_REC_LOW);
	assert_contains(e[0].r.confidence_reason, "bare processes reached only 1.14x at 2 workers");
	assert_contains(e[0].r.evidence, "confidence low: bare processes reached only 1.14x");
	free(e);
	json_t *j = mpb_recommend_json(&ms.s);
	assert_non_null(j);
	json_t *r0 = json_array_get(j, 0);
	assert_non_null(r0);
	assert_string_equal(json_string_value(json_object_get(r0, "confidence")), "low");
	assert_contains(json_string_value(json_object_get(r0, "confidence_reason")), "1.14x");
	json_decref(j);

	/* without a 1-worker ceiling, the machine's fork floor tells the
	 * processes' own cost (1 ns against 1000: 2 should reach ~2x); without
	 * floors either, nothing does, and there is no judgement */
	ms.cs[0].n = 0;
	assert_int_equal(mpb_recommend_sweep(&ms.s, &e, &n), 0);
	assert_false(e[0].r.low_ceiling);
	free(e);
	ms.m.has_floors = true;
	ms.m.floors.fork_exit_wait_ns = 1;
	assert_int_equal(mpb_recommend_sweep(&ms.s, &e, &n), 0);
	assert_true(e[0].r.low_ceiling);
	free(e);
	ms.m.has_floors = false;

	/* bare processes' own cost explains a low ceiling: at 1 worker they
	 * reach 0.5x (their cost F equals the work T), so 2 of them, started
	 * one after the other, should reach 1 / (1/2 + 2 x 1) = 0.4x, and 1.14x
	 * is not low (tasks too short for processes, not a loaded machine) */
	const double costly[] = { 2000, 880, 300 };
	mini_ceilings(&ms, costly);
	assert_int_equal(mpb_recommend_sweep(&ms.s, &e, &n), 0);
	assert_false(e[0].r.low_ceiling);
	free(e);
	/* ... but 0.2x is (under 0.6 x 0.4x) */
	const double costly_low[] = { 2000, 5000, 300 };
	mini_ceilings(&ms, costly_low);
	assert_int_equal(mpb_recommend_sweep(&ms.s, &e, &n), 0);
	assert_true(e[0].r.low_ceiling);
	assert_contains(e[0].r.confidence_reason, "under 0.6 x the 0.4x they should reach");
	free(e);

	/* just above the threshold (1.25x against 0.6 x 2) it is not low for that */
	const double at[] = { 1000, 800, 300 };
	mini_ceilings(&ms, at);
	assert_int_equal(mpb_recommend_sweep(&ms.s, &e, &n), 0);
	assert_false(e[0].r.low_ceiling);
	assert_string_equal(e[0].r.confidence_reason, "");
	free(e);
	j = mpb_recommend_json(&ms.s);
	assert_true(json_is_null(json_object_get(json_array_get(j, 0), "confidence_reason")));
	json_decref(j);
}

/* The printed recommendation names every axis that was swept, so that two
 * groups differing only in parent RSS do not print as the same line; the
 * thread pool's codec none is no swept axis. */
static void test_print_names_swept_axes(void **state)
{
	(void)state;
	static struct mini_sweep ms;
	const struct mpb_point pts[] = {
		sumsq_point("fork", 1, 0), sumsq_point("fork", 2, 0),
		sumsq_point("fork", 1, 64u << 20), sumsq_point("fork", 2, 64u << 20),
		sumsq_point("thread", 1, 0), sumsq_point("thread", 2, 0),
		sumsq_point("thread", 1, 64u << 20), sumsq_point("thread", 2, 64u << 20),
	};
	const double wall[] = { 1000, 560, 1100, 900, 950, 500, 960, 510 };
	mini_sweep(&ms, pts, wall, 8);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	mpb_recommend_print(f, &ms.s);
	assert_int_equal(fclose(f), 0);
	const char *want[] = {
		"  sumsq 5M fork, parent RSS 0: use 2 workers, chunksize 1\n",
		"  sumsq 5M fork, parent RSS 64MiB: use 2 workers, chunksize 1\n",
		"  sumsq 5M thread, parent RSS 0: use 2 workers, chunksize 1\n",
		"  sumsq 5M thread, parent RSS 64MiB: use 2 workers, chunksize 1\n",
		"  best method for sumsq 5M, parent RSS 0: thread (",
		"  best method for sumsq 5M, parent RSS 64MiB: thread (",
	};
	for (size_t i = 0; i < N_OF(want); i++)
		if (!strstr(text, want[i]))
			fail_msg("missing %s in:\n%s", want[i], text);
	assert_null(strstr(text, "codec"));
	free(text);

	/* one parent size: the line is as short as before */
	mini_sweep(&ms, pts, wall, 2);
	f = open_memstream(&text, &len);
	assert_non_null(f);
	mpb_recommend_print(f, &ms.s);
	assert_int_equal(fclose(f), 0);
	if (!strstr(text, "\n  sumsq 5M fork: use 2 workers, chunksize 1\n"))
		fail_msg("got:\n%s", text);
	free(text);
}

/* Wall times (ns) base * (1 + jitter[k] * spread), k < 8: a deterministic
 * stand-in for run-to-run noise. */
#define NOISY 8
static void noisy(double *w, double base, double spread)
{
	static const double jitter[NOISY] = { -0.6, 0.5, -0.2, 0.3, 0.0, -0.4, 0.6, -0.1 };
	for (size_t k = 0; k < NOISY; k++)
		w[k] = base * (1.0 + jitter[k] * spread);
}

/* Candidates with 1 task per map, so throughput = 1e9 / median wall. */
static void noisy_curve(struct mpb_rec_candidate *c, const unsigned *w, double walls[][NOISY],
			size_t n)
{
	for (size_t i = 0; i < n; i++) {
		double sorted[NOISY];
		memcpy(sorted, walls[i], sizeof sorted);
		for (size_t a = 1; a < NOISY; a++)
			for (size_t b = a; b > 0 && sorted[b - 1] > sorted[b]; b--) {
				double t = sorted[b];
				sorted[b] = sorted[b - 1];
				sorted[b - 1] = t;
			}
		double med = (sorted[NOISY / 2 - 1] + sorted[NOISY / 2]) / 2;
		c[i] = (struct mpb_rec_candidate){ .id = i, .workers = w[i], .chunksize = 1,
						   .throughput = 1e9 / med, .wall = walls[i],
						   .nwall = NOISY };
	}
}

/* Recommend over worker counts w[0..n) whose wall times are noisy(base[i],
 * spread), into walls, c and r. */
static void noisy_recommend(const unsigned *w, const double *base, double spread, size_t n,
			    double walls[][NOISY], struct mpb_rec_candidate *c,
			    const struct mpb_rec_context *ctx, struct mpb_recommendation *r)
{
	for (size_t i = 0; i < n; i++)
		noisy(walls[i], base[i], spread);
	noisy_curve(c, w, walls, n);
	assert_int_equal(mpb_recommend_curve(c, n, ctx, r), 0);
}

static const struct mpb_rec_alt *alt_of(const struct mpb_recommendation *r, unsigned workers)
{
	for (size_t i = 0; i < r->nalt; i++)
		if (r->alt[i].workers == workers)
			return &r->alt[i];
	fail_msg("no alternative with %u workers", workers);
	return &r->alt[0]; /* not reached */
}

/* The pool is slower than serial (0.45x at 2 workers, as a 1M task with
 * 4 tasks is): no worker count, and the size from which it would pay. */
static void test_serial_wins(void **state)
{
	(void)state;
	const unsigned w[] = { 1, 2 };
	double walls[2][NOISY], serial[NOISY];
	noisy(serial, 1000, 0.02);
	noisy(walls[0], 2600, 0.02);
	noisy(walls[1], 2200, 0.02);
	struct mpb_rec_candidate c[2];
	noisy_curve(c, w, walls, 2);
	struct mpb_rec_context ctx = { .tolerance = 0.05, .usable_cpus = 2,
				       .serial_throughput = 1e9 / 1000, .serial = serial,
				       .nserial = NOISY, .seed = 3 };
	struct mpb_recommendation r;
	assert_int_equal(mpb_recommend_curve(c, 2, &ctx, &r), 0);
	assert_false(r.parallelize);
	assert_int_equal(r.shape, MPB_SHAPE_SERIAL);
	assert_string_equal(mpb_recommend_shape_name(r.shape), "serial");
	assert_false(r.over_cpus);
	assert_int_equal(r.confidence, MPB_REC_HIGH);
	const struct mpb_rec_alt *a = alt_of(&r, 2);
	assert_int_equal(a->cmp.verdict, MPB_REC_WORSE);
	assert_true(a->cmp.ratio < 0.5 && a->cmp.ci_hi < 1.0 && a->cmp.p < MPB_REC_ALPHA);
	/* fixed cost ~2200 - 1000 / 2 = ~1700 ns; it pays once k * 1000 * (0.95 - 0.5) > it */
	double fixed = 1e9 / c[1].throughput - 500;
	assert_true(fabs(r.pays_from_scale - fixed / 450.0) < 1e-6);
	if (!strstr(r.why, "do not parallelize this task at this size") ||
	    !strstr(r.why, "0.455x serial") || !strstr(r.why, "about 3.77x this work per map"))
		fail_msg("why: %s", r.why);
	assert_int_equal(r.pays_from_workers, 2);

	/* a pool just as fast as serial, within the noise: still serial */
	noisy(walls[1], 990, 0.05);
	noisy_curve(c, w, walls, 2);
	assert_int_equal(mpb_recommend_curve(c, 2, &ctx, &r), 0);
	assert_false(r.parallelize);
	assert_true(alt_of(&r, 2)->cmp.ratio > 1.0);
	assert_int_not_equal(alt_of(&r, 2)->cmp.verdict, MPB_REC_BETTER);
	/* ~1.1x the work would already pay by the fixed cost: within the
	 * noise of the model, so the estimate says at least 1.5x */
	assert_true(r.pays_from_scale == MPB_REC_MIN_SCALE);
	assert_int_equal(r.pays_from_workers, 2);
	if (!strstr(r.why, "2 workers would pay from about 1.5x this work per map (an estimate"))
		fail_msg("why: %s", r.why);

	/* a real gain: 2 workers, with the speedup's CI */
	noisy(walls[1], 560, 0.02);
	noisy_curve(c, w, walls, 2);
	assert_int_equal(mpb_recommend_curve(c, 2, &ctx, &r), 0);
	assert_true(r.parallelize);
	assert_int_equal(c[r.rec].workers, 2);
	assert_true(r.have_serial);
	assert_int_equal(r.vs_serial.verdict, MPB_REC_BETTER);
	assert_true(r.vs_serial.ci_lo <= r.vs_serial.ratio && r.vs_serial.ratio <= r.vs_serial.ci_hi);
	assert_non_null(strstr(r.evidence, "2 workers: 1.79x serial ["));
}

/* Tiny tasks: 1 worker is the best pool option (it starts one process
 * only), but it can never beat serial; the size estimate comes from the
 * counts that can (2 workers here, fixed cost ~4000 - 100 / 2 ns), not
 * from the best option, and more workers than CPUs count as the CPUs. */
static void test_serial_wins_estimate_from_any_count(void **state)
{
	(void)state;
	const unsigned w[] = { 1, 2, 4 };
	const double base[] = { 2100, 4000, 8000 };
	double walls[3][NOISY], serial[NOISY];
	noisy(serial, 100, 0.02);
	struct mpb_rec_candidate c[3];
	struct mpb_rec_context ctx = { .tolerance = 0.05, .usable_cpus = 2,
				       .serial_throughput = 1e9 / 100, .serial = serial,
				       .nserial = NOISY, .seed = 3 };
	struct mpb_recommendation r;
	noisy_recommend(w, base, 0.02, 3, walls, c, &ctx, &r);
	assert_false(r.parallelize);
	assert_int_equal(c[r.best].workers, 1);
	assert_int_equal(r.pays_from_workers, 2);
	double fixed = 1e9 / c[1].throughput - 50;
	assert_true(fabs(r.pays_from_scale - fixed / 45.0) < 1e-6);
	/* bare processes did not scale (0.5x at 2, where 1.38x was due): the
	 * machine's load, not a fixed cost, holds the pool back: no size */
	ctx.ceiling_workers = 2;
	ctx.ceiling_speedup = 0.5;
	ctx.ceiling_one = 0.9;
	assert_int_equal(mpb_recommend_curve(c, 3, &ctx, &r), 0);
	assert_false(r.parallelize);
	assert_true(r.low_ceiling);
	assert_true(r.pays_from_scale == 0);
	assert_null(strstr(r.why, "would pay from"));
	assert_non_null(strstr(r.why, "bare processes did not scale either"));
	ctx.ceiling_workers = 0;
	/* one usable CPU: no count can ever pay, no size is claimed */
	ctx.usable_cpus = 1;
	assert_int_equal(mpb_recommend_curve(c, 3, &ctx, &r), 0);
	assert_false(r.parallelize);
	assert_true(r.pays_from_scale == 0);
	assert_null(strstr(r.why, "would pay from"));
}

/* 2 usable CPUs, CPU-bound: 4 workers look 7% faster than 2 by the point
 * estimate, inside the noise. The larger count must not win. */
static void test_flat_beyond_cpus_with_noise(void **state)
{
	(void)state;
	const unsigned w[] = { 1, 2, 4 };
	double walls[3][NOISY];
	noisy(walls[0], 2000, 0.03);
	noisy(walls[1], 1000, 0.15);
	noisy(walls[2], 930, 0.15);
	/* the same jitter pattern would pair every run; shift 4 workers' */
	double t = walls[2][0];
	memmove(walls[2], walls[2] + 1, (NOISY - 1) * sizeof t);
	walls[2][NOISY - 1] = t;
	struct mpb_rec_candidate c[3];
	noisy_curve(c, w, walls, 3);
	struct mpb_rec_context ctx = { .tolerance = 0.05, .usable_cpus = 2, .seed = 5 };
	struct mpb_recommendation r;
	assert_int_equal(mpb_recommend_curve(c, 3, &ctx, &r), 0);
	assert_true(c[r.best].workers == 4); /* the point estimate alone would take 4 */
	assert_true(r.parallelize);
	assert_int_equal(c[r.rec].workers, 2);
	assert_false(r.over_cpus);
	const struct mpb_rec_alt *a = alt_of(&r, 4);
	assert_true(a->cmp.ratio > 1.0 / 0.95);
	assert_true(a->cmp.p >= MPB_REC_ALPHA);
	assert_int_equal(a->cmp.verdict, MPB_REC_INCONCLUSIVE);
	assert_int_equal(alt_of(&r, 1)->cmp.verdict, MPB_REC_WORSE);
	/* one comparison could not decide */
	assert_int_equal(r.confidence, MPB_REC_MEDIUM);
	if (!strstr(r.evidence, "4 workers: ") || !strstr(r.evidence, "inconclusive (p = ") ||
	    !strstr(r.evidence, "confidence medium"))
		fail_msg("evidence: %s", r.evidence);
	assert_non_null(strstr(r.why, "not significant"));
}

/* 4 workers on 2 CPUs beat 2 by about 6%, significantly, with a CI that
 * reaches below the tolerance (as an uneven split of the chunks among 2
 * workers gives): a step past the usable CPUs must have its whole CI
 * beyond the tolerance, so 2 stay recommended although the comparison
 * alone says "better". */
static void test_over_cpus_needs_ci_beyond_tolerance(void **state)
{
	(void)state;
	const unsigned w[] = { 1, 2, 4 };
	const double base[] = { 2000, 1000, 940 };
	double walls[3][NOISY];
	struct mpb_rec_candidate c[3];
	struct mpb_rec_context ctx = { .tolerance = 0.05, .usable_cpus = 2, .seed = 11 };
	struct mpb_recommendation r;
	noisy_recommend(w, base, 0.03, 3, walls, c, &ctx, &r);
	const struct mpb_rec_alt *a = alt_of(&r, 4);
	if (a->cmp.verdict != MPB_REC_BETTER || !(a->cmp.ci_lo < 1.0 / 0.95))
		fail_msg("4 workers: %s, ratio %g [%g-%g]", mpb_rec_verdict_name(a->cmp.verdict),
			 a->cmp.ratio, a->cmp.ci_lo, a->cmp.ci_hi);
	assert_int_equal(c[r.best].workers, 4);
	assert_int_equal(c[r.rec].workers, 2);
	assert_false(r.over_cpus);
	if (!strstr(r.why, "does not lie wholly beyond the 5% tolerance: a count past the 2 "
			   "usable CPUs"))
		fail_msg("why: %s", r.why);
	/* the same curve with 4 usable CPUs: 4 workers earn their place */
	ctx.usable_cpus = 4;
	assert_int_equal(mpb_recommend_curve(c, 3, &ctx, &r), 0);
	assert_int_equal(c[r.rec].workers, 4);
}

/* I/O-bound (tasks wait): 8 workers on 2 CPUs really are faster. */
static void test_io_bound_gain(void **state)
{
	(void)state;
	const unsigned w[] = { 1, 2, 4, 8 };
	const double base[] = { 8160, 4080, 2040, 1020 };
	double walls[4][NOISY];
	struct mpb_rec_candidate c[4];
	struct mpb_rec_context ctx = { .tolerance = 0.05, .usable_cpus = 2, .seed = 7 };
	struct mpb_recommendation r;
	noisy_recommend(w, base, 0.03, 4, walls, c, &ctx, &r);
	assert_int_equal(c[r.rec].workers, 8);
	assert_true(r.over_cpus);
	assert_int_equal(r.shape, MPB_SHAPE_RISING);
	assert_int_equal(r.confidence, MPB_REC_HIGH);
	assert_int_equal(alt_of(&r, 4)->cmp.verdict, MPB_REC_WORSE);
}

/* A peak inside the usable CPUs: 3 is no better than 2, 4 is worse. */
static void test_peak_inside_cpus(void **state)
{
	(void)state;
	const unsigned w[] = { 1, 2, 3, 4 };
	const double base[] = { 4000, 2100, 2060, 2600 };
	double walls[4][NOISY];
	struct mpb_rec_candidate c[4];
	struct mpb_rec_context ctx = { .tolerance = 0.05, .usable_cpus = 4, .seed = 9 };
	struct mpb_recommendation r;
	noisy_recommend(w, base, 0.02, 4, walls, c, &ctx, &r);
	assert_int_equal(c[r.rec].workers, 2);
	assert_int_equal(c[r.best].workers, 3);
	assert_int_equal(r.shape, MPB_SHAPE_PEAK);
	assert_int_equal(alt_of(&r, 3)->cmp.verdict, MPB_REC_EQUIVALENT);
	assert_int_equal(alt_of(&r, 4)->cmp.verdict, MPB_REC_WORSE);
	assert_int_equal(r.confidence, MPB_REC_HIGH);
	assert_non_null(strstr(r.evidence, "3 workers: 1.02x ["));
	assert_non_null(strstr(r.evidence, "equivalent (p = "));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plateau),
		cmocka_unit_test(test_peak_then_decline),
		cmocka_unit_test(test_flat),
		cmocka_unit_test(test_rising_over_cpus),
		cmocka_unit_test(test_chunk_sizes),
		cmocka_unit_test(test_memory_limit),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_sweep_entries_and_json),
		cmocka_unit_test(test_why_names_the_ceiling),
		cmocka_unit_test(test_low_ceiling_lowers_confidence),
		cmocka_unit_test(test_print_names_swept_axes),
		cmocka_unit_test(test_serial_wins),
		cmocka_unit_test(test_serial_wins_estimate_from_any_count),
		cmocka_unit_test(test_flat_beyond_cpus_with_noise),
		cmocka_unit_test(test_over_cpus_needs_ci_beyond_tolerance),
		cmocka_unit_test(test_io_bound_gain),
		cmocka_unit_test(test_peak_inside_cpus),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
