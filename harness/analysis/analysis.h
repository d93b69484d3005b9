/* analysis.h — the derived figures of a point, from its runs and its serial
 * baseline. Each figure has one definition, here (results/README.md repeats
 * them for readers of the JSON). */
#ifndef MPB_ANALYSIS_H
#define MPB_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>

#include "counters_report.h"
#include "dataset.h"

/* The metrics of a run that get a summary, in one table: the JSON summary,
 * the exporters and the analysis all walk it. */
struct mpb_metric {
	const char *name;   /* key in "summary" */
	size_t offset;      /* uint64_t field in struct mpb_sample */
};
const struct mpb_metric *mpb_metrics(size_t *n);
/* Values of metric m over the point's runs into a new array (caller frees). */
double *mpb_metric_values(const struct mpb_point_state *ps, const struct mpb_metric *m);

/* The median over the point's runs of the uint64_t field at offset in
 * struct mpb_sample (offsetof), NAN when it has no runs. */
double mpb_analysis_run_median(const struct mpb_point_state *ps, size_t offset);

struct mpb_derived {
	size_t n;                     /* measured runs */
	double wall_median_ns, wall_ci_lo, wall_ci_hi;
	bool have_speedup;            /* baseline measured */
	double serial_median_ns;
	double speedup, speedup_ci_lo, speedup_ci_hi;
	double efficiency;            /* speedup / workers */
	bool have_karp_flatt;         /* workers > 1 */
	double karp_flatt;            /* (1/speedup - 1/workers) / (1 - 1/workers) */
	double overhead_per_task_ns;  /* (workers * map - compute) / tasks, medians */
	double serialization_fraction;/* (codec parent + workers) / ((workers + 1) * map), medians */
	double startup_per_worker_ns; /* median over runs of the mean worker start-up */
	double teardown_per_worker_ns;/* median over runs of teardown_ns / workers */
	/* the two above over the method's floor (machine.floors, method.h) */
	bool have_floor;
	double startup_per_worker_floors, teardown_per_worker_floors;
	/* start-up per worker over the method's cold floor (floor.h): a pool's
	 * launch is the first fork or thread after a wait, as that floor is */
	bool have_cold_floor;
	double startup_per_worker_cold_floors;
	/* median instrumentation_ns / median wall_ns: the harness's own share */
	double instrumentation_fraction;
	bool have_ceiling;            /* the point's ceiling has runs (ceiling.h) */
	double ceiling_median_ns;
	bool have_ceiling_speedup;    /* ... and the baseline too */
	double ceiling_speedup, ceiling_speedup_ci_lo, ceiling_speedup_ci_hi; /* serial / ceiling */
	/* pool speedup / ceiling speedup (= median ceiling wall / median pool wall) */
	double speedup_vs_ceiling, speedup_vs_ceiling_ci_lo, speedup_vs_ceiling_ci_hi;
	bool have_memory;             /* workers reported smaps_rollup (processes) */
	double worker_rss_bytes, worker_pss_bytes, worker_private_dirty_bytes; /* medians of means */
	struct mpb_counter_derived counters; /* IPC, context switches, ... (counters_report.h) */
};

/* Derived figures of point i; returns 0, or -1 when the point has no runs.
 * With s->memo set, figures are computed again only once the point, its
 * baseline or its ceiling has more runs: the results file is rebuilt after
 * every round, and the table, recommendations and warnings each ask again,
 * so without it the bootstraps would be redone many times over. */
int mpb_analysis_point(const struct mpb_dataset *s, size_t i, struct mpb_derived *out);

/* The memo of a sweep's derived figures: npoints entries, none valid; NULL
 * on ENOMEM (the figures are then computed each time). */
struct mpb_analysis_memo *mpb_analysis_memo_new(size_t npoints);
void mpb_analysis_memo_free(struct mpb_analysis_memo *m);

/* The results summary of point i kept for as many runs as it has now
 * (borrowed), or NULL; and keeping one (a reference is taken: nobody may
 * change it afterwards). Without a memo: NULL, and nothing is kept. */
json_t *mpb_analysis_memo_summary(const struct mpb_dataset *s, size_t i);
void mpb_analysis_memo_keep_summary(const struct mpb_dataset *s, size_t i, json_t *summary);

#endif
