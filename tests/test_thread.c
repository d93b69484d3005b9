/* test_thread.c — cmocka tests for the `thread` start method
 * (harness/pool/method/method_thread.c) and the `none` codec (harness/pool/codec/codec_none.c):
 * the codec's handles and who owns what; maps over thread pools compared with
 * a serial run for 1..8 workers and several chunk sizes (null, sumsq and a
 * test workload of byte strings and lists); values really passing by
 * reference; the pool report's invariants; teardown in every state with no
 * thread or descriptor left behind (a worker blocked writing included); the
 * plan's codec rules for in-process methods; no per-worker memory figures;
 * a thread stuck in a task past --task-timeout abandoned within a bound, with
 * everything it still uses kept valid (last: they leave threads behind).
 *
 * Build it with -Db_sanitize=address too: leaks and double frees are what
 * the ownership tests are about.
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
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "codec.h"
#include "driver.h"
#include "frame.h"
#include "method.h"
#include "plan.h"
#include "pool.h"
#include "proc_count.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define ARGS(...)                                                        \
	(int)(sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)),       \
		(char *[]){ __VA_ARGS__ }

/* ---- helpers ---------------------------------------------------------- */

/* The test workloads differ only in name, summary and functions. */
#define TEST_WORKLOAD(var, nm, summ, setup_fn, make_fn, run_fn, verify_fn)              \
	static const struct mpb_workload_ops var = {                                    \
		.abi = MPB_WORKLOAD_ABI,                                                \
		.name = nm,                                                             \
		.summary = summ,                                                        \
		.unit = MPB_UNIT_COUNT,                                                 \
		.unit_name = "unused",                                                  \
		.default_sizes = "0",                                                   \
		.default_tasks = 10,                                                    \
		.max_size = UINT64_MAX,                                                 \
		.setup = setup_fn,                                                      \
		.make_task = make_fn,                                                   \
		.run_task = run_fn,                                                     \
		.verify = verify_fn,                                                    \
	}


/* The thread count before a test: the main thread and any abandoned thread
 * still running, once an earlier test's joined threads have left /proc. */
static size_t threads_quiet(void)
{
	unsigned running = 0;
	mpb_method_abandoned(&running);
	return threads_settled(1 + (size_t)running);
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("\"%s\" does not contain \"%s\"", hay, needle);
}

static struct mpb_value bytes_of(size_t n, unsigned seed)
{
	struct mpb_value v = { 0 };
	assert_int_equal(mpb_value_set_bytes(&v, NULL, n), 0);
	for (size_t i = 0; i < n; i++)
		v.as.bytes.data[i] = (uint8_t)(seed + 31 * i);
	return v;
}

/* ---- test workloads ---------------------------------------------------- */

/* `shapes`: arguments and results of every value type, byte strings and
 * nested lists included, each result a fresh allocation derived from the
 * argument (so a result that came back wrong, aliased or freed shows). */
static int shapes_make(void *state, const struct mpb_workload_params *p, uint64_t i,
		       struct mpb_value *arg, struct mpb_diag *d)
{
	(void)state; (void)p; (void)d;
	switch (i % 5) {
	case 0:
		*arg = mpb_value_int(i * 1000003u);
		return 0;
	case 1:
		*arg = bytes_of((size_t)(i * 37 % 1000), (unsigned)i);
		return 0;
	case 2:
		if (mpb_value_set_list(arg, 3) < 0)
			return -MPB_ENOMEM;
		arg->as.list.items[0] = mpb_value_int(i);
		arg->as.list.items[1] = bytes_of((size_t)(i % 17), (unsigned)i + 1);
		if (mpb_value_set_list(&arg->as.list.items[2], 2) < 0)
			return -MPB_ENOMEM;
		arg->as.list.items[2].as.list.items[0] = mpb_value_float((double)i / 3.0);
		return 0;
	case 3:
		*arg = mpb_value_float(-(double)i * 0.25);
		return 0;
	default:
		arg->type = MPB_VAL_NONE;
		return 0;
	}
}

static int shapes_run(void *state, const struct mpb_value *arg, struct mpb_value *res,
		      struct mpb_diag *d)
{
	(void)state;
	switch (arg->type) {
	case MPB_VAL_INT:
		if (mpb_value_set_list(res, 2) < 0)
			return mpb_fail(d, MPB_ENOMEM, "shapes: out of memory");
		res->as.list.items[0] = bytes_of((size_t)(arg->as.u % 29), (unsigned)arg->as.u);
		res->as.list.items[1] = mpb_value_int(arg->as.u * arg->as.u);
		return 0;
	case MPB_VAL_BYTES: {
		size_t n = arg->as.bytes.len;
		if (mpb_value_set_bytes(res, NULL, n + 1) < 0)
			return mpb_fail(d, MPB_ENOMEM, "shapes: out of memory");
		for (size_t k = 0; k < n; k++)
			res->as.bytes.data[k] = arg->as.bytes.data[n - 1 - k];
		res->as.bytes.data[n] = (uint8_t)n;
		return 0;
	}
	case MPB_VAL_LIST: {
		size_t n = arg->as.list.len;
		if (mpb_value_set_list(res, n + 1) < 0)
			return mpb_fail(d, MPB_ENOMEM, "shapes: out of memory");
		res->as.list.items[0] = mpb_value_int(n);
		for (size_t k = 0; k < n; k++)
			if (mpb_value_copy(&res->as.list.items[k + 1], &arg->as.list.items[n - 1 - k]) < 0)
				return mpb_fail(d, MPB_ENOMEM, "shapes: out of memory");
		return 0;
	}
	case MPB_VAL_FLOAT:
		*res = mpb_value_float(arg->as.f * 2);
		return 0;
	case MPB_VAL_NONE:
		return mpb_value_set_bytes(res, NULL, 0) < 0 ? mpb_fail(d, MPB_ENOMEM, "oom") : 0;
	}
	return mpb_fail(d, MPB_ERUN, "shapes: unknown argument type");
}

static int shapes_verify(void *state, const struct mpb_workload_params *p, uint64_t i,
			 const struct mpb_value *arg, const struct mpb_value *res,
			 struct mpb_diag *d)
{
	(void)p;
	struct mpb_value want = { 0 };
	int rc = shapes_run(state, arg, &want, d);
	if (rc == 0 && !mpb_value_equal(&want, res))
		rc = mpb_fail(d, MPB_ERUN, "shapes: task %llu came back wrong", (unsigned long long)i);
	mpb_value_clear(&want);
	return rc;
}

TEST_WORKLOAD(shapes, "shapes", "test: byte strings and lists in and out",
	      NULL, shapes_make, shapes_run, shapes_verify);

/* `where`: reports addresses, to tell a reference from a copy. The argument
 * is a 64-byte string; the result is [address of the argument's bytes as the
 * worker saw them, a fresh 16-byte string, that string's address]. */
static int where_make(void *state, const struct mpb_workload_params *p, uint64_t i,
		      struct mpb_value *arg, struct mpb_diag *d)
{
	(void)state; (void)p; (void)d;
	*arg = bytes_of(64, (unsigned)i);
	return 0;
}

static int where_run(void *state, const struct mpb_value *arg, struct mpb_value *res,
		     struct mpb_diag *d)
{
	(void)state;
	if (arg->type != MPB_VAL_BYTES || mpb_value_set_list(res, 3) < 0)
		return mpb_fail(d, MPB_ERUN, "where: bad argument or out of memory");
	res->as.list.items[0] = mpb_value_int((uint64_t)(uintptr_t)arg->as.bytes.data);
	res->as.list.items[1] = bytes_of(16, 7);
	res->as.list.items[2] = mpb_value_int((uint64_t)(uintptr_t)res->as.list.items[1].as.bytes.data);
	return 0;
}

static int where_verify(void *state, const struct mpb_workload_params *p, uint64_t i,
			const struct mpb_value *arg, const struct mpb_value *res,
			struct mpb_diag *d)
{
	(void)state; (void)p; (void)i; (void)arg; (void)res; (void)d;
	return 0;
}

TEST_WORKLOAD(where, "where", "test: addresses of arguments and results",
	      NULL, where_make, where_run, where_verify);

/* `faulty`: integer tasks; run fails on task FAULTY_TASK, and setup fails
 * when params.seed is 13. */
#define FAULTY_TASK 17u
static int faulty_setup(const struct mpb_workload_params *p, void **state, struct mpb_diag *d)
{
	*state = NULL;
	return p->seed == 13 ? mpb_fail(d, MPB_ERUN, "setup refused") : 0;
}

static int faulty_make(void *state, const struct mpb_workload_params *p, uint64_t i,
		       struct mpb_value *arg, struct mpb_diag *d)
{
	(void)state; (void)p; (void)d;
	*arg = mpb_value_int(i);
	return 0;
}

static int faulty_run(void *state, const struct mpb_value *arg, struct mpb_value *res,
		      struct mpb_diag *d)
{
	(void)state;
	if (arg->as.u == FAULTY_TASK)
		return mpb_fail(d, MPB_ERUN, "refused task");
	*res = mpb_value_int(arg->as.u + 1);
	return 0;
}

TEST_WORKLOAD(faulty, "faulty", "test: fails on one task or in setup",
	      faulty_setup, faulty_make, faulty_run, where_verify);

/* `stall`: two workers, one chunk each. Task 0 (first of worker 0) waits
 * until the last task (worker 1's) has run, then fails: the parent gives up
 * while worker 1 is writing a RESULTS frame far larger than a pipe holds. */
#define STALL_CHUNK 200000u
static atomic_int stall_last_done;

static int stall_run(void *state, const struct mpb_value *arg, struct mpb_value *res,
		     struct mpb_diag *d)
{
	(void)state;
	if (arg->as.u == 2 * STALL_CHUNK - 1)
		atomic_store(&stall_last_done, 1);
	if (arg->as.u == 0) {
		/* bounded: hang detection only */
		for (int k = 0; k < 20000 && !atomic_load(&stall_last_done); k++)
			nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
		return mpb_fail(d, MPB_ERUN, "stalled task gives up");
	}
	*res = mpb_value_int(arg->as.u);
	return 0;
}

TEST_WORKLOAD(stall, "stall", "test: fails while another worker writes",
	      NULL, faulty_make, stall_run, where_verify);

/* `gate`: every task blocks reading the test's gate pipe until the test
 * closes its write end (a task that never ends, for as long as the test
 * wants), then reads its argument, a byte string the thread borrows. */
static int gate_fd = -1;

static int gate_run(void *state, const struct mpb_value *arg, struct mpb_value *res,
		    struct mpb_diag *d)
{
	(void)state;
	char c;
	while (read(gate_fd, &c, 1) < 0 && errno == EINTR)
		;
	if (arg->type != MPB_VAL_BYTES)
		return mpb_fail(d, MPB_ERUN, "gate: bad argument");
	uint64_t sum = 0;
	for (size_t k = 0; k < arg->as.bytes.len; k++)
		sum += arg->as.bytes.data[k];
	*res = mpb_value_int(sum);
	return 0;
}

TEST_WORKLOAD(gate, "gate", "test: tasks wait until the test opens the gate",
	      NULL, where_make, gate_run, where_verify);

/* ---- a task set and its serial answers ---------------------------------- */

struct taskset {
	const struct mpb_workload_ops *w;
	struct mpb_workload_params wp;
	void *state;
	struct mpb_value *args, *want;
};

static void taskset_make(struct taskset *t, const struct mpb_workload_ops *w, uint64_t size,
			 uint64_t tasks, bool serial)
{
	struct mpb_diag d = { 0 };
	memset(t, 0, sizeof *t);
	t->w = w;
	t->wp = (struct mpb_workload_params){ size, tasks, 1, 0 };
	if (w->setup)
		assert_int_equal(w->setup(&t->wp, &t->state, &d), 0);
	t->args = calloc(tasks, sizeof *t->args);
	t->want = calloc(tasks, sizeof *t->want);
	assert_non_null(t->args);
	assert_non_null(t->want);
	for (uint64_t i = 0; i < tasks; i++) {
		assert_int_equal(w->make_task(t->state, &t->wp, i, &t->args[i], &d), 0);
		if (serial)
			assert_int_equal(w->run_task(t->state, &t->args[i], &t->want[i], &d), 0);
	}
}

static void taskset_free(struct taskset *t)
{
	mpb_value_clear_array(t->args, t->wp.tasks);
	mpb_value_clear_array(t->want, t->wp.tasks);
	free(t->args);
	free(t->want);
	if (t->w->teardown)
		t->w->teardown(t->state);
}

static struct mpb_pool_config thread_config(const struct taskset *t,
					    const struct mpb_codec_ops *codec, unsigned workers,
					    uint64_t chunk)
{
	return (struct mpb_pool_config){
		.method = &mpb_method_thread,
		.codec = codec,
		.transport = &mpb_transport_pipe,
		.workload = t->w,
		.wparams = t->wp,
		.workers = workers,
		.chunksize = chunk,
	};
}

static struct mpb_pool *start_ok(const struct mpb_pool_config *c)
{
	struct mpb_pool *p = NULL;
	struct mpb_diag d = { 0 };
	int rc = mpb_pool_start(c, &p, &d);
	if (rc != 0)
		fail_msg("pool start failed (%d): %s", rc, d.msg);
	assert_non_null(p);
	return p;
}

static struct mpb_value *map_ok(struct mpb_pool *p, const struct taskset *t)
{
	struct mpb_diag d = { 0 };
	struct mpb_value *res = calloc(t->wp.tasks, sizeof *res);
	assert_non_null(res);
	int rc = mpb_pool_map(p, t->args, t->wp.tasks, res, &d);
	if (rc != 0)
		fail_msg("map failed (%d): %s", rc, d.msg);
	return res;
}

static void free_results(struct mpb_value *res, uint64_t n)
{
	mpb_value_clear_array(res, n);
	free(res);
}

/* Map the task set twice over a thread pool and check every result against
 * the serial run and the workload's own check, then the report. */
static void check_map(const struct taskset *t, const struct mpb_codec_ops *codec,
		      unsigned workers, uint64_t chunk)
{
	size_t threads0 = threads_quiet(), fds0 = fds_now();
	uint64_t n = t->wp.tasks;
	struct mpb_pool_config c = thread_config(t, codec, workers, chunk);
	struct mpb_pool *p = start_ok(&c);
	assert_int_equal(threads_now(), threads0 + workers);

	for (int round = 0; round < 2; round++) {
		struct mpb_value *res = map_ok(p, t);
		for (uint64_t i = 0; i < n; i++) {
			struct mpb_diag d = { 0 };
			if (!mpb_value_equal(&res[i], &t->want[i]))
				fail_msg("%s, %u workers, chunk %llu, codec %s: task %llu differs "
					 "from the serial run", t->w->name, workers,
					 (unsigned long long)chunk, codec->name, (unsigned long long)i);
			if (t->w->verify(t->state, &t->wp, i, &t->args[i], &res[i], &d) != 0)
				fail_msg("verify: %s", d.msg);
		}
		free_results(res, n);
	}
	if (codec->flags & MPB_CODEC_BY_REF) {
		/* every task frame is out once the maps are done: a handle per
		 * value, whatever the value holds, since nothing is copied */
		uint64_t chunks = (n + chunk - 1) / chunk;
		uint64_t frame = MPB_FRAME_HEADER + 8 + 4;
		assert_int_equal(mpb_pool_report(p)->bytes_sent,
				 2 * (chunks * frame + n * sizeof(struct mpb_value)));
	}

	struct mpb_diag d = { 0 };
	int rc = mpb_pool_stop(p, &d);
	if (rc != 0)
		fail_msg("stop failed (%d): %s", rc, d.msg);
	const struct mpb_pool_report *r = mpb_pool_report(p);
	assert_int_equal(r->workers, workers);
	assert_true(r->startup_ns > 0);
	assert_true(r->map_ns > 0);
	assert_true(r->teardown_ns > 0);
	/* every task counted once per map, and by exactly one worker */
	assert_int_equal(r->tasks, 2 * n);
	uint64_t sum = 0, compute = 0, codec_ns = 0;
	for (unsigned k = 0; k < workers; k++) {
		const struct mpb_worker_report *w = &r->worker[k];
		sum += w->tasks;
		compute += w->compute_ns;
		codec_ns += w->codec_ns;
		/* a thread's READY names the harness itself */
		assert_int_equal(w->pid, getpid());
		assert_true(w->startup_ns <= r->startup_ns);
	}
	assert_int_equal(sum, r->tasks);
	assert_int_equal(compute, r->compute_ns);
	assert_int_equal(codec_ns, r->codec_workers_ns);
	mpb_pool_free(p);
	assert_int_equal(threads_settled(threads0), threads0);
	assert_int_equal(fds_now(), fds0);
}

static void check_matrix(const struct mpb_workload_ops *w, uint64_t size, uint64_t tasks,
			 const struct mpb_codec_ops *codec, unsigned max_workers)
{
	struct taskset t;
	taskset_make(&t, w, size, tasks, true);
	for (unsigned workers = 1; workers <= max_workers; workers++) {
		const uint64_t chunks[] = { 1, 3, 16, tasks, mpb_pool_python_chunksize(tasks, workers) };
		for (size_t k = 0; k < N_OF(chunks); k++)
			check_map(&t, codec, workers, chunks[k]);
	}
	taskset_free(&t);
}

/* ---- the none codec ----------------------------------------------------- */

static void test_none_registered(void **state)
{
	(void)state;
	assert_ptr_equal(mpb_codec_find("none"), &mpb_codec_none);
	assert_true(mpb_codec_none.flags & MPB_CODEC_BY_REF);
	assert_false(mpb_codec_raw.flags & MPB_CODEC_BY_REF);
	size_t n;
	const struct mpb_codec_ops *const *all = mpb_codec_all(&n);
	bool listed = false;
	for (size_t i = 0; i < n; i++)
		listed |= all[i] == &mpb_codec_none;
	assert_true(listed);
	assert_true(strlen(mpb_codec_none.summary) > 0);
}

/* Every value type round-trips as a reference: equal, and for byte strings
 * and lists the very same storage. */
static void test_none_round_trip_every_type(void **state)
{
	(void)state;
	struct mpb_value v[11];
	memset(v, 0, sizeof v);
	v[0].type = MPB_VAL_NONE;
	v[1] = mpb_value_int(0);
	v[2] = mpb_value_int(UINT64_MAX);
	v[3] = mpb_value_float(-0.0);
	v[4] = mpb_value_float(NAN);
	v[5] = mpb_value_float(1.5e300);
	assert_int_equal(mpb_value_set_bytes(&v[6], NULL, 0), 0);
	v[7] = bytes_of(100000, 3);
	assert_int_equal(mpb_value_set_list(&v[8], 0), 0);
	assert_int_equal(mpb_value_set_list(&v[9], 3), 0);
	v[9].as.list.items[0] = mpb_value_int(42);
	v[9].as.list.items[1] = bytes_of(5, 9);
	assert_int_equal(mpb_value_set_list(&v[9].as.list.items[2], 1), 0);
	v[9].as.list.items[2].as.list.items[0] = mpb_value_float(2.5);
	v[10] = bytes_of(1, 0);

	struct mpb_buf out = { 0 };
	struct mpb_diag d = { 0 };
	for (size_t i = 0; i < N_OF(v); i++)
		assert_int_equal(mpb_codec_none.encode(&v[i], &out, &d), 0);
	/* the 100000-byte string costs what an integer costs */
	assert_int_equal(out.len, N_OF(v) * sizeof(struct mpb_value));

	struct mpb_reader r = { out.data, out.len };
	for (size_t i = 0; i < N_OF(v); i++) {
		struct mpb_value got;
		assert_int_equal(mpb_codec_none.decode(&r, &got, &d), 0);
		assert_true(mpb_value_equal(&got, &v[i]));
		if (got.type == MPB_VAL_BYTES)
			assert_ptr_equal(got.as.bytes.data, v[i].as.bytes.data);
		if (got.type == MPB_VAL_LIST)
			assert_ptr_equal(got.as.list.items, v[i].as.list.items);
		/* got borrows v[i]'s storage: forgotten, never cleared */
	}
	assert_int_equal(r.left, 0);
	mpb_buf_free(&out);
	mpb_value_clear_array(v, N_OF(v));
}

/* A result's storage moves: the sender forgets its value after encoding and
 * the decoded value is the only owner (ASan: no leak, no double free). */
static void test_none_moves_ownership(void **state)
{
	(void)state;
	struct mpb_value v = { 0 }, copy = { 0 }, got = { 0 };
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_value_set_list(&v, 2), 0);
	v.as.list.items[0] = bytes_of(300, 1);
	assert_int_equal(mpb_value_set_list(&v.as.list.items[1], 1), 0);
	v.as.list.items[1].as.list.items[0] = bytes_of(7, 2);
	assert_int_equal(mpb_value_copy(&copy, &v), 0);
	const struct mpb_value *items = v.as.list.items;

	struct mpb_buf out = { 0 };
	assert_int_equal(mpb_codec_none.encode(&v, &out, &d), 0);
	memset(&v, 0, sizeof v); /* what the worker does with a result sent by reference */
	struct mpb_reader r = { out.data, out.len };
	assert_int_equal(mpb_codec_none.decode(&r, &got, &d), 0);
	assert_ptr_equal(got.as.list.items, items);
	assert_true(mpb_value_equal(&got, &copy));
	mpb_value_clear(&got);
	mpb_value_clear(&copy);
	mpb_buf_free(&out);
}

/* Only the meaningful fields go out; whatever else the value's memory held
 * is zero on the wire (no uninitialized bytes written to a pipe). */
static void test_none_writes_no_stray_bytes(void **state)
{
	(void)state;
	for (int type = MPB_VAL_NONE; type <= MPB_VAL_LIST; type++) {
		struct mpb_value v, want;
		memset(&v, 0xab, sizeof v);
		memset(&want, 0, sizeof want);
		v.type = want.type = (enum mpb_vtype)type;
		uint8_t dummy[4];
		switch (type) {
		case MPB_VAL_INT: v.as.u = want.as.u = 77; break;
		case MPB_VAL_FLOAT: v.as.f = want.as.f = 0.5; break;
		case MPB_VAL_BYTES:
			v.as.bytes.data = want.as.bytes.data = dummy;
			v.as.bytes.len = want.as.bytes.len = sizeof dummy;
			break;
		case MPB_VAL_LIST:
			v.as.list.items = want.as.list.items = (struct mpb_value *)&want;
			v.as.list.len = want.as.list.len = 1;
			break;
		default: break;
		}
		struct mpb_buf out = { 0 };
		struct mpb_diag d = { 0 };
		assert_int_equal(mpb_codec_none.encode(&v, &out, &d), 0);
		assert_int_equal(out.len, sizeof want);
		assert_memory_equal(out.data, &want, sizeof want);
		mpb_buf_free(&out);
	}
}

static void test_none_rejects_bad_input(void **state)
{
	(void)state;
	struct mpb_diag d = { 0 };
	struct mpb_buf out = { 0 };
	struct mpb_value v = mpb_value_int(5), got;

	/* unknown type: refused, nothing appended */
	v.type = (enum mpb_vtype)42;
	assert_true(mpb_codec_none.encode(&v, &out, &d) < 0);
	assert_int_equal(out.len, 0);
	assert_contains(d.msg, "none codec");

	/* truncated: one byte short of a handle */
	v = mpb_value_int(5);
	assert_int_equal(mpb_codec_none.encode(&v, &out, &d), 0);
	struct mpb_reader r = { out.data, out.len - 1 };
	memset(&got, 0x5a, sizeof got);
	assert_true(mpb_codec_none.decode(&r, &got, &d) < 0);
	assert_int_equal(got.type, MPB_VAL_NONE);
	assert_contains(d.msg, "truncated");

	/* a handle with a type no value has */
	struct mpb_value bad;
	memset(&bad, 0, sizeof bad);
	bad.type = (enum mpb_vtype)99;
	mpb_buf_reset(&out);
	assert_int_equal(mpb_buf_append(&out, &bad, sizeof bad), 0);
	r = (struct mpb_reader){ out.data, out.len };
	assert_true(mpb_codec_none.decode(&r, &got, &d) < 0);
	assert_int_equal(got.type, MPB_VAL_NONE);
	mpb_buf_free(&out);
}

/* ---- the thread method -------------------------------------------------- */

static void test_thread_registered(void **state)
{
	(void)state;
	assert_ptr_equal(mpb_method_find("thread"), &mpb_method_thread);
	assert_true(mpb_method_thread.flags & MPB_METHOD_INPROC);
	assert_false(mpb_method_fork.flags & MPB_METHOD_INPROC);
	assert_non_null(mpb_method_thread.launch);
	assert_non_null(mpb_method_thread.reap);
	assert_non_null(mpb_method_thread.kill);
	assert_non_null(mpb_method_thread.abandoned);
	/* what sets each method apart is a flag or a field, read by the plan,
	 * the pool and the driver instead of comparing names */
	assert_ptr_equal(mpb_method_thread.codec, &mpb_codec_none);
	assert_true(mpb_method_forkserver.flags & MPB_METHOD_NOT_CHILDREN);
	assert_false(mpb_method_fork.flags & MPB_METHOD_NOT_CHILDREN);
	assert_string_equal(mpb_method_spawn.launch_call, "posix_spawn");
	size_t n;
	const struct mpb_method_ops *const *all = mpb_method_all(&n);
	for (size_t i = 0; i < n; i++) {
		assert_non_null(all[i]->launch_call);
		/* a fixed codec is one that only an in-process method can use */
		if (all[i]->codec)
			assert_true((all[i]->flags & MPB_METHOD_INPROC) &&
				    (all[i]->codec->flags & MPB_CODEC_BY_REF));
		/* only a method whose workers cannot be killed abandons any */
		if (all[i]->abandoned)
			assert_true(all[i]->flags & MPB_METHOD_INPROC);
	}
}

static void test_map_null(void **state)
{
	(void)state;
	check_matrix(&mpb_workload_null, 0, 101, &mpb_codec_none, 8);
}

static void test_map_sumsq(void **state)
{
	(void)state;
	check_matrix(&mpb_workload_sumsq, 3000, 37, &mpb_codec_none, 8);
}

static void test_map_bytes_and_lists(void **state)
{
	(void)state;
	check_matrix(&shapes, 0, 73, &mpb_codec_none, 8);
}

/* The same frames carry copies too: a thread pool with the raw codec. */
static void test_map_bytes_and_lists_raw(void **state)
{
	(void)state;
	check_matrix(&shapes, 0, 41, &mpb_codec_raw, 3);
}

/* With none the worker reads the caller's argument in place and the parent
 * receives the worker's own result storage; with raw both are copies. */
static void test_values_pass_by_reference(void **state)
{
	(void)state;
	const struct mpb_codec_ops *codecs[] = { &mpb_codec_none, &mpb_codec_raw };
	for (size_t c = 0; c < N_OF(codecs); c++) {
		struct taskset t;
		taskset_make(&t, &where, 0, 20, false);
		struct mpb_pool_config cfg = thread_config(&t, codecs[c], 3, 2);
		struct mpb_pool *p = start_ok(&cfg);
		struct mpb_value *res = map_ok(p, &t);
		for (uint64_t i = 0; i < t.wp.tasks; i++) {
			const struct mpb_value *it = res[i].as.list.items;
			assert_int_equal(res[i].type, MPB_VAL_LIST);
			uint64_t arg_seen = (uint64_t)(uintptr_t)t.args[i].as.bytes.data;
			uint64_t res_made = (uint64_t)(uintptr_t)it[1].as.bytes.data;
			if (codecs[c] == &mpb_codec_none) {
				assert_int_equal(it[0].as.u, arg_seen);
				assert_int_equal(it[2].as.u, res_made);
			} else {
				assert_int_not_equal(it[0].as.u, arg_seen);
			}
		}
		free_results(res, t.wp.tasks);
		struct mpb_diag d = { 0 };
		assert_int_equal(mpb_pool_stop(p, &d), 0);
		mpb_pool_free(p);
		taskset_free(&t);
	}
}

/* Freed without a stop, idle or after a map: every thread ends, every
 * descriptor is closed. */
static void test_free_without_stop(void **state)
{
	(void)state;
	size_t threads0 = threads_quiet(), fds0 = fds_now();
	struct taskset t;
	taskset_make(&t, &shapes, 0, 30, true);
	for (int with_map = 0; with_map < 2; with_map++) {
		struct mpb_pool_config c = thread_config(&t, &mpb_codec_none, 4, 2);
		struct mpb_pool *p = start_ok(&c);
		assert_int_equal(threads_now(), threads0 + 4);
		if (with_map) {
			struct mpb_value *res = map_ok(p, &t);
			for (uint64_t i = 0; i < t.wp.tasks; i++)
				assert_true(mpb_value_equal(&res[i], &t.want[i]));
			free_results(res, t.wp.tasks);
		}
		mpb_pool_free(p);
		assert_int_equal(threads_settled(threads0), threads0);
		assert_int_equal(fds_now(), fds0);
	}
	taskset_free(&t);
	mpb_pool_free(NULL);
}

static void test_task_failure(void **state)
{
	(void)state;
	size_t threads0 = threads_quiet(), fds0 = fds_now();
	struct taskset t;
	taskset_make(&t, &faulty, 0, 50, false);
	struct mpb_pool_config c = thread_config(&t, &mpb_codec_none, 3, 4);
	struct mpb_pool *p = start_ok(&c);
	struct mpb_value res[50];
	memset(res, 0, sizeof res);
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_pool_map(p, t.args, t.wp.tasks, res, &d), -MPB_ERUN);
	assert_contains(d.msg, "task 17");
	assert_contains(d.msg, "refused task");
	/* a failed pool refuses to go on */
	assert_true(mpb_pool_stop(p, &d) < 0);
	mpb_pool_free(p);
	mpb_value_clear_array(res, N_OF(res));
	assert_int_equal(threads_settled(threads0), threads0);
	assert_int_equal(fds_now(), fds0);
	taskset_free(&t);
}

static void test_setup_failure(void **state)
{
	(void)state;
	size_t threads0 = threads_quiet(), fds0 = fds_now();
	struct taskset t;
	taskset_make(&t, &faulty, 0, 4, false);
	struct mpb_pool_config c = thread_config(&t, &mpb_codec_none, 3, 1);
	c.wparams.seed = 13;
	struct mpb_pool *p = NULL;
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_pool_start(&c, &p, &d), -MPB_ERUN);
	assert_contains(d.msg, "setup refused");
	mpb_pool_free(p);
	assert_int_equal(threads_settled(threads0), threads0);
	assert_int_equal(fds_now(), fds0);
	taskset_free(&t);
}

static void test_interrupted_map(void **state)
{
	(void)state;
	size_t threads0 = threads_quiet();
	struct taskset t;
	taskset_make(&t, &mpb_workload_sumsq, 20000, 64, false);
	volatile sig_atomic_t stop = 0;
	struct mpb_pool_config c = thread_config(&t, &mpb_codec_none, 2, 1);
	c.stop_flag = &stop;
	struct mpb_pool *p = start_ok(&c);
	stop = 1;
	struct mpb_value res[64];
	memset(res, 0, sizeof res);
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_pool_map(p, t.args, t.wp.tasks, res, &d), -MPB_EINTR);
	mpb_pool_free(p);
	mpb_value_clear_array(res, N_OF(res));
	assert_int_equal(threads_settled(threads0), threads0);
	taskset_free(&t);
}

/* The pool gives up while a worker is blocked writing a frame larger than
 * the pipe holds: that worker never reads the EOF of its task pipe, so
 * freeing the pool must also close the result pipe to let it go. */
static void test_free_releases_blocked_writer(void **state)
{
	(void)state;
	size_t threads0 = threads_quiet(), fds0 = fds_now();
	atomic_store(&stall_last_done, 0);
	struct taskset t;
	taskset_make(&t, &stall, 0, 2 * STALL_CHUNK, false);
	struct mpb_pool_config c = thread_config(&t, &mpb_codec_none, 2, STALL_CHUNK);
	struct mpb_pool *p = start_ok(&c);
	struct mpb_value *res = calloc(t.wp.tasks, sizeof *res);
	assert_non_null(res);
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_pool_map(p, t.args, t.wp.tasks, res, &d), -MPB_ERUN);
	assert_contains(d.msg, "stalled task gives up");
	assert_int_equal(atomic_load(&stall_last_done), 1);
	mpb_pool_free(p);
	assert_int_equal(threads_settled(threads0), threads0);
	assert_int_equal(fds_now(), fds0);
	free_results(res, t.wp.tasks);
	taskset_free(&t);
}

/* ---- the plan's codec axis ---------------------------------------------- */

static struct mpb_machine fake_machine(void)
{
	struct mpb_machine m;
	memset(&m, 0, sizeof m);
	m.online_cpus = m.affinity_cpus = m.usable_cpus = 4;
	m.max_user_processes = -1;
	return m;
}

static int build(int argc, char **argv, struct mpb_plan *p, struct mpb_diag *d)
{
	struct mpb_config cfg;
	struct mpb_machine m = fake_machine();
	mpb_diag_clear(d);
	int rc = mpb_options_parse(MPB_CMD_SWEEP, argc, argv, &cfg, d);
	if (rc != 0)
		fail_msg("options rejected (%d): %s", rc, d->msg);
	return mpb_plan_build(&cfg, &m, p, d);
}

static void test_plan_thread_forces_none(void **state)
{
	(void)state;
	struct mpb_plan p;
	struct mpb_diag d;

	/* the default codec (raw) applies to fork; thread gets none */
	assert_int_equal(build(ARGS("-w", "null", "-m", "fork,thread", "-j", "1,2"), &p, &d), 0);
	assert_int_equal(p.npoints, 4);
	for (size_t i = 0; i < p.npoints; i++) {
		const struct mpb_point *pt = &p.points[i];
		if (pt->method == &mpb_method_thread)
			assert_ptr_equal(pt->codec, &mpb_codec_none);
		else
			assert_ptr_equal(pt->codec, &mpb_codec_raw);
	}
	mpb_plan_free(&p);

	/* several codecs do not multiply thread points */
	assert_int_equal(build(ARGS("-w", "null", "-m", "thread", "--codec", "raw,none", "-j",
				    "1,2,3"), &p, &d), 0);
	assert_int_equal(p.npoints, 3);
	unsigned seen = 0;
	for (size_t i = 0; i < p.npoints; i++) {
		assert_ptr_equal(p.points[i].method, &mpb_method_thread);
		assert_ptr_equal(p.points[i].codec, &mpb_codec_none);
		seen |= 1u << p.points[i].workers;
	}
	assert_int_equal(seen, 0xe);
	assert_int_equal(json_integer_value(json_object_get(p.config, "points")), 3);
	mpb_plan_free(&p);

	assert_int_equal(build(ARGS("-w", "sumsq", "-m", "thread", "--codec", "none", "-j", "2"),
			       &p, &d), 0);
	assert_int_equal(p.npoints, 1);
	assert_ptr_equal(p.points[0].codec, &mpb_codec_none);
	mpb_plan_free(&p);
}

static void test_plan_rejects_none_across_processes(void **state)
{
	(void)state;
	struct mpb_plan p;
	struct mpb_diag d;
	static const struct mpb_plan zero;

	memset(&p, 0x5a, sizeof p);
	assert_int_equal(build(ARGS("-w", "null", "-m", "fork", "--codec", "none"), &p, &d),
			 -MPB_EINPUT);
	assert_int_equal(d.code, MPB_EINPUT);
	assert_contains(d.msg, "--codec none works only with -m thread");
	assert_contains(d.msg, "fork");
	assert_memory_equal(&p, &zero, sizeof p);

	/* one process method in the list is enough */
	assert_int_equal(build(ARGS("-w", "null", "-m", "thread,fork", "--codec", "raw,none"), &p,
			       &d), -MPB_EINPUT);
	assert_contains(d.msg, "--codec none works only with -m thread");
	assert_memory_equal(&p, &zero, sizeof p);
}

/* ---- worker memory ------------------------------------------------------ */

/* Threads share the harness's memory: they have nothing of their own to
 * report, and say so rather than report the whole process. */
static void test_threads_report_no_memory(void **state)
{
	(void)state;
	struct taskset t;
	taskset_make(&t, &shapes, 0, 40, true);
	struct mpb_pool_config c = thread_config(&t, &mpb_codec_none, 3, 4);
	struct mpb_pool *p = start_ok(&c);
	struct mpb_value *res = map_ok(p, &t);
	free_results(res, t.wp.tasks);
	struct mpb_diag d = { 0 };
	int rc = mpb_pool_stop(p, &d);
	if (rc != 0)
		fail_msg("stop failed (%d): %s", rc, d.msg);
	const struct mpb_pool_report *r = mpb_pool_report(p);
	assert_int_equal(r->workers, 3);
	uint64_t tasks = 0;
	for (unsigned i = 0; i < r->workers; i++) {
		const struct mpb_worker_report *w = &r->worker[i];
		tasks += w->tasks;
		assert_false(w->has_memory);
		assert_int_equal(w->rss_kb, 0);
		assert_int_equal(w->pss_kb, 0);
		assert_int_equal(w->private_dirty_kb, 0);
	}
	/* the BYE frames did arrive: their counts are there */
	assert_int_equal(tasks, t.wp.tasks);
	mpb_pool_free(p);
	taskset_free(&t);
}

/* ---- threads that cannot be stopped ------------------------------------- */

static void sleep_ms(long ms)
{
	nanosleep(&(struct timespec){ ms / 1000, (ms % 1000) * 1000000 }, NULL);
}

/* Every worker stuck in a task past --task-timeout: the map fails naming the
 * limit, and freeing the pool returns (bounded, not when the tasks end)
 * with the threads abandoned, still running and blocked. When the tasks do
 * end later, the threads read their borrowed arguments, write their results
 * (into the shm ring, which must still be mapped), find their pipes closed
 * and end, leaving no thread or descriptor behind. A record or a ring freed
 * too early shows as a crash, or under ASan. */
static void test_hung_threads_abandoned(void **state)
{
	(void)state;
	static const char *const transports[] = { "pipe", "shm" };
	size_t threads0 = threads_quiet(), fds0 = fds_now();
	unsigned running = 99, n0 = mpb_method_abandoned(&running);
	assert_int_equal(running, 0);
	int g[2];
	assert_int_equal(pipe(g), 0);
	gate_fd = g[0];
	struct taskset t;
	taskset_make(&t, &gate, 0, 8, false);
	struct mpb_value res[8];
	memset(res, 0, sizeof res);
	for (size_t k = 0; k < N_OF(transports); k++) {
		struct mpb_pool_config c = thread_config(&t, &mpb_codec_none, 2, 1);
		c.transport = mpb_transport_find(transports[k]);
		c.task_timeout_ns = 200000000ull;
		struct mpb_pool *p = start_ok(&c);
		struct mpb_diag d = { 0 };
		assert_int_equal(mpb_pool_map(p, t.args, t.wp.tasks, res, &d), -MPB_ERUN);
		assert_contains(d.msg, "exceeded --task-timeout 0.2 s");
		assert_contains(d.msg, "(thread)");
		assert_contains(d.msg, "it was told to stop"); /* a thread is not killed */
		assert_int_equal(d.cause, MPB_CAUSE_TASK_TIMEOUT);
		uint64_t t0 = mpb_now_ns();
		mpb_pool_free(p);
		/* hang detection only: the tasks never end while the gate is shut */
		assert_true(mpb_now_ns() - t0 < 60000000000ull);
	}
	assert_int_equal(mpb_method_abandoned(&running), n0 + 4);
	assert_int_equal(running, 4);
	assert_int_equal(threads_now(), threads0 + 4);
	/* the tasks end: the threads find nobody listening and end too */
	close(g[1]);
	for (int k = 0; k < 60000 && (running > 0 || threads_now() != threads0); k++) {
		sleep_ms(1);
		mpb_method_abandoned(&running);
	}
	assert_int_equal(running, 0);
	assert_int_equal(mpb_method_abandoned(NULL), n0 + 4);
	assert_int_equal(threads_settled(threads0), threads0);
	close(g[0]);
	gate_fd = -1;
	assert_int_equal(fds_now(), fds0);
	taskset_free(&t);
}

/* The sweep side: a point whose thread worker is stuck (sleep for an hour,
 * --task-timeout 0.2 s) fails with the timeout and the abandonment in its
 * error, the sweep is marked to stop, and freeing it keeps the baseline's
 * arguments the thread borrowed with codec none. Leaves that thread
 * asleep: keep this test last. */
static void test_sweep_keeps_what_an_abandoned_thread_borrows(void **state)
{
	(void)state;
	struct mpb_plan plan;
	struct mpb_diag d = { 0 };
	assert_int_equal(build(ARGS("-w", "sleep", "-s", "3600s", "-t", "2", "-c", "1", "-j", "1",
				    "-m", "thread", "--no-ceiling"), &plan, &d), 0);
	assert_int_equal(plan.npoints, 1);
	struct mpb_sweep s = { .plan = &plan, .task_timeout_ns = 200000000ull };
	struct mpb_sample smp;
	uint64_t t0 = mpb_now_ns();
	assert_int_equal(mpb_sweep_run_point(&s, 0, &smp, &d), -MPB_ERUN);
	assert_true(mpb_now_ns() - t0 < 60000000000ull); /* hang detection only */
	assert_contains(d.msg, "exceeded --task-timeout 0.2 s");
	assert_contains(d.msg, "left running");
	assert_int_equal(d.cause, MPB_CAUSE_TASK_TIMEOUT); /* the cause that failed the run */
	assert_true(s.thread_abandoned);
	const struct mpb_value *args = mpb_sweep_baseline_args(&s, plan.points[0].baseline);
	assert_non_null(args);
	mpb_sweep_free(&s);
	assert_null(s.run);
	assert_null(s.data.bls);
	/* still the baseline's: freed, ASan would say so here */
	assert_int_equal(args[0].type, MPB_VAL_INT);
	assert_int_equal(args[1].as.u, 1);
	mpb_plan_free(&plan);
}


int main(void)
{
	/* as the harness does (cli.c): a write to a worker that went away is
	 * an EPIPE the pool handles, not a signal that ends the process */
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_none_registered),
		cmocka_unit_test(test_none_round_trip_every_type),
		cmocka_unit_test(test_none_moves_ownership),
		cmocka_unit_test(test_none_writes_no_stray_bytes),
		cmocka_unit_test(test_none_rejects_bad_input),
		cmocka_unit_test(test_thread_registered),
		cmocka_unit_test(test_map_null),
		cmocka_unit_test(test_map_sumsq),
		cmocka_unit_test(test_map_bytes_and_lists),
		cmocka_unit_test(test_map_bytes_and_lists_raw),
		cmocka_unit_test(test_values_pass_by_reference),
		cmocka_unit_test(test_free_without_stop),
		cmocka_unit_test(test_task_failure),
		cmocka_unit_test(test_setup_failure),
		cmocka_unit_test(test_interrupted_map),
		cmocka_unit_test(test_free_releases_blocked_writer),
		cmocka_unit_test(test_plan_thread_forces_none),
		cmocka_unit_test(test_plan_rejects_none_across_processes),
		cmocka_unit_test(test_threads_report_no_memory),
		/* last: they leave threads behind */
		cmocka_unit_test(test_hung_threads_abandoned),
		cmocka_unit_test(test_sweep_keeps_what_an_abandoned_thread_borrows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
