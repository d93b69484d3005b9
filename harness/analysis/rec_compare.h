/* rec_compare.h — is one option (a worker count, or the serial baseline)
 * better than another, by more than the tolerance and beyond the noise?
 *
 * The recommendation (recommend.h) steps up to a larger worker count only
 * when this says "better": the throughput ratio's point estimate exceeds
 * 1 / (1 - tolerance), its 95% bootstrap CI lies above 1 and the two-sided
 * Mann–Whitney U test on the wall times (base/stats.h, as compare uses it)
 * gives p < MPB_REC_ALPHA. With so few runs that no outcome of the test
 * could reach MPB_REC_ALPHA (3 against 3), the CI alone decides and the
 * comparison says it was underpowered. Options without samples compare as
 * exact figures. */
#ifndef MPB_REC_COMPARE_H
#define MPB_REC_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MPB_REC_ALPHA 0.05

/* One side of a comparison: a throughput and, when known, the wall times of
 * the runs it comes from (all runs do the same work). */
struct mpb_rec_option {
	double throughput;      /* tasks per second, > 0 */
	const double *wall;     /* wall times in ns, or NULL */
	size_t nwall;
};

enum mpb_rec_verdict {
	MPB_REC_BETTER,       /* a beats b by more than the tolerance, significantly */
	MPB_REC_WORSE,        /* b beats a so */
	MPB_REC_EQUIVALENT,   /* the ratio's CI lies within the tolerance on both sides */
	MPB_REC_NOT_BETTER,   /* not better by more than the tolerance, not shown worse */
	MPB_REC_INCONCLUSIVE, /* neither shown, and the CI reaches past the tolerance */
};

struct mpb_rec_cmp {
	double ratio;          /* throughput(a) / throughput(b) */
	double ci_lo, ci_hi;   /* 95% CI of the ratio (= ratio without samples) */
	double p;              /* Mann–Whitney p (0 or 1 without samples) */
	bool underpowered;     /* too few runs for p to reach MPB_REC_ALPHA */
	enum mpb_rec_verdict verdict;
};

/* "better", "worse", "equivalent", "not better", "inconclusive". */
const char *mpb_rec_verdict_name(enum mpb_rec_verdict v);

/* Compare a with b at the tolerance (fraction, 0 <= tol < 1), the CI drawn
 * with seed. 0, or -1 when a throughput is not positive or on ENOMEM. */
int mpb_rec_compare(const struct mpb_rec_option *a, const struct mpb_rec_option *b, double tol,
		    uint64_t seed, struct mpb_rec_cmp *out);

#endif
