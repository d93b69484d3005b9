/* warnings.h — what the user should know before trusting the figures, in the
 * manner of hyperfine's and pyperf's warnings: a noisy point (its CI stayed
 * wider than --target-ci), a first run much slower than the rest, wall time
 * far above the CPU time of harness and workers, outlier runs, a CPU
 * frequency governor other than `performance`, other load on the machine
 * when the sweep started, and the recommendations' warnings (more workers
 * than usable CPUs, more than the memory holds).
 *
 * Each check is a pure function of numbers (tested on synthetic data); the
 * collectors walk a sweep. The results JSON carries every warning in a
 * top-level "warnings" list and each point's and baseline's own in theirs;
 * the CLI prints them once, after the table. */
#ifndef MPB_WARNINGS_H
#define MPB_WARNINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* Thresholds (documented in results/README.md). */
#define MPB_WARN_FIRST_RUN_RATIO 1.5   /* first run vs median of the others */
#define MPB_WARN_WALL_CPU_RATIO 2.0    /* wall vs CPU of harness and workers */
#define MPB_WARN_BUSY_FRACTION 0.25    /* busy CPUs at start, fraction of usable */
#define MPB_WARN_BUSY_MIN_CPUS 0.5     /* ... and at least this many */
#define MPB_WARN_INSTRUMENTATION 0.01  /* harness's own work in windows, fraction of wall */

struct mpb_dataset;

struct mpb_warning {
	const char *kind;   /* noisy, slow_first_run, wall_above_cpu, outliers, governor,
	                       load, oversubscribed, memory */
	const char *scope;  /* machine, point, baseline, recommendation */
	long index;         /* point id, baseline index or recommended point id; -1: machine */
	char message[400];
};

struct mpb_warning_list {
	struct mpb_warning *v;
	size_t n, cap;
};

void mpb_warnings_free(struct mpb_warning_list *l);

/* Pure checks; each returns true when the warning applies and sets *ratio. */
/* x[0] is the first measured run: more than MPB_WARN_FIRST_RUN_RATIO times
 * the median of x[1..n), n >= 3. */
bool mpb_warn_first_run_slow(const double *x, size_t n, double *ratio);
/* Wall time more than MPB_WARN_WALL_CPU_RATIO times the CPU time (cpu > 0
 * or wall > 0 needed). */
bool mpb_warn_wall_above_cpu(uint64_t wall_ns, uint64_t cpu_ns, double *ratio);
/* The governor is known and is not "performance". */
bool mpb_warn_governor(const char *governor);
/* Other work kept at least MPB_WARN_BUSY_FRACTION of the usable CPUs (and
 * MPB_WARN_BUSY_MIN_CPUS) busy when the sweep started. */
bool mpb_warn_load(double busy_cpus, unsigned usable_cpus);
/* The harness's own work inside the timed windows is more than
 * MPB_WARN_INSTRUMENTATION of the wall time (medians); *ratio: the share. */
bool mpb_warn_instrumentation(double instrumentation_ns, double wall_ns, double *ratio);

/* Sample /proc/stat over `ms` milliseconds while this process sleeps: CPUs
 * busy with other work (non-idle, non-iowait time, steal included, scaled
 * by the CPU count). 0, or -1 when /proc/stat cannot be read (*busy < 0). */
int mpb_warnings_probe_busy(unsigned ms, double *busy_cpus);

/* Collectors: append to l. 0, or -1 on allocation failure. */
int mpb_warnings_point(const struct mpb_dataset *s, size_t i, struct mpb_warning_list *l);
int mpb_warnings_baseline(const struct mpb_dataset *s, size_t j, struct mpb_warning_list *l);
int mpb_warnings_machine(const struct mpb_dataset *s, struct mpb_warning_list *l);
/* Everything: machine, baselines, points, recommendations. */
int mpb_warnings_collect(const struct mpb_dataset *s, struct mpb_warning_list *l);

/* The "warnings" lists of the results: every warning of the sweep
 * ({kind, scope, index, message}), and a point's or a baseline's own
 * ({kind, message}). NULL on ENOMEM. */
json_t *mpb_warnings_sweep_json(const struct mpb_dataset *s);
json_t *mpb_warnings_point_json(const struct mpb_dataset *s, size_t i);
json_t *mpb_warnings_baseline_json(const struct mpb_dataset *s, size_t j);

/* [{kind, scope, index, message}] (scope and index only when with_scope).
 * NULL on ENOMEM. */
json_t *mpb_warnings_json(const struct mpb_warning_list *l, bool with_scope);

#endif
