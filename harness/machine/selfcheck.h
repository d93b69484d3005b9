/* selfcheck.h — the harness's own per-run overhead, measured on the spot:
 * what one empty run of a 1-worker pool (fork, one `null` task, stop; the
 * wall time as a sweep's run counts it) costs beyond the machine's floors
 * (a fork+exit+wait and a pipe round trip, floor.h). Tasks much shorter
 * than this measure the harness more than the pool: a point whose tasks
 * take less than MPB_SELFCHECK_FACTOR times it gets a warning. */
#ifndef MPB_SELFCHECK_H
#define MPB_SELFCHECK_H

#include <stdbool.h>

#include "counters.h"
#include "diag.h"
#include "floor.h"

#define MPB_SELFCHECK_FACTOR 10.0
#define MPB_SELFCHECK_RUNS 21

struct mpb_selfcheck {
	unsigned runs;
	double empty_run_ns;  /* median wall of one empty run */
	double floors_ns;     /* fork+exit+wait + pipe round trip */
	double overhead_ns;   /* empty_run_ns - floors_ns, at least 0 */
	double min_task_ns;   /* MPB_SELFCHECK_FACTOR x overhead_ns */
};

/* Median of `runs` empty runs, each counting `counters` (NULL or none: no
 * counters) as a sweep's run does (the harness thread around the run, the
 * workers on themselves), against the floors f. 0 or negative with d set. */
int mpb_selfcheck_measure(const struct mpb_floor *f, const struct mpb_counter_set *counters,
			  unsigned runs, struct mpb_selfcheck *out, struct mpb_diag *d);
/* Fill the derived fields from runs, empty_run_ns and floors_ns. */
void mpb_selfcheck_derive(struct mpb_selfcheck *sc);
/* Whether tasks of task_ns are too short for the numbers to mean much. */
bool mpb_selfcheck_too_short(const struct mpb_selfcheck *sc, double task_ns);

#endif
