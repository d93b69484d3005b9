/* test_spawn.c — unit tests for the `spawn` start method (method_spawn.c),
 * and the mpbench-worker executable (worker_main.c); the HELLO payload, a
 * worker spec, has its own tests (test_worker_spec.c).
 *
 * Spawned workers run registered workloads only (they look them up by name),
 * so pool tests use sumsq and check its results with its own verify(). The
 * worker executable comes from MPBENCH_WORKER, which tests/meson.build sets.
 * Every test that starts processes ends by checking that none is left.
 * Timings are only bounded generously, to catch hangs, never to judge speed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "worker_spec.h"

#include "clock.h"
#include "codec.h"
#include "diag.h"
#include "frame.h"
#include "method.h"
#include "method_proc.h"
#include "pool.h"
#include "workload.h"

#include "proc_count.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_WORKERS 8
/* hang detection only: a loaded 2-core machine is far below this */
#define HANG_BOUND_NS (30ull * 1000000000ull)

extern char **environ;

#define assert_contains(hay, needle)                                                   \
	do {                                                                           \
		if (!strstr((hay), (needle)))                                          \
			fail_msg("\"%s\" does not contain \"%s\"", (hay), (needle));   \
	} while (0)

/* ---- pools of spawned workers -------------------------------------------- */

struct fixture {
	struct mpb_pool *pool;
	struct mpb_value *args, *res;
	size_t n;
	const struct mpb_workload_ops *wl;
	struct mpb_workload_params wp;
	char *saved_worker; /* MPBENCH_WORKER as the test found it */
};

static int fx_setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof *fx);
	*state = fx;
	if (!fx)
		return -1;
	const char *w = getenv("MPBENCH_WORKER");
	if (w && !(fx->saved_worker = strdup(w)))
		return -1;
	return 0;
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
	if (fx->saved_worker)
		setenv("MPBENCH_WORKER", fx->saved_worker, 1);
	else
		unsetenv("MPBENCH_WORKER");
	free(fx->saved_worker);
	free(fx);
	return 0;
}

#define POOL_TEST(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)

static const char *worker_exe(void)
{
	const char *w = getenv("MPBENCH_WORKER");
	if (!w || !*w)
		fail_msg("MPBENCH_WORKER is not set: run through `meson test`, which points it "
			 "at the built mpbench-worker");
	return w;
}

static void make_tasks(struct fixture *fx, const char *workload, uint64_t size, size_t n)
{
	struct mpb_diag d = { 0 };
	fx->wl = mpb_workload_find(workload);
	assert_non_null(fx->wl);
	fx->wp = (struct mpb_workload_params){ .size = size, .tasks = n, .seed = 1 };
	fx->n = n;
	fx->args = calloc(n, sizeof *fx->args);
	fx->res = calloc(n, sizeof *fx->res);
	assert_non_null(fx->args);
	assert_non_null(fx->res);
	assert_null(fx->wl->setup); /* sumsq and null keep no state */
	for (size_t i = 0; i < n; i++)
		assert_int_equal(fx->wl->make_task(NULL, &fx->wp, i, &fx->args[i], &d), 0);
}

static int start(struct fixture *fx, unsigned workers, uint64_t chunk, struct mpb_diag *d)
{
	struct mpb_pool_config c = {
		.method = mpb_method_find("spawn"),
		.codec = mpb_codec_find("raw"),
		.transport = &mpb_transport_pipe,
		.workload = fx->wl,
		.wparams = fx->wp,
		.workers = workers,
		.chunksize = chunk,
	};
	assert_non_null(c.method);
	assert_non_null(c.codec);
	return mpb_pool_start(&c, &fx->pool, d);
}

static void test_spawn_is_registered(void **state)
{
	(void)state;
	const struct mpb_method_ops *m = mpb_method_find("spawn");
	assert_non_null(m);
	assert_string_equal(m->name, "spawn");
	assert_non_null(m->launch);
	assert_non_null(m->reap);
	assert_non_null(m->kill);
	assert_false(m->flags & MPB_METHOD_INPROC);
}

static void test_spawn_map_correct(void **state)
{
	struct fixture *fx = *state;
	(void)worker_exe();
	const size_t n = 37;
	make_tasks(fx, "sumsq", 1000, n);
	for (unsigned workers = 1; workers <= MAX_WORKERS; workers++) {
		const uint64_t chunks[] = { 1, 3, mpb_pool_python_chunksize(n, workers) };
		for (size_t c = 0; c < N_OF(chunks); c++) {
			struct mpb_diag d = { 0 };
			uint64_t t0 = mpb_now_ns();
			if (start(fx, workers, chunks[c], &d) < 0)
				fail_msg("start (%u workers, chunk %llu): %s", workers,
					 (unsigned long long)chunks[c], d.msg);
			if (mpb_pool_map(fx->pool, fx->args, n, fx->res, &d) < 0)
				fail_msg("map (%u workers, chunk %llu): %s", workers,
					 (unsigned long long)chunks[c], d.msg);
			for (size_t i = 0; i < n; i++)
				if (fx->wl->verify(NULL, &fx->wp, i, &fx->args[i], &fx->res[i], &d) < 0)
					fail_msg("%u workers, chunk %llu: %s", workers,
						 (unsigned long long)chunks[c], d.msg);
			assert_int_equal(mpb_pool_stop(fx->pool, &d), 0);
			assert_true(mpb_now_ns() - t0 < HANG_BOUND_NS);

			const struct mpb_pool_report *r = mpb_pool_report(fx->pool);
			assert_int_equal(r->workers, workers);
			assert_int_equal(r->tasks, n);
			uint64_t sum = 0;
			pid_t pids[MAX_WORKERS];
			for (unsigned i = 0; i < workers; i++) {
				sum += r->worker[i].tasks;
				pids[i] = r->worker[i].pid;
				assert_true(pids[i] > 0);
				assert_true(pids[i] != getpid());
				for (unsigned j = 0; j < i; j++)
					assert_true(pids[i] != pids[j]);
			}
			assert_int_equal(sum, n); /* each task counted once */
			mpb_pool_free(fx->pool);
			fx->pool = NULL;
			mpb_value_clear_array(fx->res, n);
			assert_no_children();
			for (unsigned i = 0; i < workers; i++)
				assert_gone(pids[i]);
		}
	}
}

/* Which descriptors below 64 a process has open (any other fails the test). */
static void fds_of(pid_t pid, bool open_fd[64], unsigned *count)
{
	char dir[64];
	snprintf(dir, sizeof dir, "/proc/%d/fd", (int)pid);
	DIR *dp = opendir(dir);
	assert_non_null(dp);
	memset(open_fd, 0, 64 * sizeof *open_fd);
	*count = 0;
	struct dirent *e;
	while ((e = readdir(dp)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		long fd = strtol(e->d_name, NULL, 10);
		if (fd >= 0 && fd < 64)
			open_fd[fd] = true;
		else
			fail_msg("pid %d has descriptor %s open", (int)pid, e->d_name);
		++*count;
	}
	closedir(dp);
}

static void assert_pipe(pid_t pid, int fd)
{
	char link[64], target[128];
	snprintf(link, sizeof link, "/proc/%d/fd/%d", (int)pid, fd);
	ssize_t n = readlink(link, target, sizeof target - 1);
	assert_true(n > 0);
	target[n] = '\0';
	if (strncmp(target, "pipe:", 5) != 0)
		fail_msg("worker %d's fd %d is %s, not a pipe", (int)pid, fd, target);
}

/* The hex mask of a "Sig...:" line in /proc/<pid>/status. */
static unsigned long long sig_mask(pid_t pid, const char *key)
{
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "re");
	assert_non_null(f);
	unsigned long long m = 0;
	bool found = false;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, key, strlen(key)) == 0) {
			m = strtoull(line + strlen(key), NULL, 16);
			found = true;
		}
	fclose(f);
	assert_true(found);
	return m;
}

static bool environ_has(pid_t pid, const char *var)
{
	char path[64];
	static char buf[1 << 16];
	snprintf(path, sizeof path, "/proc/%d/environ", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	assert_true(n >= 0);
	buf[n] = '\0';
	size_t len = strlen(var);
	for (char *p = buf; p < buf + n; p += strlen(p) + 1)
		if (strncmp(p, var, len) == 0 && p[len] == '=')
			return true;
	return false;
}

static void test_spawn_worker_inherits_nothing(void **state)
{
	struct fixture *fx = *state;
	char want_exe[PATH_MAX];
	assert_non_null(realpath(worker_exe(), want_exe));
	make_tasks(fx, "sumsq", 100, 4);

	/* Strays a harness might hold: a descriptor opened without O_CLOEXEC,
	 * a variable, a blocked and an ignored signal. None may reach a worker. */
	int devnull = open("/dev/null", O_RDONLY);
	assert_true(devnull >= 0);
	int stray = fcntl(devnull, F_DUPFD, 20); /* clear of the worker's 3 and 4 */
	close(devnull);
	assert_true(stray >= 20);
	assert_int_equal(setenv("MPB_TEST_STRAY", "1", 1), 0);
	sigset_t usr1, old;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	assert_int_equal(sigprocmask(SIG_BLOCK, &usr1, &old), 0);
	void (*old_pipe)(int) = signal(SIGPIPE, SIG_IGN);

	struct mpb_diag d = { 0 };
	int rc = start(fx, 3, 1, &d);
	close(stray);
	unsetenv("MPB_TEST_STRAY");
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (rc < 0)
		fail_msg("start: %s", d.msg);

	/* where there is no pidfd, each worker holds its exit pipe on 6 */
	int ep[2];
	assert_int_equal(mpb_proc_exit_pipe(ep, 0, &d), 0);
	bool exit_pipe = ep[0] >= 0;
	mpb_proc_exit_pipe_close(&ep[0]);
	mpb_proc_exit_pipe_close(&ep[1]);
	const struct mpb_pool_report *r = mpb_pool_report(fx->pool);
	for (unsigned i = 0; i < 3; i++) {
		pid_t pid = r->worker[i].pid;
		bool open_fd[64];
		unsigned count;
		fds_of(pid, open_fd, &count);
		for (int fd = 5; fd < 64; fd++)
			if (open_fd[fd] && !(fd == 6 && exit_pipe))
				fail_msg("worker %u (pid %d) inherited descriptor %d", i, (int)pid, fd);
		if (exit_pipe)
			assert_pipe(pid, 6);
		/* stdin/stdout/stderr pass through as they are */
		for (int fd = 0; fd < 3; fd++)
			assert_int_equal(open_fd[fd], fcntl(fd, F_GETFD) >= 0);
		assert_true(open_fd[3]);
		assert_true(open_fd[4]);
		assert_pipe(pid, 3);
		assert_pipe(pid, 4);

		/* a fresh image of the worker executable, not a copy of us */
		char link[64], exe[PATH_MAX];
		snprintf(link, sizeof link, "/proc/%d/exe", (int)pid);
		ssize_t n = readlink(link, exe, sizeof exe - 1);
		assert_true(n > 0);
		exe[n] = '\0';
		assert_string_equal(exe, want_exe);

		assert_false(environ_has(pid, "MPB_TEST_STRAY"));
		assert_false(environ_has(pid, "MPBENCH_WORKER"));
		unsigned long long blk = sig_mask(pid, "SigBlk:");
		unsigned long long ign = sig_mask(pid, "SigIgn:");
		assert_true(blk == 0);
		assert_false(ign & (1ull << (SIGPIPE - 1)));
		assert_true(ign & (1ull << (SIGINT - 1))); /* the harness handles Ctrl-C */
	}
	signal(SIGPIPE, old_pipe);

	/* still a working pool afterwards */
	assert_int_equal(mpb_pool_map(fx->pool, fx->args, fx->n, fx->res, &d), 0);
	for (size_t i = 0; i < fx->n; i++)
		assert_int_equal(fx->wl->verify(NULL, &fx->wp, i, &fx->args[i], &fx->res[i], &d), 0);
	assert_int_equal(mpb_pool_stop(fx->pool, &d), 0);
	mpb_pool_free(fx->pool);
	fx->pool = NULL;
	assert_no_children();
}

/* Without a pidfd each worker holds the write end of its exit pipe on
 * descriptor 6 across the exec, and the pool serves and tears down with its
 * waits woken by those pipes (method_proc.h). */
static void test_spawn_without_pidfd(void **state)
{
	struct fixture *fx = *state;
	struct mpb_diag d = { 0 };
	make_tasks(fx, "sumsq", 1000, 8);
	setenv(MPB_NO_PIDFD_ENV, "1", 1);
	int rc = start(fx, 2, 1, &d);
	if (rc == 0) {
		const struct mpb_pool_report *r = mpb_pool_report(fx->pool);
		for (unsigned i = 0; i < 2; i++)
			assert_pipe(r->worker[i].pid, 6);
		rc = mpb_pool_map(fx->pool, fx->args, fx->n, fx->res, &d);
	}
	if (rc == 0)
		rc = mpb_pool_stop(fx->pool, &d);
	unsetenv(MPB_NO_PIDFD_ENV);
	if (rc < 0)
		fail_msg("%s", d.msg);
	for (size_t i = 0; i < fx->n; i++)
		assert_int_equal(fx->wl->verify(NULL, &fx->wp, i, &fx->args[i], &fx->res[i], &d), 0);
	mpb_pool_free(fx->pool);
	fx->pool = NULL;
	assert_no_children();
}

static void test_spawn_missing_worker(void **state)
{
	struct fixture *fx = *state;
	(void)worker_exe();
	make_tasks(fx, "null", 0, 4);
	const char *missing = "/nonexistent-mpbench-dir/mpbench-worker";
	assert_int_equal(setenv("MPBENCH_WORKER", missing, 1), 0);
	struct mpb_diag d = { 0 };
	assert_int_equal(start(fx, 3, 1, &d), -MPB_ERUN);
	assert_contains(d.msg, missing);
	assert_contains(d.msg, "MPBENCH_WORKER");
	assert_contains(d.msg, strerror(ENOENT));
	mpb_pool_free(fx->pool);
	fx->pool = NULL;
	assert_no_children();

	/* the CLI asks before the first run, as bad input (nothing written) */
	const struct mpb_method_ops *m = mpb_method_find("spawn");
	assert_non_null(m->prepare);
	mpb_diag_clear(&d);
	assert_int_equal(m->prepare(&d), -MPB_EINPUT);
	assert_contains(d.msg, missing);
	assert_no_children();
	assert_int_equal(setenv("MPBENCH_WORKER", fx->saved_worker, 1), 0);
	assert_int_equal(m->prepare(&d), 0);
	if (m->shutdown)
		m->shutdown();

	/* unset or empty: it is looked for beside the running binary, which for
	 * this test is tests/test_spawn, where there is none */
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	assert_true(n > 0);
	self[n] = '\0';
	char *slash = strrchr(self, '/');
	assert_non_null(slash);
	snprintf(slash + 1, sizeof self - (size_t)(slash + 1 - self), "mpbench-worker");
	if (access(self, F_OK) == 0)
		fail_msg("%s exists: the build puts mpbench-worker beside mpbench only", self);
	const char *values[] = { NULL, "" };
	for (size_t i = 0; i < N_OF(values); i++) {
		if (values[i])
			setenv("MPBENCH_WORKER", values[i], 1);
		else
			unsetenv("MPBENCH_WORKER");
		mpb_diag_clear(&d);
		assert_int_equal(start(fx, 2, 1, &d), -MPB_ERUN);
		assert_contains(d.msg, self);
		mpb_pool_free(fx->pool);
		fx->pool = NULL;
		assert_no_children();
	}
}

struct killer {
	pid_t victim;
	int killed;
};

/* Process state letter from /proc/<pid>/stat ('R' running, 'S' sleeping). */
static char proc_state(pid_t pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return '?';
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return '?';
	buf[n] = '\0';
	char *paren = strrchr(buf, ')');
	return paren && paren[1] == ' ' ? paren[2] : '?';
}

/* Kill the victim once it is computing: a worker waiting for tasks sleeps
 * in read(2), so 'R' means it holds a task of the map in progress. */
static void *killer_main(void *arg)
{
	struct killer *k = arg;
	uint64_t t0 = mpb_now_ns();
	while (proc_state(k->victim) != 'R' && mpb_now_ns() - t0 < HANG_BOUND_NS) {
		struct timespec ts = { 0, 200000 };
		nanosleep(&ts, NULL);
	}
	k->killed = kill(k->victim, SIGKILL) == 0;
	return NULL;
}

static void test_spawn_worker_killed_mid_map(void **state)
{
	struct fixture *fx = *state;
	(void)worker_exe();
	/* tasks long enough that no map can finish while the killer looks on */
	make_tasks(fx, "sumsq", 4000000000ull, 4);
	struct mpb_diag d = { 0 };
	if (start(fx, 2, 1, &d) < 0)
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
	char who[64];
	snprintf(who, sizeof who, "worker 1 (pid %d)", (int)pids[1]);
	assert_contains(d.msg, who);
	assert_contains(d.msg, "killed by signal 9");
	assert_contains(d.msg, "holding task");
	assert_true(mpb_now_ns() - t0 < HANG_BOUND_NS);
	/* the pool refuses to go on, and freeing it ends the other worker too */
	assert_int_equal(mpb_pool_map(fx->pool, fx->args, fx->n, fx->res, &d), -MPB_ERUN);
	mpb_pool_free(fx->pool);
	fx->pool = NULL;
	assert_no_children();
	assert_gone(pids[0]);
	assert_gone(pids[1]);
}

/* ---- mpbench-worker started directly ------------------------------------ */

struct child {
	pid_t pid;
	int to, from, err; /* our ends: its fd 3, its fd 4, its stderr */
};

/* A descriptor above the ones the worker's layout uses, close-on-exec. */
static int high(int fd)
{
	int h = fcntl(fd, F_DUPFD_CLOEXEC, 10);
	assert_true(h >= 10);
	close(fd);
	return h;
}

static void start_worker(struct child *c, bool with_fds)
{
	int in[2], out[2], err[2];
	assert_int_equal(pipe2(in, O_CLOEXEC), 0);
	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	assert_int_equal(pipe2(err, O_CLOEXEC), 0);
	for (int i = 0; i < 2; i++) {
		in[i] = high(in[i]);
		out[i] = high(out[i]);
		err[i] = high(err[i]);
	}
	posix_spawn_file_actions_t fa;
	assert_int_equal(posix_spawn_file_actions_init(&fa), 0);
	if (with_fds) {
		assert_int_equal(posix_spawn_file_actions_adddup2(&fa, in[0], 3), 0);
		assert_int_equal(posix_spawn_file_actions_adddup2(&fa, out[1], 4), 0);
	}
	assert_int_equal(posix_spawn_file_actions_adddup2(&fa, err[1], 2), 0);
	char *argv[] = { (char *)"mpbench-worker", NULL };
	assert_int_equal(posix_spawn(&c->pid, worker_exe(), &fa, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(out[1]);
	close(err[1]);
	c->to = in[1];
	c->from = out[0];
	c->err = err[0];
}

/* Close our ends, wait for it; its exit status, and its stderr in msg. */
static int finish_worker(struct child *c, char *msg, size_t len)
{
	close(c->to);
	int st;
	while (waitpid(c->pid, &st, 0) < 0)
		assert_int_equal(errno, EINTR);
	ssize_t n = read(c->err, msg, len - 1);
	msg[n > 0 ? n : 0] = '\0';
	close(c->from);
	close(c->err);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static void send_frame(struct child *c, uint8_t type, const struct mpb_buf *payload)
{
	struct mpb_buf b = { 0 };
	long h = mpb_frame_begin(&b, type);
	assert_true(h >= 0);
	if (payload)
		assert_int_equal(mpb_buf_append(&b, payload->data, payload->len), 0);
	assert_int_equal(mpb_frame_end(&b, h), 0);
	assert_int_equal(mpb_io_write_all(c->to, b.data, b.len), 0);
	mpb_buf_free(&b);
}

static void send_hello(struct child *c, const char *workload, uint64_t parent)
{
	struct mpb_worker_spec h = {
		.index = 5,
		.parent_pid = parent,
		.params = { .size = 10, .tasks = 1, .seed = 1 },
	};
	snprintf(h.workload, sizeof h.workload, "%s", workload);
	snprintf(h.codec, sizeof h.codec, "raw");
	snprintf(h.transport, sizeof h.transport, "pipe");
	struct mpb_buf p = { 0 };
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_worker_spec_encode(&h, &p, &d), 0);
	send_frame(c, MPB_FRAME_HELLO, &p);
	mpb_buf_free(&p);
}

static void test_worker_serves_after_hello(void **state)
{
	(void)state;
	struct child c;
	start_worker(&c, true);
	send_hello(&c, "sumsq", (uint64_t)getpid());
	struct mpb_buf in = { 0 };
	struct mpb_diag d = { 0 };
	struct mpb_frame f;
	assert_int_equal(mpb_frame_read(c.from, &in, &f, &d), 1);
	assert_int_equal(f.type, MPB_FRAME_READY);
	struct mpb_reader r = { f.payload, f.len };
	uint32_t idx;
	uint64_t pid;
	assert_int_equal(mpb_rd_u32(&r, &idx), 0);
	assert_int_equal(mpb_rd_u64(&r, &pid), 0);
	assert_int_equal(idx, 5); /* the index it was told */
	assert_true(pid == (uint64_t)c.pid);
	send_frame(&c, MPB_FRAME_STOP, NULL);
	assert_int_equal(mpb_frame_read(c.from, &in, &f, &d), 1);
	assert_int_equal(f.type, MPB_FRAME_BYE);
	mpb_buf_free(&in);
	char msg[512];
	assert_int_equal(finish_worker(&c, msg, sizeof msg), 0);
	assert_no_children();
}

static void test_worker_rejects_bad_hello(void **state)
{
	(void)state;
	struct child c;
	char msg[512];

	start_worker(&c, true); /* a payload cut short */
	struct mpb_buf p = { 0 };
	assert_int_equal(mpb_buf_put_u32(&p, MPB_WORKER_SPEC_VERSION), 0);
	send_frame(&c, MPB_FRAME_HELLO, &p);
	mpb_buf_free(&p);
	assert_int_equal(finish_worker(&c, msg, sizeof msg), 2);
	assert_contains(msg, "truncated");

	start_worker(&c, true); /* anything but a HELLO first */
	send_frame(&c, MPB_FRAME_STOP, NULL);
	assert_int_equal(finish_worker(&c, msg, sizeof msg), 2);
	assert_contains(msg, "not a HELLO");

	start_worker(&c, true); /* a workload this build does not have */
	send_hello(&c, "no-such-workload", (uint64_t)getpid());
	assert_int_equal(finish_worker(&c, msg, sizeof msg), 2);
	assert_contains(msg, "no-such-workload");

	start_worker(&c, true); /* a frame header that is not one */
	assert_int_equal(mpb_io_write_all(c.to, "garbage!", 8), 0);
	assert_int_equal(finish_worker(&c, msg, sizeof msg), 2);
	assert_contains(msg, "corrupt frame");

	start_worker(&c, false); /* run by hand, without its descriptors */
	assert_int_equal(finish_worker(&c, msg, sizeof msg), 2);
	assert_contains(msg, "not open");
	assert_no_children();
}

static void test_worker_leaves_when_not_our_child(void **state)
{
	(void)state;
	struct child c;
	char msg[512];
	/* a HELLO naming another parent: the worker must conclude it was
	 * orphaned and go, without a word and without serving */
	start_worker(&c, true);
	send_hello(&c, "sumsq", (uint64_t)getpid() + 1);
	struct mpb_buf in = { 0 };
	struct mpb_diag d = { 0 };
	struct mpb_frame f;
	assert_int_equal(mpb_frame_read(c.from, &in, &f, &d), 0); /* EOF, no READY */
	mpb_buf_free(&in);
	assert_int_equal(finish_worker(&c, msg, sizeof msg), 3);

	start_worker(&c, true); /* the parent closes without a HELLO */
	assert_int_equal(finish_worker(&c, msg, sizeof msg), 3);
	assert_no_children();
}

static int group_setup(void **state)
{
	(void)state;
	/* as the CLI does: a dead worker's pipe must give EPIPE, not kill us */
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spawn_is_registered),
		POOL_TEST(test_spawn_map_correct),
		POOL_TEST(test_spawn_worker_inherits_nothing),
		POOL_TEST(test_spawn_without_pidfd),
		POOL_TEST(test_spawn_missing_worker),
		POOL_TEST(test_spawn_worker_killed_mid_map),
		cmocka_unit_test(test_worker_serves_after_hello),
		cmocka_unit_test(test_worker_rejects_bad_hello),
		cmocka_unit_test(test_worker_leaves_when_not_our_child),
	};
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
