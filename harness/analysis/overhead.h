/* overhead.h — the overhead split of one run: where the parent's map time
 * and the workers' serving time went, from measurements, not inference.
 *
 * Parent, inside map_ns (first task sent → last result decoded):
 *   codec      encoding tasks and decoding results
 *   transport  inside the transport's send/recv (system calls, ring copies)
 *   wait       spinning or asleep in poll waiting for workers
 *   other      the rest: dispatch bookkeeping, clock reads (map − the three)
 * Workers, summed over workers, inside each one's serve window (READY sent →
 * BYE):
 *   compute    inside the workload's run function
 *   codec      decoding tasks and encoding results
 *   wait       waiting for work: blocked reading (or spinning on) its input
 *   send       writing results (blocked while the parent lags behind)
 *   other      the rest (serve − the four): frame handling, bookkeeping
 * Each part is timed on its own disjoint interval of its window, so the
 * measured parts never add up to more than the window; `other` is the
 * non-negative remainder and the split sums exactly to the window.
 */
#ifndef MPB_OVERHEAD_H
#define MPB_OVERHEAD_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "dataset.h"
#include "pool.h"


/* Split one pool's report. Returns 0, or -1 when the measured parts add up
 * to more than their window (o is still filled, with inconsistent set). */
int mpb_overhead_split(const struct mpb_pool_report *r, struct mpb_overhead *o);

/* {"parent": {...}, "workers": {...}, "bytes_sent", "bytes_received"} for a run. */
json_t *mpb_overhead_json(const struct mpb_overhead *o);

/* The median over runs of each part, per task (ns), for a point's derived
 * figures; NULL when n = 0. */
json_t *mpb_overhead_median_json(const struct mpb_overhead *const *runs, size_t n);

/* Add "overhead" and "chunks" to a run's JSON object (results.c). */
void mpb_overhead_run_json(json_t *run, const struct mpb_sample *s);
/* Add "overhead_split_per_task_ns" (medians over the point's runs) to its
 * derived object. */
void mpb_overhead_derived_json(json_t *derived, const struct mpb_point_state *ps);

#endif
