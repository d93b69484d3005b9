/* sampling.h — adaptive sampling: when has an item (a point or a serial
 * baseline) been measured enough?
 *
 * Every item gets at least --runs measured runs; then more, one per round,
 * until the 95% bootstrap CI of its median wall time is within --target-ci
 * of the median (half-width / median <= target), or it has --max-runs runs,
 * or the runs it has had took --max-time in total. The decision is a pure
 * function of the runs so far (mpb_sampling_decide), so that it can be tested
 * on synthetic noise; the driver asks through mpb_sampling_wants_more.
 *
 * For `mpbench tune` a point can also be dropped ("raced"): once even the
 * optimistic end of its CI cannot come within the tolerance of the best
 * point of its group, more runs of it cannot change the recommendation. */
#ifndef MPB_SAMPLING_H
#define MPB_SAMPLING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "diag.h"

#define MPB_SAMPLING_DEFAULT_MAX_RUNS 30
#define MPB_SAMPLING_DEFAULT_TARGET_CI 0.03   /* fraction of the median */
#define MPB_SAMPLING_DEFAULT_MAX_TIME_S 10.0

struct mpb_sweep;
struct mpb_point;

/* A zeroed policy means the old fixed count: exactly the plan's --runs. */
struct mpb_sampling_policy {
	uint64_t max_runs;      /* 0: the plan's --runs (no adaptation) */
	double target_ci;       /* CI half-width / median to stop at; 0: never converges */
	uint64_t max_time_ns;   /* budget of one item's measured runs; 0: none */
	double race_tolerance;  /* > 0: drop points that cannot come within this
	                           fraction of their group's best throughput */
};

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

/* What the driver keeps per item, besides its runs. */
struct mpb_sampling_acct {
	uint64_t spent_ns;   /* wall time of the measured runs, pool start and stop included */
	uint64_t cpu_ns;     /* CPU of harness and reaped workers over the runs with cpu known */
	size_t timed_runs;   /* measured runs accounted */
	size_t cpu_runs;     /* ... of which the CPU time of every worker was visible */
};

struct mpb_config;
/* The policy of a command line: --max-runs (at least -r unless given
 * explicitly, which must then be >= -r), --target-ci and --max-time, and
 * the recommendation tolerance (--tolerance) as a fraction; for tune
 * (`race` true) racing at that tolerance. 0 or -MPB_EINPUT naming the
 * values. */
int mpb_sampling_policy_from(const struct mpb_config *cfg, bool race,
			     struct mpb_sampling_policy *p, double *tolerance,
			     struct mpb_diag *d);

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

/* Driver hooks over a running sweep. The verdict of point i includes the
 * racing rule when the policy asks for it. Allocation failures count as
 * "enough" (false / state CONVERGED is never claimed: state MAX_RUNS). */
bool mpb_sampling_point_wants_more(const struct mpb_sweep *s, size_t i);
bool mpb_sampling_baseline_wants_more(const struct mpb_sweep *s, size_t j);
void mpb_sampling_point_verdict(const struct mpb_sweep *s, size_t i,
				struct mpb_sampling_verdict *v);
void mpb_sampling_baseline_verdict(const struct mpb_sweep *s, size_t j,
				   struct mpb_sampling_verdict *v);

/* CPU time now: the harness process (all its threads) plus every child it
 * has reaped, ns. Differences around a run give the run's CPU when its
 * workers are the harness's threads or children it reaps. */
uint64_t mpb_sampling_cpu_now(void);
/* Whether mpb_sampling_cpu_now sees the CPU of point pt's workers: not for
 * forkserver, whose workers are the server's children. */
bool mpb_sampling_cpu_visible(const struct mpb_point *pt);
/* Add one measured run to an item's accounting. */
void mpb_sampling_account(struct mpb_sampling_acct *a, uint64_t wall_ns, uint64_t cpu_ns,
			  bool cpu_visible);

/* The "sampling" object of point i / baseline j in the results:
 * {stop, ci_half_width, spent_ns, cpu_ns}. NULL on ENOMEM. */
json_t *mpb_sampling_point_json(const struct mpb_sweep *s, size_t i);
json_t *mpb_sampling_baseline_json(const struct mpb_sweep *s, size_t j);

/* Upper bound of measured runs per item under the sweep's policy (for the
 * progress line). */
uint64_t mpb_sampling_max_runs(const struct mpb_sweep *s);

#endif
