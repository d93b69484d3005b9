/* test_dataset.c — the results model's memory: arrays made for a plan,
 * runs and wall times appended in order, and everything freed once. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "dataset.h"

static void test_alloc_makes_the_arrays_of_the_plan(void **state)
{
	(void)state;
	struct mpb_point pt[2] = { { .id = 0 }, { .id = 1 } };
	struct mpb_baseline bl[1] = { { .tasks = 4 } };
	struct mpb_plan plan = { .points = pt, .npoints = 2, .baselines = bl, .nbaselines = 1 };
	struct mpb_dataset ds = { .plan = &plan };
	assert_int_equal(mpb_dataset_alloc(&ds), 0);
	assert_non_null(ds.pts);
	assert_non_null(ds.bls);
	assert_non_null(ds.cls); /* no ceilings: still an array to index nothing */
	assert_int_equal(ds.pts[1].nruns, 0);
	assert_false(ds.bls[0].failed);
	mpb_dataset_free(&ds);
	assert_null(ds.pts);
	assert_null(ds.bls);
	assert_null(ds.cls);
}

static void test_runs_and_walls_append_in_order(void **state)
{
	(void)state;
	struct mpb_point pt[1] = { { .id = 0 } };
	struct mpb_baseline bl[1] = { { .tasks = 1 } };
	struct mpb_ceiling ce[1] = { { .workers = 2 } };
	struct mpb_plan plan = { .points = pt, .npoints = 1, .baselines = bl, .nbaselines = 1,
				 .ceilings = ce, .nceilings = 1 };
	struct mpb_dataset ds = { .plan = &plan };
	assert_int_equal(mpb_dataset_alloc(&ds), 0);
	for (uint64_t r = 0; r < 20; r++) { /* past the first growth */
		struct mpb_sample smp = { .wall_ns = 100 + r, .nworkers = 1 };
		smp.worker = calloc(1, sizeof *smp.worker);
		assert_non_null(smp.worker);
		smp.worker[0].tasks = r;
		smp.cmd = r % 2 ? json_integer((json_int_t)r) : NULL;
		assert_int_equal(mpb_dataset_add_run(&ds.pts[0], &smp), 0);
		assert_int_equal(mpb_dataset_add_wall(&ds.bls[0], 1000.0 + (double)r), 0);
		assert_int_equal(mpb_dataset_add_wall(&ds.cls[0], 500.0 + (double)r), 0);
	}
	assert_int_equal(ds.pts[0].nruns, 20);
	assert_int_equal(ds.bls[0].n, 20);
	assert_int_equal(ds.cls[0].n, 20);
	for (size_t r = 0; r < 20; r++) {
		assert_int_equal(ds.pts[0].runs[r].wall_ns, 100 + r);
		assert_int_equal(ds.pts[0].runs[r].worker[0].tasks, r);
		assert_true(ds.bls[0].wall_ns[r] == 1000.0 + (double)r);
		assert_true(ds.cls[0].wall_ns[r] == 500.0 + (double)r);
	}
	mpb_dataset_free(&ds); /* workers and cmd records too: ASan / valgrind say so */
	assert_null(ds.pts);
}

static void test_u64_json_keeps_large_counts(void **state)
{
	(void)state;
	json_t *small = mpb_dataset_u64_json(42), *big = mpb_dataset_u64_json(UINT64_MAX);
	assert_true(json_is_integer(small));
	assert_int_equal(json_integer_value(small), 42);
	assert_true(json_is_real(big)); /* above INT64_MAX: a number, not a wrapped integer */
	assert_true(json_real_value(big) > 1.8e19);
	json_decref(small);
	json_decref(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_makes_the_arrays_of_the_plan),
		cmocka_unit_test(test_runs_and_walls_append_in_order),
		cmocka_unit_test(test_u64_json_keeps_large_counts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
