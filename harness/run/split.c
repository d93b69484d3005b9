/* split.c — how evenly a pool's chunks split the tasks over its workers,
 * and the task count that splits evenly (see split.h). */
#include "split.h"

#include <math.h>
#include <stdbool.h>

#include "pool.h"

double mpb_split_excess(uint64_t tasks, unsigned w, uint64_t chunk)
{
	if (tasks == 0 || w == 0)
		return 0;
	uint64_t c = chunk ? chunk : mpb_pool_python_chunksize(tasks, w);
	uint64_t n = tasks / c + (tasks % c != 0), last = tasks - (n - 1) * c;
	uint64_t q = n / w, r = n % w, owner = (n - 1) % w;
	/* chunks go out in turn: worker j gets q + (j < r) of them, the
	 * short last one to `owner`; worker 0 has the most full ones */
	uint64_t most = (q + (owner < r)) * c - (c - last);
	if (owner != 0 && (q + (r > 0)) * c > most)
		most = (q + (r > 0)) * c;
	return (double)most * w / (double)tasks - 1.0;
}

double mpb_split_worst_excess(uint64_t tasks, const unsigned *workers, size_t nw,
			      const uint64_t *chunks, size_t nc, double enough)
{
	double worst = 0;
	for (size_t i = 0; i < nw && worst <= enough; i++)
		for (size_t k = 0; k < nc; k++)
			worst = fmax(worst, mpb_split_excess(tasks, workers[i], chunks[k]));
	return worst;
}

uint64_t mpb_split_even_tasks(uint64_t min, uint64_t max, const unsigned *workers, size_t nw,
			      const uint64_t *chunks, size_t nc, double *excess)
{
	/* up from min to twice it, within max; where max leaves no room above
	 * min, down from max to half of it; at most MPB_SPLIT_SCAN steps */
	bool down = max <= min;
	uint64_t best = down ? max : min;
	uint64_t span = down ? best / 2 : max - min < min ? max - min : min;
	if (span > MPB_SPLIT_SCAN)
		span = MPB_SPLIT_SCAN;
	double best_x = mpb_split_worst_excess(best, workers, nw, chunks, nc, INFINITY);
	/* strictly better by more than rounding: the nearest of equals */
	for (uint64_t k = 1, from = best; k <= span && best_x > 0; k++) {
		uint64_t t = down ? from - k : from + k;
		double x = mpb_split_worst_excess(t, workers, nw, chunks, nc, best_x);
		if (x < best_x * (1 - 1e-9)) {
			best = t;
			best_x = x;
		}
	}
	if (excess)
		*excess = best_x;
	return best;
}
