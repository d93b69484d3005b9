/* test_ceiling_mpi.c — unit tests for the ceiling over bare MPI ranks
 * (run/ceiling_mpi.c, pool/method/mpi_job.c, pool/mpi/mpi_bare.c): the
 * static split over 1 to 4 ranks on this host computes every task once and
 * right, a killed rank fails the run cleanly, and nothing is left running.
 * Built only with MPI; running as root, Open MPI needs
 * OMPI_ALLOW_RUN_AS_ROOT(_CONFIRM)=1: set here. No timing thresholds: times
 * only bound a hang.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ceiling.h"
#include "ceiling_mpi.h"
#include "clock.h"
#include "mpi_job.h"

#include "proc_count.h"

#define HANG_BOUND_NS (120ull * 1000000000ull)

static int group_setup(void **state)
{
	(void)state;
	setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
	setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
	return 0;
}

static struct mpb_value *sumsq_args(uint64_t n, uint64_t size)
{
	struct mpb_value *a = calloc(n, sizeof *a);
	assert_non_null(a);
	struct mpb_workload_params wp = { size, n, 1, 0 };
	for (uint64_t i = 0; i < n; i++)
		assert_int_equal(mpb_workload_sumsq.make_task(NULL, &wp, i, &a[i], NULL), 0);
	return a;
}

/* The pids of this process's bare ceiling ranks alive now (their command
 * line names this process's socket), at most cap. */
static size_t ranks_now(pid_t *out, size_t cap)
{
	char mark[64];
	snprintf(mark, sizeof mark, "@mpbench-mpi-%d-", (int)getpid());
	DIR *dp = opendir("/proc");
	assert_non_null(dp);
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(dp)) && n < cap) {
		char path[300], buf[4096];
		pid_t pid = (pid_t)atoi(e->d_name);
		if (pid <= 0)
			continue;
		snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		size_t len = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
		bool ceiling = false, ours = false;
		for (size_t i = 0; i < len; i += strlen(buf + i) + 1) {
			buf[len] = '\0';
			ceiling |= strcmp(buf + i, "--ceiling") == 0;
			ours |= strncmp(buf + i, mark, strlen(mark)) == 0;
		}
		/* mpirun's own command line names both too: a rank is not mpirun */
		if (ceiling && ours && strstr(buf, "mpirun") == NULL)
			out[n++] = pid;
	}
	closedir(dp);
	return n;
}

/* 1 to 4 ranks: every task computed once by the rank of its share, results
 * verified, tasks per rank as the static split says, total = tasks. */
static void test_split_over_ranks(void **state)
{
	(void)state;
	const uint64_t n = 11;
	struct mpb_value *args = sumsq_args(n, 20000);
	for (unsigned w = 1; w <= 4; w++) {
		struct mpb_ceiling_job job = { &mpb_workload_sumsq, NULL, { 20000, n, 1, 0 }, args, w,
					       NULL, MPB_METHOD_CEILING_MPI_RANKS };
		uint64_t wall = 0, done[4] = { 0 }, total = 0;
		size_t arena = 0;
		struct mpb_diag d = { 0 };
		if (mpb_ceiling_run(&job, &arena, &wall, done, &d) < 0)
			fail_msg("%u ranks: %s", w, d.msg);
		assert_true(wall > 0);
		for (unsigned k = 0; k < w; k++) {
			uint64_t first, count;
			mpb_ceiling_split(n, w, k, &first, &count);
			assert_int_equal(done[k], count);
			total += done[k];
		}
		assert_int_equal(total, n);
		assert_no_children();
		pid_t left[8];
		assert_int_equal(ranks_now(left, 8), 0);
	}
	mpb_value_clear_array(args, n);
	free(args);
}

/* More ranks than tasks: the ranks without a share take part all the same. */
static void test_more_ranks_than_tasks(void **state)
{
	(void)state;
	struct mpb_value *args = sumsq_args(2, 1000);
	struct mpb_ceiling_job job = { &mpb_workload_sumsq, NULL, { 1000, 2, 1, 0 }, args, 3, NULL,
				       MPB_METHOD_CEILING_MPI_RANKS };
	uint64_t wall = 0, done[3] = { 9, 9, 9 };
	size_t arena = 0;
	struct mpb_diag d = { 0 };
	if (mpb_ceiling_run(&job, &arena, &wall, done, &d) < 0)
		fail_msg("%s", d.msg);
	assert_int_equal(done[0] + done[1] + done[2], 2);
	assert_int_equal(done[2], 0);
	assert_no_children();
	mpb_value_clear_array(args, 2);
	free(args);
}

struct killer {
	pid_t victim;
	bool killed;
};

/* Kill one bare rank once it runs (its tasks take seconds). */
static void *killer_main(void *arg)
{
	struct killer *k = arg;
	uint64_t until = mpb_now_ns() + HANG_BOUND_NS;
	while (!k->killed && mpb_now_ns() < until) {
		pid_t p[4];
		if (ranks_now(p, 4) == 2) {
			k->victim = p[1];
			k->killed = kill(p[1], SIGKILL) == 0;
		} else {
			nanosleep(&(struct timespec){ 0, 20000000 }, NULL);
		}
	}
	return NULL;
}

/* A rank killed mid-run: the run fails naming mpirun's end, promptly; no
 * rank and no child is left. */
static void test_killed_rank(void **state)
{
	(void)state;
	/* tasks long enough that no rank can finish while the killer looks */
	struct mpb_value *args = sumsq_args(2, 20000000000ull);
	struct mpb_ceiling_job job = { &mpb_workload_sumsq, NULL, { 20000000000ull, 2, 1, 0 },
				       args, 2, NULL, MPB_METHOD_CEILING_MPI_RANKS };
	struct killer k = { 0 };
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, killer_main, &k), 0);
	uint64_t wall = 0, t0 = mpb_now_ns();
	size_t arena = 0;
	struct mpb_diag d = { 0 };
	int rc = mpb_ceiling_run(&job, &arena, &wall, NULL, &d);
	pthread_join(th, NULL);
	assert_true(k.killed);
	assert_int_equal(rc, -MPB_ERUN);
	if (!strstr(d.msg, "mpirun"))
		fail_msg("\"%s\" does not name mpirun", d.msg);
	if (d.cause == MPB_CAUSE_NONE)
		fail_msg("no cause: %s", d.msg);
	assert_true(mpb_now_ns() - t0 < HANG_BOUND_NS);
	assert_no_children();
	/* the other rank ends with its job */
	uint64_t until = mpb_now_ns() + 30000000000ull;
	pid_t left[4];
	while (ranks_now(left, 4) > 0 && mpb_now_ns() < until)
		nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
	assert_int_equal(ranks_now(left, 4), 0);
	mpb_value_clear_array(args, 2);
	free(args);
}

/* A stop flag already up: nothing starts. */
static void test_stopped(void **state)
{
	(void)state;
	volatile sig_atomic_t stop = 1;
	struct mpb_value *args = sumsq_args(2, 1000);
	struct mpb_ceiling_job job = { &mpb_workload_sumsq, NULL, { 1000, 2, 1, 0 }, args, 2, &stop,
				       MPB_METHOD_CEILING_MPI_RANKS };
	uint64_t wall = 0;
	size_t arena = 0;
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_ceiling_run(&job, &arena, &wall, NULL, &d), -MPB_EINTR);
	assert_no_children();
	mpb_value_clear_array(args, 2);
	free(args);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_over_ranks),
		cmocka_unit_test(test_more_ranks_than_tasks),
		cmocka_unit_test(test_killed_rank),
		cmocka_unit_test(test_stopped),
	};
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
