/* pool.c — the parent side of the process pool, shared by every start method.
 *
 * The parent multiplexes all worker pipes with poll(2) and never blocks on one
 * worker: writes are non-blocking from a per-worker output buffer, reads fill a
 * per-worker input buffer from which whole frames are parsed. That keeps a
 * worker that is busy writing a large result from deadlocking against a parent
 * busy writing it a large task. Each worker holds up to `inflight` chunks so it
 * never waits for the parent between chunks. A worker's death shows up as EOF
 * (or EPIPE) on its pipe; the method then reaps it for the exit status.
 */
#include "pool.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "deadline.h"
#include "frame.h"
#include "inject.h"
#include "method.h"
#include "wake.h"
#include "worker.h"

/* Chunks queued per worker when the config does not say: at least 2, so a
 * worker never waits for the parent between chunks; up to 8 while many small
 * chunks remain, so that the parent's replies arriving late (a busy machine,
 * a sleeping parent) do not starve workers of tiny tasks. Deep queues of
 * large chunks would split the work statically instead of by who is free, so
 * the depth falls back to 2 when fewer than 2 x workers x 8 chunks are left
 * (always with python's 4 chunks per worker). */
#define DEFAULT_INFLIGHT 2
#define MAX_INFLIGHT 8
#define DEEP_QUEUE_BYTES (256u << 10)
#define POLL_SLICE_MS 100
#define REAP_GRACE_NS 2000000000ull /* a stopping worker gets 2 s before SIGKILL */

struct mpb_pool {
	struct mpb_pool_config cfg;
	struct mpb_slot *slot;
	unsigned nslots;          /* slots with descriptors (launched or being launched) */
	struct pollfd *pfd;
	unsigned *pfd_slot;
	unsigned *order;          /* slot indices in wake order (wake_order) */
	struct mpb_pool_report rep;
	bool failed, stopped;
	struct mpb_deadline deadline; /* --timeout / --task-timeout of this run */
	struct mpb_chunker chunker;   /* chunk sizes of the current map (chunk.h) */
	uint64_t polls;               /* poll(2) calls made by pump */
	/* map state */
	struct mpb_value *results;
	size_t map_n, map_done;
	struct mpb_value *scratch;  /* decoded chunk before it lands in results */
};

uint64_t mpb_pool_python_chunksize(uint64_t tasks, unsigned workers)
{
	uint64_t div = 4ull * (workers ? workers : 1);
	uint64_t c = tasks / div + (tasks % div != 0);
	return c ? c : 1;
}

static unsigned inflight_max(const struct mpb_pool *p)
{
	return p->cfg.inflight ? p->cfg.inflight : MAX_INFLIGHT;
}

/* The queue depth for the next round of feeding (see DEFAULT_INFLIGHT). */
static unsigned inflight_now(const struct mpb_pool *p, uint64_t remaining)
{
	if (p->cfg.inflight)
		return p->cfg.inflight;
	uint64_t chunk = p->chunker.autosize ? p->chunker.size : p->chunker.fixed;
	uint64_t chunks_left = remaining / (chunk ? chunk : 1);
	uint64_t depth = chunks_left / (2ull * (p->nslots ? p->nslots : 1));
	return depth < DEFAULT_INFLIGHT ? DEFAULT_INFLIGHT
	       : depth > MAX_INFLIGHT	? MAX_INFLIGHT
					: (unsigned)depth;
}

static void close_fd(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

void mpb_pool_close_inherited(struct mpb_pool *p, const struct mpb_slot *keep)
{
	for (unsigned i = 0; i < p->nslots; i++) {
		struct mpb_slot *s = &p->slot[i];
		close_fd(&s->to_fd);
		close_fd(&s->from_fd);
		close_fd(&s->exit_fd);
		if (s != keep) {
			close_fd(&s->child_in);
			close_fd(&s->child_out);
			close_fd(&s->chan_fd);
		}
	}
}

void mpb_pool_worker_args(const struct mpb_pool *p, const struct mpb_slot *s,
			  struct mpb_worker_args *a)
{
	memset(a, 0, sizeof *a);
	a->index = s->index;
	a->in_fd = s->child_in;
	a->out_fd = s->child_out;
	a->workload = p->cfg.workload;
	a->codec = p->cfg.codec;
	a->transport = p->cfg.transport;
	a->chan = s->ep.ch;
	a->chan_fd = s->chan_fd;
	a->wparams = p->cfg.wparams;
	a->rusage_who = RUSAGE_SELF;
	a->counters = p->cfg.counters && p->cfg.counters->n ? p->cfg.counters : NULL;
}

/* "worker 3 (pid 1234)", or "worker 3 (thread)" for in-process workers. */
static const char *who(const struct mpb_slot *s, char *buf, size_t len)
{
	if (s->pid > 0)
		snprintf(buf, len, "worker %u (pid %d)", s->index, (int)s->pid);
	else
		snprintf(buf, len, "worker %u (thread)", s->index);
	return buf;
}

/* A short description of what the worker held, for failure messages. */
static void describe_inflight(const struct mpb_slot *s, char *buf, size_t len)
{
	if (s->inflight_count == 0) {
		snprintf(buf, len, "while idle");
		return;
	}
	uint64_t first = UINT64_MAX, last = 0;
	for (unsigned k = 0; k < s->inflight_count; k++) {
		unsigned i = (s->inflight_head + k) % s->inflight_cap;
		uint64_t a = s->inflight[i], b = a + s->inflight_n[i] - 1;
		if (a < first)
			first = a;
		if (b > last)
			last = b;
	}
	if (first == last)
		snprintf(buf, len, "while holding task %" PRIu64, first);
	else
		snprintf(buf, len, "while holding tasks %" PRIu64 "-%" PRIu64, first, last);
}

/* Wait a bounded time for a worker to end, then force it. Returns 1 when it
 * ended, negative on error. The method's wait wakes on the exit itself
 * (method.h), so a worker that ends 0.2 ms from now costs 0.2 ms here, not
 * a polling interval. */
static int reap_bounded(struct mpb_pool *p, struct mpb_slot *s, uint64_t grace_ns,
			struct mpb_diag *d)
{
	if (s->ended || !s->launched)
		return 1;
	uint64_t deadline = mpb_now_ns() + grace_ns;
	for (;;) {
		int r = p->cfg.method->reap(p, s, false, d);
		if (r != 0)
			return r;
		if (mpb_now_ns() >= deadline)
			break;
		r = p->cfg.method->wait(p, s, deadline, d);
		if (r < 0)
			return r;
	}
	p->cfg.method->kill(p, s);
	return p->cfg.method->reap(p, s, true, d);
}

/* The worker's pipe closed before it said BYE: it died. Reap it and fail the
 * run with who, how and what it held. */
static int slot_died(struct mpb_pool *p, struct mpb_slot *s, struct mpb_diag *d)
{
	char held[96], how[600];
	describe_inflight(s, held, sizeof held);
	s->eof = true;
	p->failed = true;
	snprintf(how, sizeof how, "closed its pipe");
	enum mpb_cause cause = MPB_CAUSE_WORKER_EXITED;
	struct mpb_diag why = { 0 };
	if (reap_bounded(p, s, 200000000ull, &why) == 1 && s->pid > 0) {
		int st = s->wait_status;
		if (st == MPB_WAIT_STATUS_UNKNOWN && why.msg[0]) {
			snprintf(how, sizeof how, "ended (%s)", why.msg);
			if (why.cause != MPB_CAUSE_NONE)
				cause = why.cause;
		}
		else if (WIFSIGNALED(st)) {
			snprintf(how, sizeof how, "was killed by signal %d (%s)", WTERMSIG(st),
				 strsignal(WTERMSIG(st)));
			cause = MPB_CAUSE_WORKER_KILLED;
		}
		else if (WIFEXITED(st))
			snprintf(how, sizeof how, "exited with status %d", WEXITSTATUS(st));
	}
	char w[48];
	return mpb_diag_cause(d, cause, mpb_fail(d, MPB_ERUN, "%s %s %s", who(s, w, sizeof w), how,
						 held));
}

static int drain_in(struct mpb_pool *p, struct mpb_slot *s, struct mpb_diag *d);

/* Write as much pending output as the pipe takes without blocking. */
static int flush_out(struct mpb_pool *p, struct mpb_slot *s, struct mpb_diag *d)
{
	while (mpb_buf_pending(&s->out) > 0) {
		uint64_t t0 = mpb_now_ns();
		ssize_t w = s->ep.ops->send(&s->ep, mpb_buf_head(&s->out), mpb_buf_pending(&s->out));
		p->rep.transport_parent_ns += mpb_now_ns() - t0;
		if (w < 0) {
			errno = (int)-w;
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;
			if (errno == EPIPE) {
				/* read what it left first: an ERROR frame says why it quit */
				int rc = drain_in(p, s, d);
				return rc < 0 ? rc : slot_died(p, s, d);
			}
			p->failed = true;
			return mpb_fail_errno(d, MPB_ESYS, errno, "writing to worker %u", s->index);
		}
		mpb_buf_consume(&s->out, (size_t)w);
		p->rep.bytes_sent += (uint64_t)w;
	}
	return 0;
}

/* Into p->order, the slots in the order to wake them (wake.h). */
static unsigned wake_order(struct mpb_pool *p)
{
	return mpb_wake_order(p->slot, p->nslots, sched_getcpu(), p->order);
}

/* Flush every slot's queued bytes, in wake order. */
static int flush_all(struct mpb_pool *p, struct mpb_diag *d)
{
	unsigned n = wake_order(p);
	for (unsigned k = 0; k < n; k++) {
		struct mpb_slot *s = &p->slot[p->order[k]];
		if (mpb_buf_pending(&s->out) == 0)
			continue;
		int rc = flush_out(p, s, d);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int bad_frame(struct mpb_pool *p, struct mpb_slot *s, const char *what, struct mpb_diag *d)
{
	p->failed = true;
	char w[48];
	return mpb_diag_cause(d, MPB_CAUSE_PROTOCOL, mpb_fail(d, MPB_ERUN, "%s sent a malformed %s "
							     "frame", who(s, w, sizeof w), what));
}

static int on_results(struct mpb_pool *p, struct mpb_slot *s, struct mpb_reader *r,
		      struct mpb_diag *d)
{
	uint64_t first, compute, codec;
	uint32_t count, cpu;
	if (mpb_rd_u64(r, &first) < 0 || mpb_rd_u32(r, &count) < 0 || mpb_rd_u64(r, &compute) < 0 ||
	    mpb_rd_u64(r, &codec) < 0 || mpb_rd_u32(r, &cpu) < 0)
		return bad_frame(p, s, "RESULTS", d);
	s->cpu = cpu;
	unsigned h = s->inflight_head;
	if (s->inflight_count == 0 || s->inflight[h] != first || s->inflight_n[h] != count ||
	    !p->results)
		return bad_frame(p, s, "RESULTS (not the chunk it was sent)", d);
	uint64_t t0 = mpb_now_ns();
	for (uint32_t k = 0; k < count; k++) {
		struct mpb_value *v = &p->results[first + k];
		mpb_value_clear(v);
		int rc = p->cfg.codec->decode(r, v, d);
		if (rc < 0) {
			p->failed = true;
			return rc;
		}
	}
	if (r->left != 0)
		return bad_frame(p, s, "RESULTS (trailing bytes)", d);
	uint64_t t1 = mpb_now_ns();
	p->rep.codec_parent_ns += t1 - t0;
	s->inflight_head = (h + 1) % s->inflight_cap;
	s->inflight_count--;
	s->busy_since_ns = t1; /* the next chunk, if any, starts now */
	p->map_done += count;
	struct mpb_worker_report *w = &p->rep.worker[s->index];
	w->tasks += count;
	w->compute_ns += compute;
	w->codec_ns += codec;
	p->rep.compute_ns += compute;
	p->rep.codec_workers_ns += codec;
	mpb_chunk_observe(&p->chunker, count, compute + codec);
	return 0;
}

/* t - from, or 0 for a stamp before from (a clock read on another CPU) */
static uint64_t since(uint64_t from, uint64_t t)
{
	return t > from ? t - from : 0;
}

static int on_frame(struct mpb_pool *p, struct mpb_slot *s, const struct mpb_frame *f,
		    struct mpb_diag *d)
{
	struct mpb_reader r = { f->payload, f->len };
	struct mpb_worker_report *w = &p->rep.worker[s->index];

	switch (f->type) {
	case MPB_FRAME_READY: {
		uint32_t idx;
		uint32_t cpu;
		uint64_t pid, ready_ns, running_ns, counted_ns, faults;
		if (mpb_rd_u32(&r, &idx) < 0 || mpb_rd_u64(&r, &pid) < 0 ||
		    mpb_rd_u64(&r, &ready_ns) < 0 || mpb_rd_u64(&r, &running_ns) < 0 ||
		    mpb_rd_u64(&r, &counted_ns) < 0 || mpb_rd_u64(&r, &faults) < 0 ||
		    mpb_rd_u32(&r, &cpu) < 0 || idx != s->index || s->ready)
			return bad_frame(p, s, "READY", d);
		s->ready = true;
		s->cpu = cpu;
		w->pid = (pid_t)pid;
		w->startup_ns = since(s->requested_ns, ready_ns);
		w->timeline = (struct mpb_startup_timeline){
			.launched_ns = since(s->requested_ns, s->launched_ns),
			.running_ns = since(s->requested_ns, running_ns),
			.counted_ns = since(s->requested_ns, counted_ns),
			.ready_ns = w->startup_ns,
			.ready_read_ns = since(s->requested_ns, mpb_now_ns()),
			.faults = faults,
			.has_faults = true,
		};
		return 0;
	}
	case MPB_FRAME_RESULTS:
		return on_results(p, s, &r, d);
	case MPB_FRAME_ERROR: {
		uint64_t task;
		if (mpb_rd_u64(&r, &task) < 0)
			return bad_frame(p, s, "ERROR", d);
		p->failed = true;
		char wn[48];
		return mpb_diag_cause(d, MPB_CAUSE_TASK_FAILED,
				      mpb_fail(d, MPB_ERUN, "%s failed on task %" PRIu64 ": %.*s",
					       who(s, wn, sizeof wn), task, (int)r.left,
					       (const char *)r.p));
	}
	case MPB_FRAME_BYE: {
		struct mpb_frame_bye b;
		const uint8_t *raw;
		if (f->len != sizeof b || mpb_rd_bytes(&r, sizeof b, &raw) < 0)
			return bad_frame(p, s, "BYE", d);
		memcpy(&b, raw, sizeof b);
		s->said_bye = true;
		s->cpu = b.cpu > MPB_CPU_UNKNOWN ? MPB_CPU_UNKNOWN : (uint32_t)b.cpu;
		w->idle_ns = b.idle_ns;
		w->send_ns = b.send_ns;
		w->serve_ns = b.serve_ns;
		w->nvcsw = b.nvcsw;
		w->nivcsw = b.nivcsw;
		w->minflt = b.minflt;
		w->majflt = b.majflt;
		w->maxrss_kb = b.maxrss_kb;
		w->has_memory = b.rss_kb > 0;
		w->rss_kb = b.rss_kb;
		w->pss_kb = b.pss_kb;
		w->private_dirty_kb = b.private_dirty_kb;
		w->counters = b.counters;
		w->instrumentation_ns = b.instrumentation_ns;
		p->rep.instrumentation_ns += b.instrumentation_ns;
		return 0;
	}
	default:
		p->failed = true;
		char wn[48];
		return mpb_diag_cause(d, MPB_CAUSE_PROTOCOL,
				      mpb_fail(d, MPB_ERUN, "%s sent an unexpected frame of type %u",
					       who(s, wn, sizeof wn), (unsigned)f->type));
	}
}

/* Read what the pipe holds and handle every complete frame. */
static int drain_in(struct mpb_pool *p, struct mpb_slot *s, struct mpb_diag *d)
{
	for (;;) {
		size_t want = 65536;
		if (mpb_buf_pending(&s->in) >= 4) {
			uint32_t n;
			memcpy(&n, mpb_buf_head(&s->in), 4);
			if ((size_t)n + MPB_FRAME_HEADER > mpb_buf_pending(&s->in) &&
			    n <= MPB_FRAME_MAX_PAYLOAD)
				want = (size_t)n + MPB_FRAME_HEADER - mpb_buf_pending(&s->in);
		}
		if (mpb_buf_reserve(&s->in, want) < 0) {
			p->failed = true;
			return mpb_fail(d, MPB_ENOMEM, "out of memory reading from worker %u", s->index);
		}
		size_t room = s->in.cap - s->in.len;
		uint64_t t0 = mpb_now_ns();
		ssize_t r = s->ep.ops->recv(&s->ep, s->in.data + s->in.len, room);
		p->rep.transport_parent_ns += mpb_now_ns() - t0;
		if (r < 0) {
			errno = (int)-r;
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			p->failed = true;
			return mpb_fail_errno(d, MPB_ESYS, errno, "reading from worker %u", s->index);
		}
		if (r == 0) {
			if (!s->said_bye || mpb_buf_pending(&s->in) > 0)
				return slot_died(p, s, d);
			s->eof = true;
			break;
		}
		s->in.len += (size_t)r;
		p->rep.bytes_received += (uint64_t)r;
		for (;;) {
			struct mpb_frame f;
			size_t used;
			int rc = mpb_frame_parse(mpb_buf_head(&s->in), mpb_buf_pending(&s->in), &f, &used, d);
			if (rc < 0) { /* name the sender: frame.c cannot */
				char w[48], m[sizeof d->msg];
				snprintf(m, sizeof m, "%s", d->msg);
				p->failed = true;
				return mpb_diag_cause(d, MPB_CAUSE_PROTOCOL,
						      mpb_fail(d, MPB_ERUN, "%s sent a %s",
							       who(s, w, sizeof w), m));
			}
			if (rc == 0)
				break;
			rc = on_frame(p, s, &f, d);
			if (rc < 0)
				return rc;
			mpb_buf_consume(&s->in, used);
		}
		if ((size_t)r < room)
			break; /* the pipe is empty: don't spend a read on EAGAIN */
	}
	return 0;
}

/* "task 7" or "tasks 8-11": the chunk a worker is working on. */
static void head_chunk(const struct mpb_slot *s, char *buf, size_t len)
{
	uint64_t a = s->inflight[s->inflight_head], n = s->inflight_n[s->inflight_head];
	if (n == 1)
		snprintf(buf, len, "task %" PRIu64, a);
	else
		snprintf(buf, len, "tasks %" PRIu64 "-%" PRIu64, a, a + n - 1);
}

/* What teardown does to a worker: a process is killed; a thread cannot be,
 * it is told to stop (its pipes close) and abandoned if it does not
 * (method_thread.c). */
static const char *stopped(const struct mpb_pool *p)
{
	return p->cfg.method->flags & MPB_METHOD_INPROC ? "told to stop" : "killed";
}

/* Interrupted, or past --timeout or --task-timeout: fail the run naming the
 * cause and, for a task limit, the worker and what it held; mpb_pool_free
 * kills and reaps. */
static int check_limits(struct mpb_pool *p, struct mpb_diag *d)
{
	if (p->cfg.stop_flag && *p->cfg.stop_flag) {
		p->failed = true;
		return mpb_fail(d, MPB_EINTR, "interrupted");
	}
	unsigned i = 0;
	char w[48], held[64];
	switch (mpb_deadline_check(&p->deadline, mpb_now_ns(), p->slot, p->nslots, &i)) {
	case MPB_DEADLINE_RUN:
		p->failed = true;
		return mpb_diag_cause(d, MPB_CAUSE_RUN_TIMEOUT,
				      mpb_fail(d, MPB_ERUN, "timeout: the run exceeded --timeout %g s (%zu "
					       "of %zu tasks done); its workers were %s",
					       (double)p->deadline.run_ns / 1e9, p->map_done, p->map_n,
					       stopped(p)));
	case MPB_DEADLINE_TASK:
		p->failed = true;
		head_chunk(&p->slot[i], held, sizeof held);
		return mpb_diag_cause(d, MPB_CAUSE_TASK_TIMEOUT,
				      mpb_fail(d, MPB_ERUN, "timeout: %s exceeded --task-timeout %g s on "
					       "%s; it was %s", who(&p->slot[i], w, sizeof w),
					       (double)p->deadline.task_ns / 1e9, held, stopped(p)));
	default:
		return 0;
	}
}

/* A transport whose data path makes no system call (shm): look at every
 * ring for a few microseconds before paying for a sleep and a wake-up. True
 * when some worker can be served now. */
static bool any_ready(void *ctx)
{
	struct mpb_pool *p = ctx;
	for (unsigned i = 0; i < p->nslots; i++) {
		struct mpb_slot *s = &p->slot[i];
		if (!s->eof && p->cfg.transport->ready(&s->ep, mpb_buf_pending(&s->out) > 0))
			return true;
	}
	return false;
}

static bool spin_ready(struct mpb_pool *p)
{
	return mpb_transport_spin(any_ready, p);
}

/* One wait-and-serve round over every live worker: spin (shm), else sleep in
 * poll until a pipe is readable/writable or a wake-up byte arrives, then
 * serve what is ready. Time spent spinning or asleep is the parent's waiting
 * time; time in send/recv is its transport time (see results/README.md). */
static int pump(struct mpb_pool *p, struct mpb_diag *d)
{
	const struct mpb_transport_ops *tp = p->cfg.transport;
	unsigned n = 0, live = 0, soon = 0;
	uint64_t tw = mpb_now_ns();
	for (unsigned i = 0; i < p->nslots; i++)
		live += !p->slot[i].eof;
	if (live == 0)
		return 0;
	bool hot = tp->spins && spin_ready(p);
	for (unsigned i = 0; !hot && i < p->nslots; i++) {
		struct mpb_slot *s = &p->slot[i];
		if (s->eof)
			continue;
		unsigned ready = 0;
		unsigned k = tp->arm(&s->ep, mpb_buf_pending(&s->out) > 0, &p->pfd[n], &ready);
		for (unsigned j = 0; j < k; j++)
			p->pfd_slot[n + j] = i;
		n += k;
		soon |= ready;
	}
	int rc = 0;
	if (!hot) {
		p->polls++;
		rc = poll(p->pfd, n, soon ? 0 : POLL_SLICE_MS);
	}
	int poll_errno = errno;
	for (unsigned i = 0; !hot && tp->disarm && i < p->nslots; i++)
		if (!p->slot[i].eof)
			tp->disarm(&p->slot[i].ep);
	p->rep.wait_parent_ns += mpb_now_ns() - tw;
	errno = poll_errno;
	if (rc < 0 && errno != EINTR) {
		p->failed = true;
		return mpb_fail_errno(d, MPB_ESYS, errno, "poll");
	}
	int late = check_limits(p, d);
	if (late < 0)
		return late;
	for (unsigned k = 0; rc > 0 && k < n; k++) {
		struct mpb_slot *s = &p->slot[p->pfd_slot[k]];
		if (!p->pfd[k].revents || s->eof)
			continue;
		int r = p->pfd[k].fd == s->to_fd ? flush_out(p, s, d) : drain_in(p, s, d);
		if (r < 0)
			return r;
	}
	/* bytes in shared memory wake nobody: serve every ring that has some */
	for (unsigned i = 0; tp->ready && i < p->nslots; i++) {
		struct mpb_slot *s = &p->slot[i];
		unsigned b = s->eof ? 0 : tp->ready(&s->ep, mpb_buf_pending(&s->out) > 0);
		int r = 0;
		if (b & MPB_TP_READABLE)
			r = drain_in(p, s, d);
		if (r == 0 && (b & MPB_TP_WRITABLE) && !s->eof)
			r = flush_out(p, s, d);
		if (r < 0)
			return r;
	}
	return 0;
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static int open_slot(struct mpb_pool *p, struct mpb_slot *s, struct mpb_diag *d)
{
	int a[2], b[2];
	if (pipe2(a, O_CLOEXEC) < 0)
		return mpb_fail_errno(d, MPB_ERUN, errno, "creating a pipe for worker %u", s->index);
	if (pipe2(b, O_CLOEXEC) < 0) {
		int e = errno;
		close(a[0]);
		close(a[1]);
		return mpb_fail_errno(d, MPB_ERUN, e, "creating a pipe for worker %u", s->index);
	}
	s->child_in = a[0];
	s->to_fd = a[1];
	s->from_fd = b[0];
	s->child_out = b[1];
	p->nslots = s->index + 1;
	if (set_nonblock(s->to_fd) < 0 || set_nonblock(s->from_fd) < 0)
		return mpb_fail_errno(d, MPB_ESYS, errno, "fcntl on worker %u's pipes", s->index);
	s->ep = (struct mpb_endpoint){ .ops = p->cfg.transport, .in_fd = s->from_fd,
				       .out_fd = s->to_fd };
	if (p->cfg.transport->create)
		return p->cfg.transport->create(&s->ep.ch, &s->chan_fd, d);
	return 0;
}

int mpb_pool_start(const struct mpb_pool_config *c, struct mpb_pool **out, struct mpb_diag *d)
{
	*out = NULL;
	if (!c->method || !c->codec || !c->transport || !c->workload || !c->workload->run_task ||
	    c->workers == 0 || c->chunksize == 0)
		return mpb_fail(d, MPB_EINPUT, "pool: incomplete configuration");
	if ((c->codec->flags & MPB_CODEC_BY_REF) && !(c->method->flags & MPB_METHOD_INPROC))
		return mpb_fail(d, MPB_EINPUT, "pool: codec %s passes pointers and needs an in-process method",
				c->codec->name);
	struct mpb_pool *p = calloc(1, sizeof *p);
	if (!p)
		return mpb_fail(d, MPB_ENOMEM, "pool: out of memory");
	*out = p;
	p->cfg = *c;
	unsigned nw = c->workers, cap = inflight_max(p);
	p->slot = calloc(nw, sizeof *p->slot);
	p->pfd = calloc(2 * (size_t)nw, sizeof *p->pfd);
	p->pfd_slot = calloc(2 * (size_t)nw, sizeof *p->pfd_slot);
	p->order = calloc(nw, sizeof *p->order);
	p->rep.worker = calloc(nw, sizeof *p->rep.worker);
	if (!p->slot || !p->pfd || !p->pfd_slot || !p->order || !p->rep.worker)
		return mpb_fail(d, MPB_ENOMEM, "pool: out of memory");
	p->rep.workers = nw;
	for (unsigned i = 0; i < nw; i++) {
		struct mpb_slot *s = &p->slot[i];
		s->index = i;
		s->to_fd = s->from_fd = s->child_in = s->child_out = s->chan_fd = s->exit_fd = -1;
		s->cpu = MPB_CPU_UNKNOWN;
		s->inflight_cap = cap;
		s->inflight = calloc(cap, sizeof *s->inflight);
		s->inflight_n = calloc(cap, sizeof *s->inflight_n);
		if (!s->inflight || !s->inflight_n)
			return mpb_fail(d, MPB_ENOMEM, "pool: out of memory");
	}

	uint64_t t0 = mpb_now_ns();
	p->deadline = (struct mpb_deadline){ t0, c->run_timeout_ns, c->task_timeout_ns };
	for (unsigned i = 0; i < nw; i++) {
		struct mpb_slot *s = &p->slot[i];
		/* thousands of launches on a swapping machine take minutes: an
		 * interrupt or a limit must not wait for the last one */
		int rc = check_limits(p, d);
		if (rc == 0)
			rc = open_slot(p, s, d);
		if (rc < 0) {
			p->failed = true;
			return rc;
		}
		s->requested_ns = mpb_now_ns();
		rc = mpb_inject_launch(i, c->method->launch_call, d); /* test-only (inject.h) */
		if (rc == 0)
			rc = c->method->launch(p, s, d);
		if (rc < 0) {
			p->failed = true;
			/* unless the method named it (a dead forkserver, EMFILE) */
			return rc == -MPB_ERUN ? mpb_diag_cause(d, MPB_CAUSE_LAUNCH_FAILED, rc) : rc;
		}
		s->launched = true;
		s->launched_ns = mpb_now_ns();
	}
	for (;;) {
		unsigned ready = 0;
		for (unsigned i = 0; i < nw; i++)
			ready += p->slot[i].ready;
		if (ready == nw)
			break;
		int rc = pump(p, d);
		if (rc < 0)
			return rc;
	}
	p->rep.startup_ns = mpb_now_ns() - t0;
	return 0;
}

/* Encode a chunk into s's queue; feed() flushes the round (flush_all). */
static int queue_chunk(struct mpb_pool *p, struct mpb_slot *s, const struct mpb_value *args,
		       uint64_t first, uint32_t count, struct mpb_diag *d)
{
	uint64_t t0 = mpb_now_ns();
	long h = mpb_frame_begin(&s->out, MPB_FRAME_TASKS);
	if (h < 0 || mpb_buf_put_u64(&s->out, first) < 0 || mpb_buf_put_u32(&s->out, count) < 0)
		goto nomem;
	for (uint32_t k = 0; k < count; k++) {
		int rc = p->cfg.codec->encode(&args[first + k], &s->out, d);
		if (rc < 0) {
			p->failed = true;
			return rc;
		}
	}
	if (mpb_frame_end(&s->out, h) < 0) {
		p->failed = true;
		return mpb_fail(d, MPB_ERUN, "a chunk of %u tasks from task %" PRIu64
				" exceeds the 1 GiB frame limit: use a smaller chunksize", count, first);
	}
	uint64_t t1 = mpb_now_ns();
	p->rep.codec_parent_ns += t1 - t0;
	if (s->inflight_count == 0)
		s->busy_since_ns = t1; /* it starts on this chunk now */
	unsigned tail = (s->inflight_head + s->inflight_count) % s->inflight_cap;
	s->inflight[tail] = first;
	s->inflight_n[tail] = count;
	s->inflight_count++;
	return 0;
nomem:
	p->failed = true;
	return mpb_fail(d, MPB_ENOMEM, "pool: out of memory encoding tasks");
}

/* System calls made on the parent's side of every channel so far. */
static uint64_t parent_syscalls(const struct mpb_pool *p)
{
	uint64_t n = p->polls;
	for (unsigned i = 0; i < p->nslots; i++)
		n += p->slot[i].ep.syscalls;
	return n;
}

/* Give every worker up to inflight_now chunks, breadth first so that the
 * first round reaches every worker before anyone gets a second chunk; the
 * round is encoded first and then written in wake order (wake_order). */
static int feed(struct mpb_pool *p, const struct mpb_value *args, uint64_t *next,
		struct mpb_diag *d)
{
	uint64_t n = p->map_n, from = *next;
	unsigned max_depth = inflight_now(p, n - *next);
	for (unsigned depth = 0; depth < max_depth && *next < n; depth++) {
		for (unsigned i = 0; i < p->nslots && *next < n; i++) {
			struct mpb_slot *s = &p->slot[i];
			if (s->inflight_count > depth || s->eof)
				continue;
			/* beyond 2, queue only small messages: megabytes of
			 * encoded tasks waiting in our buffer help nobody */
			if (depth >= DEFAULT_INFLIGHT && !p->cfg.inflight &&
			    mpb_buf_pending(&s->out) > DEEP_QUEUE_BYTES)
				continue;
			uint64_t cnt = mpb_chunk_next(&p->chunker, n - *next);
			int rc = queue_chunk(p, s, args, *next, (uint32_t)cnt, d);
			if (rc < 0)
				return rc;
			*next += cnt;
		}
	}
	/* most rounds of a long map queue nothing: then nothing to order */
	return *next > from ? flush_all(p, d) : 0;
}

int mpb_pool_map(struct mpb_pool *p, const struct mpb_value *args, size_t n,
		 struct mpb_value *results, struct mpb_diag *d)
{
	if (p->failed || p->stopped)
		return mpb_fail(d, MPB_ERUN, "pool: map on a pool that failed or stopped");
	if (p->cfg.chunksize > UINT32_MAX)
		return mpb_fail(d, MPB_EINPUT, "pool: chunksize above %u", UINT32_MAX);
	uint64_t next = 0, t0 = mpb_now_ns();
	uint64_t tr0 = p->rep.transport_parent_ns, wt0 = p->rep.wait_parent_ns;
	uint64_t sc0 = parent_syscalls(p);
	if (p->cfg.chunk_auto)
		mpb_chunk_init_auto(&p->chunker, p->cfg.workers, p->cfg.chunk_target_ns);
	else
		mpb_chunk_init_fixed(&p->chunker, p->cfg.chunksize);
	p->results = results;
	p->map_n = n;
	p->map_done = 0;
	while (p->map_done < n) {
		int rc = feed(p, args, &next, d);
		if (rc < 0)
			return rc;
		rc = pump(p, d);
		if (rc < 0)
			return rc;
	}
	p->rep.map_ns += mpb_now_ns() - t0;
	p->rep.map_transport_parent_ns += p->rep.transport_parent_ns - tr0;
	p->rep.map_wait_parent_ns += p->rep.wait_parent_ns - wt0;
	p->rep.chunks = p->chunker.st;
	p->rep.syscalls_parent += parent_syscalls(p) - sc0;
	p->rep.tasks += n;
	p->results = NULL;
	return 0;
}

/* Serve the workers until every one has said BYE, for REAP_GRACE_NS from t0
 * at most. */
static int pump_until_bye(struct mpb_pool *p, uint64_t t0, struct mpb_diag *d)
{
	for (;;) {
		unsigned open = 0;
		for (unsigned i = 0; i < p->nslots; i++)
			open += !p->slot[i].said_bye;
		if (open == 0)
			return 0;
		if (mpb_now_ns() - t0 > REAP_GRACE_NS) {
			p->failed = true;
			return mpb_diag_cause(d, MPB_CAUSE_WORKER_STUCK,
					      mpb_fail(d, MPB_ERUN, "pool: %u worker(s) did not stop "
						       "within 2 s", open));
		}
		int rc = pump(p, d);
		if (rc < 0)
			return rc;
	}
}

/* Two phases, so that the harness's read-out is in no timed window. First
 * STOP: each worker reads its counters, usage and memory, cleans up and
 * says BYE (readout_ns, untimed). Then the teardown window: closing a
 * worker's task pipe is its signal to exit (worker.c), in wake order
 * (wake.h); the window ends when the last one is reaped, its method waking
 * on the exit itself (method.h). */
int mpb_pool_stop(struct mpb_pool *p, struct mpb_diag *d)
{
	if (p->failed)
		return mpb_fail(d, MPB_ERUN, "pool: stop on a pool that failed");
	uint64_t r0 = mpb_now_ns();
	for (unsigned i = 0; i < p->nslots; i++) {
		struct mpb_slot *s = &p->slot[i];
		long h = mpb_frame_begin(&s->out, MPB_FRAME_STOP);
		if (h < 0 || mpb_frame_end(&s->out, h) < 0)
			return mpb_fail(d, MPB_ENOMEM, "pool: out of memory");
	}
	int rc = flush_all(p, d);
	if (rc == 0)
		rc = pump_until_bye(p, r0, d);
	if (rc < 0)
		return rc;
	uint64_t t0 = mpb_now_ns();
	p->rep.readout_ns = t0 - r0;
	p->rep.teardown_from_ns = t0;
	for (unsigned k = 0, n = wake_order(p); k < n; k++) {
		close_fd(&p->slot[p->order[k]].to_fd);
		p->slot[p->order[k]].ep.out_fd = -1;
	}
	/* straight to the reap: after BYE a worker sends nothing, and waiting
	 * for its pipe's EOF first would add a wake-up to the window (EOF,
	 * then the exit; a thread's teardown went from 48-56 to 37-47 us at
	 * sumsq -s 5M -j 1 on the 2-core VM) */
	for (unsigned i = 0; i < p->nslots; i++) {
		struct mpb_slot *s = &p->slot[i];
		rc = reap_bounded(p, s, REAP_GRACE_NS, d);
		if (rc < 0) {
			p->failed = true;
			return rc;
		}
		if (s->have_ru) {
			/* the kernel's account (wait4) includes the worker's exit */
			struct mpb_worker_report *w = &p->rep.worker[i];
			w->nvcsw = (uint64_t)s->ru.ru_nvcsw;
			w->nivcsw = (uint64_t)s->ru.ru_nivcsw;
			w->minflt = (uint64_t)s->ru.ru_minflt;
			w->majflt = (uint64_t)s->ru.ru_majflt;
			w->maxrss_kb = (uint64_t)s->ru.ru_maxrss;
		}
	}
	p->rep.teardown_ns = mpb_now_ns() - t0;
	p->stopped = true;
	return 0;
}

unsigned mpb_pool_workers(const struct mpb_pool *p)
{
	return p->cfg.workers;
}

const struct mpb_pool_report *mpb_pool_report(const struct mpb_pool *p)
{
	return &p->rep;
}

void mpb_pool_free(struct mpb_pool *p)
{
	if (!p)
		return;
	/* kill every worker before waiting for any: threads, which cannot be
	 * killed, then spend their reap grace together, so a pool of hung
	 * threads is freed (and abandoned, method.h) in one grace, not one each */
	for (unsigned i = 0; p->slot && i < p->nslots; i++)
		if (p->slot[i].launched && !p->slot[i].ended)
			p->cfg.method->kill(p, &p->slot[i]);
	for (unsigned i = 0; p->slot && i < p->nslots; i++)
		if (p->slot[i].launched && !p->slot[i].ended)
			p->cfg.method->reap(p, &p->slot[i], true, NULL);
	for (unsigned i = 0; p->slot && i < p->rep.workers; i++) {
		struct mpb_slot *s = &p->slot[i];
		close_fd(&s->to_fd);
		close_fd(&s->from_fd);
		close_fd(&s->child_in);
		close_fd(&s->child_out);
		close_fd(&s->chan_fd);
		close_fd(&s->exit_fd);
		if (s->ep.ops && s->ep.ops->destroy)
			s->ep.ops->destroy(s->ep.ch);
		s->ep.ch = NULL;
		mpb_buf_free(&s->in);
		mpb_buf_free(&s->out);
		free(s->inflight);
		free(s->inflight_n);
	}
	free(p->slot);
	free(p->pfd);
	free(p->pfd_slot);
	free(p->order);
	free(p->rep.worker);
	free(p);
}
