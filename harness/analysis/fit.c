/* fit.c — Amdahl and USL fits of speedup curves, and analysis.fits of a
 * sweep (see fit.h for the models and the methods). */
#include "fit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "dataset.h"
#include "rng.h"
#include "stats.h"

#define GRID 100          /* Amdahl grid intervals on [0, 1] */
#define GOLDEN_ITERS 80
#define LM_ITERS 200

/* Amdahl's shape at w workers, before the scale. */
static double amdahl_shape(double f, double w)
{
	return w / (1.0 + f * (w - 1.0));
}

/* RSS of Amdahl with f fixed and the scale profiled out; *scale set. */
static double amdahl_profile(const double *w, const double *s, size_t n, double f, double *scale)
{
	double sg = 0, gg = 0, rss = 0;
	for (size_t i = 0; i < n; i++) {
		double g = amdahl_shape(f, w[i]);
		sg += s[i] * g;
		gg += g * g;
	}
	*scale = gg > 0 ? sg / gg : 0;
	for (size_t i = 0; i < n; i++) {
		double r = s[i] - *scale * amdahl_shape(f, w[i]);
		rss += r * r;
	}
	return rss;
}

static void quality(const double *s, size_t n, size_t params, double rss,
		    struct mpb_fit_quality *q)
{
	double mean = 0, tss = 0;
	for (size_t i = 0; i < n; i++)
		mean += s[i];
	mean /= (double)n;
	for (size_t i = 0; i < n; i++)
		tss += (s[i] - mean) * (s[i] - mean);
	q->n = n;
	q->dof = n > params ? n - params : 0;
	q->r2 = tss > 0 ? 1.0 - rss / tss : NAN;
	q->rmse = sqrt(rss / (double)n);
}

/* Every value finite and positive, and at least `need` distinct worker
 * counts (one per parameter). */
static bool usable_data(const double *w, const double *s, size_t n, size_t need)
{
	double seen[3] = { 0, 0, 0 };
	size_t distinct = 0;
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(s[i]) || !(s[i] > 0) || !isfinite(w[i]) || w[i] < 1.0)
			return false;
		bool dup = false;
		for (size_t k = 0; k < distinct; k++)
			dup |= seen[k] == w[i];
		if (!dup && distinct < need)
			seen[distinct++] = w[i];
	}
	return distinct >= need;
}

static void amdahl_solve(const double *w, const double *s, size_t n, struct mpb_amdahl *a)
{
	size_t best_k = 0;
	double best = INFINITY, scale;
	for (size_t k = 0; k <= GRID; k++) {
		double r = amdahl_profile(w, s, n, (double)k / GRID, &scale);
		if (r < best) {
			best = r;
			best_k = k;
		}
	}
	double lo = best_k ? (double)(best_k - 1) / GRID : 0.0;
	double hi = best_k < GRID ? (double)(best_k + 1) / GRID : 1.0;
	const double g = (sqrt(5.0) - 1.0) / 2.0;
	double c = hi - g * (hi - lo), d = lo + g * (hi - lo);
	double fc = amdahl_profile(w, s, n, c, &scale), fd = amdahl_profile(w, s, n, d, &scale);
	for (int it = 0; it < GOLDEN_ITERS && hi - lo > 1e-13; it++) {
		if (fc < fd) {
			hi = d;
			d = c;
			fd = fc;
			c = hi - g * (hi - lo);
			fc = amdahl_profile(w, s, n, c, &scale);
		} else {
			lo = c;
			c = d;
			fc = fd;
			d = lo + g * (hi - lo);
			fd = amdahl_profile(w, s, n, d, &scale);
		}
	}
	double f = (lo + hi) / 2.0;
	if (!(amdahl_profile(w, s, n, f, &scale) <= best))
		f = (double)best_k / GRID;
	a->f = f;
	amdahl_profile(w, s, n, f, &a->scale);
}

int mpb_fit_amdahl(const double *w, const double *s, size_t n, struct mpb_amdahl *a,
		   struct mpb_fit_quality *q)
{
	if (n < 2 || !usable_data(w, s, n, 2))
		return -1;
	amdahl_solve(w, s, n, a);
	if (q) {
		double scale;
		quality(s, n, 2, amdahl_profile(w, s, n, a->f, &scale), q);
	}
	return 0;
}

double mpb_fit_amdahl_speedup(const struct mpb_amdahl *a, double n)
{
	return a->scale * amdahl_shape(a->f, n);
}

double mpb_fit_usl_speedup(const struct mpb_usl *u, double n)
{
	return u->scale * n / (1.0 + u->sigma * (n - 1.0) + u->kappa * n * (n - 1.0));
}

static double usl_rss(const double *w, const double *s, size_t n, const struct mpb_usl *u)
{
	double rss = 0;
	for (size_t i = 0; i < n; i++) {
		double r = s[i] - mpb_fit_usl_speedup(u, w[i]);
		rss += r * r;
	}
	return rss;
}

static void usl_clamp(struct mpb_usl *u)
{
	u->scale = fmax(u->scale, 1e-12);
	u->sigma = fmin(fmax(u->sigma, 0.0), 1.0);
	u->kappa = fmax(u->kappa, 0.0);
}

/* The linearised start: with the scale fixed, scale N / S - 1 = s (N - 1) +
 * k N (N - 1) is linear in s and k; non-negative least squares over the
 * points with N > 1 (the unconstrained solution when feasible, else the
 * better one-variable fit). */
static void usl_linear_start(const double *w, const double *s, size_t n, double scale,
			     struct mpb_usl *u)
{
	double sxx = 0, sxz = 0, szz = 0, sxy = 0, szy = 0;
	for (size_t i = 0; i < n; i++) {
		if (w[i] <= 1.0)
			continue;
		double x = w[i] - 1.0, z = w[i] * (w[i] - 1.0), y = scale * w[i] / s[i] - 1.0;
		sxx += x * x;
		sxz += x * z;
		szz += z * z;
		sxy += x * y;
		szy += z * y;
	}
	*u = (struct mpb_usl){ scale, 0, 0 };
	double det = sxx * szz - sxz * sxz;
	if (det > 1e-12 * sxx * szz) {
		double a = (sxy * szz - szy * sxz) / det, b = (szy * sxx - sxy * sxz) / det;
		if (a >= 0 && b >= 0) {
			u->sigma = a;
			u->kappa = b;
			usl_clamp(u);
			return;
		}
	}
	struct mpb_usl ua = { scale, sxx > 0 ? fmax(sxy / sxx, 0) : 0, 0 };
	struct mpb_usl uk = { scale, 0, szz > 0 ? fmax(szy / szz, 0) : 0 };
	usl_clamp(&ua);
	*u = usl_rss(w, s, n, &ua) <= usl_rss(w, s, n, &uk) ? ua : uk;
}

/* Solve the 3x3 system a x = b by Gaussian elimination with partial
 * pivoting; false when singular. */
static bool solve3(double a[3][3], double b[3], double x[3])
{
	for (int c = 0; c < 3; c++) {
		int p = c;
		for (int r = c + 1; r < 3; r++)
			if (fabs(a[r][c]) > fabs(a[p][c]))
				p = r;
		if (!(fabs(a[p][c]) > 0) || !isfinite(a[p][c]))
			return false;
		for (int k = 0; k < 3; k++) {
			double t = a[c][k];
			a[c][k] = a[p][k];
			a[p][k] = t;
		}
		double t = b[c];
		b[c] = b[p];
		b[p] = t;
		for (int r = c + 1; r < 3; r++) {
			double m = a[r][c] / a[c][c];
			for (int k = c; k < 3; k++)
				a[r][k] -= m * a[c][k];
			b[r] -= m * b[c];
		}
	}
	for (int c = 2; c >= 0; c--) {
		double v = b[c];
		for (int k = c + 1; k < 3; k++)
			v -= a[c][k] * x[k];
		x[c] = v / a[c][c];
	}
	return isfinite(x[0]) && isfinite(x[1]) && isfinite(x[2]);
}

/* Levenberg–Marquardt on (scale, sigma, kappa), each step projected onto
 * the feasible box. Returns the final RSS. */
static double usl_lm(const double *w, const double *s, size_t n, struct mpb_usl *u)
{
	double mu = 1e-3, rss = usl_rss(w, s, n, u);
	for (int it = 0; it < LM_ITERS && mu < 1e12; it++) {
		double a[3][3] = { { 0 } }, g[3] = { 0 };
		for (size_t i = 0; i < n; i++) {
			double x = w[i] - 1.0, z = w[i] * (w[i] - 1.0);
			double den = 1.0 + u->sigma * x + u->kappa * z;
			double r = s[i] - u->scale * w[i] / den;
			double j[3] = { w[i] / den, -u->scale * w[i] * x / (den * den),
					-u->scale * w[i] * z / (den * den) };
			for (int p = 0; p < 3; p++) {
				g[p] += j[p] * r;
				for (int q = 0; q < 3; q++)
					a[p][q] += j[p] * j[q];
			}
		}
		double m[3][3], b[3] = { g[0], g[1], g[2] }, d[3];
		memcpy(m, a, sizeof m);
		for (int p = 0; p < 3; p++)
			m[p][p] += mu * (a[p][p] > 0 ? a[p][p] : 1e-12);
		if (!solve3(m, b, d)) {
			mu *= 10;
			continue;
		}
		struct mpb_usl t = { u->scale + d[0], u->sigma + d[1], u->kappa + d[2] };
		usl_clamp(&t);
		double nrss = usl_rss(w, s, n, &t);
		if (nrss < rss) {
			bool tiny = rss - nrss <= 1e-15 * rss;
			*u = t;
			rss = nrss;
			mu = fmax(mu / 10, 1e-12);
			if (tiny)
				break;
		} else {
			mu *= 10;
		}
	}
	return rss;
}

int mpb_fit_usl(const double *w, const double *s, size_t n, struct mpb_usl *u,
		struct mpb_fit_quality *q)
{
	if (n < 3 || !usable_data(w, s, n, 3))
		return -1;
	/* several starts: a projected step can stall on a bound from one side */
	struct mpb_amdahl a;
	amdahl_solve(w, s, n, &a);
	struct mpb_usl starts[3] = { { a.scale, a.f, 0 }, { a.scale, 0, 0 }, { 0, 0, 0 } };
	usl_linear_start(w, s, n, a.scale, &starts[2]);
	double best = INFINITY;
	for (size_t k = 0; k < 3; k++) {
		struct mpb_usl t = starts[k];
		usl_clamp(&t);
		double rss = usl_lm(w, s, n, &t);
		if (rss < best) {
			best = rss;
			*u = t;
		}
	}
	if (q)
		quality(s, n, 3, best, q);
	return 0;
}

unsigned mpb_fit_usl_peak(const struct mpb_usl *u)
{
	if (u->sigma >= 1.0)
		return 1;
	if (!(u->kappa > 0))
		return 0;
	double x = sqrt((1.0 - u->sigma) / u->kappa);
	if (x >= 1e9)
		return 0; /* a peak nobody could reach: report none */
	double lo = floor(x) < 1 ? 1 : floor(x), hi = lo + 1;
	return mpb_fit_usl_speedup(u, hi) > mpb_fit_usl_speedup(u, lo) ? (unsigned)hi : (unsigned)lo;
}

/* Median of a resample of x[0..n) drawn into buf: the one median of stats.h. */
static double resampled_median(const double *x, size_t n, double *buf, struct mpb_rng *rng)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = x[mpb_rng_below(rng, n)];
	return mpb_stats_median(buf, n);
}

static int serial_fraction_ci(const struct mpb_fit_curve *c, uint64_t seed, double *lo,
			      double *hi)
{
	size_t maxn = c->nserial;
	for (size_t i = 0; i < c->n; i++)
		if (c->nruns[i] > maxn)
			maxn = c->nruns[i];
	double *buf = malloc(maxn * sizeof *buf);
	double *sp = malloc(c->n * sizeof *sp);
	double *reps = malloc(MPB_FIT_BOOTSTRAP * sizeof *reps);
	int rc = -1;
	if (buf && sp && reps) {
		struct mpb_rng rng;
		mpb_rng_seed(&rng, seed);
		size_t nr = 0;
		for (size_t b = 0; b < MPB_FIT_BOOTSTRAP; b++) {
			double ser = resampled_median(c->serial, c->nserial, buf, &rng);
			for (size_t i = 0; i < c->n; i++)
				sp[i] = ser / resampled_median(c->wall[i], c->nruns[i], buf, &rng);
			struct mpb_amdahl a;
			if (mpb_fit_amdahl(c->workers, sp, c->n, &a, NULL) == 0)
				reps[nr++] = a.f;
		}
		if (nr > 0) {
			*lo = mpb_stats_percentile(reps, nr, 2.5);
			*hi = mpb_stats_percentile(reps, nr, 97.5);
			rc = 0;
		}
	}
	free(buf);
	free(sp);
	free(reps);
	return rc;
}

int mpb_fit_curve(const struct mpb_fit_curve *c, uint64_t seed, struct mpb_fit_result *r)
{
	memset(r, 0, sizeof *r);
	r->amdahl = (struct mpb_amdahl){ NAN, NAN };
	r->usl = (struct mpb_usl){ NAN, NAN, NAN };
	r->f_lo = r->f_hi = r->usl_peak_speedup = NAN;
	if (c->n == 0 || c->nserial == 0) {
		r->why_not = "no measured points or no serial baseline";
		return 0;
	}
	double *sp = malloc(c->n * sizeof *sp);
	if (!sp) {
		r->why_not = "out of memory";
		return -1;
	}
	double ser = mpb_stats_median(c->serial, c->nserial);
	for (size_t i = 0; i < c->n; i++)
		sp[i] = ser / mpb_stats_median(c->wall[i], c->nruns[i]);
	int rc = 0;
	if (mpb_fit_amdahl(c->workers, sp, c->n, &r->amdahl, &r->amdahl_q) == 0) {
		r->have_amdahl = true;
		if (serial_fraction_ci(c, seed, &r->f_lo, &r->f_hi) < 0) {
			r->f_lo = r->f_hi = NAN;
			rc = -1;
		}
	} else {
		r->why_not = "an Amdahl fit needs two worker counts";
	}
	if (mpb_fit_usl(c->workers, sp, c->n, &r->usl, &r->usl_q) == 0) {
		r->have_usl = true;
		r->usl_peak_workers = mpb_fit_usl_peak(&r->usl);
		if (r->usl_peak_workers)
			r->usl_peak_speedup = mpb_fit_usl_speedup(&r->usl, r->usl_peak_workers);
	} else if (!r->why_not) {
		r->why_not = "a USL fit needs three worker counts";
	}
	free(sp);
	return rc;
}

bool mpb_fit_same_curve(const struct mpb_point *a, const struct mpb_point *b)
{
	return a->workload == b->workload && a->size == b->size && a->tasks == b->tasks &&
	       a->parent_rss == b->parent_rss && a->method == b->method && a->codec == b->codec &&
	       a->transport == b->transport && a->chunk_strategy == b->chunk_strategy &&
	       (a->chunk_strategy == MPB_CHUNK_PYTHON || a->chunksize == b->chunksize);
}

static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *fit_json(const struct mpb_dataset *s, const size_t *idx, size_t n,
			const struct mpb_fit_result *r, const double *sp)
{
	const struct mpb_point *p0 = &s->plan->points[idx[0]];
	json_t *o = json_pack("{s:s, s:I, s:I, s:s, s:s, s:s, s:s, s:I}",
		"workload", p0->workload->name, "size", (json_int_t)p0->size,
		"tasks", (json_int_t)p0->tasks, "method", p0->method->name,
		"codec", p0->codec->name, "transport", p0->transport->name,
		"chunk_strategy", mpb_chunk_strategy_name(p0->chunk_strategy),
		"parent_rss", (json_int_t)p0->parent_rss);
	if (!o)
		return NULL;
	json_t *ws = json_array(), *ss = json_array(), *ids = json_array();
	for (size_t k = 0; k < n; k++) {
		json_array_append_new(ws, json_integer(s->plan->points[idx[k]].workers));
		json_array_append_new(ss, num(sp[k]));
		json_array_append_new(ids, json_integer(s->plan->points[idx[k]].id));
	}
	json_object_set_new(o, "chunksize", p0->chunk_strategy == MPB_CHUNK_PYTHON
				? json_null() : json_integer((json_int_t)p0->chunksize));
	json_object_set_new(o, "points", ids);
	json_object_set_new(o, "workers", ws);
	json_object_set_new(o, "speedups", ss);
	json_object_set_new(o, "amdahl", !r->have_amdahl ? json_null() : json_pack(
		"{s:o, s:[o, o], s:o, s:o, s:o, s:o, s:I}",
		"serial_fraction", num(r->amdahl.f),
		"serial_fraction_ci95", num(r->f_lo), num(r->f_hi),
		"scale", num(r->amdahl.scale),
		"max_speedup", num(r->amdahl.f > 0 ? r->amdahl.scale / r->amdahl.f : NAN),
		"r2", num(r->amdahl_q.r2), "rmse", num(r->amdahl_q.rmse),
		"dof", (json_int_t)r->amdahl_q.dof));
	json_object_set_new(o, "usl", !r->have_usl ? json_null() : json_pack(
		"{s:o, s:o, s:o, s:o, s:o, s:I, s:o, s:o}",
		"sigma", num(r->usl.sigma), "kappa", num(r->usl.kappa), "scale", num(r->usl.scale),
		"r2", num(r->usl_q.r2), "rmse", num(r->usl_q.rmse), "dof", (json_int_t)r->usl_q.dof,
		"peak_workers", r->usl_peak_workers ? json_integer(r->usl_peak_workers) : json_null(),
		"peak_speedup", num(r->usl_peak_speedup)));
	json_object_set_new(o, "predicted_best_workers",
			    r->have_usl && r->usl_peak_workers ? json_integer(r->usl_peak_workers)
							       : json_null());
	json_object_set_new(o, "why_not", r->why_not ? json_string(r->why_not) : json_null());
	return o;
}

static int cmp_by_workers(const void *pa, const void *pb, const struct mpb_plan *p)
{
	unsigned a = p->points[*(const size_t *)pa].workers, b = p->points[*(const size_t *)pb].workers;
	return (a > b) - (a < b);
}

/* Insertion sort of point indices by worker count (qsort has no context). */
static void sort_by_workers(size_t *idx, size_t n, const struct mpb_plan *p)
{
	for (size_t i = 1; i < n; i++)
		for (size_t k = i; k > 0 && cmp_by_workers(&idx[k - 1], &idx[k], p) > 0; k--) {
			size_t t = idx[k];
			idx[k] = idx[k - 1];
			idx[k - 1] = t;
		}
}

/* The fit of the curve through point `first`, appended to arr. */
static int add_curve(const struct mpb_dataset *s, size_t first, bool *done, json_t *arr)
{
	const struct mpb_plan *p = s->plan;
	size_t n = 0;
	size_t *idx = malloc(p->npoints * sizeof *idx);
	double *ws = malloc(p->npoints * sizeof *ws), *sp = malloc(p->npoints * sizeof *sp);
	double **walls = calloc(p->npoints, sizeof *walls);
	size_t *nr = malloc(p->npoints * sizeof *nr);
	int rc = -1;
	if (!idx || !ws || !sp || !walls || !nr)
		goto out;
	for (size_t k = first; k < p->npoints; k++) {
		if (done[k] || !mpb_fit_same_curve(&p->points[k], &p->points[first]))
			continue;
		done[k] = true;
		if (!s->pts[k].failed && s->pts[k].nruns > 0)
			idx[n++] = k;
	}
	const struct mpb_wall_state *bs = &s->bls[p->points[first].baseline];
	if (n == 0 || bs->n == 0 || bs->failed) {
		rc = 0;
		goto out;
	}
	sort_by_workers(idx, n, p);
	const struct mpb_metric wm = { "wall_ns", offsetof(struct mpb_sample, wall_ns) };
	for (size_t k = 0; k < n; k++) {
		ws[k] = p->points[idx[k]].workers;
		nr[k] = s->pts[idx[k]].nruns;
		if (!(walls[k] = mpb_metric_values(&s->pts[idx[k]], &wm)))
			goto out;
	}
	struct mpb_fit_curve c = { n, ws, (const double *const *)walls, nr, bs->wall_ns, bs->n };
	struct mpb_fit_result r;
	mpb_fit_curve(&c, p->seed + p->points[idx[0]].id, &r);
	double ser = mpb_stats_median(bs->wall_ns, bs->n);
	for (size_t k = 0; k < n; k++)
		sp[k] = ser / mpb_stats_median(walls[k], nr[k]);
	json_t *o = fit_json(s, idx, n, &r, sp);
	rc = o && json_array_append_new(arr, o) == 0 ? 0 : -1;
out:
	for (size_t k = 0; walls && k < p->npoints; k++)
		free(walls[k]);
	free(walls);
	free(idx);
	free(ws);
	free(sp);
	free(nr);
	return rc;
}

json_t *mpb_fit_sweep_json(const struct mpb_dataset *s)
{
	const struct mpb_plan *p = s->plan;
	json_t *arr = json_array();
	bool *done = calloc(p->npoints ? p->npoints : 1, sizeof *done);
	if (!arr || !done) {
		json_decref(arr);
		free(done);
		return NULL;
	}
	for (size_t i = 0; i < p->npoints && s->pts; i++) {
		if (done[i])
			continue;
		if (add_curve(s, i, done, arr) < 0) {
			json_decref(arr);
			arr = NULL;
			break;
		}
	}
	free(done);
	return arr;
}
