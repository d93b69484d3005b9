/* method_proc.c — reap and kill for workers that are child processes (see
 * method_proc.h). */
#include "method_proc.h"

#include <errno.h>
#include <poll.h>
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
	int fd = mpb_proc_pidfd(s->pid);
	for (;;) {
		uint64_t now = mpb_now_ns();
		if (now >= until_ns)
			break;
		if (fd >= 0) {
			struct pollfd pf = { fd, POLLIN, 0 };
			struct timespec ts = span(until_ns - now);
			int r = ppoll(&pf, 1, &ts, NULL);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				int e = errno;
				close(fd);
				return mpb_fail_errno(d, MPB_ESYS, e, "waiting for worker %u", s->index);
			}
			break; /* it exited, or until_ns came */
		}
		/* no pidfd (valgrind, an old kernel): the only case that polls.
		 * This is inside the teardown window; with no event to wake on
		 * (no pidfd, and the worker's pipe closes before it is a zombie)
		 * the step is kept at 50 us, which bounds what it adds there
		 * (results/README.md, teardown_ns). */
		if (exited(s->pid))
			break;
		uint64_t step = until_ns - now < 50000u ? until_ns - now : 50000u;
		struct timespec ts = span(step);
		nanosleep(&ts, NULL);
	}
	if (fd >= 0)
		close(fd);
	return 0;
}

void mpb_proc_kill(struct mpb_slot *s)
{
	if (s->pid > 0 && !s->ended)
		kill(s->pid, SIGKILL);
}

int mpb_proc_pidfd(pid_t pid)
{
	const char *off = getenv(MPB_NO_PIDFD_ENV);
	if (off && *off && strcmp(off, "0") != 0) {
		errno = ENOSYS;
		return -1;
	}
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}
