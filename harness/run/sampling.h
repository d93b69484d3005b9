/* sampling.h — the driver's side of adaptive sampling: the policy from the
 * command line, whether an item wants another run (the verdict itself is
 * analysis/sampling_verdict.h, a pure function of the dataset), and the time
 * and CPU accounting of measured runs. */
#ifndef MPB_SAMPLING_H
#define MPB_SAMPLING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "dataset.h"
#include "diag.h"
#include "sampling_verdict.h"

struct mpb_point;

struct mpb_config;
/* The policy of a command line: --max-runs (at least -r unless given
 * explicitly, which must then be >= -r), --target-ci and --max-time, and
 * the recommendation tolerance (--tolerance) as a fraction; for tune
 * (`race` true) racing at that tolerance. 0 or -MPB_EINPUT naming the
 * values. */
int mpb_sampling_policy_from(const struct mpb_config *cfg, bool race,
			     struct mpb_sampling_policy *p, double *tolerance,
			     struct mpb_diag *d);

/* Driver hooks: does point i, baseline j, ceiling j want another measured
 * run (sampling_verdict.h)? */
bool mpb_sampling_point_wants_more(const struct mpb_dataset *ds, size_t i);
bool mpb_sampling_baseline_wants_more(const struct mpb_dataset *ds, size_t j);
bool mpb_sampling_ceiling_wants_more(const struct mpb_dataset *ds, size_t j);

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

/* Upper bound of measured runs per item under the sweep's policy. */
uint64_t mpb_sampling_max_runs(const struct mpb_dataset *ds);

#endif
