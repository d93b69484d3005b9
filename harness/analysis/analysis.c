/* analysis.c — derived figures per point (see analysis.h). */
#include "analysis.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "ceiling_ratios.h"
#include "stats.h"

#define M(name) { #name, offsetof(struct mpb_sample, name) }
static const struct mpb_metric metrics[] = {
	M(wall_ns),
	M(startup_ns),
	M(map_ns),
	M(teardown_ns),
	M(instrumentation_ns),
	M(compute_ns),
	M(codec_parent_ns),
	M(codec_workers_ns),
	M(bytes_sent),
	M(bytes_received),
};
#undef M

const struct mpb_metric *mpb_metrics(size_t *n)
{
	*n = sizeof metrics / sizeof metrics[0];
	return metrics;
}

double *mpb_metric_values(const struct mpb_point_state *ps, const struct mpb_metric *m)
{
	double *v = malloc((ps->nruns ? ps->nruns : 1) * sizeof *v);
	for (size_t r = 0; v && r < ps->nruns; r++)
		v[r] = (double)*(const uint64_t *)((const char *)&ps->runs[r] + m->offset);
	return v;
}

static double median_of(const struct mpb_point_state *ps, size_t offset)
{
	const struct mpb_metric m = { "", offset };
	double *v = mpb_metric_values(ps, &m);
	double med = v ? mpb_stats_median(v, ps->nruns) : 0;
	free(v);
	return med;
}

double mpb_analysis_run_median(const struct mpb_point_state *ps, size_t offset)
{
	return ps->nruns ? median_of(ps, offset) : NAN;
}

#define NO_FIELD ((size_t)-1)

static uint64_t worker_field(const struct mpb_worker_report *w, size_t offset)
{
	return offset == NO_FIELD ? 0 : *(const uint64_t *)((const char *)w + offset);
}

/* Median over runs of the mean over workers of a uint64_t worker field,
 * less another (at most down to 0; NO_FIELD: nothing less). */
static double median_worker_mean_less(const struct mpb_point_state *ps, size_t offset,
				      size_t less)
{
	double *v = malloc(ps->nruns * sizeof *v);
	if (!v)
		return 0;
	for (size_t r = 0; r < ps->nruns; r++) {
		double sum = 0;
		for (unsigned k = 0; k < ps->runs[r].nworkers; k++) {
			uint64_t a = worker_field(&ps->runs[r].worker[k], offset);
			uint64_t b = worker_field(&ps->runs[r].worker[k], less);
			sum += (double)(a > b ? a - b : 0);
		}
		v[r] = ps->runs[r].nworkers ? sum / ps->runs[r].nworkers : 0;
	}
	double med = mpb_stats_median(v, ps->nruns);
	free(v);
	return med;
}

static double median_worker_mean(const struct mpb_point_state *ps, size_t offset)
{
	return median_worker_mean_less(ps, offset, NO_FIELD);
}

/* What a point's derived figures depend on that can change: how many runs
 * the point, its baseline and its ceiling have (runs are only appended). */
struct memo_key {
	size_t runs, baseline_runs, ceiling_runs;
};

struct memo_entry {
	bool valid;
	int rc;
	struct memo_key key;
	struct mpb_derived dv;
	json_t *summary;        /* the point's results summary, or NULL */
	size_t summary_runs;    /* ... of this many runs */
};

struct mpb_analysis_memo {
	size_t n;
	struct memo_entry e[];
};

struct mpb_analysis_memo *mpb_analysis_memo_new(size_t npoints)
{
	struct mpb_analysis_memo *m = calloc(1, sizeof *m + npoints * sizeof m->e[0]);
	if (m)
		m->n = npoints;
	return m;
}

void mpb_analysis_memo_free(struct mpb_analysis_memo *m)
{
	for (size_t i = 0; m && i < m->n; i++)
		json_decref(m->e[i].summary);
	free(m);
}

json_t *mpb_analysis_memo_summary(const struct mpb_dataset *s, size_t i)
{
	const struct memo_entry *e = s->memo ? &s->memo->e[i] : NULL;
	return e && e->summary && e->summary_runs == s->pts[i].nruns ? e->summary : NULL;
}

void mpb_analysis_memo_keep_summary(const struct mpb_dataset *s, size_t i, json_t *summary)
{
	if (!s->memo)
		return;
	struct memo_entry *e = &s->memo->e[i];
	json_decref(e->summary);
	e->summary = json_incref(summary);
	e->summary_runs = s->pts[i].nruns;
}

static struct memo_key key_of(const struct mpb_dataset *s, size_t i)
{
	const struct mpb_point *pt = &s->plan->points[i];
	bool ceiling = s->cls && pt->ceiling < s->plan->nceilings;
	return (struct memo_key){ s->pts[i].nruns, s->bls[pt->baseline].n,
				  ceiling ? s->cls[pt->ceiling].n : SIZE_MAX };
}

static int compute_point(const struct mpb_dataset *s, size_t i, struct mpb_derived *o);

int mpb_analysis_point(const struct mpb_dataset *s, size_t i, struct mpb_derived *o)
{
	if (!s->memo)
		return compute_point(s, i, o);
	struct memo_entry *m = &s->memo->e[i];
	struct memo_key k = key_of(s, i);
	if (!m->valid || memcmp(&m->key, &k, sizeof k) != 0) {
		m->rc = compute_point(s, i, &m->dv);
		m->key = k;
		m->valid = true;
	}
	*o = m->dv;
	return m->rc;
}

static int compute_point(const struct mpb_dataset *s, size_t i, struct mpb_derived *o)
{
	const struct mpb_point *pt = &s->plan->points[i];
	const struct mpb_point_state *ps = &s->pts[i];
	const struct mpb_wall_state *bs = &s->bls[pt->baseline];
	uint64_t seed = s->plan->seed + i;

	*o = (struct mpb_derived){ 0 };
	o->n = ps->nruns;
	if (ps->nruns == 0)
		return -1;
	const struct mpb_metric wm = { "wall_ns", offsetof(struct mpb_sample, wall_ns) };
	double *wall = mpb_metric_values(ps, &wm);
	if (!wall)
		return -1;
	o->wall_median_ns = mpb_stats_median(wall, ps->nruns);
	mpb_stats_median_ci(wall, ps->nruns, seed, &o->wall_ci_lo, &o->wall_ci_hi);
	double w = pt->workers;
	if (bs->n > 0) {
		o->serial_median_ns = mpb_stats_median(bs->wall_ns, bs->n);
		o->have_speedup = o->wall_median_ns > 0;
		if (o->have_speedup) {
			o->speedup = o->serial_median_ns / o->wall_median_ns;
			if (mpb_stats_ratio_ci(bs->wall_ns, bs->n, wall, ps->nruns, seed,
					       &o->speedup_ci_lo, &o->speedup_ci_hi) < 0)
				o->speedup_ci_lo = o->speedup_ci_hi = o->speedup;
			o->efficiency = o->speedup / w;
			if (pt->workers > 1 && o->speedup > 0) {
				o->have_karp_flatt = true;
				o->karp_flatt = (1.0 / o->speedup - 1.0 / w) / (1.0 - 1.0 / w);
			}
		}
	}
	struct mpb_ceiling_ratios cr;
	if (s->cls && pt->ceiling < s->plan->nceilings &&
	    mpb_ceiling_ratios(bs->wall_ns, bs->n, s->cls[pt->ceiling].wall_ns,
			       s->cls[pt->ceiling].n, wall, ps->nruns, seed, &cr) == 0 && cr.have_vs) {
		o->have_ceiling = true;
		o->ceiling_median_ns = cr.ceiling_median_ns;
		o->speedup_vs_ceiling = cr.vs;
		o->speedup_vs_ceiling_ci_lo = cr.vs_ci_lo;
		o->speedup_vs_ceiling_ci_hi = cr.vs_ci_hi;
		o->have_ceiling_speedup = cr.have_speedup;
		o->ceiling_speedup = cr.speedup;
		o->ceiling_speedup_ci_lo = cr.speedup_ci_lo;
		o->ceiling_speedup_ci_hi = cr.speedup_ci_hi;
	}
	free(wall);
	double map = median_of(ps, offsetof(struct mpb_sample, map_ns));
	double compute = median_of(ps, offsetof(struct mpb_sample, compute_ns));
	double cpar = median_of(ps, offsetof(struct mpb_sample, codec_parent_ns));
	double cwork = median_of(ps, offsetof(struct mpb_sample, codec_workers_ns));
	o->overhead_per_task_ns = (w * map - compute) / (double)pt->tasks;
	o->serialization_fraction = map > 0 ? (cpar + cwork) / ((w + 1) * map) : 0;
	/* the pool's own start-up: less the worker's counter open, the
	 * harness's cost (its instrumentation_ns, results/README.md) */
	o->startup_per_worker_ns = median_worker_mean_less(
		ps, offsetof(struct mpb_worker_report, startup_ns),
		offsetof(struct mpb_worker_report, instrumentation_ns));
	o->teardown_per_worker_ns = median_of(ps, offsetof(struct mpb_sample, teardown_ns)) / w;
	double floor = s->machine && s->machine->has_floors
			       ? mpb_floor_of(&s->machine->floors, pt->method->floor) : 0;
	o->have_floor = floor > 0;
	if (o->have_floor) {
		o->startup_per_worker_floors = o->startup_per_worker_ns / floor;
		o->teardown_per_worker_floors = o->teardown_per_worker_ns / floor;
	}
	double cold = s->machine && s->machine->has_floors
			      ? mpb_floor_cold_of(&s->machine->floors, pt->method->floor) : 0;
	o->have_cold_floor = cold > 0;
	if (o->have_cold_floor)
		o->startup_per_worker_cold_floors = o->startup_per_worker_ns / cold;
	double instr = median_of(ps, offsetof(struct mpb_sample, instrumentation_ns));
	o->instrumentation_fraction = o->wall_median_ns > 0 ? instr / o->wall_median_ns : 0;
	o->have_memory = ps->runs[0].nworkers > 0 && ps->runs[0].worker[0].has_memory;
	if (o->have_memory) {
		o->worker_rss_bytes = 1024 * median_worker_mean(ps, offsetof(struct mpb_worker_report, rss_kb));
		o->worker_pss_bytes = 1024 * median_worker_mean(ps, offsetof(struct mpb_worker_report, pss_kb));
		o->worker_private_dirty_bytes =
			1024 * median_worker_mean(ps, offsetof(struct mpb_worker_report, private_dirty_kb));
	}
	mpb_counters_derive(s, i, &o->counters);
	return 0;
}
