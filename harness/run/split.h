/* split.h — how evenly a pool's chunks split a map's tasks over its
 * workers, and the task count that splits evenly: with Pool.map's chunks
 * (ceil(tasks / (4 x workers))) 50 tasks give 2 workers chunks of 7, 28
 * tasks to one and 22 to the other, and a curve over worker counts shows a
 * step that is the split's doing. tune grows its task count with
 * mpb_split_even_tasks (tune.h). */
#ifndef MPB_SPLIT_H
#define MPB_SPLIT_H

#include <stddef.h>
#include <stdint.h>

#define MPB_SPLIT_SCAN 65536u /* counts mpb_split_even_tasks tries at most */

/* How unevenly the pool's chunks split `tasks` tasks over w workers when
 * they go out in turn: chunks of `chunk` tasks (0: Pool.map's default,
 * ceil(tasks / (4 x w)), mpb_pool_python_chunksize), the last one short.
 * The busiest worker's tasks over an equal share (tasks / w), minus 1: 0
 * when every worker gets the same number of chunks of the same size
 * (always for one worker). Pure. */
double mpb_split_excess(uint64_t tasks, unsigned w, uint64_t chunk);

/* The largest mpb_split_excess of `tasks` over the worker counts
 * workers[0..nw) and the chunk rules chunks[0..nc); it may stop early once
 * past `enough` (then only known to be past it). 0 when nc is 0. Pure. */
double mpb_split_worst_excess(uint64_t tasks, const unsigned *workers, size_t nw,
			      const uint64_t *chunks, size_t nc, double enough);

/* The task count, from min on, that splits evenly: the smallest count in
 * [min, min(2 x min, max)] whose mpb_split_excess is 0 for every worker
 * count of workers[0..nw) and every chunk rule of chunks[0..nc); where
 * none is, the count of that range with the least worst excess (the
 * smallest of equals). Where max leaves no room above min (a limit, not
 * the length, set min), the same from max down to half of it: the largest
 * even count, else the most even (the largest of equals). At most
 * MPB_SPLIT_SCAN counts past the first. Its worst excess into *excess
 * (when not NULL). Pure. */
uint64_t mpb_split_even_tasks(uint64_t min, uint64_t max, const unsigned *workers, size_t nw,
			      const uint64_t *chunks, size_t nc, double *excess);

#endif
