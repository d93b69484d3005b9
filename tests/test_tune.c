/* test_tune.c — unit tests for harness/run/tune.c's pure parts: the coarse
 * phase's worker list and the refinement candidates around the knee. The
 * phases themselves run real pools: tests/integration/test_tune.py. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "machine.h"
#include "options.h"
#include "plan.h"
#include "pool.h"
#include "split.h"
#include "tune.h"

static void test_coarse_workers(void **state)
{
	(void)state;
	char buf[256];
	assert_int_equal(mpb_tune_coarse_workers(2, 4, buf, sizeof buf), 0);
	assert_string_equal(buf, "1,2,4");
	assert_int_equal(mpb_tune_coarse_workers(6, 12, buf, sizeof buf), 0);
	assert_string_equal(buf, "1,2,4,6,8");
	assert_int_equal(mpb_tune_coarse_workers(1, 2, buf, sizeof buf), 0);
	assert_string_equal(buf, "1,2");
	/* a process limit below 2 x usable caps the list */
	assert_int_equal(mpb_tune_coarse_workers(8, 5, buf, sizeof buf), 0);
	assert_string_equal(buf, "1,2,4");
	assert_int_equal(mpb_tune_coarse_workers(64, 128, buf, 4), -1);
}

static void test_refine(void **state)
{
	(void)state;
	unsigned out[3];
	/* 2-core machine, measured 1, 2, 4; recommended and best 2: try 3 */
	const unsigned m1[] = { 1, 2, 4 };
	assert_int_equal(mpb_tune_refine(m1, 3, 2, 2, 4, out), 1);
	assert_int_equal(out[0], 3);
	/* best at 4 too: between 2 and 4 again */
	assert_int_equal(mpb_tune_refine(m1, 3, 2, 4, 4, out), 1);
	assert_int_equal(out[0], 3);
	/* once 3 is measured nothing is left */
	const unsigned m2[] = { 1, 2, 3, 4 };
	assert_int_equal(mpb_tune_refine(m2, 4, 2, 3, 4, out), 0);
	assert_int_equal(mpb_tune_refine(m2, 4, 2, 4, 4, out), 0);

	/* a big machine: recommended 16 after 8, best 32 between 16 and 64 */
	const unsigned m3[] = { 1, 2, 4, 8, 16, 32, 64 };
	assert_int_equal(mpb_tune_refine(m3, 7, 16, 32, 64, out), 3);
	assert_int_equal(out[0], 12); /* is fewer than 16 enough? */
	assert_int_equal(out[1], 24); /* between 16 and the best */
	assert_int_equal(out[2], 48); /* between the best and 64 */
	/* the cap keeps candidates at or below 2 x usable */
	assert_int_equal(mpb_tune_refine(m3, 7, 16, 64, 40, out), 1);
	assert_int_equal(out[0], 12);
	/* recommended 1: nothing below; duplicates collapse */
	const unsigned m4[] = { 1, 4 };
	assert_int_equal(mpb_tune_refine(m4, 2, 1, 4, 8, out), 1);
	assert_int_equal(out[0], 2);
}

static void test_tune_plan(void **state)
{
	(void)state;
	struct mpb_machine m;
	memset(&m, 0, sizeof m);
	m.usable_cpus = 2;
	m.max_user_processes = -1;
	struct mpb_config cfg;
	struct mpb_diag d = { 0 };
	char buf[256];
	struct mpb_plan plan;
	char *a1[] = { "-w", "null", "-t", "10", "-m", "fork,thread" };
	assert_int_equal(mpb_options_parse(MPB_CMD_TUNE, 6, a1, &cfg, &d), 0);
	assert_int_equal(mpb_tune_plan(&cfg, &m, buf, sizeof buf, &plan, &d), 0);
	assert_string_equal(cfg.workers, "1,2,4");
	assert_int_equal(plan.npoints, 6);
	assert_int_equal(plan.nbaselines, 1);
	mpb_plan_free(&plan);

	/* tune takes one workload, size and task count; -j is not its option */
	char *a2[] = { "-w", "null", "-t", "10,20" };
	assert_int_equal(mpb_options_parse(MPB_CMD_TUNE, 4, a2, &cfg, &d), 0);
	assert_int_equal(mpb_tune_plan(&cfg, &m, buf, sizeof buf, &plan, &d), -MPB_EINPUT);
	assert_non_null(strstr(d.msg, "tune"));
	assert_non_null(strstr(d.msg, "one workload, one size"));
	char *a3[] = { "-j", "2" };
	assert_int_equal(mpb_options_parse(MPB_CMD_TUNE, 2, a3, &cfg, &d), -MPB_EINPUT);
	assert_non_null(strstr(d.msg, "--workers"));
}

/* Runs shorter than 50 x the pool's fixed cost grow the task count so that
 * they would not be; long enough ones, and the caps, keep it. */
static void test_grow_tasks(void **state)
{
	(void)state;
	/* 16 tasks: 22 ms a run, 2 ms of it fixed: 20 ms of work must become 98 */
	assert_int_equal(mpb_tune_grow_tasks(16, 2e6, 22e6, 44e6), 79);
	/* already 50 x */
	assert_int_equal(mpb_tune_grow_tasks(16, 2e6, 100e6, 200e6), 16);
	assert_int_equal(mpb_tune_grow_tasks(16, 2e6, 120e6, 200e6), 16);
	/* unknown fixed cost: nothing to grow for */
	assert_int_equal(mpb_tune_grow_tasks(16, 0, 22e6, 44e6), 16);
	/* the serial run stays under 2 s: 16 tasks of 500 ms may grow to 64 */
	assert_int_equal(mpb_tune_grow_tasks(16, 50e6, 300e6, 500e6), 64);
	/* no work besides the fixed cost: as far as the caps allow */
	assert_int_equal(mpb_tune_grow_tasks(16, 2e6, 2e6, 1e3), MPB_MAX_TASKS);
	assert_int_equal(mpb_tune_grow_tasks(0, 2e6, 1e6, 1e3), 0);
}

/* How unevenly Pool.map's chunks split the tasks: at 50 tasks 2 workers
 * get chunks of 7, 28 tasks for one and 22 for the other. */
static void test_split_excess(void **state)
{
	(void)state;
	assert_true(fabs(mpb_split_excess(50, 2, 0) - 0.12) < 1e-12);
	/* 4 workers: 13 chunks of 4 (the last 2): 14 tasks for the first */
	assert_true(fabs(mpb_split_excess(50, 4, 0) - 0.12) < 1e-12);
	assert_true(mpb_split_excess(50, 1, 0) == 0);
	assert_true(mpb_split_excess(48, 2, 0) == 0);
	assert_true(mpb_split_excess(48, 3, 0) == 0);
	assert_true(mpb_split_excess(48, 4, 0) == 0);
	/* fixed chunks of 5: 10 chunks over 3 workers, 4 for the first */
	assert_true(fabs(mpb_split_excess(50, 3, 5) - 0.2) < 1e-12);
	assert_true(mpb_split_excess(50, 2, 5) == 0);
	/* more workers than tasks: some get none */
	assert_true(fabs(mpb_split_excess(2, 4, 0) - 1.0) < 1e-12);
}

static double worst(uint64_t t, const unsigned *w, size_t nw, uint64_t chunk)
{
	double x = 0;
	for (size_t i = 0; i < nw; i++)
		x = fmax(x, mpb_split_excess(t, w[i], chunk));
	return x;
}

/* The grown count: the fewest tasks from the length's minimum on whose
 * chunks give every worker count equal shares, else the most even. */
static void test_even_tasks(void **state)
{
	(void)state;
	const unsigned w4[] = { 1, 2, 3, 4 };
	const uint64_t python = 0, one = 1;
	double x = -1;
	/* 2 usable CPUs: tune measures 1 to 4 workers; 50 tasks become 96 */
	uint64_t t = mpb_split_even_tasks(50, MPB_MAX_TASKS, w4, 4, &python, 1, &x);
	assert_int_equal(t, 96);
	assert_true(x == 0);
	for (size_t i = 0; i < 4; i++) {
		uint64_t c = mpb_pool_python_chunksize(t, w4[i]);
		assert_int_equal(t % c, 0);              /* chunks of one size */
		assert_int_equal((t / c) % w4[i], 0);    /* as many for each worker */
	}
	for (uint64_t k = 50; k < 96; k++)
		assert_true(worst(k, w4, 4, 0) > 0);     /* none smaller does it */
	/* an even count stays */
	assert_int_equal(mpb_split_even_tasks(48, MPB_MAX_TASKS, w4, 4, &python, 1, &x), 48);
	assert_int_equal(mpb_split_even_tasks(12, MPB_MAX_TASKS, w4, 4, &python, 1, &x), 12);
	/* -c 1: every count a multiple of 12 */
	assert_int_equal(mpb_split_even_tasks(50, MPB_MAX_TASKS, w4, 4, &one, 1, &x), 60);
	/* both rules at once */
	const uint64_t both[] = { 0, 1 };
	assert_int_equal(mpb_split_even_tasks(50, MPB_MAX_TASKS, w4, 4, both, 2, &x), 96);
	/* the limit (the serial run's length) bounds the search: the most
	 * even count within it, the smallest of equals */
	t = mpb_split_even_tasks(50, 60, w4, 4, &python, 1, &x);
	assert_true(t >= 50 && t <= 60);
	assert_true(x > 0 && x == worst(t, w4, 4, 0));
	for (uint64_t k = 50; k <= 60; k++)
		assert_true(worst(k, w4, 4, 0) > x || (worst(k, w4, 4, 0) == x && k >= t));
	/* a limit at or below the minimum (the serial run's, reached by the
	 * length): down from the limit to half of it, the most tasks */
	assert_int_equal(mpb_split_even_tasks(50, 50, w4, 4, &python, 1, &x), 48);
	assert_int_equal(mpb_split_even_tasks(1000, 200, w4, 4, &python, 1, &x), 192);
	assert_true(x == 0);
	assert_int_equal(mpb_split_even_tasks(40, 40, w4, 4, &python, 1, &x), 24);
	/* 8 usable CPUs, 1 to 16 workers: no count up to twice 100 is even;
	 * the most even one, at most twice the minimum */
	unsigned w16[16];
	for (unsigned i = 0; i < 16; i++)
		w16[i] = i + 1;
	t = mpb_split_even_tasks(100, MPB_MAX_TASKS, w16, 16, &python, 1, &x);
	assert_true(t >= 100 && t <= 200);
	assert_true(x > 0 && x == worst(t, w16, 16, 0));
	for (uint64_t k = 100; k <= 200; k++) {
		assert_true(worst(k, w16, 16, 0) >= x * (1 - 1e-9));
		assert_true(k >= t || worst(k, w16, 16, 0) > x);
	}
	assert_true(x < worst(100, w16, 16, 0));
	/* and down from a limit: the most even, the largest of equals */
	t = mpb_split_even_tasks(300, 300, w16, 16, &python, 1, &x);
	assert_true(t >= 150 && t <= 300);
	assert_true(x > 0 && x == worst(t, w16, 16, 0));
	for (uint64_t k = 150; k <= 300; k++) {
		assert_true(worst(k, w16, 16, 0) >= x * (1 - 1e-9));
		assert_true(k <= t || worst(k, w16, 16, 0) > x);
	}
}

/* --find-size: the next size from the estimate (1.5 x, at least twice
 * the size, 4 x without one), and each stop with its reason, in order. */
static void test_next_size(void **state)
{
	(void)state;
	struct mpb_tune_search at = { .size = 10000, .max_size = UINT64_MAX / 2,
				      .pays_from = 873000, .serial_ns = 1e5, .tried = 1 };
	uint64_t next = 1;
	assert_int_equal(mpb_tune_next_size(&at, &next), MPB_TUNE_STOP_NONE);
	assert_int_equal(next, 1310000); /* 1309500 to 3 digits: "1310k" */
	at.pays_from = 12000; /* close by: at least twice the size */
	assert_int_equal(mpb_tune_next_size(&at, &next), MPB_TUNE_STOP_NONE);
	assert_int_equal(next, 20000);
	at.pays_from = 0; /* no estimate: 4 x */
	assert_int_equal(mpb_tune_next_size(&at, &next), MPB_TUNE_STOP_NONE);
	assert_int_equal(next, 40000);
	/* found: whatever the budget */
	at.pays = true;
	at.tried = 100;
	assert_int_equal(mpb_tune_next_size(&at, &next), MPB_TUNE_STOP_PAYS);
	assert_int_equal(next, 0);
	assert_string_equal(mpb_tune_stop_name(MPB_TUNE_STOP_PAYS), "pays");
	at.pays = false;
	assert_int_equal(mpb_tune_next_size(&at, &next), MPB_TUNE_STOP_SIZES);
	assert_string_equal(mpb_tune_stop_name(MPB_TUNE_STOP_SIZES), "sizes");
	at.tried = MPB_TUNE_FIND_SIZE_TRIES - 1;
	assert_int_equal(mpb_tune_next_size(&at, &next), MPB_TUNE_STOP_NONE);
	at.elapsed_ns = MPB_TUNE_FIND_SIZE_SECONDS * 1e9;
	assert_int_equal(mpb_tune_next_size(&at, &next), MPB_TUNE_STOP_TIME);
	assert_string_equal(mpb_tune_stop_name(MPB_TUNE_STOP_TIME), "time");
	at.elapsed_ns = 0;
	/* 4 x a serial run of 0.6 s passes the 2 s limit */
	at.serial_ns = 0.6e9;
	assert_int_equal(mpb_tune_next_size(&at, &next), MPB_TUNE_STOP_RUN_LENGTH);
	assert_int_equal(next, 0);
	assert_string_equal(mpb_tune_stop_name(MPB_TUNE_STOP_RUN_LENGTH), "run_length");
	/* the largest size: capped there, and once there, done */
	at.serial_ns = 1e5;
	at.max_size = 25000;
	assert_int_equal(mpb_tune_next_size(&at, &next), MPB_TUNE_STOP_NONE);
	assert_int_equal(next, 25000);
	/* rounded up past the largest: the largest */
	at.max_size = 39999;
	assert_int_equal(mpb_tune_next_size(&at, &next), MPB_TUNE_STOP_NONE);
	assert_int_equal(next, 39999);
	at.max_size = 25000;
	at.size = 25000;
	assert_int_equal(mpb_tune_next_size(&at, &next), MPB_TUNE_STOP_LARGEST);
	assert_string_equal(mpb_tune_stop_name(MPB_TUNE_STOP_LARGEST), "largest_size");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_coarse_workers),
		cmocka_unit_test(test_refine),
		cmocka_unit_test(test_tune_plan),
		cmocka_unit_test(test_grow_tasks),
		cmocka_unit_test(test_split_excess),
		cmocka_unit_test(test_even_tasks),
		cmocka_unit_test(test_next_size),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
