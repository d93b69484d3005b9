/* dataset_load.c — a results file read back into the model (see
 * dataset_load.h). Every value read is checked where it is read; an error
 * names the file and the key's place ("points[2].runs[0].wall_ns"). */
#include "dataset_load.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "method.h"
#include "workload.h"

static int bad(struct mpb_diag *d, const char *path, const char *what)
{
	return mpb_fail(d, MPB_EINPUT, "%s: not an mpbench results file: %s", path, what);
}

int mpb_dataset_load_doc(const char *path, json_t **out, struct mpb_diag *d)
{
	json_error_t err;
	*out = NULL;
	json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
	if (!doc) {
		if (err.line < 0 || strstr(err.text, "unable to open"))
			return mpb_fail(d, MPB_EINPUT, "%s: cannot read: %s", path, err.text);
		return mpb_fail(d, MPB_EINPUT, "%s: invalid JSON at line %d column %d: %s", path,
				err.line, err.column, err.text);
	}
	int rc = 0;
	const char *schema = json_string_value(json_object_get(doc, "schema"));
	json_t *points = json_object_get(doc, "points"), *bls = json_object_get(doc, "baselines");
	if (!json_is_object(doc))
		rc = bad(d, path, "top level is not an object");
	else if (!schema)
		rc = bad(d, path, "no \"schema\" string");
	else if (strcmp(schema, MPB_RESULTS_SCHEMA) != 0)
		rc = mpb_fail(d, MPB_EINPUT, "%s: schema '%s' is not supported (accepted: %s)", path,
			      schema, MPB_RESULTS_SCHEMA);
	else if (!json_is_object(json_object_get(doc, "machine")))
		rc = bad(d, path, "no \"machine\" object");
	else if (!json_is_array(points) || !json_is_array(bls))
		rc = bad(d, path, "no \"points\" or \"baselines\" array");
	for (size_t i = 0; rc == 0 && i < json_array_size(points); i++) {
		json_t *p = json_array_get(points, i);
		if (!json_is_object(p) || !json_is_string(json_object_get(p, "workload")) ||
		    !json_is_string(json_object_get(p, "method")) ||
		    !json_is_integer(json_object_get(p, "workers")) ||
		    !json_is_number(json_object_get(p, "size")) ||
		    !json_is_number(json_object_get(p, "tasks")) ||
		    !json_is_array(json_object_get(p, "runs")))
			rc = mpb_fail(d, MPB_EINPUT,
				      "%s: points[%zu] lacks workload, method, workers, size, tasks or runs",
				      path, i);
	}
	if (rc < 0) {
		json_decref(doc);
		return rc;
	}
	*out = doc;
	return 0;
}

/* ---- reading values, each with its place for the error ------------------ */

struct rd {
	const char *path;
	struct mpb_diag *d;
	char where[96];        /* "points[2].runs[0]" */
	int rc;                /* the first error */
};

static void place(struct rd *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void place(struct rd *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->where, sizeof r->where, fmt, ap);
	va_end(ap);
}

static void fail(struct rd *r, const char *key, const char *what)
{
	if (r->rc == 0)
		r->rc = mpb_fail(r->d, MPB_EINPUT, "%s: %s%s%s %s", r->path, r->where,
				 r->where[0] && key[0] ? "." : "", key, what);
}

/* An unsigned count: absent or null is 0 (a key the file predates). */
static uint64_t u64(struct rd *r, const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v))
		return 0;
	if (json_is_integer(v) && json_integer_value(v) >= 0)
		return (uint64_t)json_integer_value(v);
	if (json_is_real(v) && json_real_value(v) >= 0 && json_real_value(v) < 1.9e19)
		return (uint64_t)json_real_value(v);
	fail(r, key, "is not a number >= 0");
	return 0;
}

static double real(struct rd *r, const json_t *o, const char *key, double dflt)
{
	const json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v))
		return dflt;
	if (!json_is_number(v))
		fail(r, key, "is not a number");
	return json_number_value(v);
}

/* A string of the document (borrowed), or NULL when absent or null. */
static const char *str(struct rd *r, const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	if (v && !json_is_null(v) && !json_is_string(v))
		fail(r, key, "is not a string");
	return json_string_value(v);
}

static const struct mpb_workload_ops *workload_of(struct rd *r, const json_t *o)
{
	const char *name = str(r, o, "workload");
	const struct mpb_workload_ops *w = name ? mpb_workload_find(name) : NULL;
	if (!w)
		fail(r, "workload", "is not a workload of this mpbench");
	return w;
}

/* ---- the plan ------------------------------------------------------------ */

static enum mpb_chunk_strategy strategy_of(struct rd *r, const json_t *p)
{
	const char *name = str(r, p, "chunk_strategy");
	for (int k = MPB_CHUNK_FIXED; name && k <= MPB_CHUNK_AUTO; k++)
		if (strcmp(name, mpb_chunk_strategy_name((enum mpb_chunk_strategy)k)) == 0)
			return (enum mpb_chunk_strategy)k;
	if (name)
		fail(r, "chunk_strategy", "is not fixed, python or auto");
	return MPB_CHUNK_FIXED;
}

static size_t baseline_of(const struct mpb_plan *pl, const struct mpb_workload_ops *w,
			  uint64_t size, uint64_t tasks)
{
	for (size_t j = 0; j < pl->nbaselines; j++)
		if (pl->baselines[j].workload == w && pl->baselines[j].size == size &&
		    pl->baselines[j].tasks == tasks)
			return j;
	return SIZE_MAX;
}

static void read_walls(struct rd *r, const json_t *o, struct mpb_wall_state *ws)
{
	const json_t *runs = json_object_get(o, "runs");
	if (runs && !json_is_array(runs))
		fail(r, "runs", "is not an array");
	ws->n = ws->cap = json_array_size(runs);
	ws->wall_ns = calloc(ws->n ? ws->n : 1, sizeof *ws->wall_ns);
	if (!ws->wall_ns) {
		r->rc = r->rc ? r->rc : -MPB_ENOMEM;
		ws->n = ws->cap = 0;
		return;
	}
	for (size_t k = 0; k < ws->n; k++) {
		const json_t *v = json_array_get(runs, k);
		if (!json_is_number(v) || json_number_value(v) < 0)
			fail(r, "runs", "holds a value that is not a number >= 0");
		ws->wall_ns[k] = json_number_value(v);
	}
}

/* error, error_kind and sampling of an item. */
static void read_outcome(struct rd *r, const json_t *o, size_t nruns, bool *failed,
			 char error[512], const char **kind, struct mpb_sampling_acct *acct)
{
	const char *e = str(r, o, "error");
	*failed = e != NULL;
	snprintf(error, 512, "%s", e ? e : "");
	*kind = str(r, o, "error_kind");
	const json_t *smp = json_object_get(o, "sampling");
	if (!acct || !json_is_object(smp))
		return;
	acct->spent_ns = u64(r, smp, "spent_ns");
	acct->timed_runs = nruns;
	bool cpu = json_is_number(json_object_get(smp, "cpu_ns"));
	acct->cpu_ns = u64(r, smp, "cpu_ns");
	acct->cpu_runs = cpu ? nruns : 0;
}

static int read_plan(struct rd *r, const json_t *doc, struct mpb_loaded *l)
{
	struct mpb_plan *pl = &l->plan;
	const json_t *bls = json_object_get(doc, "baselines"), *cls = json_object_get(doc, "ceilings");
	const json_t *pts = json_object_get(doc, "points"), *cfg = json_object_get(doc, "config");
	pl->config = json_is_object(cfg) ? (json_t *)cfg : NULL;
	place(r, "%s", "");
	const char *label = str(r, doc, "label"); /* absent in files from before --label */
	snprintf(pl->label, sizeof pl->label, "%s", label ? label : "");
	place(r, "config");
	pl->seed = u64(r, cfg, "seed");
	pl->runs = u64(r, cfg, "runs");
	pl->warmup = u64(r, cfg, "warmup");
	const struct mpb_workload_option *o; /* the workloads' own options (workload.h) */
	for (size_t k = 0; (o = mpb_workload_option_at(k)); k++)
		*mpb_workload_option_field(&pl->wopts, o) = u64(r, cfg, o->key);
	pl->nbaselines = json_array_size(bls);
	pl->nceilings = json_is_array(cls) ? json_array_size(cls) : 0;
	pl->npoints = json_array_size(pts);
	pl->baselines = calloc(pl->nbaselines ? pl->nbaselines : 1, sizeof *pl->baselines);
	pl->ceilings = calloc(pl->nceilings ? pl->nceilings : 1, sizeof *pl->ceilings);
	pl->points = calloc(pl->npoints ? pl->npoints : 1, sizeof *pl->points);
	if (!pl->baselines || !pl->ceilings || !pl->points)
		return -MPB_ENOMEM;
	for (size_t j = 0; r->rc == 0 && j < pl->nbaselines; j++) {
		const json_t *b = json_array_get(bls, j);
		place(r, "baselines[%zu]", j);
		if (!json_is_object(b))
			fail(r, "", "is not an object");
		pl->baselines[j] = (struct mpb_baseline){ workload_of(r, b), u64(r, b, "size"),
							  u64(r, b, "tasks") };
	}
	for (size_t j = 0; r->rc == 0 && j < pl->nceilings; j++) {
		const json_t *c = json_array_get(cls, j);
		place(r, "ceilings[%zu]", j);
		if (!json_is_object(c))
			fail(r, "", "is not an object");
		struct mpb_ceiling *ce = &pl->ceilings[j];
		*ce = (struct mpb_ceiling){ workload_of(r, c), u64(r, c, "size"), u64(r, c, "tasks"),
					    (unsigned)u64(r, c, "workers"), 0,
					    MPB_METHOD_CEILING_PROCESSES };
		/* absent in files from before the mpi ceiling: bare processes */
		const json_t *over = json_object_get(c, "over");
		int kind = json_is_string(over) ? mpb_method_ceiling_find(json_string_value(over))
						: MPB_METHOD_CEILING_PROCESSES;
		if (r->rc == 0 && kind < 0)
			fail(r, "over", "is not a kind of ceiling of this mpbench");
		ce->over = kind < 0 ? MPB_METHOD_CEILING_PROCESSES : (enum mpb_method_ceiling)kind;
		ce->baseline = baseline_of(pl, ce->workload, ce->size, ce->tasks);
		if (r->rc == 0 && ce->baseline == SIZE_MAX)
			fail(r, "", "has no serial baseline of its workload, size and tasks");
	}
	for (size_t i = 0; r->rc == 0 && i < pl->npoints; i++) {
		const json_t *p = json_array_get(pts, i);
		struct mpb_point *pt = &pl->points[i];
		place(r, "points[%zu]", i);
		pt->id = (unsigned)u64(r, p, "id");
		pt->workload = workload_of(r, p);
		pt->size = u64(r, p, "size");
		pt->tasks = u64(r, p, "tasks");
		pt->parent_rss = u64(r, p, "parent_rss");
		pt->workers = (unsigned)u64(r, p, "workers");
		const char *m = str(r, p, "method"), *c = str(r, p, "codec");
		if (r->rc == 0 && !(pt->method = m ? mpb_method_find(m) : NULL))
			fail(r, "method", "is not a start method of this mpbench");
		if (r->rc == 0 && !(pt->codec = c ? mpb_codec_find(c) : NULL))
			fail(r, "codec", "is not a codec of this mpbench");
		const char *t = str(r, p, "transport");
		if (r->rc == 0 && !(pt->transport = t ? mpb_transport_find(t) : NULL))
			fail(r, "transport", "is not a transport of this mpbench");
		pt->chunk_strategy = strategy_of(r, p);
		pt->chunksize = u64(r, p, "chunksize");
		pt->baseline = baseline_of(pl, pt->workload, pt->size, pt->tasks);
		if (r->rc == 0 && pt->baseline == SIZE_MAX)
			fail(r, "", "has no serial baseline of its workload, size and tasks");
		pt->ceiling = MPB_NO_CEILING;
		for (size_t j = 0; j < pl->nceilings; j++)
			if (pt->method && pl->ceilings[j].baseline == pt->baseline &&
			    pl->ceilings[j].workers == pt->workers &&
			    pl->ceilings[j].over == pt->method->ceiling)
				pt->ceiling = j;
	}
	return r->rc;
}

/* ---- machine and counters ------------------------------------------------ */

static void copy_str(struct rd *r, const json_t *o, const char *key, char *dst, size_t len)
{
	const char *s = str(r, o, key);
	snprintf(dst, len, "%s", s ? s : "");
}

static void read_machine(struct rd *r, const json_t *m, struct mpb_machine *out)
{
	place(r, "machine");
	copy_str(r, m, "hostname", out->hostname, sizeof out->hostname);
	copy_str(r, m, "cpu_model", out->cpu_model, sizeof out->cpu_model);
	copy_str(r, m, "kernel", out->kernel, sizeof out->kernel);
	copy_str(r, m, "arch", out->arch, sizeof out->arch);
	copy_str(r, m, "governor", out->governor, sizeof out->governor);
	mpb_cpu_from_json(m, &out->cpu);
	out->online_cpus = (int)u64(r, m, "online_cpus");
	out->affinity_cpus = (int)u64(r, m, "affinity_cpus");
	out->usable_cpus = (int)u64(r, m, "usable_cpus");
	out->physical_cores = (int)u64(r, m, "physical_cores");
	out->cgroup_cpu_quota = real(r, m, "cgroup_cpu_quota", 0);
	out->smt = json_is_true(json_object_get(m, "smt"));
	out->memory_bytes = u64(r, m, "memory_bytes");
	out->mem_available_bytes = u64(r, m, "mem_available_bytes");
	const json_t *par = json_object_get(m, "perf_event_paranoid");
	out->perf_event_paranoid = json_is_integer(par) ? (int)json_integer_value(par) : -100;
	const json_t *np = json_object_get(m, "max_user_processes");
	out->max_user_processes = json_is_integer(np) ? (long)json_integer_value(np) : -1;
	out->loadavg1 = real(r, m, "loadavg1", 0);
	const json_t *fl = json_object_get(m, "floors"), *sc = json_object_get(m, "selfcheck");
	out->has_floors = json_is_object(fl);
	if (out->has_floors)
		out->floors = (struct mpb_floor){
			.pipe_rtt_ns = real(r, fl, "pipe_rtt_ns", 0),
			.fork_exit_wait_ns = real(r, fl, "fork_exit_wait_ns", 0),
			.spawn_exit_wait_ns = real(r, fl, "spawn_exit_wait_ns", 0),
			.thread_create_join_ns = real(r, fl, "thread_create_join_ns", 0),
			.fork_exit_wait_cold_ns = real(r, fl, "fork_exit_wait_cold_ns", 0),
			.spawn_exit_wait_cold_ns = real(r, fl, "spawn_exit_wait_cold_ns", 0),
			.thread_create_join_cold_ns = real(r, fl, "thread_create_join_cold_ns", 0),
			/* null or absent when not measured */
			.mpi_launch_ns = real(r, fl, "mpi_launch_ns", 0),
			.mpi_launch_ranks = (unsigned)real(r, fl, "mpi_launch_ranks", 0),
			.mpi_rtt_ns = real(r, fl, "mpi_rtt_ns", 0),
		};
	if (json_is_object(sc)) {
		out->selfcheck = (struct mpb_selfcheck){
			.runs = (unsigned)u64(r, sc, "runs"),
			.empty_run_ns = real(r, sc, "empty_run_ns", 0),
			.floors_ns = real(r, sc, "floors_ns", 0),
		};
		mpb_selfcheck_derive(&out->selfcheck);
	}
}

/* machine.environment: the MPBENCH_* variables that were set. Whether one
 * changed what was measured was judged where the file was written (the
 * worker image beside that mpbench): its "environment" warning says so. */
static void read_environment(struct rd *r, const json_t *doc, struct mpb_machine *out)
{
	const json_t *env = json_object_get(json_object_get(doc, "machine"), "environment");
	const json_t *warnings = json_object_get(doc, "warnings");
	const char *name;
	const json_t *v;
	place(r, "machine.environment");
	json_object_foreach((json_t *)env, name, v) {
		if (!json_is_string(v)) {
			fail(r, name, "is not a string");
			return;
		}
		if (out->nenv == MPB_MACHINE_ENV_MAX)
			return;
		struct mpb_env_var *e = &out->env[out->nenv++];
		snprintf(e->name, sizeof e->name, "%s", name);
		snprintf(e->value, sizeof e->value, "%s", json_string_value(v));
		size_t k, n = strlen(e->name);
		const json_t *w;
		json_array_foreach(warnings, k, w) {
			const char *kind = json_string_value(json_object_get(w, "kind"));
			const char *msg = json_string_value(json_object_get(w, "message"));
			if (kind && msg && strcmp(kind, "environment") == 0 &&
			    strncmp(msg, e->name, n) == 0 && msg[n] == '=')
				e->changes_measurement = true;
		}
	}
}

/* Members of one group in the order of its "group" list, at the places
 * the members hold in the set (the file sorts events by name; a group lists
 * them in the order the set had). */
static void order_group(struct mpb_counter_set *set, const json_t *group)
{
	size_t pos[MPB_COUNTERS_MAX], n = 0;
	struct mpb_counter_event ev[MPB_COUNTERS_MAX];
	for (size_t k = 0; k < set->n; k++)
		for (size_t g = 0; g < json_array_size(group); g++)
			if (strcmp(set->ev[k].name, json_string_value(json_array_get(group, g)) ?
				   json_string_value(json_array_get(group, g)) : "") == 0)
				pos[n++] = k;
	if (n != json_array_size(group))
		return; /* names the set lacks: leave the order */
	for (size_t g = 0; g < n; g++)
		for (size_t k = 0; k < n; k++)
			if (strcmp(set->ev[pos[k]].name,
				   json_string_value(json_array_get(group, g))) == 0)
				ev[g] = set->ev[pos[k]];
	for (size_t g = 0; g < n; g++)
		set->ev[pos[g]] = ev[g];
}

/* machine.counters: the events (each group in its own order), the
 * available ones numbered in set order, each group led by its first. */
static void read_counter_set(struct rd *r, const json_t *doc, struct mpb_counter_set *set)
{
	const json_t *evs = json_object_get(json_object_get(doc, "machine"), "counters");
	const char *name;
	const json_t *o;
	set->paranoid = -100;
	place(r, "machine.counters");
	json_object_foreach((json_t *)evs, name, o) {
		if (set->n == MPB_COUNTERS_MAX) {
			fail(r, "", "has more events than this mpbench counts");
			return;
		}
		struct mpb_counter_event *ev = &set->ev[set->n++];
		snprintf(ev->name, sizeof ev->name, "%s", name);
		copy_str(r, o, "key", ev->key, sizeof ev->key);
		copy_str(r, o, "reason", ev->reason, sizeof ev->reason);
		copy_str(r, o, "note", ev->note, sizeof ev->note);
		ev->available = json_is_true(json_object_get(o, "available"));
		ev->user_only = json_is_true(json_object_get(o, "user_only"));
	}
	set->none = set->n == 0; /* --counters none, or a sweep without counters */
	json_object_foreach((json_t *)evs, name, o)
		if (json_is_array(json_object_get(o, "group")))
			order_group(set, json_object_get(o, "group"));
	for (size_t k = 0; k < set->n; k++) {
		struct mpb_counter_event *ev = &set->ev[k];
		ev->plan_index = ev->available ? (int)set->plan.n++ : -1;
		if (ev->available)
			set->plan.leader[ev->plan_index] = (uint32_t)ev->plan_index;
	}
	for (size_t k = 0; k < set->n; k++) { /* each member follows its group's first */
		const json_t *g = json_object_get(json_object_get(evs, set->ev[k].name), "group");
		const char *lead = json_string_value(json_array_get(g, 0));
		for (size_t j = 0; lead && set->ev[k].plan_index >= 0 && j < set->n; j++)
			if (set->ev[j].plan_index >= 0 && strcmp(set->ev[j].name, lead) == 0)
				set->plan.leader[set->ev[k].plan_index] = (uint32_t)set->ev[j].plan_index;
	}
}

/* One scope's readings from the values a run shows under each key: counted
 * (coverage 1), opened but never counted (coverage 0 in the run), absent. */
static void read_counts(const struct mpb_counter_set *set, const json_t *values,
			const json_t *coverage, struct mpb_counts *c)
{
	c->n = set->plan.n;
	for (size_t k = 0; k < set->n; k++) {
		const struct mpb_counter_event *ev = &set->ev[k];
		if (ev->plan_index < 0)
			continue;
		struct mpb_count *x = &c->c[ev->plan_index];
		const json_t *v = json_object_get(values, ev->key);
		const json_t *cov = json_object_get(coverage, ev->key);
		if (json_is_number(v))
			*x = (struct mpb_count){ (uint64_t)llround(json_number_value(v)), 1, 1,
						 MPB_COUNT_OK, 0 };
		else if (json_is_number(cov) && json_number_value(cov) == 0)
			*x = (struct mpb_count){ 0, 1, 0, MPB_COUNT_OK, 0 };
	}
}

/* ---- runs ---------------------------------------------------------------- */

static void read_worker(struct rd *r, const struct mpb_counter_set *set, const json_t *o,
			const json_t *coverage, struct mpb_worker_report *w)
{
	w->pid = (pid_t)u64(r, o, "pid");
	w->startup_ns = u64(r, o, "startup_ns");
	w->tasks = u64(r, o, "tasks");
	w->compute_ns = u64(r, o, "compute_ns");
	w->codec_ns = u64(r, o, "codec_ns");
	w->idle_ns = u64(r, o, "idle_ns");
	w->send_ns = u64(r, o, "send_ns");
	w->serve_ns = u64(r, o, "serve_ns");
	w->nvcsw = u64(r, o, "voluntary_context_switches");
	w->nivcsw = u64(r, o, "involuntary_context_switches");
	w->minflt = u64(r, o, "minor_faults");
	w->majflt = u64(r, o, "major_faults");
	w->maxrss_kb = u64(r, o, "maxrss_bytes") / 1024;
	w->has_memory = json_is_number(json_object_get(o, "rss_bytes"));
	w->rss_kb = u64(r, o, "rss_bytes") / 1024;
	w->pss_kb = u64(r, o, "pss_bytes") / 1024;
	w->private_dirty_kb = u64(r, o, "private_dirty_bytes") / 1024;
	w->instrumentation_ns = u64(r, o, "instrumentation_ns");
	w->readout_ns = u64(r, o, "readout_ns");
	const json_t *tl = json_object_get(o, "startup_timeline");
	w->timeline = (struct mpb_startup_timeline){
		.launched_ns = u64(r, tl, "launched_ns"), .running_ns = u64(r, tl, "running_ns"),
		.counted_ns = u64(r, tl, "counted_ns"), .ready_ns = u64(r, tl, "ready_ns"),
		.ready_read_ns = u64(r, tl, "ready_read_ns"),
		.faults = u64(r, tl, "faults"),
		.has_faults = json_is_number(json_object_get(tl, "faults")),
	};
	read_counts(set, json_object_get(o, "counters"), coverage, &w->counters);
}

static void read_overhead(struct rd *r, const json_t *o, uint64_t tasks, struct mpb_overhead *v)
{
	const json_t *p = json_object_get(o, "parent"), *w = json_object_get(o, "workers");
	if (!json_is_object(o))
		return;
	*v = (struct mpb_overhead){
		.map_ns = u64(r, p, "map_ns"), .parent_codec_ns = u64(r, p, "codec_ns"),
		.parent_transport_ns = u64(r, p, "transport_ns"),
		.parent_wait_ns = u64(r, p, "wait_ns"), .parent_other_ns = u64(r, p, "other_ns"),
		.parent_syscalls = u64(r, p, "syscalls"), .serve_ns = u64(r, w, "serve_ns"),
		.compute_ns = u64(r, w, "compute_ns"), .worker_codec_ns = u64(r, w, "codec_ns"),
		.worker_wait_ns = u64(r, w, "wait_ns"), .worker_send_ns = u64(r, w, "send_ns"),
		.worker_other_ns = u64(r, w, "other_ns"), .bytes_sent = u64(r, o, "bytes_sent"),
		.bytes_received = u64(r, o, "bytes_received"), .tasks = tasks,
		.inconsistent = json_is_false(json_object_get(o, "consistent")),
	};
}

static void read_chunks(struct rd *r, const json_t *o, struct mpb_chunk_stats *c)
{
	if (!json_is_object(o))
		return;
	c->chunks = u64(r, o, "count");
	c->min = u64(r, o, "min");
	c->max = u64(r, o, "max");
	c->tasks = (uint64_t)llround(real(r, o, "mean", 0) * (double)c->chunks);
	const json_t *first = json_object_get(o, "first");
	for (size_t k = 0; k < json_array_size(first) && c->nfirst < MPB_CHUNK_RECORD; k++)
		c->first[c->nfirst++] = (uint32_t)json_integer_value(json_array_get(first, k));
}

static int read_run(struct rd *r, const struct mpb_counter_set *set, const struct mpb_point *pt,
		    const json_t *o, struct mpb_sample *s)
{
	if (!json_is_object(o)) {
		fail(r, "", "is not an object");
		return r->rc;
	}
	s->wall_ns = u64(r, o, "wall_ns");
	if (r->rc == 0 && !(s->wall_ns > 0))
		fail(r, "wall_ns", "is not a positive number");
	s->startup_ns = u64(r, o, "startup_ns");
	s->map_ns = u64(r, o, "map_ns");
	s->teardown_ns = u64(r, o, "teardown_ns");
	s->compute_ns = u64(r, o, "compute_ns");
	const json_t *codec = json_object_get(o, "codec_ns");
	s->codec_parent_ns = u64(r, codec, "parent");
	s->codec_workers_ns = u64(r, codec, "workers");
	s->bytes_sent = u64(r, o, "bytes_sent");
	s->bytes_received = u64(r, o, "bytes_received");
	s->instrumentation_ns = u64(r, o, "instrumentation_ns");
	const json_t *coverage = json_object_get(o, "counters_coverage");
	const json_t *by = json_object_get(o, "counters_by_scope");
	const json_t *harness = json_object_get(by, "harness");
	read_counts(set, harness, coverage, &s->harness.perf);
	s->harness.nvcsw = u64(r, harness, "voluntary_context_switches");
	s->harness.nivcsw = u64(r, harness, "involuntary_context_switches");
	read_overhead(r, json_object_get(o, "overhead"), pt->tasks, &s->overhead);
	read_chunks(r, json_object_get(o, "chunks"), &s->chunks);
	const json_t *wd = json_object_get(o, "workers_detail");
	if (wd && !json_is_array(wd))
		fail(r, "workers_detail", "is not an array");
	s->nworkers = (unsigned)json_array_size(wd);
	if (s->nworkers && !(s->worker = calloc(s->nworkers, sizeof *s->worker)))
		return -MPB_ENOMEM;
	for (unsigned k = 0; k < s->nworkers; k++)
		read_worker(r, set, json_array_get(wd, k), coverage, &s->worker[k]);
	const json_t *cmd = json_object_get(o, "cmd");
	s->cmd = json_is_object(cmd) ? json_incref((json_t *)cmd) : NULL;
	return r->rc;
}

static int read_points(struct rd *r, const json_t *doc, struct mpb_loaded *l)
{
	const json_t *pts = json_object_get(doc, "points");
	for (size_t i = 0; r->rc == 0 && i < l->plan.npoints; i++) {
		const json_t *p = json_array_get(pts, i), *runs = json_object_get(p, "runs");
		struct mpb_point_state *ps = &l->ds.pts[i];
		size_t n = json_array_size(runs);
		if (n && !(ps->runs = calloc(n, sizeof *ps->runs)))
			return -MPB_ENOMEM;
		ps->cap = n;
		for (size_t k = 0; r->rc == 0 && k < n; k++) {
			place(r, "points[%zu].runs[%zu]", i, k);
			int rc = read_run(r, &l->counters, &l->plan.points[i], json_array_get(runs, k),
					  &ps->runs[k]);
			ps->nruns++; /* freed with the rest even when it failed */
			if (rc < 0)
				return rc;
		}
		place(r, "points[%zu]", i);
		read_outcome(r, p, n, &ps->failed, ps->error, &ps->error_kind, &ps->acct);
	}
	return r->rc;
}

static void read_walls_of(struct rd *r, const json_t *arr, const char *name,
			  struct mpb_wall_state *ws, size_t n, bool accounted)
{
	for (size_t j = 0; r->rc == 0 && j < n; j++) {
		const json_t *o = json_array_get(arr, j);
		place(r, "%s[%zu]", name, j);
		read_walls(r, o, &ws[j]);
		read_outcome(r, o, ws[j].n, &ws[j].failed, ws[j].error, &ws[j].error_kind,
			     accounted ? &ws[j].acct : NULL);
	}
}

/* The policy and tolerance the command ran under, from its options. */
static void read_policy(struct rd *r, const json_t *doc, struct mpb_dataset *ds)
{
	const json_t *o = json_object_get(doc, "options"), *tune = json_object_get(doc, "tune");
	place(r, "options");
	uint64_t runs = u64(r, o, "runs"), max_runs = u64(r, o, "max-runs");
	ds->sampling = (struct mpb_sampling_policy){
		.max_runs = max_runs > runs ? max_runs : runs,
		.target_ci = real(r, o, "target-ci", 0) / 100.0,
		.max_time_ns = (uint64_t)(real(r, o, "max-time", 0) * 1e9),
		.race_tolerance = json_is_object(tune) ? real(r, tune, "tolerance", 0) : 0,
	};
	ds->tolerance = real(r, o, "tolerance", 100.0 * MPB_RECOMMEND_DEFAULT_TOLERANCE) / 100.0;
}

int mpb_dataset_from_doc(const char *path, json_t *doc, struct mpb_loaded *l, struct mpb_diag *d)
{
	memset(l, 0, sizeof *l);
	l->doc = json_incref(doc);
	struct rd r = { .path = path, .d = d };
	struct mpb_dataset *ds = &l->ds;
	read_machine(&r, json_object_get(doc, "machine"), &l->machine);
	read_environment(&r, doc, &l->machine);
	mpb_build_from_json(json_object_get(doc, "tool"), &l->machine.build);
	read_counter_set(&r, doc, &l->counters);
	int rc = r.rc ? r.rc : read_plan(&r, doc, l);
	*ds = (struct mpb_dataset){ .plan = &l->plan, .machine = &l->machine,
				    .counters = &l->counters, .start_busy_cpus = -1 };
	if (rc == 0 && mpb_dataset_alloc(ds) < 0)
		rc = -MPB_ENOMEM;
	if (rc == 0)
		rc = read_points(&r, doc, l);
	if (rc == 0) {
		read_walls_of(&r, json_object_get(doc, "baselines"), "baselines", ds->bls,
			      l->plan.nbaselines, true);
		read_walls_of(&r, json_object_get(doc, "ceilings"), "ceilings", ds->cls,
			      l->plan.nceilings, false);
		read_policy(&r, doc, ds);
		rc = r.rc;
	}
	if (rc == 0) {
		const json_t *cmd = json_object_get(doc, "command");
		ds->argc = (int)json_array_size(cmd);
		ds->argv = calloc((size_t)ds->argc + 1, sizeof *ds->argv);
		for (int k = 0; ds->argv && k < ds->argc; k++)
			ds->argv[k] = (char *)json_string_value(json_array_get(cmd, (size_t)k));
		if (!ds->argv)
			rc = -MPB_ENOMEM;
		place(&r, "%s", "");
		ds->options = json_object_get(doc, "options");
		ds->tune = json_object_get(doc, "tune");
		copy_str(&r, doc, "started", ds->started, sizeof ds->started);
		copy_str(&r, doc, "finished", ds->finished, sizeof ds->finished);
		ds->status = str(&r, doc, "status");
		ds->start_busy_cpus = real(&r, doc, "start_busy_cpus", -1);
		rc = rc ? rc : r.rc;
	}
	if (rc == -MPB_ENOMEM)
		mpb_fail(d, MPB_ENOMEM, "%s: out of memory reading results", path);
	if (rc < 0)
		mpb_dataset_unload(l);
	return rc;
}

int mpb_dataset_load(const char *path, struct mpb_loaded *out, struct mpb_diag *d)
{
	json_t *doc;
	memset(out, 0, sizeof *out);
	int rc = mpb_dataset_load_doc(path, &doc, d);
	if (rc < 0)
		return rc;
	rc = mpb_dataset_from_doc(path, doc, out, d);
	json_decref(doc);
	return rc;
}

void mpb_dataset_unload(struct mpb_loaded *l)
{
	if (l->ds.plan)
		mpb_dataset_free(&l->ds);
	free(l->ds.argv);
	free(l->plan.points);
	free(l->plan.baselines);
	free(l->plan.ceilings);
	json_decref(l->doc);
	memset(l, 0, sizeof *l);
}
