/* inject.h — fault injection for the reliability tests (test-only).
 *
 * Compiled in only by a build configured with -Dfault_injection=true (the
 * test builds of scripts/test.sh and scripts/valgrind.sh); any other build
 * refuses a set MPBENCH_INJECT (exit 2) and never injects, so a release
 * binary cannot fake a crash.
 *
 * MPBENCH_INJECT names one fault; mpbench itself never sets it. It exists so
 * that every fault the harness must survive can be reproduced on
 * demand in tests instead of by luck:
 *
 *   MPBENCH_INJECT=ACTION[:KEY=VALUE,...]
 *
 *   crash        the worker raises a signal (signal=N, default 11 SIGSEGV)
 *   exit         the worker exits early (status=N, default 7)
 *   hang         the worker never finishes its chunk (sleeps until killed)
 *   corrupt      the worker writes a malformed frame
 *   kill-server  a forkserver worker kills its server (others ignore it)
 *   launch-fail  starting the worker fails as fork/posix_spawn would
 *                (errno=EAGAIN|ENOMEM|EMFILE, default EAGAIN)
 *
 *   worker=N     which worker (default 0)
 *   after=K      the first chunk it starts once it has done K tasks (default 0)
 *
 * Worker actions apply to process workers; `hang` applies to thread workers
 * too (the pool abandons a thread it cannot stop, method_thread.c), while
 * crash, exit, corrupt and kill-server stay process-only: a thread that
 * crashes or exits takes the harness with it. The variable is read lazily in
 * each process (a spawned worker is a fresh image); mpb_inject_check
 * validates it up front so that a typo is an input error, not a silently
 * missing fault.
 */
#ifndef MPB_INJECT_H
#define MPB_INJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

#define MPB_INJECT_ENV "MPBENCH_INJECT"

enum mpb_inject_action {
	MPB_INJECT_NONE = 0,
	MPB_INJECT_CRASH,
	MPB_INJECT_EXIT,
	MPB_INJECT_HANG,
	MPB_INJECT_CORRUPT,
	MPB_INJECT_KILL_SERVER,
	MPB_INJECT_LAUNCH_FAIL,
};

struct mpb_inject {
	enum mpb_inject_action action;
	unsigned worker;
	uint64_t after;
	int arg;  /* signal, exit status or errno, by action */
};

/* Parse a spec (NULL or "" means no fault). 0 or -MPB_EINPUT naming the
 * value and what is accepted. */
int mpb_inject_parse(const char *spec, struct mpb_inject *out, struct mpb_diag *d);

/* Validate $MPBENCH_INJECT; 0 when unset or valid. */
int mpb_inject_check(struct mpb_diag *d);

/* Worker side, before a process worker starts a chunk: performs the fault
 * when it is due for this worker (may not return). `send` writes bytes to
 * the parent the way the worker's results go (its transport), for corrupt. */
typedef int (*mpb_inject_send_fn)(void *ctx, const void *p, size_t n);
void mpb_inject_worker(unsigned index, uint64_t tasks_done, mpb_inject_send_fn send, void *ctx);

/* The same for a thread worker, before it starts a chunk: hangs (never
 * returns) when `hang` is due for it; every other action is ignored. */
void mpb_inject_thread_worker(unsigned index, uint64_t tasks_done);

/* Parent side, before launching worker `index` with `call` (the method's
 * launch_call: "fork", "posix_spawn"): -MPB_ERUN with the message a failed
 * call would give when launch-fail is due, else 0. */
int mpb_inject_launch(unsigned index, const char *call, struct mpb_diag *d);

#endif
