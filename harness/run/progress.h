/* progress.h — what the driver tells a progress display, and the estimate
 * behind it. Nothing below cli/ prints: the driver fills a struct
 * mpb_progress_step before each run, outside the run's timed window, and
 * hands it to the ops its caller gave (cli/progress_bar.h draws them).
 *
 * Adaptive sampling (analysis/sampling_verdict.h) decides the number of
 * runs as it goes, so the total is an estimate that settles: at the start
 * of each round every item still sampling is counted with the runs it is
 * expected to need (mpb_progress_runs_left), and the estimated time to the
 * phase's end is those runs at their item's median wall time, scaled by the
 * share of the phase's time the runs took so far (the harness's own work
 * between runs). A phase is one mpb_sweep_run: `sweep` and `run` have one,
 * `tune` one per search step, each with a label. */
#ifndef MPB_PROGRESS_H
#define MPB_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dataset.h"
#include "plan.h"
#include "sampling_verdict.h"

/* mpb_progress_step.eta_ns when there is nothing to estimate from yet */
#define MPB_PROGRESS_ETA_UNKNOWN UINT64_MAX

struct mpb_progress_step {
	const char *phase;   /* NULL: the command's only phase; else its label ("coarse") */
	char what[96];       /* the item about to run, in words ("sumsq 5M fork -j 2"); "" at the end */
	bool warmup;         /* that run is a warm-up run */
	size_t done;         /* runs of this phase done */
	size_t total;        /* done + the runs estimated to come; exact at the end */
	bool settled;        /* total is a count, not an estimate (no adaptive sampling) */
	uint64_t elapsed_ns; /* since the phase began */
	uint64_t eta_ns;     /* estimated time left, or MPB_PROGRESS_ETA_UNKNOWN */
};

/* A display. step: before each run; end: once when the phase ends
 * (complete, failed or interrupted), with done == total. */
struct mpb_progress_ops {
	void (*step)(void *ctx, const struct mpb_progress_step *st);
	void (*end)(void *ctx, const struct mpb_progress_step *st);
};

/* The measured runs an item with verdict v is expected to still need under
 * policy p and the plan's min_runs: 0 unless v says MORE; else at least 1
 * and min_runs - n, and the n at which the CI half-width, shrinking as
 * 1/sqrt(n), reaches the target; before it has a CI (n < 2), the runs its
 * peers had: `peers`, the mean run count of the items already past their
 * minimum (tune's later phases carry them; 0: none); at most --max-runs,
 * and no more than --max-time allows at the item's median. */
uint64_t mpb_progress_runs_left(const struct mpb_sampling_policy *p, uint64_t min_runs,
				const struct mpb_sampling_verdict *v, uint64_t peers);

/* The phase's runs done and to come, counted by the driver. */
struct mpb_progress_tally {
	size_t done;
	size_t left;            /* runs to come */
	double left_known_ns;   /* the sum of the runs to come whose item's wall is known */
	size_t left_unknown;    /* runs to come of items not yet measured */
	uint64_t run_ns;        /* the wall of the runs done, each from start to end */
	uint64_t start_ns;      /* when the phase began */
};

/* Start a phase at now_ns. */
void mpb_progress_tally_begin(struct mpb_progress_tally *t, uint64_t now_ns);
/* At the start of a round, forget the runs to come; then count each item's
 * with mpb_progress_tally_expect. */
void mpb_progress_tally_reset(struct mpb_progress_tally *t);
/* runs to come of an item whose run takes about run_ns (NaN or <= 0: not
 * known yet). */
void mpb_progress_tally_expect(struct mpb_progress_tally *t, uint64_t runs, double run_ns);
/* One run done of an item expected at run_ns (as given to _expect), which
 * took wall_ns. */
void mpb_progress_tally_ran(struct mpb_progress_tally *t, double run_ns, uint64_t wall_ns);
/* The estimated time left at now_ns: the runs to come at their items' wall
 * (the mean run so far for items not yet measured) times elapsed / run_ns;
 * MPB_PROGRESS_ETA_UNKNOWN before the first run; 0 with nothing to come. */
uint64_t mpb_progress_eta_ns(const struct mpb_progress_tally *t, uint64_t now_ns);

/* The step of tally t at now_ns (what, phase and warmup left to the caller). */
void mpb_progress_fill(const struct mpb_progress_tally *t, uint64_t now_ns, bool settled,
		       struct mpb_progress_step *st);

/* Items of ds->plan in words for the display: point i ("sumsq 5M fork -j
 * 2", with the transport and codec when not the defaults), baseline j
 * ("sumsq 5M serial"), ceiling j ("sumsq 5M ceiling -j 4"). An external
 * command's (--cmd) show only the axes its template names (dataset.h,
 * mpb_dataset_cmd_axes) and the worker count: "cmd -j 2". */
void mpb_progress_point_words(const struct mpb_dataset *ds, size_t i, char *buf, size_t len);
void mpb_progress_baseline_words(const struct mpb_dataset *ds, size_t j, char *buf, size_t len);
void mpb_progress_ceiling_words(const struct mpb_dataset *ds, size_t j, char *buf, size_t len);

#endif
