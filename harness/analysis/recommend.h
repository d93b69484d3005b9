/* recommend.h — the answer users want: whether to parallelize at all, how
 * many workers, which chunk size, which start method, and how sure that is.
 *
 * Per group (the points of a sweep that differ only in worker count and
 * chunk size), over the serial baseline and each worker count at its
 * fastest chunk size (throughput: tasks per second from the median wall
 * time): the smallest option that no larger one beats, where "beats" is
 * rec_compare.h's test (by more than the tolerance, with the ratio's CI
 * above 1 and Mann–Whitney p < 0.05), so that a larger count earns its
 * place against the noise and not against a point estimate, and more
 * workers than CPUs are never recommended for a gain that is noise. When
 * the serial baseline is that option, the advice is not to parallelize
 * the task at this size, with the size from which the measured fixed
 * costs would let the pool pay. Every recommendation carries the
 * comparisons behind it (ratio, CI, p-value, verdict) and a confidence
 * level. Per family (the
 * groups that differ only in method and codec): the best method. Warnings
 * when the recommendation exceeds the usable CPUs or the memory available
 * holds fewer such workers. The logic is a pure function over candidates
 * (mpb_recommend_curve) so that it can be tested on synthetic curves. */
#ifndef MPB_RECOMMEND_H
#define MPB_RECOMMEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "dataset.h"
#include "rec_compare.h"

struct mpb_dataset;
struct mpb_point;

struct mpb_rec_candidate {
	size_t id;               /* the caller's reference (a point index) */
	unsigned workers;
	uint64_t chunksize;
	double throughput;       /* tasks per second, > 0 */
	double mem_per_worker;   /* bytes (PSS) of one worker; 0 when unknown */
	const double *wall;      /* wall times (ns) of its runs, or NULL: exact */
	size_t nwall;
};

struct mpb_rec_context {
	double tolerance;        /* fraction of the best throughput, 0 <= t < 1 */
	unsigned usable_cpus;    /* 0 when unknown */
	uint64_t mem_available;  /* bytes; 0 when unknown */
	double serial_throughput; /* tasks per second of the serial baseline; 0 unknown */
	const double *serial;    /* its wall times (ns), or NULL */
	size_t nserial;
	uint64_t seed;           /* of the bootstrap CIs */
	/* The ceiling (bare processes, ceiling.h) at the most workers measured
	 * up to the usable CPUs, 2 or more: ceiling_workers (0: none) and its
	 * speedup over serial; ceiling_one, its speedup at 1 worker (0:
	 * unknown; without a 1-worker ceiling, from the machine's fork floor;
	 * without either, no judgement).
	 * What bare processes should reach at w workers is w, less their own
	 * cost F, which the 1-worker ceiling shows (c1 = T / (T + F)), paid w
	 * times by the parent that starts them: T / (T / w + w F) =
	 * 1 / (1 / w + w (1 / c1 - 1)). Below
	 * MPB_REC_CEILING_FRACTION x that, the machine did not let even bare
	 * processes scale (other load), so no count measured there can be
	 * trusted much: confidence low, with that reason. */
	unsigned ceiling_workers;
	double ceiling_speedup;
	double ceiling_one;
};
#define MPB_REC_CEILING_FRACTION 0.6

enum mpb_rec_shape {
	MPB_SHAPE_SINGLE,   /* one worker count measured */
	MPB_SHAPE_FLAT,     /* the fewest workers measured are within the tolerance */
	MPB_SHAPE_RISING,   /* the most workers measured are the best and nothing below is close */
	MPB_SHAPE_PEAK,     /* a maximum, then a fall below the tolerance at the most workers */
	MPB_SHAPE_PLATEAU,  /* gains past the recommendation stay within the tolerance */
	MPB_SHAPE_SERIAL,   /* no worker count beats the serial baseline */
};

enum mpb_rec_confidence {
	MPB_REC_HIGH,    /* every comparison behind the choice is conclusive */
	MPB_REC_MEDIUM,  /* one is not */
	MPB_REC_LOW,     /* several are not, or the ceiling did not scale (low_ceiling) */
};

/* An option compared with the recommended one. */
struct mpb_rec_alt {
	size_t cand;            /* candidate index; MPB_REC_SERIAL for the serial baseline */
	unsigned workers;       /* 0 for the serial baseline */
	struct mpb_rec_cmp cmp; /* this option / the recommended one */
};
#define MPB_REC_SERIAL ((size_t)-1)
#define MPB_REC_MIN_SCALE 1.5  /* smallest pays_from_scale said (recommend.c) */
#define MPB_REC_MAX_ALTS 32

struct mpb_recommendation {
	size_t rec, best;          /* indices into the candidates */
	double vs_best;            /* throughput(rec) / throughput(best) */
	enum mpb_rec_shape shape;
	size_t chunks_at_rec;      /* chunk sizes measured at the recommended count */
	bool over_cpus;            /* recommended workers > usable CPUs */
	unsigned memory_max_workers; /* workers the available memory holds; 0 unknown */
	bool over_memory;          /* memory_max_workers < recommended workers */
	bool parallelize;          /* false: the serial baseline wins (rec is then the best pool option) */
	bool have_serial;          /* vs_serial holds rec / serial baseline */
	struct mpb_rec_cmp vs_serial;
	struct mpb_rec_alt alt[MPB_REC_MAX_ALTS]; /* the other options, fewest workers first */
	size_t nalt;
	enum mpb_rec_confidence confidence;
	bool low_ceiling;          /* confidence low for the reason of ctx.ceiling_speedup */
	char confidence_reason[200]; /* that reason in words; "" when none */
	/* serial wins: the factor by which the work of one map would have to
	 * grow for the pool to beat serial, estimated from its measured fixed
	 * cost (at least MPB_REC_MIN_SCALE), and the worker count that would
	 * pay first; 0 when the figures give none, or with low_ceiling (the
	 * machine's load, not a fixed cost, holds the pool back) */
	double pays_from_scale;
	unsigned pays_from_workers;
	char evidence[600];        /* the comparisons in words, with the confidence */
	char why[900];
};

/* "high", "medium", "low". */
const char *mpb_recommend_confidence_name(enum mpb_rec_confidence c);

/* "single", "flat", "rising", "peak", "plateau", "serial". */
const char *mpb_recommend_shape_name(enum mpb_rec_shape s);

/* Recommend from candidates c[0..n), n >= 1 (every throughput > 0).
 * Returns 0, or -1 when n is 0, a throughput is not positive, or on
 * ENOMEM. */
int mpb_recommend_curve(const struct mpb_rec_candidate *c, size_t n,
			const struct mpb_rec_context *ctx, struct mpb_recommendation *r);

/* Same group: every axis equal except workers and chunk size. */
bool mpb_recommend_same_group(const struct mpb_point *a, const struct mpb_point *b);

/* A group's recommendation within a sweep. */
struct mpb_rec_entry {
	size_t point;              /* recommended point (plan index) */
	size_t best_point;         /* best measured point */
	double throughput, best_throughput; /* tasks per second */
	double serial_throughput;  /* of the serial baseline; 0 unknown */
	size_t alt_point[MPB_REC_MAX_ALTS]; /* r.alt[i]'s point, or MPB_REC_SERIAL */
	double mem_per_worker;     /* PSS of one worker at the recommended point; 0 unknown */
	struct mpb_recommendation r;
	const char *best_method;   /* best method of the family (this group's own when alone) */
	bool is_best_method;
	size_t family_methods;     /* methods compared for best_method */
};

/* One entry per group with measured points, in plan order of the groups.
 * The tolerance is s->tolerance. *out is NULL when *n is 0; free() it.
 * 0, or -1 on allocation failure. */
int mpb_recommend_sweep(const struct mpb_dataset *s, struct mpb_rec_entry **out, size_t *n);

/* analysis.recommendations: [{workload, size, tasks, method, codec,
 * transport, parent_rss, workers, chunksize, chunk_strategy, point,
 * throughput_vs_best, throughput_per_s, best_workers, best_chunksize,
 * best_throughput_per_s, tolerance, shape, why, best_method, usable_cpus,
 * memory_max_workers, warnings, parallelize, confidence, evidence,
 * vs_serial, alternatives, pays_from_size, pays_from_workers}] (results/README.md). NULL on
 * ENOMEM. */
json_t *mpb_recommend_json(const struct mpb_dataset *s);

#define MPB_REC_WARN_LEN 300
/* The warnings of one entry (more workers than usable CPUs, more than the
 * memory holds) into out; returns how many (0..2). */
size_t mpb_recommend_warnings(const struct mpb_dataset *s, const struct mpb_rec_entry *e,
			      char out[2][MPB_REC_WARN_LEN]);

/* The recommendations as lines for the console (after the table). */
void mpb_recommend_print(FILE *f, const struct mpb_dataset *s);

#endif
