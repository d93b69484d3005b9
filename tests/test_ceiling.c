/* test_ceiling.c — cmocka tests for harness/run/ceiling.c and its wiring: the
 * static split; the runner (every task computed exactly once, in a child,
 * results verified, for 1..8 workers and task counts that do and do not
 * divide evenly; scalar, byte-string and list results); failures, deaths and
 * interruption (siblings killed, everything reaped, no descriptor left); the
 * derived ratios on synthetic samples through analysis, results and the
 * console table; and the sweep's schedule, where ceiling runs take their
 * place in the same seeded shuffle as pool runs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "analysis.h"
#include "ceiling.h"
#include "method_proc.h"
#include "driver.h"
#include "machine.h"
#include "method.h"
#include "options.h"
#include "plan.h"
#include "results.h"
#include "rng.h"
#include "stats.h"
#include "table.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define ARGS(...)                                                        \
	(int)(sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)),       \
		(char *[]){ __VA_ARGS__ }

/* ---- helpers ---------------------------------------------------------- */

static int count_fds(void)
{
	DIR *dir = opendir("/proc/self/fd");
	assert_non_null(dir);
	int n = 0;
	while (readdir(dir))
		n++;
	closedir(dir);
	return n;
}

/* No child of ours is left, zombie or alive. */
static void assert_no_children(void)
{
	errno = 0;
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static void assert_contains(const char *msg, const char *needle)
{
	if (!strstr(msg, needle))
		fail_msg("message \"%s\" lacks \"%s\"", msg, needle);
}

static void *shared(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(p != MAP_FAILED);
	return p;
}

static struct mpb_value *make_args(const struct mpb_workload_ops *w, void *st, uint64_t size,
				   uint64_t tasks)
{
	struct mpb_workload_params wp = { size, tasks, 1, 0 };
	struct mpb_value *a = calloc(tasks ? tasks : 1, sizeof *a);
	assert_non_null(a);
	for (uint64_t i = 0; i < tasks; i++)
		assert_int_equal(w->make_task(st, &wp, i, &a[i], NULL), 0);
	return a;
}

static void free_args(struct mpb_value *a, uint64_t tasks)
{
	mpb_value_clear_array(a, tasks);
	free(a);
}

/* ---- a workload that counts where and how often each task ran ------------ */

struct counter_state {
	uint32_t *runs;   /* [tasks], shared with the children */
	pid_t *pid;       /* [tasks], the process that ran the task */
};

static int counter_make(void *st, const struct mpb_workload_params *p, uint64_t index,
			struct mpb_value *arg, struct mpb_diag *d)
{
	(void)st; (void)p; (void)d;
	*arg = mpb_value_int(index);
	return 0;
}

static int counter_run(void *state, const struct mpb_value *arg, struct mpb_value *result,
		       struct mpb_diag *d)
{
	(void)d;
	struct counter_state *s = state;
	__atomic_fetch_add(&s->runs[arg->as.u], 1, __ATOMIC_RELAXED);
	s->pid[arg->as.u] = getpid();
	*result = mpb_value_int(arg->as.u * 3 + 1);
	return 0;
}

static int counter_verify(void *state, const struct mpb_workload_params *p, uint64_t index,
			  const struct mpb_value *arg, const struct mpb_value *result,
			  struct mpb_diag *d)
{
	(void)state; (void)p;
	if (result->type != MPB_VAL_INT || result->as.u != arg->as.u * 3 + 1)
		return mpb_fail(d, MPB_ERUN, "counter: task %llu is wrong", (unsigned long long)index);
	return 0;
}

static const struct mpb_workload_ops counter_wl = {
	.abi = MPB_WORKLOAD_ABI, .name = "counter", .summary = "test", .unit = MPB_UNIT_COUNT,
	.make_task = counter_make, .run_task = counter_run, .verify = counter_verify,
};

/* ---- the split ----------------------------------------------------------- */

static void test_split(void **state)
{
	(void)state;
	const uint64_t tasks[] = { 0, 1, 2, 3, 5, 7, 8, 9, 16, 17, 100, 1000003 };
	for (size_t t = 0; t < N_OF(tasks); t++) {
		for (unsigned w = 1; w <= 40; w++) {
			uint64_t next = 0, lo = UINT64_MAX, hi = 0;
			for (unsigned k = 0; k < w; k++) {
				uint64_t first, count;
				mpb_ceiling_split(tasks[t], w, k, &first, &count);
				assert_int_equal(first, next); /* contiguous, in order */
				next = first + count;
				lo = count < lo ? count : lo;
				hi = count > hi ? count : hi;
			}
			assert_int_equal(next, tasks[t]); /* everything, once */
			assert_true(hi - lo <= 1);        /* balanced */
		}
	}
	/* a child that does not exist gets nothing */
	uint64_t first, count;
	mpb_ceiling_split(10, 2, 2, &first, &count);
	assert_int_equal(count, 0);
	mpb_ceiling_split(10, 0, 0, &first, &count);
	assert_int_equal(count, 0);
}

/* ---- the runner ---------------------------------------------------------- */

/* Every task exactly once, in a child, with the split's counts per child. */
static void test_run_exactly_once(void **state)
{
	(void)state;
	const uint64_t tasks[] = { 1, 3, 7, 8, 12, 13, 24, 29 };
	pid_t me = getpid();
	for (unsigned w = 1; w <= 8; w++) {
		for (size_t t = 0; t < N_OF(tasks); t++) {
			uint64_t n = tasks[t];
			struct counter_state cs = { shared(n * sizeof *cs.runs), shared(n * sizeof *cs.pid) };
			struct mpb_value *args = make_args(&counter_wl, &cs, 0, n);
			struct mpb_ceiling_job job = { &counter_wl, &cs, { 0, n, 1, 0 }, args, w, NULL,
					MPB_METHOD_CEILING_PROCESSES };
			size_t arena = 0;
			uint64_t wall = 0, done[8] = { 0 };
			int fds = count_fds();
			struct mpb_diag d = { 0 };
			if (mpb_ceiling_run(&job, &arena, &wall, done, &d) != 0)
				fail_msg("%u workers, %llu tasks: %s", w, (unsigned long long)n, d.msg);
			assert_true(wall > 0);
			assert_int_equal(arena, 0); /* integers need no arena */
			uint64_t sum = 0;
			for (unsigned k = 0; k < w; k++) {
				uint64_t first, count;
				mpb_ceiling_split(n, w, k, &first, &count);
				assert_int_equal(done[k], count);
				sum += done[k];
				/* a block runs in one process, not the parent's */
				for (uint64_t i = first; i < first + count; i++) {
					assert_int_equal(cs.pid[i], cs.pid[first]);
					for (unsigned j = 0; j < k; j++) {
						uint64_t f2, c2;
						mpb_ceiling_split(n, w, j, &f2, &c2);
						if (c2)
							assert_int_not_equal(cs.pid[i], cs.pid[f2]);
					}
				}
			}
			assert_int_equal(sum, n);
			for (uint64_t i = 0; i < n; i++) {
				assert_int_equal(cs.runs[i], 1);
				assert_int_not_equal(cs.pid[i], me);
				assert_true(cs.pid[i] > 0);
			}
			assert_no_children();
			assert_int_equal(count_fds(), fds);
			free_args(args, n);
			munmap(cs.runs, n * sizeof *cs.runs);
			munmap(cs.pid, n * sizeof *cs.pid);
		}
	}
}

/* The real thing: sumsq, whose verify checks each result against the closed
 * form, with more workers than tasks too. */
static void test_run_sumsq(void **state)
{
	(void)state;
	const struct mpb_workload_ops *w = &mpb_workload_sumsq;
	for (unsigned wk = 1; wk <= 8; wk++) {
		uint64_t n = 5;
		struct mpb_value *args = make_args(w, NULL, 20000, n);
		struct mpb_ceiling_job job = { w, NULL, { 20000, n, 1, 0 }, args, wk, NULL,
				MPB_METHOD_CEILING_PROCESSES };
		size_t arena = 0;
		uint64_t wall;
		struct mpb_diag d = { 0 };
		if (mpb_ceiling_run(&job, &arena, &wall, NULL, &d) != 0)
			fail_msg("%u workers: %s", wk, d.msg);
		assert_no_children();
		free_args(args, n);
	}
}

/* Results that are not scalars travel through the arena, which grows. */
static int rich_make(void *st, const struct mpb_workload_params *p, uint64_t index,
		     struct mpb_value *arg, struct mpb_diag *d)
{
	(void)st; (void)p; (void)d;
	*arg = mpb_value_int(index);
	return 0;
}

static int rich_expect(uint64_t i, struct mpb_value *v)
{
	switch (i % 4) {
	case 0: {
		size_t len = (size_t)(i * 97 % 3000) + 1;
		if (mpb_value_set_bytes(v, NULL, len) < 0)
			return -1;
		for (size_t j = 0; j < len; j++)
			v->as.bytes.data[j] = (uint8_t)(i + j);
		return 0;
	}
	case 1:
		if (mpb_value_set_list(v, 4) < 0)
			return -1;
		v->as.list.items[0] = mpb_value_int(i);
		v->as.list.items[1] = mpb_value_float((double)i / 3);
		if (mpb_value_set_bytes(&v->as.list.items[2], "xyz", 3) < 0 ||
		    mpb_value_set_list(&v->as.list.items[3], 1) < 0)
			return -1;
		v->as.list.items[3].as.list.items[0] = mpb_value_int(~i);
		return 0;
	case 2:
		*v = mpb_value_float((double)i * 0.5 - 7);
		return 0;
	default:
		*v = (struct mpb_value){ 0 }; /* NONE */
		return 0;
	}
}

static int rich_run(void *state, const struct mpb_value *arg, struct mpb_value *result,
		    struct mpb_diag *d)
{
	(void)state;
	if (rich_expect(arg->as.u, result) < 0)
		return mpb_fail(d, MPB_ENOMEM, "rich: out of memory");
	return 0;
}

static int rich_verify(void *state, const struct mpb_workload_params *p, uint64_t index,
		       const struct mpb_value *arg, const struct mpb_value *result,
		       struct mpb_diag *d)
{
	(void)state; (void)p;
	struct mpb_value want = { 0 };
	int ok = rich_expect(arg->as.u, &want) == 0 && mpb_value_equal(&want, result);
	mpb_value_clear(&want);
	return ok ? 0 : mpb_fail(d, MPB_ERUN, "rich: task %llu differs", (unsigned long long)index);
}

static const struct mpb_workload_ops rich_wl = {
	.abi = MPB_WORKLOAD_ABI, .name = "rich", .summary = "test", .unit = MPB_UNIT_COUNT,
	.make_task = rich_make, .run_task = rich_run, .verify = rich_verify,
};

static void test_run_rich_results(void **state)
{
	(void)state;
	const uint64_t tasks[] = { 1, 9, 40 };
	for (unsigned w = 1; w <= 8; w += 3) {
		for (size_t t = 0; t < N_OF(tasks); t++) {
			uint64_t n = tasks[t];
			struct mpb_value *args = make_args(&rich_wl, NULL, 0, n);
			struct mpb_ceiling_job job = { &rich_wl, NULL, { 0, n, 1, 0 }, args, w, NULL,
					MPB_METHOD_CEILING_PROCESSES };
			size_t arena = 0;
			uint64_t wall;
			struct mpb_diag d = { 0 };
			if (mpb_ceiling_run(&job, &arena, &wall, NULL, &d) != 0)
				fail_msg("%u workers, %llu tasks: %s", w, (unsigned long long)n, d.msg);
			assert_true(arena > 0); /* the first attempt found it short */
			size_t learned = arena;
			/* the learned room is kept and suffices */
			if (mpb_ceiling_run(&job, &arena, &wall, NULL, &d) != 0)
				fail_msg("again: %s", d.msg);
			assert_int_equal(arena, learned);
			assert_no_children();
			free_args(args, n);
		}
	}
}

/* ---- failures ------------------------------------------------------------- */

enum fault { F_NONE, F_FAIL, F_KILL, F_WRONG };

struct faulty_state {
	enum fault fault;
	uint64_t bad;       /* the task that misbehaves */
	bool others_hang;   /* every other task sleeps for an hour */
};

static void sleep_long(void)
{
	struct timespec ts = { 3600, 0 };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int faulty_run(void *state, const struct mpb_value *arg, struct mpb_value *result,
		      struct mpb_diag *d)
{
	struct faulty_state *s = state;
	uint64_t i = arg->as.u;
	if (i == s->bad) {
		if (s->fault == F_FAIL)
			return mpb_fail(d, MPB_ERUN, "injected failure at task %llu",
					(unsigned long long)i);
		if (s->fault == F_KILL)
			raise(SIGKILL);
		if (s->fault == F_WRONG) {
			*result = mpb_value_int(i * 3);
			return 0;
		}
	} else if (s->others_hang) {
		sleep_long();
	}
	*result = mpb_value_int(i * 3 + 1);
	return 0;
}

static const struct mpb_workload_ops faulty_wl = {
	.abi = MPB_WORKLOAD_ABI, .name = "faulty", .summary = "test", .unit = MPB_UNIT_COUNT,
	.make_task = counter_make, .run_task = faulty_run, .verify = counter_verify,
};

/* One run that must fail with `code`; returns the message. The children that
 * would sleep for an hour make a missing kill a hang (caught by the test
 * timeout), not a pass. */
static void run_fails(struct faulty_state *fs, unsigned workers, uint64_t n, int code,
		      volatile sig_atomic_t *stop, struct mpb_diag *d)
{
	struct mpb_value *args = make_args(&faulty_wl, fs, 0, n);
	struct mpb_ceiling_job job = { &faulty_wl, fs, { 0, n, 1, 0 }, args, workers, stop,
			MPB_METHOD_CEILING_PROCESSES };
	size_t arena = 0;
	uint64_t wall;
	int fds = count_fds();
	mpb_diag_clear(d);
	assert_int_equal(mpb_ceiling_run(&job, &arena, &wall, NULL, d), -code);
	assert_int_equal(d->code, code);
	assert_no_children();
	assert_int_equal(count_fds(), fds);
	free_args(args, n);
}

static void test_child_fails_siblings_killed(void **state)
{
	(void)state;
	struct mpb_diag d;
	/* task 0 fails in worker 0 while the three others sleep */
	struct faulty_state fs = { F_FAIL, 0, true };
	run_fails(&fs, 4, 4, MPB_ERUN, NULL, &d);
	assert_contains(d.msg, "ceiling worker 0");
	assert_contains(d.msg, "pid ");
	assert_contains(d.msg, "injected failure at task 0");
	assert_int_equal(d.cause, MPB_CAUSE_TASK_FAILED);
	/* the last worker fails: the ones forked before it are killed too */
	fs.bad = 3;
	run_fails(&fs, 4, 4, MPB_ERUN, NULL, &d);
	assert_contains(d.msg, "ceiling worker 3");
}

static void test_child_killed(void **state)
{
	(void)state;
	struct mpb_diag d;
	struct faulty_state fs = { F_KILL, 2, true };
	run_fails(&fs, 3, 3, MPB_ERUN, NULL, &d);
	assert_contains(d.msg, "ceiling worker 2");
	assert_contains(d.msg, "signal 9");
	assert_int_equal(d.cause, MPB_CAUSE_WORKER_KILLED);
}

static void test_wrong_result(void **state)
{
	(void)state;
	struct mpb_diag d;
	struct faulty_state fs = { F_WRONG, 5, false };
	run_fails(&fs, 2, 7, MPB_ERUN, NULL, &d);
	assert_contains(d.msg, "result check failed");
	assert_int_equal(d.cause, MPB_CAUSE_WRONG_RESULT);
	assert_contains(d.msg, "task 5");
}

static volatile sig_atomic_t stop_flag;

static void *raise_stop(void *arg)
{
	(void)arg;
	struct timespec ts = { 0, 200 * 1000 * 1000 };
	nanosleep(&ts, NULL);
	stop_flag = 1;
	return NULL;
}

/* Every task sleeps for an hour: only the stop flag, raised by a thread
 * after 200 ms, ends the run. */
static void run_stopped(struct mpb_diag *d)
{
	struct faulty_state fs = { F_NONE, UINT64_MAX, true };
	pthread_t t;
	stop_flag = 0;
	assert_int_equal(pthread_create(&t, NULL, raise_stop, NULL), 0);
	run_fails(&fs, 3, 6, MPB_EINTR, &stop_flag, d);
	pthread_join(t, NULL);
	assert_int_equal(d->cause, MPB_CAUSE_NONE);
}

static void test_interrupt(void **state)
{
	(void)state;
	struct mpb_diag d;
	run_stopped(&d);

	/* a flag already up: nothing is forked, nothing computed */
	uint64_t n = 4;
	struct counter_state cs = { shared(n * sizeof *cs.runs), shared(n * sizeof *cs.pid) };
	struct mpb_value *args = make_args(&counter_wl, &cs, 0, n);
	struct mpb_ceiling_job job = { &counter_wl, &cs, { 0, n, 1, 0 }, args, 2, &stop_flag,
			MPB_METHOD_CEILING_PROCESSES };
	size_t arena = 0;
	uint64_t wall;
	assert_int_equal(mpb_ceiling_run(&job, &arena, &wall, NULL, &d), -MPB_EINTR);
	for (uint64_t i = 0; i < n; i++)
		assert_int_equal(cs.runs[i], 0);
	assert_no_children();
	stop_flag = 0;
	free_args(args, n);
	munmap(cs.runs, n * sizeof *cs.runs);
	munmap(cs.pid, n * sizeof *cs.pid);
}

/* Without pidfd_open (old kernels, valgrind) the wait still sees a later
 * child's failure while earlier ones run on, and still stops on the flag:
 * blocking on the children in fork order would wait here for an hour. */
static void test_no_pidfd(void **state)
{
	(void)state;
	struct mpb_diag d;
	assert_int_equal(setenv(MPB_NO_PIDFD_ENV, "1", 1), 0);
	struct faulty_state fs = { F_FAIL, 3, true };
	run_fails(&fs, 4, 4, MPB_ERUN, NULL, &d);
	assert_contains(d.msg, "ceiling worker 3");
	assert_contains(d.msg, "injected failure at task 3");
	struct faulty_state ks = { F_KILL, 2, true };
	run_fails(&ks, 3, 3, MPB_ERUN, NULL, &d);
	assert_contains(d.msg, "ceiling worker 2");
	assert_contains(d.msg, "signal 9");
	run_stopped(&d);
	assert_int_equal(unsetenv(MPB_NO_PIDFD_ENV), 0);
}

static void test_bad_job(void **state)
{
	(void)state;
	struct mpb_diag d = { 0 };
	size_t arena = 0;
	uint64_t wall;
	struct mpb_ceiling_job job = { &counter_wl, NULL, { 0, 4, 1, 0 }, NULL, 2, NULL,
			MPB_METHOD_CEILING_PROCESSES };
	assert_int_equal(mpb_ceiling_run(&job, &arena, &wall, NULL, &d), -MPB_EINPUT);
	struct mpb_value args[1] = { mpb_value_int(0) };
	job = (struct mpb_ceiling_job){ &counter_wl, NULL, { 0, 1, 1, 0 }, args, 0, NULL,
			MPB_METHOD_CEILING_PROCESSES };
	assert_int_equal(mpb_ceiling_run(&job, &arena, &wall, NULL, &d), -MPB_EINPUT);
	assert_no_children();
}

/* ---- ratios ------------------------------------------------------------- */

static const double serial[] = { 1000, 900, 1100, 800, 950 };       /* median 950 */
static const double ceil_w[] = { 520, 480, 500, 610, 490, 505 };    /* median 502.5 */
static const double pool_w[] = { 600, 560, 580, 640, 550 };         /* median 580 */

static void assert_close(double got, double want, const char *what)
{
	if (!(fabs(got - want) <= 1e-12 * fabs(want)))
		fail_msg("%s: got %.17g, want %.17g", what, got, want);
}

static void test_ratios(void **state)
{
	(void)state;
	struct mpb_ceiling_ratios r, again;
	double ms = mpb_stats_median(serial, N_OF(serial)), mc = mpb_stats_median(ceil_w, N_OF(ceil_w));
	double mp = mpb_stats_median(pool_w, N_OF(pool_w));
	assert_int_equal(mpb_ceiling_ratios(serial, N_OF(serial), ceil_w, N_OF(ceil_w), pool_w,
					    N_OF(pool_w), 3, &r), 0);
	assert_close(r.ceiling_median_ns, mc, "ceiling median");
	assert_true(r.have_speedup && r.have_vs);
	assert_close(r.speedup, ms / mc, "ceiling_speedup");
	assert_close(r.vs, mc / mp, "speedup_vs_ceiling");
	/* the definition: pool speedup / ceiling speedup */
	assert_close(r.vs, (ms / mp) / (ms / mc), "vs as a ratio of speedups");
	assert_true(r.speedup_ci_lo <= r.speedup && r.speedup <= r.speedup_ci_hi);
	assert_true(r.vs_ci_lo <= r.vs && r.vs <= r.vs_ci_hi);
	assert_true(r.vs_ci_lo > 0 && r.speedup_ci_lo > 0);
	/* the CI resamples the ceiling and the pool walls, nothing else */
	double lo, hi;
	assert_int_equal(mpb_stats_ratio_ci(ceil_w, N_OF(ceil_w), pool_w, N_OF(pool_w), 3, &lo, &hi), 0);
	assert_close(r.vs_ci_lo, lo, "vs ci lo");
	assert_close(r.vs_ci_hi, hi, "vs ci hi");
	/* seeded: the same figures again */
	assert_int_equal(mpb_ceiling_ratios(serial, N_OF(serial), ceil_w, N_OF(ceil_w), pool_w,
					    N_OF(pool_w), 3, &again), 0);
	assert_true(r.speedup == again.speedup && r.vs == again.vs);
	assert_true(r.speedup_ci_lo == again.speedup_ci_lo && r.speedup_ci_hi == again.speedup_ci_hi);
	assert_true(r.vs_ci_lo == again.vs_ci_lo && r.vs_ci_hi == again.vs_ci_hi);

	/* no serial: vs still exists; no pool: ceiling_speedup only */
	assert_int_equal(mpb_ceiling_ratios(NULL, 0, ceil_w, N_OF(ceil_w), pool_w, N_OF(pool_w), 3,
					    &r), 0);
	assert_false(r.have_speedup);
	assert_true(r.have_vs);
	assert_int_equal(mpb_ceiling_ratios(serial, N_OF(serial), ceil_w, N_OF(ceil_w), NULL, 0, 3,
					    &r), 0);
	assert_true(r.have_speedup);
	assert_false(r.have_vs);
	/* no ceiling: nothing */
	assert_int_equal(mpb_ceiling_ratios(serial, N_OF(serial), NULL, 0, pool_w, N_OF(pool_w), 3,
					    &r), -1);
	assert_false(r.have_speedup || r.have_vs);
}

static void test_sentence(void **state)
{
	(void)state;
	char buf[256];
	mpb_ceiling_sentence(buf, sizeof buf, 11.6, 16, "fork", 11.2, 11.2 / 11.6);
	assert_string_equal(buf, "this machine scales to 11.60x at 16 workers; the fork pool "
				 "reaches 11.20x, 97% of that");
	mpb_ceiling_sentence(buf, sizeof buf, 1.0, 1, "thread", 0.97, 0.97);
	assert_string_equal(buf, "this machine scales to 1.00x at 1 worker; the thread pool "
				 "reaches 0.97x, 97% of that");
}

/* ---- derived figures through analysis, results and the table ------------- */

#define NR 5
struct fixture {
	struct mpb_point pt[3];
	struct mpb_baseline bl[1];
	struct mpb_ceiling ce[1];
	struct mpb_plan plan;
	struct mpb_sample fork_runs[NR], thread_runs[NR];
	struct mpb_point_state ps[3];
	struct mpb_wall_state bs[1];
	struct mpb_wall_state cs[1];
	double serial[N_OF(serial)], ceil_w[N_OF(ceil_w)];
	struct mpb_dataset s;
};

static void fixture_init(struct fixture *f)
{
	memset(f, 0, sizeof *f);
	for (size_t i = 0; i < 3; i++) {
		f->pt[i] = (struct mpb_point){ .id = (unsigned)i, .workload = &mpb_workload_null,
					       .tasks = 10, .workers = 2, .chunksize = 1,
					       .method = mpb_method_find("fork"),
					       .codec = mpb_codec_find("raw"), .transport = &mpb_transport_pipe,
					       .baseline = 0, .ceiling = 0 };
	}
	f->pt[1].method = mpb_method_find("thread");
	f->pt[2].workers = 1;
	f->pt[2].ceiling = MPB_NO_CEILING;
	f->bl[0] = (struct mpb_baseline){ &mpb_workload_null, 0, 10 };
	f->ce[0] = (struct mpb_ceiling){ &mpb_workload_null, 0, 10, 2, 0,
			MPB_METHOD_CEILING_PROCESSES };
	f->plan = (struct mpb_plan){ .points = f->pt, .npoints = 3, .baselines = f->bl,
				     .nbaselines = 1, .ceilings = f->ce, .nceilings = 1,
				     .runs = NR, .seed = 11 };
	for (size_t r = 0; r < NR; r++) {
		f->fork_runs[r] = (struct mpb_sample){ .wall_ns = (uint64_t)pool_w[r], .map_ns = 100 };
		f->thread_runs[r] = (struct mpb_sample){ .wall_ns = (uint64_t)pool_w[r] + 200,
							 .map_ns = 100 };
	}
	f->ps[0] = (struct mpb_point_state){ .runs = f->fork_runs, .nruns = NR, .cap = NR };
	f->ps[1] = (struct mpb_point_state){ .runs = f->thread_runs, .nruns = NR, .cap = NR };
	f->ps[2] = (struct mpb_point_state){ .runs = f->fork_runs, .nruns = NR, .cap = NR };
	memcpy(f->serial, serial, sizeof serial);
	memcpy(f->ceil_w, ceil_w, sizeof ceil_w);
	f->bs[0] = (struct mpb_wall_state){ .wall_ns = f->serial, .n = N_OF(serial) };
	f->cs[0] = (struct mpb_wall_state){ .wall_ns = f->ceil_w, .n = N_OF(ceil_w) };
	f->s = (struct mpb_dataset){ .plan = &f->plan, .pts = f->ps, .bls = f->bs, .cls = f->cs };
}

static void test_analysis_derived(void **state)
{
	(void)state;
	struct fixture *f = malloc(sizeof *f);
	assert_non_null(f);
	fixture_init(f);
	double ms = mpb_stats_median(serial, N_OF(serial)), mc = mpb_stats_median(ceil_w, N_OF(ceil_w));
	struct mpb_derived dv;
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(mpb_analysis_point(&f->s, i, &dv), 0);
		assert_true(dv.have_speedup && dv.have_ceiling && dv.have_ceiling_speedup);
		assert_close(dv.ceiling_median_ns, mc, "ceiling median");
		assert_close(dv.ceiling_speedup, ms / mc, "ceiling_speedup");
		assert_close(dv.speedup_vs_ceiling, dv.speedup / dv.ceiling_speedup,
			     "speedup_vs_ceiling");
		assert_true(dv.speedup_vs_ceiling_ci_lo <= dv.speedup_vs_ceiling_ci_hi);
		assert_true(dv.ceiling_speedup_ci_lo <= dv.ceiling_speedup_ci_hi);
	}
	/* the slower thread pool gets less of the ceiling */
	struct mpb_derived fork_dv;
	mpb_analysis_point(&f->s, 0, &fork_dv);
	mpb_analysis_point(&f->s, 1, &dv);
	assert_true(dv.speedup_vs_ceiling < fork_dv.speedup_vs_ceiling);
	/* a point without a ceiling (--no-ceiling) has none */
	assert_int_equal(mpb_analysis_point(&f->s, 2, &dv), 0);
	assert_false(dv.have_ceiling || dv.have_ceiling_speedup);
	/* a ceiling with no runs yet gives nothing either */
	f->cs[0].n = 0;
	assert_int_equal(mpb_analysis_point(&f->s, 0, &dv), 0);
	assert_false(dv.have_ceiling);
	assert_true(dv.have_speedup);
	free(f);
}

static json_t *get(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	if (!v)
		fail_msg("no key '%s'", key);
	return v;
}

static void test_results_and_table(void **state)
{
	(void)state;
	struct fixture *f = malloc(sizeof *f);
	assert_non_null(f);
	fixture_init(f);
	struct mpb_machine m;
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_machine_probe(NULL, &m, &d), 0);
	f->s.machine = &m;
	f->s.status = "complete";
	json_t *doc = mpb_results_build(&f->s);
	assert_non_null(doc);
	double ms = mpb_stats_median(serial, N_OF(serial)), mc = mpb_stats_median(ceil_w, N_OF(ceil_w));

	json_t *cls = get(doc, "ceilings");
	assert_int_equal(json_array_size(cls), 1);
	json_t *c = json_array_get(cls, 0);
	assert_string_equal(json_string_value(get(c, "workload")), "null");
	assert_int_equal(json_integer_value(get(c, "workers")), 2);
	assert_int_equal(json_integer_value(get(c, "tasks")), 10);
	assert_int_equal(json_array_size(get(c, "runs")), N_OF(ceil_w));
	for (size_t r = 0; r < N_OF(ceil_w); r++)
		assert_int_equal(json_integer_value(json_array_get(get(c, "runs"), r)), (json_int_t)ceil_w[r]);
	assert_int_equal(json_integer_value(get(get(c, "wall_ns"), "n")), N_OF(ceil_w));
	assert_close(json_number_value(get(get(c, "wall_ns"), "median")), mc, "ceilings[0] median");
	assert_close(json_number_value(get(c, "speedup")), ms / mc, "ceilings[0].speedup");
	assert_close(json_number_value(get(c, "efficiency")), ms / mc / 2, "ceilings[0].efficiency");
	assert_int_equal(json_array_size(get(c, "speedup_ci95")), 2);
	assert_true(json_is_null(get(c, "error")));

	json_t *pts = get(doc, "points");
	struct mpb_derived dv;
	mpb_analysis_point(&f->s, 0, &dv);
	json_t *der = get(json_array_get(pts, 0), "derived");
	assert_close(json_number_value(get(der, "ceiling_speedup")), ms / mc, "ceiling_speedup");
	assert_close(json_number_value(get(der, "speedup_vs_ceiling")), dv.speedup_vs_ceiling,
		     "speedup_vs_ceiling");
	json_t *ci = get(der, "speedup_vs_ceiling_ci95");
	assert_close(json_number_value(json_array_get(ci, 0)), dv.speedup_vs_ceiling_ci_lo, "ci lo");
	assert_close(json_number_value(json_array_get(ci, 1)), dv.speedup_vs_ceiling_ci_hi, "ci hi");
	assert_int_equal(json_array_size(get(der, "ceiling_speedup_ci95")), 2);
	json_t *der2 = get(json_array_get(pts, 2), "derived");
	assert_true(json_is_null(get(der2, "ceiling_speedup")));
	assert_true(json_is_null(get(der2, "speedup_vs_ceiling")));
	assert_true(json_is_null(get(der2, "speedup_vs_ceiling_ci95")));
	json_decref(doc);

	/* the table: the column, the ceiling row and one verdict per method */
	char *text = NULL;
	size_t len = 0;
	FILE *mf = open_memstream(&text, &len);
	assert_non_null(mf);
	mpb_table_print(mf, &f->s);
	fclose(mf);
	assert_contains(text, "vs-ceil");
	char want[256], line[256];
	assert_contains(text, "ceiling at 2 workers: ");
	snprintf(want, sizeof want, " ns, %.2fx", ms / mc);
	assert_contains(text, want);
	snprintf(want, sizeof want, "%.0f%%", 100 * dv.speedup_vs_ceiling);
	assert_contains(text, want);
	mpb_ceiling_sentence(line, sizeof line, dv.ceiling_speedup, 2, "fork", dv.speedup,
			     dv.speedup_vs_ceiling);
	assert_contains(text, line);
	mpb_analysis_point(&f->s, 1, &dv);
	mpb_ceiling_sentence(line, sizeof line, dv.ceiling_speedup, 2, "thread", dv.speedup,
			     dv.speedup_vs_ceiling);
	assert_contains(text, line);
	free(text);
	free(f);
}

/* ---- the schedule ------------------------------------------------------- */

struct trace {
	char kind[64];      /* 'p', 'b', 'c' */
	size_t index[64];
	bool keep[64];
	size_t n;
};

static void on_run(void *ctx, const char *kind, size_t index, bool keep)
{
	struct trace *t = ctx;
	if (t->n < N_OF(t->kind)) {
		t->kind[t->n] = kind[0];
		t->index[t->n] = index;
		t->keep[t->n] = keep;
	}
	t->n++;
}

static void sweep_trace(const char *seed, bool no_ceiling, struct trace *t,
			struct mpb_plan *plan_out)
{
	int argc;
	char **argv;
	char *with[] = { "-w", "null", "-t", "4", "-j", "1,2", "-m", "fork,thread", "-r", "2",
			 "--warmup", "1", "--seed", (char *)seed, "--no-ceiling" };
	argc = (int)N_OF(with) - (no_ceiling ? 0 : 1);
	argv = with;
	struct mpb_config cfg;
	struct mpb_machine m;
	struct mpb_diag d = { 0 };
	if (mpb_options_parse(MPB_CMD_SWEEP, argc, argv, &cfg, &d) != 0)
		fail_msg("options: %s", d.msg);
	assert_int_equal(mpb_machine_probe(NULL, &m, &d), 0);
	if (mpb_plan_build(&cfg, &m, plan_out, &d) != 0)
		fail_msg("plan: %s", d.msg);
	memset(t, 0, sizeof *t);
	struct mpb_sweep s = { .plan = plan_out, .machine = &m, .on_run = on_run, .on_run_ctx = t };
	if (mpb_sweep_run(&s, &d) != 0)
		fail_msg("sweep: %s", d.msg);
	if (!no_ceiling) {
		for (size_t j = 0; j < plan_out->nceilings; j++) {
			assert_int_equal(s.data.cls[j].n, plan_out->runs);
			assert_false(s.data.cls[j].failed);
		}
	}
	mpb_sweep_free(&s);
	assert_no_children();
}

/* The order the driver's seeded shuffle gives: its items are the points, then
 * the baselines, then the ceilings (driver.c's kinds table), shuffled afresh
 * each round with one generator seeded from --seed. */
static void expected_order(const struct mpb_plan *p, struct trace *t)
{
	size_t nall = p->npoints + p->nbaselines + p->nceilings;
	struct item { char kind; size_t index; } all[32], live[32];
	assert_true(nall <= N_OF(all));
	size_t n = 0;
	for (size_t i = 0; i < p->npoints; i++)
		all[n++] = (struct item){ 'p', i };
	for (size_t i = 0; i < p->nbaselines; i++)
		all[n++] = (struct item){ 'b', i };
	for (size_t i = 0; i < p->nceilings; i++)
		all[n++] = (struct item){ 'c', i };
	struct mpb_rng rng;
	mpb_rng_seed(&rng, p->seed);
	memset(t, 0, sizeof *t);
	for (uint64_t round = 0; round < p->warmup + p->runs; round++) {
		memcpy(live, all, sizeof all);
		mpb_rng_shuffle(&rng, live, nall, sizeof *live);
		for (size_t k = 0; k < nall; k++) {
			t->kind[t->n] = live[k].kind;
			t->index[t->n] = live[k].index;
			t->keep[t->n++] = round >= p->warmup;
		}
	}
}

static void assert_same_order(const struct trace *a, const struct trace *b, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (a->kind[k] != b->kind[k] || a->index[k] != b->index[k] || a->keep[k] != b->keep[k])
			fail_msg("run %zu: %c%zu%s, expected %c%zu%s", k, a->kind[k], a->index[k],
				 a->keep[k] ? "" : " (warm-up)", b->kind[k], b->index[k],
				 b->keep[k] ? "" : " (warm-up)");
}

static void test_schedule_interleaves(void **state)
{
	(void)state;
	signal(SIGPIPE, SIG_IGN); /* the pool's contract */
	struct trace t1, t1b, t2, want;
	struct mpb_plan p1, p1b, p2;
	sweep_trace("5", false, &t1, &p1);
	/* 4 points (2 methods x 2 worker counts), 1 baseline, 2 ceilings: the
	 * methods share them */
	assert_int_equal(p1.npoints, 4);
	assert_int_equal(p1.nbaselines, 1);
	assert_int_equal(p1.nceilings, 2);
	for (size_t i = 0; i < p1.npoints; i++) {
		const struct mpb_ceiling *c = &p1.ceilings[p1.points[i].ceiling];
		assert_int_equal(c->workers, p1.points[i].workers);
		assert_int_equal(c->tasks, p1.points[i].tasks);
		assert_true(c->workload == p1.points[i].workload);
	}
	size_t nall = 7, rounds = 3;
	/* at --runs every item is done after warm-up + runs rounds */
	assert_int_equal(t1.n, nall * rounds);
	/* every round runs each item once: a permutation, ceilings included */
	for (size_t r = 0; r < rounds; r++) {
		size_t np = 0, nb = 0, nc = 0;
		for (size_t k = r * nall; k < (r + 1) * nall; k++) {
			np += t1.kind[k] == 'p';
			nb += t1.kind[k] == 'b';
			nc += t1.kind[k] == 'c';
			assert_int_equal(t1.keep[k], r >= 1);
		}
		assert_int_equal(np, 4);
		assert_int_equal(nb, 1);
		assert_int_equal(nc, 2);
	}
	/* in the seeded order, the same shuffle as the pool runs */
	expected_order(&p1, &want);
	assert_int_equal(want.n, t1.n);
	assert_same_order(&t1, &want, t1.n);
	/* interleaved: some ceiling run comes between two pool runs */
	bool between = false;
	for (size_t k = 0; k < t1.n && !between; k++) {
		if (t1.kind[k] != 'c')
			continue;
		bool before = false, after = false;
		for (size_t j = 0; j < k; j++)
			before |= t1.kind[j] == 'p';
		for (size_t j = k + 1; j < t1.n; j++)
			after |= t1.kind[j] == 'p';
		between = before && after;
	}
	assert_true(between);
	/* the same seed, the same order; another seed, another order */
	sweep_trace("5", false, &t1b, &p1b);
	assert_int_equal(t1b.n, t1.n);
	assert_same_order(&t1b, &t1, t1.n);
	sweep_trace("6", false, &t2, &p2);
	expected_order(&p2, &want);
	assert_same_order(&t2, &want, t2.n);
	bool differ = false;
	for (size_t k = 0; k < t1.n; k++)
		differ |= t1.kind[k] != t2.kind[k] || t1.index[k] != t2.index[k];
	assert_true(differ);
	mpb_plan_free(&p1);
	mpb_plan_free(&p1b);
	mpb_plan_free(&p2);

	/* --no-ceiling: no ceiling in the plan, none in the schedule */
	sweep_trace("5", true, &t1, &p1);
	assert_int_equal(p1.nceilings, 0);
	for (size_t i = 0; i < p1.npoints; i++)
		assert_true(p1.points[i].ceiling == MPB_NO_CEILING);
	assert_int_equal(t1.n, 5 * rounds);
	for (size_t k = 0; k < t1.n; k++)
		assert_int_not_equal(t1.kind[k], 'c');
	assert_true(json_is_false(json_object_get(p1.config, "ceiling")));
	mpb_plan_free(&p1);
}

/* ---- the machine's ceiling (mpbench info) ------------------------------- */

static void test_measure_machine(void **state)
{
	(void)state;
	struct mpb_ceiling_machine cm;
	struct mpb_diag d = { 0 };
	int fds = count_fds();
	if (mpb_ceiling_measure_machine(2, NULL, &cm, &d) != 0)
		fail_msg("%s", d.msg);
	assert_int_equal(cm.workers, 2);
	assert_int_equal(cm.tasks, 4);
	assert_true(cm.runs >= 3);
	assert_true(cm.size >= 1000);
	assert_true(cm.serial_ns > 0 && cm.ceiling_ns > 0);
	assert_close(cm.speedup, cm.serial_ns / cm.ceiling_ns, "machine ceiling speedup");
	assert_close(cm.efficiency, cm.speedup / 2, "machine ceiling efficiency");
	assert_true(cm.ci_lo <= cm.ci_hi && cm.ci_lo > 0);
	assert_no_children();
	assert_int_equal(count_fds(), fds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_run_exactly_once),
		cmocka_unit_test(test_run_sumsq),
		cmocka_unit_test(test_run_rich_results),
		cmocka_unit_test(test_child_fails_siblings_killed),
		cmocka_unit_test(test_child_killed),
		cmocka_unit_test(test_wrong_result),
		cmocka_unit_test(test_interrupt),
		cmocka_unit_test(test_no_pidfd),
		cmocka_unit_test(test_bad_job),
		cmocka_unit_test(test_ratios),
		cmocka_unit_test(test_sentence),
		cmocka_unit_test(test_analysis_derived),
		cmocka_unit_test(test_results_and_table),
		cmocka_unit_test(test_schedule_interleaves),
		cmocka_unit_test(test_measure_machine),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
