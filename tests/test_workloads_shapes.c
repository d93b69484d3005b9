/* test_workloads_shapes.c — cmocka tests for the workloads that show the other
 * shapes of scaling: stream (memory-bound), imbalance (heavy-tailed costs) and
 * sleep (I/O-bound), and the cmd workload's ops. Each is run through its ops
 * (setup, make_task, run_task, verify, teardown) against references computed
 * here, and each verify must catch a corrupted result or argument. */
#include "workload.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

static struct mpb_workload_params params(uint64_t size, uint64_t tasks, uint64_t seed)
{
	struct mpb_workload_params p;
	memset(&p, 0, sizeof p);
	p.size = size;
	p.tasks = tasks;
	p.seed = seed;
	return p;
}

/* Make, run and verify task `index`; returns the result (an integer). */
static uint64_t run_one(const struct mpb_workload_ops *w, void *state,
			const struct mpb_workload_params *p, uint64_t index, struct mpb_value *arg)
{
	struct mpb_value res = { 0 };
	struct mpb_diag d = { 0 };
	memset(arg, 0, sizeof *arg);
	assert_int_equal(w->make_task(state, p, index, arg, &d), 0);
	assert_int_equal(w->run_task(state, arg, &res, &d), 0);
	assert_int_equal(res.type, MPB_VAL_INT);
	if (w->verify(state, p, index, arg, &res, &d) != 0)
		fail_msg("%s: verify rejected its own result: %s", w->name, d.msg);
	return res.as.u;
}

static void assert_verify_rejects(const struct mpb_workload_ops *w, void *state,
				  const struct mpb_workload_params *p, uint64_t index,
				  struct mpb_value arg, struct mpb_value res)
{
	struct mpb_diag d = { 0 };
	int rc = w->verify(state, p, index, &arg, &res, &d);
	if (rc != -MPB_ERUN)
		fail_msg("%s: verify accepted a corrupted task %llu (rc %d)", w->name,
			 (unsigned long long)index, rc);
	assert_true(d.msg[0] != '\0');
}

static void test_registered(void **st)
{
	(void)st;
	const char *names[] = { "stream", "imbalance", "sleep", "cmd" };
	for (size_t i = 0; i < 4; i++) {
		const struct mpb_workload_ops *w = mpb_workload_find(names[i]);
		assert_non_null(w);
		struct mpb_diag d = { 0 };
		assert_int_equal(mpb_workload_check(w, &d), 0);
		assert_non_null(w->default_sizes);
	}
	assert_true(mpb_workload_cmd.flags & MPB_WORKLOAD_EXTERNAL);
	assert_false(mpb_workload_stream.flags & MPB_WORKLOAD_EXTERNAL);
}

/* ---- stream ---- */

/* What the triad leaves, summed the slow way: a[i] = (i + k) + 3k. */
static uint64_t stream_ref(uint64_t n, uint64_t k)
{
	uint64_t s = 0;
	for (uint64_t i = 0; i < n; i++)
		s += (i + k) + 3 * k;
	return s;
}

static void test_stream(void **st)
{
	(void)st;
	const struct mpb_workload_ops *w = &mpb_workload_stream;
	/* 24 bytes per element (a, b, c); a size that is not a multiple */
	struct mpb_workload_params p = params(24 * 1000 + 7, 3, 1);
	void *state = NULL;
	struct mpb_diag d = { 0 };
	assert_int_equal(w->setup(&p, &state, &d), 0);
	for (uint64_t k = 0; k < 3; k++) {
		struct mpb_value arg;
		uint64_t got = run_one(w, state, &p, k, &arg);
		assert_true(got == stream_ref(1000, k));
		assert_verify_rejects(w, state, &p, k, arg, mpb_value_int(got + 1));
		/* the result of another task */
		assert_verify_rejects(w, state, &p, k, arg, mpb_value_int(stream_ref(1000, k + 1)));
		assert_verify_rejects(w, state, &p, k, mpb_value_int(k + 1), mpb_value_int(got));
		assert_verify_rejects(w, state, &p, k, arg, mpb_value_float(1.0));
	}
	w->teardown(state);
	/* odd element counts: the closed form must halve the right factor */
	p = params(24 * 7, 1, 1);
	assert_int_equal(w->setup(&p, &state, &d), 0);
	struct mpb_value arg;
	assert_true(run_one(w, state, &p, 5, &arg) == stream_ref(7, 5));
	w->teardown(state);
}

/* ---- imbalance ---- */

static uint64_t lcg_loop(uint64_t x, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		x = 6364136223846793005ull * x + 1442695040888963407ull;
	return x;
}

static void test_imbalance(void **st)
{
	(void)st;
	const struct mpb_workload_ops *w = &mpb_workload_imbalance;
	const uint64_t mean = 2000, tasks = 2000;
	struct mpb_workload_params p = params(mean, tasks, 7);
	double sum = 0;
	uint64_t max = 0, min = UINT64_MAX;
	for (uint64_t k = 0; k < tasks; k++) {
		struct mpb_value arg;
		uint64_t got = run_one(w, NULL, &p, k, &arg);
		assert_int_equal(arg.type, MPB_VAL_INT);
		assert_true(got == lcg_loop(arg.as.u, arg.as.u));
		sum += (double)arg.as.u;
		if (arg.as.u > max) max = arg.as.u;
		if (arg.as.u < min) min = arg.as.u;
		if (k < 20) {
			assert_verify_rejects(w, NULL, &p, k, arg, mpb_value_int(got ^ 1));
			assert_verify_rejects(w, NULL, &p, k, mpb_value_int(arg.as.u + 1),
					      mpb_value_int(lcg_loop(arg.as.u + 1, arg.as.u + 1)));
		}
	}
	/* heavy tail: the mean stays near `size` (the cap trims a little), the
	 * largest task is many times the mean, the smallest is the scale */
	double avg = sum / (double)tasks;
	assert_true(avg > 0.75 * (double)mean && avg < 1.25 * (double)mean);
	assert_true(max >= 10 * mean);
	assert_true(max <= 100 * mean);
	assert_true(min >= mean / 3 - 1);
	/* seeded: the same seed gives the same costs, another seed others */
	struct mpb_workload_params q = params(mean, tasks, 8);
	struct mpb_value a1 = { 0 }, a2 = { 0 }, a3 = { 0 };
	struct mpb_diag d = { 0 };
	int differ = 0;
	for (uint64_t k = 0; k < 50; k++) {
		w->make_task(NULL, &p, k, &a1, &d);
		w->make_task(NULL, &p, k, &a2, &d);
		w->make_task(NULL, &q, k, &a3, &d);
		assert_true(a1.as.u == a2.as.u);
		differ += a1.as.u != a3.as.u;
	}
	assert_true(differ > 40);
}

/* ---- sleep ---- */

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void test_sleep(void **st)
{
	(void)st;
	const struct mpb_workload_ops *w = &mpb_workload_sleep;
	struct mpb_workload_params p = params(20000, 4, 1); /* 20 ms */
	void *state = NULL;
	struct mpb_diag d = { 0 };
	assert_int_equal(w->setup(&p, &state, &d), 0);
	struct mpb_value arg;
	uint64_t t0 = now_ns();
	uint64_t r0 = run_one(w, state, &p, 0, &arg);
	/* a lower bound only: a loaded machine may sleep longer, never shorter */
	assert_true(now_ns() - t0 >= 20000000u);
	uint64_t r3 = run_one(w, state, &p, 3, &arg);
	assert_true(r0 != r3);
	assert_verify_rejects(w, state, &p, 3, arg, mpb_value_int(r0));
	assert_verify_rejects(w, state, &p, 3, arg, mpb_value_int(3));
	assert_verify_rejects(w, state, &p, 0, arg, mpb_value_int(r3)); /* arg of task 3 */
	w->teardown(state);
}

/* ---- cmd ---- */

static void test_cmd_ops(void **st)
{
	(void)st;
	const struct mpb_workload_ops *w = &mpb_workload_cmd;
	/* never pooled: it has no task to run, its runner runs a command */
	assert_null(w->run_task);
	assert_null(w->verify);
	struct mpb_workload_ops pooled = *w;
	pooled.flags &= ~(unsigned)MPB_WORKLOAD_EXTERNAL;
	struct mpb_diag d = { 0 };
	assert_true(mpb_workload_check(&pooled, &d) < 0); /* only EXTERNAL may lack them */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registered),
		cmocka_unit_test(test_stream),
		cmocka_unit_test(test_imbalance),
		cmocka_unit_test(test_sleep),
		cmocka_unit_test(test_cmd_ops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
