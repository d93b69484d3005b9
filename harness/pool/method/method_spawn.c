/* method_spawn.c — the `spawn` start method: each worker is a fresh image of
 * mpbench-worker (worker_main.c) started with posix_spawn(3), like
 * multiprocessing's "spawn". It inherits nothing but its two pipe ends, at
 * fixed descriptors (tasks in on 3, results out on 4; a transport channel on
 * 5 and its exit pipe on 6 where it has them), stdin/stdout/stderr and
 * a short list of environment variables; its whole configuration comes in a
 * HELLO frame (worker_spec.h) and it rebuilds the workload from that.
 *
 * The worker executable is $MPBENCH_WORKER when set and not empty, else
 * mpbench-worker in the directory of the running binary (a build tree), else
 * the installed one relative to it (mpb_method_spawn_default_worker).
 */
#include "method.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frame.h"
#include "method_proc.h"
#include "selfpath.h"
#include "worker.h"
#include "worker_spec.h"

extern char **environ;

#define WORKER_IN_FD 3
#define WORKER_OUT_FD 4
#define WORKER_CHAN_FD MPB_TRANSPORT_CHAN_FD /* the transport channel (shm), if any */
#define WORKER_EXIT_FD MPB_WORKER_EXIT_FD     /* its exit pipe, if any (method_proc.h) */
_Static_assert(WORKER_EXIT_FD > WORKER_CHAN_FD, "lift() keeps the child ends above both");
#define WORKER_NAME "mpbench-worker"

/* What a worker may need from the environment: the loader's and sanitizers'
 * settings to start the same way the harness did, and the basics a workload
 * that runs commands or makes temporary files expects. Nothing else crosses. */
static const char *const keep_env[] = {
	"PATH", "HOME", "TMPDIR", "LANG", "LC_ALL", "TZ",
	"LD_LIBRARY_PATH", "LD_PRELOAD",
	"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS",
	"MPBENCH_INJECT", /* test-only faults (inject.h) reach spawned workers too */
};
#define NKEEP (sizeof keep_env / sizeof keep_env[0])

static void reduced_env(char *envp[NKEEP + 1])
{
	size_t n = 0;
	for (char **e = environ; e && *e && n < NKEEP; e++)
		for (size_t k = 0; k < NKEEP; k++) {
			size_t len = strlen(keep_env[k]);
			if (strncmp(*e, keep_env[k], len) == 0 && (*e)[len] == '=') {
				envp[n++] = *e;
				break;
			}
		}
	envp[n] = NULL;
}

#ifndef MPB_WORKER_FROM_BIN
#define MPB_WORKER_FROM_BIN WORKER_NAME
#endif

int mpb_method_spawn_default_worker(char *path, size_t len)
{
	/* beside the binary (a build tree), then where `meson install` puts it
	 * relative to the binary (harness/meson.build) */
	const char *rel[] = { WORKER_NAME, MPB_WORKER_FROM_BIN };
	for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++)
		if (mpb_selfpath_join(rel[i], path, len) == 0 && access(path, X_OK) == 0)
			return 0;
	return -1;
}

/* The worker executable's path into path; failures carry `code`. */
static int worker_path(char *path, size_t len, int code, struct mpb_diag *d)
{
	const char *env = getenv("MPBENCH_WORKER");
	if (env && *env) {
		if ((size_t)snprintf(path, len, "%s", env) >= len)
			return mpb_fail(d, code, "spawn: MPBENCH_WORKER is longer than %zu bytes",
					len - 1);
	} else if (mpb_method_spawn_default_worker(path, len) < 0) {
		char beside[PATH_MAX], installed[PATH_MAX];
		if (mpb_selfpath_join(WORKER_NAME, beside, sizeof beside) < 0 ||
		    mpb_selfpath_join(MPB_WORKER_FROM_BIN, installed, sizeof installed) < 0)
			return mpb_fail(d, code, "spawn: cannot locate " WORKER_NAME " (reading "
					"/proc/self/exe; set MPBENCH_WORKER)");
		return mpb_fail(d, code, "spawn: worker executable not found at %s nor at %s (set "
				"MPBENCH_WORKER)", beside, installed);
	}
	/* checked here for a message that says where we looked; posix_spawn's own
	 * error is still handled */
	if (access(path, X_OK) < 0)
		return mpb_fail_errno(d, code, errno, "spawn: worker executable %s%s", path,
				      " (from MPBENCH_WORKER)");
	return 0;
}

/* Move a child end off the fixed descriptors, so that the dup2 of one end
 * cannot overwrite the other before it is copied (and dup2(fd, fd), which
 * keeps close-on-exec on older libcs, never happens). */
static int lift(int *fd)
{
	if (*fd > WORKER_EXIT_FD)
		return 0;
	int n = fcntl(*fd, F_DUPFD_CLOEXEC, WORKER_EXIT_FD + 1);
	if (n < 0)
		return -1;
	close(*fd);
	*fd = n;
	return 0;
}

/* Hand the HELLO over now rather than at the pool's next poll, so the
 * worker finds its configuration as soon as it runs (as multiprocessing
 * writes its preparation data right after spawning). The pipe is empty and
 * the frame is far below its capacity; whatever is not written stays queued
 * for the pool. Our read end is still open, so this cannot raise EPIPE. */
static int put_hello(const struct mpb_worker_args *a, struct mpb_slot *s, struct mpb_diag *d)
{
	int rc = mpb_worker_spec_put_hello(a, (uint64_t)getpid(), &s->out, d);
	if (rc < 0)
		return rc;
	ssize_t w = write(s->to_fd, mpb_buf_head(&s->out), mpb_buf_pending(&s->out));
	if (w > 0)
		mpb_buf_consume(&s->out, (size_t)w);
	return 0;
}

/* Close what is left of an exit pipe in the parent (method_proc.h). */
static void drop(int ep[2])
{
	mpb_proc_exit_pipe_close(&ep[0]);
	mpb_proc_exit_pipe_close(&ep[1]);
}

static int spawn_launch(struct mpb_pool *p, struct mpb_slot *s, struct mpb_diag *d)
{
	char path[PATH_MAX];
	int rc = worker_path(path, sizeof path, MPB_ERUN, d);
	if (rc < 0)
		return rc;
	if (lift(&s->child_in) < 0 || lift(&s->child_out) < 0 ||
	    (s->chan_fd >= 0 && lift(&s->chan_fd) < 0))
		return mpb_fail_errno(d, MPB_ESYS, errno, "spawn: fcntl on worker %u's pipes",
				      s->index);
	struct mpb_worker_args a;
	mpb_pool_worker_args(p, s, &a);
	rc = put_hello(&a, s, d);
	if (rc < 0)
		return rc;
	int ep[2];
	rc = mpb_proc_exit_pipe(ep, s->index, d);
	if (rc < 0)
		return rc;
	if (ep[1] >= 0 && lift(&ep[1]) < 0) {
		rc = mpb_fail_errno(d, MPB_ESYS, errno, "spawn: fcntl on worker %u's exit pipe",
				    s->index);
		drop(ep);
		return rc;
	}

	char *argv[] = { (char *)WORKER_NAME, NULL };
	char *envp[NKEEP + 1];
	pid_t pid;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	int e = posix_spawn_file_actions_init(&fa);
	if (e) {
		drop(ep);
		return mpb_fail_errno(d, MPB_ESYS, e, "spawn: posix_spawn_file_actions_init");
	}
	e = posix_spawnattr_init(&at);
	if (e) {
		posix_spawn_file_actions_destroy(&fa);
		drop(ep);
		return mpb_fail_errno(d, MPB_ESYS, e, "spawn: posix_spawnattr_init");
	}
	/* dup2 clears close-on-exec on the copies; everything else the harness
	 * holds is closed, whether or not its opener remembered O_CLOEXEC */
	e = posix_spawn_file_actions_adddup2(&fa, s->child_in, WORKER_IN_FD);
	if (!e)
		e = posix_spawn_file_actions_adddup2(&fa, s->child_out, WORKER_OUT_FD);
	if (!e && s->chan_fd >= 0)
		e = posix_spawn_file_actions_adddup2(&fa, s->chan_fd, WORKER_CHAN_FD);
	if (!e && ep[1] >= 0)
		e = posix_spawn_file_actions_adddup2(&fa, ep[1], WORKER_EXIT_FD);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
	if (!e)
		e = posix_spawn_file_actions_addclosefrom_np(&fa, WORKER_EXIT_FD + 1);
#endif
	/* a fresh image starts with default dispositions and nothing blocked,
	 * not with what the harness ignores (SIGPIPE) or blocks */
	sigset_t all, none;
	sigfillset(&all);
	sigemptyset(&none);
	if (!e)
		e = posix_spawnattr_setsigdefault(&at, &all);
	if (!e)
		e = posix_spawnattr_setsigmask(&at, &none);
	if (!e)
		e = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
	if (e) {
		rc = mpb_fail_errno(d, MPB_ESYS, e, "spawn: setting up worker %u", s->index);
		goto out;
	}
	reduced_env(envp);
	e = posix_spawn(&pid, path, &fa, &at, argv, envp);
	if (e) {
		rc = mpb_fail_errno(d, MPB_ERUN, e, "spawn: starting worker %u from %s", s->index,
				    path);
		goto out;
	}
	s->pid = pid;
	s->exit_fd = ep[0];
	ep[0] = -1;
	close(s->child_in);
	close(s->child_out);
	s->child_in = s->child_out = -1;
out:
	drop(ep);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}

/* A missing worker executable is a bad installation or a bad MPBENCH_WORKER:
 * say so before the first run rather than fail every point. */
static int spawn_prepare(struct mpb_diag *d)
{
	char path[PATH_MAX];
	return worker_path(path, sizeof path, MPB_EINPUT, d);
}

static int spawn_reap(struct mpb_pool *p, struct mpb_slot *s, bool block, struct mpb_diag *d)
{
	(void)p;
	return mpb_proc_reap(s, block, d);
}

static int spawn_wait(struct mpb_pool *p, struct mpb_slot *s, uint64_t until_ns,
		     struct mpb_diag *d)
{
	(void)p;
	return mpb_proc_wait(s, until_ns, d);
}

static void spawn_kill(struct mpb_pool *p, struct mpb_slot *s)
{
	(void)p;
	mpb_proc_kill(s);
}

const struct mpb_method_ops mpb_method_spawn = {
	.name = "spawn",
	.summary = "posix_spawn a fresh mpbench-worker: nothing inherited but its pipes and "
		   "a HELLO frame",
	.launch_call = "posix_spawn",
	.floor = MPB_METHOD_FLOOR_SPAWN,
	.prepare = spawn_prepare,
	.launch = spawn_launch,
	.reap = spawn_reap,
	.wait = spawn_wait,
	.kill = spawn_kill,
};
