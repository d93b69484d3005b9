/* ceiling.h — the machine's scaling ceiling: the same tasks split statically
 * over N bare forked processes that compute and exit. No pool, no codec, no
 * frames: each child inherits the task arguments through fork and leaves its
 * results in a shared anonymous mapping, which the parent checks with the
 * workload's verify after the clock has stopped. Its speedup over the serial
 * baseline is what this machine gives at N processes whatever a pool does
 * (virtual CPUs, SMT, turbo and memory bandwidth all show up in it), so a pool
 * is judged against the ceiling rather than against N.
 *
 * A ceiling run is timed like a pool run: start of the first fork → last child
 * reaped. Children die with the harness (PR_SET_PDEATHSIG), are killed when a
 * sibling fails or the stop flag rises, and are always reaped before a call
 * returns. Nothing here prints.
 */
#ifndef MPB_CEILING_H
#define MPB_CEILING_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "method.h"
#include "ceiling_ratios.h"
#include "value.h"
#include "workload.h"

/* One ceiling measurement's input; everything is borrowed. */
struct mpb_ceiling_job {
	const struct mpb_workload_ops *workload;
	void *wl_state;                    /* the parent's (setup), inherited by the children */
	struct mpb_workload_params params; /* size, tasks, seed (verify needs them) */
	const struct mpb_value *args;      /* [params.tasks], inherited by the children */
	unsigned workers;                  /* >= 1; children are forked even with no task */
	/* Optional: when *stop_flag becomes nonzero the children are killed and
	 * reaped within ~100 ms and the run returns -MPB_EINTR. */
	volatile sig_atomic_t *stop_flag;
	/* bare forked processes (0), or bare MPI ranks (ceiling_mpi.h): the
	 * kind of the points' method (method.h) */
	enum mpb_method_ceiling over;
};


/* The static split: child k of `workers` computes tasks [*first, *first +
 * *count). Contiguous blocks whose sizes differ by at most one, covering
 * [0, tasks) exactly once. */
void mpb_ceiling_split(uint64_t tasks, unsigned workers, unsigned k, uint64_t *first,
		       uint64_t *count);

/* Run the job once: fork, compute, reap, then verify every result. *wall_ns
 * gets first fork → last child reaped. *arena_bytes is the per-child room
 * for results that are not scalars (0 to start with): when a child finds it
 * short the run is repeated with the room it asked for, and the grown value is
 * left for the next call. tasks_done, when not NULL, gets [workers] task
 * counts per child. Returns 0; -MPB_ERUN when a child failed or died, a result
 * is wrong or a task was not computed exactly once (the message names the
 * child and its pid); -MPB_EINTR; -MPB_ENOMEM; -MPB_EINPUT for a job that
 * cannot run. Every child is reaped in every case. */
int mpb_ceiling_run(const struct mpb_ceiling_job *job, size_t *arena_bytes, uint64_t *wall_ns,
		    uint64_t *tasks_done, struct mpb_diag *d);

/* The machine's ceiling for a CPU-bound loop (sumsq), measured now in a few
 * seconds: `tasks` = 2 x workers tasks sized so one serial run takes a few
 * hundred ms, serial and ceiling runs alternating, medians of `runs`. */
struct mpb_ceiling_machine {
	unsigned workers, runs;
	uint64_t size, tasks;
	double serial_ns, ceiling_ns;   /* medians */
	double speedup, ci_lo, ci_hi, efficiency;
};
int mpb_ceiling_measure_machine(unsigned workers, volatile sig_atomic_t *stop_flag,
				struct mpb_ceiling_machine *out, struct mpb_diag *d);

#endif
