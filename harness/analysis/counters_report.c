/* counters_report.c — counter totals, JSON, summaries, derived figures and
 * notes (see counters_report.h). */
#include "counters_report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

/* The keys of a run's "counters", in order (results/README.md); events of the set
 * with other keys follow them. */
static const char *const run_keys[] = {
	"instructions", "cycles", "context_switches", "voluntary_context_switches",
	"involuntary_context_switches", "cpu_migrations", "page_faults", "task_clock_ns",
};
#define NRUN_KEYS (sizeof run_keys / sizeof run_keys[0])

enum scope { TOTAL, HARNESS, WORKERS };

static bool is_rusage_key(const char *key)
{
	return strcmp(key, "voluntary_context_switches") == 0 ||
	       strcmp(key, "involuntary_context_switches") == 0;
}

static bool is_run_key(const char *key)
{
	for (size_t k = 0; k < NRUN_KEYS; k++)
		if (strcmp(run_keys[k], key) == 0)
			return true;
	return false;
}

/* A cmd run: its harness scope is the command's whole tree, counted with
 * inheritance, so the workers it has (--instrument python) are inside it,
 * and its total is the tree's. */
static bool tree_run(const struct mpb_sample *r)
{
	return r->cmd != NULL;
}

static int min_state(int a, int b)
{
	return a < b ? a : b;
}

/* Add one scope's reading of plan event pi; returns its state. */
static int add_scope(const struct mpb_counts *c, uint32_t pn, uint32_t pi, double *sum,
		     double *en, double *run)
{
	if (c->n != pn || pi >= c->n)
		return -1; /* this thread had no plan, or another one */
	double v, cov;
	int st = mpb_count_scaled(&c->c[pi], &v, &cov);
	if (st >= 0) {
		*en += (double)c->c[pi].enabled_ns;
		*run += (double)c->c[pi].running_ns;
	}
	if (st == 1)
		*sum += v;
	return st;
}

void mpb_counters_total(const struct mpb_counter_set *set, size_t k, const struct mpb_sample *r,
			struct mpb_counter_total *t)
{
	memset(t, 0, sizeof *t);
	t->state = t->harness_state = t->workers_state = -1;
	if (!set || k >= set->n || !set->ev[k].available || set->ev[k].plan_index < 0)
		return;
	uint32_t pi = (uint32_t)set->ev[k].plan_index, pn = set->plan.n;
	double en = 0, run = 0, wen = 0, wrun = 0;
	t->harness_state = add_scope(&r->harness.perf, pn, pi, &t->harness, &en, &run);
	int ws = r->nworkers ? 1 : -1;
	for (unsigned w = 0; w < r->nworkers; w++)
		ws = min_state(ws, add_scope(&r->worker[w].counters, pn, pi, &t->workers, &wen, &wrun));
	t->workers_state = ws;
	if (tree_run(r)) {
		t->state = t->harness_state;
		t->value = t->state == 1 ? t->harness : 0;
	} else {
		t->state = r->nworkers ? min_state(t->harness_state, ws) : t->harness_state;
		if (t->state == 1)
			t->value = t->harness + t->workers;
		en += wen;
		run += wrun;
	}
	t->coverage = en > 0 ? run / en : 0;
}

static uint64_t rusage_of(const struct mpb_sample *r, const char *key, enum scope sc)
{
	bool vol = strcmp(key, "voluntary_context_switches") == 0;
	uint64_t v = 0;
	if (sc != WORKERS)
		v += vol ? r->harness.nvcsw : r->harness.nivcsw;
	if (sc == TOTAL && tree_run(r))
		return v;
	for (unsigned w = 0; sc != HARNESS && w < r->nworkers; w++)
		v += vol ? r->worker[w].nvcsw : r->worker[w].nivcsw;
	return v;
}

static json_t *count_json(double v)
{
	return json_integer((json_int_t)llround(v));
}

/* The figure of `key` in run r for a scope: 1 with *v, or 0 when none. */
static int figure(const struct mpb_counter_set *set, const char *key, const struct mpb_sample *r,
		  enum scope sc, double *v)
{
	if (is_rusage_key(key)) {
		*v = (double)rusage_of(r, key, sc);
		return 1;
	}
	const struct mpb_counter_event *ev = mpb_counters_find_key(set, key);
	if (!ev)
		return 0;
	struct mpb_counter_total t;
	mpb_counters_total(set, (size_t)(ev - set->ev), r, &t);
	int st = sc == TOTAL ? t.state : sc == HARNESS ? t.harness_state : t.workers_state;
	*v = sc == TOTAL ? t.value : sc == HARNESS ? t.harness : t.workers;
	return st == 1;
}

/* Every key a run shows: the schema's, then the set's others. Calls fn. */
static void each_key(const struct mpb_counter_set *set, void (*fn)(const char *key, void *ctx),
		     void *ctx)
{
	for (size_t k = 0; k < NRUN_KEYS; k++)
		fn(run_keys[k], ctx);
	for (size_t k = 0; set && k < set->n; k++)
		if (!is_run_key(set->ev[k].key))
			fn(set->ev[k].key, ctx);
}

struct values_ctx {
	const struct mpb_counter_set *set;
	const struct mpb_sample *r;
	enum scope sc;
	json_t *o;
};

static void add_value(const char *key, void *ctx)
{
	struct values_ctx *c = ctx;
	double v;
	json_object_set_new(c->o, key, figure(c->set, key, c->r, c->sc, &v) ? count_json(v)
									     : json_null());
}

static json_t *values_json(const struct mpb_counter_set *set, const struct mpb_sample *r,
			   enum scope sc)
{
	struct values_ctx c = { set, r, sc, json_object() };
	if (c.o)
		each_key(set, add_value, &c);
	return c.o;
}

static void add_coverage(const char *key, void *ctx)
{
	struct values_ctx *c = ctx;
	if (is_rusage_key(key))
		return;
	const struct mpb_counter_event *ev = mpb_counters_find_key(c->set, key);
	struct mpb_counter_total t;
	if (ev)
		mpb_counters_total(c->set, (size_t)(ev - c->set->ev), c->r, &t);
	/* 0 means opened but never running somewhere: not counted */
	json_object_set_new(c->o, key, ev && t.state >= 0 ? json_real(t.state == 1 ? t.coverage : 0)
						     : json_null());
}

struct worker_ctx {
	const struct mpb_counter_set *set;
	const struct mpb_counts *c;
	json_t *o;
};

/* One worker's perf counters under the run's keys (its rusage is beside
 * them in workers_detail already). */
static void add_worker_value(const char *key, void *ctx)
{
	struct worker_ctx *c = ctx;
	if (is_rusage_key(key))
		return;
	const struct mpb_counter_event *ev = mpb_counters_find_key(c->set, key);
	double v = 0, en = 0, rn = 0;
	int st = ev && ev->available && ev->plan_index >= 0
		 ? add_scope(c->c, c->set->plan.n, (uint32_t)ev->plan_index, &v, &en, &rn)
		 : -1;
	json_object_set_new(c->o, key, st == 1 ? count_json(v) : json_null());
}

void mpb_counters_run_json(json_t *run, const struct mpb_counter_set *set,
			   const struct mpb_sample *r)
{
	if (!run)
		return;
	json_object_set_new(run, "counters", values_json(set, r, TOTAL));
	json_t *by = json_object();
	json_object_set_new(by, "harness", values_json(set, r, HARNESS));
	json_object_set_new(by, "workers", values_json(set, r, WORKERS));
	json_object_set_new(run, "counters_by_scope", by);
	struct values_ctx c = { set, r, TOTAL, json_object() };
	if (c.o)
		each_key(set, add_coverage, &c);
	json_object_set_new(run, "counters_coverage", c.o);

	json_t *wd = json_object_get(run, "workers_detail");
	for (unsigned w = 0; w < r->nworkers && w < json_array_size(wd); w++) {
		struct worker_ctx wc = { set, &r->worker[w].counters, json_object() };
		if (wc.o)
			each_key(set, add_worker_value, &wc);
		json_object_set_new(json_array_get(wd, w), "counters", wc.o);
	}
}

struct summary_ctx {
	const struct mpb_dataset *s;
	size_t i;
	json_t *summary;
};

static void add_summary(const char *key, void *ctx)
{
	struct summary_ctx *c = ctx;
	const struct mpb_point_state *ps = &c->s->pts[c->i];
	double *v = malloc((ps->nruns ? ps->nruns : 1) * sizeof *v);
	size_t n = 0;
	for (size_t r = 0; v && r < ps->nruns; r++)
		if (figure(c->s->counters, key, &ps->runs[r], TOTAL, &v[n]))
			n++;
	struct mpb_summary sm;
	json_t *j = NULL;
	if (n > 0 && mpb_stats_summarize(v, n, c->s->plan->seed + c->i, &sm) == 0)
		j = mpb_stats_summary_json(&sm);
	json_object_set_new(c->summary, key, j ? j : json_null());
	free(v);
}

void mpb_counters_summaries_json(json_t *summary, const struct mpb_dataset *s, size_t i)
{
	struct summary_ctx c = { s, i, summary };
	if (summary && s->pts[i].nruns)
		each_key(s->counters, add_summary, &c);
}

/* ---- derived ------------------------------------------------------------ */

/* Why IPC cannot come from this set; false when it can. */
static bool set_ipc_reason(const struct mpb_counter_set *set, char *buf, size_t len)
{
	if (!set || set->none) {
		snprintf(buf, len, "counters are off (--counters none)");
		return true;
	}
	const struct mpb_counter_event *c = mpb_counters_find_key(set, "cycles");
	const struct mpb_counter_event *i = mpb_counters_find_key(set, "instructions");
	if (!c || !i) {
		snprintf(buf, len, "%s%s%s not in --counters", !c ? "cycles" : "",
			 !c && !i ? " and " : "", !i ? "instructions" : "");
		return true;
	}
	if (c->available && i->available)
		return false;
	if (!c->available && !i->available && strcmp(c->reason, i->reason) == 0)
		snprintf(buf, len, "cycles and instructions: %s", c->reason);
	else if (!c->available && !i->available)
		snprintf(buf, len, "cycles: %.120s; instructions: %.120s", c->reason, i->reason);
	else
		snprintf(buf, len, "%s: %s", !c->available ? "cycles" : "instructions",
			 !c->available ? c->reason : i->reason);
	return true;
}

bool mpb_counters_ipc_note(const struct mpb_counter_set *set, char *buf, size_t len)
{
	char why[MPB_COUNTER_REASON_MAX + 64];
	if (!set || set->none || !set_ipc_reason(set, why, sizeof why))
		return false;
	snprintf(buf, len, "IPC is not available: %s", why);
	return true;
}

static double median_free(double *v, size_t n)
{
	double m = n ? mpb_stats_median(v, n) : 0;
	free(v);
	return m;
}

void mpb_counters_derive(const struct mpb_dataset *s, size_t i, struct mpb_counter_derived *o)
{
	const struct mpb_counter_set *set = s->counters;
	const struct mpb_point *pt = &s->plan->points[i];
	const struct mpb_point_state *ps = &s->pts[i];
	size_t nr = ps->nruns;
	memset(o, 0, sizeof *o);
	if (set_ipc_reason(set, o->ipc_reason, sizeof o->ipc_reason) && nr == 0)
		return;
	if (nr == 0) {
		snprintf(o->ipc_reason, sizeof o->ipc_reason, "no measured runs");
		return;
	}
	size_t cap = nr;
	double *ipc = malloc(cap * sizeof *ipc), *cs = malloc(cap * sizeof *cs);
	double *csps = malloc(cap * sizeof *csps), *csr = malloc(cap * sizeof *csr);
	double *vcs = malloc(cap * sizeof *vcs), *ics = malloc(cap * sizeof *ics);
	double *vps = malloc(cap * sizeof *vps), *ips = malloc(cap * sizeof *ips);
	double *mig = malloc(cap * sizeof *mig), *pf = malloc(cap * sizeof *pf);
	double *cpu = malloc(cap * sizeof *cpu);
	size_t nipc = 0, ncs = 0, ncsr = 0, nmig = 0, npf = 0, ncpu = 0;
	bool ok = ipc && cs && csps && csr && vcs && ics && vps && ips && mig && pf && cpu;
	for (size_t r = 0; ok && r < nr; r++) {
		const struct mpb_sample *smp = &ps->runs[r];
		double wall_s = (double)smp->wall_ns / 1e9, ins, cyc, v;
		if (figure(set, "instructions", smp, TOTAL, &ins) &&
		    figure(set, "cycles", smp, TOTAL, &cyc) && cyc > 0)
			ipc[nipc++] = ins / cyc;
		double vol = (double)rusage_of(smp, "voluntary_context_switches", TOTAL);
		double inv = (double)rusage_of(smp, "involuntary_context_switches", TOTAL);
		vcs[r] = vol;
		ics[r] = inv;
		vps[r] = wall_s > 0 ? vol / wall_s : 0;
		ips[r] = wall_s > 0 ? inv / wall_s : 0;
		if (figure(set, "context_switches", smp, TOTAL, &v)) {
			cs[ncs] = v;
			csps[ncs++] = wall_s > 0 ? v / wall_s : 0;
			if (vol + inv > 0)
				csr[ncsr++] = v / (vol + inv);
		}
		if (figure(set, "cpu_migrations", smp, TOTAL, &v))
			mig[nmig++] = v;
		if (figure(set, "page_faults", smp, WORKERS, &v) && smp->nworkers)
			pf[npf++] = v / smp->nworkers;
		if (figure(set, "task_clock_ns", smp, TOTAL, &v) && smp->wall_ns)
			cpu[ncpu++] = v / (double)smp->wall_ns;
	}
	double tasks = (double)pt->tasks;
	if (ok) {
		o->vcs_per_task = mpb_stats_median(vcs, nr) / tasks;
		o->ics_per_task = mpb_stats_median(ics, nr) / tasks;
		o->vcs_per_second = mpb_stats_median(vps, nr);
		o->ics_per_second = mpb_stats_median(ips, nr);
	}
	if (ok && !o->ipc_reason[0] && nipc == 0)
		snprintf(o->ipc_reason, sizeof o->ipc_reason, "cycles and instructions were not "
			 "counted in any run (coverage 0, or a worker could not open them)");
	o->have_ipc = nipc > 0;
	if (o->have_ipc)
		o->ipc_reason[0] = '\0';
	o->ipc = median_free(ipc, nipc);
	o->have_cs = ncs > 0;
	o->cs_per_task = median_free(cs, ncs) / tasks;
	o->cs_per_second = median_free(csps, ncs);
	o->cs_vs_rusage = median_free(csr, ncsr);
	o->have_migrations = nmig > 0;
	o->migrations_per_task = median_free(mig, nmig) / tasks;
	o->have_faults = npf > 0;
	o->page_faults_per_worker = median_free(pf, npf);
	o->have_task_clock = ncpu > 0;
	o->cpus_utilized = median_free(cpu, ncpu);
	free(vcs);
	free(ics);
	free(vps);
	free(ips);
}

static json_t *real_if(bool have, double v)
{
	return have && isfinite(v) ? json_real(v) : json_null();
}

void mpb_counters_derived_json(json_t *der, const struct mpb_counter_set *set,
			       const struct mpb_counter_derived *o)
{
	char why[MPB_COUNTER_REASON_MAX + 64] = "no measured runs";
	if (!der)
		return;
	if (!o && !set_ipc_reason(set, why, sizeof why))
		snprintf(why, sizeof why, "no measured runs");
	json_object_set_new(der, "ipc", real_if(o && o->have_ipc, o ? o->ipc : 0));
	json_object_set_new(der, "ipc_unavailable_reason",
			    o && o->have_ipc ? json_null() : json_string(o ? o->ipc_reason : why));
	bool cs = o && o->have_cs;
	json_object_set_new(der, "context_switches_per_task", real_if(cs, cs ? o->cs_per_task : 0));
	json_object_set_new(der, "context_switches_per_second",
			    real_if(cs, cs ? o->cs_per_second : 0));
	json_object_set_new(der, "context_switches_vs_rusage",
			    real_if(cs && o->cs_vs_rusage > 0, cs ? o->cs_vs_rusage : 0));
	json_object_set_new(der, "voluntary_context_switches_per_task",
			    real_if(o != NULL, o ? o->vcs_per_task : 0));
	json_object_set_new(der, "involuntary_context_switches_per_task",
			    real_if(o != NULL, o ? o->ics_per_task : 0));
	json_object_set_new(der, "voluntary_context_switches_per_second",
			    real_if(o != NULL, o ? o->vcs_per_second : 0));
	json_object_set_new(der, "involuntary_context_switches_per_second",
			    real_if(o != NULL, o ? o->ics_per_second : 0));
	json_object_set_new(der, "cpu_migrations_per_task",
			    real_if(o && o->have_migrations, o ? o->migrations_per_task : 0));
	json_object_set_new(der, "page_faults_per_worker",
			    real_if(o && o->have_faults, o ? o->page_faults_per_worker : 0));
	json_object_set_new(der, "cpus_utilized",
			    real_if(o && o->have_task_clock, o ? o->cpus_utilized : 0));
}

/* ---- the machine's view --------------------------------------------------- */

json_t *mpb_counters_machine_json(const struct mpb_counter_set *set)
{
	json_t *o = json_object();
	for (size_t k = 0; o && set && k < set->n; k++) {
		const struct mpb_counter_event *ev = &set->ev[k];
		json_t *group = json_null();
		if (ev->plan_index >= 0) {
			uint32_t l = set->plan.leader[ev->plan_index];
			json_t *g = json_array();
			for (size_t j = 0; g && j < set->n; j++)
				if (set->ev[j].plan_index >= 0 &&
				    set->plan.leader[set->ev[j].plan_index] == l)
					json_array_append_new(g, json_string(set->ev[j].name));
			if (json_array_size(g) > 1) {
				json_decref(group);
				group = g;
			} else {
				json_decref(g);
			}
		}
		json_object_set_new(o, ev->name, json_pack("{s:b, s:o, s:s, s:b, s:o, s:o}",
			"available", ev->available,
			"reason", ev->available ? json_null() : json_string(ev->reason),
			"key", ev->key, "user_only", ev->user_only,
			"note", ev->note[0] ? json_string(ev->note) : json_null(),
			"group", group));
	}
	return o;
}

void mpb_counters_print(FILE *f, const struct mpb_counter_set *set)
{
	for (size_t k = 0; set && k < set->n; k++) {
		const struct mpb_counter_event *ev = &set->ev[k];
		if (!ev->available)
			fprintf(f, "  %-18s unavailable: %s\n", ev->name, ev->reason);
		else if (ev->note[0])
			fprintf(f, "  %-18s available (%s)\n", ev->name, ev->note);
		else
			fprintf(f, "  %-18s available\n", ev->name);
	}
	char why[MPB_COUNTER_REASON_MAX + 64];
	if (set && !set->none && set_ipc_reason(set, why, sizeof why))
		fprintf(f, "  %-18s unavailable: %s\n", "(IPC)", why);
}
