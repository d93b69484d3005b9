/* export.c — points and baselines as JSON / CSV / Markdown / HTML tables
 * from one field table per kind of row, and the validation that lets every
 * reader trust a loaded results document (see export.h). */
#include "export.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "export_md.h"
#include "results.h"
#include "stats.h"

/* ---- rows ---- */

int mpb_export_row_init(struct mpb_export_row *r, const char *source,
			const struct mpb_dataset *ds, size_t i, bool baseline)
{
	*r = (struct mpb_export_row){ .source = source, .ds = ds, .i = i, .baseline = baseline };
	if (baseline) {
		const struct mpb_wall_state *bs = &ds->bls[i];
		r->have_wall = bs->n > 0;
		/* the seed of the baseline's summary in the results (results.c) */
		return r->have_wall && mpb_stats_summarize(bs->wall_ns, bs->n, ds->plan->seed,
							    &r->wall) < 0 ? -1 : 0;
	}
	const struct mpb_point_state *ps = &ds->pts[i];
	r->have = mpb_analysis_point(ds, i, &r->dv) == 0;
	r->have_wall = ps->nruns > 0;
	if (!r->have_wall)
		return 0;
	size_t nm;
	const struct mpb_metric *wm = mpb_metrics(&nm); /* the first is wall_ns */
	double *v = mpb_metric_values(ps, wm);
	int rc = v ? mpb_stats_summarize(v, ps->nruns, ds->plan->seed + i, &r->wall) : -1;
	free(v);
	return rc;
}

/* ---- field values ---- */

static json_t *num(double v, bool have)
{
	return have && isfinite(v) ? json_real(v) : json_null();
}

static const struct mpb_point *pt_of(const struct mpb_export_row *r)
{
	return &r->ds->plan->points[r->i];
}

static const struct mpb_point_state *ps_of(const struct mpb_export_row *r)
{
	return &r->ds->pts[r->i];
}

static json_t *c_source(const struct mpb_export_row *r)
{
	return r->source ? json_string(r->source) : json_null();
}

static json_t *c_id(const struct mpb_export_row *r) { return json_integer(pt_of(r)->id); }
static json_t *c_workers(const struct mpb_export_row *r) { return json_integer(pt_of(r)->workers); }
static json_t *c_method(const struct mpb_export_row *r) { return json_string(pt_of(r)->method->name); }
static json_t *c_codec(const struct mpb_export_row *r) { return json_string(pt_of(r)->codec->name); }
static json_t *c_transport(const struct mpb_export_row *r) { return json_string(pt_of(r)->transport->name); }
static json_t *c_chunksize(const struct mpb_export_row *r) { return mpb_results_u64(pt_of(r)->chunksize); }
static json_t *c_prss(const struct mpb_export_row *r) { return json_integer((json_int_t)pt_of(r)->parent_rss); }

static json_t *c_strategy(const struct mpb_export_row *r)
{
	return json_string(mpb_chunk_strategy_name(pt_of(r)->chunk_strategy));
}

/* workload, size and tasks: of the point or of the baseline */
static json_t *c_workload(const struct mpb_export_row *r)
{
	return json_string(r->baseline ? r->ds->plan->baselines[r->i].workload->name
				       : pt_of(r)->workload->name);
}

static json_t *c_size(const struct mpb_export_row *r)
{
	return mpb_results_u64(r->baseline ? r->ds->plan->baselines[r->i].size : pt_of(r)->size);
}

static json_t *c_tasks(const struct mpb_export_row *r)
{
	return mpb_results_u64(r->baseline ? r->ds->plan->baselines[r->i].tasks : pt_of(r)->tasks);
}

/* the summary of the wall times */
static json_t *c_runs(const struct mpb_export_row *r)
{
	return r->have_wall ? json_integer((json_int_t)r->wall.n) : json_null();
}

static json_t *c_wall_median(const struct mpb_export_row *r) { return num(r->wall.median, r->have_wall); }
static json_t *c_wall_lo(const struct mpb_export_row *r) { return num(r->wall.ci_lo, r->have_wall); }
static json_t *c_wall_hi(const struct mpb_export_row *r) { return num(r->wall.ci_hi, r->have_wall); }

/* Half the width of the 95% CI of the median wall time, in percent of it. */
static json_t *c_wall_ci_pct(const struct mpb_export_row *r)
{
	return num(100.0 * (r->wall.ci_hi - r->wall.ci_lo) / 2.0 / r->wall.median,
		   r->have_wall && r->wall.median > 0);
}

/* The median over the point's runs of a field of struct mpb_sample. */
#define MEDIAN(metric) \
	static json_t *c_##metric(const struct mpb_export_row *r) \
	{ \
		const struct mpb_point_state *ps = ps_of(r); \
		return num(mpb_analysis_run_median(ps, offsetof(struct mpb_sample, metric)), \
			   ps->nruns > 0); \
	}
MEDIAN(startup_ns)
MEDIAN(map_ns)
MEDIAN(teardown_ns)
MEDIAN(compute_ns)
MEDIAN(codec_parent_ns)
MEDIAN(codec_workers_ns)
#undef MEDIAN

/* A derived figure, under the condition the results write it (results.c). */
#define DERIVED(name, expr, cond) \
	static json_t *c_##name(const struct mpb_export_row *r) \
	{ \
		const struct mpb_derived *dv = &r->dv; \
		return num(expr, r->have && (cond)); \
	}
DERIVED(speedup, dv->speedup, dv->have_speedup)
DERIVED(speedup_lo, dv->speedup_ci_lo, dv->have_speedup)
DERIVED(speedup_hi, dv->speedup_ci_hi, dv->have_speedup)
DERIVED(efficiency, dv->efficiency, dv->have_speedup)
DERIVED(karp_flatt, dv->karp_flatt, dv->have_karp_flatt)
DERIVED(ceiling_speedup, dv->ceiling_speedup, dv->have_ceiling && dv->have_ceiling_speedup)
DERIVED(vs_ceiling, dv->speedup_vs_ceiling, dv->have_ceiling)
DERIVED(overhead_per_task, dv->overhead_per_task_ns, true)
DERIVED(ser_frac, dv->serialization_fraction, true)
DERIVED(startup_per_worker, dv->startup_per_worker_ns, true)
DERIVED(startup_floors, dv->startup_per_worker_floors, dv->have_floor)
DERIVED(startup_cold_floors, dv->startup_per_worker_cold_floors, dv->have_cold_floor)
DERIVED(teardown_per_worker, dv->teardown_per_worker_ns, true)
DERIVED(teardown_floors, dv->teardown_per_worker_floors, dv->have_floor)
DERIVED(instr_frac, dv->instrumentation_fraction, true)
DERIVED(pss, dv->worker_pss_bytes, dv->have_memory)
DERIVED(ipc, dv->counters.ipc, dv->counters.have_ipc)
DERIVED(cs_per_task, dv->counters.cs_per_task, dv->counters.have_cs)
#undef DERIVED

static json_t *c_vcs(const struct mpb_export_row *r)
{
	double v, iv;
	return mpb_export_cs_per_task(r->ds, r->i, &v, &iv) == 0 ? json_real(v) : json_null();
}

static json_t *c_ivcs(const struct mpb_export_row *r)
{
	double v, iv;
	return mpb_export_cs_per_task(r->ds, r->i, &v, &iv) == 0 ? json_real(iv) : json_null();
}

/* error and error_kind: of the point or of the baseline */
static json_t *c_error(const struct mpb_export_row *r)
{
	bool failed = r->baseline ? r->ds->bls[r->i].failed : ps_of(r)->failed;
	return failed ? json_string(r->baseline ? r->ds->bls[r->i].error : ps_of(r)->error)
		      : json_null();
}

static json_t *c_error_kind(const struct mpb_export_row *r)
{
	return r->baseline ? mpb_results_error_kind(r->ds->bls[r->i].failed,
						    r->ds->bls[r->i].error_kind)
			   : mpb_results_error_kind(ps_of(r)->failed, ps_of(r)->error_kind);
}

/* ---- the field tables ---- */

#define STR MPB_FIELD_STR
#define INT MPB_FIELD_INT
#define REAL MPB_FIELD_REAL

static const struct mpb_export_field point_fields[] = {
	{ "source", STR, c_source, true, NULL, 0, true, "results file the point comes from" },
	{ "id", INT, c_id, false, NULL, 0, false, "index of the point in its plan" },
	{ "workload", STR, c_workload, true, NULL, 0, false, "workload" },
	{ "size", INT, c_size, true, NULL, 0, false, "work per task, workload unit" },
	{ "tasks", INT, c_tasks, true, NULL, 0, false, "tasks per map" },
	{ "method", STR, c_method, true, NULL, 0, false, "start method" },
	{ "codec", STR, c_codec, true, NULL, 0, false, "codec" },
	{ "transport", STR, c_transport, true, NULL, 0, false, "transport" },
	{ "chunk_strategy", STR, c_strategy, false, NULL, 0, false, "fixed, python, ..." },
	{ "chunksize", INT, c_chunksize, true, NULL, 0, false, "tasks per message (resolved)" },
	{ "parent_rss", INT, c_prss, true, "MiB", 1048576.0, false,
	  "bytes of parent memory touched before the pool starts" },
	{ "workers", INT, c_workers, true, NULL, 0, false, "pool size" },
	{ "runs", INT, c_runs, true, NULL, 0, false, "measured runs" },
	{ "wall_median_ns", REAL, c_wall_median, true, "ms", 1e6, false,
	  "median wall time (pool start to pool stopped)" },
	{ "wall_ci_lo_ns", REAL, c_wall_lo, false, "ms", 1e6, false,
	  "95% CI of the median wall time, low end" },
	{ "wall_ci_hi_ns", REAL, c_wall_hi, false, "ms", 1e6, false,
	  "95% CI of the median wall time, high end" },
	{ "wall_ci_pct", REAL, c_wall_ci_pct, true, "%", 0, false,
	  "half-width of that CI, percent of the median" },
	{ "startup_median_ns", REAL, c_startup_ns, false, "ms", 1e6, false, "median pool start-up" },
	{ "map_median_ns", REAL, c_map_ns, false, "ms", 1e6, false, "median map" },
	{ "teardown_median_ns", REAL, c_teardown_ns, false, "ms", 1e6, false, "median teardown" },
	{ "compute_median_ns", REAL, c_compute_ns, false, "ms", 1e6, false,
	  "median compute (sum over workers)" },
	{ "codec_parent_median_ns", REAL, c_codec_parent_ns, false, "us", 1e3, false,
	  "median parent codec time" },
	{ "codec_workers_median_ns", REAL, c_codec_workers_ns, false, "us", 1e3, false,
	  "median worker codec time (sum)" },
	{ "speedup", REAL, c_speedup, true, NULL, 0, false, "serial / pool wall" },
	{ "speedup_ci_lo", REAL, c_speedup_lo, true, NULL, 0, false, "95% CI of the speedup, low end" },
	{ "speedup_ci_hi", REAL, c_speedup_hi, true, NULL, 0, false,
	  "95% CI of the speedup, high end" },
	{ "efficiency", REAL, c_efficiency, true, NULL, 0, false, "speedup / workers" },
	{ "karp_flatt", REAL, c_karp_flatt, false, NULL, 0, false,
	  "experimentally determined serial fraction" },
	{ "ceiling_speedup", REAL, c_ceiling_speedup, true, NULL, 0, false,
	  "serial / bare forked processes (the machine's ceiling)" },
	{ "speedup_vs_ceiling", REAL, c_vs_ceiling, true, NULL, 0, false,
	  "pool speedup / ceiling speedup" },
	{ "overhead_per_task_ns", REAL, c_overhead_per_task, true, "us", 1e3, false,
	  "worker capacity during the map not spent computing, per task" },
	{ "serialization_fraction", REAL, c_ser_frac, true, "%", 0.01, false,
	  "share of pool capacity during the map spent in codecs" },
	{ "startup_per_worker_ns", REAL, c_startup_per_worker, true, "us", 1e3, false,
	  "median of the mean per-worker start-up" },
	{ "startup_per_worker_floors", REAL, c_startup_floors, true, NULL, 0, false,
	  "start-up per worker over the method's floor (machine.floors)" },
	{ "startup_per_worker_cold_floors", REAL, c_startup_cold_floors, false, NULL, 0, false,
	  "start-up per worker over the method's cold floor (machine.floors)" },
	{ "teardown_per_worker_ns", REAL, c_teardown_per_worker, false, "us", 1e3, false,
	  "median teardown over workers" },
	{ "teardown_per_worker_floors", REAL, c_teardown_floors, true, NULL, 0, false,
	  "teardown per worker over the method's floor (machine.floors)" },
	{ "instrumentation_fraction", REAL, c_instr_frac, false, "%", 0.01, false,
	  "the harness's own work inside the timed windows, share of the wall time" },
	{ "worker_pss_bytes", REAL, c_pss, true, "MiB", 1048576.0, false,
	  "proportional set size per worker" },
	{ "ipc", REAL, c_ipc, true, NULL, 0, false, "instructions per cycle" },
	{ "context_switches_per_task", REAL, c_cs_per_task, false, NULL, 0, false,
	  "context switches per task from the counters" },
	{ "worker_voluntary_cs_per_task", REAL, c_vcs, true, NULL, 0, false,
	  "voluntary context switches of the workers per task (rusage)" },
	{ "worker_involuntary_cs_per_task", REAL, c_ivcs, true, NULL, 0, false,
	  "involuntary context switches of the workers per task (rusage)" },
	{ "error", STR, c_error, true, NULL, 0, false, "why the point failed" },
	{ "error_kind", STR, c_error_kind, false, NULL, 0, false,
	  "the kind of fault, for machines (results/README.md)" },
};

static const struct mpb_export_field baseline_fields[] = {
	{ "source", STR, c_source, true, NULL, 0, true, "results file the baseline comes from" },
	{ "workload", STR, c_workload, true, NULL, 0, false, "workload" },
	{ "size", INT, c_size, true, NULL, 0, false, "work per task, workload unit" },
	{ "tasks", INT, c_tasks, true, NULL, 0, false, "tasks" },
	{ "runs", INT, c_runs, true, NULL, 0, false, "measured serial runs" },
	{ "wall_median_ns", REAL, c_wall_median, true, "ms", 1e6, false, "median serial wall time" },
	{ "wall_ci_lo_ns", REAL, c_wall_lo, false, "ms", 1e6, false, "CI low end" },
	{ "wall_ci_hi_ns", REAL, c_wall_hi, false, "ms", 1e6, false, "CI high end" },
	{ "wall_ci_pct", REAL, c_wall_ci_pct, true, "%", 0, false, "CI half-width, %" },
	{ "error", STR, c_error, true, NULL, 0, false, "why the baseline failed" },
	{ "error_kind", STR, c_error_kind, false, NULL, 0, false,
	  "the kind of fault, for machines (results/README.md)" },
};

#undef STR
#undef INT
#undef REAL

const struct mpb_export_field *mpb_export_point_fields(size_t *n)
{
	*n = sizeof point_fields / sizeof point_fields[0];
	return point_fields;
}

const struct mpb_export_field *mpb_export_baseline_fields(size_t *n)
{
	*n = sizeof baseline_fields / sizeof baseline_fields[0];
	return baseline_fields;
}

/* ---- values ---- */

const json_t *mpb_export_at(const json_t *o, const char *path)
{
	const char *p = path;
	while (o && *p) {
		size_t n = strcspn(p, ".");
		char key[64];
		if (n >= sizeof key)
			return NULL;
		memcpy(key, p, n);
		key[n] = '\0';
		if (json_is_array(o)) {
			char *end;
			unsigned long i = strtoul(key, &end, 10);
			o = *end ? NULL : json_array_get(o, i);
		} else {
			o = json_object_get(o, key); /* NULL for non-objects too */
		}
		p += n;
		if (*p == '.')
			p++;
	}
	return o;
}

json_t *mpb_export_value(const struct mpb_export_field *f, const struct mpb_export_row *r)
{
	return f->value(r);
}

int mpb_export_cs_per_task(const struct mpb_dataset *ds, size_t i, double *voluntary,
			   double *involuntary)
{
	const struct mpb_point_state *ps = &ds->pts[i];
	double tasks = (double)ds->plan->points[i].tasks;
	size_t n = ps->nruns, k = 0;
	if (n == 0 || !(tasks > 0))
		return -1;
	double *v = malloc(n * sizeof *v), *iv = malloc(n * sizeof *iv);
	if (!v || !iv) {
		free(v);
		free(iv);
		return -1;
	}
	for (size_t r = 0; r < n; r++) {
		const struct mpb_sample *s = &ps->runs[r];
		if (s->nworkers == 0)
			continue;
		double sv = 0, si = 0;
		for (unsigned w = 0; w < s->nworkers; w++) {
			sv += (double)s->worker[w].nvcsw;
			si += (double)s->worker[w].nivcsw;
		}
		v[k] = sv / tasks;
		iv[k++] = si / tasks;
	}
	if (k) {
		*voluntary = mpb_stats_median(v, k);
		*involuntary = mpb_stats_median(iv, k);
	}
	free(v);
	free(iv);
	return k ? 0 : -1;
}

int mpb_export_parse_format(const char *text, unsigned allowed, enum mpb_export_format *out,
			    struct mpb_diag *d)
{
	static const struct { const char *name; enum mpb_export_format f; } names[] = {
		{ "json", MPB_EXPORT_JSON }, { "csv", MPB_EXPORT_CSV }, { "md", MPB_EXPORT_MD },
		{ "html", MPB_EXPORT_HTML },
	};
	char acc[64] = "";
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (!(allowed & names[i].f))
			continue;
		if (strcmp(text, names[i].name) == 0) {
			*out = names[i].f;
			return 0;
		}
		strcat(acc, acc[0] ? ", " : "");
		strcat(acc, names[i].name);
	}
	return mpb_fail(d, MPB_EINPUT, "--format: '%s' is not accepted (accepted: %s)", text, acc);
}

/* ---- validation ---- */

static const char *type_name(const json_t *v)
{
	if (!v)
		return "absent";
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER:
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

/* Walk a dotted path; every step that exists must be a container, the leaf
 * (when present and not null) of kind k. */
static int check_path(const char *file, const char *where, const json_t *item, const char *path,
		      enum mpb_field_kind k, struct mpb_diag *d)
{
	const json_t *o = item;
	const char *p = path;
	while (*p) {
		if (!json_is_object(o) && !json_is_array(o))
			return mpb_fail(d, MPB_EINPUT, "%s: %s.%.*s is %s, expected an object",
					file, where, (int)(p - path - 1), path, type_name(o));
		size_t n = strcspn(p, ".");
		char key[64];
		if (n >= sizeof key)
			return 0;
		memcpy(key, p, n);
		key[n] = '\0';
		const json_t *next = json_is_array(o) ? json_array_get(o, strtoul(key, NULL, 10))
						      : json_object_get(o, key);
		p += n;
		if (*p == '.')
			p++;
		if (!next || json_is_null(next))
			return 0; /* absent: the exports show nothing */
		o = next;
		if (!*p) {
			bool ok = k == MPB_FIELD_STR ? json_is_string(o) : json_is_number(o);
			if (!ok)
				return mpb_fail(d, MPB_EINPUT, "%s: %s.%s is %s, expected %s", file,
						where, path, type_name(o),
						k == MPB_FIELD_STR ? "a string" : "a number");
		}
	}
	return 0;
}

/* The values of points and baselines the report reads from a document,
 * each with the kind it must have when present. */
struct checked {
	const char *path;
	enum mpb_field_kind kind;
};

static const struct checked point_paths[] = {
	{ "workload", MPB_FIELD_STR }, { "size", MPB_FIELD_INT }, { "tasks", MPB_FIELD_INT },
	{ "method", MPB_FIELD_STR }, { "codec", MPB_FIELD_STR }, { "transport", MPB_FIELD_STR },
	{ "chunk_strategy", MPB_FIELD_STR }, { "chunksize", MPB_FIELD_INT },
	{ "parent_rss", MPB_FIELD_INT }, { "workers", MPB_FIELD_INT },
	{ "summary.startup_ns.median", MPB_FIELD_REAL }, { "summary.map_ns.median", MPB_FIELD_REAL },
	{ "summary.teardown_ns.median", MPB_FIELD_REAL },
	{ "summary.compute_ns.median", MPB_FIELD_REAL },
	{ "summary.codec_parent_ns.median", MPB_FIELD_REAL },
	{ "summary.codec_workers_ns.median", MPB_FIELD_REAL },
	{ "derived.speedup", MPB_FIELD_REAL }, { "derived.speedup_ci95.0", MPB_FIELD_REAL },
	{ "derived.speedup_ci95.1", MPB_FIELD_REAL }, { "derived.efficiency", MPB_FIELD_REAL },
	{ "derived.ceiling_speedup", MPB_FIELD_REAL },
	{ "derived.ceiling_speedup_ci95.0", MPB_FIELD_REAL },
	{ "derived.ceiling_speedup_ci95.1", MPB_FIELD_REAL },
	{ "derived.serialization_fraction", MPB_FIELD_REAL }, { "derived.ipc", MPB_FIELD_REAL },
	{ "derived.ipc_unavailable_reason", MPB_FIELD_STR }, { "error", MPB_FIELD_STR },
};

static const struct checked baseline_paths[] = {
	{ "workload", MPB_FIELD_STR }, { "size", MPB_FIELD_INT }, { "tasks", MPB_FIELD_INT },
	{ "wall_ns.median", MPB_FIELD_REAL }, { "error", MPB_FIELD_STR },
};

static int check_table(const char *file, const json_t *arr, const char *what,
		       const struct checked *cs, size_t nc, struct mpb_diag *d)
{
	char where[96];
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const json_t *it = json_array_get(arr, i);
		snprintf(where, sizeof where, "%s[%zu]", what, i);
		if (!json_is_object(it))
			return mpb_fail(d, MPB_EINPUT, "%s: %s is %s, expected an object", file, where,
					type_name(it));
		for (size_t k = 0; k < nc; k++) {
			int rc = check_path(file, where, it, cs[k].path, cs[k].kind, d);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

static bool nonneg_number(const json_t *v)
{
	return json_is_number(v) && json_number_value(v) >= 0;
}

/* The run fields the report and compare compute with. */
static int check_runs(const char *file, size_t i, const json_t *p, struct mpb_diag *d)
{
	static const char *const timing[] = { "startup_ns", "map_ns", "teardown_ns", "compute_ns",
					      "bytes_sent", "bytes_received" };
	static const char *const wfields[] = { "startup_ns", "tasks", "compute_ns", "codec_ns",
					       "idle_ns", "voluntary_context_switches",
					       "involuntary_context_switches" };
	const json_t *runs = json_object_get(p, "runs");
	for (size_t r = 0; r < json_array_size(runs); r++) {
		const json_t *run = json_array_get(runs, r);
		if (!json_is_object(run))
			return mpb_fail(d, MPB_EINPUT, "%s: points[%zu].runs[%zu] is %s, expected an object",
					file, i, r, type_name(run));
		const json_t *w = json_object_get(run, "wall_ns");
		if (!json_is_number(w) || !(json_number_value(w) > 0))
			return mpb_fail(d, MPB_EINPUT,
					"%s: points[%zu].runs[%zu].wall_ns is not a positive number",
					file, i, r);
		for (size_t k = 0; k < sizeof timing / sizeof timing[0]; k++) {
			const json_t *v = json_object_get(run, timing[k]);
			if (v && !nonneg_number(v))
				return mpb_fail(d, MPB_EINPUT,
						"%s: points[%zu].runs[%zu].%s is not a number >= 0",
						file, i, r, timing[k]);
		}
		const json_t *codec = json_object_get(run, "codec_ns");
		if (codec && (!json_is_object(codec) ||
			      (json_object_get(codec, "parent") && !nonneg_number(json_object_get(codec, "parent"))) ||
			      (json_object_get(codec, "workers") && !nonneg_number(json_object_get(codec, "workers")))))
			return mpb_fail(d, MPB_EINPUT,
					"%s: points[%zu].runs[%zu].codec_ns is not {parent, workers} numbers",
					file, i, r);
		const json_t *wd = json_object_get(run, "workers_detail");
		if (wd && !json_is_array(wd))
			return mpb_fail(d, MPB_EINPUT, "%s: points[%zu].runs[%zu].workers_detail is %s, "
					"expected an array", file, i, r, type_name(wd));
		for (size_t k = 0; k < json_array_size(wd); k++) {
			const json_t *o = json_array_get(wd, k);
			if (!json_is_object(o))
				return mpb_fail(d, MPB_EINPUT, "%s: points[%zu].runs[%zu].workers_detail[%zu] "
						"is not an object", file, i, r, k);
			for (size_t f = 0; f < sizeof wfields / sizeof wfields[0]; f++) {
				const json_t *v = json_object_get(o, wfields[f]);
				if (v && !nonneg_number(v))
					return mpb_fail(d, MPB_EINPUT, "%s: points[%zu].runs[%zu]."
							"workers_detail[%zu].%s is not a number >= 0",
							file, i, r, k, wfields[f]);
			}
		}
	}
	return 0;
}

int mpb_export_validate(const char *path, const json_t *doc, struct mpb_diag *d)
{
	const json_t *points = json_object_get(doc, "points"), *bls = json_object_get(doc, "baselines");
	if (!json_is_array(points) || !json_is_array(bls))
		return mpb_fail(d, MPB_EINPUT, "%s: no \"points\" or \"baselines\" array", path);
	int rc = check_table(path, points, "points", point_paths,
			     sizeof point_paths / sizeof point_paths[0], d);
	if (rc == 0)
		rc = check_table(path, bls, "baselines", baseline_paths,
				 sizeof baseline_paths / sizeof baseline_paths[0], d);
	for (size_t i = 0; rc == 0 && i < json_array_size(points); i++) {
		const json_t *p = json_array_get(points, i);
		static const char *const axes_s[] = { "workload", "method", "codec", "transport" };
		static const char *const axes_n[] = { "size", "tasks", "chunksize", "parent_rss" };
		for (size_t k = 0; rc == 0 && k < 4; k++)
			if (!json_is_string(json_object_get(p, axes_s[k])))
				rc = mpb_fail(d, MPB_EINPUT, "%s: points[%zu].%s is missing or not a string",
					      path, i, axes_s[k]);
		for (size_t k = 0; rc == 0 && k < 4; k++)
			if (!nonneg_number(json_object_get(p, axes_n[k])))
				rc = mpb_fail(d, MPB_EINPUT, "%s: points[%zu].%s is missing or not a number >= 0",
					      path, i, axes_n[k]);
		const json_t *w = json_object_get(p, "workers");
		if (rc == 0 && (!json_is_integer(w) || json_integer_value(w) < 1))
			rc = mpb_fail(d, MPB_EINPUT, "%s: points[%zu].workers is not an integer >= 1", path, i);
		if (rc == 0 && !(json_number_value(json_object_get(p, "tasks")) >= 1))
			rc = mpb_fail(d, MPB_EINPUT, "%s: points[%zu].tasks is below 1", path, i);
		if (rc == 0 && !json_is_array(json_object_get(p, "runs")))
			rc = mpb_fail(d, MPB_EINPUT, "%s: points[%zu].runs is not an array", path, i);
		static const char *const objs[] = { "summary", "derived" };
		for (size_t k = 0; rc == 0 && k < 2; k++) {
			const json_t *o = json_object_get(p, objs[k]);
			if (o && !json_is_object(o) && !json_is_null(o))
				rc = mpb_fail(d, MPB_EINPUT, "%s: points[%zu].%s is %s, expected an object",
					      path, i, objs[k], type_name(o));
		}
		if (rc == 0)
			rc = check_runs(path, i, p, d);
	}
	for (size_t j = 0; rc == 0 && j < json_array_size(bls); j++) {
		const json_t *b = json_array_get(bls, j), *runs = json_object_get(b, "runs");
		if (runs && !json_is_array(runs))
			rc = mpb_fail(d, MPB_EINPUT, "%s: baselines[%zu].runs is not an array", path, j);
		for (size_t r = 0; rc == 0 && r < json_array_size(runs); r++)
			if (!nonneg_number(json_array_get(runs, r)))
				rc = mpb_fail(d, MPB_EINPUT, "%s: baselines[%zu].runs[%zu] is not a number >= 0",
					      path, j, r);
	}
	const json_t *m = json_object_get(doc, "machine");
	static const char *const mstr[] = { "cpu_model", "kernel", "hostname" };
	for (size_t k = 0; rc == 0 && k < 3; k++) {
		const json_t *v = json_object_get(m, mstr[k]);
		if (v && !json_is_string(v) && !json_is_null(v))
			rc = mpb_fail(d, MPB_EINPUT, "%s: machine.%s is %s, expected a string", path,
				      mstr[k], type_name(v));
	}
	const json_t *u = json_object_get(m, "usable_cpus");
	if (rc == 0 && u && !json_is_null(u) && !(json_is_integer(u) && json_integer_value(u) >= 1))
		rc = mpb_fail(d, MPB_EINPUT, "%s: machine.usable_cpus is not an integer >= 1", path);
	const json_t *an = json_object_get(doc, "analysis");
	if (rc == 0 && an && !json_is_null(an)) {
		if (!json_is_object(an))
			rc = mpb_fail(d, MPB_EINPUT, "%s: analysis is %s, expected an object", path,
				      type_name(an));
		static const char *const arrs[] = { "fits", "recommendations" };
		for (size_t k = 0; rc == 0 && k < 2; k++) {
			const json_t *a = json_object_get(an, arrs[k]);
			if (a && !json_is_array(a) && !json_is_null(a))
				rc = mpb_fail(d, MPB_EINPUT, "%s: analysis.%s is %s, expected an array",
					      path, arrs[k], type_name(a));
		}
	}
	return rc;
}

/* ---- writers ---- */

void mpb_export_format_number(double v, char *buf, size_t len)
{
	double a = fabs(v);
	if (!isfinite(v))
		snprintf(buf, len, "-");
	else if (a == 0)
		snprintf(buf, len, "0");
	else if (a >= 1e4)
		snprintf(buf, len, "%.0f", v);
	else if (a >= 1e-3)
		snprintf(buf, len, "%.4g", v); /* %g switches to exponents only outside [1e-4, 1e4) */
	else
		snprintf(buf, len, "%.3e", v);
}

struct table {
	const struct mpb_export_field *fs;
	size_t nf;
	const char *array;      /* "points" or "baselines" */
	bool baseline;
	const struct mpb_export_src *src;
	size_t nsrc;
	size_t nrows;
	struct mpb_export_row *rows;
	json_t **vals;          /* [nrows * nf] */
	bool *col;              /* [nf]: column shown */
};

static void table_free(struct table *t)
{
	for (size_t i = 0; t->vals && i < t->nrows * t->nf; i++)
		json_decref(t->vals[i]);
	free(t->vals);
	free(t->rows);
	free(t->col);
}

static int table_fill(struct table *t, bool md, struct mpb_diag *d)
{
	size_t n = 0;
	for (size_t s = 0; s < t->nsrc; s++)
		n += t->baseline ? t->src[s].ds->plan->nbaselines : t->src[s].ds->plan->npoints;
	t->rows = calloc(n ? n : 1, sizeof *t->rows);
	t->vals = calloc(n * t->nf + 1, sizeof *t->vals);
	t->col = calloc(t->nf, sizeof *t->col);
	if (!t->rows || !t->vals || !t->col)
		return mpb_fail(d, MPB_ENOMEM, "out of memory exporting %s", t->array);
	for (size_t s = 0; s < t->nsrc; s++) {
		const struct mpb_dataset *ds = t->src[s].ds;
		size_t ni = t->baseline ? ds->plan->nbaselines : ds->plan->npoints;
		for (size_t i = 0; i < ni; i++)
			if (mpb_export_row_init(&t->rows[t->nrows++], t->src[s].name, ds, i,
						t->baseline) < 0)
				return mpb_fail(d, MPB_ENOMEM, "out of memory exporting %s", t->array);
	}
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t k = 0; k < t->nf; k++) {
			json_t *v = mpb_export_value(&t->fs[k], &t->rows[r]);
			if (!v)
				return mpb_fail(d, MPB_ENOMEM, "out of memory exporting %s", t->array);
			t->vals[r * t->nf + k] = v;
		}
	for (size_t k = 0; k < t->nf; k++) {
		const struct mpb_export_field *f = &t->fs[k];
		t->col[k] = !(f->multi_only && t->nsrc < 2) && (!md || f->md);
		if (md && t->col[k]) { /* Markdown leaves out columns with nothing to show */
			bool any = false;
			for (size_t r = 0; r < t->nrows && !any; r++)
				any = !json_is_null(t->vals[r * t->nf + k]);
			t->col[k] = any;
		}
	}
	return 0;
}

void mpb_export_csv_string(FILE *f, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL && s[0] != ' ') {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

void mpb_export_md_string(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '|': case '\\': case '`': case '*': case '_': case '[': case ']': case '#':
			fputc('\\', f);
			fputc(*s, f);
			break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '\n':
		case '\r':
		case '\t': fputc(' ', f); break;
		default: fputc(*s, f);
		}
	}
}

void mpb_export_html_string(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

static void write_csv(FILE *f, const struct table *t)
{
	bool first = true;
	for (size_t k = 0; k < t->nf; k++) {
		if (!t->col[k])
			continue;
		fputs(first ? "" : ",", f);
		fputs(t->fs[k].name, f);
		first = false;
	}
	fputc('\n', f);
	for (size_t r = 0; r < t->nrows; r++) {
		first = true;
		for (size_t k = 0; k < t->nf; k++) {
			if (!t->col[k])
				continue;
			const json_t *v = t->vals[r * t->nf + k];
			fputs(first ? "" : ",", f);
			first = false;
			if (json_is_string(v)) {
				mpb_export_csv_string(f, json_string_value(v));
			} else if (!json_is_null(v)) {
				/* the JSON text of the number: the CSV holds exactly the JSON's value */
				char *s = json_dumps(v, JSON_ENCODE_ANY);
				fputs(s ? s : "", f);
				free(s);
			}
		}
		fputc('\n', f);
	}
}

/* Markdown and HTML: export_md.c chooses the columns and writes them. */
static struct mpb_md_table md_view(const struct table *t)
{
	return (struct mpb_md_table){ .fs = t->fs, .nf = t->nf, .rows = t->rows,
				      .nrows = t->nrows, .vals = t->vals, .col = t->col };
}

const char *mpb_export_raw_unit(const struct mpb_export_field *f)
{
	static const char *const times[] = { "s", "ms", "us", "ns" };
	if (!f->unit)
		return NULL;
	if (strcmp(f->unit, "%") == 0)
		return f->scale == 0 || f->scale == 1 ? "%" : "fraction";
	for (size_t i = 0; i < sizeof times / sizeof *times; i++)
		if (strcmp(f->unit, times[i]) == 0)
			return "ns";
	if (strcmp(f->unit, "B") == 0 || strstr(f->unit, "iB"))
		return "bytes";
	return f->unit;
}

/* {"schema": MPB_EXPORT_SCHEMA, "table": "points", "units": {column: unit},
 * "rows": [{column: value}]}: the units of the columns shown that have one */
static int write_json(FILE *f, const struct table *t, struct mpb_diag *d)
{
	json_t *units = json_object(), *arr = json_array();
	json_t *doc = json_pack("{s:s, s:s, s:o, s:o}", "schema", MPB_EXPORT_SCHEMA,
				"table", t->array, "units", units, "rows", arr);
	for (size_t k = 0; doc && k < t->nf; k++) {
		const char *u = t->col[k] ? mpb_export_raw_unit(&t->fs[k]) : NULL;
		if (u && json_object_set_new(units, t->fs[k].name, json_string(u)) < 0)
			arr = NULL;
	}
	for (size_t r = 0; doc && arr && r < t->nrows; r++) {
		json_t *o = json_object();
		for (size_t k = 0; o && k < t->nf; k++)
			if (t->col[k])
				json_object_set(o, t->fs[k].name, t->vals[r * t->nf + k]);
		if (!o || json_array_append_new(arr, o) < 0)
			arr = NULL;
	}
	if (!doc || !arr) {
		json_decref(doc);
		return mpb_fail(d, MPB_ENOMEM, "out of memory exporting %s", t->array);
	}
	int rc = json_dumpf(doc, f, JSON_INDENT(1));
	fputc('\n', f);
	json_decref(doc);
	return rc < 0 ? mpb_fail(d, MPB_EIO, "writing the %s table failed", t->array) : 0;
}

static int export_table(FILE *f, enum mpb_export_format fmt, bool baseline,
			const struct mpb_export_field *fs, size_t nf,
			const struct mpb_export_src *src, size_t nsrc, struct mpb_diag *d)
{
	const char *array = baseline ? "baselines" : "points";
	struct table t = { .fs = fs, .nf = nf, .array = array, .src = src, .nsrc = nsrc,
			   .baseline = baseline };
	bool md = fmt == MPB_EXPORT_MD || fmt == MPB_EXPORT_HTML;
	int rc = table_fill(&t, md, d);
	if (rc == 0) {
		switch (fmt) {
		case MPB_EXPORT_CSV: write_csv(f, &t); break;
		case MPB_EXPORT_MD:
		case MPB_EXPORT_HTML: {
			struct mpb_md_table v = md_view(&t);
			mpb_export_md_choose(&v);
			mpb_export_md_write(f, &v, fmt == MPB_EXPORT_HTML);
			break;
		}
		case MPB_EXPORT_JSON: rc = write_json(f, &t, d); break;
		}
	}
	table_free(&t);
	if (rc == 0 && (fflush(f) != 0 || ferror(f)))
		rc = mpb_fail(d, MPB_EIO, "writing the %s table failed", array);
	return rc;
}

int mpb_export_points(FILE *f, enum mpb_export_format fmt, const struct mpb_export_src *src,
		      size_t nsrc, struct mpb_diag *d)
{
	size_t nf;
	const struct mpb_export_field *fs = mpb_export_point_fields(&nf);
	return export_table(f, fmt, false, fs, nf, src, nsrc, d);
}

int mpb_export_baselines(FILE *f, enum mpb_export_format fmt, const struct mpb_export_src *src,
			 size_t nsrc, struct mpb_diag *d)
{
	size_t nf;
	const struct mpb_export_field *fs = mpb_export_baseline_fields(&nf);
	return export_table(f, fmt, true, fs, nf, src, nsrc, d);
}

int mpb_export_sweep(FILE *f, enum mpb_export_format fmt, const struct mpb_dataset *s,
		     struct mpb_diag *d)
{
	struct mpb_export_src src = { "", s };
	return mpb_export_points(f, fmt, &src, 1, d);
}
