/* test_deadline.c — unit tests for the run and task limits (harness/pool/deadline.c)
 * and for the pool enforcing them (pool.c): a worker stuck in a task is
 * killed and reaped, the failure names the limit and the worker, and no child
 * is left. Timings are bounded generously (hangs, not speed).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "deadline.h"

#include "clock.h"
#include "codec.h"
#include "method.h"
#include "pool.h"
#include "workload.h"

#define S 1000000000ull
#define HANG_BOUND_NS (60ull * S)

#define assert_contains(hay, needle)                                                   \
	do {                                                                           \
		if (!strstr((hay), (needle)))                                          \
			fail_msg("\"%s\" does not contain \"%s\"", (hay), (needle));   \
	} while (0)

/* ---- the pure check ---------------------------------------------------- */

static void test_ns_conversion(void **state)
{
	(void)state;
	assert_int_equal(mpb_deadline_ns(0), 0);
	assert_int_equal(mpb_deadline_ns(-1), 0);
	assert_int_equal(mpb_deadline_ns(1.5), 1500000000ull);
	assert_int_equal(mpb_deadline_ns(1e-12), 1); /* tiny but set: never "none" */
	assert_true(mpb_deadline_ns(1e30) == UINT64_MAX);
}

static void test_no_limits_never_fire(void **state)
{
	(void)state;
	struct mpb_slot sl[2] = { 0 };
	sl[0].inflight_count = 1;
	struct mpb_deadline dl = { 0, 0, 0 };
	unsigned who = 99;
	assert_int_equal(mpb_deadline_check(&dl, UINT64_MAX, sl, 2, &who), MPB_DEADLINE_OK);
	assert_int_equal(who, 99);
}

static void test_run_limit(void **state)
{
	(void)state;
	struct mpb_deadline dl = { 100, 50, 0 };
	unsigned who = 0;
	assert_int_equal(mpb_deadline_check(&dl, 150, NULL, 0, &who), MPB_DEADLINE_OK);
	assert_int_equal(mpb_deadline_check(&dl, 151, NULL, 0, &who), MPB_DEADLINE_RUN);
	/* a clock reading before the start (never expected) is not a timeout */
	assert_int_equal(mpb_deadline_check(&dl, 10, NULL, 0, &who), MPB_DEADLINE_OK);
}

static void test_task_limit_picks_longest_busy(void **state)
{
	(void)state;
	struct mpb_slot sl[4] = { 0 };
	sl[0].inflight_count = 0;  sl[0].busy_since_ns = 0;   /* idle: never late */
	sl[1].inflight_count = 1;  sl[1].busy_since_ns = 500; /* late by 400 */
	sl[2].inflight_count = 2;  sl[2].busy_since_ns = 200; /* late by 700: the culprit */
	sl[3].inflight_count = 1;  sl[3].busy_since_ns = 100; sl[3].eof = true; /* gone */
	struct mpb_deadline dl = { 0, 0, 100 };
	unsigned who = 99;
	assert_int_equal(mpb_deadline_check(&dl, 250, sl, 4, &who), MPB_DEADLINE_OK);
	assert_int_equal(mpb_deadline_check(&dl, 1000, sl, 4, &who), MPB_DEADLINE_TASK);
	assert_int_equal(who, 2);
	sl[2].ended = true;
	assert_int_equal(mpb_deadline_check(&dl, 1000, sl, 4, &who), MPB_DEADLINE_TASK);
	assert_int_equal(who, 1);
	/* the run limit wins when both are over */
	dl.run_ns = 10;
	assert_int_equal(mpb_deadline_check(&dl, 1000, sl, 4, &who), MPB_DEADLINE_RUN);
}

/* ---- the pool enforcing them ------------------------------------------ */

static int nop_make(void *st, const struct mpb_workload_params *p, uint64_t i,
		    struct mpb_value *arg, struct mpb_diag *d)
{
	(void)st; (void)p; (void)d;
	*arg = mpb_value_int(i);
	return 0;
}

static int nop_verify(void *st, const struct mpb_workload_params *p, uint64_t i,
		      const struct mpb_value *arg, const struct mpb_value *res, struct mpb_diag *d)
{
	(void)st; (void)p; (void)arg;
	return res->type == MPB_VAL_INT && res->as.u == i ? 0 : mpb_fail(d, MPB_ERUN, "wrong");
}

/* Task index params.size sleeps "forever" (an hour): a hung task. */
static int hang_run(void *st, const struct mpb_value *arg, struct mpb_value *res,
		    struct mpb_diag *d)
{
	(void)d;
	uint64_t victim = (uint64_t)(uintptr_t)st;
	if (arg->as.u == victim) {
		struct timespec ts = { 3600, 0 };
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
	}
	*res = *arg;
	return 0;
}

static int hang_setup(const struct mpb_workload_params *p, void **st, struct mpb_diag *d)
{
	(void)d;
	*st = (void *)(uintptr_t)p->size;
	return 0;
}

static const struct mpb_workload_ops wl_hang = {
	.abi = MPB_WORKLOAD_ABI,
	.name = "test-hang",
	.summary = "test-only: one task never ends",
	.unit = MPB_UNIT_COUNT,
	.unit_name = "task index",
	.default_sizes = "0",
	.default_tasks = 1,
	.max_size = UINT64_MAX,
	.setup = hang_setup,
	.make_task = nop_make,
	.run_task = hang_run,
	.verify = nop_verify,
};

static void assert_no_children(void)
{
	pid_t w = waitpid(-1, NULL, WNOHANG);
	if (!(w < 0 && errno == ECHILD))
		fail_msg("a child is left behind (waitpid returned %d)", (int)w);
}

/* Map 8 tasks over 2 workers, chunksize 1, task `victim` hanging, with the
 * given limits; returns the map's (or start's) return code. */
static int run_hung(uint64_t victim, uint64_t run_ns, uint64_t task_ns, struct mpb_diag *d,
		    uint64_t *elapsed)
{
	struct mpb_pool_config c = {
		.method = mpb_method_find("fork"),
		.codec = mpb_codec_find("raw"),
		.transport = &mpb_transport_pipe,
		.workload = &wl_hang,
		.wparams = { victim, 8, 1, 0 },
		.workers = 2,
		.chunksize = 1,
		.run_timeout_ns = run_ns,
		.task_timeout_ns = task_ns,
	};
	struct mpb_value args[8], res[8];
	memset(res, 0, sizeof res);
	for (unsigned i = 0; i < 8; i++)
		args[i] = mpb_value_int(i);
	struct mpb_pool *p = NULL;
	uint64_t t0 = mpb_now_ns();
	int rc = mpb_pool_start(&c, &p, d);
	if (rc == 0)
		rc = mpb_pool_map(p, args, 8, res, d);
	if (rc == 0)
		rc = mpb_pool_stop(p, d);
	mpb_pool_free(p);
	*elapsed = mpb_now_ns() - t0;
	mpb_value_clear_array(res, 8);
	return rc;
}

static void test_pool_task_timeout_kills_hung_worker(void **state)
{
	(void)state;
	struct mpb_diag d = { 0 };
	uint64_t el;
	int rc = run_hung(3, 0, S / 5, &d, &el);
	assert_int_equal(rc, -MPB_ERUN);
	assert_contains(d.msg, "timeout");
	assert_contains(d.msg, "--task-timeout 0.2 s");
	assert_int_equal(d.cause, MPB_CAUSE_TASK_TIMEOUT);
	assert_contains(d.msg, "task 3");
	assert_contains(d.msg, "(pid ");
	assert_true(el < HANG_BOUND_NS);
	assert_true(el >= S / 5); /* it did wait for the limit */
	assert_no_children();
}

static void test_pool_run_timeout_kills_all(void **state)
{
	(void)state;
	struct mpb_diag d = { 0 };
	uint64_t el;
	int rc = run_hung(0, S / 4, 0, &d, &el);
	assert_int_equal(rc, -MPB_ERUN);
	assert_contains(d.msg, "exceeded --timeout 0.25 s");
	assert_int_equal(d.cause, MPB_CAUSE_RUN_TIMEOUT);
	assert_contains(d.msg, "of 8 tasks done");
	assert_true(el < HANG_BOUND_NS);
	assert_no_children();
}

static void test_pool_limits_not_hit(void **state)
{
	(void)state;
	struct mpb_diag d = { 0 };
	uint64_t el;
	/* victim 99 is not among the 8 tasks: nothing hangs, generous limits */
	assert_int_equal(run_hung(99, 600 * S, 600 * S, &d, &el), 0);
	assert_no_children();
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ns_conversion),
		cmocka_unit_test(test_no_limits_never_fire),
		cmocka_unit_test(test_run_limit),
		cmocka_unit_test(test_task_limit_picks_longest_busy),
		cmocka_unit_test(test_pool_task_timeout_kills_hung_worker),
		cmocka_unit_test(test_pool_run_timeout_kills_all),
		cmocka_unit_test(test_pool_limits_not_hit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
