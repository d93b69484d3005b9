/* sampling_verdict.c — adaptive sampling's verdict (see sampling_verdict.h). */
#include "sampling_verdict.h"

#include <math.h>
#include <stdlib.h>

#include "analysis.h"
#include "recommend.h"
#include "stats.h"

const char *mpb_sampling_state_name(enum mpb_sampling_state s)
{
	switch (s) {
	case MPB_SAMPLING_MORE: return "more";
	case MPB_SAMPLING_CONVERGED: return "target_ci";
	case MPB_SAMPLING_MAX_RUNS: return "max_runs";
	case MPB_SAMPLING_MAX_TIME: return "max_time";
	case MPB_SAMPLING_DROPPED: return "dropped";
	}
	return "unknown";
}

int mpb_sampling_decide(const struct mpb_sampling_policy *p, uint64_t min_runs,
			const double *x, size_t n, uint64_t spent_ns, uint64_t seed,
			struct mpb_sampling_verdict *v)
{
	*v = (struct mpb_sampling_verdict){ MPB_SAMPLING_MORE, n, NAN, NAN, NAN, NAN };
	if (n == 0)
		return 0;
	v->median = mpb_stats_median(x, n);
	if (mpb_stats_median_ci(x, n, seed, &v->ci_lo, &v->ci_hi) < 0) {
		v->state = MPB_SAMPLING_MAX_RUNS; /* no memory: stop asking for runs */
		return -1;
	}
	if (v->median > 0)
		v->ci_half = (v->ci_hi - v->ci_lo) / 2.0 / v->median;
	if (n < min_runs)
		return 0;
	uint64_t max_runs = p->max_runs > min_runs ? p->max_runs : min_runs;
	if (v->ci_half <= p->target_ci)
		v->state = MPB_SAMPLING_CONVERGED;
	else if (n >= max_runs)
		v->state = MPB_SAMPLING_MAX_RUNS;
	else if (p->max_time_ns && spent_ns >= p->max_time_ns)
		v->state = MPB_SAMPLING_MAX_TIME;
	return 0;
}

bool mpb_sampling_cannot_qualify(double ci_lo, double best_wall, double tolerance)
{
	if (!(tolerance < 1.0) || !(best_wall > 0))
		return false;
	return ci_lo > best_wall / (1.0 - tolerance);
}

static double *point_walls(const struct mpb_dataset *s, size_t i)
{
	const struct mpb_metric wm = { "wall_ns", offsetof(struct mpb_sample, wall_ns) };
	return mpb_metric_values(&s->pts[i], &wm);
}

/* Smallest median wall among the measured points of i's group. */
static double group_best_wall(const struct mpb_dataset *s, size_t i)
{
	const struct mpb_plan *p = s->plan;
	double best = INFINITY;
	for (size_t k = 0; k < p->npoints; k++) {
		if (s->pts[k].failed || s->pts[k].nruns == 0 ||
		    !mpb_recommend_same_group(&p->points[k], &p->points[i]))
			continue;
		double *w = point_walls(s, k);
		if (!w)
			continue;
		double m = mpb_stats_median(w, s->pts[k].nruns);
		free(w);
		if (m < best)
			best = m;
	}
	return best;
}

void mpb_sampling_point_verdict(const struct mpb_dataset *s, size_t i,
				struct mpb_sampling_verdict *v)
{
	const struct mpb_point_state *ps = &s->pts[i];
	double *w = point_walls(s, i);
	if (!w) {
		*v = (struct mpb_sampling_verdict){ MPB_SAMPLING_MAX_RUNS, ps->nruns,
						    NAN, NAN, NAN, NAN };
		return;
	}
	/* the seed of the point's summaries in the results (see the baseline's) */
	mpb_sampling_decide(&s->sampling, s->plan->runs, w, ps->nruns, ps->acct.spent_ns,
			    s->plan->seed + i, v);
	free(w);
	if (v->state == MPB_SAMPLING_MORE && s->sampling.race_tolerance > 0 &&
	    ps->nruns >= s->plan->runs &&
	    mpb_sampling_cannot_qualify(v->ci_lo, group_best_wall(s, i), s->sampling.race_tolerance))
		v->state = MPB_SAMPLING_DROPPED;
}

void mpb_sampling_baseline_verdict(const struct mpb_dataset *s, size_t j,
				   struct mpb_sampling_verdict *v)
{
	const struct mpb_wall_state *bs = &s->bls[j];
	/* the seed of the baseline's summary in the results, so that the CI
	 * judged here is the CI reported there */
	mpb_sampling_decide(&s->sampling, s->plan->runs, bs->wall_ns, bs->n, bs->acct.spent_ns,
			    s->plan->seed, v);
}

/* Ceilings are sampled like the serial baselines, so that speedup_vs_ceiling
 * is not limited by a ceiling measured less well than its points; the time
 * spent is the sum of their walls (all a ceiling run does besides verify),
 * and the seed is that of the ceiling's summary in the results (results.c),
 * so that the CI which stopped the sampling is the CI reported. */
void mpb_sampling_ceiling_verdict(const struct mpb_dataset *s, size_t j,
				  struct mpb_sampling_verdict *v)
{
	const struct mpb_wall_state *cs = &s->cls[j];
	double spent = 0;
	for (size_t r = 0; r < cs->n; r++)
		spent += cs->wall_ns[r];
	if (mpb_sampling_decide(&s->sampling, s->plan->runs, cs->wall_ns, cs->n, (uint64_t)spent,
				s->plan->seed + j, v) < 0)
		v->state = MPB_SAMPLING_MAX_RUNS;
}

static json_t *item_json(const struct mpb_sampling_verdict *v, const struct mpb_sampling_acct *a)
{
	return json_pack("{s:s, s:o, s:I, s:o}", "stop", mpb_sampling_state_name(v->state),
		"ci_half_width", isfinite(v->ci_half) ? json_real(v->ci_half) : json_null(),
		"spent_ns", (json_int_t)a->spent_ns,
		"cpu_ns", a->timed_runs && a->cpu_runs == a->timed_runs
			? json_integer((json_int_t)a->cpu_ns) : json_null());
}

json_t *mpb_sampling_point_json(const struct mpb_dataset *s, size_t i)
{
	struct mpb_sampling_verdict v;
	mpb_sampling_point_verdict(s, i, &v);
	return item_json(&v, &s->pts[i].acct);
}

json_t *mpb_sampling_baseline_json(const struct mpb_dataset *s, size_t j)
{
	struct mpb_sampling_verdict v;
	mpb_sampling_baseline_verdict(s, j, &v);
	return item_json(&v, &s->bls[j].acct);
}
