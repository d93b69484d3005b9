/* dataset.h — the results model: what a sweep measured, as data. The driver
 * (run/driver.h) fills a dataset while it runs; a results file loads back
 * into one; analysis/ computes every derived figure, fit, recommendation and
 * warning from a const dataset, and output/ serializes a dataset with its
 * analysis. Nothing here schedules, measures or prints.
 *
 * A dataset refers to its plan (the axes of every point, baseline and
 * ceiling, the seed and the minimum runs), its machine and its counter set;
 * it owns the measurements: every point's runs, every serial baseline's and
 * ceiling's wall times, with their sampling accounts and failures. */
#ifndef MPB_DATASET_H
#define MPB_DATASET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "chunk.h"
#include "counters.h"
#include "machine.h"
#include "plan.h"
#include "pool.h"

#define MPB_SAMPLING_DEFAULT_MAX_RUNS 30
#define MPB_SAMPLING_DEFAULT_TARGET_CI 0.03   /* fraction of the median */
#define MPB_SAMPLING_DEFAULT_MAX_TIME_S 10.0
#define MPB_RECOMMEND_DEFAULT_TOLERANCE 0.05 /* fraction of the best throughput */

/* Adaptive sampling's policy (run/sampling.h); a zeroed policy means the
 * old fixed count: exactly the plan's --runs. */
struct mpb_sampling_policy {
	uint64_t max_runs;      /* 0: the plan's --runs (no adaptation) */
	double target_ci;       /* CI half-width / median to stop at; 0: never converges */
	uint64_t max_time_ns;   /* budget of one item's measured runs; 0: none */
	double race_tolerance;  /* > 0: drop points that cannot come within this
	                           fraction of their group's best throughput */
};

/* What an item's measured runs cost, besides the runs themselves. */
struct mpb_sampling_acct {
	uint64_t spent_ns;   /* wall time of the measured runs, pool start and stop included */
	uint64_t cpu_ns;     /* CPU of harness and reaped workers over the runs with cpu known */
	size_t timed_runs;   /* measured runs accounted */
	size_t cpu_runs;     /* ... of which the CPU time of every worker was visible */
};

/* The overhead split of one run (analysis/overhead.h says how it is made). */
struct mpb_overhead {
	uint64_t map_ns;
	uint64_t parent_codec_ns, parent_transport_ns, parent_wait_ns, parent_other_ns;
	uint64_t serve_ns;
	uint64_t compute_ns, worker_codec_ns, worker_wait_ns, worker_send_ns, worker_other_ns;
	uint64_t parent_syscalls;
	uint64_t bytes_sent, bytes_received, tasks;
	/* a part exceeded its window by more than clock rounding (a bug, or a
	 * clock that went wrong): `other` was clamped at 0 */
	bool inconsistent;
};

/* One measured run of a point. */
struct mpb_sample {
	uint64_t wall_ns, startup_ns, map_ns, teardown_ns, compute_ns;
	uint64_t codec_parent_ns, codec_workers_ns, bytes_sent, bytes_received;
	/* the harness's own work inside the timed windows (pool.h) */
	uint64_t instrumentation_ns;
	unsigned nworkers;
	struct mpb_worker_report *worker; /* [nworkers], owned */
	struct mpb_scope_counts harness;  /* the harness thread's counters and rusage */
	struct mpb_overhead overhead;     /* the split of map and serve time */
	struct mpb_chunk_stats chunks;    /* chunk sizes the map chose (chunk.h) */
	json_t *cmd;                      /* workload cmd: the run's "cmd" record (owned), else NULL */
};

/* A point's measurements. */
struct mpb_point_state {
	struct mpb_sample *runs;
	size_t nruns, cap;
	struct mpb_sampling_acct acct;  /* time and CPU of the measured runs */
	bool failed;
	char error[512];
	const char *error_kind;         /* mpb_diag_kind of the failure */
};

/* A serial baseline's or a ceiling's measurements: wall times. */
struct mpb_wall_state {
	double *wall_ns;
	size_t n, cap;
	struct mpb_sampling_acct acct;  /* baselines only: ceilings are not accounted */
	bool failed;
	char error[512];
	const char *error_kind;
};

struct mpb_analysis_memo; /* analysis.h */

struct mpb_dataset {
	const struct mpb_plan *plan;       /* axes of points, baselines, ceilings; seed, runs, config */
	const struct mpb_machine *machine; /* NULL: unknown (no machine warnings) */
	const struct mpb_counter_set *counters; /* NULL: counters off */
	int argc;
	char **argv;                       /* full command line, recorded as "command" */
	json_t *options;                   /* resolved options (borrowed), or NULL */
	json_t *tune;                      /* `tune`'s record (borrowed), or NULL */
	struct mpb_sampling_policy sampling;
	double tolerance;                  /* recommendations: fraction of the best (0: the best) */
	double start_busy_cpus;            /* CPUs busy with other work at the start; < 0 unknown */
	struct mpb_point_state *pts;       /* [plan->npoints] */
	struct mpb_wall_state *bls;        /* [plan->nbaselines] serial baselines */
	struct mpb_wall_state *cls;        /* [plan->nceilings] ceilings, or NULL */
	char started[32], finished[32];
	const char *status;                /* "running", "complete", "interrupted", "failed" */
	/* [plan->npoints] derived figures as last computed (analysis.h), owned
	 * by whoever made it; NULL: computed each time */
	struct mpb_analysis_memo *memo;
};

/* Allocate the measurement arrays for ds->plan that are still NULL (all
 * zeroed). 0 or -1 on ENOMEM. */
int mpb_dataset_alloc(struct mpb_dataset *ds);

/* Append a run to point i (the sample's memory moves into the dataset), a
 * wall time to a baseline or ceiling. 0 or -1 on ENOMEM (nothing changed). */
int mpb_dataset_add_run(struct mpb_point_state *ps, const struct mpb_sample *smp);
int mpb_dataset_add_wall(struct mpb_wall_state *ws, double wall_ns);

/* Free one sample's memory. */
void mpb_dataset_sample_free(struct mpb_sample *smp);

/* Free the measurements (not the memo, plan, machine or counters) and set
 * the arrays to NULL. */
void mpb_dataset_free(struct mpb_dataset *ds);

/* The axes an external command's template (--cmd) names as placeholders,
 * as bits: the other axes of its points (a start method, a codec, a
 * transport, a chunk size it never sees) are the plan's defaults, not the
 * command's. */
enum {
	MPB_CMD_AXIS_SIZE = 1u << 0,
	MPB_CMD_AXIS_TASKS = 1u << 1,
	MPB_CMD_AXIS_WORKERS = 1u << 2,
	MPB_CMD_AXIS_METHOD = 1u << 3,
	MPB_CMD_AXIS_CHUNKSIZE = 1u << 4,
};
/* The placeholders of the "cmd" option (ds->options); 0 without one. A
 * doubled brace is a literal one, as the runner reads it. */
unsigned mpb_dataset_cmd_axes(const struct mpb_dataset *ds);

/* Whether point i measured `field` (a run key: "startup_ns", "map_ns",
 * "teardown_ns", "compute_ns", "codec_workers_ns", ...): always for a pooled
 * workload; for an external command, when one of its runs reported it on
 * its channel (the run's cmd.reported; codec_parent_ns also as
 * serialize_ns): what it did not report is 0 in the runs, and not measured. */
bool mpb_dataset_measured(const struct mpb_dataset *ds, size_t i, const char *field);

/* An unsigned count as the results write it: an integer, or above INT64_MAX
 * (which JSON readers cannot hold exactly) a number. */
json_t *mpb_dataset_u64_json(uint64_t v);

#endif
