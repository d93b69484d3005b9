/* test_overhead.c — unit tests for the overhead split (harness/analysis/overhead.c).
 *
 * The split of a synthetic report is checked to the nanosecond (each side
 * sums exactly to its window, a part larger than its window is flagged);
 * then real pools over pipe and shm: every measured part lies inside its
 * window, so the split sums to the measured map and serve times, and the
 * bytes each way match the report.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "overhead.h"

#include "codec.h"
#include "method.h"
#include "workload.h"

static void test_synthetic_split(void **state)
{
	(void)state;
	struct mpb_worker_report w[2] = {
		{ .serve_ns = 1000000, .compute_ns = 600000, .codec_ns = 100000, .idle_ns = 200000,
		  .send_ns = 50000 },
		{ .serve_ns = 900000, .compute_ns = 500000, .codec_ns = 90000, .idle_ns = 250000,
		  .send_ns = 40000 },
	};
	struct mpb_pool_report r = {
		.map_ns = 800000, .codec_parent_ns = 120000, .map_transport_parent_ns = 80000,
		.map_wait_parent_ns = 500000, .bytes_sent = 111, .bytes_received = 222,
		.tasks = 10, .workers = 2, .worker = w, .syscalls_parent = 33,
	};
	struct mpb_overhead o;
	assert_int_equal(mpb_overhead_split(&r, &o), 0);
	assert_int_equal(o.parent_other_ns, 100000);
	assert_int_equal(o.parent_codec_ns + o.parent_transport_ns + o.parent_wait_ns +
			 o.parent_other_ns, r.map_ns);
	assert_int_equal(o.serve_ns, 1900000);
	assert_int_equal(o.worker_other_ns, 1900000 - 1100000 - 190000 - 450000 - 90000);
	assert_int_equal(o.compute_ns + o.worker_codec_ns + o.worker_wait_ns + o.worker_send_ns +
			 o.worker_other_ns, o.serve_ns);
	assert_int_equal(o.bytes_sent, 111);
	assert_int_equal(o.bytes_received, 222);
	assert_false(o.inconsistent);

	json_t *j = mpb_overhead_json(&o);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "parent"), "other_ns")),
			 100000);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "workers"), "send_ns")),
			 90000);
	assert_true(json_is_true(json_object_get(j, "consistent")));
	json_decref(j);

	/* medians per task over runs */
	const struct mpb_overhead *runs[3] = { &o, &o, &o };
	json_t *m = mpb_overhead_median_json(runs, 3);
	assert_non_null(m);
	assert_true(json_real_value(json_object_get(m, "parent_wait_ns")) == 50000.0);
	json_decref(m);
	assert_null(mpb_overhead_median_json(runs, 0));
}

/* Parts that add up to more than their window (beyond clock rounding) are
 * a measurement bug: flagged, with other clamped at 0, never negative. */
static void test_inconsistent_flagged(void **state)
{
	(void)state;
	struct mpb_worker_report w = { .serve_ns = 100, .compute_ns = 90, .idle_ns = 5 };
	struct mpb_pool_report r = { .map_ns = 1000, .codec_parent_ns = 400,
				     .map_transport_parent_ns = 400, .map_wait_parent_ns = 5000,
				     .workers = 1, .worker = &w };
	struct mpb_overhead o;
	assert_int_equal(mpb_overhead_split(&r, &o), -1);
	assert_true(o.inconsistent);
	assert_int_equal(o.parent_other_ns, 0);
	/* within rounding: not flagged */
	r.map_wait_parent_ns = 300;
	r.map_ns = 1000 - 50;
	assert_int_equal(mpb_overhead_split(&r, &o), 0);
	assert_int_equal(o.parent_other_ns, 0);
}

static void real_split(const struct mpb_transport_ops *tp)
{
	const struct mpb_workload_ops *w = mpb_workload_find("sumsq");
	enum { N = 400 };
	static struct mpb_value args[N], res[N];
	struct mpb_workload_params wp = { 2000, N, 1, 0 };
	struct mpb_diag d = { 0 };
	for (unsigned i = 0; i < N; i++)
		assert_int_equal(w->make_task(NULL, &wp, i, &args[i], &d), 0);
	struct mpb_pool_config pc = {
		.method = mpb_method_find("fork"), .codec = &mpb_codec_json, .transport = tp,
		.workload = w, .wparams = wp, .workers = 2, .chunksize = 3,
	};
	struct mpb_pool *p = NULL;
	assert_int_equal(mpb_pool_start(&pc, &p, &d), 0);
	assert_int_equal(mpb_pool_map(p, args, N, res, &d), 0);
	assert_int_equal(mpb_pool_stop(p, &d), 0);
	const struct mpb_pool_report *r = mpb_pool_report(p);
	struct mpb_overhead o;
	if (mpb_overhead_split(r, &o) < 0)
		fail_msg("%s: parts exceed their window", tp->name);
	assert_int_equal(o.parent_codec_ns + o.parent_transport_ns + o.parent_wait_ns +
			 o.parent_other_ns, r->map_ns);
	assert_int_equal(o.compute_ns + o.worker_codec_ns + o.worker_wait_ns + o.worker_send_ns +
			 o.worker_other_ns, o.serve_ns);
	/* every part was measured (json: both sides encode and decode) */
	assert_true(o.parent_codec_ns > 0 && o.worker_codec_ns > 0 && o.compute_ns > 0);
	assert_true(o.serve_ns > 0 && r->map_ns > 0);
	assert_int_equal(o.bytes_sent, r->bytes_sent);
	assert_true(o.bytes_sent > 0 && o.bytes_received > 0);
	/* pipe: every message is a system call; shm may need none at all */
	if (tp == &mpb_transport_pipe)
		assert_true(o.parent_syscalls > 0);
	assert_int_equal(o.tasks, N);
	mpb_pool_free(p);
	mpb_value_clear_array(args, N);
	mpb_value_clear_array(res, N);
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
}

static void test_real_pipe(void **state)
{
	(void)state;
	real_split(&mpb_transport_pipe);
}

static void test_real_shm(void **state)
{
	(void)state;
	real_split(&mpb_transport_shm);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_synthetic_split),
		cmocka_unit_test(test_inconsistent_flagged),
		cmocka_unit_test(test_real_pipe),
		cmocka_unit_test(test_real_shm),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
