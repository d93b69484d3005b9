/* test_floor.c — cmocka tests for harness/machine/floor.c, the floor costs that
 * `mpbench info` shows: each floor gives a positive, finite figure for small
 * iteration counts; mpb_floor_measure fills all four; each batch of the
 * pipe round trip has a child of its own; the estimator keeps
 * a floor from bursts of load; failures (a program
 * that does not exist, one that exits nonzero, nothing to measure) come back
 * as a negative code with a message naming the cause and leave the result
 * alone; and no floor leaves a child, a thread or a descriptor behind.
 *
 * Figures are only checked for sign and finiteness, never for speed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "floor.h"
#include "proc_count.h"

#define NO_SUCH_PROGRAM "/nonexistent-mpbench-test/no-such-program"

/* ---- helpers ---------------------------------------------------------- */


/* What a floor holds while it runs must all be gone when it returns. */
struct held {
	size_t threads, fds;
};

static struct held held_now(void)
{
	return (struct held){ threads_now(), fds_now() };
}

static void assert_nothing_left(struct held before)
{
	errno = 0;
	pid_t w = waitpid(-1, NULL, WNOHANG);
	if (w != -1 || errno != ECHILD)
		fail_msg("a child is left behind (waitpid returned %d, errno %d)", (int)w, errno);
	assert_int_equal(threads_settled(before.threads), before.threads);
	assert_int_equal(fds_now(), before.fds);
}

static void assert_figure(int rc, double ns, const struct mpb_diag *d, const char *what)
{
	if (rc != 0)
		fail_msg("%s failed (%d): %s", what, rc, d->msg);
	assert_int_equal(d->code, 0);
	if (!isfinite(ns) || ns <= 0)
		fail_msg("%s: %g ns is not a positive finite time", what, ns);
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("\"%s\" does not contain \"%s\"", hay, needle);
}

/* ---- each floor measures ------------------------------------------------ */

static void test_pipe_rtt(void **state)
{
	(void)state;
	struct held h = held_now();
	struct mpb_diag d;
	mpb_diag_clear(&d);
	double ns = -1;
	int rc = mpb_floor_pipe_rtt(3, 50, &ns, &d);
	assert_figure(rc, ns, &d, "pipe_rtt(3, 50)");
	assert_nothing_left(h);
	/* the smallest possible measurement: one round trip */
	ns = -1;
	rc = mpb_floor_pipe_rtt(1, 1, &ns, &d);
	assert_figure(rc, ns, &d, "pipe_rtt(1, 1)");
	assert_nothing_left(h);
}

static volatile sig_atomic_t children_exited;

static void count_child(int sig)
{
	(void)sig;
	children_exited++;
}

/* Each batch of the pipe round trip runs with a fresh child, so that the
 * kernel's placement of one pair (one CPU or two) is not the whole figure
 * (floor.h): as many children exit as there are batches. Each is reaped
 * before the next is forked, so their SIGCHLDs cannot merge into one. */
static void test_pipe_rtt_fresh_child_per_batch(void **state)
{
	(void)state;
	struct held h = held_now();
	struct mpb_diag d;
	mpb_diag_clear(&d);
	struct sigaction sa = { .sa_handler = count_child, .sa_flags = SA_RESTART }, old;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGCHLD, &sa, &old), 0);
	children_exited = 0;
	double ns = -1;
	int rc = mpb_floor_pipe_rtt(4, 20, &ns, &d);
	int seen = children_exited;
	assert_int_equal(sigaction(SIGCHLD, &old, NULL), 0);
	assert_figure(rc, ns, &d, "pipe_rtt(4, 20)");
	assert_int_equal(seen, 4);
	assert_nothing_left(h);
}

static void test_fork(void **state)
{
	(void)state;
	struct held h = held_now();
	struct mpb_diag d;
	mpb_diag_clear(&d);
	double ns = -1;
	int rc = mpb_floor_fork(5, &ns, &d);
	assert_figure(rc, ns, &d, "fork(5)");
	assert_nothing_left(h);
	ns = -1;
	rc = mpb_floor_fork(1, &ns, &d);
	assert_figure(rc, ns, &d, "fork(1)");
	assert_nothing_left(h);
}

static void test_spawn(void **state)
{
	(void)state;
	struct held h = held_now();
	struct mpb_diag d;
	mpb_diag_clear(&d);
	double ns = -1;
	int rc = mpb_floor_spawn("/bin/true", 5, &ns, &d);
	assert_figure(rc, ns, &d, "spawn(/bin/true, 5)");
	assert_nothing_left(h);
	ns = -1;
	rc = mpb_floor_spawn("/bin/true", 1, &ns, &d);
	assert_figure(rc, ns, &d, "spawn(/bin/true, 1)");
	assert_nothing_left(h);
}

static void test_thread(void **state)
{
	(void)state;
	struct held h = held_now();
	struct mpb_diag d;
	mpb_diag_clear(&d);
	double ns = -1;
	int rc = mpb_floor_thread(10, &ns, &d);
	assert_figure(rc, ns, &d, "thread(10)");
	assert_nothing_left(h);
	ns = -1;
	rc = mpb_floor_thread(1, &ns, &d);
	assert_figure(rc, ns, &d, "thread(1)");
	assert_nothing_left(h);
}

/* What `mpbench info` calls: every field gets a figure. */
static void check_measure_fills_every_floor(int (*measure)(struct mpb_floor *, struct mpb_diag *))
{
	struct held h = held_now();
	struct mpb_floor f = { -1, -1, -1, -1, -1, -1, -1, 0, 0, 0 };
	struct mpb_diag d;
	mpb_diag_clear(&d);
	int rc = measure(&f, &d);
	/* the cold floors too, whenever the hot ones are measured */
	assert_figure(rc, f.fork_exit_wait_cold_ns, &d, "measure: fork_exit_wait_cold_ns");
	assert_figure(rc, f.spawn_exit_wait_cold_ns, &d, "measure: spawn_exit_wait_cold_ns");
	assert_figure(rc, f.thread_create_join_cold_ns, &d, "measure: thread_create_join_cold_ns");
	assert_figure(rc, f.pipe_rtt_ns, &d, "measure: pipe_rtt_ns");
	assert_figure(rc, f.fork_exit_wait_ns, &d, "measure: fork_exit_wait_ns");
	assert_figure(rc, f.spawn_exit_wait_ns, &d, "measure: spawn_exit_wait_ns");
	assert_figure(rc, f.thread_create_join_ns, &d, "measure: thread_create_join_ns");
	assert_nothing_left(h);
}

static void test_measure_fills_every_floor(void **state)
{
	(void)state;
	check_measure_fills_every_floor(mpb_floor_measure);
	check_measure_fills_every_floor(mpb_floor_measure_quick);
}

/* The estimator keeps a floor from bursts of other load: samples in the
 * order taken, the bursts inflating runs of them. */
static void test_estimate_ignores_bursts(void **state)
{
	(void)state;
	/* 4 batches: one quiet (100), three in a burst; the median of all
	 * would be in the burst */
	const double burst[] = { 300, 320, 310, 290, 305,  100, 102, 99, 101, 100,
				 400, 380, 390, 410, 395,  250, 260, 255, 245, 250 };
	assert_true(mpb_floor_estimate(burst, 20) == 100.0);
	/* a stray slow sample in each batch is ignored by the batch medians */
	const double stray[] = { 100, 900, 100, 100, 100,  101, 101, 800, 101, 101 };
	assert_true(mpb_floor_estimate(stray, 10) == 100.0);
	/* the last batch takes the remainder (12 samples: batches of 5 and 7,
	 * not 5, 5 and 2, whose last median would be 90) */
	const double rest[] = { 200, 200, 200, 200, 200,  300, 300, 300, 300, 300, 90, 90 };
	assert_true(mpb_floor_estimate(rest, 12) == 200.0);
	const double rest2[] = { 200, 200, 200, 200, 200,  90, 90, 90, 90, 300, 300, 300 };
	assert_true(mpb_floor_estimate(rest2, 12) == 90.0);
	/* under 2 batches: the median of all */
	const double few[] = { 5, 1, 9, 3, 7, 2, 8 };
	assert_true(mpb_floor_estimate(few, 7) == 5.0);
	assert_true(mpb_floor_estimate(few, 0) == 0.0);
}

/* Each method is judged against the floor of what it does (method.h). */
static void test_floor_of_each_method(void **state)
{
	(void)state;
	struct mpb_floor f = { .pipe_rtt_ns = 1, .fork_exit_wait_ns = 2, .spawn_exit_wait_ns = 3,
			       .thread_create_join_ns = 4, .mpi_launch_ns = 5 };
	assert_true(mpb_floor_of(&f, mpb_method_fork.floor) == 2);
	assert_true(mpb_floor_of(&f, mpb_method_forkserver.floor) == 2);
	assert_true(mpb_floor_of(&f, mpb_method_spawn.floor) == 3);
	assert_true(mpb_floor_of(&f, mpb_method_thread.floor) == 4);
	/* the cold floors by the same kinds; 0 (not measured) where unset */
	assert_true(mpb_floor_cold_of(&f, mpb_method_fork.floor) == 0);
	f.fork_exit_wait_cold_ns = 20;
	f.spawn_exit_wait_cold_ns = 30;
	f.thread_create_join_cold_ns = 40;
	assert_true(mpb_floor_cold_of(&f, mpb_method_fork.floor) == 20);
	assert_true(mpb_floor_cold_of(&f, mpb_method_forkserver.floor) == 20);
	assert_true(mpb_floor_cold_of(&f, mpb_method_spawn.floor) == 30);
	assert_true(mpb_floor_cold_of(&f, mpb_method_thread.floor) == 40);
	assert_true(mpb_floor_of(&f, MPB_METHOD_FLOOR_MPI) == 5);
}

/* ---- failures ----------------------------------------------------------- */

static void assert_failed(int rc, const struct mpb_diag *d, double ns, const char *needle)
{
	if (rc >= 0)
		fail_msg("expected a failure naming \"%s\", got %d", needle, rc);
	assert_int_equal(d->code, -rc);
	assert_null(strchr(d->msg, '\n'));
	assert_contains(d->msg, needle);
	/* no figure is reported for a failed measurement */
	assert_true(ns == -1);
}

static void test_spawn_missing_program(void **state)
{
	(void)state;
	struct held h = held_now();
	struct mpb_diag d;
	mpb_diag_clear(&d);
	double ns = -1;
	int rc = mpb_floor_spawn(NO_SUCH_PROGRAM, 3, &ns, &d);
	assert_failed(rc, &d, ns, NO_SUCH_PROGRAM);
	assert_nothing_left(h);
}

static void test_spawn_nonzero_exit(void **state)
{
	(void)state;
	struct held h = held_now();
	struct mpb_diag d;
	mpb_diag_clear(&d);
	double ns = -1;
	int rc = mpb_floor_spawn("/bin/false", 3, &ns, &d);
	assert_failed(rc, &d, ns, "/bin/false");
	/* the failed child was waited for too */
	assert_nothing_left(h);
}

static void test_pipe_rtt_nothing_to_measure(void **state)
{
	(void)state;
	struct held h = held_now();
	struct mpb_diag d;
	double ns = -1;

	mpb_diag_clear(&d);
	assert_int_equal(mpb_floor_pipe_rtt(0, 100, &ns, &d), -MPB_EINPUT);
	assert_failed(-MPB_EINPUT, &d, ns, "pipe round trip");
	mpb_diag_clear(&d);
	assert_int_equal(mpb_floor_pipe_rtt(5, 0, &ns, &d), -MPB_EINPUT);
	assert_failed(-MPB_EINPUT, &d, ns, "pipe round trip");
	/* refused before any process or pipe exists */
	assert_nothing_left(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pipe_rtt),
		cmocka_unit_test(test_pipe_rtt_fresh_child_per_batch),
		cmocka_unit_test(test_fork),
		cmocka_unit_test(test_spawn),
		cmocka_unit_test(test_thread),
		cmocka_unit_test(test_measure_fills_every_floor),
		cmocka_unit_test(test_estimate_ignores_bursts),
		cmocka_unit_test(test_floor_of_each_method),
		cmocka_unit_test(test_spawn_missing_program),
		cmocka_unit_test(test_spawn_nonzero_exit),
		cmocka_unit_test(test_pipe_rtt_nothing_to_measure),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
