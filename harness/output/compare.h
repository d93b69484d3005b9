/* compare.h — `mpbench compare BASE NEW`: match the points of two results
 * datasets (model/dataset.h) by their axes and judge, per point, whether the new wall time
 * regressed, improved or stayed the same, with a ratio of medians, its
 * bootstrap CI and a Mann–Whitney rank test. The verdict rules are defined in
 * mpb_compare_verdict and repeated in results/README.md.
 *
 * `mpbench compare FILE --along AXIS=BASE[,NEW...]` compares within one
 * dataset instead: the points whose AXIS is BASE are the base side, those
 * whose AXIS is one of NEW (every other value when none is named) the new
 * side, matched by all their other axes (as Google Benchmark's compare.py
 * compares two filters of one run). Every row also carries the speedup and
 * the context switches per task of both sides; a geometric mean of the
 * ratios closes the comparison. */
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
	/* serial / wall medians (analysis.h); NAN without a serial baseline */
	double base_speedup, new_speedup;
	/* context switches per task of harness and workers (medians), from the
	 * perf counter when both sides counted it, else from rusage (voluntary
	 * + involuntary; cs_source says which); NAN without runs */
	double base_cs_per_task, new_cs_per_task;
	const char *cs_source;       /* "perf" or "rusage" */
};

/* Geometric means over the rows of the new/base ratios of wall time,
 * speedup and context switches per task, each over the rows where both
 * sides have a positive figure and neither point failed (n* of them; NAN
 * when none). */
struct mpb_compare_geomean {
	double wall, speedup, cs;
	size_t nwall, nspeedup, ncs;
};

#define MPB_COMPARE_ALONG_MAX 16   /* values named after AXIS=BASE */

/* --along AXIS=BASE[,NEW...] resolved against one dataset. */
struct mpb_compare_along {
	size_t axis;                 /* index among the point axes */
	const char *axis_name;
	char base[64];               /* the values as the point keys write them */
	char news[MPB_COMPARE_ALONG_MAX][64];
	size_t nnew;
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
	struct mpb_compare_geomean geomean;
	bool have_along;             /* within one dataset (base_ds == new_ds) */
	struct mpb_compare_along along;
};

/* The text key of a point's axes ("workload=sumsq size=2000000 ..."), used
 * to match points and to name them in messages. */
void mpb_compare_point_key(const struct mpb_dataset *ds, size_t i, char *buf, size_t len);

/* The point axes, in key order, as the writers (compare_write.c) show them:
 * their count, names, whether one is a count (else a name), a point's value
 * as text and as the results write it. */
size_t mpb_compare_axis_count(void);
const char *mpb_compare_axis_name(size_t k);
bool mpb_compare_axis_is_count(size_t k);
void mpb_compare_axis_text(const struct mpb_dataset *ds, size_t i, size_t k, char *buf, size_t len);
json_t *mpb_compare_axis_json(const struct mpb_dataset *ds, size_t i, size_t k);

/* A dataset's machine as compare shows it: {hostname, cpu_model,
 * usable_cpus, kernel} (null where unknown). NULL on ENOMEM. */
json_t *mpb_compare_machine_json(const struct mpb_dataset *ds);

/* Compare two datasets (loaded files: the machines' fingerprints are
 * compared too). threshold_pct > 0. -MPB_EINPUT when no point is in both
 * ("nothing in common"). Free with mpb_compare_free; out refers to the
 * datasets, which must outlive it. */
int mpb_compare_datasets(const char *base_name, const struct mpb_dataset *base,
			 const char *new_name, const struct mpb_dataset *new_, double threshold_pct,
			 struct mpb_compare *out, struct mpb_diag *d);
void mpb_compare_free(struct mpb_compare *c);

/* Parse --along AXIS=BASE[,NEW...] against ds: AXIS one of the point axes
 * (workload, size, tasks, workers, method, codec, transport, chunksize,
 * parent_rss), each value one that some point of ds has (counts may carry
 * suffixes: 2M, 64KiB), NEW values distinct and other than BASE; without
 * NEW, every other value of AXIS in ds. -MPB_EINPUT naming the text and
 * what is accepted. */
int mpb_compare_parse_along(const char *text, const struct mpb_dataset *ds,
			    struct mpb_compare_along *out, struct mpb_diag *d);

/* Compare within one dataset along an axis (rows: per NEW value, in the
 * plan's order). -MPB_EINPUT when no NEW point has a BASE counterpart. */
int mpb_compare_along_dataset(const char *name, const struct mpb_dataset *ds,
			      const struct mpb_compare_along *along, double threshold_pct,
			      struct mpb_compare *out, struct mpb_diag *d);

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
