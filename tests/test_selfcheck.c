/* test_selfcheck.c — cmocka tests for harness/machine/selfcheck.c, the
 * harness's own per-run overhead: a measurement runs empty 1-worker pools
 * and leaves no child behind; the overhead is the empty run less the
 * floors, never negative; the smallest meaningful task is
 * MPB_SELFCHECK_FACTOR times it, and only shorter tasks are judged too
 * short. Figures are checked for their relations, never for speed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <sys/wait.h>

#include "selfcheck.h"

static void test_measure_relations(void **state)
{
	(void)state;
	struct mpb_diag d = { 0 };
	struct mpb_floor f = { .pipe_rtt_ns = 1000, .fork_exit_wait_ns = 2000 };
	struct mpb_selfcheck sc;
	if (mpb_selfcheck_measure(&f, NULL, 3, &sc, &d) != 0)
		fail_msg("%s", d.msg);
	assert_int_equal(sc.runs, 3);
	assert_true(sc.empty_run_ns > 0 && isfinite(sc.empty_run_ns));
	assert_true(sc.floors_ns == 3000.0);
	assert_true(sc.overhead_ns == fmax(0.0, sc.empty_run_ns - 3000.0));
	assert_true(sc.min_task_ns == MPB_SELFCHECK_FACTOR * sc.overhead_ns);
	/* every worker was reaped */
	errno = 0;
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static void test_floors_above_the_run_give_no_overhead(void **state)
{
	(void)state;
	struct mpb_selfcheck sc = { .runs = 5, .empty_run_ns = 4000, .floors_ns = 9000 };
	mpb_selfcheck_derive(&sc);
	assert_true(sc.overhead_ns == 0.0);
	assert_true(sc.min_task_ns == 0.0);
	assert_false(mpb_selfcheck_too_short(&sc, 0.0));
}

static void test_too_short(void **state)
{
	(void)state;
	struct mpb_selfcheck sc = { .runs = 5, .empty_run_ns = 150000, .floors_ns = 100000 };
	mpb_selfcheck_derive(&sc);
	assert_true(sc.overhead_ns == 50000.0);
	assert_true(sc.min_task_ns == 500000.0);
	assert_true(mpb_selfcheck_too_short(&sc, 499999.0));
	assert_false(mpb_selfcheck_too_short(&sc, 500000.0));
	/* not measured: nothing is judged */
	struct mpb_selfcheck none = { 0 };
	assert_false(mpb_selfcheck_too_short(&none, 1.0));
}

static void test_nothing_to_measure(void **state)
{
	(void)state;
	struct mpb_diag d = { 0 };
	struct mpb_floor f = { 0 };
	struct mpb_selfcheck sc = { .runs = 77 };
	assert_int_equal(mpb_selfcheck_measure(&f, NULL, 0, &sc, &d), -MPB_EINPUT);
	assert_int_equal(sc.runs, 77); /* left alone */
	assert_true(d.msg[0] != '\0');
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN); /* as the CLI does (pool.h) */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_measure_relations),
		cmocka_unit_test(test_floors_above_the_run_give_no_overhead),
		cmocka_unit_test(test_too_short),
		cmocka_unit_test(test_nothing_to_measure),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
