/* test_mpi.c — unit tests for the `mpi` start method (method_mpi.c,
 * mpi_launch.c) and mpbench-worker-mpi (pool/mpi/: relay rank, worker
 * ranks, their MPI channel): the pool tests the other methods pass, on MPI
 * ranks that mpirun starts. Built only with MPI.
 *
 * Nothing is left running: no child of the test (mpirun is one), and no
 * worker rank (their pids come from READY). Running as root, Open MPI needs
 * OMPI_ALLOW_RUN_AS_ROOT(_CONFIRM)=1: set here.
 * Timings are only bounded generously, to catch hangs, never to judge speed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "codec.h"
#include "diag.h"
#include "method.h"
#include "pool.h"
#include "transport.h"
#include "workload.h"

#include "proc_count.h"

#define MAX_WORKERS 4
/* hang detection only: a loaded 2-core machine is far below this */
#define HANG_BOUND_NS (120ull * 1000000000ull)

#define assert_contains(hay, needle)                                                   \
	do {                                                                           \
		if (!strstr((hay), (needle)))                                          \
			fail_msg("\"%s\" does not contain \"%s\"", (hay), (needle));   \
	} while (0)

struct fixture {
	struct mpb_pool *pool;
	struct mpb_value *args, *res;
	size_t n;
	const struct mpb_workload_ops *wl;
	struct mpb_workload_params wp;
};

static int group_setup(void **state)
{
	(void)state;
	setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
	setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
	struct mpb_diag d = { 0 };
	const struct mpb_method_ops *m = mpb_method_find("mpi");
	if (!m || m->prepare(&d) < 0) {
		fprintf(stderr, "mpi prepare: %s\n", d.msg);
		return -1;
	}
	return 0;
}

static int fx_setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof *fx);
	*state = fx;
	return fx ? 0 : -1;
}

static int fx_teardown(void **state)
{
	struct fixture *fx = *state;
	mpb_pool_free(fx->pool);
	if (fx->args)
		mpb_value_clear_array(fx->args, fx->n);
	if (fx->res)
		mpb_value_clear_array(fx->res, fx->n);
	free(fx->args);
	free(fx->res);
	free(fx);
	unsetenv("MPBENCH_MPI_HOSTFILE");
	unsetenv("MPBENCH_MPI_ARGS");
	return 0;
}

#define POOL_TEST(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)

static void make_tasks_of(struct fixture *fx, const char *workload, uint64_t size, size_t n,
			  uint64_t result_size)
{
	struct mpb_diag d = { 0 };
	fx->wl = mpb_workload_find(workload);
	assert_non_null(fx->wl);
	assert_null(fx->wl->setup); /* sumsq and payload keep no state */
	fx->wp = (struct mpb_workload_params){ .size = size, .tasks = n, .seed = 1,
					       .result_size = result_size };
	fx->n = n;
	fx->args = calloc(n, sizeof *fx->args);
	fx->res = calloc(n, sizeof *fx->res);
	assert_non_null(fx->args);
	assert_non_null(fx->res);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(fx->wl->make_task(NULL, &fx->wp, i, &fx->args[i], &d), 0);
}

static void make_tasks(struct fixture *fx, uint64_t size, size_t n)
{
	make_tasks_of(fx, "sumsq", size, n, 0);
}

static int start(struct fixture *fx, unsigned workers, uint64_t chunk, const char *codec,
		 struct mpb_diag *d)
{
	const struct mpb_method_ops *m = mpb_method_find("mpi");
	struct mpb_pool_config c = {
		.method = m,
		.codec = mpb_codec_find(codec),
		.transport = m->transport,
		.workload = fx->wl,
		.wparams = fx->wp,
		.workers = workers,
		.chunksize = chunk,
	};
	assert_non_null(c.codec);
	return mpb_pool_start(&c, &fx->pool, d);
}

static void test_mpi_is_registered(void **state)
{
	(void)state;
	const struct mpb_method_ops *m = mpb_method_find("mpi");
	assert_non_null(m);
	/* the harness's side is pipes to the relay rank, whatever --transport says */
	assert_ptr_equal(m->transport, &mpb_transport_pipe);
	assert_false(m->flags & MPB_METHOD_INPROC);
	assert_string_equal(m->launch_call, "mpirun");
}

/* One map, verified, stopped; returns the workers' pids in pids. */
static void map_verify_stop(struct fixture *fx, unsigned workers, uint64_t chunk,
			    const char *codec, pid_t *pids)
{
	struct mpb_diag d = { 0 };
	uint64_t t0 = mpb_now_ns();
	if (start(fx, workers, chunk, codec, &d) < 0)
		fail_msg("start (%u workers): %s", workers, d.msg);
	if (mpb_pool_map(fx->pool, fx->args, fx->n, fx->res, &d) < 0)
		fail_msg("map (%u workers, chunk %llu): %s", workers, (unsigned long long)chunk,
			 d.msg);
	for (size_t i = 0; i < fx->n; i++)
		if (fx->wl->verify(NULL, &fx->wp, i, &fx->args[i], &fx->res[i], &d) < 0)
			fail_msg("%u workers, chunk %llu: %s", workers, (unsigned long long)chunk,
				 d.msg);
	if (mpb_pool_stop(fx->pool, &d) < 0)
		fail_msg("stop (%u workers): %s", workers, d.msg);
	assert_true(mpb_now_ns() - t0 < HANG_BOUND_NS);
	const struct mpb_pool_report *r = mpb_pool_report(fx->pool);
	assert_int_equal(r->workers, workers);
	assert_int_equal(r->tasks, fx->n);
	uint64_t sum = 0;
	for (unsigned i = 0; i < workers; i++) {
		const struct mpb_worker_report *w = &r->worker[i];
		sum += w->tasks;
		pids[i] = w->pid;
		assert_true(pids[i] > 0);
		assert_true(pids[i] != getpid());
		for (unsigned j = 0; j < i; j++)
			assert_true(pids[i] != pids[j]);
		/* what each rank reports of itself (BYE) */
		assert_true(w->startup_ns > 0);
		assert_true(w->maxrss_kb > 0);
		assert_true(w->has_memory);
		assert_true(w->rss_kb > 0);
	}
	assert_int_equal(sum, fx->n); /* each task counted once */
	assert_true(r->teardown_ns > 0);
	mpb_pool_free(fx->pool);
	fx->pool = NULL;
	mpb_value_clear_array(fx->res, fx->n);
	assert_no_children();
	for (unsigned i = 0; i < workers; i++)
		assert_gone(pids[i]);
}

static void test_mpi_map_correct(void **state)
{
	struct fixture *fx = *state;
	const size_t n = 37;
	make_tasks(fx, 1000, n);
	pid_t pids[MAX_WORKERS];
	for (unsigned workers = 1; workers <= MAX_WORKERS; workers++) {
		const uint64_t chunks[] = { 1, mpb_pool_python_chunksize(n, workers) };
		for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++)
			map_verify_stop(fx, workers, chunks[c], "raw", pids);
	}
	/* the same codecs as every process method */
	map_verify_stop(fx, 2, 3, "json", pids);
}

/* Messages larger than the pool's read buffer (64 KiB), both ways: handed
 * out as a stream, bytes intact (payload's verify checks every byte). */
static void test_mpi_large_frames(void **state)
{
	struct fixture *fx = *state;
	make_tasks_of(fx, "payload", 300000, 24, 200000);
	pid_t pids[2];
	map_verify_stop(fx, 2, 4, "raw", pids);
}

/* A hostfile that names only this host (mpirun --hostfile). */
static void test_mpi_hostfile_this_host(void **state)
{
	struct fixture *fx = *state;
	char path[] = "/tmp/mpbench-hostfile-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	char host[256] = "localhost";
	gethostname(host, sizeof host - 1);
	FILE *f = fdopen(fd, "w");
	assert_non_null(f);
	fprintf(f, "%s slots=%d\n", host, MAX_WORKERS);
	fclose(f);
	setenv("MPBENCH_MPI_HOSTFILE", path, 1);
	make_tasks(fx, 1000, 20);
	pid_t pids[2];
	map_verify_stop(fx, 2, 2, "raw", pids);
	unlink(path);
}

/* mpirun refuses an argument: the launch fails naming mpirun, promptly, and
 * nothing is left running. */
static void test_mpi_bad_args(void **state)
{
	struct fixture *fx = *state;
	make_tasks(fx, 100, 4);
	setenv("MPBENCH_MPI_ARGS", "--no-such-mpirun-option", 1);
	struct mpb_diag d = { 0 };
	assert_true(start(fx, 1, 1, "raw", &d) < 0);
	assert_contains(d.msg, "ended");
	assert_contains(d.msg, "before its rank 0 connected");
	mpb_pool_free(fx->pool);
	fx->pool = NULL;
	assert_no_children();
}

/* Extra mpirun arguments reach mpirun: a harmless one runs. */
static void test_mpi_args_pass(void **state)
{
	struct fixture *fx = *state;
	setenv("MPBENCH_MPI_ARGS", "--mca btl self,vader,tcp", 1);
	make_tasks(fx, 1000, 12);
	pid_t pids[3];
	map_verify_stop(fx, 3, 2, "raw", pids);
}

struct killer {
	pid_t victim;
	int killed;
};

/* An MPI rank spins while it waits, so its state says nothing: give the
 * map time to hand out its long tasks, then kill. */
static void *killer_main(void *arg)
{
	struct killer *k = arg;
	struct timespec ts = { 0, 500000000 };
	nanosleep(&ts, NULL);
	k->killed = kill(k->victim, SIGKILL) == 0;
	return NULL;
}

static void test_mpi_rank_killed_mid_map(void **state)
{
	struct fixture *fx = *state;
	/* tasks long enough that no map can finish while the killer waits */
	make_tasks(fx, 4000000000ull, 4);
	struct mpb_diag d = { 0 };
	if (start(fx, 2, 1, "raw", &d) < 0)
		fail_msg("start: %s", d.msg);
	const struct mpb_pool_report *r = mpb_pool_report(fx->pool);
	pid_t pids[2] = { r->worker[0].pid, r->worker[1].pid };
	struct killer k = { .victim = pids[1] };
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, killer_main, &k), 0);
	uint64_t t0 = mpb_now_ns();
	int rc = mpb_pool_map(fx->pool, fx->args, fx->n, fx->res, &d);
	pthread_join(th, NULL);
	assert_true(k.killed);
	assert_int_equal(rc, -MPB_ERUN);
	/* mpirun ends the whole job: some worker's pipe closes first */
	assert_contains(d.msg, "worker ");
	assert_int_not_equal(d.cause, MPB_CAUSE_NONE);
	assert_true(mpb_now_ns() - t0 < HANG_BOUND_NS);
	/* the pool refuses to go on, and freeing it ends the other rank too */
	assert_int_equal(mpb_pool_map(fx->pool, fx->args, fx->n, fx->res, &d), -MPB_ERUN);
	mpb_pool_free(fx->pool);
	fx->pool = NULL;
	assert_no_children();
	assert_gone(pids[0]);
	assert_gone(pids[1]);
	/* and a new pool starts after the failure */
	mpb_value_clear_array(fx->args, fx->n);
	free(fx->args);
	free(fx->res);
	make_tasks(fx, 1000, 8);
	pid_t again[2];
	map_verify_stop(fx, 2, 1, "raw", again);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mpi_is_registered),
		POOL_TEST(test_mpi_map_correct),
		POOL_TEST(test_mpi_large_frames),
		POOL_TEST(test_mpi_hostfile_this_host),
		POOL_TEST(test_mpi_bad_args),
		POOL_TEST(test_mpi_args_pass),
		POOL_TEST(test_mpi_rank_killed_mid_map),
	};
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
