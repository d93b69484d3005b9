/* test_progress.c — cmocka tests for harness/run/progress.c: the runs an
 * item is expected to still need (minimum, CI rule, --max-runs and
 * --max-time limits), the tally and its ETA arithmetic on made-up clocks,
 * and items in words. No timing: every time here is made up. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "codec.h"
#include "method.h"
#include "progress.h"
#include "transport.h"
#include "workload.h"

static struct mpb_sampling_verdict more(size_t n, double ci_half, double median)
{
	return (struct mpb_sampling_verdict){ MPB_SAMPLING_MORE, n, median, NAN, NAN, ci_half };
}

static void runs_left_rules(void **state)
{
	(void)state;
	struct mpb_sampling_policy p = { .max_runs = 30, .target_ci = 0.03 };
	struct mpb_sampling_verdict v = more(4, 0.06, 1e6);
	/* a decided item needs nothing more, whatever its CI */
	for (int st = MPB_SAMPLING_CONVERGED; st <= MPB_SAMPLING_DROPPED; st++) {
		v.state = (enum mpb_sampling_state)st;
		assert_int_equal(mpb_progress_runs_left(&p, 3, &v, 0), 0);
	}
	/* below the minimum without a CI: up to the minimum */
	v = more(1, NAN, 1e6);
	assert_int_equal(mpb_progress_runs_left(&p, 5, &v, 0), 4);
	v = more(0, NAN, NAN);
	assert_int_equal(mpb_progress_runs_left(&p, 5, &v, 0), 5);
	/* without a CI, as many as its peers had, within --max-runs; a CI
	 * speaks for itself */
	assert_int_equal(mpb_progress_runs_left(&p, 5, &v, 24), 24);
	v = more(1, NAN, 1e6);
	assert_int_equal(mpb_progress_runs_left(&p, 5, &v, 24), 23);
	assert_int_equal(mpb_progress_runs_left(&p, 5, &v, 3), 4);
	assert_int_equal(mpb_progress_runs_left(&p, 5, &v, 99), 29);
	v = more(4, 0.06, 1e6);
	assert_int_equal(mpb_progress_runs_left(&p, 3, &v, 24), 12);
	/* the CI halves as the runs quadruple: twice the target at 4 runs
	 * wants 16 */
	v = more(4, 0.06, 1e6);
	assert_int_equal(mpb_progress_runs_left(&p, 3, &v, 0), 12);
	/* a CI within the target below the minimum: the minimum */
	v = more(2, 0.01, 1e6);
	assert_int_equal(mpb_progress_runs_left(&p, 5, &v, 0), 3);
	/* never beyond --max-runs */
	v = more(4, 0.3, 1e6);
	assert_int_equal(mpb_progress_runs_left(&p, 3, &v, 0), 26);
	/* nor beyond what --max-time allows at the median: 1 s of 0.1 s runs */
	p.max_time_ns = 1000000000u;
	v = more(4, 0.3, 1e8);
	assert_int_equal(mpb_progress_runs_left(&p, 3, &v, 0), 6);
	/* it asked for another run: at least one, even past the estimate */
	v = more(12, 0.3, 1e8);
	assert_int_equal(mpb_progress_runs_left(&p, 3, &v, 0), 1);
	v = more(20, 0.0301, 1e6);
	assert_int_equal(mpb_progress_runs_left(&p, 3, &v, 0), 1);
}

static void runs_left_without_adaptation(void **state)
{
	(void)state;
	/* --max-runs at or below -r: exactly -r runs, the CI does not matter */
	struct mpb_sampling_policy p = { .max_runs = 3, .target_ci = 0.03 };
	struct mpb_sampling_verdict v = more(2, 0.5, 1e6);
	assert_int_equal(mpb_progress_runs_left(&p, 5, &v, 0), 3);
	v = more(0, NAN, NAN);
	assert_int_equal(mpb_progress_runs_left(&p, 5, &v, 30), 5);  /* peers do not count */
	v = more(2, 0.5, 1e6);
	p.max_runs = 0;
	assert_int_equal(mpb_progress_runs_left(&p, 5, &v, 0), 3);
	/* no CI target: the runs go on to --max-runs */
	p = (struct mpb_sampling_policy){ .max_runs = 10, .target_ci = 0 };
	v = more(2, 0.001, 1e6);
	assert_int_equal(mpb_progress_runs_left(&p, 3, &v, 0), 8);
}

static void tally_and_eta(void **state)
{
	(void)state;
	struct mpb_progress_tally t;
	struct mpb_progress_step st;
	mpb_progress_tally_begin(&t, 1000);
	mpb_progress_tally_reset(&t);
	mpb_progress_tally_expect(&t, 3, 1e6);  /* an item measured at 1 ms */
	mpb_progress_tally_expect(&t, 2, NAN);  /* one not measured yet */
	mpb_progress_tally_expect(&t, 0, 5e6);  /* one decided */
	assert_int_equal(t.left, 5);
	/* nothing done: no estimate yet */
	assert_true(mpb_progress_eta_ns(&t, 2000) == MPB_PROGRESS_ETA_UNKNOWN);
	mpb_progress_fill(&t, 2000, false, &st);
	assert_int_equal(st.done, 0);
	assert_int_equal(st.total, 5);
	assert_false(st.settled);
	assert_int_equal(st.elapsed_ns, 1000);

	/* one run of the measured item, which took 2 ms */
	mpb_progress_tally_ran(&t, 1e6, 2000000);
	assert_int_equal(t.done, 1);
	assert_int_equal(t.left, 4);
	/* left: 2 known runs (2 ms) + 2 unknown at the mean run so far (2 ms
	 * each) = 6 ms; 4 ms elapsed for 2 ms of runs: twice that */
	assert_int_equal(mpb_progress_eta_ns(&t, 1000 + 4000000), 12000000);
	/* the time between runs never shrinks the estimate */
	assert_int_equal(mpb_progress_eta_ns(&t, 1000 + 1000), 6000000);
	/* a run of the unmeasured item */
	mpb_progress_tally_ran(&t, NAN, 2000000);
	assert_int_equal(t.left_unknown, 1);
	assert_int_equal(mpb_progress_eta_ns(&t, 1000 + 4000000), 4000000);
	mpb_progress_fill(&t, 1000 + 4000000, true, &st);
	assert_int_equal(st.done, 2);
	assert_int_equal(st.total, 5);
	assert_true(st.settled);
	assert_int_equal(st.eta_ns, 4000000);

	/* a new round counts again; a run the estimate missed still counts */
	mpb_progress_tally_reset(&t);
	assert_int_equal(mpb_progress_eta_ns(&t, 1000 + 5000000), 0);
	mpb_progress_tally_ran(&t, 1e6, 1000000);
	assert_int_equal(t.done, 3);
	assert_int_equal(t.left, 0);
	mpb_progress_fill(&t, 1000 + 5000000, false, &st);
	assert_int_equal(st.total, st.done);
}

/* Every estimate along a seeded noisy item's sampling is at least one more
 * run, at most --max-runs, and the last is exact. */
static void estimate_along_a_sampling(void **state)
{
	(void)state;
	struct mpb_sampling_policy p = { .max_runs = 30, .target_ci = 0.03 };
	double x[64];
	size_t n = 0;
	for (;;) {
		struct mpb_sampling_verdict v;
		assert_int_equal(mpb_sampling_decide(&p, 3, x, n, 0, 7, &v), 0);
		uint64_t left = mpb_progress_runs_left(&p, 3, &v, 0);
		if (v.state != MPB_SAMPLING_MORE) {
			assert_int_equal(left, 0);
			break;
		}
		assert_true(left >= 1);
		assert_true(n + left <= 30);
		if (n + 1 == 30)
			assert_int_equal(left, 1);
		/* +-10% around 1 ms, a fixed pattern */
		x[n] = 1e6 * (1.0 + 0.1 * sin((double)n * 1.7));
		n++;
	}
	assert_true(n >= 3 && n <= 30);
}

static void words(void **state)
{
	(void)state;
	const struct mpb_workload_ops *w = mpb_workload_find("sumsq");
	assert_non_null(w);
	struct mpb_point pts[3] = {
		{ .workload = w, .size = 5000000, .workers = 2, .method = mpb_method_find("fork"),
		  .codec = mpb_codec_default(), .transport = mpb_transport_default() },
		{ .workload = w, .size = 5000000, .workers = 2, .method = mpb_method_find("spawn"),
		  .codec = mpb_codec_find("json"), .transport = mpb_transport_find("shm") },
		{ .workload = w, .size = 1500, .workers = 8, .method = mpb_method_find("thread"),
		  .codec = mpb_codec_find("none"), .transport = mpb_transport_default() },
	};
	struct mpb_baseline bl = { .workload = w, .size = 5000000 };
	struct mpb_ceiling cl = { .workload = w, .size = 5000000, .workers = 4 };
	struct mpb_plan plan = { .points = pts, .npoints = 3, .baselines = &bl, .nbaselines = 1,
				 .ceilings = &cl, .nceilings = 1 };
	struct mpb_dataset ds = { .plan = &plan };
	char buf[96];
	mpb_progress_point_words(&ds, 0, buf, sizeof buf);
	assert_string_equal(buf, "sumsq 5M fork -j 2");
	mpb_progress_point_words(&ds, 1, buf, sizeof buf);
	assert_string_equal(buf, "sumsq 5M spawn shm json -j 2");
	/* a codec the method fixes goes without saying */
	mpb_progress_point_words(&ds, 2, buf, sizeof buf);
	assert_string_equal(buf, "sumsq 1500 thread -j 8");
	mpb_progress_baseline_words(&ds, 0, buf, sizeof buf);
	assert_string_equal(buf, "sumsq 5M serial");
	mpb_progress_ceiling_words(&ds, 0, buf, sizeof buf);
	assert_string_equal(buf, "sumsq 5M ceiling -j 4");
	/* a short buffer is cut, never overrun */
	char small[8];
	memset(small, 'x', sizeof small);
	mpb_progress_point_words(&ds, 1, small, 6);
	assert_string_equal(small, "sumsq");
	assert_int_equal(small[7], 'x');
}

/* An external command's items name only the axes its template names: its
 * start method, transport and codec are mpbench's defaults, not its own. */
static void words_of_a_command(void **state)
{
	(void)state;
	const struct mpb_workload_ops *w = mpb_workload_find("cmd");
	assert_non_null(w);
	assert_true(w->flags & MPB_WORKLOAD_EXTERNAL);
	struct mpb_point pt = { .workload = w, .size = 5000000, .workers = 2,
				.method = mpb_method_find("fork"), .codec = mpb_codec_find("json"),
				.transport = mpb_transport_find("shm") };
	struct mpb_baseline bl = { .workload = w, .size = 5000000 };
	struct mpb_plan plan = { .points = &pt, .npoints = 1, .baselines = &bl, .nbaselines = 1 };
	json_t *opts = json_pack("{s:s}", "cmd", "python3 bench.py -j {workers}");
	struct mpb_dataset ds = { .plan = &plan, .options = opts };
	char buf[96];
	mpb_progress_point_words(&ds, 0, buf, sizeof buf);
	assert_string_equal(buf, "cmd -j 2");
	mpb_progress_baseline_words(&ds, 0, buf, sizeof buf);
	assert_string_equal(buf, "cmd serial");
	json_decref(opts);
	opts = json_pack("{s:s}", "cmd", "python3 bench.py -n {size} -m {method} -j {workers}");
	ds.options = opts;
	mpb_progress_point_words(&ds, 0, buf, sizeof buf);
	assert_string_equal(buf, "cmd 5M fork -j 2");
	mpb_progress_baseline_words(&ds, 0, buf, sizeof buf);
	assert_string_equal(buf, "cmd 5M serial");
	json_decref(opts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(runs_left_rules),
		cmocka_unit_test(runs_left_without_adaptation),
		cmocka_unit_test(tally_and_eta),
		cmocka_unit_test(estimate_along_a_sampling),
		cmocka_unit_test(words),
		cmocka_unit_test(words_of_a_command),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
