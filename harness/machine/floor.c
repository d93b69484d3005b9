/* floor.c — floor costs (see floor.h). */
#include "floor.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "stats.h"

/* One batch of the pipe round trip: a fresh child echoes `iters` bytes, one
 * at a time; *ns the mean round trip. One untimed round trip first: the
 * child's first run and the page faults of its loop are its start, not a
 * round trip's. */
static int rtt_batch(unsigned iters, double *ns, struct mpb_diag *d)
{
	int ab[2], ba[2];
	if (pipe2(ab, O_CLOEXEC) < 0)
		return mpb_fail_errno(d, MPB_ESYS, errno, "pipe");
	if (pipe2(ba, O_CLOEXEC) < 0) {
		close(ab[0]);
		close(ab[1]);
		return mpb_fail_errno(d, MPB_ESYS, errno, "pipe");
	}
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(ab[0]); close(ab[1]); close(ba[0]); close(ba[1]);
		return mpb_fail_errno(d, MPB_ESYS, e, "fork");
	}
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		char c;
		close(ab[1]);
		close(ba[0]);
		while (read(ab[0], &c, 1) == 1)
			if (write(ba[1], &c, 1) != 1)
				break;
		_exit(0);
	}
	close(ab[0]);
	close(ba[1]);
	int rc = 0;
	char c = 'x';
	uint64_t t0 = 0;
	for (unsigned i = 0; i <= iters; i++) {
		if (i == 1)
			t0 = mpb_now_ns();
		if (write(ab[1], &c, 1) != 1 || read(ba[0], &c, 1) != 1) {
			rc = mpb_fail_errno(d, MPB_ESYS, errno, "pipe round trip");
			break;
		}
	}
	if (rc == 0)
		*ns = (double)(mpb_now_ns() - t0) / iters;
	close(ab[1]);
	close(ba[0]);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return rc;
}

int mpb_floor_pipe_rtt(unsigned batches, unsigned iters, double *ns, struct mpb_diag *d)
{
	if (batches == 0 || iters == 0)
		return mpb_fail(d, MPB_EINPUT, "pipe round trip: nothing to measure");
	double best = 0;
	for (unsigned b = 0; b < batches; b++) {
		double mean = 0;
		int rc = rtt_batch(iters, &mean, d);
		if (rc < 0)
			return rc;
		if (b == 0 || mean < best)
			best = mean;
	}
	*ns = best;
	return 0;
}

/* waitpid that survives EINTR; 0 or -errno. */
static int wait_child(pid_t pid, int *st)
{
	while (waitpid(pid, st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

/* mpb_floor_estimate with batches of `batch` samples. */
static double estimate(const double *v, size_t n, size_t batch)
{
	if (n == 0)
		return 0;
	size_t batches = n / batch;
	if (batches < 2)
		return mpb_stats_median(v, n);
	double best = 0;
	for (size_t b = 0; b < batches; b++) {
		/* the last batch takes the remainder */
		size_t len = b + 1 < batches ? batch : n - b * batch;
		double m = mpb_stats_median(v + b * batch, len);
		if (b == 0 || m < best)
			best = m;
	}
	return best;
}

double mpb_floor_estimate(const double *v, size_t n)
{
	return estimate(v, n, MPB_FLOOR_BATCH);
}

/* One timed operation of a floor into *ns; 0 or negative with d set. */
typedef int (*one_fn)(void *ctx, double *ns, struct mpb_diag *d);

/* Up to max samples of one(), fewer when budget_ns has passed once at
 * least 2 batches are in (the quick floors: a small, fixed cost before a
 * sweep, however slow the machine is), into *ns by mpb_floor_estimate. */
static int sample(one_fn one, void *ctx, unsigned max, uint64_t budget_ns, double *ns,
		  struct mpb_diag *d)
{
	double *v = malloc((max ? max : 1) * sizeof *v);
	if (!v)
		return mpb_fail(d, MPB_ENOMEM, "out of memory");
	uint64_t t0 = mpb_now_ns();
	unsigned n = 0;
	int rc = 0;
	while (n < max && rc == 0) {
		rc = one(ctx, &v[n], d);
		n += rc == 0;
		if (n >= 2 * MPB_FLOOR_BATCH && mpb_now_ns() - t0 >= budget_ns)
			break;
	}
	if (rc == 0)
		*ns = mpb_floor_estimate(v, n);
	free(v);
	return rc;
}

/* The cold form of one(): `rounds` times (at most COLD_MAX), sleep
 * MPB_FLOOR_COLD_SLEEP_NS, then time one() as the first operation after the
 * wait; into *ns the smallest median of consecutive batches of
 * MPB_FLOOR_COLD_BATCH rounds (as mpb_floor_estimate: on a loaded machine a
 * wake-up after a sleep can wait a whole time slice for a CPU, and a burst of
 * that must not become the floor while one batch stayed quiet; the median
 * of all with under two batches). The sleep is the floor's own setup,
 * outside the operation's time: a pool's launch, the first fork or thread
 * after the harness waited for a point, finds the caches, the TLB and the
 * scheduler's state as a wait left them, not as a tight loop keeps them. */
#define COLD_MAX 32
static int sample_cold(one_fn one, void *ctx, unsigned rounds, double *ns, struct mpb_diag *d)
{
	double v[COLD_MAX];
	if (rounds == 0 || rounds > COLD_MAX)
		return mpb_fail(d, MPB_EINPUT, "cold floor: %u rounds (accepted: 1-%d)", rounds,
				COLD_MAX);
	const struct timespec nap = { .tv_sec = 0, .tv_nsec = (long)MPB_FLOOR_COLD_SLEEP_NS };
	for (unsigned r = 0; r < rounds; r++) {
		struct timespec left = nap;
		while (nanosleep(&left, &left) < 0 && errno == EINTR)
			;
		int rc = one(ctx, &v[r], d);
		if (rc < 0)
			return rc;
	}
	*ns = estimate(v, rounds, MPB_FLOOR_COLD_BATCH);
	return 0;
}

static int fork_one(void *ctx, double *ns, struct mpb_diag *d)
{
	(void)ctx;
	uint64_t t0 = mpb_now_ns();
	pid_t pid = fork();
	if (pid < 0)
		return mpb_fail_errno(d, MPB_ESYS, errno, "fork");
	if (pid == 0)
		_exit(0);
	int st, e = wait_child(pid, &st);
	if (e < 0)
		return mpb_fail_errno(d, MPB_ESYS, -e, "waitpid");
	*ns = (double)(mpb_now_ns() - t0);
	return 0;
}

#define NO_BUDGET UINT64_MAX

int mpb_floor_fork(unsigned iters, double *ns, struct mpb_diag *d)
{
	if (iters == 0)
		return mpb_fail(d, MPB_EINPUT, "fork floor: nothing to measure");
	return sample(fork_one, NULL, iters, NO_BUDGET, ns, d);
}

extern char **environ;

static int spawn_one(void *ctx, double *ns, struct mpb_diag *d)
{
	const char *path = ctx;
	char *argv[] = { (char *)path, NULL };
	pid_t pid;
	int st;
	uint64_t t0 = mpb_now_ns();
	int e = posix_spawn(&pid, path, NULL, NULL, argv, environ);
	if (e != 0)
		return mpb_fail_errno(d, MPB_ESYS, e, "posix_spawn %s", path);
	int w = wait_child(pid, &st);
	*ns = (double)(mpb_now_ns() - t0);
	if (w < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return mpb_fail(d, MPB_ESYS, "%s did not exit 0", path);
	return 0;
}

int mpb_floor_spawn(const char *path, unsigned iters, double *ns, struct mpb_diag *d)
{
	if (iters == 0)
		return mpb_fail(d, MPB_EINPUT, "spawn floor: nothing to measure");
	return sample(spawn_one, (void *)path, iters, NO_BUDGET, ns, d);
}

static void *nothing(void *arg)
{
	return arg;
}

static size_t threads_of_this_process(void)
{
	size_t n = 0;
	DIR *dp = opendir("/proc/self/task");
	struct dirent *e;
	while (dp && (e = readdir(dp)))
		n += e->d_name[0] != '.';
	if (dp)
		closedir(dp);
	return n;
}

/* Wait, up to 500 ms, until this process has no more threads than `before`.
 * A joined thread still counts as a task of its user (RLIMIT_NPROC) for a
 * moment after pthread_join returns, until the kernel releases it; a sweep
 * measures its floors just before its first point, which must not find a
 * process slot taken by a floor's leftover. Outside every timed window. */
static void settle_threads(size_t before)
{
	for (int i = 0; i < 500 && threads_of_this_process() > before; i++)
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
}

static int thread_one(void *ctx, double *ns, struct mpb_diag *d)
{
	(void)ctx;
	pthread_t t;
	uint64_t t0 = mpb_now_ns();
	int e = pthread_create(&t, NULL, nothing, NULL);
	if (e != 0)
		return mpb_fail_errno(d, MPB_ESYS, e, "pthread_create");
	pthread_join(t, NULL);
	*ns = (double)(mpb_now_ns() - t0);
	return 0;
}

/* The thread floor, hot (iters samples within budget_ns) and, with cold
 * rounds, cold; then wait for the joined threads to be released. */
static int thread_floor(unsigned iters, uint64_t budget_ns, unsigned cold, double *ns,
			double *cold_ns, struct mpb_diag *d)
{
	if (iters == 0)
		return mpb_fail(d, MPB_EINPUT, "thread floor: nothing to measure");
	size_t before = threads_of_this_process();
	int rc = sample(thread_one, NULL, iters, budget_ns, ns, d);
	if (rc == 0 && cold)
		rc = sample_cold(thread_one, NULL, cold, cold_ns, d);
	settle_threads(before);
	return rc;
}

int mpb_floor_thread(unsigned iters, double *ns, struct mpb_diag *d)
{
	return thread_floor(iters, NO_BUDGET, 0, ns, NULL, d);
}

/* Iterations, each floor's at most, a time budget per hot floor and the
 * rounds of each cold floor. */
struct iters {
	unsigned rtt_batches, rtt, fork, spawn, thread;
	uint64_t budget_ns;
	unsigned cold;
};

static int measure(struct mpb_floor *f, const struct iters *n, struct mpb_diag *d)
{
	int rc = mpb_floor_pipe_rtt(n->rtt_batches, n->rtt, &f->pipe_rtt_ns, d);
	if (rc == 0)
		rc = sample(fork_one, NULL, n->fork, n->budget_ns, &f->fork_exit_wait_ns, d);
	if (rc == 0)
		rc = sample_cold(fork_one, NULL, n->cold, &f->fork_exit_wait_cold_ns, d);
	if (rc == 0)
		rc = sample(spawn_one, "/bin/true", n->spawn, n->budget_ns, &f->spawn_exit_wait_ns,
			    d);
	if (rc == 0)
		rc = sample_cold(spawn_one, "/bin/true", n->cold, &f->spawn_exit_wait_cold_ns, d);
	if (rc == 0)
		rc = thread_floor(n->thread, n->budget_ns, n->cold, &f->thread_create_join_ns,
				  &f->thread_create_join_cold_ns, d);
	return rc;
}

int mpb_floor_measure(struct mpb_floor *f, struct mpb_diag *d)
{
	return measure(f, &(struct iters){ 9, 2000, 200, 200, 500, NO_BUDGET, 15 }, d);
}

/* Up to 100 forks, 40 spawns and 200 threads, each within 15 ms once two
 * batches are in: about 50 ms in all on an idle machine, a little more on a
 * slow one (spawn's /bin/true, exec and dynamic linking, takes the most),
 * and enough batches that a burst of load leaves one quiet. Then 9 cold
 * rounds of each of the three, 4 ms asleep before each: about 115 ms more,
 * asleep nearly all of it. */
int mpb_floor_measure_quick(struct mpb_floor *f, struct mpb_diag *d)
{
	return measure(f, &(struct iters){ 5, 200, 100, 40, 200, 15000000ull, 9 }, d);
}

/* The figure for a method's floor kind among the three per-worker floors. */
static double pick(enum mpb_method_floor kind, double fork, double spawn, double thread)
{
	switch (kind) {
	case MPB_METHOD_FLOOR_SPAWN:
		return spawn;
	case MPB_METHOD_FLOOR_THREAD:
		return thread;
	case MPB_METHOD_FLOOR_MPI:
		return 0; /* mpi: the launch floor (mpb_floor_of); no cold one */
	default:
		return fork;
	}
}

double mpb_floor_of(const struct mpb_floor *f, enum mpb_method_floor kind)
{
	if (kind == MPB_METHOD_FLOOR_MPI) /* a whole job's launch: its workers start together */
		return f->mpi_launch_ns;
	return pick(kind, f->fork_exit_wait_ns, f->spawn_exit_wait_ns, f->thread_create_join_ns);
}

double mpb_floor_cold_of(const struct mpb_floor *f, enum mpb_method_floor kind)
{
	return pick(kind, f->fork_exit_wait_cold_ns, f->spawn_exit_wait_cold_ns,
		    f->thread_create_join_cold_ns);
}

int mpb_floor_sample(mpb_floor_one_fn one, void *ctx, unsigned max, uint64_t budget_ns,
		     double *ns, struct mpb_diag *d)
{
	return sample(one, ctx, max, budget_ns, ns, d);
}
