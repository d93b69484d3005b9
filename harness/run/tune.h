/* tune.h — `mpbench tune`: find the recommended worker count without the
 * full grid.
 *
 * Phase 1 measures the coarse counts 1, 2, 4, ... up to 2 x usable CPUs
 * (plus the usable count itself, as -j auto does). Each later phase adds,
 * per group, the midpoint between the recommended count and the measured
 * count below it (is a smaller count good enough?) and the midpoints
 * between the best count and its measured neighbours (is the best higher
 * in between?), until no group has anything left to try. Throughout, the
 * sweep races: a point whose CI cannot come within the tolerance of its
 * group's best gets no more runs than --runs (sampling.h).
 *
 * Every phase is an ordinary sweep of the driver over a plan built by
 * mpb_plan_build with that phase's worker counts; the runs measured so far
 * move over to the next phase's plan, so the final document (written after
 * every round, as for sweep) is the sweep document of all counts measured,
 * plus a top-level "tune" record of the phases.
 *
 * Unless -t was given, the coarse phase first checks that its runs are long
 * enough to be measured well: each point's median wall time at least
 * MPB_TUNE_RUN_OVER_FIXED times the pool's fixed cost (its median start-up
 * plus teardown). Where one is not, the task count grows so that it would
 * be (the serial baseline kept under MPB_TUNE_MAX_SERIAL_NS), then on to
 * the fewest tasks, at most twice as many, at which the chunks give every
 * worker an equal share at each count tune may measure, 1 to 2 x usable
 * CPUs, else the most even split (mpb_split_even_tasks, split.h), so that
 * a step in the curve is the worker count's doing, not the split's. The
 * coarse phase is measured again with it, and the record says so ("tune":
 * {"calibration": ...}).
 *
 * With --find-size, when serial wins at the size given, tune runs again at
 * a larger size, chosen by mpb_tune_next_size from the size from which the
 * pool's measured fixed cost says a pool would pay (1.5 x that, at least
 * twice the size, else 4 x, rounded up to 3 significant digits in the
 * workload's unit, mpb_round_up_u64, so that the console's -s reads
 * back), until a pool pays or the search's budget is spent:
 * MPB_TUNE_FIND_SIZE_TRIES sizes, MPB_TUNE_FIND_SIZE_SECONDS since
 * the tune started (checked before each new size), a serial run that would
 * take over MPB_TUNE_MAX_SERIAL_NS, or the workload's largest size
 * ("tune": {"find_size": [{size, parallelize, pays_from_size, confidence,
 * confidence_reason}],
 * "find_size_outcome": {stop, size, ...}}); the document is the last
 * size's tune. */
#ifndef MPB_TUNE_H
#define MPB_TUNE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "diag.h"
#include "machine.h"
#include "options.h"
#include "parse.h"
#include "plan.h"

#define MPB_TUNE_MAX_PHASES 8
#define MPB_TUNE_RUN_OVER_FIXED 50.0
#define MPB_TUNE_MAX_SERIAL_NS 2e9
#define MPB_TUNE_FIND_SIZE_TRIES 12
#define MPB_TUNE_FIND_SIZE_SECONDS 120.0

struct mpb_sweep;

/* The coarse phase's worker counts as a -j list ("1,2,4"). 0 or -1 when
 * buf is too small. */
int mpb_tune_coarse_workers(unsigned usable, unsigned cap, char *buf, size_t len);

/* Build the coarse phase's plan for tune: cfg->workers becomes the coarse
 * list (written into buf), and the options must name one workload, one
 * size and one task count. 0 or -MPB_EINPUT (nothing allocated). */
int mpb_tune_plan(struct mpb_config *cfg, const struct mpb_machine *m, char *buf, size_t len,
		  struct mpb_plan *plan, struct mpb_diag *d);

/* Refinement candidates for one group, pure: m[0..n) the measured counts
 * (ascending, unique), rec and best two of them. Writes the counts that are
 * not measured yet, within [1, cap], ascending, into out; returns how many
 * (0..3). */
size_t mpb_tune_refine(const unsigned *m, size_t n, unsigned rec, unsigned best, unsigned cap,
		       unsigned out[3]);

/* The task count that makes a run of `tasks` tasks, wall run_ns of which
 * fixed_ns is the pool's fixed cost, last MPB_TUNE_RUN_OVER_FIXED times
 * the fixed cost (the rest grows with the tasks), with the serial run
 * (serial_ns for `tasks`) kept under MPB_TUNE_MAX_SERIAL_NS and the count
 * under MPB_MAX_TASKS; `tasks` itself when it is long enough. Pure. */
uint64_t mpb_tune_grow_tasks(uint64_t tasks, double fixed_ns, double run_ns, double serial_ns);

/* Why a --find-size search stops after a size (results/README.md names
 * them: mpb_tune_stop_name). */
enum mpb_tune_stop {
	MPB_TUNE_STOP_NONE,       /* it goes on */
	MPB_TUNE_STOP_PAYS,       /* a pool paid at this size: found */
	MPB_TUNE_STOP_LARGEST,    /* this is the workload's largest size */
	MPB_TUNE_STOP_SIZES,      /* MPB_TUNE_FIND_SIZE_TRIES sizes measured */
	MPB_TUNE_STOP_TIME,       /* MPB_TUNE_FIND_SIZE_SECONDS spent */
	MPB_TUNE_STOP_RUN_LENGTH, /* the next size's serial run would pass MPB_TUNE_MAX_SERIAL_NS */
};

/* "none", "pays", "largest_size", "sizes", "time", "run_length". */
const char *mpb_tune_stop_name(enum mpb_tune_stop why);

/* What a --find-size search knows after measuring one size. */
struct mpb_tune_search {
	uint64_t size, max_size;  /* the size measured; the workload's largest */
	enum mpb_unit unit;       /* the workload's unit of size */
	bool pays;                /* a pool beat serial there */
	double pays_from;         /* the size the fixed cost says a pool pays from; 0: none */
	double serial_ns;         /* the serial run's median wall time there; 0 unknown */
	unsigned tried;           /* sizes measured so far, this one included */
	double elapsed_ns;        /* since the tune started */
};

/* The next size to measure into *next (0 when none) and why the search
 * stops, MPB_TUNE_STOP_NONE when it goes on: the rules in the comment at
 * the top, in the order of the enum. Pure. */
enum mpb_tune_stop mpb_tune_next_size(const struct mpb_tune_search *at, uint64_t *next);

/* Run tune. s is set up as for mpb_sweep_run, with s->plan == plan built
 * from cfg with cfg->workers = the coarse list; s->sampling.race_tolerance
 * set to enable racing. Later phases replace *plan (the caller frees the
 * final one as usual) and move the runs over. Sets s->tune to the record of
 * the phases (the caller json_decref's it). Returns what mpb_sweep_run
 * returns for the phase that ended the tune, or -MPB_EINPUT / -MPB_ENOMEM
 * when a phase's plan cannot be built. */
int mpb_tune_run(struct mpb_sweep *s, struct mpb_plan *plan, const struct mpb_config *cfg,
		 const struct mpb_machine *m, struct mpb_diag *d);

/* One line for the console: the worker counts each phase measured. */
void mpb_tune_print(FILE *f, const struct mpb_sweep *s);

#endif
