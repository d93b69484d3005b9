/* warnings.c — user-visible warnings about the measurements (see warnings.h). */
#include "warnings.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis.h"
#include "dataset.h"
#include "parse.h"
#include "recommend.h"
#include "sampling_verdict.h"
#include "stats.h"

void mpb_warnings_free(struct mpb_warning_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

static int add(struct mpb_warning_list *l, const char *kind, const char *scope, long index,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int add(struct mpb_warning_list *l, const char *kind, const char *scope, long index,
	       const char *fmt, ...)
{
	if (l->n == l->cap) {
		size_t nc = l->cap ? 2 * l->cap : 8;
		struct mpb_warning *nv = realloc(l->v, nc * sizeof *nv);
		if (!nv)
			return -1;
		l->v = nv;
		l->cap = nc;
	}
	struct mpb_warning *w = &l->v[l->n++];
	w->kind = kind;
	w->scope = scope;
	w->index = index;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->message, sizeof w->message, fmt, ap);
	va_end(ap);
	return 0;
}

bool mpb_warn_first_run_slow(const double *x, size_t n, double *ratio)
{
	*ratio = NAN;
	if (n < 3)
		return false;
	double rest = mpb_stats_median(x + 1, n - 1);
	if (!(rest > 0))
		return false;
	*ratio = x[0] / rest;
	return *ratio > MPB_WARN_FIRST_RUN_RATIO;
}

bool mpb_warn_wall_above_cpu(uint64_t wall_ns, uint64_t cpu_ns, double *ratio)
{
	*ratio = cpu_ns ? (double)wall_ns / (double)cpu_ns : INFINITY;
	if (wall_ns == 0)
		return false;
	return (double)wall_ns > MPB_WARN_WALL_CPU_RATIO * (double)cpu_ns;
}

bool mpb_warn_governor(const char *governor)
{
	return governor && governor[0] && strcmp(governor, "performance") != 0;
}

bool mpb_warn_instrumentation(double instrumentation_ns, double wall_ns, double *ratio)
{
	*ratio = wall_ns > 0 ? instrumentation_ns / wall_ns : NAN;
	return wall_ns > 0 && *ratio > MPB_WARN_INSTRUMENTATION;
}

bool mpb_warn_load(double busy_cpus, unsigned usable_cpus)
{
	if (!(busy_cpus >= 0) || usable_cpus == 0)
		return false;
	return busy_cpus >= MPB_WARN_BUSY_MIN_CPUS &&
	       busy_cpus >= MPB_WARN_BUSY_FRACTION * (double)usable_cpus;
}

/* Aggregate "cpu" line: busy and total jiffies; the number of "cpuN" lines. */
static int read_stat(unsigned long long *busy, unsigned long long *total, unsigned *ncpu)
{
	FILE *f = fopen("/proc/stat", "re");
	if (!f)
		return -1;
	char line[512];
	int rc = -1;
	*ncpu = 0;
	while (fgets(line, sizeof line, f)) {
		unsigned long long v[10] = { 0 };
		if (strncmp(line, "cpu ", 4) == 0) {
			int k = sscanf(line + 4, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
				       &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7],
				       &v[8], &v[9]);
			if (k < 4)
				break;
			/* guest time is already in user and nice: count fields 0..7 */
			*total = 0;
			for (int i = 0; i < 8 && i < k; i++)
				*total += v[i];
			*busy = *total - v[3] - (k > 4 ? v[4] : 0);
			rc = 0;
		} else if (strncmp(line, "cpu", 3) == 0) {
			(*ncpu)++;
		}
	}
	fclose(f);
	return rc;
}

int mpb_warnings_probe_busy(unsigned ms, double *busy_cpus)
{
	unsigned long long b0, t0, b1, t1;
	unsigned n0, n1;
	*busy_cpus = -1;
	if (read_stat(&b0, &t0, &n0) < 0)
		return -1;
	/* The sleep is the probe: other programs' CPU time is sampled while
	 * this process is idle. It runs once, before a sweep's first point
	 * (builtin_sweep.c), outside every timed window. */
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0)
		; /* EINTR: sleep the rest */
	if (read_stat(&b1, &t1, &n1) < 0 || t1 <= t0 || n1 == 0)
		return -1;
	*busy_cpus = (double)(b1 - b0) / (double)(t1 - t0) * n1;
	return 0;
}

/* A point in words, by its axes; for an external command (--cmd) only the
 * axes its template names, since the others never reached it. */
static void describe_point(const struct mpb_dataset *s, size_t i, char *buf, size_t len)
{
	const struct mpb_point *pt = &s->plan->points[i];
	unsigned named = (pt->workload->flags & MPB_WORKLOAD_EXTERNAL) ? mpb_dataset_cmd_axes(s)
								       : ~0u;
	char size[MPB_FMT_U64_LEN];
	mpb_format_u64(pt->size, pt->workload->unit, size, sizeof size);
	int n = snprintf(buf, len, "point %u (%s", pt->id, pt->workload->name);
#define MORE(...)                                                                      \
	do {                                                                           \
		if (n >= 0 && (size_t)n < len)                                         \
			n += snprintf(buf + n, len - (size_t)n, __VA_ARGS__);          \
	} while (0)
	if (named & MPB_CMD_AXIS_SIZE)
		MORE(" %s", size);
	if (named & MPB_CMD_AXIS_METHOD)
		MORE(", %s", pt->method->name);
	if (named & MPB_CMD_AXIS_WORKERS)
		MORE(", %u worker%s", pt->workers, pt->workers == 1 ? "" : "s");
	if (named & MPB_CMD_AXIS_CHUNKSIZE)
		MORE(", chunksize %llu", (unsigned long long)pt->chunksize);
	MORE(")");
#undef MORE
}

static void describe_baseline(const struct mpb_dataset *s, size_t j, char *buf, size_t len)
{
	const struct mpb_baseline *b = &s->plan->baselines[j];
	char size[MPB_FMT_U64_LEN];
	mpb_format_u64(b->size, b->workload->unit, size, sizeof size);
	snprintf(buf, len, "serial baseline (%s %s, %llu tasks)", b->workload->name, size,
		 (unsigned long long)b->tasks);
}

/* The CI target a point is judged by: the policy's, or the default when
 * the sweep has no adaptive policy (a fixed --runs). */
static double target_of(const struct mpb_dataset *s)
{
	return s->sampling.max_runs ? s->sampling.target_ci : MPB_SAMPLING_DEFAULT_TARGET_CI;
}

/* The checks every item gets: noisy, slow first run, outliers, wall vs CPU. */
static int item_checks(const struct mpb_dataset *s, const char *scope, long index, const char *what,
		       const double *x, size_t n, const struct mpb_sampling_verdict *v,
		       const struct mpb_sampling_acct *acct, struct mpb_warning_list *l)
{
	double ratio, target = target_of(s);
	int rc = 0;
	if (n == 0)
		return 0;
	if ((v->state == MPB_SAMPLING_MAX_RUNS || v->state == MPB_SAMPLING_MAX_TIME) &&
	    v->ci_half > target)
		rc |= add(l, "noisy", scope, index,
			  "%s is noisy: its median wall time is known to +-%.1f%% (95%% CI) after "
			  "%zu runs, the target was +-%.1f%% (%s reached); treat it with care or "
			  "re-run on a quieter machine", what, 100.0 * v->ci_half, n, 100.0 * target,
			  v->state == MPB_SAMPLING_MAX_TIME ? "--max-time" : "--max-runs");
	if (mpb_warn_first_run_slow(x, n, &ratio))
		rc |= add(l, "slow_first_run", scope, index,
			  "%s: the first measured run took %.1fx the median of the others (cold "
			  "caches or a late start?); consider more --warmup", what, ratio);
	size_t out = mpb_stats_outliers(x, n, NULL);
	if (out)
		rc |= add(l, "outliers", scope, index,
			  "%s: %zu of %zu runs are outliers (modified z-score above 3.5): other "
			  "programs may have interfered", what, out, n);
	if (acct->timed_runs && acct->cpu_runs == acct->timed_runs &&
	    mpb_warn_wall_above_cpu(acct->spent_ns, acct->cpu_ns, &ratio))
		rc |= add(l, "wall_above_cpu", scope, index,
			  "%s: wall time was %.1fx the CPU time of harness and workers: the runs "
			  "mostly waited (a waiting workload, or a busy machine)", what, ratio);
	return rc ? -1 : 0;
}

/* Where the harness may be measuring itself: its own work inside the
 * windows above MPB_WARN_INSTRUMENTATION of the wall time, or tasks shorter
 * than the self-check's smallest meaningful task (selfcheck.h). */
static int self_checks(const struct mpb_dataset *s, size_t i, const char *what,
		       const double *wall, struct mpb_warning_list *l)
{
	const struct mpb_point_state *ps = &s->pts[i];
	const struct mpb_point *pt = &s->plan->points[i];
	const struct mpb_metric im = { "instrumentation_ns",
				       offsetof(struct mpb_sample, instrumentation_ns) };
	double *x = mpb_metric_values(ps, &im);
	if (!x)
		return -1;
	double ratio, instr = mpb_stats_median(x, ps->nruns), med = mpb_stats_median(wall, ps->nruns);
	free(x);
	int rc = 0;
	if (mpb_warn_instrumentation(instr, med, &ratio))
		rc |= add(l, "instrumentation", "point", (long)pt->id,
			  "%s: the harness's own work inside the timed windows (opening counters) "
			  "took %.1f%% of the wall time (%.0f us of %.0f us): its figures include "
			  "mpbench's cost; compare with --counters none", what, 100.0 * ratio,
			  instr / 1e3, med / 1e3);
	const struct mpb_selfcheck *sc = s->machine ? &s->machine->selfcheck : NULL;
	const struct mpb_wall_state *bs = s->bls && pt->baseline < s->plan->nbaselines
						  ? &s->bls[pt->baseline] : NULL;
	if (sc && bs && bs->n > 0 && pt->tasks > 0) {
		double task = mpb_stats_median(bs->wall_ns, bs->n) / (double)pt->tasks;
		if (mpb_selfcheck_too_short(sc, task))
			rc |= add(l, "short_tasks", "point", (long)pt->id,
				  "%s: its tasks take %.0f us each, less than %.0fx the harness's own "
				  "per-run overhead here (%.0f us, machine.selfcheck): its figures "
				  "measure mpbench as much as the pool; use tasks of at least %.0f us",
				  what, task / 1e3, MPB_SELFCHECK_FACTOR, sc->overhead_ns / 1e3,
				  sc->min_task_ns / 1e3);
	}
	return rc ? -1 : 0;
}

int mpb_warnings_point(const struct mpb_dataset *s, size_t i, struct mpb_warning_list *l)
{
	const struct mpb_point_state *ps = &s->pts[i];
	if (ps->nruns == 0)
		return 0;
	char what[200];
	describe_point(s, i, what, sizeof what);
	const struct mpb_metric wm = { "wall_ns", offsetof(struct mpb_sample, wall_ns) };
	double *x = mpb_metric_values(ps, &wm);
	if (!x)
		return -1;
	struct mpb_sampling_verdict v;
	mpb_sampling_point_verdict(s, i, &v);
	int rc = item_checks(s, "point", (long)s->plan->points[i].id, what, x, ps->nruns, &v,
			     &ps->acct, l);
	if (rc == 0)
		rc = self_checks(s, i, what, x, l);
	free(x);
	return rc;
}

int mpb_warnings_baseline(const struct mpb_dataset *s, size_t j, struct mpb_warning_list *l)
{
	const struct mpb_wall_state *bs = &s->bls[j];
	if (bs->n == 0)
		return 0;
	char what[200];
	describe_baseline(s, j, what, sizeof what);
	struct mpb_sampling_verdict v;
	mpb_sampling_baseline_verdict(s, j, &v);
	return item_checks(s, "baseline", (long)j, what, bs->wall_ns, bs->n, &v, &bs->acct, l);
}

int mpb_warnings_machine(const struct mpb_dataset *s, struct mpb_warning_list *l)
{
	const struct mpb_machine *m = s->machine;
	int rc = 0;
	if (!m)
		return 0;
	if (mpb_warn_governor(m->governor))
		rc |= add(l, "governor", "machine", -1,
			  "the CPU frequency governor is '%s', not 'performance': clock speed "
			  "changes with load and skews comparisons", m->governor);
	if (mpb_warn_load(s->start_busy_cpus, m->usable_cpus > 0 ? (unsigned)m->usable_cpus : 0))
		rc |= add(l, "load", "machine", -1,
			  "other work kept %.1f of the %d usable CPUs busy when the sweep started "
			  "(load average %.2f): results may be slower and noisier than this machine "
			  "can do (measure on a quiet machine, or under chrt -f 1 where allowed)",
			  s->start_busy_cpus, m->usable_cpus, m->loadavg1);
	char why[400];
	if (mpb_build_unfit(&m->build, why, sizeof why))
		rc |= add(l, "build", "machine", -1, "%s", why);
	for (unsigned i = 0; i < m->nenv; i++)
		if (m->env[i].changes_measurement)
			rc |= add(l, "environment", "machine", -1,
				  "%s=%s is set: it changes what mpbench measures (a test or tuning "
				  "variable); compare these results only with runs that set it too",
				  m->env[i].name, m->env[i].value);
	return rc ? -1 : 0;
}

int mpb_warnings_collect(const struct mpb_dataset *s, struct mpb_warning_list *l)
{
	int rc = mpb_warnings_machine(s, l);
	for (size_t j = 0; rc == 0 && s->bls && j < s->plan->nbaselines; j++)
		rc = mpb_warnings_baseline(s, j, l);
	for (size_t i = 0; rc == 0 && s->pts && i < s->plan->npoints; i++)
		rc = mpb_warnings_point(s, i, l);
	if (rc < 0 || !s->machine)
		return rc;
	struct mpb_rec_entry *e;
	size_t n;
	if (mpb_recommend_sweep(s, &e, &n) < 0)
		return -1;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		char w[2][MPB_REC_WARN_LEN];
		size_t nw = mpb_recommend_warnings(s, &e[i], w);
		for (size_t k = 0; rc == 0 && k < nw; k++)
			rc = add(l, e[i].r.over_cpus && k == 0 ? "oversubscribed" : "memory",
				 "recommendation", (long)s->plan->points[e[i].point].id, "%s", w[k]);
	}
	free(e);
	return rc;
}

json_t *mpb_warnings_json(const struct mpb_warning_list *l, bool with_scope)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < l->n; i++) {
		const struct mpb_warning *w = &l->v[i];
		json_t *o = json_pack("{s:s, s:s}", "kind", w->kind, "message", w->message);
		if (o && with_scope) {
			json_object_set_new(o, "scope", json_string(w->scope));
			json_object_set_new(o, "index",
					    w->index < 0 ? json_null() : json_integer(w->index));
		}
		if (!o || json_array_append_new(a, o) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

json_t *mpb_warnings_sweep_json(const struct mpb_dataset *s)
{
	struct mpb_warning_list l = { 0 };
	json_t *j = mpb_warnings_collect(s, &l) == 0 ? mpb_warnings_json(&l, true) : NULL;
	mpb_warnings_free(&l);
	return j;
}

json_t *mpb_warnings_point_json(const struct mpb_dataset *s, size_t i)
{
	struct mpb_warning_list l = { 0 };
	json_t *j = mpb_warnings_point(s, i, &l) == 0 ? mpb_warnings_json(&l, false) : NULL;
	mpb_warnings_free(&l);
	return j;
}

json_t *mpb_warnings_baseline_json(const struct mpb_dataset *s, size_t j)
{
	struct mpb_warning_list l = { 0 };
	json_t *o = mpb_warnings_baseline(s, j, &l) == 0 ? mpb_warnings_json(&l, false) : NULL;
	mpb_warnings_free(&l);
	return o;
}
