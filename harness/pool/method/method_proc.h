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
 * until_ns. Woken by the child's pidfd; where none can be had (see
 * mpb_proc_pidfd) it looks every 50 us instead. 0, or negative with d set. */
int mpb_proc_wait(struct mpb_slot *s, uint64_t until_ns, struct mpb_diag *d);
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
