/* test_forkserver.c — unit tests for the forkserver start method
 * (harness/pool/method/method_forkserver.c) and its server (harness/pool/forkserver.c).
 *
 * Pools run the registry's null and sumsq workloads (the server resolves
 * workloads by name) and are checked with each workload's own verify().
 * Process facts come from /proc: a worker's parent must be the server, and
 * every test ends with no child of ours and no worker still running. Faults
 * are injected from outside with SIGKILL, to a worker mid-map and to the
 * server itself. Timings are only bounded generously, to catch hangs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
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

#include "forkserver.h"

#include "clock.h"
#include "codec.h"
#include "diag.h"
#include "frame.h"
#include "method.h"
#include "pool.h"
#include "workload.h"

#define MAX_WORKERS 8
#define MAX_SEEN 256
/* hang detection only: a loaded 2-core machine is far below this */
#define HANG_BOUND_NS (30ull * 1000000000ull)

#define assert_contains(hay, needle)                                                   \
	do {                                                                           \
		if (!strstr((hay), (needle)))                                          \
			fail_msg("\"%s\" does not contain \"%s\"", (hay), (needle));   \
	} while (0)

static const struct mpb_method_ops *const FS = &mpb_method_forkserver;

/* ---- /proc helpers -------------------------------------------------------- */

/* State letter and parent of pid; false when there is no such process. */
static bool proc_stat(pid_t pid, char *state, pid_t *ppid)
{
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	const char *rp = strrchr(buf, ')');
	int pp;
	char st;
	if (!rp || sscanf(rp + 1, " %c %d", &st, &pp) != 2)
		return false;
	if (state)
		*state = st;
	if (ppid)
		*ppid = pp;
	return true;
}

static bool running(pid_t pid)
{
	char st;
	return proc_stat(pid, &st, NULL) && st != 'Z' && st != 'X';
}

static pid_t parent_of(pid_t pid)
{
	pid_t pp = -1;
	assert_true(proc_stat(pid, NULL, &pp));
	return pp;
}

/* Processes whose parent is this test. */
static unsigned count_children(void)
{
	DIR *dir = opendir("/proc");
	assert_non_null(dir);
	unsigned n = 0;
	pid_t me = getpid();
	for (struct dirent *e; (e = readdir(dir));) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		pid_t pp;
		if (*end == '\0' && pid > 0 && proc_stat((pid_t)pid, NULL, &pp) && pp == me)
			n++;
	}
	closedir(dir);
	return n;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* Workers are the server's children (or init's, once it died): they may take
 * a moment to go after their parent does, but no longer than the bound. */
static bool gone_within_bound(pid_t pid)
{
	uint64_t t0 = mpb_now_ns();
	while (running(pid)) {
		if (mpb_now_ns() - t0 > HANG_BOUND_NS)
			return false;
		sleep_ms(1);
	}
	return true;
}

/* ---- fixture -------------------------------------------------------------- */

static pid_t seen[MAX_SEEN];
static size_t nseen;

static void remember(pid_t pid)
{
	if (nseen < MAX_SEEN)
		seen[nseen++] = pid;
}

static int fx_setup(void **state)
{
	(void)state;
	struct mpb_diag d = { 0 };
	nseen = 0;
	return FS->prepare(&d);
}

/* Shut down and prove nothing is left: no child of ours (the server is one),
 * no worker we saw still running. */
static int fx_teardown(void **state)
{
	(void)state;
	FS->shutdown();
	assert_int_equal(count_children(), 0);
	for (size_t i = 0; i < nseen; i++)
		if (!gone_within_bound(seen[i]))
			fail_msg("worker pid %d is still running", (int)seen[i]);
	return 0;
}

#define FS_TEST(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)

/* ---- pool helpers --------------------------------------------------------- */

struct tasks {
	const struct mpb_workload_ops *wl;
	struct mpb_workload_params wp;
	struct mpb_value *args, *res;
	size_t n;
};

static void tasks_make(struct tasks *t, const struct mpb_workload_ops *wl, uint64_t size,
		       size_t n)
{
	struct mpb_diag d = { 0 };
	t->wl = wl;
	t->wp = (struct mpb_workload_params){ size, n, 42, 0 };
	t->n = n;
	t->args = calloc(n, sizeof *t->args);
	t->res = calloc(n, sizeof *t->res);
	assert_non_null(t->args);
	assert_non_null(t->res);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(wl->make_task(NULL, &t->wp, i, &t->args[i], &d), 0);
}

static void tasks_verify(const struct tasks *t)
{
	for (size_t i = 0; i < t->n; i++) {
		struct mpb_diag d = { 0 };
		if (t->wl->verify(NULL, &t->wp, i, &t->args[i], &t->res[i], &d) < 0)
			fail_msg("%s", d.msg);
	}
}

static void tasks_free(struct tasks *t)
{
	mpb_value_clear_array(t->args, t->n);
	mpb_value_clear_array(t->res, t->n);
	free(t->args);
	free(t->res);
}

static struct mpb_pool_config config(const struct tasks *t, unsigned workers, uint64_t chunk)
{
	return (struct mpb_pool_config){
		.method = FS,
		.codec = &mpb_codec_raw,
		.transport = &mpb_transport_pipe,
		.workload = t->wl,
		.wparams = t->wp,
		.workers = workers,
		.chunksize = chunk,
	};
}

static void start_ok(const struct mpb_pool_config *c, struct mpb_pool **p)
{
	struct mpb_diag d = { 0 };
	if (mpb_pool_start(c, p, &d) < 0)
		fail_msg("pool start: %s", d.msg);
	const struct mpb_pool_report *r = mpb_pool_report(*p);
	for (unsigned i = 0; i < r->workers; i++)
		remember(r->worker[i].pid);
}

/* The server's pid, as the parent every worker of the pool shares. */
static pid_t server_of(const struct mpb_pool *p)
{
	const struct mpb_pool_report *r = mpb_pool_report(p);
	pid_t server = parent_of(r->worker[0].pid);
	for (unsigned i = 1; i < r->workers; i++)
		assert_int_equal(parent_of(r->worker[i].pid), server);
	return server;
}

/* ---- tests ---------------------------------------------------------------- */

static void test_map_correct_for_every_shape(void **state)
{
	(void)state;
	const struct mpb_workload_ops *wls[] = { &mpb_workload_null, &mpb_workload_sumsq };
	const uint64_t sizes[] = { 0, 2000 };
	const uint64_t chunks[] = { 1, 3, 7, 64 };
	for (size_t wi = 0; wi < 2; wi++) {
		for (unsigned nw = 1; nw <= MAX_WORKERS; nw++) {
			for (size_t ci = 0; ci < sizeof chunks / sizeof chunks[0]; ci++) {
				struct tasks t;
				struct mpb_pool *p = NULL;
				struct mpb_diag d = { 0 };
				tasks_make(&t, wls[wi], sizes[wi], 37);
				struct mpb_pool_config c = config(&t, nw, chunks[ci]);
				start_ok(&c, &p);
				if (mpb_pool_map(p, t.args, t.n, t.res, &d) < 0 ||
				    mpb_pool_stop(p, &d) < 0)
					fail_msg("%s x%u chunk %llu: %s", wls[wi]->name, nw,
						 (unsigned long long)chunks[ci], d.msg);
				tasks_verify(&t);
				const struct mpb_pool_report *r = mpb_pool_report(p);
				assert_int_equal(r->workers, nw);
				assert_int_equal(r->tasks, t.n);
				uint64_t sum = 0;
				for (unsigned i = 0; i < nw; i++) {
					sum += r->worker[i].tasks;
					assert_true(r->worker[i].pid > 0);
					assert_int_not_equal(r->worker[i].pid, getpid());
					for (unsigned j = 0; j < i; j++)
						assert_int_not_equal(r->worker[i].pid,
								     r->worker[j].pid);
				}
				assert_int_equal(sum, t.n);
				mpb_pool_free(p);
				tasks_free(&t);
			}
		}
	}
}

static void test_workers_are_children_of_the_server(void **state)
{
	(void)state;
	struct tasks t;
	struct mpb_pool *p = NULL;
	struct mpb_diag d = { 0 };
	tasks_make(&t, &mpb_workload_null, 0, 12);
	struct mpb_pool_config c = config(&t, 3, 2);
	start_ok(&c, &p);
	pid_t server = server_of(p);
	assert_int_not_equal(server, getpid());
	/* ... and the server is ours: it is what we reap at shutdown */
	assert_int_equal(parent_of(server), getpid());
	assert_int_equal(count_children(), 1);
	assert_int_equal(mpb_pool_map(p, t.args, t.n, t.res, &d), 0);
	assert_int_equal(mpb_pool_stop(p, &d), 0);
	tasks_verify(&t);
	mpb_pool_free(p);
	/* a second pool goes through the same server */
	tasks_free(&t);
	tasks_make(&t, &mpb_workload_null, 0, 5);
	c = config(&t, 2, 1);
	start_ok(&c, &p);
	assert_int_equal(server_of(p), server);
	assert_int_equal(mpb_pool_stop(p, &d), 0);
	mpb_pool_free(p);
	tasks_free(&t);
}

static void test_rusage_after_stop(void **state)
{
	(void)state;
	struct tasks t;
	struct mpb_pool *p = NULL;
	struct mpb_diag d = { 0 };
	tasks_make(&t, &mpb_workload_sumsq, 100000, 16);
	struct mpb_pool_config c = config(&t, 4, 2);
	start_ok(&c, &p);
	assert_int_equal(mpb_pool_map(p, t.args, t.n, t.res, &d), 0);
	if (mpb_pool_stop(p, &d) < 0)
		fail_msg("%s", d.msg);
	tasks_verify(&t);
	const struct mpb_pool_report *r = mpb_pool_report(p);
	for (unsigned i = 0; i < r->workers; i++) {
		const struct mpb_worker_report *w = &r->worker[i];
		assert_true(w->nvcsw + w->nivcsw > 0 || w->maxrss_kb > 0);
		assert_true(w->maxrss_kb > 0);
	}
	mpb_pool_free(p);
	tasks_free(&t);
}

struct killer {
	pid_t victim;
	long after_ms;
};

static void *kill_later(void *arg)
{
	const struct killer *k = arg;
	sleep_ms(k->after_ms);
	kill(k->victim, SIGKILL);
	return NULL;
}

static void test_worker_killed_mid_map(void **state)
{
	(void)state;
	struct tasks t;
	struct mpb_pool *p = NULL;
	struct mpb_diag d = { 0 };
	/* tasks of billions of iterations: the map is far from done when the
	 * kill lands, and if the kill went unnoticed it would still finish */
	tasks_make(&t, &mpb_workload_sumsq, 3000000000ull, 4);
	struct mpb_pool_config c = config(&t, 2, 1);
	start_ok(&c, &p);
	const struct mpb_pool_report *r = mpb_pool_report(p);
	struct killer k = { r->worker[1].pid, 200 };
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, kill_later, &k), 0);
	uint64_t t0 = mpb_now_ns();
	int rc = mpb_pool_map(p, t.args, t.n, t.res, &d);
	pthread_join(th, NULL);
	assert_int_equal(rc, -MPB_ERUN);
	char who[64];
	snprintf(who, sizeof who, "worker 1 (pid %d)", (int)k.victim);
	assert_contains(d.msg, who);
	assert_contains(d.msg, "signal 9");
	mpb_pool_free(p);
	assert_true(mpb_now_ns() - t0 < HANG_BOUND_NS);
	tasks_free(&t);
}

static void test_server_killed(void **state)
{
	(void)state;
	struct tasks t;
	struct mpb_pool *p = NULL;
	struct mpb_diag d = { 0 };
	tasks_make(&t, &mpb_workload_null, 0, 20);
	struct mpb_pool_config c = config(&t, 2, 1);
	start_ok(&c, &p);
	pid_t server = server_of(p);
	assert_int_equal(kill(server, SIGKILL), 0);
	/* wait until it has died, leaving it for the method to reap: its
	 * workers got their SIGKILL on the way */
	siginfo_t si;
	assert_int_equal(waitid(P_PID, (id_t)server, &si, WEXITED | WNOWAIT), 0);
	uint64_t t0 = mpb_now_ns();
	/* the pool in flight fails: its workers died with the server */
	assert_int_equal(mpb_pool_map(p, t.args, t.n, t.res, &d), -MPB_ERUN);
	assert_contains(d.msg, "worker");
	mpb_pool_free(p);
	p = NULL;
	/* the next pool cannot start, and says why */
	memset(&d, 0, sizeof d);
	assert_int_equal(mpb_pool_start(&c, &p, &d), -MPB_ERUN);
	char who[64];
	snprintf(who, sizeof who, "forkserver (pid %d) died", (int)server);
	assert_contains(d.msg, who);
	assert_contains(d.msg, "signal 9");
	assert_contains(d.msg, "cannot start worker 0");
	mpb_pool_free(p);
	assert_true(mpb_now_ns() - t0 < HANG_BOUND_NS);
	tasks_free(&t);
}

static void test_prepare_twice_is_harmless(void **state)
{
	(void)state;
	struct mpb_diag d = { 0 };
	assert_int_equal(FS->prepare(&d), 0);
	assert_int_equal(FS->prepare(&d), 0);
	assert_int_equal(count_children(), 1);
	struct tasks t;
	struct mpb_pool *p = NULL;
	tasks_make(&t, &mpb_workload_null, 0, 9);
	struct mpb_pool_config c = config(&t, 2, 2);
	start_ok(&c, &p);
	assert_int_equal(mpb_pool_map(p, t.args, t.n, t.res, &d), 0);
	assert_int_equal(mpb_pool_stop(p, &d), 0);
	tasks_verify(&t);
	mpb_pool_free(p);
	tasks_free(&t);
}

static void test_shutdown_is_idempotent(void **state)
{
	(void)state;
	struct tasks t;
	struct mpb_pool *p = NULL;
	struct mpb_diag d = { 0 };
	tasks_make(&t, &mpb_workload_null, 0, 4);
	struct mpb_pool_config c = config(&t, 2, 1);
	start_ok(&c, &p);
	assert_int_equal(mpb_pool_stop(p, &d), 0);
	mpb_pool_free(p);
	p = NULL;
	FS->shutdown();
	FS->shutdown();
	assert_int_equal(count_children(), 0);
	/* without a server a pool fails at once, clearly */
	assert_int_equal(mpb_pool_start(&c, &p, &d), -MPB_ERUN);
	assert_contains(d.msg, "not prepared");
	mpb_pool_free(p);
	p = NULL;
	/* and prepare brings it back */
	assert_int_equal(FS->prepare(&d), 0);
	start_ok(&c, &p);
	assert_int_equal(mpb_pool_map(p, t.args, t.n, t.res, &d), 0);
	assert_int_equal(mpb_pool_stop(p, &d), 0);
	tasks_verify(&t);
	mpb_pool_free(p);
	tasks_free(&t);
}

/* The protocol itself: descriptors passed, pid reported, the worker's exit
 * status and rusage relayed, a bad request answered, EOF ends the server. */
/* A request for one worker of `workload` over a pipe, as fs_launch makes. */
static struct mpb_worker_spec spec(const char *workload)
{
	struct mpb_worker_spec s = { .params = { .size = 0, .tasks = 1, .seed = 1 } };
	snprintf(s.workload, sizeof s.workload, "%s", workload);
	snprintf(s.codec, sizeof s.codec, "raw");
	snprintf(s.transport, sizeof s.transport, "pipe");
	return s;
}

static void test_exit_status_relayed(void **state)
{
	(void)state;
	pid_t server;
	int sock;
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_forkserver_start(&server, &sock, &d), 0);
	int a[2], b[2];
	assert_int_equal(pipe(a), 0);
	assert_int_equal(pipe(b), 0);
	struct mpb_worker_spec rq = spec("null");
	rq.index = 5;
	assert_int_equal(mpb_forkserver_send(sock, &rq, a[0], b[1], -1, &d), 0);
	close(a[0]);
	close(b[1]);
	struct mpb_fs_msg m;
	uint64_t t0 = mpb_now_ns();
	int rc;
	while ((rc = mpb_forkserver_recv(sock, 100, &m, &d)) == 0)
		assert_true(mpb_now_ns() - t0 < HANG_BOUND_NS);
	assert_int_equal(rc, 1);
	assert_int_equal(m.kind, MPB_FS_SPAWNED);
	pid_t worker = m.pid;
	remember(worker);
	assert_int_equal(parent_of(worker), server);
	/* the worker runs on the descriptors we sent: it says READY on b */
	struct mpb_buf in = { 0 };
	struct mpb_frame f;
	assert_int_equal(mpb_frame_read(b[0], &in, &f, &d), 1);
	assert_int_equal(f.type, MPB_FRAME_READY);
	mpb_buf_free(&in);
	/* EOF on its input: it exits 3 ("parent went away"), which the server
	 * relays with the kernel's account of its life */
	close(a[1]);
	while ((rc = mpb_forkserver_recv(sock, 100, &m, &d)) == 0)
		assert_true(mpb_now_ns() - t0 < HANG_BOUND_NS);
	assert_int_equal(rc, 1);
	assert_int_equal(m.kind, MPB_FS_EXITED);
	assert_int_equal(m.pid, worker);
	assert_true(WIFEXITED(m.status));
	assert_int_equal(WEXITSTATUS(m.status), 3);
	assert_true(m.ru.ru_maxrss > 0);
	close(b[0]);

	/* a request it cannot serve gets a reason, and the server carries on */
	assert_int_equal(pipe(a), 0);
	strcpy(rq.workload, "no-such-workload");
	assert_int_equal(mpb_forkserver_send(sock, &rq, a[0], a[1], -1, &d), 0);
	while ((rc = mpb_forkserver_recv(sock, 100, &m, &d)) == 0)
		assert_true(mpb_now_ns() - t0 < HANG_BOUND_NS);
	assert_int_equal(rc, 1);
	assert_int_equal(m.kind, MPB_FS_FAILED);
	assert_contains(m.msg, "no-such-workload");
	/* the server closed its copies: our write end alone keeps the pipe */
	close(a[1]);
	char c;
	assert_int_equal(read(a[0], &c, 1), 0);
	close(a[0]);

	/* EOF on the socket: the server exits 0 */
	close(sock);
	int st;
	assert_int_equal(waitpid(server, &st, 0), server);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* Closing the socket while workers still run: the server kills and reaps
 * them before it exits, so its exit means they are gone. */
static void test_server_takes_workers_along(void **state)
{
	(void)state;
	pid_t server;
	int sock;
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_forkserver_start(&server, &sock, &d), 0);
	int a[2], b[2];
	assert_int_equal(pipe(a), 0);
	assert_int_equal(pipe(b), 0);
	struct mpb_worker_spec rq = spec("null");
	assert_int_equal(mpb_forkserver_send(sock, &rq, a[0], b[1], -1, &d), 0);
	close(a[0]);
	close(b[1]);
	struct mpb_fs_msg m;
	uint64_t t0 = mpb_now_ns();
	int rc;
	while ((rc = mpb_forkserver_recv(sock, 100, &m, &d)) == 0)
		assert_true(mpb_now_ns() - t0 < HANG_BOUND_NS);
	assert_int_equal(m.kind, MPB_FS_SPAWNED);
	remember(m.pid);
	close(sock);
	int st;
	assert_int_equal(waitpid(server, &st, 0), server);
	assert_true(WIFEXITED(st));
	/* reaped by the server before it exited: not even a zombie */
	assert_false(proc_stat(m.pid, NULL, NULL));
	/* nobody holds the worker's output pipe any more: READY, then EOF */
	char buf[256];
	ssize_t n;
	while ((n = read(b[0], buf, sizeof buf)) > 0)
		;
	assert_int_equal(n, 0);
	close(a[1]);
	close(b[0]);
}

static int no_setup(void **state)
{
	(void)state;
	nseen = 0;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FS_TEST(test_map_correct_for_every_shape),
		FS_TEST(test_workers_are_children_of_the_server),
		FS_TEST(test_rusage_after_stop),
		FS_TEST(test_worker_killed_mid_map),
		FS_TEST(test_server_killed),
		FS_TEST(test_prepare_twice_is_harmless),
		FS_TEST(test_shutdown_is_idempotent),
		cmocka_unit_test_setup_teardown(test_exit_status_relayed, no_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_server_takes_workers_along, no_setup,
						fx_teardown),
	};
	/* writing to a dead worker must come back as EPIPE, not kill the test;
	 * the harness ignores SIGPIPE the same way (cli.c) */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
