/* method_fork.c — the `fork` start method: each worker is a fork(2) of the
 * harness, inheriting its memory (copy-on-write), like multiprocessing's
 * default on Linux. The child keeps only its own pipe ends. */
#include "method.h"

#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "method_proc.h"
#include "worker.h"

static int fork_launch(struct mpb_pool *p, struct mpb_slot *s, struct mpb_diag *d)
{
	pid_t parent = getpid();
	int ep[2];
	int rc = mpb_proc_exit_pipe(ep, s->index, d);
	if (rc < 0)
		return rc;
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		mpb_proc_exit_pipe_close(&ep[0]);
		mpb_proc_exit_pipe_close(&ep[1]);
		return mpb_fail_errno(d, MPB_ERUN, e, "fork for worker %u", s->index);
	}
	if (pid == 0) {
		mpb_proc_exit_pipe_close(&ep[0]); /* ep[1] stays open to the end */
		/* die with the harness, whatever kills it; then check it did not
		 * die already, in the window before prctl */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(3);
		/* Ctrl-C reaches the whole process group: the parent decides what
		 * happens to workers, so they ignore it */
		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_DFL);
		mpb_pool_close_inherited(p, s);
		struct mpb_worker_args a;
		mpb_pool_worker_args(p, s, &a);
		_exit(mpb_worker_main(&a));
	}
	s->pid = pid;
	mpb_proc_exit_pipe_close(&ep[1]);
	s->exit_fd = ep[0];
	close(s->child_in);
	close(s->child_out);
	s->child_in = s->child_out = -1;
	return 0;
}

static int fork_reap(struct mpb_pool *p, struct mpb_slot *s, bool block, struct mpb_diag *d)
{
	(void)p;
	return mpb_proc_reap(s, block, d);
}

static int fork_wait(struct mpb_pool *p, struct mpb_slot *s, uint64_t until_ns,
		     struct mpb_diag *d)
{
	(void)p;
	return mpb_proc_wait(s, until_ns, d);
}

static void fork_kill(struct mpb_pool *p, struct mpb_slot *s)
{
	(void)p;
	mpb_proc_kill(s);
}

const struct mpb_method_ops mpb_method_fork = {
	.name = "fork",
	.summary = "fork(2) the harness: copy-on-write copy of the parent (Linux default)",
	.launch_call = "fork",
	.launch = fork_launch,
	.reap = fork_reap,
	.wait = fork_wait,
	.kill = fork_kill,
};
