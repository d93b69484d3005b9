/* test_pool.c — unit tests for the process pool (harness/pool/pool.c, worker.c,
 * method_fork.c) driven through the fork start method.
 *
 * Results are checked with each workload's own verify(), so ordering and
 * correctness never rest on hard-coded numbers. Faults come from test-only
 * workloads defined here: a task that kills its worker, one that makes it
 * exit, one that fails, one that sleeps (for the stop flag), one whose setup
 * fails, and one that holds memory (to find it in the workers' smaps_rollup).
 * Every test ends by checking that no child process is left: the pool
 * promises that no worker outlives mpb_pool_free. Timings are only bounded
 * generously, to catch hangs, never to judge speed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pool.h"

#include "clock.h"
#include "codec.h"
#include "diag.h"
#include "method.h"
#include "method_proc.h"
#include "workload.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_WORKERS 8
/* hang detection only: a loaded 2-core machine is far below this */
#define HANG_BOUND_NS (30ull * 1000000000ull)

#define assert_contains(hay, needle)                                                   \
	do {                                                                           \
		if (!strstr((hay), (needle)))                                          \
			fail_msg("\"%s\" does not contain \"%s\"", (hay), (needle));   \
	} while (0)

/* ---- test-only workloads ------------------------------------------------
 * Task i's argument is i and its result is i back. params.size names the
 * victim task (or, for `nap`, the milliseconds each task sleeps); setup keeps
 * it in the per-process state, as a real workload keeps its tables. */

static int fault_setup(const struct mpb_workload_params *p, void **state, struct mpb_diag *d)
{
	uint64_t *victim = malloc(sizeof *victim);
	if (!victim)
		return mpb_fail(d, MPB_ENOMEM, "fault: out of memory");
	*victim = p->size;
	*state = victim;
	return 0;
}

static void fault_teardown(void *state)
{
	free(state);
}

static int echo_make(void *state, const struct mpb_workload_params *p, uint64_t index,
		     struct mpb_value *arg, struct mpb_diag *d)
{
	(void)state; (void)p; (void)d;
	*arg = mpb_value_int(index);
	return 0;
}

static int echo_verify(void *state, const struct mpb_workload_params *p, uint64_t index,
		       const struct mpb_value *arg, const struct mpb_value *result,
		       struct mpb_diag *d)
{
	(void)state; (void)p; (void)arg;
	if (result->type != MPB_VAL_INT || result->as.u != index)
		return mpb_fail(d, MPB_ERUN, "echo: task %" PRIu64 " came back wrong", index);
	return 0;
}

static bool is_victim(void *state, const struct mpb_value *arg)
{
	return arg->type == MPB_VAL_INT && arg->as.u == *(const uint64_t *)state;
}

static int kill_run(void *state, const struct mpb_value *arg, struct mpb_value *result,
		    struct mpb_diag *d)
{
	(void)d;
	if (is_victim(state, arg))
		raise(SIGKILL);
	*result = *arg;
	return 0;
}

static int exit_run(void *state, const struct mpb_value *arg, struct mpb_value *result,
		    struct mpb_diag *d)
{
	(void)d;
	if (is_victim(state, arg))
		_exit(7);
	*result = *arg;
	return 0;
}

static int error_run(void *state, const struct mpb_value *arg, struct mpb_value *result,
		     struct mpb_diag *d)
{
	if (is_victim(state, arg))
		return mpb_fail(d, MPB_ERUN, "fault: refusing task %" PRIu64 " on purpose", arg->as.u);
	*result = *arg;
	return 0;
}

static int nap_run(void *state, const struct mpb_value *arg, struct mpb_value *result,
		   struct mpb_diag *d)
{
	(void)d;
	uint64_t ms = *(const uint64_t *)state;
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	*result = *arg;
	return 0;
}

static int refuse_setup(const struct mpb_workload_params *p, void **state, struct mpb_diag *d)
{
	(void)p; (void)state;
	return mpb_fail(d, MPB_ERUN, "fault: setup refused on purpose");
}

#define TEST_WORKLOAD_T(var, nm, setup_fn, run_fn, teardown_fn)                        \
	static const struct mpb_workload_ops var = {                                   \
		.abi = MPB_WORKLOAD_ABI,                                               \
		.name = nm,                                                            \
		.summary = "test-only fault injection",                                \
		.unit = MPB_UNIT_COUNT,                                                \
		.unit_name = "task index",                                             \
		.default_sizes = "0",                                                  \
		.default_tasks = 1,                                                    \
		.min_size = 0,                                                         \
		.max_size = UINT64_MAX,                                                \
		.setup = setup_fn,                                                     \
		.make_task = echo_make,                                                \
		.run_task = run_fn,                                                    \
		.verify = echo_verify,                                                 \
		.teardown = teardown_fn,                                               \
	}
#define TEST_WORKLOAD(var, nm, setup_fn, run_fn)                                       \
	TEST_WORKLOAD_T(var, nm, setup_fn, run_fn, fault_teardown)

/* `slow-exit`: a worker whose clean-up after STOP, which comes before its
 * BYE (worker.c), sleeps 50 ms and then stamps, in memory shared with the
 * test, when it ended: the teardown window must open after every stamp. */
static uint64_t *slow_exit_stamp; /* [MAX_WORKERS], MAP_SHARED; NULL: off */

static void slow_exit_teardown(void *state)
{
	free(state);
	if (!slow_exit_stamp)
		return;
	struct timespec ts = { 0, 50 * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	for (unsigned i = 0; i < MAX_WORKERS; i++) /* the first free entry */
		if (__atomic_compare_exchange_n(&slow_exit_stamp[i], &(uint64_t){ 0 }, mpb_now_ns(),
						false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			break;
}

TEST_WORKLOAD(wl_kill, "test-kill", fault_setup, kill_run);
TEST_WORKLOAD(wl_exit, "test-exit", fault_setup, exit_run);
TEST_WORKLOAD(wl_error, "test-error", fault_setup, error_run);
TEST_WORKLOAD(wl_nap, "test-nap", fault_setup, nap_run);
TEST_WORKLOAD(wl_refuse, "test-refuse", refuse_setup, kill_run);
TEST_WORKLOAD_T(wl_slow_exit, "test-slow-exit", fault_setup, kill_run, slow_exit_teardown);

/* ---- fixture: whatever a test holds is released even when it fails ------ */

struct fixture {
	struct mpb_pool *pool;
	struct mpb_value *args, *res;
	size_t n;
};

static int fx_setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof *fx);
	*state = fx;
	return fx ? 0 : -1;
}

static void fx_release_tasks(struct fixture *fx)
{
	if (fx->args)
		mpb_value_clear_array(fx->args, fx->n);
	if (fx->res)
		mpb_value_clear_array(fx->res, fx->n);
	free(fx->args);
	free(fx->res);
	fx->args = fx->res = NULL;
	fx->n = 0;
}

static int fx_teardown(void **state)
{
	struct fixture *fx = *state;
	mpb_pool_free(fx->pool);
	fx_release_tasks(fx);
	free(fx);
	return 0;
}

#define POOL_TEST(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)

/* ---- helpers ------------------------------------------------------------- */

static struct mpb_pool_config config(const struct mpb_workload_ops *w, uint64_t size,
				     uint64_t tasks, unsigned workers, uint64_t chunksize)
{
	struct mpb_pool_config c = {
		.method = &mpb_method_fork,
		.codec = &mpb_codec_raw,
		.transport = &mpb_transport_pipe,
		.workload = w,
		.wparams = { .size = size, .tasks = tasks, .seed = 42 },
		.workers = workers,
		.chunksize = chunksize,
	};
	return c;
}

/* Build the task arguments the way the driver does (in the parent, with the
 * workload's own state) and a results array of NONE values. */
static void make_tasks(struct fixture *fx, const struct mpb_workload_ops *w,
		       const struct mpb_workload_params *p, size_t n)
{
	struct mpb_diag d = { 0 };
	void *st = NULL;
	fx_release_tasks(fx);
	fx->args = calloc(n ? n : 1, sizeof *fx->args);
	fx->res = calloc(n ? n : 1, sizeof *fx->res);
	assert_non_null(fx->args);
	assert_non_null(fx->res);
	fx->n = n;
	if (w->setup && w->setup(p, &st, &d) < 0)
		fail_msg("setup: %s", d.msg);
	for (size_t i = 0; i < n; i++)
		if (w->make_task(st, p, i, &fx->args[i], &d) < 0)
			fail_msg("make_task %zu: %s", i, d.msg);
	if (w->teardown)
		w->teardown(st);
}

static void verify_results(struct fixture *fx, const struct mpb_workload_ops *w,
			   const struct mpb_workload_params *p)
{
	struct mpb_diag d = { 0 };
	void *st = NULL;
	if (w->setup && w->setup(p, &st, &d) < 0)
		fail_msg("setup: %s", d.msg);
	for (size_t i = 0; i < fx->n; i++) {
		int rc = w->verify(st, p, i, &fx->args[i], &fx->res[i], &d);
		if (rc < 0) {
			if (w->teardown)
				w->teardown(st);
			fail_msg("result %zu of %zu: %s", i, fx->n, d.msg);
		}
	}
	if (w->teardown)
		w->teardown(st);
}

static void start_ok(struct fixture *fx, const struct mpb_pool_config *c)
{
	struct mpb_diag d = { 0 };
	int rc = mpb_pool_start(c, &fx->pool, &d);
	if (rc != 0)
		fail_msg("mpb_pool_start: %d: %s", rc, d.msg);
	assert_non_null(fx->pool);
}

static void map_ok(struct fixture *fx, const struct mpb_workload_ops *w,
		   const struct mpb_workload_params *p, size_t n)
{
	struct mpb_diag d = { 0 };
	make_tasks(fx, w, p, n);
	int rc = mpb_pool_map(fx->pool, fx->args, n, fx->res, &d);
	if (rc != 0)
		fail_msg("mpb_pool_map of %zu tasks: %d: %s", n, rc, d.msg);
	verify_results(fx, w, p);
}

/* Every worker reported ready with its own pid, not ours. */
static void check_workers_ready(const struct mpb_pool_report *r, unsigned workers)
{
	assert_int_equal(r->workers, workers);
	assert_non_null(r->worker);
	assert_true(r->startup_ns > 0);
	for (unsigned i = 0; i < workers; i++) {
		assert_true(r->worker[i].pid > 0);
		assert_true(r->worker[i].pid != getpid());
		assert_true(r->worker[i].startup_ns > 0);
		for (unsigned j = 0; j < i; j++)
			assert_true(r->worker[i].pid != r->worker[j].pid);
	}
}

/* Every task came back from exactly one worker. */
static void check_task_accounting(const struct mpb_pool_report *r, uint64_t total)
{
	uint64_t tasks = 0, compute = 0;
	for (unsigned i = 0; i < r->workers; i++) {
		tasks += r->worker[i].tasks;
		compute += r->worker[i].compute_ns;
	}
	assert_int_equal(tasks, total);
	assert_int_equal(r->tasks, total);
	assert_int_equal(r->compute_ns, compute);
}

static unsigned copy_pids(const struct mpb_pool *p, pid_t *pids)
{
	const struct mpb_pool_report *r = mpb_pool_report(p);
	assert_true(r->workers <= MAX_WORKERS);
	for (unsigned i = 0; i < r->workers; i++)
		pids[i] = r->worker[i].pid;
	return r->workers;
}

static void free_pool(struct fixture *fx)
{
	mpb_pool_free(fx->pool);
	fx->pool = NULL;
}

/* Nothing is left to wait for and none of the workers exists any more (a
 * zombie would still answer kill(pid, 0)). */
static void assert_all_reaped(const pid_t *pids, unsigned n)
{
	errno = 0;
	pid_t w = waitpid(-1, NULL, WNOHANG);
	if (w != -1 || errno != ECHILD)
		fail_msg("a child is left behind (waitpid returned %d, errno %d)", (int)w, errno);
	for (unsigned i = 0; i < n; i++) {
		assert_true(pids[i] > 0);
		errno = 0;
		assert_int_equal(kill(pids[i], 0), -1);
		assert_int_equal(errno, ESRCH);
	}
}

/* Free the pool and check that it took every worker with it. */
static void free_and_check_reaped(struct fixture *fx)
{
	pid_t pids[MAX_WORKERS];
	unsigned n = copy_pids(fx->pool, pids);
	free_pool(fx);
	assert_all_reaped(pids, n);
}

/* "worker I (pid P) ..." at the start of a failure message. */
static void parse_worker(const char *msg, unsigned *index, int *pid)
{
	if (sscanf(msg, "worker %u (pid %d)", index, pid) != 2)
		fail_msg("message does not name a worker and its pid: \"%s\"", msg);
}

/* The range of tasks a "... while holding task N" / "tasks A-B" message names. */
static void parse_held(const char *msg, uint64_t *first, uint64_t *last)
{
	const char *h = strstr(msg, "while holding task");
	if (!h)
		fail_msg("message does not name the task held: \"%s\"", msg);
	if (sscanf(h, "while holding tasks %" SCNu64 "-%" SCNu64, first, last) == 2)
		return;
	if (sscanf(h, "while holding task %" SCNu64, first) == 1) {
		*last = *first;
		return;
	}
	fail_msg("cannot read the tasks held from \"%s\"", msg);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* ---- tests --------------------------------------------------------------- */

static void test_fixture_workloads_are_valid(void **state)
{
	(void)state;
	const struct mpb_workload_ops *const all[] = { &wl_kill, &wl_exit, &wl_error, &wl_nap,
						       &wl_refuse, &wl_slow_exit };
	struct mpb_diag d = { 0 };
	for (size_t i = 0; i < N_OF(all); i++)
		if (mpb_workload_check(all[i], &d) != 0)
			fail_msg("%s: %s", all[i]->name, d.msg);
}

static void test_python_chunksize(void **state)
{
	(void)state;
	/* ceil(tasks / (4 * workers)), at least 1, worked by hand */
	static const struct {
		uint64_t tasks;
		unsigned workers;
		uint64_t want;
	} cases[] = {
		{ 0, 1, 1 },      { 0, 8, 1 },       { 1, 1, 1 },        { 3, 1, 1 },
		{ 4, 1, 1 },      { 5, 1, 2 },       { 8, 1, 2 },        { 9, 1, 3 },
		{ 1, 8, 1 },      { 32, 8, 1 },      { 33, 8, 2 },       { 64, 8, 2 },
		{ 65, 8, 3 },     { 16, 4, 1 },      { 17, 4, 2 },       { 100, 4, 7 },
		{ 1000, 3, 84 },  { 996, 3, 83 },    { 997, 3, 84 },     { 10000, 8, 313 },
		{ 4, 1000, 1 },   { 4000, 1000, 1 }, { 4001, 1000, 2 },  { 10000000, 1, 2500000 },
		{ UINT64_C(1) << 40, 2, UINT64_C(1) << 37 },
		{ (UINT64_C(1) << 40) + 1, 2, (UINT64_C(1) << 37) + 1 },
	};
	for (size_t i = 0; i < N_OF(cases); i++) {
		uint64_t got = mpb_pool_python_chunksize(cases[i].tasks, cases[i].workers);
		if (got != cases[i].want)
			fail_msg("tasks %" PRIu64 ", workers %u: got %" PRIu64 ", want %" PRIu64,
				 cases[i].tasks, cases[i].workers, got, cases[i].want);
	}
}

/* One pool's life for one combination: start, map, verify, stop, free. */
static void run_point(struct fixture *fx, const struct mpb_workload_ops *w, uint64_t size,
		      size_t n, unsigned workers, uint64_t chunk, unsigned inflight)
{
	struct mpb_diag d = { 0 };
	struct mpb_pool_config c = config(w, size, n, workers, chunk);
	c.inflight = inflight;
	start_ok(fx, &c);
	const struct mpb_pool_report *r = mpb_pool_report(fx->pool);
	check_workers_ready(r, workers);

	map_ok(fx, w, &c.wparams, n);
	check_task_accounting(r, n);
	assert_true(r->map_ns > 0);
	assert_true(r->bytes_sent > 0);
	assert_true(r->bytes_received > 0);

	int rc = mpb_pool_stop(fx->pool, &d);
	if (rc != 0)
		fail_msg("mpb_pool_stop: %d: %s", rc, d.msg);
	check_workers_ready(r, workers);
	check_task_accounting(r, n);
	assert_true(r->teardown_ns > 0);
	free_and_check_reaped(fx);
}

static void test_map_matrix(void **state)
{
	struct fixture *fx = *state;
	static const struct {
		const struct mpb_workload_ops *w;
		uint64_t size;
	} wls[] = { { &mpb_workload_sumsq, 1000 }, { &mpb_workload_null, 0 } };
	/* 42 is a multiple of 3 and 7, 50 of neither */
	static const size_t counts[] = { 42, 50 };
	for (size_t wi = 0; wi < N_OF(wls); wi++)
		for (size_t ci = 0; ci < N_OF(counts); ci++)
			for (unsigned workers = 1; workers <= MAX_WORKERS; workers++) {
				size_t n = counts[ci];
				const uint64_t chunks[] = {
					1, 3, 7, n, n + 5, mpb_pool_python_chunksize(n, workers),
				};
				for (size_t k = 0; k < N_OF(chunks); k++) {
					/* 0 (the default), 1 and 2 chunks in flight */
					unsigned inflight = (unsigned)((workers + k) % 3);
					run_point(fx, wls[wi].w, wls[wi].size, n, workers,
						  chunks[k], inflight);
				}
			}
}

static void test_several_maps_on_one_pool(void **state)
{
	struct fixture *fx = *state;
	static const size_t sizes[] = { 10, 0, 1, 37, 100, 5 };
	struct mpb_pool_config c = config(&mpb_workload_sumsq, 1000, 0, 4, 3);
	start_ok(fx, &c);
	const struct mpb_pool_report *r = mpb_pool_report(fx->pool);
	check_workers_ready(r, 4);
	uint64_t total = 0, map_ns = 0;
	for (size_t i = 0; i < N_OF(sizes); i++) {
		c.wparams.tasks = sizes[i];
		map_ok(fx, &mpb_workload_sumsq, &c.wparams, sizes[i]);
		total += sizes[i];
		check_task_accounting(r, total);
		/* map_ns is a sum over maps */
		assert_true(r->map_ns >= map_ns);
		map_ns = r->map_ns;
	}
	struct mpb_diag d = { 0 };
	int rc = mpb_pool_stop(fx->pool, &d);
	if (rc != 0)
		fail_msg("mpb_pool_stop: %d: %s", rc, d.msg);
	check_task_accounting(r, total);
	free_and_check_reaped(fx);
}

static void test_map_of_zero_tasks(void **state)
{
	struct fixture *fx = *state;
	struct mpb_diag d = { 0 };
	struct mpb_pool_config c = config(&mpb_workload_null, 0, 0, 3, 1);
	start_ok(fx, &c);
	const struct mpb_pool_report *r = mpb_pool_report(fx->pool);
	assert_int_equal(mpb_pool_map(fx->pool, NULL, 0, NULL, &d), 0);
	assert_int_equal(r->tasks, 0);
	assert_int_equal(r->bytes_sent, 0);
	/* the pool is still good for real work after an empty map */
	c.wparams.tasks = 9;
	map_ok(fx, &mpb_workload_null, &c.wparams, 9);
	assert_int_equal(mpb_pool_map(fx->pool, NULL, 0, NULL, &d), 0);
	check_task_accounting(r, 9);
	assert_int_equal(mpb_pool_stop(fx->pool, &d), 0);
	check_task_accounting(r, 9);
	free_and_check_reaped(fx);
}

static void test_report_after_stop(void **state)
{
	struct fixture *fx = *state;
	struct mpb_diag d = { 0 };
	struct mpb_pool_config c = config(&mpb_workload_sumsq, 1000, 64, 3, 5);
	start_ok(fx, &c);
	map_ok(fx, &mpb_workload_sumsq, &c.wparams, 64);
	map_ok(fx, &mpb_workload_sumsq, &c.wparams, 64);
	assert_int_equal(mpb_pool_stop(fx->pool, &d), 0);
	const struct mpb_pool_report *r = mpb_pool_report(fx->pool);
	check_workers_ready(r, 3);
	check_task_accounting(r, 128);
	assert_true(r->startup_ns > 0);
	assert_true(r->map_ns > 0);
	assert_true(r->teardown_ns > 0);
	assert_true(r->bytes_sent > 0);
	assert_true(r->bytes_received > 0);
	/* sumsq of 1000+ iterations takes measurable time in a worker */
	assert_true(r->compute_ns > 0);
	for (unsigned i = 0; i < r->workers; i++) {
		/* filled from wait4 when the worker was reaped */
		assert_true(r->worker[i].maxrss_kb > 0);
		/* the start-up timeline runs in order on the one system-wide
		 * clock (the child may run before its fork returns in the parent) */
		const struct mpb_startup_timeline *t = &r->worker[i].timeline;
		assert_true(t->running_ns <= t->counted_ns);
		assert_true(t->counted_ns <= t->ready_ns);
		assert_true(t->ready_ns <= t->ready_read_ns);
		assert_true(t->launched_ns <= t->ready_read_ns);
		assert_int_equal(t->ready_ns, r->worker[i].startup_ns);
		assert_true(t->ready_read_ns > 0);
		/* a forked child faults at least once before READY (its first
		 * write to its stack copies the page it shares with the parent),
		 * and no more than its whole run took */
		assert_true(t->has_faults);
		assert_true(t->faults > 0);
		assert_true(t->faults <= r->worker[i].minflt + r->worker[i].majflt);
	}
	free_and_check_reaped(fx);
}

/* The harness's read-out after STOP (counters, usage, memory, the worker's
 * clean-up) is in no timed window: teardown opens only once every worker
 * has done it, so a slow one does not show in teardown_ns. Ordering, not
 * timing: the window opened after each worker's last stamp. */
static void check_teardown_after_readout(struct fixture *fx, const struct mpb_method_ops *m)
{
	struct mpb_diag d = { 0 };
	const unsigned nw = 2;
	/* size UINT64_MAX: no task is the victim of kill_run */
	struct mpb_pool_config c = config(&wl_slow_exit, UINT64_MAX, 4, nw, 1);
	c.method = m;
	uint64_t *stamp = mmap(NULL, MAX_WORKERS * sizeof *stamp, PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(stamp != MAP_FAILED);
	make_tasks(fx, &wl_slow_exit, &c.wparams, 4); /* the parent's own setup: no stamp */
	slow_exit_stamp = stamp;
	start_ok(fx, &c);
	int rc = mpb_pool_map(fx->pool, fx->args, 4, fx->res, &d);
	if (rc == 0)
		rc = mpb_pool_stop(fx->pool, &d);
	slow_exit_stamp = NULL;
	if (rc != 0)
		fail_msg("%s: %s", m->name, d.msg);
	const struct mpb_pool_report *r = mpb_pool_report(fx->pool);
	for (unsigned i = 0; i < nw; i++) {
		assert_true(stamp[i] > 0); /* every worker cleaned up, once */
		if (stamp[i] > r->teardown_from_ns)
			fail_msg("%s: worker clean-up ended %" PRIu64 " ns inside the teardown window",
				 m->name, stamp[i] - r->teardown_from_ns);
	}
	assert_int_equal(stamp[nw], 0);
	/* and the read-out phase is accounted for, separately */
	assert_true(r->readout_ns > 0);
	munmap(stamp, MAX_WORKERS * sizeof *stamp);
	if (m->flags & MPB_METHOD_INPROC)
		free_pool(fx); /* no processes to check: its "pids" are ours */
	else
		free_and_check_reaped(fx);
}

static void test_teardown_after_readout_fork(void **state)
{
	check_teardown_after_readout(*state, &mpb_method_fork);
}

static void test_teardown_after_readout_thread(void **state)
{
	check_teardown_after_readout(*state, &mpb_method_thread);
}

/* A method's wait wakes on the worker's end, not on a timer and not at its
 * deadline (an hour away here: a wait that slept until then would hang the
 * test): once it returns, the worker has ended. With a pidfd and without
 * (MPBENCH_NO_PIDFD, as under valgrind: the exit pipe, method_proc.h). The
 * worker closes its result pipe first and ends `delay_ns` later, as a worker
 * with clean-up after its last word does: the parent sees the EOF, then
 * waits. Behaviour, not timing: a wait that wakes on the event sleeps once
 * (or not at all when the worker ended first); one that polled would wake
 * once per interval: 4 times over 0.2 ms at 50 us, hundreds over 30 ms. */
static void check_wait_wakes_on_exit(bool pidfd, long delay_ns)
{
	struct mpb_diag d = { 0 };
	if (!pidfd)
		setenv(MPB_NO_PIDFD_ENV, "1", 1);
	int ep[2], res[2];
	assert_int_equal(mpb_proc_exit_pipe(ep, 0, &d), 0);
	if (!pidfd)
		assert_true(ep[0] >= 0 && ep[1] >= 0);
	assert_int_equal(pipe(res), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		mpb_proc_exit_pipe_close(&ep[0]);
		close(res[0]);
		close(res[1]); /* its last word: the parent reads EOF */
		struct timespec ts = { 0, delay_ns };
		nanosleep(&ts, NULL);
		_exit(0);
	}
	mpb_proc_exit_pipe_close(&ep[1]);
	close(res[1]);
	char c;
	assert_int_equal(read(res[0], &c, 1), 0);
	close(res[0]);
	struct mpb_slot s = { .pid = pid, .launched = true, .exit_fd = ep[0] };
	uint64_t hour = 3600ull * 1000000000ull;
	assert_int_equal(mpb_method_fork.wait(NULL, &s, mpb_now_ns() + hour, &d), 0);
	assert_int_equal(mpb_method_fork.reap(NULL, &s, false, &d), 1);
	assert_true(WIFEXITED(s.wait_status) && WEXITSTATUS(s.wait_status) == 0);
	if (s.wakeups > 1)
		fail_msg("%s: the wait woke %u times for one exit %ld ns after the pipe closed",
			 pidfd ? "pidfd" : "exit pipe", s.wakeups, delay_ns);
	mpb_proc_exit_pipe_close(&ep[0]);
	unsetenv(MPB_NO_PIDFD_ENV);
}

static void test_wait_wakes_on_exit(void **state)
{
	(void)state;
	const long delays[] = { 200 * 1000L, 30 * 1000000L };
	for (size_t i = 0; i < N_OF(delays); i++) {
		check_wait_wakes_on_exit(true, delays[i]);
		check_wait_wakes_on_exit(false, delays[i]);
	}
}

/* A worker reaped elsewhere (someone's waitpid(-1)) is nothing to wait
 * for: the wait returns at once, without an error, and reap counts it as
 * ended. */
static void test_wait_for_worker_reaped_elsewhere(void **state)
{
	(void)state;
	struct mpb_diag d = { 0 };
	int self = mpb_proc_pidfd(getpid());
	if (self < 0)
		skip(); /* no pidfd here (valgrind): launches make exit pipes instead */
	close(self);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	struct mpb_slot s = { .pid = pid, .launched = true, .exit_fd = -1 };
	uint64_t hour = 3600ull * 1000000000ull;
	assert_int_equal(mpb_method_fork.wait(NULL, &s, mpb_now_ns() + hour, &d), 0);
	assert_int_equal(mpb_method_fork.reap(NULL, &s, false, &d), 1);
	assert_true(s.ended);
}

/* Without a pidfd a whole pool still starts, serves and tears down, its
 * waits woken by the workers' exit pipes (the fork method here; test_spawn.c
 * has the spawn method's). */
static void test_pool_without_pidfd(void **state)
{
	struct fixture *fx = *state;
	struct mpb_diag d = { 0 };
	setenv(MPB_NO_PIDFD_ENV, "1", 1);
	struct mpb_pool_config c = config(&mpb_workload_sumsq, 1000, 16, 3, 2);
	start_ok(fx, &c);
	map_ok(fx, &mpb_workload_sumsq, &c.wparams, 16);
	int rc = mpb_pool_stop(fx->pool, &d);
	unsetenv(MPB_NO_PIDFD_ENV);
	if (rc != 0)
		fail_msg("stop: %s", d.msg);
	check_workers_ready(mpb_pool_report(fx->pool), 3);
	free_and_check_reaped(fx);
}

static void test_stopped_pool_refuses_map(void **state)
{
	struct fixture *fx = *state;
	struct mpb_diag d = { 0 };
	struct mpb_pool_config c = config(&mpb_workload_null, 0, 4, 2, 1);
	start_ok(fx, &c);
	assert_int_equal(mpb_pool_stop(fx->pool, &d), 0);
	make_tasks(fx, &mpb_workload_null, &c.wparams, 4);
	assert_int_equal(mpb_pool_map(fx->pool, fx->args, 4, fx->res, &d), -MPB_ERUN);
	assert_int_equal(d.code, MPB_ERUN);
	assert_true(d.msg[0] != '\0');
	free_and_check_reaped(fx);
}

static void test_start_rejects_incomplete_config(void **state)
{
	(void)state;
	const struct mpb_pool_config good = config(&mpb_workload_null, 0, 4, 2, 1);
	struct mpb_pool_config bad[6];
	for (size_t i = 0; i < N_OF(bad); i++)
		bad[i] = good;
	bad[0].workers = 0;
	bad[1].method = NULL;
	bad[2].codec = NULL;
	bad[3].workload = NULL;
	bad[4].chunksize = 0;
	bad[5].transport = NULL;
	for (size_t i = 0; i < N_OF(bad); i++) {
		struct mpb_diag d = { 0 };
		struct mpb_pool *p = (struct mpb_pool *)&d; /* must be overwritten */
		assert_int_equal(mpb_pool_start(&bad[i], &p, &d), -MPB_EINPUT);
		assert_null(p);
		assert_int_equal(d.code, MPB_EINPUT);
		assert_true(d.msg[0] != '\0');
	}
	/* nothing was forked */
	assert_all_reaped(NULL, 0);
	mpb_pool_free(NULL);
}

static void test_chunksize_above_frame_count_limit(void **state)
{
	struct fixture *fx = *state;
	struct mpb_diag d = { 0 };
	struct mpb_pool_config c = config(&mpb_workload_null, 0, 4, 2, (uint64_t)UINT32_MAX + 1);
	start_ok(fx, &c);
	make_tasks(fx, &mpb_workload_null, &c.wparams, 4);
	assert_int_equal(mpb_pool_map(fx->pool, fx->args, 4, fx->res, &d), -MPB_EINPUT);
	assert_int_equal(d.code, MPB_EINPUT);
	free_and_check_reaped(fx);
}

/* A task kills (or exits) its worker: the map fails naming the worker, its
 * pid, how it died and the task it held. One chunk of one task in flight per
 * worker makes "the task it held" exactly the victim. */
static void check_death(struct fixture *fx, const struct mpb_workload_ops *w, unsigned workers,
			uint64_t victim, size_t n, const char *how, enum mpb_cause cause)
{
	struct mpb_diag d = { 0 };
	struct mpb_pool_config c = config(w, victim, n, workers, 1);
	c.inflight = 1;
	start_ok(fx, &c);
	const struct mpb_pool_report *r = mpb_pool_report(fx->pool);
	check_workers_ready(r, workers);
	make_tasks(fx, w, &c.wparams, n);
	uint64_t t0 = mpb_now_ns();
	assert_int_equal(mpb_pool_map(fx->pool, fx->args, n, fx->res, &d), -MPB_ERUN);
	assert_true(mpb_now_ns() - t0 < HANG_BOUND_NS);
	assert_int_equal(d.code, MPB_ERUN);

	unsigned index;
	int pid;
	parse_worker(d.msg, &index, &pid);
	assert_true(index < workers);
	assert_int_equal(pid, r->worker[index].pid);
	assert_contains(d.msg, how);
	assert_int_equal(d.cause, cause);
	char held[64];
	snprintf(held, sizeof held, "while holding task %" PRIu64, victim);
	if (!ends_with(d.msg, held))
		fail_msg("\"%s\" does not end with \"%s\"", d.msg, held);

	/* a failed pool refuses more work instead of hanging on the dead worker */
	assert_int_equal(mpb_pool_map(fx->pool, fx->args, n, fx->res, &d), -MPB_ERUN);
	assert_int_equal(mpb_pool_stop(fx->pool, &d), -MPB_ERUN);
	free_and_check_reaped(fx);
}

static void test_worker_killed_by_signal(void **state)
{
	struct fixture *fx = *state;
	check_death(fx, &wl_kill, 1, 0, 5, "killed by signal 9", MPB_CAUSE_WORKER_KILLED);
	check_death(fx, &wl_kill, 1, 4, 5, "killed by signal 9", MPB_CAUSE_WORKER_KILLED);
	check_death(fx, &wl_kill, 3, 7, 20, "killed by signal 9", MPB_CAUSE_WORKER_KILLED);
	check_death(fx, &wl_kill, 8, 19, 20, "killed by signal 9", MPB_CAUSE_WORKER_KILLED);
}

static void test_worker_exits(void **state)
{
	struct fixture *fx = *state;
	check_death(fx, &wl_exit, 1, 2, 5, "exited with status 7", MPB_CAUSE_WORKER_EXITED);
	check_death(fx, &wl_exit, 4, 11, 30, "exited with status 7", MPB_CAUSE_WORKER_EXITED);
}

/* With larger chunks and the default depth the message names a range of
 * tasks; the victim's chunk is among them. */
static void test_worker_killed_holding_chunks(void **state)
{
	struct fixture *fx = *state;
	struct mpb_diag d = { 0 };
	const uint64_t victim = 13;
	const size_t n = 40;
	struct mpb_pool_config c = config(&wl_kill, victim, n, 2, 4);
	start_ok(fx, &c);
	const struct mpb_pool_report *r = mpb_pool_report(fx->pool);
	make_tasks(fx, &wl_kill, &c.wparams, n);
	assert_int_equal(mpb_pool_map(fx->pool, fx->args, n, fx->res, &d), -MPB_ERUN);
	unsigned index;
	int pid;
	parse_worker(d.msg, &index, &pid);
	assert_true(index < 2);
	assert_int_equal(pid, r->worker[index].pid);
	assert_contains(d.msg, "killed by signal 9");
	assert_int_equal(d.cause, MPB_CAUSE_WORKER_KILLED);
	uint64_t first, last;
	parse_held(d.msg, &first, &last);
	assert_true(first <= victim && victim <= last);
	assert_true(last < n);
	free_and_check_reaped(fx);
}

/* run_task returns an error: the map fails with the worker's own message. */
static void check_task_error(struct fixture *fx, unsigned workers, uint64_t victim, size_t n)
{
	struct mpb_diag d = { 0 };
	struct mpb_pool_config c = config(&wl_error, victim, n, workers, 1);
	c.inflight = 1;
	start_ok(fx, &c);
	const struct mpb_pool_report *r = mpb_pool_report(fx->pool);
	make_tasks(fx, &wl_error, &c.wparams, n);
	assert_int_equal(mpb_pool_map(fx->pool, fx->args, n, fx->res, &d), -MPB_ERUN);
	assert_int_equal(d.code, MPB_ERUN);
	unsigned index;
	int pid;
	parse_worker(d.msg, &index, &pid);
	assert_true(index < workers);
	assert_int_equal(pid, r->worker[index].pid);
	char want[256];
	snprintf(want, sizeof want,
		 "worker %u (pid %d) failed on task %" PRIu64 ": fault: refusing task %" PRIu64
		 " on purpose", index, pid, victim, victim);
	assert_string_equal(d.msg, want);
	assert_int_equal(d.cause, MPB_CAUSE_TASK_FAILED);
	assert_int_equal(mpb_pool_stop(fx->pool, &d), -MPB_ERUN);
	free_and_check_reaped(fx);
}

static void test_task_error(void **state)
{
	struct fixture *fx = *state;
	check_task_error(fx, 1, 0, 4);
	check_task_error(fx, 1, 3, 4);
	check_task_error(fx, 3, 6, 12);
}

static void test_worker_setup_fails(void **state)
{
	struct fixture *fx = *state;
	struct mpb_diag d = { 0 };
	struct mpb_pool_config c = config(&wl_refuse, 0, 4, 2, 1);
	assert_int_equal(mpb_pool_start(&c, &fx->pool, &d), -MPB_ERUN);
	assert_non_null(fx->pool);
	assert_contains(d.msg, "fault: setup refused on purpose");
	unsigned index;
	int pid;
	parse_worker(d.msg, &index, &pid);
	assert_true(index < 2);
	assert_true(pid > 0);
	free_pool(fx);
	pid_t gone = (pid_t)pid;
	assert_all_reaped(&gone, 1);
}

/* A worker killed from outside between maps: whatever the pool does next
 * fails cleanly with a message naming it, and free leaves nothing. */
static void kill_idle_worker(struct fixture *fx, unsigned victim, pid_t *pid)
{
	struct mpb_pool_config c = config(&mpb_workload_sumsq, 1000, 12, 3, 2);
	start_ok(fx, &c);
	map_ok(fx, &mpb_workload_sumsq, &c.wparams, 12);
	*pid = mpb_pool_report(fx->pool)->worker[victim].pid;
	assert_true(*pid > 0);
	assert_int_equal(kill(*pid, SIGKILL), 0);
}

static void test_idle_worker_killed_then_map(void **state)
{
	struct fixture *fx = *state;
	struct mpb_diag d = { 0 };
	pid_t pid;
	kill_idle_worker(fx, 1, &pid);
	struct mpb_workload_params p = { .size = 1000, .tasks = 30 };
	make_tasks(fx, &mpb_workload_sumsq, &p, 30);
	uint64_t t0 = mpb_now_ns();
	assert_int_equal(mpb_pool_map(fx->pool, fx->args, 30, fx->res, &d), -MPB_ERUN);
	assert_true(mpb_now_ns() - t0 < HANG_BOUND_NS);
	char who[64];
	snprintf(who, sizeof who, "worker 1 (pid %d) was killed by signal 9", (int)pid);
	assert_contains(d.msg, who);
	assert_contains(d.msg, "while holding task");
	free_and_check_reaped(fx);
}

static void test_idle_worker_killed_then_stop(void **state)
{
	struct fixture *fx = *state;
	struct mpb_diag d = { 0 };
	pid_t pid;
	kill_idle_worker(fx, 2, &pid);
	uint64_t t0 = mpb_now_ns();
	assert_int_equal(mpb_pool_stop(fx->pool, &d), -MPB_ERUN);
	assert_true(mpb_now_ns() - t0 < HANG_BOUND_NS);
	char want[96];
	snprintf(want, sizeof want, "worker 2 (pid %d) was killed by signal 9", (int)pid);
	assert_contains(d.msg, want);
	assert_true(ends_with(d.msg, "while idle"));
	free_and_check_reaped(fx);
}

/* ---- the stop flag -------------------------------------------------------- */

static volatile sig_atomic_t stop_flag;

static void on_alarm(int sig)
{
	(void)sig;
	stop_flag = 1;
}

/* Set stop_flag from a SIGALRM handler after ms milliseconds, the way cli.c's
 * SIGINT handler does: no SA_RESTART, so poll returns at once. */
static void arm_stop_timer(unsigned ms, struct sigaction *old)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGALRM, &sa, old), 0);
	struct itimerval it = { { 0, 0 }, { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 } };
	assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
}

static void disarm_stop_timer(const struct sigaction *old)
{
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, old, NULL);
}

static void test_stop_flag_before_map(void **state)
{
	struct fixture *fx = *state;
	struct mpb_diag d = { 0 };
	stop_flag = 0;
	struct mpb_pool_config c = config(&wl_nap, 200, 40, 2, 1);
	c.stop_flag = &stop_flag;
	start_ok(fx, &c);
	make_tasks(fx, &wl_nap, &c.wparams, 40);
	stop_flag = 1;
	uint64_t t0 = mpb_now_ns();
	assert_int_equal(mpb_pool_map(fx->pool, fx->args, 40, fx->res, &d), -MPB_EINTR);
	assert_true(mpb_now_ns() - t0 < HANG_BOUND_NS);
	assert_int_equal(d.code, MPB_EINTR);
	assert_true(d.msg[0] != '\0');
	free_and_check_reaped(fx);
}

static void test_stop_flag_during_map(void **state)
{
	struct fixture *fx = *state;
	struct mpb_diag d = { 0 };
	struct sigaction old;
	stop_flag = 0;
	/* 2 workers x 50 tasks x 200 ms: 5 s of sleeping if nobody stops it */
	struct mpb_pool_config c = config(&wl_nap, 200, 100, 2, 1);
	c.stop_flag = &stop_flag;
	start_ok(fx, &c);
	make_tasks(fx, &wl_nap, &c.wparams, 100);
	arm_stop_timer(50, &old);
	uint64_t t0 = mpb_now_ns();
	int rc = mpb_pool_map(fx->pool, fx->args, 100, fx->res, &d);
	uint64_t dt = mpb_now_ns() - t0;
	disarm_stop_timer(&old);
	assert_int_equal(stop_flag, 1);
	assert_int_equal(rc, -MPB_EINTR);
	assert_true(dt < HANG_BOUND_NS);
	/* stopped part way: not every task came back */
	assert_true(mpb_pool_report(fx->pool)->worker[0].tasks +
		    mpb_pool_report(fx->pool)->worker[1].tasks < 100);
	free_and_check_reaped(fx);
}

static void test_stop_flag_during_start(void **state)
{
	struct fixture *fx = *state;
	struct mpb_diag d = { 0 };
	stop_flag = 1;
	struct mpb_pool_config c = config(&mpb_workload_null, 0, 4, 3, 1);
	c.stop_flag = &stop_flag;
	assert_int_equal(mpb_pool_start(&c, &fx->pool, &d), -MPB_EINTR);
	/* a pool that failed to start is still handed back, to be freed */
	assert_non_null(fx->pool);
	free_pool(fx);
	assert_all_reaped(NULL, 0);
}

static void test_stop_flag_during_stop(void **state)
{
	struct fixture *fx = *state;
	struct mpb_diag d = { 0 };
	stop_flag = 0;
	struct mpb_pool_config c = config(&mpb_workload_null, 0, 8, 2, 1);
	c.stop_flag = &stop_flag;
	start_ok(fx, &c);
	map_ok(fx, &mpb_workload_null, &c.wparams, 8);
	stop_flag = 1;
	assert_int_equal(mpb_pool_stop(fx->pool, &d), -MPB_EINTR);
	free_and_check_reaped(fx);
}

/* ---- worker memory -------------------------------------------------------
 * `hog`: setup allocates and touches params.size bytes and keeps them until
 * teardown, as a workload with large tables would; tasks echo. */

static int hog_setup(const struct mpb_workload_params *p, void **state, struct mpb_diag *d)
{
	char *buf = malloc(p->size ? p->size : 1);
	if (!buf)
		return mpb_fail(d, MPB_ENOMEM, "hog: out of memory");
	memset(buf, 0x5a, p->size);
	*state = buf;
	return 0;
}

static int echo_run(void *state, const struct mpb_value *arg, struct mpb_value *result,
		    struct mpb_diag *d)
{
	(void)state; (void)d;
	*result = *arg;
	return 0;
}

TEST_WORKLOAD(wl_hog, "test-hog", hog_setup, echo_run);

#define HOG_BYTES (8u << 20)

/* Every worker's report holds its smaps_rollup figures once the pool has
 * stopped: resident >= proportional > 0, and some private dirty memory. */
static void check_worker_memory(const struct mpb_pool_report *r, unsigned workers,
				uint64_t min_private_kb)
{
	assert_int_equal(r->workers, workers);
	for (unsigned i = 0; i < workers; i++) {
		const struct mpb_worker_report *w = &r->worker[i];
		if (!w->has_memory)
			fail_msg("worker %u (pid %d) reported no memory", i, (int)w->pid);
		assert_true(w->pss_kb > 0);
		assert_true(w->rss_kb >= w->pss_kb);
		assert_true(w->private_dirty_kb > 0);
		assert_true(w->rss_kb >= w->private_dirty_kb);
		if (w->private_dirty_kb < min_private_kb)
			fail_msg("worker %u: private dirty %" PRIu64 " kB, below the %" PRIu64
				 " kB its workload touched", i, w->private_dirty_kb, min_private_kb);
		if (w->pss_kb < min_private_kb)
			fail_msg("worker %u: pss %" PRIu64 " kB, below the %" PRIu64
				 " kB private to it", i, w->pss_kb, min_private_kb);
	}
}

static void test_worker_memory_after_stop(void **state)
{
	struct fixture *fx = *state;
	struct mpb_diag d = { 0 };
	if (mpb_workload_check(&wl_hog, &d) != 0)
		fail_msg("%s: %s", wl_hog.name, d.msg);

	struct mpb_pool_config c = config(&mpb_workload_sumsq, 1000, 12, 3, 2);
	start_ok(fx, &c);
	map_ok(fx, &mpb_workload_sumsq, &c.wparams, 12);
	assert_int_equal(mpb_pool_stop(fx->pool, &d), 0);
	check_worker_memory(mpb_pool_report(fx->pool), 3, 1);
	free_and_check_reaped(fx);

	/* the figures are the worker's own: memory its workload holds shows */
	c = config(&wl_hog, HOG_BYTES, 6, 2, 1);
	start_ok(fx, &c);
	map_ok(fx, &wl_hog, &c.wparams, 6);
	assert_int_equal(mpb_pool_stop(fx->pool, &d), 0);
	check_worker_memory(mpb_pool_report(fx->pool), 2, HOG_BYTES / 1024);
	free_and_check_reaped(fx);
}


static int group_setup(void **state)
{
	(void)state;
	/* a dead worker's pipe must come back as EPIPE, not kill the test:
	 * the harness ignores SIGPIPE the same way (cli.c) */
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_workloads_are_valid),
		cmocka_unit_test(test_python_chunksize),
		cmocka_unit_test(test_start_rejects_incomplete_config),
		POOL_TEST(test_map_matrix),
		POOL_TEST(test_several_maps_on_one_pool),
		POOL_TEST(test_map_of_zero_tasks),
		POOL_TEST(test_report_after_stop),
		POOL_TEST(test_stopped_pool_refuses_map),
		POOL_TEST(test_teardown_after_readout_fork),
		POOL_TEST(test_teardown_after_readout_thread),
		cmocka_unit_test(test_wait_wakes_on_exit),
		POOL_TEST(test_pool_without_pidfd),
		cmocka_unit_test(test_wait_for_worker_reaped_elsewhere),
		POOL_TEST(test_chunksize_above_frame_count_limit),
		POOL_TEST(test_worker_killed_by_signal),
		POOL_TEST(test_worker_exits),
		POOL_TEST(test_worker_killed_holding_chunks),
		POOL_TEST(test_task_error),
		POOL_TEST(test_worker_setup_fails),
		POOL_TEST(test_idle_worker_killed_then_map),
		POOL_TEST(test_idle_worker_killed_then_stop),
		POOL_TEST(test_stop_flag_before_map),
		POOL_TEST(test_stop_flag_during_map),
		POOL_TEST(test_stop_flag_during_start),
		POOL_TEST(test_stop_flag_during_stop),
		POOL_TEST(test_worker_memory_after_stop),
	};
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
