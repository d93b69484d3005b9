/* cmd_reaper.h — waking on an external command's exit where no pidfd can be
 * had (valgrind, a kernel before 5.3, $MPBENCH_NO_PIDFD: method_proc.h).
 *
 * The pool's answer there, an exit pipe whose write end the worker holds
 * (method_proc.h), does not work for a command: whatever it starts in the
 * background inherits the pipe and keeps it open past the command's exit.
 * So the command gets a parent of its own that does nothing but wait for
 * it: the reaper, a child forked (not exec'd) by mpbench. It forks the
 * command's process, makes it the leader of a process group of its own,
 * reports its pid, blocks in wait4 on it and, once it has ended, writes its
 * wait status, its rusage (wait4's: the command and the descendants it
 * reaped) and the time it saw the exit into its pipe, and exits. The pipe's
 * write end is close-on-exec, so the command loses it at its exec and its
 * children never hold it: the read end wakes a poll exactly when the record
 * is there (or at EOF, when the reaper died without one). No timer anywhere.
 *
 * The reaper dies with mpbench (PR_SET_PDEATHSIG) and the command with the
 * reaper (its own PR_SET_PDEATHSIG in the caller's start function). The
 * reaper ignores the terminal's signals (SIGINT, SIGQUIT, SIGHUP, SIGTERM):
 * it must outlive the command it reports on (the command's process starts
 * with them at SIG_DFL); mpbench reacts to them by
 * killing the command's group. Its CPU time lands in the caller's
 * RUSAGE_CHILDREN when it is reaped; mpb_cmd_reaper_collect returns it
 * apart (its own share, without the command's) so that the caller can take
 * it out. Nothing here prints. */
#ifndef MPB_CMD_REAPER_H
#define MPB_CMD_REAPER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "diag.h"

struct mpb_cmd_reaper {
	pid_t pid; /* the reaper (our child), -1 when there is none */
	int fd;    /* read end of its pipe, close-on-exec; -1 when closed */
};

/* How the command ended, as its reaper saw it. */
struct mpb_cmd_exit {
	int status;       /* wait status */
	struct rusage ru; /* wait4's rusage of the command */
	uint64_t t_ns;    /* mpb_now_ns() when wait4 returned */
};

/* Runs in the command's process, forked by the reaper: must exec or _exit,
 * calling only async-signal-safe functions. `parent` is the reaper's pid
 * (for a getppid() check after PR_SET_PDEATHSIG). */
typedef void (*mpb_cmd_start_fn)(void *arg, pid_t parent);

/* Fork the reaper, which forks the command's process running start(arg).
 * The reaper closes the `nclose` descriptors of `close_fds` (those of the
 * command's and of the caller's pipes: -1 entries are skipped) once the
 * command's process has them. Blocks until the reaper reports the
 * command's pid into *cmd_pid (its own process group's id too). 0, or
 * negative with d set (nothing is left running then). */
int mpb_cmd_reaper_start(struct mpb_cmd_reaper *rp, mpb_cmd_start_fn start, void *arg,
			 const int *close_fds, size_t nclose, pid_t *cmd_pid, struct mpb_diag *d);

/* Once rp->fd has polled readable (or to wait for the end, blocking): the
 * record into *out, then the reaper reaped, its own rusage (without the
 * command's) into *self. 1 with *out filled; 0 when the reaper ended
 * without a record (it was killed): the command was killed with it and
 * becomes an orphan; negative with d set on an unexpected error. */
int mpb_cmd_reaper_collect(struct mpb_cmd_reaper *rp, struct mpb_cmd_exit *out,
			   struct rusage *self, struct mpb_diag *d);

/* In a child just forked by `parent`: be killed (SIGKILL) when it dies;
 * _exit(127) at once if it already has. Async-signal-safe. */
void mpb_cmd_die_with(pid_t parent);

/* Close the pipe and, if the reaper was not collected, kill and reap it
 * (the command dies with it). Safe on a reaper never started
 * ({ -1, -1 }) and twice. */
void mpb_cmd_reaper_end(struct mpb_cmd_reaper *rp);

#endif
