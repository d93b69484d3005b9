/* driver.h — runs a plan: warm-up rounds, then measured rounds in which every
 * point, every serial baseline and every ceiling (ceiling.h) runs once, in
 * an order shuffled per round from --seed, so machine drift spreads over all
 * points instead of biasing one. The results file is rewritten atomically
 * after every measured round. The driver never prints; it reports progress
 * through a callback. */
#ifndef MPB_DRIVER_H
#define MPB_DRIVER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "counters.h"
#include "dataset.h"
#include "machine.h"
#include "plan.h"
#include "progress.h"
#include "runner.h"
#include "sampling.h"

struct mpb_sweep {
	/* set by the caller */
	const struct mpb_plan *plan;
	const struct mpb_machine *machine;
	const char *output;              /* results path (NULL: write nothing) */
	int argc;
	char **argv;                     /* full command line, recorded as "command" */
	json_t *options;                 /* resolved options (borrowed reference kept) */
	volatile sig_atomic_t *stop_flag;
	/* The progress display (progress.h), told between runs; NULL: none */
	const struct mpb_progress_ops *progress;
	void *progress_ctx;
	const char *phase;               /* the label of the phases that follow (tune's); NULL: none */
	const struct mpb_counter_set *counters; /* NULL: counters off */
	/* Optional: called before each run of an item ("point", "baseline",
	 * "ceiling"), with keep false for warm-up runs: the schedule made visible */
	void (*on_run)(void *ctx, const char *kind, size_t index, bool keep);
	void *on_run_ctx;
	/* Adaptive sampling (sampling.h); zeroed: exactly plan->runs per item. */
	struct mpb_sampling_policy sampling;
	double tolerance;                /* recommendations: fraction of the best (0: the best) */
	double start_busy_cpus;          /* CPUs busy with other work at the start; < 0 unknown */
	json_t *tune;                    /* `tune`'s record, top-level "tune" (borrowed), or NULL */
	/* What runs each point and baseline (runner.h) and its context; NULL:
	 * mpbench's own pool */
	const struct mpb_runner_ops *runner;
	void *runner_ctx;
	uint64_t run_timeout_ns, task_timeout_ns; /* --timeout, --task-timeout per pool run; 0: none */
	bool fail_fast;                  /* --fail-fast: no more runs after the first failure */
	/* filled by the driver: what was measured, the results model
	 * (dataset.h). Its plan, machine, counters, command line, options,
	 * tune record, policy, tolerance and start load are the fields above,
	 * copied in at the start of mpb_sweep_run and before each write. */
	struct mpb_dataset data;
	/* A thread worker could not be stopped and runs on (method.h): the run
	 * failed, the sweep stopped there (later points would be measured next
	 * to it), and mpb_sweep_free keeps the baselines' arguments and workload
	 * states, which the thread may still read, until the process exits. */
	bool thread_abandoned;
	size_t writes;                   /* results rewrites so far */
	uint64_t last_write_ns, last_write_cost_ns; /* when the last ended, what it took */
	/* driver.c's own: baseline preparations (workload states, task
	 * arguments), ceiling arenas, the --parent-rss ballast; made on first use */
	struct mpb_sweep_run *run;
};

/* Whether the running sweep's results are rewritten after this round: when
 * at least 9x what the last rewrite took has passed since it, so that
 * rewriting takes at most a tenth of the sweep. Each rewrite rebuilds every
 * point's bootstrap CIs: a sweep of 32 noisy points spent 20 of its 29 s in
 * 31 rewrites. A small sweep still rewrites after every round; the final
 * (complete, failed or interrupted) write always happens. */
bool mpb_sweep_rewrite_due(uint64_t last_cost_ns, uint64_t since_ns);

/* Run the whole plan. Returns 0 when every point succeeded, -MPB_ERUN when a
 * point failed (recorded; the sweep went on), -MPB_EINTR when interrupted,
 * -MPB_EIO when the results file could not be written. Results collected so
 * far are in the file in every case but the last. */
int mpb_sweep_run(struct mpb_sweep *s, struct mpb_diag *d);
void mpb_sweep_free(struct mpb_sweep *s);

/* Write the results again as they stand, with the status of the last
 * mpb_sweep_run: for what is added to the document after its last round
 * (tune's record of its final phase). 0, or -MPB_EIO / -MPB_ENOMEM. */
int mpb_sweep_write(struct mpb_sweep *s, struct mpb_diag *d);

/* Run point `i` once into *out (exposed for tests). */
int mpb_sweep_run_point(struct mpb_sweep *s, size_t i, struct mpb_sample *out,
			struct mpb_diag *d);

/* The task arguments the driver made for baseline j, NULL before its first
 * run (exposed for tests). */
const struct mpb_value *mpb_sweep_baseline_args(const struct mpb_sweep *s, size_t j);

/* Carry the measurements of s (made under s->plan) over to the items of the
 * plan nw that are the same: points for which same_point holds, baselines
 * and ceilings with equal axes; free the rest. s->plan must then become nw
 * (tune's phases). 0 or -MPB_ENOMEM. */
int mpb_sweep_carry(struct mpb_sweep *s, const struct mpb_plan *nw,
		    bool (*same_point)(const struct mpb_point *a, const struct mpb_point *b),
		    struct mpb_diag *d);

#endif
