/* npoints.c — the point-count limit of a plan (see npoints.h). */
#include "npoints.h"

#include <stdint.h>
#include <stdio.h>

int mpb_npoints_check(size_t already, const size_t *counts, size_t n, const char *names,
		      struct mpb_diag *d)
{
	size_t total = 1;
	int over = 0;
	char sizes[160] = "";
	size_t used = 0;
	for (size_t i = 0; i < n; i++) {
		/* saturating: the message still says how many, roughly */
		if (counts[i] && total > SIZE_MAX / counts[i])
			over = 1, total = SIZE_MAX;
		else
			total *= counts[i];
		if (used < sizeof sizes)
			used += (size_t)snprintf(sizes + used, sizeof sizes - used, "%s%zu",
						 i ? " x " : "", counts[i]);
	}
	if (over || total > MPB_MAX_POINTS || already + total > MPB_MAX_POINTS)
		return mpb_fail(d, MPB_EINPUT, "the options give %s%zu points (%s: %s), more than the "
				"%u a plan may have: give shorter lists", over ? "more than " : "",
				over ? (size_t)SIZE_MAX : already + total, names, sizes, MPB_MAX_POINTS);
	return 0;
}
