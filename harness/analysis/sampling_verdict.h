/* sampling_verdict.h — has an item (a point or a serial baseline) been
 * measured enough? The verdict of adaptive sampling (run/sampling.h asks it
 * before each round; the results and the warnings report it), a pure
 * function of the item's runs and the dataset's policy.
 *
 * Every item gets at least --runs measured runs; then more, one per round,
 * until the 95% bootstrap CI of its median wall time is within --target-ci
 * of the median (half-width / median <= target), or it has --max-runs runs,
 * or the runs it has had took --max-time in total. For `mpbench tune` a
 * point can also be dropped ("raced"): once even the optimistic end of its
 * CI cannot come within the tolerance of the best point of its group, more
 * runs of it cannot change the recommendation. */
#ifndef MPB_SAMPLING_VERDICT_H
#define MPB_SAMPLING_VERDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "dataset.h"

enum mpb_sampling_state {
	MPB_SAMPLING_MORE = 0,   /* wants another run */
	MPB_SAMPLING_CONVERGED,  /* CI within the target */
	MPB_SAMPLING_MAX_RUNS,   /* --max-runs reached, CI still wider */
	MPB_SAMPLING_MAX_TIME,   /* --max-time spent, CI still wider */
	MPB_SAMPLING_DROPPED,    /* raced out (tune) */
};

struct mpb_sampling_verdict {
	enum mpb_sampling_state state;
	size_t n;
	double median, ci_lo, ci_hi;  /* of the wall times; NaN when n == 0 */
	double ci_half;               /* (ci_hi - ci_lo) / 2 / median; NaN when undefined */
};

/* "more", "target_ci", "max_runs", "max_time", "dropped". */
const char *mpb_sampling_state_name(enum mpb_sampling_state s);

/* The decision for one item from its wall times x[0..n) and the time spent
 * on them: MORE while n < min_runs; then CONVERGED when the CI half-width is
 * within p->target_ci of the median, else MAX_RUNS / MAX_TIME when a limit is
 * reached (max_runs below min_runs counts as min_runs), else MORE. The CI is
 * mpb_stats_median_ci with `seed`, so the decision is reproducible. A CI of
 * one run has no width: with min_runs 1, one run is enough.
 * Returns 0, or -1 on allocation failure. */
int mpb_sampling_decide(const struct mpb_sampling_policy *p, uint64_t min_runs,
			const double *x, size_t n, uint64_t spent_ns, uint64_t seed,
			struct mpb_sampling_verdict *v);

/* Racing rule, pure: a candidate whose wall CI starts at ci_lo cannot come
 * within `tolerance` of the best throughput (best median wall best_wall) when
 * even ci_lo is slower than best_wall / (1 - tolerance). */
bool mpb_sampling_cannot_qualify(double ci_lo, double best_wall, double tolerance);

/* The verdict of point i (with the racing rule when the policy asks for
 * it), of baseline j, of ceiling j. Allocation failures give state MAX_RUNS
 * (CONVERGED is never claimed). */
void mpb_sampling_point_verdict(const struct mpb_dataset *ds, size_t i,
				struct mpb_sampling_verdict *v);
void mpb_sampling_baseline_verdict(const struct mpb_dataset *ds, size_t j,
				   struct mpb_sampling_verdict *v);
void mpb_sampling_ceiling_verdict(const struct mpb_dataset *ds, size_t j,
				  struct mpb_sampling_verdict *v);

/* The "sampling" object of point i / baseline j in the results:
 * {stop, ci_half_width, spent_ns, cpu_ns}. NULL on ENOMEM. */
json_t *mpb_sampling_point_json(const struct mpb_dataset *ds, size_t i);
json_t *mpb_sampling_baseline_json(const struct mpb_dataset *ds, size_t j);

#endif
