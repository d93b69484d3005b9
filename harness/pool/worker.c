/* worker.c — the worker loop shared by every start method (see worker.h).
 * Each chunk is timed in three phases (decode all, run all, encode all) so the
 * clock is read a handful of times per chunk, not per task. */
#include "worker.h"

#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "clock.h"
#include "frame.h"
#include "inject.h"

/* The CPU this worker runs on now, for the parent's wake-up order (wake.h);
 * UINT32_MAX when the kernel does not say. */
static uint32_t this_cpu(void)
{
	int c = sched_getcpu();
	return c < 0 ? UINT32_MAX : (uint32_t)c;
}

struct wstate {
	const struct mpb_worker_args *a;
	void *wl_state;
	struct mpb_buf in, out;
	struct mpb_value *args, *res;
	size_t cap;
	struct mpb_frame_bye bye;
	struct mpb_counter_handle counters;
	struct mpb_endpoint ep;  /* the worker's side of the channel (transport.h) */
	bool own_chan;           /* ep.ch was attached here, so unmapped here */
	uint64_t serve0;         /* READY sent: the start of the window BYE reports */
	bool cleaned;            /* clean_up ran */
};

static int send_buf(struct wstate *w)
{
	uint64_t t0 = mpb_now_ns();
	int rc = mpb_transport_write_all(&w->ep, w->out.data, w->out.len);
	w->bye.send_ns += mpb_now_ns() - t0;
	mpb_buf_reset(&w->out);
	return rc;
}

/* How a test-only corrupt frame (inject.h) reaches the parent: as results do. */
static int inject_send(void *ctx, const void *p, size_t n)
{
	struct wstate *w = ctx;
	return mpb_transport_write_all(&w->ep, p, n);
}

/* The worker's endpoint: the transport's shared state comes inherited
 * (fork, thread) or from a descriptor (a fresh image). */
static int open_endpoint(struct wstate *w, struct mpb_diag *d)
{
	const struct mpb_worker_args *a = w->a;
	w->ep = (struct mpb_endpoint){ .ops = a->transport,
				       .in_fd = a->in_fd, .out_fd = a->out_fd, .ch = a->chan,
				       .worker = true };
	if (!w->ep.ops->attach || w->ep.ch)
		return 0;
	if (a->chan_fd < 0)
		return mpb_fail(d, MPB_ERUN, "transport %s: no channel descriptor", w->ep.ops->name);
	int rc = w->ep.ops->attach(&w->ep.ch, a->chan_fd, d);
	w->own_chan = rc == 0;
	return rc;
}

/* Tell the parent why this worker gives up; best effort. */
static void send_error(struct wstate *w, uint64_t task, const char *msg)
{
	mpb_buf_reset(&w->out);
	long h = mpb_frame_begin(&w->out, MPB_FRAME_ERROR);
	if (h < 0 || mpb_buf_put_u64(&w->out, task) < 0 ||
	    mpb_buf_append(&w->out, msg, strlen(msg)) < 0 || mpb_frame_end(&w->out, h) < 0)
		return;
	send_buf(w);
}

static int grow(struct wstate *w, size_t n)
{
	if (n <= w->cap)
		return 0;
	struct mpb_value *a = realloc(w->args, n * sizeof *a);
	if (!a)
		return -1;
	w->args = a;
	struct mpb_value *r = realloc(w->res, n * sizeof *r);
	if (!r)
		return -1;
	w->res = r;
	memset(w->args + w->cap, 0, (n - w->cap) * sizeof *a);
	memset(w->res + w->cap, 0, (n - w->cap) * sizeof *r);
	w->cap = n;
	return 0;
}

static int run_chunk(struct wstate *w, const struct mpb_frame *f)
{
	const struct mpb_worker_args *a = w->a;
	struct mpb_diag d = { 0 };
	struct mpb_reader r = { f->payload, f->len };
	uint64_t first;
	uint32_t count;
	int rc = 0;

	if (mpb_rd_u64(&r, &first) < 0 || mpb_rd_u32(&r, &count) < 0 || count > r.left) {
		send_error(w, 0, "malformed TASKS frame");
		return -1;
	}
	if (grow(w, count) < 0) {
		send_error(w, first, "out of memory");
		return -1;
	}
	uint64_t t0 = mpb_now_ns();
	for (uint32_t k = 0; k < count && rc == 0; k++)
		if ((rc = a->codec->decode(&r, &w->args[k], &d)) < 0)
			send_error(w, first + k, d.msg);
	uint64_t t1 = mpb_now_ns();
	for (uint32_t k = 0; k < count && rc == 0; k++)
		if ((rc = a->workload->run_task(w->wl_state, &w->args[k], &w->res[k], &d)) < 0)
			send_error(w, first + k, d.msg);
	uint64_t t2 = mpb_now_ns();
	long h = -1;
	size_t stamp = 0;
	if (rc == 0) {
		h = mpb_frame_begin(&w->out, MPB_FRAME_RESULTS);
		if (h < 0 || mpb_buf_put_u64(&w->out, first) < 0 || mpb_buf_put_u32(&w->out, count) < 0)
			rc = -1;
		stamp = w->out.len;
		if (rc == 0 && (mpb_buf_put_u64(&w->out, 0) < 0 || mpb_buf_put_u64(&w->out, 0) < 0 ||
				mpb_buf_put_u32(&w->out, this_cpu()) < 0))
			rc = -1;
		for (uint32_t k = 0; k < count && rc == 0; k++)
			if ((rc = a->codec->encode(&w->res[k], &w->out, &d)) < 0)
				send_error(w, first + k, d.msg);
	}
	uint64_t t3 = mpb_now_ns();
	if (a->codec->flags & MPB_CODEC_BY_REF) {
		/* args are still the caller's; results encoded by reference are
		 * now the parent's (unsent ones, after a failure, stay ours) */
		memset(w->args, 0, count * sizeof *w->args);
		if (rc == 0)
			memset(w->res, 0, count * sizeof *w->res);
	}
	mpb_value_clear_array(w->args, count);
	mpb_value_clear_array(w->res, count);
	if (rc < 0)
		return -1;
	uint64_t compute = t2 - t1, codec = (t1 - t0) + (t3 - t2);
	memcpy(w->out.data + stamp, &compute, 8);
	memcpy(w->out.data + stamp + 8, &codec, 8);
	if (mpb_frame_end(&w->out, h) < 0) {
		mpb_buf_reset(&w->out);
		send_error(w, first, "results of the chunk exceed the 1 GiB frame limit");
		return -1;
	}
	w->bye.tasks += count;
	w->bye.compute_ns += compute;
	w->bye.codec_ns += codec;
	return send_buf(w) < 0 ? -2 : 0;
}

/* READY, with the page faults taken so far: after a fork the child faults
 * in each page of code it runs and copies each page it writes, which is
 * most of what its start-up costs beyond fork+exit+wait (results/README.md,
 * startup_timeline). Reading them is the harness's cost: instrumentation. */
static int send_ready(struct wstate *w, uint64_t running_ns, uint64_t counted_ns)
{
	struct rusage ru;
	uint64_t g0 = mpb_now_ns(), faults = 0;
	if (getrusage(w->a->rusage_who, &ru) == 0)
		faults = (uint64_t)ru.ru_minflt + (uint64_t)ru.ru_majflt;
	uint64_t ready_ns = mpb_now_ns();
	w->bye.instrumentation_ns += ready_ns - g0;
	long h = mpb_frame_begin(&w->out, MPB_FRAME_READY);
	if (h < 0 || mpb_buf_put_u32(&w->out, w->a->index) < 0 ||
	    mpb_buf_put_u64(&w->out, (uint64_t)getpid()) < 0 ||
	    mpb_buf_put_u64(&w->out, ready_ns) < 0 ||
	    mpb_buf_put_u64(&w->out, running_ns) < 0 || mpb_buf_put_u64(&w->out, counted_ns) < 0 ||
	    mpb_buf_put_u64(&w->out, faults) < 0 || mpb_buf_put_u32(&w->out, this_cpu()) < 0 ||
	    mpb_frame_end(&w->out, h) < 0)
		return -1;
	return send_buf(w);
}

/* Rss, Pss and Private_Dirty of this process, from smaps_rollup (kB). */
static void read_memory(struct mpb_frame_bye *b)
{
	FILE *f = fopen("/proc/self/smaps_rollup", "re");
	char line[256];
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		unsigned long long v;
		if (sscanf(line, "Rss: %llu kB", &v) == 1)
			b->rss_kb = v;
		else if (sscanf(line, "Pss: %llu kB", &v) == 1)
			b->pss_kb = v;
		else if (sscanf(line, "Private_Dirty: %llu kB", &v) == 1)
			b->private_dirty_kb = v;
	}
	fclose(f);
}

/* Free what the worker holds but its channel: after BYE it only waits for
 * EOF. Idempotent. */
static void clean_up(struct wstate *w)
{
	mpb_counters_close(&w->counters);
	if (w->cleaned)
		return;
	w->cleaned = true;
	if (w->a->workload->teardown)
		w->a->workload->teardown(w->wl_state);
	free(w->args);
	free(w->res);
	w->args = w->res = NULL;
	w->cap = 0;
}

/* The read-out after STOP: counters, usage, memory, then the worker's own
 * clean-up, and only then BYE, so that when the parent has every BYE no
 * worker does anything of the harness's any more: the teardown window it
 * opens next holds the workers' exits only (pool.c, mpb_pool_stop). */
static int send_bye(struct wstate *w)
{
	struct rusage ru;
	/* first, so that saying goodbye is not counted as serving */
	mpb_counters_read(&w->counters, &w->bye.counters);
	w->bye.serve_ns = mpb_now_ns() - w->serve0;
	mpb_counters_close(&w->counters);
	if (getrusage(w->a->rusage_who, &ru) == 0) {
		w->bye.nvcsw = (uint64_t)ru.ru_nvcsw;
		w->bye.nivcsw = (uint64_t)ru.ru_nivcsw;
		w->bye.minflt = (uint64_t)ru.ru_minflt;
		w->bye.majflt = (uint64_t)ru.ru_majflt;
		w->bye.maxrss_kb = (uint64_t)ru.ru_maxrss;
	}
	if (w->a->rusage_who == RUSAGE_SELF)
		read_memory(&w->bye);
	clean_up(w);
	w->bye.cpu = this_cpu();
	long h = mpb_frame_begin(&w->out, MPB_FRAME_BYE);
	if (h < 0 || mpb_buf_append(&w->out, &w->bye, sizeof w->bye) < 0 ||
	    mpb_frame_end(&w->out, h) < 0)
		return -1;
	return send_buf(w);
}

int mpb_worker_main(const struct mpb_worker_args *a)
{
	struct wstate w = { .a = a };
	struct mpb_diag d = { 0 };
	int status = 1;

	/* count this thread from here to BYE, whatever started it (counters.h);
	 * inside the start-up window, so timed as the harness's own cost */
	uint64_t i0 = mpb_now_ns();
	mpb_counters_open(&w.counters, a->counters, &mpb_counter_source_perf);
	uint64_t i1 = mpb_now_ns();
	w.bye.instrumentation_ns = i1 - i0;
	if (open_endpoint(&w, &d) < 0) {
		/* nothing to send an ERROR through but the pipe */
		w.ep.ops = &mpb_transport_pipe;
		send_error(&w, 0, d.msg);
		goto out;
	}
	if (a->workload->setup && a->workload->setup(&a->wparams, &w.wl_state, &d) < 0) {
		send_error(&w, 0, d.msg);
		goto out;
	}
	if (send_ready(&w, i0, i1) < 0) {
		status = 3;
		goto out;
	}
	/* the overhead split's window: compute, codec, idle and send all lie
	 * in it, so they cannot add up to more (overhead.h) */
	w.bye.send_ns = 0;
	w.serve0 = mpb_now_ns();
	for (;;) {
		struct mpb_frame f;
		uint64_t t0 = mpb_now_ns();
		int rc = mpb_transport_read_frame(&w.ep, &w.in, &f, &d);
		w.bye.idle_ns += mpb_now_ns() - t0;
		if (rc == 0) {
			status = 3; /* the parent went away */
			goto out;
		}
		if (rc < 0) {
			send_error(&w, 0, d.msg);
			goto out;
		}
		if (f.type == MPB_FRAME_STOP)
			break;
		if (f.type != MPB_FRAME_TASKS) {
			send_error(&w, 0, "unexpected frame from the parent");
			goto out;
		}
		if (a->rusage_who == RUSAGE_SELF) /* test-only faults (inject.h) */
			mpb_inject_worker(a->index, w.bye.tasks, inject_send, &w);
		else /* a thread: hang only */
			mpb_inject_thread_worker(a->index, w.bye.tasks);
		rc = run_chunk(&w, &f);
		if (rc == -2) {
			status = 3;
			goto out;
		}
		if (rc < 0)
			goto out;
	}
	status = send_bye(&w) < 0 ? 3 : 0;
	if (status == 0) {
		/* the parent closes its end to start the teardown window */
		struct mpb_frame f;
		int rc = mpb_transport_read_frame(&w.ep, &w.in, &f, &d);
		status = rc == 0 ? 0 : 1;
	}
out:
	clean_up(&w);
	if (w.own_chan)
		w.ep.ops->destroy(w.ep.ch);
	mpb_buf_free(&w.in);
	mpb_buf_free(&w.out);
	return status;
}
