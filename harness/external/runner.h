/* runner.h — what executes one run of a sweep's point or serial baseline:
 * mpbench's own pool (run/driver.c) or an external command (cmd_point.c).
 * The driver schedules, samples and records; a runner only runs. A sweep
 * has one runner for all its items, and the driver never asks which.
 *
 * A runner sees the sweep through mpb_runner_env, never through the
 * driver's own state, so a runner below the driver (external/) needs no
 * header of the driver. */
#ifndef MPB_RUNNER_H
#define MPB_RUNNER_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "counters.h"
#include "dataset.h"
#include "diag.h"
#include "plan.h"

/* What every runner may use of the sweep in progress. */
struct mpb_runner_env {
	const struct mpb_plan *plan;
	const struct mpb_counter_set *counters; /* NULL: counters off */
	volatile sig_atomic_t *stop_flag;       /* nonzero: give up (MPB_EINTR) */
};

struct mpb_runner_ops {
	const char *name;
	/* One run of plan point i into *out (zeroed by the runner on success).
	 * ctx is the runner's own (cmd: its struct mpb_cmd_spec). 0, or
	 * negative with d set; the driver records the failure. */
	int (*point)(void *ctx, const struct mpb_runner_env *e, size_t i, struct mpb_sample *out,
		     struct mpb_diag *d);
	/* One run of serial baseline j: its wall time into *wall_ns. */
	int (*baseline)(void *ctx, const struct mpb_runner_env *e, size_t j, uint64_t *wall_ns,
			struct mpb_diag *d);
};

#endif
