/* tune.c — coarse-to-fine search for the recommended worker count (see
 * tune.h). */
#include "tune.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "fit.h"
#include "recommend.h"

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

int mpb_tune_run(struct mpb_sweep *s, struct mpb_plan *plan, const struct mpb_config *cfg,
		 const struct mpb_machine *m, struct mpb_diag *d)
{
	unsigned cap = tune_cap(m);
	json_t *phases = json_array();
	s->tune = json_pack("{s:f, s:o}", "tolerance", s->sampling.race_tolerance, "phases", phases);
	if (!s->tune || json_array_append_new(phases, counts_json(plan)) < 0)
		return mpb_fail(d, MPB_ENOMEM, "out of memory");
	json_t *prev = counts_json(plan);
	int rc = mpb_sweep_run(s, d);
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
		struct mpb_plan next;
		if ((rc = mpb_plan_build(&c2, m, &next, d)) < 0)
			break;
		if ((rc = mpb_sweep_carry(s, &next, same_point, d)) < 0) {
			mpb_plan_free(&next);
			break;
		}
		mpb_plan_free(plan);
		*plan = next; /* s->plan points at *plan */
		json_array_append_new(phases, new_counts(all, nall, prev));
		json_decref(prev);
		prev = counts_json(plan);
		rc = mpb_sweep_run(s, d);
	}
out:
	json_decref(prev);
	free(all);
	free(list);
	return rc;
}

void mpb_tune_print(FILE *f, const struct mpb_sweep *s)
{
	json_t *phases = s->tune ? json_object_get(s->tune, "phases") : NULL;
	if (!phases)
		return;
	fprintf(f, "tune: measured");
	for (size_t k = 0; k < json_array_size(phases); k++) {
		json_t *ph = json_array_get(phases, k);
		fprintf(f, "%s", k ? ", then" : "");
		for (size_t i = 0; i < json_array_size(ph); i++)
			fprintf(f, "%s%lld", i ? "," : " ",
				(long long)json_integer_value(json_array_get(ph, i)));
	}
	fprintf(f, " workers\n");
}
