/* recommend.c — worker count, chunk size and method recommendations (see
 * recommend.h). */
#include "recommend.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "ceiling_ratios.h"
#include "dataset.h"
#include "parse.h"
#include "stats.h"

const char *mpb_recommend_shape_name(enum mpb_rec_shape s)
{
	switch (s) {
	case MPB_SHAPE_SINGLE: return "single";
	case MPB_SHAPE_FLAT: return "flat";
	case MPB_SHAPE_RISING: return "rising";
	case MPB_SHAPE_PEAK: return "peak";
	case MPB_SHAPE_PLATEAU: return "plateau";
	case MPB_SHAPE_SERIAL: return "serial";
	}
	return "unknown";
}

/* Best throughput among the candidates with w workers (the envelope over
 * chunk sizes), and how many there are. */
static double envelope(const struct mpb_rec_candidate *c, size_t n, unsigned w, size_t *count)
{
	double best = 0;
	*count = 0;
	for (size_t i = 0; i < n; i++)
		if (c[i].workers == w) {
			(*count)++;
			best = fmax(best, c[i].throughput);
		}
	return best;
}

static const char *plural(unsigned n)
{
	return n == 1 ? "" : "s";
}

static void append(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void append(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	if (used + 1 >= len)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

const char *mpb_recommend_confidence_name(enum mpb_rec_confidence c)
{
	switch (c) {
	case MPB_REC_HIGH: return "high";
	case MPB_REC_MEDIUM: return "medium";
	case MPB_REC_LOW: return "low";
	}
	return "unknown";
}

/* An option of the step-up: a worker count's fastest candidate, or the
 * serial baseline (cand MPB_REC_SERIAL). */
static struct mpb_rec_option option(const struct mpb_rec_candidate *c,
				    const struct mpb_rec_context *ctx, size_t cand)
{
	if (cand == MPB_REC_SERIAL)
		return (struct mpb_rec_option){ ctx->serial_throughput, ctx->serial, ctx->nserial };
	return (struct mpb_rec_option){ c[cand].throughput, c[cand].wall, c[cand].nwall };
}

static int compare(const struct mpb_rec_candidate *c, const struct mpb_rec_context *ctx,
		   size_t a, size_t b, struct mpb_rec_cmp *out)
{
	struct mpb_rec_option oa = option(c, ctx, a), ob = option(c, ctx, b);
	/* a fixed seed per pair: the same data give the same CI */
	uint64_t seed = ctx->seed + 7919u * (a + 1) + (b + 1);
	return mpb_rec_compare(&oa, &ob, ctx->tolerance, seed, out);
}

/* "2 workers" or "serial". */
static void option_name(const struct mpb_rec_candidate *c, size_t cand, char *buf, size_t len)
{
	if (cand == MPB_REC_SERIAL)
		snprintf(buf, len, "serial");
	else
		snprintf(buf, len, "%u worker%s", c[cand].workers, plural(c[cand].workers));
}

/* The comparisons in words: the recommended option's speedup and CI, then
 * each alternative's ratio to it, with CI, p-value and verdict. */
static void evidence(const struct mpb_rec_candidate *c, struct mpb_recommendation *r)
{
	char *w = r->evidence, name[64];
	size_t len = sizeof r->evidence;
	w[0] = '\0';
	if (!r->parallelize)
		append(w, len, "serial is not beaten");
	else if (r->have_serial)
		append(w, len, "%u worker%s: %.3gx serial [%.3g–%.3g]", c[r->rec].workers,
		       plural(c[r->rec].workers), r->vs_serial.ratio, r->vs_serial.ci_lo,
		       r->vs_serial.ci_hi);
	else
		append(w, len, "%u worker%s", c[r->rec].workers, plural(c[r->rec].workers));
	for (size_t i = 0; i < r->nalt; i++) {
		const struct mpb_rec_alt *a = &r->alt[i];
		if (a->cand == MPB_REC_SERIAL && r->parallelize)
			continue; /* said above */
		option_name(c, a->cand, name, sizeof name);
		append(w, len, "; %s: %.3gx [%.3g–%.3g], %s (p = %.2g)", name, a->cmp.ratio,
		       a->cmp.ci_lo, a->cmp.ci_hi, mpb_rec_verdict_name(a->cmp.verdict), a->cmp.p);
	}
	append(w, len, "; confidence %s", mpb_recommend_confidence_name(r->confidence));
	if (r->confidence_reason[0])
		append(w, len, ": %s", r->confidence_reason);
}

/* Whether the best count, past the usable CPUs, beat the recommended one
 * significantly but not wholly beyond the tolerance (step_up). */
static bool significant_over_cpus(const struct mpb_recommendation *r,
				  const struct mpb_rec_context *ctx,
				  const struct mpb_rec_candidate *best,
				  const struct mpb_rec_candidate *rec)
{
	if (!ctx->usable_cpus || best->workers <= ctx->usable_cpus ||
	    rec->workers > ctx->usable_cpus)
		return false;
	for (size_t i = 0; i < r->nalt; i++)
		if (r->alt[i].cand == r->best)
			return r->alt[i].cmp.verdict == MPB_REC_BETTER;
	return false;
}

static void explain(const struct mpb_rec_candidate *c, size_t n, const struct mpb_rec_context *ctx,
		    unsigned wmax, struct mpb_recommendation *r)
{
	const struct mpb_rec_candidate *rec = &c[r->rec], *best = &c[r->best];
	double tol = 100.0 * ctx->tolerance;
	char *w = r->why;
	size_t len = sizeof r->why;
	w[0] = '\0';
	if (!r->parallelize) {
		append(w, len, "do not parallelize this task at this size: no worker count beats "
		       "serial (%.4g tasks/s) by more than the %g%% tolerance beyond the noise; the "
		       "best, %u worker%s, reaches %.3gx serial", ctx->serial_throughput, tol,
		       best->workers, plural(best->workers),
		       best->throughput / ctx->serial_throughput);
		if (r->pays_from_scale > 0)
			append(w, len, "; estimated from the pool's measured fixed cost, %u worker%s "
			       "would pay from about %.3gx this work per map (an estimate: tune "
			       "--find-size measures it)", r->pays_from_workers,
			       plural(r->pays_from_workers), r->pays_from_scale);
		else if (r->low_ceiling)
			append(w, len, "; no size from which it would pay: bare processes did not "
			       "scale either, so the machine's other load, not the pool's fixed cost, "
			       "holds it back");
		append(w, len, "; evidence: %s", r->evidence);
		return;
	}
	if (r->rec == r->best)
		append(w, len, "%u worker%s give%s the best measured throughput (%.4g tasks/s)",
		       rec->workers, plural(rec->workers), rec->workers == 1 ? "s" : "",
		       rec->throughput);
	else if (r->vs_best >= 1.0 - ctx->tolerance)
		append(w, len, "%u worker%s reach%s %.1f%% of the best measured throughput "
		       "(%.4g tasks/s with %u workers), within the %g%% tolerance",
		       rec->workers, plural(rec->workers), rec->workers == 1 ? "es" : "",
		       100.0 * r->vs_best, best->throughput, best->workers, tol);
	else if (significant_over_cpus(r, ctx, best, rec))
		append(w, len, "%u worker%s reach%s %.1f%% of the best measured throughput "
		       "(%.4g tasks/s with %u workers), whose gain does not lie wholly beyond "
		       "the %g%% tolerance: a count past the %u usable CPUs must beat it by "
		       "more than that with its whole CI (on busy CPUs extra workers gain only "
		       "from overlapping waits or a more even split of the chunks)",
		       rec->workers, plural(rec->workers), rec->workers == 1 ? "es" : "",
		       100.0 * r->vs_best, best->throughput, best->workers, tol,
		       ctx->usable_cpus);
	else
		append(w, len, "%u worker%s reach%s %.1f%% of the best measured throughput "
		       "(%.4g tasks/s with %u workers), whose gain is not significant",
		       rec->workers, plural(rec->workers), rec->workers == 1 ? "es" : "",
		       100.0 * r->vs_best, best->throughput, best->workers);
	size_t cnt;
	double last = envelope(c, n, wmax, &cnt);
	switch (r->shape) {
	case MPB_SHAPE_SINGLE:
		append(w, len, "; only one worker count was measured");
		break;
	case MPB_SHAPE_FLAT:
		append(w, len, "; throughput is flat: more workers buy less than %g%%", tol);
		break;
	case MPB_SHAPE_RISING:
		append(w, len, "; throughput still rises at the most workers measured (%u): "
		       "more workers may pay", wmax);
		break;
	case MPB_SHAPE_PEAK:
		append(w, len, "; throughput peaks at %u worker%s and falls to %.0f%% of that at %u",
		       best->workers, plural(best->workers), 100.0 * last / best->throughput, wmax);
		if (ctx->usable_cpus && wmax > ctx->usable_cpus)
			append(w, len, " (%u workers oversubscribe the %u usable CPUs)", wmax,
			       ctx->usable_cpus);
		break;
	case MPB_SHAPE_PLATEAU:
		append(w, len, "; past %u worker%s throughput gains less than %g%% (plateau up to %u)",
		       rec->workers, plural(rec->workers), tol, wmax);
		break;
	case MPB_SHAPE_SERIAL:
		break;
	}
	if (r->chunks_at_rec > 1)
		append(w, len, "; chunksize %llu is the fastest of the %zu chunk sizes measured at %u "
		       "worker%s", (unsigned long long)rec->chunksize, r->chunks_at_rec,
		       rec->workers, plural(rec->workers));
	append(w, len, "; evidence: %s", r->evidence);
}

/* The worker counts' fastest candidates, fewest workers first, into lv;
 * returns how many. */
static size_t levels(const struct mpb_rec_candidate *c, size_t n, size_t *lv)
{
	size_t nl = 0;
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;
		while (k < nl && c[lv[k]].workers != c[i].workers)
			k++;
		if (k == nl)
			lv[nl++] = i;
		else if (c[i].throughput > c[lv[k]].throughput)
			lv[k] = i;
	}
	for (size_t i = 1; i < nl; i++)
		for (size_t k = i; k > 0 && c[lv[k - 1]].workers > c[lv[k]].workers; k--) {
			size_t t = lv[k];
			lv[k] = lv[k - 1];
			lv[k - 1] = t;
		}
	return nl;
}

/* Whether option o runs more workers than there are usable CPUs. */
static bool oversubscribes(const struct mpb_rec_candidate *c, const struct mpb_rec_context *ctx,
			   size_t o)
{
	return o != MPB_REC_SERIAL && ctx->usable_cpus && c[o].workers > ctx->usable_cpus;
}

/* The step-up: the first option (serial, then fewest workers first) that
 * no later option beats. A later option that oversubscribes the usable
 * CPUs beats one that does not only when its whole CI lies beyond the
 * tolerance: a point estimate past it is not enough there, since the gain
 * of extra workers on busy CPUs is the exception (waits to overlap, or an
 * uneven split of the chunks among fewer workers), not the rule. opt[0..no)
 * are candidate indices or MPB_REC_SERIAL. Returns its position, or -1 on
 * ENOMEM. */
static long step_up(const struct mpb_rec_candidate *c, const struct mpb_rec_context *ctx,
		    const size_t *opt, size_t no)
{
	for (size_t i = 0; i < no; i++) {
		bool beaten = false;
		for (size_t k = i + 1; k < no && !beaten; k++) {
			struct mpb_rec_cmp cmp;
			if (compare(c, ctx, opt[k], opt[i], &cmp) < 0)
				return -1;
			beaten = cmp.verdict == MPB_REC_BETTER;
			if (beaten && oversubscribes(c, ctx, opt[k]) && !oversubscribes(c, ctx, opt[i]))
				beaten = cmp.ci_lo > 1.0 / (1.0 - ctx->tolerance);
		}
		if (!beaten)
			return (long)i;
	}
	return (long)no - 1;
}

/* Serial wins: by how much the work per map must grow for a pool option
 * to beat serial by the tolerance, if its extra time is a fixed cost F:
 * with serial time T and p CPUs at work, k T / (F + k T / p) >
 * 1 / (1 - tol) from k > F / (T ((1 - tol) - 1 / p)). The smallest k over
 * the options with p >= 2 (a count whose own fixed cost is smaller may pay
 * first), its worker count into *workers; at least MPB_REC_MIN_SCALE, as
 * just past this size is within the noise of the model. 0 when there is no
 * such k: one CPU, or an option with no fixed cost to amortize (what keeps
 * the pool from paying is then not a fixed cost but the noise, and a
 * larger size would not be sure to help). */
static double pays_from(const struct mpb_rec_candidate *c, size_t n,
			const struct mpb_rec_context *ctx, unsigned *workers)
{
	double best = 0, t = 1.0 / ctx->serial_throughput;
	*workers = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned p = c[i].workers;
		if (ctx->usable_cpus && ctx->usable_cpus < p)
			p = ctx->usable_cpus;
		double fixed = 1.0 / c[i].throughput - t / p, margin = (1.0 - ctx->tolerance) - 1.0 / p;
		if (!(margin > 0))
			continue;
		if (!(fixed > 0))
			return 0;
		double k = fixed / (t * margin);
		if (best == 0 || k < best || (k == best && c[i].workers < *workers)) {
			best = k;
			*workers = c[i].workers;
		}
	}
	return best > 0 ? fmax(best, MPB_REC_MIN_SCALE) : 0;
}

/* What bare processes should reach at ctx's ceiling_workers (recommend.h);
 * 0 when there is no ceiling to judge or no cost of theirs to judge it by. */
static double ceiling_expected(const struct mpb_rec_context *ctx)
{
	double w = ctx->ceiling_workers;
	/* without the processes' own cost, a low ceiling may be nothing but
	 * tasks too short for processes: no judgement */
	if (ctx->ceiling_workers < 2 || !(ctx->ceiling_one > 0))
		return 0;
	/* the parent starts them one after the other: w F in all */
	double own = 1.0 / ctx->ceiling_one - 1.0; /* F / T */
	return own > 0 ? 1.0 / (1.0 / w + w * own) : w;
}

int mpb_recommend_curve(const struct mpb_rec_candidate *c, size_t n,
			const struct mpb_rec_context *ctx, struct mpb_recommendation *r)
{
	memset(r, 0, sizeof *r);
	if (n == 0)
		return -1;
	unsigned wmin = c[0].workers, wmax = c[0].workers;
	for (size_t i = 0; i < n; i++) {
		if (!(c[i].throughput > 0) || !isfinite(c[i].throughput))
			return -1;
		/* ties go to fewer workers */
		if (c[i].throughput > c[r->best].throughput ||
		    (c[i].throughput == c[r->best].throughput && c[i].workers < c[r->best].workers))
			r->best = i;
		wmin = c[i].workers < wmin ? c[i].workers : wmin;
		wmax = c[i].workers > wmax ? c[i].workers : wmax;
	}
	size_t *opt = malloc((n + 1) * sizeof *opt);
	if (!opt)
		return -1;
	bool serial = ctx->serial_throughput > 0 && isfinite(ctx->serial_throughput);
	size_t no = serial;
	if (serial)
		opt[0] = MPB_REC_SERIAL;
	no += levels(c, n, opt + no);
	long at = step_up(c, ctx, opt, no);
	if (at < 0) {
		free(opt);
		return -1;
	}
	r->parallelize = opt[at] != MPB_REC_SERIAL;
	r->rec = r->parallelize ? opt[at] : r->best;
	size_t chosen = opt[at];
	int bad = 0;
	unsigned doubtful = 0;
	for (size_t i = 0; i < no && r->nalt < MPB_REC_MAX_ALTS; i++) {
		if ((long)i == at)
			continue;
		struct mpb_rec_alt *a = &r->alt[r->nalt++];
		a->cand = opt[i];
		a->workers = opt[i] == MPB_REC_SERIAL ? 0 : c[opt[i]].workers;
		bad |= compare(c, ctx, opt[i], chosen, &a->cmp);
		/* a larger option might be better; a smaller one might do; too
		 * few runs to test */
		bool larger = (long)i > at;
		if (a->cmp.underpowered ||
		    (larger ? a->cmp.verdict == MPB_REC_INCONCLUSIVE
			    : a->cmp.verdict != MPB_REC_WORSE && a->cmp.verdict != MPB_REC_EQUIVALENT))
			doubtful++;
	}
	if (serial && r->parallelize) {
		r->have_serial = true;
		bad |= compare(c, ctx, chosen, MPB_REC_SERIAL, &r->vs_serial);
	}
	free(opt);
	if (bad)
		return -1;
	r->confidence = doubtful == 0 ? MPB_REC_HIGH : doubtful == 1 ? MPB_REC_MEDIUM : MPB_REC_LOW;
	double expect = ceiling_expected(ctx);
	r->low_ceiling = expect > 0 && ctx->ceiling_speedup > 0 &&
			 ctx->ceiling_speedup < MPB_REC_CEILING_FRACTION * expect;
	if (r->low_ceiling) {
		r->confidence = MPB_REC_LOW;
		snprintf(r->confidence_reason, sizeof r->confidence_reason,
			 "bare processes reached only %.3gx at %u workers, under %.2g x the %.3gx "
			 "they should reach there (a loaded machine?)", ctx->ceiling_speedup,
			 ctx->ceiling_workers, MPB_REC_CEILING_FRACTION, expect);
	}
	const struct mpb_rec_candidate *rec = &c[r->rec];
	r->vs_best = rec->throughput / c[r->best].throughput;
	size_t cnt;
	envelope(c, n, rec->workers, &r->chunks_at_rec);
	double last = envelope(c, n, wmax, &cnt);
	double floor_thr = (1.0 - ctx->tolerance) * c[r->best].throughput;
	if (!r->parallelize)
		r->shape = MPB_SHAPE_SERIAL;
	else if (wmin == wmax)
		r->shape = MPB_SHAPE_SINGLE;
	else if (c[r->best].workers == wmax && rec->workers == wmax)
		r->shape = MPB_SHAPE_RISING;
	else if (last < floor_thr)
		r->shape = MPB_SHAPE_PEAK;
	else if (rec->workers == wmin)
		r->shape = MPB_SHAPE_FLAT;
	else
		r->shape = MPB_SHAPE_PLATEAU;
	/* where bare processes did not scale either, what holds the pool back
	 * is the machine's other load, not a fixed cost that more work would
	 * amortize */
	if (!r->parallelize && !r->low_ceiling)
		r->pays_from_scale = pays_from(c, n, ctx, &r->pays_from_workers);
	r->over_cpus = r->parallelize && ctx->usable_cpus && rec->workers > ctx->usable_cpus;
	if (r->parallelize && rec->mem_per_worker > 0 && ctx->mem_available) {
		double m = floor((double)ctx->mem_available / rec->mem_per_worker);
		r->memory_max_workers = m > 1e9 ? 1000000000u : (unsigned)m;
		r->over_memory = r->memory_max_workers < rec->workers;
	}
	evidence(c, r);
	explain(c, n, ctx, wmax, r);
	return 0;
}

bool mpb_recommend_same_group(const struct mpb_point *a, const struct mpb_point *b)
{
	return a->workload == b->workload && a->size == b->size && a->tasks == b->tasks &&
	       a->parent_rss == b->parent_rss && a->method == b->method && a->codec == b->codec &&
	       a->transport == b->transport;
}

/* Groups that differ only in method and codec compete for the best method. */
static bool same_family(const struct mpb_point *a, const struct mpb_point *b)
{
	return a->workload == b->workload && a->size == b->size && a->tasks == b->tasks &&
	       a->parent_rss == b->parent_rss && a->transport == b->transport;
}

/* The wall times of point k's runs into a new array (NULL on ENOMEM). */
static double *walls(const struct mpb_point_state *ps)
{
	double *w = malloc((ps->nruns ? ps->nruns : 1) * sizeof *w);
	for (size_t i = 0; w && i < ps->nruns; i++)
		w[i] = (double)ps->runs[i].wall_ns;
	return w;
}

/* ctx's ceiling: at the most workers, 2 or more and at most the usable
 * CPUs, among the candidates whose point has a ceiling measured, and at 1
 * worker; without a 1-worker ceiling, what the machine's floor F for the
 * candidates' method (fork + exit + wait; for mpi, the launch of its bare
 * ranks) says one would reach, serial / (serial + F). */
static void ceiling_at_cpus(const struct mpb_dataset *s, const struct mpb_rec_candidate *cand,
			    size_t n, double serial_ns, struct mpb_rec_context *ctx)
{
	const struct mpb_machine *m = s->machine;
	const struct mpb_method_ops *meth = n > 0 ? s->plan->points[cand[0].id].method : NULL;
	enum mpb_method_floor kind = meth ? meth->floor : MPB_METHOD_FLOOR_FORK;
	double f = m && m->has_floors ? mpb_floor_of(&m->floors, kind) : 0;
	if (f > 0 && serial_ns > 0)
		ctx->ceiling_one = serial_ns / (serial_ns + f);
	for (size_t i = 0; i < n; i++) {
		unsigned w = cand[i].workers;
		struct mpb_derived dv;
		if ((ctx->usable_cpus && w > ctx->usable_cpus) || (w > 1 && w <= ctx->ceiling_workers) ||
		    mpb_analysis_point(s, cand[i].id, &dv) < 0 || !dv.have_ceiling_speedup)
			continue;
		if (w == 1) {
			ctx->ceiling_one = dv.ceiling_speedup;
			continue;
		}
		ctx->ceiling_workers = w;
		ctx->ceiling_speedup = dv.ceiling_speedup;
	}
}

static int group_entry(const struct mpb_dataset *s, size_t first, bool *done,
		       struct mpb_rec_candidate *cand, struct mpb_rec_entry *e, bool *have)
{
	const struct mpb_plan *p = s->plan;
	size_t n = 0;
	int rc = 0;
	*have = false;
	for (size_t k = first; k < p->npoints; k++) {
		if (done[k] || !mpb_recommend_same_group(&p->points[k], &p->points[first]))
			continue;
		done[k] = true;
		struct mpb_derived dv;
		if (s->pts[k].failed || mpb_analysis_point(s, k, &dv) < 0 || !(dv.wall_median_ns > 0))
			continue;
		cand[n] = (struct mpb_rec_candidate){
			.id = k,
			.workers = p->points[k].workers,
			.chunksize = p->points[k].chunksize,
			.throughput = (double)p->points[k].tasks * 1e9 / dv.wall_median_ns,
			.mem_per_worker = dv.have_memory ? dv.worker_pss_bytes : 0,
			.wall = walls(&s->pts[k]),
			.nwall = s->pts[k].nruns,
		};
		if (!cand[n++].wall) {
			rc = -1;
			goto out;
		}
	}
	if (n == 0)
		return 0;
	const struct mpb_point *fp = &p->points[cand[0].id];
	const struct mpb_wall_state *bs = s->bls ? &s->bls[fp->baseline] : NULL;
	double serial_median = bs && !bs->failed && bs->n ? mpb_stats_median(bs->wall_ns, bs->n) : 0;
	struct mpb_rec_context ctx = {
		.tolerance = s->tolerance,
		.usable_cpus = s->machine && s->machine->usable_cpus > 0
				       ? (unsigned)s->machine->usable_cpus : 0,
		.mem_available = s->machine ? s->machine->mem_available_bytes : 0,
		.serial_throughput = serial_median > 0 ? (double)fp->tasks * 1e9 / serial_median : 0,
		.serial = serial_median > 0 ? bs->wall_ns : NULL,
		.nserial = serial_median > 0 ? bs->n : 0,
		.seed = p->seed + fp->id,
	};
	ceiling_at_cpus(s, cand, n, serial_median, &ctx);
	memset(e, 0, sizeof *e);
	if (mpb_recommend_curve(cand, n, &ctx, &e->r) < 0)
		goto out;
	e->point = cand[e->r.rec].id;
	e->best_point = cand[e->r.best].id;
	e->throughput = cand[e->r.rec].throughput;
	e->best_throughput = cand[e->r.best].throughput;
	e->serial_throughput = ctx.serial_throughput;
	e->mem_per_worker = cand[e->r.rec].mem_per_worker;
	for (size_t i = 0; i < e->r.nalt; i++)
		e->alt_point[i] = e->r.alt[i].cand == MPB_REC_SERIAL ? MPB_REC_SERIAL
								     : cand[e->r.alt[i].cand].id;
	/* the pool's cost apart from the machine's: how close the
	 * recommended point comes to bare processes at the same worker count */
	struct mpb_derived dv;
	const struct mpb_point *rp = &p->points[e->point];
	if (mpb_analysis_point(s, e->point, &dv) == 0 && dv.have_speedup &&
	    dv.have_ceiling && dv.have_ceiling_speedup) {
		char line[256];
		mpb_ceiling_sentence(line, sizeof line, dv.ceiling_speedup, rp->workers,
				     rp->method->name, dv.speedup, dv.speedup_vs_ceiling);
		append(e->r.why, sizeof e->r.why, "; %s", line);
	}
	*have = true;
out:
	for (size_t i = 0; i < n; i++)
		free((void *)cand[i].wall);
	return rc;
}

/* best_method of every entry: the method of the family's entry with the
 * highest best throughput. */
static void best_methods(const struct mpb_dataset *s, struct mpb_rec_entry *e, size_t n)
{
	const struct mpb_point *pts = s->plan->points;
	for (size_t i = 0; i < n; i++) {
		size_t top = i, methods = 0;
		for (size_t k = 0; k < n; k++) {
			if (!same_family(&pts[e[k].point], &pts[e[i].point]))
				continue;
			bool new_method = true;
			for (size_t j = 0; j < k; j++)
				if (same_family(&pts[e[j].point], &pts[e[i].point]) &&
				    pts[e[j].point].method == pts[e[k].point].method)
					new_method = false;
			methods += new_method;
			if (e[k].best_throughput > e[top].best_throughput)
				top = k;
		}
		e[i].best_method = pts[e[top].point].method->name;
		e[i].is_best_method = pts[e[top].point].method == pts[e[i].point].method;
		e[i].family_methods = methods;
	}
}

int mpb_recommend_sweep(const struct mpb_dataset *s, struct mpb_rec_entry **out, size_t *n)
{
	const struct mpb_plan *p = s->plan;
	*out = NULL;
	*n = 0;
	if (!s->pts || p->npoints == 0)
		return 0;
	bool *done = calloc(p->npoints, sizeof *done);
	struct mpb_rec_candidate *cand = malloc(p->npoints * sizeof *cand);
	struct mpb_rec_entry *e = malloc(p->npoints * sizeof *e);
	if (!done || !cand || !e) {
		free(done);
		free(cand);
		free(e);
		return -1;
	}
	size_t ne = 0;
	for (size_t i = 0; i < p->npoints; i++) {
		bool have;
		if (done[i])
			continue;
		if (group_entry(s, i, done, cand, &e[ne], &have) < 0) {
			free(done);
			free(cand);
			free(e);
			return -1;
		}
		ne += have;
	}
	free(done);
	free(cand);
	if (ne == 0) {
		free(e);
		return 0;
	}
	best_methods(s, e, ne);
	*out = e;
	*n = ne;
	return 0;
}

size_t mpb_recommend_warnings(const struct mpb_dataset *s, const struct mpb_rec_entry *e,
			      char out[2][MPB_REC_WARN_LEN])
{
	const struct mpb_point *pt = &s->plan->points[e->point];
	char size[MPB_FMT_U64_LEN];
	size_t k = 0;
	mpb_format_u64(pt->size, pt->workload->unit, size, sizeof size);
	if (e->r.over_cpus)
		snprintf(out[k++], MPB_REC_WARN_LEN,
			 "%s %s %s: the recommended %u workers exceed the %d usable CPUs: the gain "
			 "past %d comes from overlapping waits, or is noise", pt->workload->name, size,
			 pt->method->name, pt->workers, s->machine->usable_cpus,
			 s->machine->usable_cpus);
	if (e->r.over_memory)
		snprintf(out[k++], MPB_REC_WARN_LEN,
			 "%s %s %s: the memory available now (%.1f GiB) holds only %u workers of "
			 "%.1f MiB (PSS) each, fewer than the recommended %u", pt->workload->name,
			 size, pt->method->name, (double)s->machine->mem_available_bytes / (1 << 30),
			 e->r.memory_max_workers, e->mem_per_worker / (1 << 20), pt->workers);
	return k;
}

static json_t *cmp_json(const struct mpb_rec_cmp *c)
{
	return json_pack("{s:f, s:[f, f], s:f, s:s}", "ratio", c->ratio, "ci95", c->ci_lo,
			 c->ci_hi, "p", c->p, "verdict", mpb_rec_verdict_name(c->verdict));
}

/* The additive evidence fields: parallelize, confidence, evidence,
 * confidence_reason, vs_serial, alternatives, pays_from_size, pays_from_workers. */
static int evidence_json(json_t *o, const struct mpb_dataset *s, const struct mpb_rec_entry *e)
{
	const struct mpb_point *pt = &s->plan->points[e->point];
	json_t *alts = json_array();
	int bad = !alts;
	for (size_t i = 0; alts && i < e->r.nalt; i++) {
		json_t *a = cmp_json(&e->r.alt[i].cmp);
		bool serial = e->alt_point[i] == MPB_REC_SERIAL;
		bad |= !a;
		if (!a)
			break;
		bad |= json_object_set_new(a, "workers", json_integer(e->r.alt[i].workers)) < 0;
		bad |= json_object_set_new(a, "point", serial ? json_null()
				: json_integer(s->plan->points[e->alt_point[i]].id)) < 0;
		bad |= json_array_append_new(alts, a) < 0;
	}
	bad |= json_object_set_new(o, "alternatives", alts) < 0;
	bad |= json_object_set_new(o, "parallelize", json_boolean(e->r.parallelize)) < 0;
	bad |= json_object_set_new(o, "confidence",
			json_string(mpb_recommend_confidence_name(e->r.confidence))) < 0;
	bad |= json_object_set_new(o, "evidence", json_string(e->r.evidence)) < 0;
	bad |= json_object_set_new(o, "confidence_reason", e->r.confidence_reason[0]
				   ? json_string(e->r.confidence_reason) : json_null()) < 0;
	bad |= json_object_set_new(o, "vs_serial", e->r.have_serial ? cmp_json(&e->r.vs_serial)
								    : json_null()) < 0;
	bad |= json_object_set_new(o, "pays_from_size", e->r.pays_from_scale > 0 && pt->size > 0
			? json_real(e->r.pays_from_scale * (double)pt->size) : json_null()) < 0;
	bad |= json_object_set_new(o, "pays_from_workers", e->r.pays_from_scale > 0 && pt->size > 0
			? json_integer(e->r.pays_from_workers) : json_null()) < 0;
	return bad ? -1 : 0;
}

static json_t *rec_json(const struct mpb_dataset *s, const struct mpb_rec_entry *e)
{
	const struct mpb_point *pt = &s->plan->points[e->point];
	const struct mpb_point *bp = &s->plan->points[e->best_point];
	json_t *o = json_pack("{s:s, s:I, s:I, s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:I}",
		"workload", pt->workload->name, "size", (json_int_t)pt->size,
		"tasks", (json_int_t)pt->tasks, "method", pt->method->name,
		"codec", pt->codec->name, "transport", pt->transport->name,
		"parent_rss", (json_int_t)pt->parent_rss, "workers", (json_int_t)pt->workers,
		"chunksize", (json_int_t)pt->chunksize,
		"chunk_strategy", mpb_chunk_strategy_name(pt->chunk_strategy),
		"point", (json_int_t)pt->id);
	if (!o)
		return NULL;
	json_t *warn = json_array();
	char w[2][MPB_REC_WARN_LEN];
	size_t nw = mpb_recommend_warnings(s, e, w);
	for (size_t k = 0; k < nw; k++)
		json_array_append_new(warn, json_string(w[k]));
	int bad = 0;
	bad |= json_object_set_new(o, "throughput_vs_best", json_real(e->r.vs_best));
	bad |= json_object_set_new(o, "throughput_per_s", json_real(e->throughput));
	bad |= json_object_set_new(o, "best_workers", json_integer(bp->workers));
	bad |= json_object_set_new(o, "best_chunksize", json_integer((json_int_t)bp->chunksize));
	bad |= json_object_set_new(o, "best_point", json_integer(bp->id));
	bad |= json_object_set_new(o, "best_throughput_per_s", json_real(e->best_throughput));
	bad |= json_object_set_new(o, "tolerance", json_real(s->tolerance));
	bad |= json_object_set_new(o, "shape", json_string(mpb_recommend_shape_name(e->r.shape)));
	bad |= json_object_set_new(o, "why", json_string(e->r.why));
	bad |= json_object_set_new(o, "best_method", json_string(e->best_method));
	bad |= json_object_set_new(o, "methods_compared", json_integer((json_int_t)e->family_methods));
	bad |= json_object_set_new(o, "usable_cpus", s->machine && s->machine->usable_cpus > 0
				   ? json_integer(s->machine->usable_cpus) : json_null());
	bad |= json_object_set_new(o, "memory_max_workers", e->r.memory_max_workers
				   ? json_integer(e->r.memory_max_workers) : json_null());
	bad |= json_object_set_new(o, "warnings", warn);
	bad |= evidence_json(o, s, e) < 0;
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *mpb_recommend_json(const struct mpb_dataset *s)
{
	struct mpb_rec_entry *e;
	size_t n;
	if (mpb_recommend_sweep(s, &e, &n) < 0)
		return NULL;
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < n; i++) {
		json_t *o = rec_json(s, &e[i]);
		if (!o || json_array_append_new(arr, o) < 0) {
			json_decref(arr);
			arr = NULL;
		}
	}
	free(e);
	return arr;
}

/* "sumsq 5M [fork]" plus every axis of the group key that the plan sweeps
 * (tasks, parent RSS, codec, transport), so that two groups which differ
 * only there do not print as the same line. The best-method line (method false) is per
 * family, which spans codecs. */
static void group_label(const struct mpb_plan *p, const struct mpb_point *pt, bool method,
			char *buf, size_t len)
{
	bool tasks = false, prss = false, codec = false, transport = false;
	for (size_t k = 0; k < p->npoints; k++) {
		const struct mpb_point *q = &p->points[k];
		if (q->workload != pt->workload)
			continue;
		tasks |= q->tasks != pt->tasks;
		prss |= q->parent_rss != pt->parent_rss;
		/* thread's codec is none whatever was asked: not a swept axis */
		codec |= method && q->method == pt->method && q->codec != pt->codec;
		transport |= q->transport != pt->transport;
	}
	char v[MPB_FMT_U64_LEN];
	mpb_format_u64(pt->size, pt->workload->unit, v, sizeof v);
	buf[0] = '\0';
	append(buf, len, "%s %s", pt->workload->name, v);
	if (method)
		append(buf, len, " %s", pt->method->name);
	if (tasks)
		append(buf, len, " x %llu tasks", (unsigned long long)pt->tasks);
	if (prss) {
		mpb_format_u64(pt->parent_rss, MPB_UNIT_BYTES, v, sizeof v);
		append(buf, len, ", parent RSS %s", v);
	}
	if (codec)
		append(buf, len, ", codec %s", pt->codec->name);
	if (transport)
		append(buf, len, ", transport %s", pt->transport->name);
}

void mpb_recommend_print(FILE *f, const struct mpb_dataset *s)
{
	struct mpb_rec_entry *e;
	size_t n;
	if (mpb_recommend_sweep(s, &e, &n) < 0 || n == 0)
		return;
	fprintf(f, "\nrecommendation (fewest workers that no larger count beats by more than %g%%, "
		"significantly):\n", 100.0 * s->tolerance);
	for (size_t i = 0; i < n; i++) {
		const struct mpb_point *pt = &s->plan->points[e[i].point];
		char label[256];
		group_label(s->plan, pt, true, label, sizeof label);
		if (!e[i].r.parallelize) {
			fprintf(f, "  %s: do not parallelize this task at this size", label);
			if (e[i].r.pays_from_scale > 0 && pt->size > 0) {
				char v[MPB_FMT_U64_LEN];
				/* two significant digits: it is an estimate */
				mpb_format_round_up(e[i].r.pays_from_scale * (double)pt->size,
						    pt->workload->unit, 2, v, sizeof v);
				fprintf(f, " (estimated from the pool's fixed cost: %u worker%s would pay "
					"from about -s %s; tune --find-size measures it)",
					e[i].r.pays_from_workers, plural(e[i].r.pays_from_workers), v);
			}
			fprintf(f, "\n    %s\n", e[i].r.why);
			continue;
		}
		fprintf(f, "  %s: use %u worker%s, chunksize %llu\n    %s\n", label, pt->workers,
			plural(pt->workers), (unsigned long long)pt->chunksize, e[i].r.why);
	}
	for (size_t i = 0; i < n; i++) {
		const struct mpb_point *pt = &s->plan->points[e[i].point];
		bool first = true;
		for (size_t k = 0; k < i; k++)
			first &= !same_family(&s->plan->points[e[k].point], pt);
		if (!first || e[i].family_methods < 2)
			continue;
		char label[256];
		group_label(s->plan, pt, false, label, sizeof label);
		fprintf(f, "  best method for %s: %s (highest throughput of the %zu methods "
			"measured)\n", label, e[i].best_method, e[i].family_methods);
	}
	free(e);
}
