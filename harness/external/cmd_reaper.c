/* cmd_reaper.c — a forked parent for an external command that reports its
 * exit through a pipe (see cmd_reaper.h). */
#include "cmd_reaper.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"

enum { REC_STARTED = 1, REC_FORK_FAILED, REC_ENDED };

/* One write each, well under PIPE_BUF: it arrives whole or not at all. */
struct record {
	int kind;
	int value; /* REC_STARTED: the pid; REC_FORK_FAILED: errno; REC_ENDED: status */
	struct rusage ru;
	uint64_t t_ns;
};

static void put(int fd, const struct record *r)
{
	while (write(fd, r, sizeof *r) < 0 && errno == EINTR)
		;
}

void mpb_cmd_die_with(pid_t parent)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* it may have died before the line above: we are someone else's now */
	if (getppid() != parent)
		_exit(127);
}

/* The reaper's life, after mpbench forked it: async-signal-safe calls only
 * (mpbench may have other threads). */
static _Noreturn void reaper(int w, pid_t harness, mpb_cmd_start_fn start, void *arg,
			     const int *close_fds, size_t nclose)
{
	mpb_cmd_die_with(harness);
	/* SIG_DFL, not SIG_IGN: an ignored SIGCHLD would reap for us */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	const int terminal[] = { SIGINT, SIGQUIT, SIGHUP, SIGTERM };
	for (size_t i = 0; i < sizeof terminal / sizeof *terminal; i++)
		sigaction(terminal[i], &sa, NULL);
	pid_t me = getpid();
	pid_t c = fork();
	if (c == 0) {
		/* ignored dispositions would survive the exec */
		sa.sa_handler = SIG_DFL;
		for (size_t i = 0; i < sizeof terminal / sizeof *terminal; i++)
			sigaction(terminal[i], &sa, NULL);
		start(arg, me); /* does not return */
	}
	struct record r = { .kind = REC_FORK_FAILED, .value = errno };
	if (c > 0) {
		/* also in the command (the start function): no race either way */
		setpgid(c, c);
		r = (struct record){ .kind = REC_STARTED, .value = (int)c };
	}
	for (size_t i = 0; i < nclose; i++)
		if (close_fds[i] >= 0 && close_fds[i] != w)
			close(close_fds[i]);
	put(w, &r);
	if (c < 0)
		_exit(1);
	int st;
	struct rusage ru;
	pid_t got;
	while ((got = wait4(c, &st, 0, &ru)) < 0 && errno == EINTR)
		;
	if (got != c)
		_exit(1); /* no record: the caller reads EOF */
	r = (struct record){ .kind = REC_ENDED, .value = st, .ru = ru, .t_ns = mpb_now_ns() };
	put(w, &r);
	_exit(0);
}

/* Read one record, blocking; false at EOF or on a short read. */
static bool get(int fd, struct record *r)
{
	ssize_t n;
	while ((n = read(fd, r, sizeof *r)) < 0 && errno == EINTR)
		;
	return n == (ssize_t)sizeof *r;
}

static void reap(struct mpb_cmd_reaper *rp, struct rusage *ru)
{
	if (rp->pid <= 0)
		return;
	while (wait4(rp->pid, NULL, 0, ru) < 0 && errno == EINTR)
		;
	rp->pid = -1;
}

int mpb_cmd_reaper_start(struct mpb_cmd_reaper *rp, mpb_cmd_start_fn start, void *arg,
			 const int *close_fds, size_t nclose, pid_t *cmd_pid, struct mpb_diag *d)
{
	rp->pid = -1;
	rp->fd = -1;
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return mpb_fail_errno(d, MPB_ESYS, errno, "cmd: the reaper's pipe");
	pid_t harness = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		return mpb_fail_errno(d, MPB_ERUN, e, "cmd: fork");
	}
	if (pid == 0) {
		close(p[0]);
		reaper(p[1], harness, start, arg, close_fds, nclose);
	}
	close(p[1]);
	rp->pid = pid;
	rp->fd = p[0];
	struct record r = { 0 };
	if (!get(rp->fd, &r) || r.kind != REC_STARTED) {
		int e = r.kind == REC_FORK_FAILED ? r.value : ECHILD;
		mpb_cmd_reaper_end(rp);
		return mpb_fail_errno(d, MPB_ERUN, e, "cmd: fork");
	}
	*cmd_pid = (pid_t)r.value;
	return 0;
}

static void tv_sub(struct timeval *a, const struct timeval *b)
{
	long us = (a->tv_sec - b->tv_sec) * 1000000L + (a->tv_usec - b->tv_usec);
	if (us < 0)
		us = 0;
	a->tv_sec = us / 1000000L;
	a->tv_usec = us % 1000000L;
}

static long sub0(long a, long b)
{
	return a > b ? a - b : 0;
}

/* *a -= *b, field by field, for what mpbench reads of rusage. */
static void ru_sub(struct rusage *a, const struct rusage *b)
{
	tv_sub(&a->ru_utime, &b->ru_utime);
	tv_sub(&a->ru_stime, &b->ru_stime);
	a->ru_minflt = sub0(a->ru_minflt, b->ru_minflt);
	a->ru_majflt = sub0(a->ru_majflt, b->ru_majflt);
	a->ru_nvcsw = sub0(a->ru_nvcsw, b->ru_nvcsw);
	a->ru_nivcsw = sub0(a->ru_nivcsw, b->ru_nivcsw);
}

int mpb_cmd_reaper_collect(struct mpb_cmd_reaper *rp, struct mpb_cmd_exit *out,
			   struct rusage *self, struct mpb_diag *d)
{
	memset(self, 0, sizeof *self);
	if (rp->fd < 0 || rp->pid <= 0)
		return mpb_fail(d, MPB_ESYS, "cmd: no reaper to collect");
	struct record r;
	bool got = get(rp->fd, &r) && r.kind == REC_ENDED;
	close(rp->fd);
	rp->fd = -1;
	/* it exits right after its record: a short wait, outside every window */
	reap(rp, self);
	if (!got)
		return 0;
	out->status = r.value;
	out->ru = r.ru;
	out->t_ns = r.t_ns;
	/* wait4 counted the command in the reaper's rusage: its own share only */
	ru_sub(self, &r.ru);
	return 1;
}

void mpb_cmd_reaper_end(struct mpb_cmd_reaper *rp)
{
	if (rp->fd >= 0)
		close(rp->fd);
	rp->fd = -1;
	if (rp->pid > 0) {
		kill(rp->pid, SIGKILL);
		reap(rp, NULL);
	}
}
