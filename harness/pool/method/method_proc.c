/* method_proc.c — reap and kill for workers that are child processes (see
 * method_proc.h). */
#include "method_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

int mpb_proc_reap(struct mpb_slot *s, bool block, struct mpb_diag *d)
{
	if (s->ended)
		return 1;
	if (s->pid <= 0) { /* never started: wait4(0 or -1) would reap someone else */
		s->ended = true;
		return 1;
	}
	for (;;) {
		/* wait4, not waitpid: the kernel's rusage includes the worker's exit */
		pid_t r = wait4(s->pid, &s->wait_status, block ? 0 : WNOHANG, &s->ru);
		if (r == s->pid) {
			s->ended = true;
			s->have_ru = true;
			return 1;
		}
		if (r == 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno == ECHILD) { /* reaped elsewhere: nothing left to wait for */
			s->ended = true;
			return 1;
		}
		return mpb_fail_errno(d, MPB_ESYS, errno, "waiting for worker %u", s->index);
	}
}

static bool pidfd_disabled(void)
{
	const char *off = getenv(MPB_NO_PIDFD_ENV);
	return off && *off && strcmp(off, "0") != 0;
}

static int pidfd_open(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

int mpb_proc_pidfd(pid_t pid)
{
	if (pidfd_disabled()) {
		errno = ENOSYS;
		return -1;
	}
	return pidfd_open(pid);
}

/* Whether mpb_proc_pidfd can succeed here: the kernel's answer is asked
 * once, on our own pid; the environment every time (tests change it). */
static bool pidfd_works(void)
{
	static int kernel = -1;
	if (pidfd_disabled())
		return false;
	if (kernel < 0) {
		int fd = pidfd_open(getpid());
		kernel = fd >= 0;
		if (fd >= 0)
			close(fd);
	}
	return kernel;
}

/* Whether pid has exited, without reaping it (the wait status stays for
 * mpb_proc_reap). */
static bool exited(pid_t pid)
{
	siginfo_t si = { 0 };
	int r;
	while ((r = waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT)) < 0 &&
	       errno == EINTR)
		;
	/* ECHILD: reaped elsewhere, nothing left to wait for */
	return r < 0 || si.si_pid == pid;
}

static struct timespec span(uint64_t ns)
{
	return (struct timespec){ (time_t)(ns / 1000000000u), (long)(ns % 1000000000u) };
}

int mpb_proc_wait(struct mpb_slot *s, uint64_t until_ns, struct mpb_diag *d)
{
	if (s->ended || s->pid <= 0)
		return 0;
	/* the exit pipe where the launch made one (no pidfd then), else a pidfd */
	bool pipe = s->exit_fd >= 0;
	int fd = pipe ? s->exit_fd : mpb_proc_pidfd(s->pid);
	if (fd < 0 && errno == ESRCH)
		return 0; /* reaped elsewhere: mpb_proc_reap finds ECHILD */
	if (fd < 0)
		return mpb_fail_errno(d, MPB_ESYS, errno, "waiting for worker %u: no pidfd and no "
				      "exit pipe", s->index);
	int rc = 0;
	for (;;) {
		uint64_t now = mpb_now_ns();
		if (now >= until_ns || (pipe && exited(s->pid)))
			break;
		struct pollfd pf = { fd, POLLIN, 0 };
		struct timespec ts = span(until_ns - now);
		int r = ppoll(&pf, 1, &ts, NULL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = mpb_fail_errno(d, MPB_ESYS, errno, "waiting for worker %u", s->index);
			break;
		}
		s->wakeups++;
		if (r == 0 || !pipe)
			break; /* until_ns came, or the pidfd fired: it exited */
		/* the exit pipe hung up: the kernel is ending the worker, which is
		 * a zombie a few microseconds later (method_proc.h). Yield to it
		 * rather than sleep: a sleep would be a timer in the window. */
		while (!exited(s->pid) && mpb_now_ns() < until_ns)
			sched_yield();
		break;
	}
	if (!pipe)
		close(fd);
	return rc;
}

int mpb_proc_exit_pipe(int fd[2], unsigned index, struct mpb_diag *d)
{
	fd[0] = fd[1] = -1;
	if (pidfd_works())
		return 0;
	if (pipe2(fd, O_CLOEXEC) < 0)
		return mpb_fail_errno(d, MPB_ERUN, errno, "creating the exit pipe of worker %u",
				      index);
	return 0;
}

void mpb_proc_exit_pipe_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void mpb_proc_kill(struct mpb_slot *s)
{
	if (s->pid > 0 && !s->ended)
		kill(s->pid, SIGKILL);
}
