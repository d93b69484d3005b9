/* method_proc.c — reap and kill for workers that are child processes (see
 * method_proc.h). */
#include "method_proc.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

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
