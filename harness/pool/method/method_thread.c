/* method_thread.c — the `thread` start method: each worker is a pthread of
 * the harness process, the "no process boundary" baseline. A thread runs the
 * same mpb_worker_main over the same pipes and frames as a process worker, so
 * dispatch costs what it costs for every method; what disappears is starting
 * a process and, with the `none` codec, serialization. READY comes through
 * the pipe too, so that the pool's one poll over every worker stays its only
 * wait: a condition variable would wake the harness no sooner (measured on
 * the 2-core VM under load: 10-12 us from signal to the waiter running for a
 * pipe under poll, 10-11.5 us for a condition variable). What makes a thread's
 * start-up a multiple of the thread floor is the cold start, results/README.md
 * (startup_per_worker_floors).
 *
 * The thread owns its slot's child ends and closes them when it returns,
 * which is what a process worker's exit does: the parent sees EOF after BYE.
 * The slot's pid stays 0 (method.h): there is no process to signal or wait
 * for, and the worker's READY names the harness's own pid.
 *
 * A thread cannot be killed. kill() closes the parent's ends of its pipes, so
 * the worker reads EOF at its next frame or gets EPIPE at its next write and
 * returns; reap joins it. A thread stuck inside one task (a hang, a task
 * longer than --task-timeout) would hold up the pool's teardown until that
 * task ends, possibly forever. So a blocking reap waits at most
 * THREAD_REAP_GRACE_NS from the kill and then *abandons* the thread: it is
 * detached and left running, the slot counts as ended (status unknown), and
 * everything the thread may still touch stays valid until the process
 * exits: its struct thread_worker (args included), its pipe ends (it closes
 * them itself), and the slot's transport channel, which the thread takes over
 * from the pool so that freeing the pool does not unmap it. These records
 * stay on a global list, reachable, so leak checkers do not report them.
 * What the thread borrows from the pool's caller (task arguments passed by
 * reference with codec `none`, and the workload state they may point into)
 * is the caller's to keep alive: the abandoned op (mpb_method_abandoned) tells it that
 * it must (the sweep then keeps its baselines and stops, driver.c). The
 * counter plan is only read when the thread starts.
 */
#include "method.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "worker.h"

/* How long a killed thread gets to return before it is abandoned: one that
 * waits for a frame or writes one returns at once; only one inside a task
 * takes longer. Half a second, so that Ctrl-C still ends a sweep within a
 * second with a thread stuck (a process worker is SIGKILLed at once). */
#define THREAD_REAP_GRACE_NS 500000000ull

struct thread_worker {
	pthread_t tid;
	struct mpb_worker_args args;
	int status;            /* mpb_worker_main's return, read after the join */
	uint64_t killed_ns;    /* when kill closed its pipes; 0: not yet */
	atomic_bool done;      /* thread_main is past its last use of this record */
	bool joined;           /* thread_wait joined it (after BYE) */
	/* done's wake-up: a teardown waits on it, not on a polling timer */
	pthread_mutex_t lock;
	pthread_cond_t ended;  /* on CLOCK_MONOTONIC, the clock of mpb_now_ns */
	void *chan;            /* abandoned: the slot's channel, kept mapped */
	struct thread_worker *next; /* on the abandoned list */
};

/* Threads given up on, newest first. Only the harness's main thread adds to
 * it (teardown is single-threaded); the lock is for readers in tests. */
static struct thread_worker *abandoned;
static pthread_mutex_t abandoned_lock = PTHREAD_MUTEX_INITIALIZER;

static void *thread_main(void *arg)
{
	struct thread_worker *t = arg;
	t->status = mpb_worker_main(&t->args);
	close(t->args.in_fd);
	close(t->args.out_fd);
	pthread_mutex_lock(&t->lock);
	atomic_store(&t->done, true);
	pthread_cond_broadcast(&t->ended);
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

static int init_wakeup(struct thread_worker *t)
{
	pthread_condattr_t ca;
	int e = pthread_condattr_init(&ca);
	if (e == 0)
		e = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	if (e == 0)
		e = pthread_cond_init(&t->ended, &ca);
	pthread_condattr_destroy(&ca);
	if (e == 0 && (e = pthread_mutex_init(&t->lock, NULL)) != 0)
		pthread_cond_destroy(&t->ended);
	return e;
}

static void free_worker(struct thread_worker *t)
{
	pthread_cond_destroy(&t->ended);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

static int thread_launch(struct mpb_pool *p, struct mpb_slot *s, struct mpb_diag *d)
{
	struct thread_worker *t = calloc(1, sizeof *t);
	if (!t)
		return mpb_fail(d, MPB_ENOMEM, "out of memory starting worker %u", s->index);
	mpb_pool_worker_args(p, s, &t->args);
	t->args.rusage_who = RUSAGE_THREAD;
	atomic_init(&t->done, false);
	int e = init_wakeup(t);
	if (e != 0) {
		free(t);
		return mpb_fail_errno(d, MPB_ERUN, e, "starting worker %u", s->index);
	}

	/* The thread starts with every signal blocked, so that SIGINT/SIGTERM
	 * reach the harness's main thread (interrupting its poll at once) and a
	 * write to a pipe the parent closed fails with EPIPE instead of raising
	 * SIGPIPE, whose default action would end the whole process. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = pthread_create(&t->tid, NULL, thread_main, t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0) {
		free_worker(t);
		return mpb_fail_errno(d, MPB_ERUN, e, "creating the thread of worker %u", s->index);
	}
	s->method_data = t;
	/* the ends now belong to the thread, which closes them */
	s->child_in = s->child_out = -1;
	return 0;
}

/* Sleep until t is done with its record or mpb_now_ns() reaches until,
 * woken by thread_main's broadcast (pthread_timedjoin_np would take
 * CLOCK_REALTIME, which may jump). True when it is done. */
static bool wait_done(struct thread_worker *t, uint64_t until)
{
	struct timespec ts = { (time_t)(until / 1000000000u), (long)(until % 1000000000u) };
	pthread_mutex_lock(&t->lock);
	while (!atomic_load(&t->done) && mpb_now_ns() < until)
		if (pthread_cond_timedwait(&t->ended, &t->lock, &ts) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&t->lock);
	return atomic_load(&t->done);
}

/* Join t once it is done (its return follows at once), waiting until `until`
 * at most: 0 joined, EBUSY still running, else an errno. */
static int join_until(struct thread_worker *t, uint64_t until)
{
	return wait_done(t, until) ? pthread_join(t->tid, NULL) : EBUSY;
}

/* Give up on t: detach it and keep everything it may still use (its record,
 * the slot's channel) alive and reachable until the process exits. */
static void abandon(struct mpb_slot *s, struct thread_worker *t)
{
	pthread_detach(t->tid);
	t->chan = s->ep.ch;
	s->ep.ch = NULL; /* the pool's destroy(NULL) leaves the mapping alone */
	pthread_mutex_lock(&abandoned_lock);
	t->next = abandoned;
	abandoned = t;
	pthread_mutex_unlock(&abandoned_lock);
}

static int thread_reap(struct mpb_pool *p, struct mpb_slot *s, bool block, struct mpb_diag *d)
{
	(void)p;
	struct thread_worker *t = s->method_data;
	if (s->ended)
		return 1;
	if (!t) {
		s->ended = true;
		return 1;
	}
	int e;
	if (t->joined) {
		e = 0;
	} else if (block) {
		uint64_t from = t->killed_ns ? t->killed_ns : mpb_now_ns();
		e = join_until(t, from + THREAD_REAP_GRACE_NS);
	} else {
		e = atomic_load(&t->done) ? pthread_join(t->tid, NULL) : EBUSY;
	}
	if (e == EBUSY && !block)
		return 0;
	if (e == EBUSY) {
		abandon(s, t);
		s->wait_status = MPB_WAIT_STATUS_UNKNOWN;
		s->ended = true;
		s->method_data = NULL;
		return 1;
	}
	if (e != 0)
		return mpb_fail_errno(d, MPB_ESYS, e, "joining the thread of worker %u", s->index);
	/* recorded as a process's status would be, for whoever reads it */
	s->wait_status = W_EXITCODE(t->status & 0xff, 0);
	s->ended = true;
	s->method_data = NULL;
	free_worker(t);
	return 1;
}

static int thread_wait(struct mpb_pool *p, struct mpb_slot *s, uint64_t until_ns,
		       struct mpb_diag *d)
{
	(void)p;
	(void)d;
	struct thread_worker *t = s->method_data;
	if (!t || s->ended || t->joined)
		return 0;
	/* After BYE the thread only waits for EOF and returns (worker.c; its
	 * workload's teardown ran before BYE), and with the parent's end
	 * closed it has the EOF: it cannot hang. So join it at once, woken by
	 * its exit, rather than by the condition variable and then by the
	 * join: a teardown window of one cross-CPU wake-up less, each ~15-20 us
	 * on the 2-core VM (sched_wakeup and ipi trace events); a 2-worker
	 * point's teardown per worker went from 26-37 to 20-23 us. */
	if (s->said_bye && s->to_fd < 0)
		t->joined = pthread_join(t->tid, NULL) == 0;
	else
		wait_done(t, until_ns);
	return 0;
}

static void close_parent_end(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

static void thread_kill(struct mpb_pool *p, struct mpb_slot *s)
{
	(void)p;
	struct thread_worker *t = s->method_data;
	if (s->ended)
		return;
	if (t && !t->killed_ns)
		t->killed_ns = mpb_now_ns(); /* the reap grace counts from here */
	/* EOF for a worker waiting for tasks; EPIPE for one blocked writing
	 * results that nobody will read (it would never see the EOF) */
	close_parent_end(&s->to_fd);
	close_parent_end(&s->from_fd);
}

static unsigned thread_abandoned(unsigned *running)
{
	unsigned n = 0, live = 0;
	pthread_mutex_lock(&abandoned_lock);
	for (const struct thread_worker *t = abandoned; t; t = t->next) {
		n++;
		live += !atomic_load(&t->done);
	}
	pthread_mutex_unlock(&abandoned_lock);
	if (running)
		*running = live;
	return n;
}

const struct mpb_method_ops mpb_method_thread = {
	.name = "thread",
	.summary = "pthreads in the harness: no process boundary, values pass by reference (codec none)",
	.flags = MPB_METHOD_INPROC,
	.launch_call = "pthread_create",
	.floor = MPB_METHOD_FLOOR_THREAD,
	.codec = &mpb_codec_none,
	.launch = thread_launch,
	.reap = thread_reap,
	.wait = thread_wait,
	.kill = thread_kill,
	.abandoned = thread_abandoned,
};
