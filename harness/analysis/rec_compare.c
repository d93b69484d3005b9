/* rec_compare.c — the recommendation's pairwise test (see rec_compare.h). */
#include "rec_compare.h"

#include <math.h>
#include <stdbool.h>

#include "stats.h"

const char *mpb_rec_verdict_name(enum mpb_rec_verdict v)
{
	switch (v) {
	case MPB_REC_BETTER: return "better";
	case MPB_REC_WORSE: return "worse";
	case MPB_REC_EQUIVALENT: return "equivalent";
	case MPB_REC_NOT_BETTER: return "not better";
	case MPB_REC_INCONCLUSIVE: return "inconclusive";
	}
	return "unknown";
}

/* The smallest p the test can give for samples of these sizes: every
 * value of one below every value of the other. */
static int min_p(size_t nx, size_t ny, double *p)
{
	double x[16], y[16], u;
	if (nx > 16 || ny > 16) {
		*p = 0; /* 17 runs against one already reach p < 0.05 */
		return 0;
	}
	for (size_t i = 0; i < nx; i++)
		x[i] = (double)i;
	for (size_t i = 0; i < ny; i++)
		y[i] = (double)(nx + i);
	return mpb_stats_mann_whitney(x, nx, y, ny, &u, p);
}

int mpb_rec_compare(const struct mpb_rec_option *a, const struct mpb_rec_option *b, double tol,
		    uint64_t seed, struct mpb_rec_cmp *out)
{
	if (!(a->throughput > 0) || !(b->throughput > 0))
		return -1;
	out->ratio = a->throughput / b->throughput;
	out->ci_lo = out->ci_hi = out->ratio;
	out->p = out->ratio == 1.0 ? 1.0 : 0.0;
	out->underpowered = false;
	if (a->wall && a->nwall && b->wall && b->nwall) {
		double u;
		/* throughput(a) / throughput(b) = median wall(b) / median wall(a) */
		if (mpb_stats_ratio_ci(b->wall, b->nwall, a->wall, a->nwall, seed, &out->ci_lo,
				       &out->ci_hi) < 0 ||
		    mpb_stats_mann_whitney(a->wall, a->nwall, b->wall, b->nwall, &u, &out->p) < 0)
			return -1;
		/* the CI of the medians brackets the ratio of the medians used
		 * for the point estimate, which may come from other runs */
		out->ci_lo = fmin(out->ci_lo, out->ratio);
		out->ci_hi = fmax(out->ci_hi, out->ratio);
		double pmin;
		if (min_p(a->nwall, b->nwall, &pmin) < 0)
			return -1;
		out->underpowered = !(pmin < MPB_REC_ALPHA);
	}
	double up = 1.0 / (1.0 - tol), down = 1.0 - tol;
	bool sig = out->p < MPB_REC_ALPHA || out->underpowered;
	if (out->ratio > up && out->ci_lo > 1.0 && sig)
		out->verdict = MPB_REC_BETTER;
	else if (out->ratio < down && out->ci_hi < 1.0 && sig)
		out->verdict = MPB_REC_WORSE;
	else if (out->ci_lo >= down && out->ci_hi <= up)
		out->verdict = MPB_REC_EQUIVALENT;
	else if (out->ci_hi <= up)
		out->verdict = MPB_REC_NOT_BETTER;
	else
		out->verdict = MPB_REC_INCONCLUSIVE;
	return 0;
}
