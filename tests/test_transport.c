/* test_transport.c — unit tests for the transports (harness/transport*.c,
 * shm_ring.c) and the pool's use of them.
 *
 * The ring is tested on its own in ordinary memory (wrap-around, a full ring
 * pushing back, the sleep/wake flags); the blocking frame reader on a pipe
 * (frames split across reads, several frames in one read, truncated and
 * malformed input rejected); then whole pools over `shm` and `pipe` with
 * every start method move multi-megabyte payloads (larger than the ring and
 * the pipe buffer) both ways and verify every byte, and a worker that dies
 * under `shm` is reported, not waited for. Every pool test ends with no
 * child left.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "transport.h"

#include "codec.h"
#include "frame.h"
#include "method.h"
#include "pool.h"
#include "rng.h"
#include "shm_ring.h"
#include "workload.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

#define assert_contains(hay, needle)                                                   \
	do {                                                                           \
		if (!strstr((hay), (needle)))                                          \
			fail_msg("\"%s\" does not contain \"%s\"", (hay), (needle));   \
	} while (0)

static void assert_no_children(void)
{
	pid_t w = waitpid(-1, NULL, WNOHANG);
	if (w != -1 || errno != ECHILD)
		fail_msg("a child process is left (waitpid: %d)", (int)w);
}

/* ---- the ring ------------------------------------------------------------ */

struct test_ring {
	struct mpb_ring r;
	uint8_t data[64];
};

static void ring_init64(struct test_ring *t)
{
	mpb_ring_init(&t->r, sizeof t->data, offsetof(struct test_ring, data));
}

/* Bytes go in and come out in order across many wrap-arounds, in pieces
 * whose sizes never divide the ring. */
static void test_ring_wraps_in_order(void **state)
{
	(void)state;
	static struct test_ring t;
	ring_init64(&t);
	uint8_t in[37], out[64];
	uint64_t next_in = 0, next_out = 0;
	for (int round = 0; round < 2000; round++) {
		size_t n = 1 + (size_t)(round * 7 % 37);
		for (size_t i = 0; i < n; i++)
			in[i] = (uint8_t)(next_in + i);
		size_t w = mpb_ring_write(&t.r, in, n);
		assert_true(w <= n);
		next_in += w;
		size_t m = 1 + (size_t)(round * 13 % 50);
		size_t r = mpb_ring_read(&t.r, out, m);
		for (size_t i = 0; i < r; i++)
			assert_int_equal(out[i], (uint8_t)(next_out + i));
		next_out += r;
		assert_int_equal(mpb_ring_readable(&t.r), next_in - next_out);
		assert_int_equal(mpb_ring_writable(&t.r), 64 - (next_in - next_out));
	}
	/* positions wrapped the 64-byte ring many times */
	assert_true(next_out > 64 * 100);
}

/* A full ring takes nothing more; reading makes exactly that much room. */
static void test_ring_full_pushes_back(void **state)
{
	(void)state;
	static struct test_ring t;
	ring_init64(&t);
	uint8_t buf[100];
	memset(buf, 0xab, sizeof buf);
	assert_int_equal(mpb_ring_write(&t.r, buf, sizeof buf), 64);
	assert_int_equal(mpb_ring_writable(&t.r), 0);
	assert_int_equal(mpb_ring_write(&t.r, buf, 1), 0);
	assert_int_equal(mpb_ring_read(&t.r, buf, 10), 10);
	assert_int_equal(mpb_ring_write(&t.r, buf, sizeof buf), 10);
	assert_int_equal(mpb_ring_read(&t.r, buf, sizeof buf), 64);
	assert_int_equal(mpb_ring_read(&t.r, buf, sizeof buf), 0);
}

/* The sleep protocol: arming on an empty ring means "sleep"; the producer's
 * next write then owes exactly one wake-up; arming on a non-empty ring says
 * "don't sleep" and leaves no flag up. The same for a full ring. */
static void test_ring_wakeup_flags(void **state)
{
	(void)state;
	static struct test_ring t;
	ring_init64(&t);
	uint8_t b[64] = { 0 };
	assert_false(mpb_ring_take_consumer_wakeup(&t.r));
	assert_false(mpb_ring_arm_consumer(&t.r)); /* empty: go to sleep */
	assert_int_equal(mpb_ring_write(&t.r, b, 1), 1);
	assert_true(mpb_ring_take_consumer_wakeup(&t.r));
	assert_false(mpb_ring_take_consumer_wakeup(&t.r)); /* one per sleep */
	assert_true(mpb_ring_arm_consumer(&t.r));           /* data there: don't sleep */
	assert_false(mpb_ring_take_consumer_wakeup(&t.r));

	assert_int_equal(mpb_ring_write(&t.r, b, 64), 63);
	assert_false(mpb_ring_arm_producer(&t.r)); /* full: wait */
	assert_int_equal(mpb_ring_read(&t.r, b, 5), 5);
	assert_true(mpb_ring_take_producer_wakeup(&t.r));
	assert_false(mpb_ring_take_producer_wakeup(&t.r));
	assert_true(mpb_ring_arm_producer(&t.r)); /* room now */
	mpb_ring_disarm_producer(&t.r);
	assert_false(mpb_ring_take_producer_wakeup(&t.r));
}

/* ---- registry ------------------------------------------------------------ */

static void test_registry(void **state)
{
	(void)state;
	size_t n;
	const struct mpb_transport_ops *const *all = mpb_transport_all(&n);
	assert_int_equal(n, 2);
	for (size_t i = 0; i < n; i++) {
		assert_ptr_equal(mpb_transport_find(all[i]->name), all[i]);
		assert_non_null(all[i]->send);
		assert_non_null(all[i]->recv);
		assert_non_null(all[i]->arm);
		/* a transport the parent cannot see with poll must say so */
		assert_true(!all[i]->spins || all[i]->ready);
	}
	assert_ptr_equal(mpb_transport_find("pipe"), &mpb_transport_pipe);
	assert_ptr_equal(mpb_transport_find("shm"), &mpb_transport_shm);
	assert_null(mpb_transport_find("carrier-pigeon"));
}

/* ---- the blocking frame reader on a pipe --------------------------------- */

static struct mpb_endpoint pipe_reader(int fds[2])
{
	assert_int_equal(pipe(fds), 0);
	return (struct mpb_endpoint){ .ops = &mpb_transport_pipe, .in_fd = fds[0], .out_fd = -1,
				      .worker = true };
}

static void put_frame(struct mpb_buf *b, uint8_t type, const void *p, size_t n)
{
	long h = mpb_frame_begin(b, type);
	assert_true(h >= 0);
	assert_int_equal(mpb_buf_append(b, p, n), 0);
	assert_int_equal(mpb_frame_end(b, h), 0);
}

/* Two frames written at once come out one by one, payloads intact. */
static void test_read_frame_several_in_one_read(void **state)
{
	(void)state;
	int fds[2];
	struct mpb_endpoint e = pipe_reader(fds);
	struct mpb_buf out = { 0 }, in = { 0 };
	put_frame(&out, MPB_FRAME_TASKS, "hello", 5);
	put_frame(&out, MPB_FRAME_STOP, "", 0);
	assert_int_equal(write(fds[1], out.data, out.len), (ssize_t)out.len);
	close(fds[1]);
	struct mpb_frame f;
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_transport_read_frame(&e, &in, &f, &d), 1);
	assert_int_equal(f.type, MPB_FRAME_TASKS);
	assert_int_equal(f.len, 5);
	assert_memory_equal(f.payload, "hello", 5);
	assert_int_equal(mpb_transport_read_frame(&e, &in, &f, &d), 1);
	assert_int_equal(f.type, MPB_FRAME_STOP);
	assert_int_equal(mpb_transport_read_frame(&e, &in, &f, &d), 0); /* clean EOF */
	close(fds[0]);
	mpb_buf_free(&out);
	mpb_buf_free(&in);
}

/* Every truncation of a valid frame is an error at EOF, never a frame and
 * never a read past what arrived. */
static void test_read_frame_truncated_rejected(void **state)
{
	(void)state;
	struct mpb_buf out = { 0 };
	uint8_t payload[300];
	for (size_t i = 0; i < sizeof payload; i++)
		payload[i] = (uint8_t)i;
	put_frame(&out, MPB_FRAME_RESULTS, payload, sizeof payload);
	for (size_t cut = 1; cut < out.len; cut += (cut < 16 ? 1 : 37)) {
		int fds[2];
		struct mpb_endpoint e = pipe_reader(fds);
		struct mpb_buf in = { 0 };
		struct mpb_frame f;
		struct mpb_diag d = { 0 };
		assert_int_equal(write(fds[1], out.data, cut), (ssize_t)cut);
		close(fds[1]);
		int rc = mpb_transport_read_frame(&e, &in, &f, &d);
		if (rc >= 0)
			fail_msg("a frame cut at %zu of %zu bytes was accepted (%d)", cut, out.len, rc);
		assert_contains(d.msg, "end of stream");
		close(fds[0]);
		mpb_buf_free(&in);
	}
	mpb_buf_free(&out);
}

/* A header with an unknown type, nonzero reserved bytes or an absurd length
 * is rejected before any payload is awaited. */
static void test_read_frame_malformed_rejected(void **state)
{
	(void)state;
	static const uint8_t bad[][8] = {
		{ 4, 0, 0, 0, 99, 0, 0, 0 },         /* unknown type */
		{ 4, 0, 0, 0, 3, 1, 0, 0 },          /* reserved byte set */
		{ 0xff, 0xff, 0xff, 0x7f, 3, 0, 0, 0 }, /* 2 GiB payload */
	};
	for (size_t i = 0; i < N_OF(bad); i++) {
		int fds[2];
		struct mpb_endpoint e = pipe_reader(fds);
		struct mpb_buf in = { 0 };
		struct mpb_frame f;
		struct mpb_diag d = { 0 };
		assert_int_equal(write(fds[1], bad[i], 8), 8);
		/* the writer stays open: a reader that waited for the payload
		 * would hang here instead of failing */
		assert_true(mpb_transport_read_frame(&e, &in, &f, &d) < 0);
		assert_contains(d.msg, "corrupt frame");
		close(fds[0]);
		close(fds[1]);
		mpb_buf_free(&in);
	}
}

/* ---- whole pools --------------------------------------------------------- */

static const struct mpb_method_ops *method(const char *name)
{
	const struct mpb_method_ops *m = mpb_method_find(name);
	assert_non_null(m);
	return m;
}

/* Map `tasks` payload tasks of `size` bytes returning `result_size` bytes
 * over (method, transport) and verify every result. */
static void payload_map(const char *mname, const struct mpb_transport_ops *tp, unsigned workers,
			uint64_t size, uint64_t result_size, uint64_t tasks, uint64_t chunksize)
{
	const struct mpb_method_ops *m = method(mname);
	const struct mpb_workload_ops *w = mpb_workload_find("payload");
	assert_non_null(w);
	struct mpb_diag d = { 0 };
	struct mpb_workload_params wp = { size, tasks, 7, result_size };
	if (m->prepare)
		assert_int_equal(m->prepare(&d), 0);
	struct mpb_value *args = calloc(tasks, sizeof *args), *res = calloc(tasks, sizeof *res);
	assert_non_null(args);
	assert_non_null(res);
	for (uint64_t i = 0; i < tasks; i++)
		assert_int_equal(w->make_task(NULL, &wp, i, &args[i], &d), 0);
	struct mpb_pool_config c = {
		.method = m,
		.codec = (m->flags & MPB_METHOD_INPROC) ? &mpb_codec_none : &mpb_codec_raw,
		.transport = tp,
		.workload = w,
		.wparams = wp,
		.workers = workers,
		.chunksize = chunksize,
	};
	struct mpb_pool *p = NULL;
	int rc = mpb_pool_start(&c, &p, &d);
	if (rc == 0)
		rc = mpb_pool_map(p, args, tasks, res, &d);
	if (rc == 0)
		rc = mpb_pool_stop(p, &d);
	if (rc < 0)
		fail_msg("%s over %s: %s", mname, tp->name, d.msg);
	const struct mpb_pool_report *r = mpb_pool_report(p);
	/* every byte of every task went out and came back through the transport
	 * (threads pass values by reference: only their frames travel) */
	if (!(m->flags & MPB_METHOD_INPROC)) {
		assert_true(r->bytes_sent >= tasks * size);
		assert_true(r->bytes_received >= tasks * result_size);
	}
	assert_int_equal(r->tasks, tasks);
	for (uint64_t i = 0; i < tasks; i++) {
		if (w->verify(NULL, &wp, i, &args[i], &res[i], &d) < 0)
			fail_msg("%s over %s: task %llu: %s", mname, tp->name, (unsigned long long)i,
				 d.msg);
	}
	mpb_pool_free(p);
	if (m->shutdown)
		m->shutdown();
	mpb_value_clear_array(args, tasks);
	mpb_value_clear_array(res, tasks);
	free(args);
	free(res);
	assert_no_children();
}

/* 3 MiB tasks and 2 MiB results, two per chunk: each frame is several
 * times the 1 MiB ring and the 64 KiB pipe buffer, so both directions stream
 * through a full ring or pipe while the other side drains it. */
static void test_shm_multi_megabyte_fork(void **state)
{
	(void)state;
	payload_map("fork", &mpb_transport_shm, 2, 3u << 20, 2u << 20, 6, 2);
}

static void test_pipe_multi_megabyte_fork(void **state)
{
	(void)state;
	payload_map("fork", &mpb_transport_pipe, 2, 3u << 20, 2u << 20, 6, 2);
}

static void test_shm_multi_megabyte_thread(void **state)
{
	(void)state;
	payload_map("thread", &mpb_transport_shm, 2, 3u << 20, 1u << 20, 4, 1);
}

static void test_shm_multi_megabyte_forkserver(void **state)
{
	(void)state;
	payload_map("forkserver", &mpb_transport_shm, 2, 3u << 20, 1u << 20, 4, 1);
}

static void test_shm_spawn(void **state)
{
	(void)state;
	if (!getenv("MPBENCH_WORKER"))
		skip(); /* run through `meson test`, which points it at mpbench-worker */
	payload_map("spawn", &mpb_transport_shm, 2, 3u << 20, 1u << 20, 4, 1);
}

/* Many small tasks, one per message: thousands of round trips through the
 * rings with workers sleeping and waking, every result in its place. */
static void test_shm_many_small_tasks(void **state)
{
	(void)state;
	payload_map("fork", &mpb_transport_shm, 3, 40, 24, 5000, 1);
	payload_map("fork", &mpb_transport_shm, 1, 0, 0, 3000, 7);
}

/* A task that kills its worker under shm: the pool notices through the
 * pipe's EOF, names the worker and the signal, and leaves nothing behind. */
static int crash_run(void *state, const struct mpb_value *arg, struct mpb_value *result,
		     struct mpb_diag *d)
{
	(void)state; (void)d;
	if (arg->as.u == 5)
		raise(SIGKILL);
	*result = *arg;
	return 0;
}

static int crash_make(void *state, const struct mpb_workload_params *p, uint64_t index,
		      struct mpb_value *arg, struct mpb_diag *d)
{
	(void)state; (void)p; (void)d;
	*arg = mpb_value_int(index);
	return 0;
}

static int crash_verify(void *state, const struct mpb_workload_params *p, uint64_t index,
			const struct mpb_value *arg, const struct mpb_value *result,
			struct mpb_diag *d)
{
	(void)state; (void)p; (void)arg; (void)index; (void)result; (void)d;
	return 0;
}

static const struct mpb_workload_ops crash_wl = {
	.abi = MPB_WORKLOAD_ABI, .name = "crash", .summary = "test", .unit = MPB_UNIT_COUNT,
	.unit_name = "-", .default_sizes = "1", .default_tasks = 1, .max_size = 1,
	.make_task = crash_make, .run_task = crash_run, .verify = crash_verify,
};

static void test_shm_worker_death_reported(void **state)
{
	(void)state;
	struct mpb_diag d = { 0 };
	enum { N = 40 };
	struct mpb_value args[N], res[N];
	memset(res, 0, sizeof res);
	for (unsigned i = 0; i < N; i++)
		args[i] = mpb_value_int(i);
	struct mpb_pool_config c = {
		.method = method("fork"), .codec = &mpb_codec_raw, .transport = &mpb_transport_shm,
		.workload = &crash_wl, .wparams = { 1, N, 0, 0 }, .workers = 2, .chunksize = 1,
	};
	struct mpb_pool *p = NULL;
	int rc = mpb_pool_start(&c, &p, &d);
	assert_int_equal(rc, 0);
	rc = mpb_pool_map(p, args, N, res, &d);
	assert_int_equal(rc, -MPB_ERUN);
	assert_contains(d.msg, "killed by signal 9");
	assert_contains(d.msg, "while holding task");
	mpb_pool_free(p);
	mpb_value_clear_array(res, N);
	assert_no_children();
}

/* The parent's transport figures: shm moves small messages with far fewer
 * system calls than messages (the point of it); pipe needs at least one
 * read per result message. Counts, not times. */
static void test_syscall_counts(void **state)
{
	(void)state;
	const struct mpb_workload_ops *w = mpb_workload_find("null");
	enum { N = 2000 };
	static struct mpb_value args[N], res[N];
	for (unsigned i = 0; i < N; i++)
		args[i] = mpb_value_int(i);
	uint64_t calls[2];
	const struct mpb_transport_ops *tps[2] = { &mpb_transport_pipe, &mpb_transport_shm };
	for (int k = 0; k < 2; k++) {
		struct mpb_diag d = { 0 };
		struct mpb_pool_config c = {
			.method = method("fork"), .codec = &mpb_codec_raw, .transport = tps[k],
			.workload = w, .wparams = { 0, N, 0, 0 }, .workers = 1, .chunksize = 1,
		};
		struct mpb_pool *p = NULL;
		assert_int_equal(mpb_pool_start(&c, &p, &d), 0);
		assert_int_equal(mpb_pool_map(p, args, N, res, &d), 0);
		assert_int_equal(mpb_pool_stop(p, &d), 0);
		calls[k] = mpb_pool_report(p)->syscalls_parent;
		for (unsigned i = 0; i < N; i++)
			assert_true(res[i].type == MPB_VAL_INT && res[i].as.u == i);
		mpb_pool_free(p);
		mpb_value_clear_array(res, N);
	}
	/* pipe: the parent writes a round of chunks in one write per worker
	 * (pool.c, feed) and holds at most 8 chunks of a worker in flight
	 * (MAX_INFLIGHT): at least a write per 8 tasks of 1 */
	assert_true(calls[0] >= N / 8);
	/* shm: the rings carry the bytes; system calls only for wake-ups,
	 * at most a read + poll + wake-up per message when every wait sleeps.
	 * Under valgrind (scripts/valgrind.sh sets MPB_VALGRIND) every process
	 * runs ~50x slower and one thread at a time, so a spin rarely meets its
	 * peer and the wake-up count says nothing about the transport. */
	if (!getenv("MPB_VALGRIND"))
		assert_true(calls[1] <= 4ull * N);
	assert_no_children();
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN); /* the pool's contract */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring_wraps_in_order),
		cmocka_unit_test(test_ring_full_pushes_back),
		cmocka_unit_test(test_ring_wakeup_flags),
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_read_frame_several_in_one_read),
		cmocka_unit_test(test_read_frame_truncated_rejected),
		cmocka_unit_test(test_read_frame_malformed_rejected),
		cmocka_unit_test(test_shm_multi_megabyte_fork),
		cmocka_unit_test(test_pipe_multi_megabyte_fork),
		cmocka_unit_test(test_shm_multi_megabyte_thread),
		cmocka_unit_test(test_shm_multi_megabyte_forkserver),
		cmocka_unit_test(test_shm_spawn),
		cmocka_unit_test(test_shm_many_small_tasks),
		cmocka_unit_test(test_shm_worker_death_reported),
		cmocka_unit_test(test_syscall_counts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
