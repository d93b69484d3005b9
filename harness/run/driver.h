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

#include "ceiling.h"
#include "cmd_point.h"
#include "counters.h"
#include "machine.h"
#include "overhead.h"
#include "plan.h"
#include "pool.h"
#include "sampling.h"

/* One measured run of a point. */
struct mpb_sample {
	uint64_t wall_ns, startup_ns, map_ns, teardown_ns, compute_ns;
	uint64_t codec_parent_ns, codec_workers_ns, bytes_sent, bytes_received;
	unsigned nworkers;
	struct mpb_worker_report *worker; /* [nworkers], owned */
	struct mpb_scope_counts harness;  /* the harness thread's counters and rusage */
	struct mpb_overhead overhead;     /* the split of map and serve time (overhead.h) */
	struct mpb_chunk_stats chunks;    /* chunk sizes the map chose (chunk.h) */
	json_t *cmd;                      /* workload cmd: the run's "cmd" record (owned), else NULL */
};

struct mpb_point_state {
	struct mpb_sample *runs;
	size_t nruns, cap;
	struct mpb_sampling_acct acct;  /* time and CPU of the measured runs */
	bool failed;
	char error[512];
	const char *error_kind;         /* mpb_diag_kind of the failure */
};

struct mpb_baseline_state {
	double *wall_ns;
	size_t n, cap;
	void *wl_state;            /* parent-side workload state (setup) */
	struct mpb_value *args;    /* [tasks], made once */
	struct mpb_sampling_acct acct;
	bool ready, failed;
	char error[512];
	const char *error_kind;
};

struct mpb_sweep {
	/* set by the caller */
	const struct mpb_plan *plan;
	const struct mpb_machine *machine;
	const char *output;              /* results path (NULL: write nothing) */
	int argc;
	char **argv;                     /* full command line, recorded as "command" */
	json_t *options;                 /* resolved options (borrowed reference kept) */
	volatile sig_atomic_t *stop_flag;
	void (*progress)(void *ctx, size_t done, size_t total);
	void *progress_ctx;
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
	const struct mpb_cmd_spec *cmd;  /* --cmd and friends (cmd_point.h), or NULL */
	uint64_t run_timeout_ns, task_timeout_ns; /* --timeout, --task-timeout per pool run; 0: none */
	bool fail_fast;                  /* --fail-fast: no more runs after the first failure */
	/* filled by the driver */
	/* A thread worker could not be stopped and runs on (method.h): the run
	 * failed, the sweep stopped there (later points would be measured next
	 * to it), and mpb_sweep_free keeps the baselines' arguments and workload
	 * states, which the thread may still read, until the process exits. */
	bool thread_abandoned;
	void *ballast;                   /* --parent-rss memory, touched */
	size_t ballast_len;
	struct mpb_point_state *pts;
	struct mpb_baseline_state *bls;
	struct mpb_ceiling_state *cls;   /* [plan->nceilings] */
	/* [plan->npoints] derived figures as last computed (analysis.h), made
	 * by mpb_sweep_run, freed by mpb_sweep_free; NULL: computed each time */
	struct mpb_analysis_memo *memo;
	char started[32], finished[32];
	const char *status;              /* "running", "complete", "interrupted", "failed" */
	size_t writes;                   /* results rewrites so far */
	uint64_t last_write_ns, last_write_cost_ns; /* when the last ended, what it took */
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

/* Run point `i` once into *out (exposed for tests). */
int mpb_sweep_run_point(struct mpb_sweep *s, size_t i, struct mpb_sample *out,
			struct mpb_diag *d);

#endif
