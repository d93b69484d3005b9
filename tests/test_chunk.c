/* test_chunk.c — unit tests for chunk sizing (harness/pool/chunk.c) and the pool
 * under the auto strategy.
 *
 * The arithmetic is driven by simulated task times, so growth, the target
 * and the tail are checked exactly, without a clock: every strategy hands
 * out every task exactly once, each chunk between 1 and what is left. A real
 * pool with auto chunks then returns every result in order.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <sys/wait.h>

#include "chunk.h"

#include "codec.h"
#include "method.h"
#include "pool.h"
#include "workload.h"

/* Hand out `tasks` tasks; each chunk "takes" per_task_ns per task. Returns
 * the number of chunks; fails the test if a chunk is empty or too big or the
 * total is not exactly `tasks`. */
static uint64_t drain(struct mpb_chunker *c, uint64_t tasks, double per_task_ns)
{
	uint64_t left = tasks, chunks = 0, sum = 0;
	while (left > 0) {
		uint64_t s = mpb_chunk_next(c, left);
		if (s < 1 || s > left)
			fail_msg("chunk of %llu with %llu left", (unsigned long long)s,
				 (unsigned long long)left);
		mpb_chunk_observe(c, s, (uint64_t)(per_task_ns * (double)s));
		left -= s;
		sum += s;
		chunks++;
	}
	assert_int_equal(sum, tasks);
	assert_int_equal(c->st.tasks, tasks);
	assert_int_equal(c->st.chunks, chunks);
	return chunks;
}

static void test_fixed_exact_cover(void **state)
{
	(void)state;
	static const uint64_t tasks[] = { 1, 7, 100, 1001 };
	static const uint64_t sizes[] = { 1, 3, 100, 5000 };
	for (size_t i = 0; i < 4; i++)
		for (size_t k = 0; k < 4; k++) {
			struct mpb_chunker c;
			mpb_chunk_init_fixed(&c, sizes[k]);
			uint64_t n = drain(&c, tasks[i], 1000);
			/* ceil(tasks / size) chunks, all full but the last */
			assert_int_equal(n, tasks[i] / sizes[k] + (tasks[i] % sizes[k] != 0));
			assert_int_equal(c.st.max, sizes[k] < tasks[i] ? sizes[k] : tasks[i]);
		}
}

/* python = Pool.map's rule, resolved to a fixed size up front. */
static void test_python_rule(void **state)
{
	(void)state;
	assert_int_equal(mpb_pool_python_chunksize(20000, 2), 2500);
	assert_int_equal(mpb_pool_python_chunksize(4, 2), 1);
	assert_int_equal(mpb_pool_python_chunksize(9, 2), 2);
	assert_int_equal(mpb_pool_python_chunksize(0, 2), 1);
	struct mpb_chunker c;
	mpb_chunk_init_fixed(&c, mpb_pool_python_chunksize(1000, 3));
	assert_int_equal(drain(&c, 1000, 10), 12); /* 84 x 11 + 76 */
}

/* Auto starts at 1, at most doubles per step, and settles where a chunk
 * takes the target: 1 ms tasks and a 50 ms target give chunks of 50. */
static void test_auto_grows_to_target(void **state)
{
	(void)state;
	struct mpb_chunker c;
	mpb_chunk_init_auto(&c, 2, 50000000);
	drain(&c, 100000, 1e6);
	assert_int_equal(c.st.first[0], 1);
	for (unsigned i = 1; i < c.st.nfirst; i++)
		assert_true(c.st.first[i] <= 2 * c.st.first[i - 1]);
	assert_int_equal(c.st.max, 50);
	assert_int_equal(c.st.min, 1);
}

/* Slow tasks never grow: 100 ms each already exceeds a 50 ms target. */
static void test_auto_slow_tasks_stay_single(void **state)
{
	(void)state;
	struct mpb_chunker c;
	mpb_chunk_init_auto(&c, 4, 0);
	drain(&c, 500, 1e8);
	assert_int_equal(c.st.max, 1);
	assert_int_equal(c.st.chunks, 500);
}

/* Near the end chunks shrink to ceil(left / (2 workers)), so the last
 * tasks are spread: the final chunks are 1, and no chunk ever takes more
 * than half of a worker's fair share of what is left. */
static void test_auto_tail_shrinks(void **state)
{
	(void)state;
	struct mpb_chunker c;
	mpb_chunk_init_auto(&c, 2, 50000000);
	uint64_t left = 10000;
	uint64_t last = 0;
	while (left > 0) {
		uint64_t s = mpb_chunk_next(&c, left);
		uint64_t cap = left / 4 + (left % 4 != 0);
		assert_true(s <= cap);
		mpb_chunk_observe(&c, s, 100 * s); /* 100 ns tasks: it wants huge chunks */
		left -= s;
		last = s;
	}
	assert_int_equal(last, 1);
	assert_true(c.st.max > 100); /* it did grow */
}

/* Zero-cost chunks (a clock too coarse to see them) do not divide by zero
 * and still finish. */
static void test_auto_zero_time(void **state)
{
	(void)state;
	struct mpb_chunker c;
	mpb_chunk_init_auto(&c, 1, 0);
	drain(&c, 12345, 0);
}

/* A real pool with auto chunks: every result in its place, the sizes chosen
 * recorded and covering every task. */
static void test_pool_auto_in_order(void **state)
{
	(void)state;
	const struct mpb_workload_ops *w = mpb_workload_find("null");
	enum { N = 3000 };
	static struct mpb_value args[N], res[N];
	for (unsigned i = 0; i < N; i++)
		args[i] = mpb_value_int(i);
	struct mpb_diag d = { 0 };
	struct mpb_pool_config pc = {
		.method = mpb_method_find("fork"), .codec = &mpb_codec_raw,
		.transport = &mpb_transport_shm, .workload = w, .wparams = { 0, N, 0, 0 },
		.workers = 2, .chunksize = 1, .chunk_auto = true,
	};
	struct mpb_pool *p = NULL;
	assert_int_equal(mpb_pool_start(&pc, &p, &d), 0);
	assert_int_equal(mpb_pool_map(p, args, N, res, &d), 0);
	assert_int_equal(mpb_pool_stop(p, &d), 0);
	for (unsigned i = 0; i < N; i++) {
		struct mpb_diag vd;
		assert_int_equal(w->verify(NULL, &pc.wparams, i, &args[i], &res[i], &vd), 0);
	}
	const struct mpb_chunk_stats *st = &mpb_pool_report(p)->chunks;
	assert_int_equal(st->tasks, N);
	assert_int_equal(st->first[0], 1);
	assert_true(st->max > 1);
	mpb_pool_free(p);
	mpb_value_clear_array(res, N);
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixed_exact_cover),
		cmocka_unit_test(test_python_rule),
		cmocka_unit_test(test_auto_grows_to_target),
		cmocka_unit_test(test_auto_slow_tasks_stay_single),
		cmocka_unit_test(test_auto_tail_shrinks),
		cmocka_unit_test(test_auto_zero_time),
		cmocka_unit_test(test_pool_auto_in_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
