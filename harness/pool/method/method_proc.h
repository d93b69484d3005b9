/* method_proc.h — waiting for and killing a worker that is a child process of
 * the harness, shared by the start methods whose workers are its children
 * (fork, spawn): one place for the wait4 loop and its ECHILD rule. */
#ifndef MPB_METHOD_PROC_H
#define MPB_METHOD_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "diag.h"
#include "method.h"

/* The contract of mpb_method_ops.reap for a child s->pid: wait for it (block)
 * or check once (!block). Returns 1 when it ended (s->ended, s->wait_status,
 * s->ru/have_ru set; a child already reaped elsewhere counts as ended without
 * rusage), 0 while alive, negative with d set on an unexpected error. */
int mpb_proc_reap(struct mpb_slot *s, bool block, struct mpb_diag *d);
/* The contract of mpb_method_ops.wait for a child s->pid: sleep until it
 * has exited (left unreaped, for mpb_proc_reap) or mpb_now_ns() reaches
 * until_ns. Woken by the child's exit itself, never by a timer: its pidfd,
 * or where none can be had, its exit pipe (s->exit_fd, below). Each sleep
 * that ends counts in s->wakeups. 0, or negative with d set. */
int mpb_proc_wait(struct mpb_slot *s, uint64_t until_ns, struct mpb_diag *d);
/* The exit pipe, for where mpb_proc_pidfd cannot succeed (valgrind, a
 * kernel before 5.3, $MPBENCH_NO_PIDFD): a pipe whose write end only the
 * child holds, kept open to its end, so that the kernel closes it as the
 * child exits, just before it becomes a zombie; the parent's read end then
 * reads EOF and wakes a poll. The child must never close it itself (nothing
 * in a worker does), nor hand it to children of its own.
 *
 * Call before creating the child: fd[0] (read) and fd[1] (write), both
 * close-on-exec, where there is no pidfd; both -1 where there is one (it is
 * the better event: it fires at the zombie itself). 0, or negative with d
 * set. After the launch the parent closes fd[1] (mpb_proc_exit_pipe_close)
 * and keeps fd[0] as s->exit_fd; the child closes fd[0]. */
int mpb_proc_exit_pipe(int fd[2], unsigned index, struct mpb_diag *d);
/* Close *fd unless it is -1, and set it to -1. */
void mpb_proc_exit_pipe_close(int *fd);
/* SIGKILL s->pid unless it was never started or is already reaped (its pid
 * may then belong to someone else). */
void mpb_proc_kill(struct mpb_slot *s);
/* A pidfd for pid (close-on-exec by the kernel), or -1 with errno set
 * (ENOSYS where the kernel or the headers predate pidfd_open): callers keep a
 * way to wait without one. $MPBENCH_NO_PIDFD, set to anything but 0, makes
 * it fail so, so that tests take those paths (valgrind takes them too: it
 * does not know the system call). mpbench never sets it. */
#define MPB_NO_PIDFD_ENV "MPBENCH_NO_PIDFD"
int mpb_proc_pidfd(pid_t pid);

#endif
