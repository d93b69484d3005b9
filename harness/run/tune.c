/* tune.c — coarse-to-fine search for the recommended worker count (see
 * tune.h). */
#include "tune.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "driver.h"
#include "fit.h"
#include "parse.h"
#include "split.h"
#include "recommend.h"
#include "stats.h"

int mpb_tune_coarse_workers(unsigned usable, unsigned cap, char *buf, size_t len)
{
	unsigned w[64];
	size_t n = mpb_plan_auto_workers(usable, w, 64), used = 0, kept = 0;
	if (len == 0)
		return -1;
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (w[i] > cap && kept > 0)
			continue;
		int k = snprintf(buf + used, len - used, "%s%u", kept ? "," : "", w[i]);
		if (k < 0 || (size_t)k >= len - used)
			return -1;
		used += (size_t)k;
		kept++;
	}
	return 0;
}

static unsigned tune_cap(const struct mpb_machine *m)
{
	unsigned usable = m->usable_cpus > 0 ? (unsigned)m->usable_cpus : 1;
	unsigned cap = 2 * usable;
	if (m->max_user_processes > 0 && (unsigned long)m->max_user_processes < cap)
		cap = (unsigned)m->max_user_processes;
	return cap;
}

int mpb_tune_plan(struct mpb_config *cfg, const struct mpb_machine *m, char *buf, size_t len,
		  struct mpb_plan *plan, struct mpb_diag *d)
{
	unsigned usable = m->usable_cpus > 0 ? (unsigned)m->usable_cpus : 1;
	if (mpb_tune_coarse_workers(usable, tune_cap(m), buf, len) < 0)
		return mpb_fail(d, MPB_EINPUT, "tune: too many CPUs (%u) for the worker list", usable);
	cfg->workers = buf;
	int rc = mpb_plan_build(cfg, m, plan, d);
	if (rc < 0)
		return rc;
	if (plan->nbaselines != 1) {
		size_t n = plan->nbaselines;
		mpb_plan_free(plan);
		return mpb_fail(d, MPB_EINPUT, "tune: the options give %zu (workload, size, tasks) "
				"combinations; give one workload, one size and one task count "
				"(e.g. -w sumsq -s 50M)", n);
	}
	return 0;
}

uint64_t mpb_tune_grow_tasks(uint64_t tasks, double fixed_ns, double run_ns, double serial_ns)
{
	double want = MPB_TUNE_RUN_OVER_FIXED * fixed_ns, work = run_ns - fixed_ns;
	if (tasks == 0 || !(fixed_ns > 0) || run_ns >= want)
		return tasks;
	/* a run with no work besides the fixed cost: grow as far as allowed */
	double g = work > 0 ? (want - fixed_ns) / work : 1e18;
	if (serial_ns > 0)
		g = fmin(g, MPB_TUNE_MAX_SERIAL_NS / serial_ns);
	double n = ceil((double)tasks * g);
	if (n > (double)MPB_MAX_TASKS)
		n = (double)MPB_MAX_TASKS;
	return n > (double)tasks ? (uint64_t)n : tasks;
}

static double median_of(const struct mpb_point_state *ps, bool fixed)
{
	double *v = malloc(ps->nruns * sizeof *v);
	if (!v)
		return 0;
	for (size_t i = 0; i < ps->nruns; i++)
		v[i] = fixed ? (double)(ps->runs[i].startup_ns + ps->runs[i].teardown_ns)
			     : (double)ps->runs[i].wall_ns;
	double m = mpb_stats_median(v, ps->nruns);
	free(v);
	return m;
}

/* The chunk rules of p's points (0: Pool.map's) into out, each once;
 * -c auto's chunks follow the run, not the count: none. */
static size_t chunk_rules(const struct mpb_plan *p, uint64_t *out)
{
	size_t n = 0;
	for (size_t i = 0; i < p->npoints; i++) {
		const struct mpb_point *pt = &p->points[i];
		if (pt->chunk_strategy == MPB_CHUNK_AUTO)
			continue;
		uint64_t c = pt->chunk_strategy == MPB_CHUNK_PYTHON ? 0 : pt->chunksize;
		size_t k = 0;
		while (k < n && out[k] != c)
			k++;
		if (k == n)
			out[n++] = c;
	}
	return n;
}

/* The task count for the length (mpb_tune_grow_tasks), of the coarse
 * phase's shortest run relative to its fixed cost, made to split evenly
 * over every worker count tune may measure, 1 to cap
 * (mpb_split_even_tasks); the figures behind it into the record. */
static uint64_t calibrate(const struct mpb_sweep *s, unsigned cap, json_t *tune)
{
	const struct mpb_plan *p = s->plan;
	const struct mpb_wall_state *bs = &s->data.bls[0];
	if (p->npoints == 0 || bs->n == 0)
		return 0;
	uint64_t tasks = p->points[0].tasks, grown = tasks;
	double serial = mpb_stats_median(bs->wall_ns, bs->n), fixed = 0, run = 0;
	for (size_t i = 0; i < p->npoints; i++) {
		const struct mpb_point_state *ps = &s->data.pts[i];
		if (ps->failed || ps->nruns == 0)
			continue;
		double f = median_of(ps, true), w = median_of(ps, false);
		uint64_t g = mpb_tune_grow_tasks(tasks, f, w, serial);
		if (g > grown || (run == 0 && g == grown)) {
			grown = g;
			fixed = f;
			run = w;
		}
	}
	unsigned *counts = malloc(cap * sizeof *counts);
	uint64_t *chunks = malloc(p->npoints * sizeof *chunks);
	if (!counts || !chunks) {
		free(counts);
		free(chunks);
		return 0;
	}
	for (unsigned k = 0; k < cap; k++)
		counts[k] = k + 1;
	size_t nc = chunk_rules(p, chunks);
	uint64_t even = grown;
	double excess = 0;
	/* within the serial run's limit, as the length rule is */
	double most = serial > 0 ? floor((double)tasks * MPB_TUNE_MAX_SERIAL_NS / serial)
				 : (double)MPB_MAX_TASKS;
	most = fmax(1, fmin(most, (double)MPB_MAX_TASKS));
	bool at_limit = grown > tasks && most <= (double)grown;
	if (grown > tasks && nc > 0) {
		even = mpb_split_even_tasks(grown, (uint64_t)most, counts, cap, chunks, nc, &excess);
		if (even <= tasks) /* down at the limit: never below where it started */
			even = grown;
	}
	if (nc > 0 && even == grown)
		excess = mpb_split_worst_excess(grown, counts, cap, chunks, nc, INFINITY);
	free(counts);
	free(chunks);
	json_object_set_new(tune, "calibration",
			    json_pack("{s:I, s:I, s:b, s:I, s:o, s:I, s:f, s:f, s:f}",
				      "tasks", (json_int_t)tasks, "length_tasks", (json_int_t)grown,
				      "at_limit", at_limit, "grown_to", (json_int_t)even,
				      "split_excess", nc ? json_real(excess) : json_null(),
				      "split_workers", (json_int_t)cap, "fixed_cost_ns", fixed,
				      "run_ns", run, "run_over_fixed", MPB_TUNE_RUN_OVER_FIXED));
	return even;
}

static bool measured(const unsigned *m, size_t n, unsigned w)
{
	for (size_t i = 0; i < n; i++)
		if (m[i] == w)
			return true;
	return false;
}

static void add_unique(unsigned *out, size_t *k, unsigned w)
{
	for (size_t i = 0; i < *k; i++)
		if (out[i] == w)
			return;
	size_t i = (*k)++;
	for (; i > 0 && out[i - 1] > w; i--)
		out[i] = out[i - 1];
	out[i] = w;
}

size_t mpb_tune_refine(const unsigned *m, size_t n, unsigned rec, unsigned best, unsigned cap,
		       unsigned out[3])
{
	size_t k = 0;
	unsigned below_rec = 0, below_best = 0, above_best = 0;
	for (size_t i = 0; i < n; i++) {
		if (m[i] < rec && m[i] > below_rec)
			below_rec = m[i];
		if (m[i] < best && m[i] > below_best)
			below_best = m[i];
		if (m[i] > best && (above_best == 0 || m[i] < above_best))
			above_best = m[i];
	}
	unsigned cand[3] = {
		below_rec ? below_rec + (rec - below_rec) / 2 : 0,
		below_best ? below_best + (best - below_best) / 2 : 0,
		above_best ? best + (above_best - best) / 2 : 0,
	};
	for (size_t i = 0; i < 3; i++)
		if (cand[i] >= 1 && cand[i] <= cap && !measured(m, n, cand[i]))
			add_unique(out, &k, cand[i]);
	return k;
}

/* Ascending unique worker counts of the measured points of e's group. */
static size_t group_counts(const struct mpb_sweep *s, const struct mpb_rec_entry *e,
			   unsigned *out)
{
	const struct mpb_plan *p = s->plan;
	size_t k = 0;
	for (size_t i = 0; i < p->npoints; i++)
		if (s->data.pts[i].nruns > 0 && !s->data.pts[i].failed &&
		    mpb_recommend_same_group(&p->points[i], &p->points[e->point]))
			add_unique(out, &k, p->points[i].workers);
	return k;
}

/* The next phase's worker counts (every count of the plan plus the new
 * candidates) into all; returns how many are new, or -1 on ENOMEM. */
static int next_counts(const struct mpb_sweep *s, unsigned cap, unsigned *all, size_t *nall)
{
	const struct mpb_plan *p = s->plan;
	struct mpb_rec_entry *e;
	size_t n, added = 0;
	unsigned *m = malloc((p->npoints ? p->npoints : 1) * sizeof *m);
	if (!m || mpb_recommend_sweep(&s->data, &e, &n) < 0) {
		free(m);
		return -1;
	}
	*nall = 0;
	for (size_t i = 0; i < p->npoints; i++)
		add_unique(all, nall, p->points[i].workers);
	for (size_t i = 0; i < n; i++) {
		unsigned cand[3];
		size_t nm = group_counts(s, &e[i], m);
		size_t nc = mpb_tune_refine(m, nm, p->points[e[i].point].workers,
					    p->points[e[i].best_point].workers, cap, cand);
		for (size_t k = 0; k < nc; k++) {
			size_t before = *nall;
			add_unique(all, nall, cand[k]);
			added += *nall > before;
		}
	}
	free(e);
	free(m);
	return (int)added;
}

static bool same_point(const struct mpb_point *a, const struct mpb_point *b)
{
	return mpb_fit_same_curve(a, b) && a->workers == b->workers && a->chunksize == b->chunksize;
}

static json_t *counts_json(const struct mpb_plan *p)
{
	return json_incref(json_object_get(p->config, "workers"));
}

/* The counts of all[0..n) that the previous phase's list lacks. */
static json_t *new_counts(const unsigned *all, size_t n, const json_t *prev)
{
	json_t *a = json_array();
	for (size_t k = 0; a && k < n; k++) {
		bool seen = false;
		for (size_t i = 0; i < json_array_size(prev); i++)
			seen |= json_integer_value(json_array_get(prev, i)) == (json_int_t)all[k];
		if (!seen)
			json_array_append_new(a, json_integer(all[k]));
	}
	return a;
}

/* Measure next under plan c from now on: what s measured carries over
 * where the points are the same. */
static int replan(struct mpb_sweep *s, struct mpb_plan *plan, const struct mpb_config *c,
		  const struct mpb_machine *m, struct mpb_diag *d)
{
	struct mpb_plan next;
	int rc;
	if ((rc = mpb_plan_build(c, m, &next, d)) < 0)
		return rc;
	if ((rc = mpb_sweep_carry(s, &next, same_point, d)) < 0) {
		mpb_plan_free(&next);
		return rc;
	}
	mpb_plan_free(plan);
	*plan = next; /* s->plan points at *plan */
	return 0;
}

/* One tune at cfg's size: the coarse phase (again with more tasks when its
 * runs are too short), then the refinements, recorded into phases. */
static int tune_at(struct mpb_sweep *s, struct mpb_plan *plan, const struct mpb_config *cfg,
		   const struct mpb_machine *m, json_t *phases, struct mpb_diag *d)
{
	unsigned cap = tune_cap(m);
	/* each phase's label for the progress display (progress.h): the size
	 * (--find-size tunes several) and the step */
	char size[MPB_FMT_U64_LEN], label[96];
	mpb_format_u64(plan->points[0].size, MPB_UNIT_COUNT, size, sizeof size);
	json_array_clear(phases);
	if (json_array_append_new(phases, counts_json(plan)) < 0)
		return mpb_fail(d, MPB_ENOMEM, "out of memory");
	snprintf(label, sizeof label, "%s coarse", size);
	s->phase = label;
	int rc = mpb_sweep_run(s, d);
	char tasks[24];
	struct mpb_config grown_cfg = *cfg;
	uint64_t grown = rc == 0 && !cfg->given_tasks ? calibrate(s, cap, s->tune) : 0;
	if (grown > plan->points[0].tasks) {
		snprintf(tasks, sizeof tasks, "%llu", (unsigned long long)grown);
		grown_cfg.tasks = tasks;
		if ((rc = replan(s, plan, &grown_cfg, m, d)) < 0) {
			s->phase = NULL;
			return rc;
		}
		snprintf(label, sizeof label, "%s coarse, %s tasks", size, tasks);
		s->phase = label;
		rc = mpb_sweep_run(s, d);
		cfg = &grown_cfg; /* later phases keep the grown count */
	}
	json_t *prev = counts_json(plan);
	unsigned *all = malloc((cap + 1) * sizeof *all + plan->npoints * sizeof *all);
	char *list = malloc(12 * ((size_t)cap + 1 + plan->npoints));
	if (!all || !list) {
		rc = rc < 0 ? rc : mpb_fail(d, MPB_ENOMEM, "out of memory");
		goto out;
	}
	for (int phase = 1; rc == 0 && phase < MPB_TUNE_MAX_PHASES; phase++) {
		size_t nall;
		int added = next_counts(s, cap, all, &nall);
		if (added < 0) {
			rc = mpb_fail(d, MPB_ENOMEM, "out of memory");
			break;
		}
		if (added == 0)
			break;
		size_t used = 0;
		for (size_t k = 0; k < nall; k++)
			used += (size_t)sprintf(list + used, "%s%u", k ? "," : "", all[k]);
		struct mpb_config c2 = *cfg;
		c2.workers = list;
		if ((rc = replan(s, plan, &c2, m, d)) < 0)
			break;
		json_array_append_new(phases, new_counts(all, nall, prev));
		json_decref(prev);
		prev = counts_json(plan);
		snprintf(label, sizeof label, "%s refine %d", size, phase);
		s->phase = label;
		rc = mpb_sweep_run(s, d);
	}
out:
	s->phase = NULL;
	json_decref(prev);
	free(all);
	free(list);
	return rc;
}

const char *mpb_tune_stop_name(enum mpb_tune_stop why)
{
	switch (why) {
	case MPB_TUNE_STOP_NONE: return "none";
	case MPB_TUNE_STOP_PAYS: return "pays";
	case MPB_TUNE_STOP_LARGEST: return "largest_size";
	case MPB_TUNE_STOP_SIZES: return "sizes";
	case MPB_TUNE_STOP_TIME: return "time";
	case MPB_TUNE_STOP_RUN_LENGTH: return "run_length";
	}
	return "unknown";
}

enum mpb_tune_stop mpb_tune_next_size(const struct mpb_tune_search *at, uint64_t *next)
{
	*next = 0;
	if (at->pays)
		return MPB_TUNE_STOP_PAYS;
	double want = at->pays_from > 0 ? 1.5 * at->pays_from : 4.0 * (double)at->size;
	if (want < 2.0 * (double)at->size)
		want = 2.0 * (double)at->size;
	if (want > (double)at->max_size)
		want = (double)at->max_size;
	/* a size a user can read and paste back as -s: 3 digits */
	uint64_t n = mpb_round_up_u64((uint64_t)ceil(want), at->unit, 3);
	if (n > at->max_size)
		n = at->max_size;
	if (n <= at->size)
		return MPB_TUNE_STOP_LARGEST;
	if (at->tried >= MPB_TUNE_FIND_SIZE_TRIES)
		return MPB_TUNE_STOP_SIZES;
	if (at->elapsed_ns >= MPB_TUNE_FIND_SIZE_SECONDS * 1e9)
		return MPB_TUNE_STOP_TIME;
	/* the work grows with the size: so does the serial run */
	if (at->serial_ns * ((double)n / (double)at->size) > MPB_TUNE_MAX_SERIAL_NS)
		return MPB_TUNE_STOP_RUN_LENGTH;
	*next = n;
	return MPB_TUNE_STOP_NONE;
}

/* The serial baseline's median wall time of s (0 when not measured). */
static double serial_median(const struct mpb_sweep *s)
{
	const struct mpb_wall_state *bs = &s->data.bls[0];
	return s->plan->nbaselines && !bs->failed && bs->n ? mpb_stats_median(bs->wall_ns, bs->n)
							  : 0;
}

/* The tune itself; mpb_tune_run writes what it recorded last. */
static int tune(struct mpb_sweep *s, struct mpb_plan *plan, const struct mpb_config *cfg,
		const struct mpb_machine *m, json_t *phases, struct mpb_diag *d)
{
	uint64_t t0 = mpb_now_ns();
	int rc = tune_at(s, plan, cfg, m, phases, d);
	if (rc < 0 || !cfg->find_size)
		return rc;
	json_t *tries = json_array();
	if (json_object_set_new(s->tune, "find_size", tries) < 0)
		return mpb_fail(d, MPB_ENOMEM, "out of memory");
	struct mpb_config c = *cfg;
	char size[MPB_FMT_U64_LEN];
	/* every size measured gets its entry, the last one too */
	for (unsigned k = 1; rc == 0; k++) {
		struct mpb_rec_entry *e;
		size_t n;
		if (mpb_recommend_sweep(&s->data, &e, &n) < 0)
			return mpb_fail(d, MPB_ENOMEM, "out of memory");
		if (n == 0)
			break;
		const struct mpb_point *pt = &plan->points[e[0].point];
		struct mpb_tune_search at = {
			.size = pt->size,
			.max_size = pt->workload->max_size,
			.unit = pt->workload->unit,
			.pays = e[0].r.parallelize,
			.pays_from = e[0].r.pays_from_scale * (double)pt->size,
			.serial_ns = serial_median(s),
			.tried = k,
			.elapsed_ns = (double)(mpb_now_ns() - t0),
		};
		/* how sure the answer at this size is (a pool that "pays" on a
		 * loaded machine may be noise): the console says it */
		const char *conf = mpb_recommend_confidence_name(e[0].r.confidence);
		json_t *reason = e[0].r.confidence_reason[0] ? json_string(e[0].r.confidence_reason)
							     : json_null();
		free(e);
		uint64_t next;
		enum mpb_tune_stop why = mpb_tune_next_size(&at, &next);
		json_array_append_new(tries, json_pack("{s:I, s:b, s:o, s:s, s:o}", "size",
						       (json_int_t)at.size, "parallelize", at.pays,
						       "pays_from_size", at.pays_from > 0
						       ? json_real(at.pays_from) : json_null(),
						       "confidence", conf, "confidence_reason", reason));
		if (why != MPB_TUNE_STOP_NONE) {
			json_object_set_new(s->tune, "find_size_outcome", json_pack(
				"{s:s, s:o, s:I, s:f, s:f, s:f}", "stop", mpb_tune_stop_name(why),
				"size", at.pays ? json_integer((json_int_t)at.size) : json_null(),
				"sizes_budget", (json_int_t)MPB_TUNE_FIND_SIZE_TRIES,
				"time_budget_s", MPB_TUNE_FIND_SIZE_SECONDS,
				"elapsed_s", at.elapsed_ns / 1e9,
				"max_serial_run_s", MPB_TUNE_MAX_SERIAL_NS / 1e9));
			break;
		}
		mpb_format_u64(next, at.unit, size, sizeof size);
		c.sizes = size;
		if ((rc = replan(s, plan, &c, m, d)) < 0)
			break;
		rc = tune_at(s, plan, &c, m, phases, d);
	}
	return rc;
}

int mpb_tune_run(struct mpb_sweep *s, struct mpb_plan *plan, const struct mpb_config *cfg,
		 const struct mpb_machine *m, struct mpb_diag *d)
{
	json_t *phases = json_array();
	s->tune = json_pack("{s:f, s:o}", "tolerance", s->sampling.race_tolerance, "phases", phases);
	if (!s->tune)
		return mpb_fail(d, MPB_ENOMEM, "out of memory");
	int rc = tune(s, plan, cfg, m, phases, d);
	/* the calibration and the last find_size entry are recorded after the
	 * round that measured them was written: once more, so the file ends
	 * with what the console says (not after an interrupt, whose write
	 * already said so, nor a failed write) */
	if (rc == 0 || rc == -MPB_ERUN) {
		struct mpb_diag wd = { 0 };
		int w = mpb_sweep_write(s, &wd);
		if (w < 0) {
			if (d)
				*d = wd;
			return w;
		}
	}
	return rc;
}

/* A size of the record as -s takes it: exact for a size measured, two
 * significant digits up for an estimate. */
static const char *size_text(const json_t *v, bool estimate, enum mpb_unit unit, char *buf,
			     size_t len)
{
	if (estimate)
		mpb_format_round_up(json_number_value(v), unit, 2, buf, len);
	else
		mpb_format_u64((uint64_t)json_integer_value(v), unit, buf, len);
	return buf;
}

/* One line: the size --find-size found, or why it stopped without one. */
static void print_outcome(FILE *f, const json_t *tune, enum mpb_unit unit)
{
	json_t *o = json_object_get(tune, "find_size_outcome");
	json_t *tries = json_object_get(tune, "find_size");
	json_t *last = json_array_get(tries, json_array_size(tries) - 1);
	const char *stop = json_string_value(json_object_get(o, "stop"));
	if (!o || !stop || !last)
		return;
	char size[MPB_FMT_U64_LEN], from[MPB_FMT_U64_LEN];
	size_text(json_object_get(last, "size"), false, unit, size, sizeof size);
	size_t n = json_array_size(tries);
	if (strcmp(stop, "pays") == 0) {
		const char *reason = json_string_value(json_object_get(last, "confidence_reason"));
		fprintf(f, "tune --find-size: found: a pool pays at -s %s (%zu size%s measured; "
			"confidence %s%s%s)\n", size, n, n == 1 ? "" : "s",
			json_string_value(json_object_get(last, "confidence")), reason ? ": " : "",
			reason ? reason : "");
		return;
	}
	fprintf(f, "tune --find-size: stopped without a size where a pool pays, after %zu size%s "
		"in %.0f s: ", n, n == 1 ? "" : "s",
		json_number_value(json_object_get(o, "elapsed_s")));
	if (strcmp(stop, "largest_size") == 0)
		fprintf(f, "-s %s is the workload's largest size", size);
	else if (strcmp(stop, "sizes") == 0)
		fprintf(f, "the budget of %lld sizes is spent",
			(long long)json_integer_value(json_object_get(o, "sizes_budget")));
	else if (strcmp(stop, "time") == 0)
		fprintf(f, "the budget of %g s is spent",
			json_number_value(json_object_get(o, "time_budget_s")));
	else
		fprintf(f, "the next size's serial run would take over %g s",
			json_number_value(json_object_get(o, "max_serial_run_s")));
	json_t *pays = json_object_get(last, "pays_from_size");
	if (json_is_number(pays))
		fprintf(f, "; the last estimate from the fixed cost is about -s %s (try it: tune "
			"-s SIZE)", size_text(pays, true, unit, from, sizeof from));
	fprintf(f, "\n");
}

void mpb_tune_print(FILE *f, const struct mpb_sweep *s)
{
	json_t *phases = s->tune ? json_object_get(s->tune, "phases") : NULL;
	if (!phases)
		return;
	json_t *cal = json_object_get(s->tune, "calibration");
	json_int_t from = json_integer_value(json_object_get(cal, "tasks"));
	json_int_t to = json_integer_value(json_object_get(cal, "grown_to"));
	if (cal && to > from) {
		json_int_t length = json_integer_value(json_object_get(cal, "length_tasks"));
		json_int_t cap = json_integer_value(json_object_get(cal, "split_workers"));
		json_t *x = json_object_get(cal, "split_excess");
		fprintf(f, "tune: runs of %lld tasks took %.3g ms, under %g x the pool's fixed cost "
			"(start-up + teardown, %.3g ms): measured with %lld tasks instead (",
			(long long)from, json_number_value(json_object_get(cal, "run_ns")) / 1e6,
			MPB_TUNE_RUN_OVER_FIXED,
			json_number_value(json_object_get(cal, "fixed_cost_ns")) / 1e6, (long long)to);
		/* the split rule of mpb_tune_even_tasks, in words */
		bool capped = json_is_true(json_object_get(cal, "at_limit"));
		if (!json_is_number(x))
			fprintf(f, "-c auto sizes its chunks as it goes: the count is the "
				"length's; ");
		else if (json_number_value(x) == 0 && !capped)
			fprintf(f, "at least %lld for the length, the fewest from there that the "
				"chunks split into equal shares at every count from 1 to %lld "
				"workers; ", (long long)length, (long long)cap);
		else if (json_number_value(x) == 0)
			fprintf(f, "%lld, as many as the limits allow, made the most below that "
				"the chunks split into equal shares at every count from 1 to %lld "
				"workers; ", (long long)length, (long long)cap);
		else
			fprintf(f, "%s%lld%s; no count %s splits into equal shares at every count "
				"from 1 to %lld workers, and this one is the most even: its busiest "
				"worker has %.3g%% more than an equal share; ",
				capped ? "" : "at least ", (long long)length,
				capped ? ", as many as the limits allow" : " for the length",
				capped ? "down to half of that" : "up to twice that", (long long)cap,
				100.0 * json_number_value(x));
		fprintf(f, "-t fixes the count)\n");
	}
	fprintf(f, "tune: measured");
	for (size_t k = 0; k < json_array_size(phases); k++) {
		json_t *ph = json_array_get(phases, k);
		fprintf(f, "%s", k ? ", then" : "");
		for (size_t i = 0; i < json_array_size(ph); i++)
			fprintf(f, "%s%lld", i ? "," : " ",
				(long long)json_integer_value(json_array_get(ph, i)));
	}
	fprintf(f, " workers\n");
	json_t *tries = json_object_get(s->tune, "find_size");
	enum mpb_unit unit = s->plan->npoints ? s->plan->points[0].workload->unit
					      : MPB_UNIT_COUNT;
	char size[MPB_FMT_U64_LEN], about[MPB_FMT_U64_LEN];
	for (size_t k = 0; k < json_array_size(tries); k++) {
		json_t *t = json_array_get(tries, k);
		json_t *pays = json_object_get(t, "pays_from_size");
		fprintf(f, "%s -s %s: %s", k ? ";" : "tune --find-size:",
			size_text(json_object_get(t, "size"), false, unit, size, sizeof size),
			json_is_true(json_object_get(t, "parallelize")) ? "a pool pays" : "serial wins");
		if (json_is_number(pays) && !json_is_true(json_object_get(t, "parallelize")))
			fprintf(f, " (the fixed cost says a pool pays from about %s)",
				size_text(pays, true, unit, about, sizeof about));
	}
	if (json_array_size(tries))
		fprintf(f, "\n");
	print_outcome(f, s->tune, unit);
}
