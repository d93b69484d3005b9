/* test_warnings.c — unit tests for harness/analysis/warnings.c: each check on
 * synthetic numbers, then the collectors over a hand-built sweep (a noisy
 * point, a slow first run, a waiting point, a governor, load at the start,
 * a recommendation above the usable CPUs) and their JSON. */
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
#include "sampling.h"
#include "warnings.h"
#include "workload.h"

static void test_checks(void **state)
{
	(void)state;
	double ratio;
	const double slow[] = { 30, 10, 11, 9, 10 }, fine[] = { 14, 10, 11, 9, 10 };
	assert_true(mpb_warn_first_run_slow(slow, 5, &ratio));
	assert_true(fabs(ratio - 3.0) < 1e-12); /* 30 / median(10, 11, 9, 10) */
	assert_false(mpb_warn_first_run_slow(fine, 5, &ratio));
	assert_true(fabs(ratio - 1.4) < 1e-12);
	assert_false(mpb_warn_first_run_slow(slow, 2, &ratio)); /* too few to judge */

	assert_true(mpb_warn_wall_above_cpu(300, 100, &ratio));
	assert_true(fabs(ratio - 3.0) < 1e-12);
	assert_false(mpb_warn_wall_above_cpu(150, 100, &ratio));
	assert_false(mpb_warn_wall_above_cpu(200, 100, &ratio)); /* exactly 2x: not above */
	assert_true(mpb_warn_wall_above_cpu(100, 0, &ratio));
	assert_false(mpb_warn_wall_above_cpu(0, 0, &ratio));

	assert_true(mpb_warn_governor("powersave"));
	assert_true(mpb_warn_governor("ondemand"));
	assert_false(mpb_warn_governor("performance"));
	assert_false(mpb_warn_governor(""));   /* unknown (VMs) */
	assert_false(mpb_warn_governor(NULL));

	assert_true(mpb_warn_load(1.0, 2));
	assert_false(mpb_warn_load(0.3, 2));   /* below the floor of half a CPU */
	assert_false(mpb_warn_load(1.0, 8));   /* an eighth of the machine */
	assert_true(mpb_warn_load(2.0, 8));
	assert_false(mpb_warn_load(-1.0, 2));  /* unknown */
	assert_false(mpb_warn_load(5.0, 0));

	assert_true(mpb_warn_instrumentation(2.0, 100.0, &ratio));
	assert_true(fabs(ratio - 0.02) < 1e-12);
	assert_false(mpb_warn_instrumentation(1.0, 100.0, &ratio)); /* exactly 1%: not above */
	assert_false(mpb_warn_instrumentation(0.0, 100.0, &ratio));
	assert_false(mpb_warn_instrumentation(5.0, 0.0, &ratio));   /* no wall: nothing to judge */
}

static void test_probe_busy(void **state)
{
	(void)state;
	double busy = -2;
	/* /proc/stat exists on Linux; the figure is a count of CPUs */
	assert_int_equal(mpb_warnings_probe_busy(20, &busy), 0);
	assert_true(busy >= 0);
	assert_true(busy <= 4096);
}

static bool has_kind(const struct mpb_warning_list *l, const char *kind, const char *scope,
		     long index)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].kind, kind) == 0 && strcmp(l->v[i].scope, scope) == 0 &&
		    l->v[i].index == index)
			return true;
	return false;
}

/* The message of the warning of `kind` about point `index` ("" if none). */
static const char *message_of(const struct mpb_warning_list *l, const char *kind, long index)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].kind, kind) == 0 && l->v[i].index == index)
			return l->v[i].message;
	return "";
}

static size_t count_kind(const struct mpb_warning_list *l, const char *kind)
{
	size_t n = 0;
	for (size_t i = 0; i < l->n; i++)
		n += strcmp(l->v[i].kind, kind) == 0;
	return n;
}

#define NR 6
static void test_sweep_collect(void **state)
{
	(void)state;
	/* point 0: quiet; point 1: noisy at --max-runs; point 2: slow first run,
	 * and its runs waited (wall 3x CPU); point 3: 4 workers, the fastest,
	 * on 2 usable CPUs */
	const double walls[4][NR] = {
		{ 1000, 1001, 999, 1000, 1002, 998 },
		{ 600, 900, 500, 1200, 700, 400 },
		{ 3000, 1000, 1001, 999, 1000, 1002 },
		{ 300, 301, 299, 300, 302, 298 },
	};
	struct mpb_point pt[4];
	struct mpb_point_state ps[4];
	struct mpb_sample smp[4][NR];
	memset(pt, 0, sizeof pt);
	memset(ps, 0, sizeof ps);
	for (size_t i = 0; i < 4; i++) {
		pt[i] = (struct mpb_point){
			.id = (unsigned)i, .workload = &mpb_workload_null, .tasks = 10,
			.workers = (unsigned)i + 1, .method = mpb_method_find("fork"),
			.codec = mpb_codec_find("raw"), .transport = &mpb_transport_pipe, .chunksize = 1,
		};
		for (size_t k = 0; k < NR; k++)
			smp[i][k] = (struct mpb_sample){ .wall_ns = (uint64_t)walls[i][k] };
		ps[i] = (struct mpb_point_state){ .runs = smp[i], .nruns = NR, .cap = NR };
		mpb_sampling_account(&ps[i].acct, 1000 * NR, 900 * NR, true);
	}
	ps[2].acct = (struct mpb_sampling_acct){ 0 };
	mpb_sampling_account(&ps[2].acct, 3000, 1000, true);
	double serial[NR] = { 2000, 2000, 2001, 1999, 2000, 2000 };
	struct mpb_baseline bl = { &mpb_workload_null, 0, 10 };
	struct mpb_wall_state bs = { .wall_ns = serial, .n = NR, .cap = NR };
	struct mpb_plan plan = { .points = pt, .npoints = 4, .baselines = &bl, .nbaselines = 1,
				 .runs = 3, .seed = 1 };
	struct mpb_machine m;
	memset(&m, 0, sizeof m);
	m.usable_cpus = 2;
	strcpy(m.governor, "powersave");
	m.loadavg1 = 1.5;
	struct mpb_dataset s = { .plan = &plan, .machine = &m, .pts = ps, .bls = &bs,
			       .sampling = { .max_runs = NR, .target_ci = 0.03 },
			       .tolerance = 0.05, .start_busy_cpus = 1.2 };

	struct mpb_warning_list l = { 0 };
	assert_int_equal(mpb_warnings_collect(&s, &l), 0);
	assert_true(has_kind(&l, "governor", "machine", -1));
	assert_true(has_kind(&l, "load", "machine", -1));
	assert_true(has_kind(&l, "noisy", "point", 1));
	assert_false(has_kind(&l, "noisy", "point", 0));
	assert_true(has_kind(&l, "slow_first_run", "point", 2));
	assert_true(has_kind(&l, "wall_above_cpu", "point", 2));
	assert_int_equal(count_kind(&l, "wall_above_cpu"), 1);
	assert_int_equal(count_kind(&l, "slow_first_run"), 1);
	assert_true(has_kind(&l, "oversubscribed", "recommendation", 3));
	/* one slow run in six leaves the bootstrap CI of the median wide */
	assert_true(has_kind(&l, "noisy", "point", 2));
	assert_int_equal(count_kind(&l, "noisy"), 2);
	assert_true(has_kind(&l, "outliers", "point", 2)); /* 3000 among ~1000s */
	assert_int_equal(count_kind(&l, "outliers"), 1);
	for (size_t i = 0; i < l.n; i++)
		assert_true(strlen(l.v[i].message) > 20);

	json_t *all = mpb_warnings_json(&l, true);
	assert_non_null(all);
	assert_int_equal(json_array_size(all), l.n);
	json_t *w0 = json_array_get(all, 0);
	assert_true(json_is_string(json_object_get(w0, "kind")));
	assert_true(json_is_string(json_object_get(w0, "scope")));
	assert_true(json_is_string(json_object_get(w0, "message")));
	assert_true(json_object_get(w0, "index") != NULL);
	json_decref(all);
	mpb_warnings_free(&l);
	assert_null(l.v);

	/* a point's own list: {kind, message}, only its warnings */
	json_t *p2 = mpb_warnings_point_json(&s, 2);
	assert_non_null(p2);
	/* noisy, slow first run, that run an outlier, and the waiting */
	assert_int_equal(json_array_size(p2), 4);
	assert_null(json_object_get(json_array_get(p2, 0), "scope"));
	json_decref(p2);
	json_t *p0 = mpb_warnings_point_json(&s, 0);
	assert_int_equal(json_array_size(p0), 0);
	json_decref(p0);
	json_t *b0 = mpb_warnings_baseline_json(&s, 0);
	assert_int_equal(json_array_size(b0), 0);
	json_decref(b0);

	/* a quiet machine with the CPU of a forkserver point unknown */
	m.governor[0] = '\0';
	s.start_busy_cpus = 0.1;
	ps[2].acct.cpu_runs = 0;
	assert_int_equal(mpb_warnings_collect(&s, &l), 0);
	assert_int_equal(count_kind(&l, "governor") + count_kind(&l, "load"), 0);
	assert_int_equal(count_kind(&l, "wall_above_cpu"), 0);
	mpb_warnings_free(&l);
}

/* Synthetic points where the harness would measure itself: point 0 spends
 * 2% of its wall time on the harness's own work inside the windows, point 1
 * 0.5%; tasks of 200 ns each (2000 ns serial for 10) against self-checks
 * that put the smallest meaningful task above and below that. */
static void test_self_perturbation(void **state)
{
	(void)state;
	struct mpb_point pt[2];
	struct mpb_point_state ps[2];
	struct mpb_sample smp[2][NR];
	const uint64_t instr[2] = { 20, 5 };
	for (size_t i = 0; i < 2; i++) {
		pt[i] = (struct mpb_point){
			.id = (unsigned)i, .workload = &mpb_workload_null, .tasks = 10,
			.workers = 1, .method = mpb_method_find("fork"),
			.codec = mpb_codec_find("raw"), .transport = &mpb_transport_pipe, .chunksize = 1,
		};
		for (size_t k = 0; k < NR; k++)
			smp[i][k] = (struct mpb_sample){ .wall_ns = 1000, .instrumentation_ns = instr[i] };
		ps[i] = (struct mpb_point_state){ .runs = smp[i], .nruns = NR, .cap = NR };
	}
	struct mpb_machine m = { .usable_cpus = 2 };
	m.selfcheck = (struct mpb_selfcheck){ .runs = 5, .empty_run_ns = 150, .floors_ns = 100 };
	double serial[NR] = { 2000, 2000, 2000, 2000, 2000, 2000 };
	struct mpb_baseline bl = { &mpb_workload_null, 0, 10 };
	struct mpb_wall_state bs = { .wall_ns = serial, .n = NR, .cap = NR };
	struct mpb_plan plan = { .points = pt, .npoints = 2, .baselines = &bl, .nbaselines = 1,
				 .runs = 3, .seed = 1 };
	mpb_selfcheck_derive(&m.selfcheck); /* overhead 50 ns: tasks under 500 ns are short */
	struct mpb_dataset s = { .plan = &plan, .machine = &m, .pts = ps, .bls = &bs,
			       .start_busy_cpus = -1 };

	struct mpb_warning_list l = { 0 };
	assert_int_equal(mpb_warnings_collect(&s, &l), 0);
	assert_true(has_kind(&l, "instrumentation", "point", 0));
	assert_int_equal(count_kind(&l, "instrumentation"), 1);
	assert_true(has_kind(&l, "short_tasks", "point", 0));
	assert_true(has_kind(&l, "short_tasks", "point", 1));
	const char *msg = message_of(&l, "instrumentation", 0);
	assert_non_null(strstr(msg, "point 0 (null 0, fork, 1 worker, chunksize 1)"));
	mpb_warnings_free(&l);

	/* an external command names only the axes its template has: the
	 * method, codec and chunk size it never saw stay out of the words */
	pt[0].workload = &mpb_workload_cmd;
	s.options = json_pack("{s:s}", "cmd", "prog -n {workers}");
	assert_int_equal(mpb_warnings_collect(&s, &l), 0);
	msg = message_of(&l, "instrumentation", 0);
	assert_non_null(strstr(msg, "point 0 (cmd, 1 worker)"));
	assert_null(strstr(msg, "fork"));
	assert_null(strstr(msg, "chunksize"));
	mpb_warnings_free(&l);
	json_decref(s.options);
	s.options = NULL;
	pt[0].workload = &mpb_workload_null;

	/* overhead 10 ns: 200 ns tasks are long enough */
	m.selfcheck = (struct mpb_selfcheck){ .runs = 5, .empty_run_ns = 110, .floors_ns = 100 };
	mpb_selfcheck_derive(&m.selfcheck);
	assert_int_equal(mpb_warnings_collect(&s, &l), 0);
	assert_int_equal(count_kind(&l, "short_tasks"), 0);
	mpb_warnings_free(&l);
	/* no self-check recorded (an older file): nothing judged */
	m.selfcheck = (struct mpb_selfcheck){ 0 };
	assert_int_equal(mpb_warnings_collect(&s, &l), 0);
	assert_int_equal(count_kind(&l, "short_tasks"), 0);
	assert_int_equal(count_kind(&l, "instrumentation"), 1);
	mpb_warnings_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checks),
		cmocka_unit_test(test_probe_busy),
		cmocka_unit_test(test_sweep_collect),
		cmocka_unit_test(test_self_perturbation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
