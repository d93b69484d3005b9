/* stats.c — the one implementation of every statistic mpbench reports
 * (see stats.h): order statistics, MAD outliers, bootstrap CIs of the median
 * and of a ratio of medians, run summaries and their JSON form, and the
 * Mann–Whitney U test. Inputs are never modified; sorting happens on copies.
 */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

/* Total order for qsort: NaN sorts after everything, so the comparator is
 * consistent even on bad input. */
static int cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;
	if (a < b)
		return -1;
	if (a > b)
		return 1;
	if (isnan(a))
		return isnan(b) ? 0 : 1;
	return isnan(b) ? -1 : 0;
}

static double *sorted_copy(const double *x, size_t n)
{
	double *s = malloc((n ? n : 1) * sizeof *s);
	if (!s)
		return NULL;
	if (n)
		memcpy(s, x, n * sizeof *s);
	qsort(s, n, sizeof *s, cmp_double);
	return s;
}

static double median_sorted(const double *s, size_t n)
{
	if (n % 2)
		return s[n / 2];
	return (s[n / 2 - 1] + s[n / 2]) / 2.0;
}

/* Hyndman–Fan type 7: h = (n-1) p/100, interpolate s[floor h] .. s[floor h + 1]. */
static double percentile_sorted(const double *s, size_t n, double p)
{
	if (isnan(p))
		return NAN;
	if (p <= 0.0)
		return s[0];
	if (p >= 100.0)
		return s[n - 1];
	double h = (double)(n - 1) * p / 100.0;
	double fl = floor(h);
	size_t lo = (size_t)fl;
	double frac = h - fl;
	if (lo >= n - 1)
		return s[n - 1];
	if (frac == 0.0)
		return s[lo];
	return s[lo] + frac * (s[lo + 1] - s[lo]);
}

double mpb_stats_median(const double *x, size_t n)
{
	if (n == 0)
		return NAN;
	double *s = sorted_copy(x, n);
	if (!s)
		return NAN;
	double m = median_sorted(s, n);
	free(s);
	return m;
}

double mpb_stats_percentile(const double *x, size_t n, double p)
{
	if (n == 0)
		return NAN;
	double *s = sorted_copy(x, n);
	if (!s)
		return NAN;
	double v = percentile_sorted(s, n, p);
	free(s);
	return v;
}

/* MAD (unscaled) of x around med. Returns 0, or -1 on allocation failure. */
static int mad_around(const double *x, size_t n, double med, double *mad)
{
	double *d = malloc(n * sizeof *d);
	if (!d)
		return -1;
	for (size_t i = 0; i < n; i++)
		d[i] = fabs(x[i] - med);
	qsort(d, n, sizeof *d, cmp_double);
	*mad = median_sorted(d, n);
	free(d);
	return 0;
}

static size_t flag_outliers(const double *x, size_t n, double med, double mad, bool *flags)
{
	size_t count = 0;
	for (size_t i = 0; i < n; i++) {
		bool out = mad > 0.0 && fabs(0.6745 * (x[i] - med) / mad) > 3.5;
		if (flags)
			flags[i] = out;
		count += out;
	}
	return count;
}

size_t mpb_stats_outliers(const double *x, size_t n, bool *flags)
{
	double med = NAN, mad = 0.0;
	if (n > 0) {
		double *s = sorted_copy(x, n);
		if (s) {
			med = median_sorted(s, n);
			if (mad_around(x, n, med, &mad) < 0)
				mad = 0.0; /* no memory: flag nothing */
			free(s);
		}
	}
	return flag_outliers(x, n, med, mad, flags);
}

/* Bootstrap state for one sample. A resample is drawn as x[below(n)] n times
 * but recorded as counts per sorted position (rank[i] is the position of x[i]
 * in s), so the resample's k-th order statistic is s[j] for the first j whose
 * cumulative count exceeds k: no per-resample sort. */
struct boot {
	double *s;
	size_t *rank;
	size_t *counts;
	size_t n;
};

struct idxval {
	double v;
	size_t i;
};

static int cmp_idxval(const void *pa, const void *pb)
{
	const struct idxval *a = pa, *b = pb;
	int c = cmp_double(&a->v, &b->v);
	return c ? c : (a->i > b->i) - (a->i < b->i);
}

static double boot_median(struct boot *b, struct mpb_rng *rng)
{
	size_t n = b->n, lo_k = (n - 1) / 2, hi_k = n / 2, cum = 0;
	double lo = NAN;
	memset(b->counts, 0, n * sizeof *b->counts);
	for (size_t i = 0; i < n; i++)
		b->counts[b->rank[mpb_rng_below(rng, n)]]++;
	for (size_t j = 0; j < n; j++) {
		size_t prev = cum;
		cum += b->counts[j];
		if (prev <= lo_k && cum > lo_k)
			lo = b->s[j];
		if (cum > hi_k)
			return lo_k == hi_k ? lo : (lo + b->s[j]) / 2.0;
	}
	return lo; /* not reached: counts sum to n */
}

static int boot_init(struct boot *b, const double *x, size_t n)
{
	struct idxval *iv = malloc(n * sizeof *iv);
	b->n = n;
	b->s = malloc(n * sizeof *b->s);
	b->rank = malloc(n * sizeof *b->rank);
	b->counts = malloc(n * sizeof *b->counts);
	if (!iv || !b->s || !b->rank || !b->counts) {
		free(iv);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		iv[i] = (struct idxval){ x[i], i };
	qsort(iv, n, sizeof *iv, cmp_idxval);
	for (size_t j = 0; j < n; j++) {
		b->s[j] = iv[j].v;
		b->rank[iv[j].i] = j;
	}
	free(iv);
	return 0;
}

static void boot_free(struct boot *b)
{
	free(b->s);
	free(b->rank);
	free(b->counts);
}

/* 2.5th and 97.5th percentiles of the replicates (sorted in place). */
static void ci_from_replicates(double *reps, size_t r, double *lo, double *hi)
{
	qsort(reps, r, sizeof *reps, cmp_double);
	*lo = percentile_sorted(reps, r, 2.5);
	*hi = percentile_sorted(reps, r, 97.5);
}

int mpb_stats_median_ci(const double *x, size_t n, uint64_t seed, double *lo, double *hi)
{
	if (n == 0)
		return -1;
	if (n == 1) {
		*lo = *hi = x[0];
		return 0;
	}
	struct boot b;
	double *reps = malloc(MPB_BOOTSTRAP_RESAMPLES * sizeof *reps);
	int rc = -1;
	if (boot_init(&b, x, n) == 0 && reps) {
		struct mpb_rng rng;
		mpb_rng_seed(&rng, seed);
		for (size_t i = 0; i < MPB_BOOTSTRAP_RESAMPLES; i++)
			reps[i] = boot_median(&b, &rng);
		ci_from_replicates(reps, MPB_BOOTSTRAP_RESAMPLES, lo, hi);
		rc = 0;
	}
	boot_free(&b);
	free(reps);
	return rc;
}

int mpb_stats_ratio_ci(const double *num, size_t nn, const double *den, size_t nd,
		       uint64_t seed, double *lo, double *hi)
{
	if (nn == 0 || nd == 0)
		return -1;
	struct boot bn, bd;
	double *reps = malloc(MPB_BOOTSTRAP_RESAMPLES * sizeof *reps);
	int rc = -1;
	int ok_n = boot_init(&bn, num, nn), ok_d = boot_init(&bd, den, nd);
	if (ok_n == 0 && ok_d == 0 && reps && median_sorted(bd.s, nd) != 0.0) {
		struct mpb_rng rng;
		mpb_rng_seed(&rng, seed);
		rc = 0;
		/* Each resample draws the numerator first, then the denominator. */
		for (size_t i = 0; i < MPB_BOOTSTRAP_RESAMPLES; i++) {
			double mn = boot_median(&bn, &rng);
			double md = boot_median(&bd, &rng);
			if (md == 0.0) {
				rc = -1; /* a resample hit a zero denominator median */
				break;
			}
			reps[i] = mn / md;
		}
		if (rc == 0)
			ci_from_replicates(reps, MPB_BOOTSTRAP_RESAMPLES, lo, hi);
	}
	boot_free(&bn);
	boot_free(&bd);
	free(reps);
	return rc;
}

int mpb_stats_summarize(const double *x, size_t n, uint64_t seed, struct mpb_summary *s)
{
	if (n == 0)
		return -1;
	double *srt = sorted_copy(x, n);
	if (!srt)
		return -1;
	memset(s, 0, sizeof *s);
	s->n = n;
	s->min = srt[0];
	s->max = srt[n - 1];
	s->median = median_sorted(srt, n);
	s->p95 = percentile_sorted(srt, n, 95.0);
	free(srt);

	double sum = 0.0;
	for (size_t i = 0; i < n; i++)
		sum += x[i];
	s->mean = sum / (double)n;
	if (n >= 2) {
		double ss = 0.0;
		for (size_t i = 0; i < n; i++)
			ss += (x[i] - s->mean) * (x[i] - s->mean);
		s->stddev = sqrt(ss / (double)(n - 1));
	}
	if (mad_around(x, n, s->median, &s->mad) < 0)
		return -1;
	s->outliers = flag_outliers(x, n, s->median, s->mad, NULL);
	return mpb_stats_median_ci(x, n, seed, &s->ci_lo, &s->ci_hi);
}

/* JSON has no NaN or infinity: those become null. */
static json_t *json_num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

json_t *mpb_stats_summary_json(const struct mpb_summary *s)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	json_t *ci = json_array();
	int bad = 0;
	bad |= json_array_append_new(ci, json_num(s->ci_lo));
	bad |= json_array_append_new(ci, json_num(s->ci_hi));
	bad |= json_object_set_new(o, "n", json_integer((json_int_t)s->n));
	bad |= json_object_set_new(o, "min", json_num(s->min));
	bad |= json_object_set_new(o, "max", json_num(s->max));
	bad |= json_object_set_new(o, "median", json_num(s->median));
	bad |= json_object_set_new(o, "mean", json_num(s->mean));
	bad |= json_object_set_new(o, "stddev", json_num(s->stddev));
	bad |= json_object_set_new(o, "mad", json_num(s->mad));
	bad |= json_object_set_new(o, "p95", json_num(s->p95));
	bad |= json_object_set_new(o, "ci95", ci);
	bad |= json_object_set_new(o, "outliers", json_integer((json_int_t)s->outliers));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

struct tagged {
	double v;
	bool from_x;
};

static int cmp_tagged(const void *pa, const void *pb)
{
	return cmp_double(&((const struct tagged *)pa)->v, &((const struct tagged *)pb)->v);
}

int mpb_stats_mann_whitney(const double *x, size_t nx, const double *y, size_t ny,
			   double *u, double *p)
{
	*u = 0.0;
	*p = 1.0;
	if (nx == 0 || ny == 0)
		return 0;
	size_t n = nx + ny;
	struct tagged *t = malloc(n * sizeof *t);
	if (!t)
		return -1;
	for (size_t i = 0; i < nx; i++)
		t[i] = (struct tagged){ x[i], true };
	for (size_t i = 0; i < ny; i++)
		t[nx + i] = (struct tagged){ y[i], false };
	qsort(t, n, sizeof *t, cmp_tagged);

	/* Ties share the average of the 1-based ranks i+1 .. j. */
	double rank_x = 0.0, tie_sum = 0.0;
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && cmp_tagged(&t[i], &t[j]) == 0)
			j++;
		double avg = ((double)(i + 1) + (double)j) / 2.0, len = (double)(j - i);
		for (size_t k = i; k < j; k++)
			if (t[k].from_x)
				rank_x += avg;
		tie_sum += len * len * len - len;
		i = j;
	}
	free(t);

	double dx = (double)nx, dy = (double)ny, dn = (double)n;
	*u = rank_x - dx * (dx + 1.0) / 2.0;
	double mu = dx * dy / 2.0;
	double var = dx * dy / 12.0 * ((dn + 1.0) - tie_sum / (dn * (dn - 1.0)));
	if (!(var > 0.0))
		return 0; /* all values tied */
	double z = fmax(fabs(*u - mu) - 0.5, 0.0) / sqrt(var);
	*p = fmin(erfc(z / sqrt(2.0)), 1.0);
	return 0;
}
