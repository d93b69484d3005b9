/* npoints.h — range checks on what a command line multiplies out to:
 * the axes of a sweep are lists, and their product is the number of points.
 * A few long lists must be refused up front with a message, not expand into
 * billions of points that exhaust memory (or wrap a counter) before the
 * first run.
 */
#ifndef MPB_NPOINTS_H
#define MPB_NPOINTS_H

#include <stddef.h>

#include "diag.h"

/* The most points one plan may have: far beyond any sweep that finishes. */
#define MPB_MAX_POINTS 100000u

/* The product of counts[0..n) plus `already`, without overflow, must not
 * exceed MPB_MAX_POINTS. 0, or -MPB_EINPUT naming the axes' sizes and the
 * limit. `names` describes the counts in order ("sizes, tasks, ..."). */
int mpb_npoints_check(size_t already, const size_t *counts, size_t n, const char *names,
		      struct mpb_diag *d);

#endif
