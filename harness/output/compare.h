/* compare.h — `mpbench compare BASE NEW`: match the points of two results
 * datasets (model/dataset.h) by their axes and judge, per point, whether the new wall time
 * regressed, improved or stayed the same, with a ratio of medians, its
 * bootstrap CI and a Mann–Whitney rank test. The verdict rules are defined in
 * mpb_compare_verdict and repeated in results/README.md. */
#ifndef MPB_COMPARE_H
#define MPB_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "dataset.h"
#include "diag.h"
#include "export.h"

#define MPB_COMPARE_SCHEMA "mpbench.compare/1"
#define MPB_COMPARE_ALPHA 0.05             /* significance level of the rank test */
#define MPB_COMPARE_DEFAULT_THRESHOLD 10.0 /* percent */
#define MPB_COMPARE_WARNINGS_SHOWN 8        /* per side, under the Markdown table */

enum mpb_verdict {
	MPB_VERDICT_UNCHANGED,
	MPB_VERDICT_IMPROVED,
	MPB_VERDICT_REGRESSED,
	MPB_VERDICT_INCONCLUSIVE,
};

const char *mpb_compare_verdict_name(enum mpb_verdict v);

/* The verdict for a ratio r = median(new) / median(base) with its 95% CI
 * [lo, hi], the rank test's two-sided p, and the run counts, for a threshold
 * t (a fraction: 0.10 for 10%) and significance level alpha:
 *   inconclusive  fewer than 2 runs on either side (no test is possible);
 *   regressed     p < alpha, r > 1 + t and lo > 1;
 *   improved      p < alpha, r < 1 / (1 + t) and hi < 1;
 *   unchanged     1 / (1 + t) <= lo and hi <= 1 + t: the whole CI within
 *                 the threshold (significant or not: a change smaller than
 *                 the threshold is not worth a verdict);
 *   inconclusive  otherwise: a change beyond the threshold is neither shown
 *                 (the test cannot tell it from noise, or the CI disagrees)
 *                 nor excluded (the CI reaches past the threshold). */
enum mpb_verdict mpb_compare_verdict(double r, double lo, double hi, double p, size_t nbase,
				     size_t nnew, double t, double alpha);

struct mpb_compare_row {
	size_t base, new_;           /* the matched points: indices in the base and new plans */
	size_t nbase, nnew;          /* runs */
	double base_median_ns, new_median_ns;
	double ratio, ratio_lo, ratio_hi; /* NAN when not computable */
	double p;                    /* Mann–Whitney two-sided p; NAN when not computable */
	enum mpb_verdict verdict;
	const char *note;            /* why inconclusive without a test, else NULL */
};

struct mpb_compare {
	double threshold_pct, alpha;
	struct mpb_compare_row *rows;
	size_t nrows;
	size_t counts[4];            /* per verdict */
	size_t only_base, only_new;  /* points without a match */
	char machine_diff[3][256];   /* "cpu_model: 'A' vs 'B'", empty when equal */
	size_t ndiff;
	const char *base_name, *new_name;
	const struct mpb_dataset *base_ds, *new_ds;
};

/* The text key of a point's axes ("workload=sumsq size=2000000 ..."), used
 * to match points and to name them in messages. */
void mpb_compare_point_key(const struct mpb_dataset *ds, size_t i, char *buf, size_t len);

/* Compare two datasets (loaded files: the machines' fingerprints are
 * compared too). threshold_pct > 0. -MPB_EINPUT when no point is in both
 * ("nothing in common"). Free with mpb_compare_free; out refers to the
 * datasets, which must outlive it. */
int mpb_compare_datasets(const char *base_name, const struct mpb_dataset *base,
			 const char *new_name, const struct mpb_dataset *new_, double threshold_pct,
			 struct mpb_compare *out, struct mpb_diag *d);
void mpb_compare_free(struct mpb_compare *c);

/* Parse --threshold: a percentage > 0 and <= 1000 (a plain number, optional
 * trailing %). -MPB_EINPUT naming the value. */
int mpb_compare_parse_threshold(const char *text, double *pct, struct mpb_diag *d);

/* 0 when no point regressed; else -MPB_EREGRESS with a message naming the
 * regressed points (the first few) and the threshold. */
int mpb_compare_status(const struct mpb_compare *c, struct mpb_diag *d);

/* Write the comparison: Markdown (for a CI job summary) or JSON
 * (schema mpbench.compare/1). 0 or -MPB_EIO. */
int mpb_compare_write(FILE *f, enum mpb_export_format fmt, const struct mpb_compare *c,
		      struct mpb_diag *d);

#endif
