/* method_thread.c — the `thread` start method: each worker is a pthread of
 * the harness process, the "no process boundary" baseline. A thread runs the
 * same mpb_worker_main over the same pipes and frames as a process worker, so
 * dispatch costs what it costs for every method; what disappears is starting
 * a process and, with the `none` codec, serialization.
 *
 * The thread owns its slot's child ends and closes them when it returns,
 * which is what a process worker's exit does: the parent sees EOF after BYE.
 * The slot's pid stays 0 (method.h): there is no process to signal or wait
 * for, and the worker's READY names the harness's own pid.
 *
 * A thread cannot be killed. kill() closes the parent's ends of its pipes, so
 * the worker reads EOF at its next frame or gets EPIPE at its next write and
 * returns; reap joins it. A thread stuck inside one task therefore holds up
 * the pool's teardown until that task ends — detaching it instead would let
 * it outlive the arguments it borrows.
 */
#include "method.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "worker.h"

struct thread_worker {
	pthread_t tid;
	struct mpb_worker_args args;
	int status;   /* mpb_worker_main's return, read after the join */
};

static void *thread_main(void *arg)
{
	struct thread_worker *t = arg;
	t->status = mpb_worker_main(&t->args);
	close(t->args.in_fd);
	close(t->args.out_fd);
	return NULL;
}

static int thread_launch(struct mpb_pool *p, struct mpb_slot *s, struct mpb_diag *d)
{
	struct thread_worker *t = calloc(1, sizeof *t);
	if (!t)
		return mpb_fail(d, MPB_ENOMEM, "out of memory starting worker %u", s->index);
	mpb_pool_worker_args(p, s, &t->args);
	t->args.rusage_who = RUSAGE_THREAD;

	/* The thread starts with every signal blocked, so that SIGINT/SIGTERM
	 * reach the harness's main thread (interrupting its poll at once) and a
	 * write to a pipe the parent closed fails with EPIPE instead of raising
	 * SIGPIPE, whose default action would end the whole process. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int e = pthread_create(&t->tid, NULL, thread_main, t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0) {
		free(t);
		return mpb_fail_errno(d, MPB_ERUN, e, "creating the thread of worker %u", s->index);
	}
	s->method_data = t;
	/* the ends now belong to the thread, which closes them */
	s->child_in = s->child_out = -1;
	return 0;
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
	int e = block ? pthread_join(t->tid, NULL) : pthread_tryjoin_np(t->tid, NULL);
	if (e == EBUSY)
		return 0;
	if (e != 0)
		return mpb_fail_errno(d, MPB_ESYS, e, "joining the thread of worker %u", s->index);
	/* recorded as a process's status would be, for whoever reads it */
	s->wait_status = W_EXITCODE(t->status & 0xff, 0);
	s->ended = true;
	s->method_data = NULL;
	free(t);
	return 1;
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
	if (s->ended)
		return;
	/* EOF for a worker waiting for tasks; EPIPE for one blocked writing
	 * results that nobody will read (it would never see the EOF) */
	close_parent_end(&s->to_fd);
	close_parent_end(&s->from_fd);
}

const struct mpb_method_ops mpb_method_thread = {
	.name = "thread",
	.summary = "pthreads in the harness: no process boundary, values pass by reference (codec none)",
	.flags = MPB_METHOD_INPROC,
	.launch = thread_launch,
	.reap = thread_reap,
	.kill = thread_kill,
};
