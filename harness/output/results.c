/* results.c — build, write and read the results document (see results.h). */
#include "results.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "analysis.h"
#include "ceiling_ratios.h"
#include "counters_report.h"
#include "dataset.h"
#include "fit.h"
#include "jsonreal.h"
#include "frame.h"
#include "machine.h"
#include "mpb_config.h"
#include "mpb_git.h"
#include "outfile.h"
#include "overhead.h"
#include "recommend.h"
#include "sampling_verdict.h"
#include "stats.h"
#include "warnings.h"

json_t *mpb_results_u64(uint64_t v)
{
	return mpb_dataset_u64_json(v);
}

#define u64 mpb_results_u64

json_t *mpb_results_error_kind(bool failed, const char *kind)
{
	return failed ? json_string(kind ? kind : mpb_diag_kind(MPB_ERUN, MPB_CAUSE_NONE))
		      : json_null();
}

static json_t *real_or_null(double v, int have)
{
	return have && v == v && v - v == 0 ? json_real(v) : json_null();
}

static json_t *workers_json(const struct mpb_sample *r)
{
	json_t *a = json_array();
	for (unsigned k = 0; a && k < r->nworkers; k++) {
		const struct mpb_worker_report *w = &r->worker[k];
		json_array_append_new(a, json_pack("{s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
			"index", (json_int_t)k, "pid", (json_int_t)w->pid,
			"startup_ns", u64(w->startup_ns), "tasks", u64(w->tasks),
			"compute_ns", u64(w->compute_ns), "codec_ns", u64(w->codec_ns),
			"idle_ns", u64(w->idle_ns),
			"voluntary_context_switches", u64(w->nvcsw),
			"involuntary_context_switches", u64(w->nivcsw),
			"minor_faults", u64(w->minflt), "major_faults", u64(w->majflt),
			"maxrss_bytes", u64(w->maxrss_kb * 1024)));
		json_t *o = json_array_get(a, json_array_size(a) - 1);
		json_object_set_new(o, "send_ns", u64(w->send_ns));   /* overhead split */
		json_object_set_new(o, "serve_ns", u64(w->serve_ns));
		json_object_set_new(o, "rss_bytes", w->has_memory ? u64(w->rss_kb * 1024) : json_null());
		json_object_set_new(o, "pss_bytes", w->has_memory ? u64(w->pss_kb * 1024) : json_null());
		json_object_set_new(o, "private_dirty_bytes",
				    w->has_memory ? u64(w->private_dirty_kb * 1024) : json_null());
		json_object_set_new(o, "instrumentation_ns", u64(w->instrumentation_ns));
		json_object_set_new(o, "readout_ns", u64(w->readout_ns));
		const struct mpb_startup_timeline *t = &w->timeline;
		json_object_set_new(o, "startup_timeline",
				    json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "launched_ns",
					      u64(t->launched_ns), "running_ns", u64(t->running_ns),
					      "counted_ns", u64(t->counted_ns), "ready_ns",
					      u64(t->ready_ns), "ready_read_ns", u64(t->ready_read_ns),
					      "faults", t->has_faults ? u64(t->faults) : json_null()));
	}
	return a;
}

static json_t *run_json(const struct mpb_sample *r)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:{s:o, s:o}, s:o, s:o, s:o}",
		"wall_ns", u64(r->wall_ns), "startup_ns", u64(r->startup_ns),
		"map_ns", u64(r->map_ns), "teardown_ns", u64(r->teardown_ns),
		"instrumentation_ns", u64(r->instrumentation_ns),
		"compute_ns", u64(r->compute_ns),
		"codec_ns", "parent", u64(r->codec_parent_ns), "workers", u64(r->codec_workers_ns),
		"bytes_sent", u64(r->bytes_sent), "bytes_received", u64(r->bytes_received),
		"workers_detail", workers_json(r));
}

static json_t *summary_of(const double *v, size_t n, uint64_t seed)
{
	struct mpb_summary sm;
	if (n == 0 || mpb_stats_summarize(v, n, seed, &sm) < 0)
		return json_null();
	return mpb_stats_summary_json(&sm);
}

/* Every metric's summary (bootstrap CIs) over point i's runs: the same
 * until it has more runs, so kept between rewrites of the results (a new
 * reference each time). */
static json_t *point_summary(const struct mpb_dataset *s, size_t i)
{
	const struct mpb_point_state *ps = &s->pts[i];
	json_t *summary = mpb_analysis_memo_summary(s, i);
	if (summary)
		return json_incref(summary);
	summary = json_object();
	size_t nm;
	const struct mpb_metric *ms = mpb_metrics(&nm);
	for (size_t k = 0; summary && k < nm && ps->nruns; k++) {
		double *v = mpb_metric_values(ps, &ms[k]);
		if (v)
			json_object_set_new(summary, ms[k].name, summary_of(v, ps->nruns, s->plan->seed + i));
		free(v);
	}
	mpb_counters_summaries_json(summary, s, i);
	mpb_analysis_memo_keep_summary(s, i, summary);
	return summary;
}

static json_t *point_json(const struct mpb_dataset *s, size_t i)
{
	const struct mpb_point *pt = &s->plan->points[i];
	const struct mpb_point_state *ps = &s->pts[i];
	json_t *o = json_pack("{s:I, s:s, s:o, s:o, s:I, s:s, s:s, s:s, s:o, s:s, s:I}",
		"id", (json_int_t)pt->id, "workload", pt->workload->name,
		"size", u64(pt->size), "tasks", u64(pt->tasks),
		"workers", (json_int_t)pt->workers, "method", pt->method->name,
		"codec", pt->codec->name, "transport", pt->transport->name,
		"chunksize", u64(pt->chunksize),
		"chunk_strategy", mpb_chunk_strategy_name(pt->chunk_strategy),
		"parent_rss", (json_int_t)pt->parent_rss);
	if (!o)
		return NULL;
	json_t *runs = json_array();
	for (size_t r = 0; r < ps->nruns; r++) {
		json_t *rj = run_json(&ps->runs[r]);
		mpb_counters_run_json(rj, s->counters, &ps->runs[r]);
		mpb_overhead_run_json(rj, &ps->runs[r]);
		if (ps->runs[r].cmd) /* workload cmd: the command's record (cmd_point.h) */
			json_object_set(rj, "cmd", ps->runs[r].cmd);
		json_array_append_new(runs, rj);
	}
	json_object_set_new(o, "runs", runs);
	json_object_set_new(o, "summary", point_summary(s, i));

	struct mpb_derived dv;
	int have = mpb_analysis_point(s, i, &dv) == 0;
	json_t *der = json_object();
	json_object_set_new(der, "speedup", real_or_null(dv.speedup, have && dv.have_speedup));
	json_object_set_new(der, "speedup_ci95", have && dv.have_speedup
		? json_pack("[f, f]", dv.speedup_ci_lo, dv.speedup_ci_hi) : json_null());
	json_object_set_new(der, "efficiency", real_or_null(dv.efficiency, have && dv.have_speedup));
	json_object_set_new(der, "karp_flatt", real_or_null(dv.karp_flatt, have && dv.have_karp_flatt));
	json_object_set_new(der, "overhead_per_task_ns", real_or_null(dv.overhead_per_task_ns, have));
	json_object_set_new(der, "serialization_fraction", real_or_null(dv.serialization_fraction, have));
	mpb_overhead_derived_json(der, ps);
	json_object_set_new(der, "startup_per_worker_ns", real_or_null(dv.startup_per_worker_ns, have));
	json_object_set_new(der, "teardown_per_worker_ns", real_or_null(dv.teardown_per_worker_ns, have));
	bool fl = have && dv.have_floor;
	json_object_set_new(der, "startup_per_worker_floors",
			    real_or_null(dv.startup_per_worker_floors, fl));
	json_object_set_new(der, "teardown_per_worker_floors",
			    real_or_null(dv.teardown_per_worker_floors, fl));
	json_object_set_new(der, "startup_per_worker_cold_floors",
			    real_or_null(dv.startup_per_worker_cold_floors, have && dv.have_cold_floor));
	json_object_set_new(der, "instrumentation_fraction",
			    real_or_null(dv.instrumentation_fraction, have));
	bool mem = have && dv.have_memory;
	json_object_set_new(der, "worker_rss_bytes", real_or_null(dv.worker_rss_bytes, mem));
	json_object_set_new(der, "worker_pss_bytes", real_or_null(dv.worker_pss_bytes, mem));
	json_object_set_new(der, "worker_private_dirty_bytes",
			    real_or_null(dv.worker_private_dirty_bytes, mem));
	bool ceil = have && dv.have_ceiling, cs = ceil && dv.have_ceiling_speedup;
	json_object_set_new(der, "ceiling_speedup", real_or_null(dv.ceiling_speedup, cs));
	json_object_set_new(der, "ceiling_speedup_ci95", cs
		? json_pack("[f, f]", dv.ceiling_speedup_ci_lo, dv.ceiling_speedup_ci_hi) : json_null());
	json_object_set_new(der, "speedup_vs_ceiling", real_or_null(dv.speedup_vs_ceiling, ceil));
	json_object_set_new(der, "speedup_vs_ceiling_ci95", ceil
		? json_pack("[f, f]", dv.speedup_vs_ceiling_ci_lo, dv.speedup_vs_ceiling_ci_hi)
		: json_null());
	mpb_counters_derived_json(der, s->counters, have ? &dv.counters : NULL);
	json_object_set_new(o, "derived", der);
	json_object_set_new(o, "sampling", mpb_sampling_point_json(s, i));
	json_object_set_new(o, "warnings", mpb_warnings_point_json(s, i));
	json_object_set_new(o, "error", ps->failed ? json_string(ps->error) : json_null());
	json_object_set_new(o, "error_kind", mpb_results_error_kind(ps->failed, ps->error_kind));
	return o;
}

static json_t *baseline_json(const struct mpb_dataset *s, size_t j)
{
	const struct mpb_baseline *b = &s->plan->baselines[j];
	const struct mpb_wall_state *bs = &s->bls[j];
	json_t *runs = json_array();
	for (size_t r = 0; r < bs->n; r++)
		json_array_append_new(runs, u64((uint64_t)bs->wall_ns[r]));
	return json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "workload", b->workload->name,
		"size", u64(b->size), "tasks", u64(b->tasks), "runs", runs,
		"wall_ns", summary_of(bs->wall_ns, bs->n, s->plan->seed),
		"sampling", mpb_sampling_baseline_json(s, j),
		"warnings", mpb_warnings_baseline_json(s, j),
		"error", bs->failed ? json_string(bs->error) : json_null(),
		"error_kind", mpb_results_error_kind(bs->failed, bs->error_kind));
}

/* A ceiling: its runs, their summary and its speedup over the serial
 * baseline it shares its tasks with. */
static json_t *ceiling_json(const struct mpb_dataset *s, size_t j)
{
	const struct mpb_ceiling *c = &s->plan->ceilings[j];
	const struct mpb_wall_state *cs = &s->cls[j];
	const struct mpb_wall_state *bs = &s->bls[c->baseline];
	struct mpb_ceiling_ratios cr;
	bool sp = mpb_ceiling_ratios(bs->wall_ns, bs->n, cs->wall_ns, cs->n, NULL, 0,
				     s->plan->seed + j, &cr) == 0 && cr.have_speedup;
	json_t *runs = json_array();
	for (size_t r = 0; r < cs->n; r++)
		json_array_append_new(runs, u64((uint64_t)cs->wall_ns[r]));
	return json_pack("{s:s, s:o, s:o, s:I, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
		"workload", c->workload->name, "size", u64(c->size), "tasks", u64(c->tasks),
		"workers", (json_int_t)c->workers, "over", mpb_method_ceiling_name(c->over),
		"runs", runs,
		"wall_ns", summary_of(cs->wall_ns, cs->n, s->plan->seed + j),
		"speedup", real_or_null(cr.speedup, sp),
		"speedup_ci95", sp ? json_pack("[f, f]", cr.speedup_ci_lo, cr.speedup_ci_hi)
				   : json_null(),
		"efficiency", real_or_null(cr.speedup / c->workers, sp),
		"error", cs->failed ? json_string(cs->error) : json_null(),
		"error_kind", mpb_results_error_kind(cs->failed, cs->error_kind));
}

/* analysis.fits and analysis.recommendations, every warning, and tune's
 * record. With doc NULL this does nothing and fails. */
static int add_analysis(json_t *doc, const struct mpb_dataset *s)
{
	json_t *an = json_object_get(doc, "analysis");
	int bad = json_object_set_new(an, "fits", mpb_fit_sweep_json(s)) < 0;
	bad |= json_object_set_new(an, "recommendations", mpb_recommend_json(s)) < 0;
	bad |= json_object_set_new(doc, "warnings", mpb_warnings_sweep_json(s)) < 0;
	if (s->tune)
		bad |= json_object_set(doc, "tune", s->tune) < 0;
	return bad ? -1 : 0;
}

json_t *mpb_results_tool(const struct mpb_build *b)
{
	json_t *t = json_pack("{s:s, s:s, s:s}", "name", "mpbench", "version", MPB_VERSION, "git",
			      MPB_GIT);
	if (t && b && mpb_build_to_json(b, t) < 0) {
		json_decref(t);
		return NULL;
	}
	return t;
}

json_t *mpb_results_build(const struct mpb_dataset *s)
{
	json_t *cmd = json_array(), *points = json_array(), *bls = json_array();
	for (int i = 0; i < s->argc; i++)
		json_array_append_new(cmd, json_string(s->argv[i]));
	for (size_t i = 0; i < s->plan->npoints; i++)
		json_array_append_new(points, point_json(s, i));
	for (size_t j = 0; j < s->plan->nbaselines; j++)
		json_array_append_new(bls, baseline_json(s, j));
	json_t *cls = json_array();
	for (size_t j = 0; s->cls && j < s->plan->nceilings; j++)
		json_array_append_new(cls, ceiling_json(s, j));
	json_t *doc = json_pack("{s:s, s:o, s:o, s:s, s:s, s:s, s:o, s:O, s:O, s:o, s:o, s:{s:[], s:[]}}",
		"schema", MPB_RESULTS_SCHEMA,
		"tool", mpb_results_tool(s->machine ? &s->machine->build : NULL),
		"command", cmd, "started", s->started, "finished", s->finished,
		"status", s->status ? s->status : "running",
		"machine", mpb_machine_to_json(s->machine),
		"options", s->options ? s->options : json_null(),
		"config", s->plan->config ? s->plan->config : json_null(),
		"baselines", bls, "points", points,
		"analysis", "fits", "recommendations");
	json_object_set_new(json_object_get(doc, "machine"), "counters",
			    mpb_counters_machine_json(s->counters));
	json_object_set_new(doc, "label", s->plan->label[0] ? json_string(s->plan->label) : json_null());
	json_object_set_new(doc, "start_busy_cpus", real_or_null(s->start_busy_cpus,
								 s->start_busy_cpus >= 0));
	/* with doc NULL this releases cls */
	if (json_object_set_new(doc, "ceilings", cls) < 0 || add_analysis(doc, s) < 0) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

/* Whether the document holds a measured run of any point, baseline or
 * ceiling. */
static bool measured_any(json_t *doc)
{
	static const char *const lists[] = { "points", "baselines", "ceilings" };
	for (size_t k = 0; k < sizeof lists / sizeof *lists; k++) {
		json_t *a = json_object_get(doc, lists[k]), *it;
		size_t i;
		json_array_foreach(a, i, it)
			if (json_array_size(json_object_get(it, "runs")) > 0)
				return true;
	}
	return false;
}

int mpb_results_write(const char *path, json_t *doc, struct mpb_diag *d)
{
	char *text = json_dumps(doc, JSON_INDENT(1) | JSON_SORT_KEYS);
	if (!text)
		return mpb_fail(d, MPB_EIO, "%s: could not serialize results", path);
	const char *status = json_string_value(json_object_get(doc, "status"));
	bool final = !status || strcmp(status, "running") != 0;
	/* reals as the fewest digits that read back exactly (jsonreal.h) */
	size_t n = mpb_jsonreal_shorten(text);
	text[n] = '\n'; /* json_dumps leaves room for the NUL, which becomes the newline */
	/* only a sweep that ended early can have measured nothing */
	bool early = status && (strcmp(status, "interrupted") == 0 || strcmp(status, "failed") == 0);
	int rc = mpb_outfile_write(path, text, n + 1, final, !early || measured_any(doc), d);
	free(text);
	return rc;
}

int mpb_results_check_path(const char *path, struct mpb_diag *d)
{
	return mpb_outfile_claim(path, d);
}

int mpb_results_default_path(const struct mpb_machine *m, char *buf, size_t len,
			     struct mpb_diag *d)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	if (mkdir("results", 0755) < 0 && errno != EEXIST)
		return mpb_fail_errno(d, MPB_EINPUT, errno, "cannot create directory 'results'");
	/* a sweep started in the same second as another gets the next free
	 * suffix, so concurrent sweeps never share a file */
	const char *host = m->hostname[0] ? m->hostname : "host";
	for (unsigned k = 1; k < 1000; k++) {
		char sfx[16] = "";
		if (k > 1)
			snprintf(sfx, sizeof sfx, "-%u", k);
		int n = snprintf(buf, len, "results/%s-%s%s.json", host, stamp, sfx);
		if (n < 0 || (size_t)n >= len)
			return mpb_fail(d, MPB_EINPUT, "results path too long");
		int rc = mpb_outfile_claim_unused(buf, d);
		if (rc <= 0)
			return rc;
	}
	return mpb_fail(d, MPB_EINPUT, "results/%s-%s.json: no free name", host, stamp);
}

int mpb_results_load(const char *path, json_t **out, struct mpb_diag *d)
{
	return mpb_dataset_load_doc(path, out, d);
}
