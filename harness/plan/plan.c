/* plan.c — expand and validate a sweep's axes (see plan.h). */
#include "plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "npoints.h"
#include "parse.h"
#include "pool.h"
#include "transport.h"

const char *mpb_chunk_strategy_name(enum mpb_chunk_strategy s)
{
	return s == MPB_CHUNK_PYTHON ? "python" : s == MPB_CHUNK_AUTO ? "auto" : "fixed";
}

size_t mpb_plan_auto_workers(unsigned usable, unsigned *out, size_t cap)
{
	size_t n = 0;
	if (usable == 0)
		usable = 1;
	bool have_usable = false;
	for (unsigned w = 1; w <= 2 * usable && n < cap; w *= 2) {
		if (!have_usable && usable < w) {
			out[n++] = usable;
			have_usable = true;
			if (n == cap)
				break;
		}
		out[n++] = w;
		if (w == usable)
			have_usable = true;
	}
	if (!have_usable && n < cap)
		out[n++] = usable;
	return n;
}

/* Join the names of a registry into "a, b, c" for error messages. */
#define NAMES(buf, all, n)                                                       \
	do {                                                                     \
		buf[0] = '\0';                                                   \
		for (size_t k_ = 0; k_ < (n); k_++) {                            \
			if (k_)                                                  \
				strncat(buf, ", ", sizeof buf - strlen(buf) - 1); \
			strncat(buf, (all)[k_]->name, sizeof buf - strlen(buf) - 1); \
		}                                                                \
	} while (0)

struct axes {
	char **wl, **meth, **codec, **trans, **chunk;
	size_t nwl, nmeth, ncodec, ntrans, nchunk;
	unsigned *workers;
	size_t nworkers;
};

static void axes_free(struct axes *a)
{
	mpb_parse_list_free(a->wl, a->nwl);
	mpb_parse_list_free(a->meth, a->nmeth);
	mpb_parse_list_free(a->codec, a->ncodec);
	mpb_parse_list_free(a->trans, a->ntrans);
	mpb_parse_list_free(a->chunk, a->nchunk);
	free(a->workers);
}

static int parse_workers(const struct mpb_config *cfg, const struct mpb_machine *m,
			 struct axes *a, struct mpb_diag *d)
{
	uint64_t max = MPB_MAX_WORKERS;
	if (m->max_user_processes > 0 && (uint64_t)m->max_user_processes < max)
		max = (uint64_t)m->max_user_processes;
	if (strcmp(cfg->workers, "auto") == 0) {
		a->workers = calloc(64, sizeof *a->workers);
		if (!a->workers)
			return mpb_fail(d, MPB_ENOMEM, "out of memory");
		a->nworkers = mpb_plan_auto_workers((unsigned)m->usable_cpus, a->workers, 64);
		/* auto never asks for more processes than the limit allows */
		size_t k = 0;
		for (size_t i = 0; i < a->nworkers; i++)
			if (a->workers[i] <= max)
				a->workers[k++] = a->workers[i];
		if (k == 0)
			a->workers[k++] = 1;
		a->nworkers = k;
		return 0;
	}
	uint64_t *v;
	size_t n;
	int rc = mpb_parse_u64_list(cfg->workers, MPB_UNIT_COUNT, 1, max, "-j/--workers", &v, &n, d);
	if (rc < 0) {
		if (max < MPB_MAX_WORKERS && strstr(d->msg, "out of range"))
			snprintf(d->msg + strlen(d->msg), sizeof d->msg - strlen(d->msg),
				 "; the process limit (ulimit -u) is %lu", (unsigned long)max);
		return rc;
	}
	a->workers = calloc(n, sizeof *a->workers);
	if (!a->workers) {
		free(v);
		return mpb_fail(d, MPB_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++)
		a->workers[i] = (unsigned)v[i];
	a->nworkers = n;
	free(v);
	return 0;
}

static int check_names(char **items, size_t n, const char *what, const char *accepted,
		       const void *(*find)(const char *), struct mpb_diag *d)
{
	for (size_t i = 0; i < n; i++)
		if (!find(items[i]))
			return mpb_fail(d, MPB_EINPUT, "%s: unknown value '%s' (accepted: %s)", what,
					items[i], accepted);
	return 0;
}

static const void *find_wl(const char *s) { return mpb_workload_find(s); }
static const void *find_method(const char *s) { return mpb_method_find(s); }
static const void *find_codec(const char *s) { return mpb_codec_find(s); }
static const void *find_transport(const char *s) { return mpb_transport_find(s); }

static bool method_inproc(const struct axes *a, size_t mi)
{
	return mpb_method_find(a->meth[mi])->flags & MPB_METHOD_INPROC;
}

/* A method that fixes its codec (thread: none, values by reference) gets it
 * on every point whatever --codec says, and --codec does not multiply its
 * points. */
static const struct mpb_codec_ops *fixed_codec(const struct axes *a, size_t mi)
{
	return mpb_method_find(a->meth[mi])->codec;
}

static const struct mpb_codec_ops *method_codec(const struct axes *a, size_t mi, size_t ci)
{
	const struct mpb_codec_ops *c = fixed_codec(a, mi);
	return c ? c : mpb_codec_find(a->codec[ci]);
}

/* Likewise a method that fixes its transport (mpi: pipes to its relay rank). */
static const struct mpb_transport_ops *fixed_transport(const struct axes *a, size_t mi)
{
	return mpb_method_find(a->meth[mi])->transport;
}

static const struct mpb_transport_ops *method_transport(const struct axes *a, size_t mi,
							 size_t ri)
{
	const struct mpb_transport_ops *t = fixed_transport(a, mi);
	return t ? t : mpb_transport_find(a->trans[ri]);
}

/* A by-reference codec hands addresses over: across a process boundary they
 * would point nowhere. The message names the in-process methods. */
static int check_by_ref(const struct axes *a, struct mpb_diag *d)
{
	char inproc[256] = "";
	size_t n, used = 0;
	const struct mpb_method_ops *const *me = mpb_method_all(&n);
	for (size_t k = 0; k < n && used < sizeof inproc; k++)
		if (me[k]->flags & MPB_METHOD_INPROC)
			used += (size_t)snprintf(inproc + used, sizeof inproc - used, "%s%s",
						 used ? "|" : "", me[k]->name);
	for (size_t ci = 0; ci < a->ncodec; ci++) {
		if (!(mpb_codec_find(a->codec[ci])->flags & MPB_CODEC_BY_REF))
			continue;
		for (size_t mi = 0; mi < a->nmeth; mi++)
			if (!method_inproc(a, mi))
				return mpb_fail(d, MPB_EINPUT,
						"--codec %s works only with -m %s (-m %s "
						"passes values between processes)", a->codec[ci],
						inproc, a->meth[mi]);
	}
	return 0;
}

/* A codec of a measured program (pickle) names what that program did:
 * mpbench's own pool cannot use it, so only external workloads take it. */
static int check_external(const struct axes *a, struct mpb_diag *d)
{
	char own[256] = "";
	size_t n, used = 0;
	const struct mpb_codec_ops *const *co = mpb_codec_all(&n);
	for (size_t k = 0; k < n && used < sizeof own; k++)
		if (!(co[k]->flags & MPB_CODEC_EXTERNAL))
			used += (size_t)snprintf(own + used, sizeof own - used, "%s%s",
						 used ? ", " : "", co[k]->name);
	for (size_t ci = 0; ci < a->ncodec; ci++) {
		if (!(mpb_codec_find(a->codec[ci])->flags & MPB_CODEC_EXTERNAL))
			continue;
		for (size_t wi = 0; wi < a->nwl; wi++)
			if (!(mpb_workload_find(a->wl[wi])->flags & MPB_WORKLOAD_EXTERNAL))
				return mpb_fail(d, MPB_EINPUT, "--codec %s is a Python program's own, "
						"for --cmd with --instrument python; -w %s runs in "
						"mpbench's pool (accepted there: %s)", a->codec[ci],
						a->wl[wi], own);
	}
	return 0;
}

static int parse_names(const struct mpb_config *cfg, struct axes *a, struct mpb_diag *d)
{
	char acc[512];
	size_t n;
	int rc;
	if ((rc = mpb_parse_list(cfg->workloads, "-w/--workload", &a->wl, &a->nwl, d)) < 0 ||
	    (rc = mpb_parse_list(cfg->methods, "-m/--methods", &a->meth, &a->nmeth, d)) < 0 ||
	    (rc = mpb_parse_list(cfg->codecs, "--codec", &a->codec, &a->ncodec, d)) < 0 ||
	    (rc = mpb_parse_list(cfg->transports, "--transport", &a->trans, &a->ntrans, d)) < 0 ||
	    (rc = mpb_parse_list(cfg->chunksizes, "-c/--chunksize", &a->chunk, &a->nchunk, d)) < 0)
		return rc;
	const struct mpb_workload_ops *const *wl = mpb_workload_all(&n);
	NAMES(acc, wl, n);
	if ((rc = check_names(a->wl, a->nwl, "-w/--workload", acc, find_wl, d)) < 0)
		return rc;
	const struct mpb_method_ops *const *me = mpb_method_all(&n);
	NAMES(acc, me, n);
	if ((rc = check_names(a->meth, a->nmeth, "-m/--methods", acc, find_method, d)) < 0)
		return rc;
	const struct mpb_codec_ops *const *co = mpb_codec_all(&n);
	NAMES(acc, co, n);
	if ((rc = check_names(a->codec, a->ncodec, "--codec", acc, find_codec, d)) < 0 ||
	    (rc = check_by_ref(a, d)) < 0 || (rc = check_external(a, d)) < 0)
		return rc;
	const struct mpb_transport_ops *const *tr = mpb_transport_all(&n);
	NAMES(acc, tr, n);
	if ((rc = check_names(a->trans, a->ntrans, "--transport", acc, find_transport, d)) < 0)
		return rc;
	for (size_t i = 0; i < a->nchunk; i++) {
		uint64_t v;
		if (strcmp(a->chunk[i], "python") == 0 || strcmp(a->chunk[i], "auto") == 0)
			continue;
		struct mpb_diag tmp;
		if (mpb_parse_u64(a->chunk[i], MPB_UNIT_COUNT, 1, UINT32_MAX, "-c/--chunksize", &v,
				  &tmp) < 0)
			return mpb_fail(d, MPB_EINPUT,
					"-c/--chunksize: '%s' is not a chunk size (accepted: an integer "
					"from 1 to %u, python or auto)", a->chunk[i], UINT32_MAX);
	}
	return 0;
}

/* --parent-rss: byte sizes, none above the memory available now (the ballast
 * must fit, with the workers, in RAM: swapping would measure the disk). */
static int parse_parent_rss(const struct mpb_config *cfg, const struct mpb_machine *m,
			    uint64_t **rss, size_t *n, struct mpb_diag *d)
{
	int rc = mpb_parse_u64_list(cfg->parent_rss, MPB_UNIT_BYTES, 0, UINT64_MAX / 2,
				    "--parent-rss", rss, n, d);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < *n; i++) {
		if (m->mem_available_bytes && (*rss)[i] > m->mem_available_bytes) {
			char want[MPB_FMT_U64_LEN];
			mpb_format_u64((*rss)[i], MPB_UNIT_BYTES, want, sizeof want);
			return mpb_fail(d, MPB_EINPUT,
					"--parent-rss: %s is more than the memory available now "
					"(%.1f GiB; accepted: 0 to that)", want,
					(double)m->mem_available_bytes / (1ull << 30));
		}
	}
	return 0;
}

static uint64_t sat_mul(uint64_t a, uint64_t b)
{
	return a && b > UINT64_MAX / a ? UINT64_MAX : a * b;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return b > UINT64_MAX - a ? UINT64_MAX : a + b;
}

/* A point whose workload would not fit in the memory available now is bad
 * input, caught before anything runs: started anyway, it swaps (measuring the
 * disk) or the OOM killer takes workers one by one while the pool starts more.
 * The estimate: the workload's per-process state in every worker and in the
 * parent (serial baseline), every task's argument and result in the parent,
 * and the parent's --parent-rss ballast. */
static int check_memory(const struct mpb_point *pt, const struct mpb_plan *plan,
			const struct mpb_machine *m, struct mpb_diag *d)
{
	const struct mpb_workload_ops *w = pt->workload;
	if (!w->footprint || !m->mem_available_bytes)
		return 0;
	struct mpb_workload_params wp = mpb_plan_wparams(plan, pt->size, pt->tasks);
	uint64_t per_process = 0, per_task = 0;
	w->footprint(&wp, &per_process, &per_task);
	uint64_t need = sat_add(sat_add(sat_mul(per_process, (uint64_t)pt->workers + 1),
					sat_mul(per_task, pt->tasks)),
				pt->parent_rss);
	if (need <= m->mem_available_bytes)
		return 0;
	char size[MPB_FMT_U64_LEN];
	mpb_format_u64(pt->size, w->unit, size, sizeof size);
	return mpb_fail(d, MPB_EINPUT,
			"%s -s %s with %u workers and %llu tasks needs about %.1f GiB, more than "
			"the %.1f GiB available now (accepted: points that fit in memory; lower "
			"-s, -t or -j)", w->name, size, pt->workers, (unsigned long long)pt->tasks,
			(double)need / (1ull << 30), (double)m->mem_available_bytes / (1ull << 30));
}

static int add_baseline(struct mpb_plan *p, const struct mpb_workload_ops *w, uint64_t size,
			uint64_t tasks, size_t *idx)
{
	for (size_t i = 0; i < p->nbaselines; i++) {
		struct mpb_baseline *b = &p->baselines[i];
		if (b->workload == w && b->size == size && b->tasks == tasks) {
			*idx = i;
			return 0;
		}
	}
	struct mpb_baseline *nb = realloc(p->baselines, (p->nbaselines + 1) * sizeof *nb);
	if (!nb)
		return -1;
	p->baselines = nb;
	nb[p->nbaselines] = (struct mpb_baseline){ w, size, tasks };
	*idx = p->nbaselines++;
	return 0;
}

/* One ceiling per distinct (workload, size, tasks, workers, kind): the pool
 * points that differ only in codec, chunk size, parent size or a method of
 * the same ceiling kind share it. */
static int add_ceiling(struct mpb_plan *p, const struct mpb_point *pt, size_t *idx)
{
	for (size_t i = 0; i < p->nceilings; i++) {
		struct mpb_ceiling *c = &p->ceilings[i];
		if (c->workload == pt->workload && c->size == pt->size && c->tasks == pt->tasks &&
		    c->workers == pt->workers && c->over == pt->method->ceiling) {
			*idx = i;
			return 0;
		}
	}
	struct mpb_ceiling *nc = realloc(p->ceilings, (p->nceilings + 1) * sizeof *nc);
	if (!nc)
		return -1;
	p->ceilings = nc;
	nc[p->nceilings] = (struct mpb_ceiling){ pt->workload, pt->size, pt->tasks, pt->workers,
						 pt->baseline, pt->method->ceiling };
	*idx = p->nceilings++;
	return 0;
}

static json_t *str_array(char **items, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_string(items[i]));
	return a;
}

static void append_unique(json_t *arr, uint64_t v)
{
	for (size_t i = 0; i < json_array_size(arr); i++)
		if ((uint64_t)json_integer_value(json_array_get(arr, i)) == v)
			return;
	json_array_append_new(arr, json_integer((json_int_t)v));
}

static json_t *config_json(const struct mpb_config *cfg, const struct axes *a,
			   const struct mpb_plan *p)
{
	json_t *c = json_object();
	json_t *w = json_array();
	for (size_t i = 0; i < a->nworkers; i++)
		json_array_append_new(w, json_integer(a->workers[i]));
	json_object_set_new(c, "workloads", str_array(a->wl, a->nwl));
	json_object_set_new(c, "workers", w);
	json_object_set_new(c, "methods", str_array(a->meth, a->nmeth));
	json_object_set_new(c, "codecs", str_array(a->codec, a->ncodec));
	json_object_set_new(c, "transports", str_array(a->trans, a->ntrans));
	json_object_set_new(c, "chunksizes", str_array(a->chunk, a->nchunk));
	(void)cfg;
	/* sizes and tasks resolved per workload (units differ between workloads) */
	json_t *sizes = json_object(), *tasks = json_object();
	for (size_t i = 0; i < p->npoints; i++) {
		const struct mpb_point *pt = &p->points[i];
		const char *name = pt->workload->name;
		json_t *sl = json_object_get(sizes, name), *tl = json_object_get(tasks, name);
		if (!sl) {
			json_object_set_new(sizes, name, json_array());
			json_object_set_new(tasks, name, json_array());
			sl = json_object_get(sizes, name);
			tl = json_object_get(tasks, name);
		}
		append_unique(sl, pt->size);
		append_unique(tl, pt->tasks);
	}
	json_t *prss = json_array();
	for (size_t i = 0; i < p->npoints; i++)
		append_unique(prss, p->points[i].parent_rss);
	json_object_set_new(c, "parent_rss", prss);
	json_object_set_new(c, "sizes", sizes);
	json_object_set_new(c, "tasks", tasks);
	json_object_set_new(c, "runs", json_integer((json_int_t)p->runs));
	json_object_set_new(c, "warmup", json_integer((json_int_t)p->warmup));
	json_object_set_new(c, "seed", json_integer((json_int_t)p->seed));
	struct mpb_workload_params wo = p->wopts;
	const struct mpb_workload_option *o;
	for (size_t k = 0; (o = mpb_workload_option_at(k)); k++)
		json_object_set_new(c, o->key,
				    json_integer((json_int_t)*mpb_workload_option_field(&wo, o)));
	json_object_set_new(c, "points", json_integer((json_int_t)p->npoints));
	json_object_set_new(c, "ceiling", json_boolean(!cfg->no_ceiling));
	if (!c || !sizes || !tasks) {
		json_decref(c);
		return NULL;
	}
	return c;
}

/* The workloads' own options: the text given, or the option's default. */
/* --label: printable text a report can show anywhere (a legend, a table
 * cell, a file name part), so letters, digits and " ._:+-=()/", 1 to
 * MPB_PLAN_LABEL_MAX bytes. */
static int parse_label(const struct mpb_config *cfg, struct mpb_plan *plan, struct mpb_diag *d)
{
	const char *l = cfg->label;
	if (!l)
		return 0;
	size_t n = strlen(l);
	bool ok = n >= 1 && n <= MPB_PLAN_LABEL_MAX;
	for (size_t i = 0; ok && i < n; i++)
		ok = (l[i] >= 'a' && l[i] <= 'z') || (l[i] >= 'A' && l[i] <= 'Z') ||
		     (l[i] >= '0' && l[i] <= '9') || strchr(" ._:+-=()/", l[i]);
	if (!ok)
		return mpb_fail(d, MPB_EINPUT, "--label: '%s' is not accepted (1 to %d letters, digits "
				"or \" ._:+-=()/\")", l, MPB_PLAN_LABEL_MAX);
	snprintf(plan->label, sizeof plan->label, "%s", l);
	return 0;
}

static int parse_workload_opts(const struct mpb_config *cfg, struct mpb_plan *plan,
			       struct mpb_diag *d)
{
	const struct mpb_workload_option *o;
	for (size_t k = 0; k < MPB_WORKLOAD_OPTIONS_MAX && (o = mpb_workload_option_at(k)); k++) {
		char what[80];
		snprintf(what, sizeof what, "--%s", o->name);
		const char *v = cfg->workload_opts[k] ? cfg->workload_opts[k] : o->def;
		int rc = mpb_parse_u64(v, o->unit, o->min, o->max, what,
				       mpb_workload_option_field(&plan->wopts, o), d);
		if (rc < 0)
			return rc;
	}
	return 0;
}

struct mpb_workload_params mpb_plan_wparams(const struct mpb_plan *plan, uint64_t size,
					    uint64_t tasks)
{
	struct mpb_workload_params p = plan->wopts;
	p.size = size;
	p.tasks = tasks;
	p.seed = plan->seed;
	return p;
}

int mpb_plan_build(const struct mpb_config *cfg, const struct mpb_machine *m,
		   struct mpb_plan *plan, struct mpb_diag *d)
{
	struct axes a = { 0 };
	uint64_t *sizes = NULL, *tasks = NULL, *rss = NULL;
	size_t nsizes = 0, ntasks = 0, nrss = 0;
	int rc;

	memset(plan, 0, sizeof *plan);
	plan->runs = cfg->runs;
	plan->warmup = cfg->warmup;
	plan->seed = cfg->seed;
	if ((rc = parse_label(cfg, plan, d)) < 0 || (rc = parse_workload_opts(cfg, plan, d)) < 0)
		goto out; /* the plan is left zeroed, as on every failure */
	if ((rc = parse_names(cfg, &a, d)) < 0 || (rc = parse_workers(cfg, m, &a, d)) < 0 ||
	    (rc = parse_parent_rss(cfg, m, &rss, &nrss, d)) < 0)
		goto out;
	for (size_t wi = 0; wi < a.nwl; wi++) {
		const struct mpb_workload_ops *w = mpb_workload_find(a.wl[wi]);
		if ((rc = mpb_workload_check(w, d)) < 0)
			goto out;
		free(sizes);
		free(tasks);
		sizes = tasks = NULL;
		if ((rc = mpb_parse_u64_list(cfg->sizes ? cfg->sizes : w->default_sizes, w->unit,
					     w->min_size, w->max_size, "-s/--sizes", &sizes, &nsizes, d)) < 0)
			goto out;
		if (cfg->tasks) {
			if ((rc = mpb_parse_u64_list(cfg->tasks, MPB_UNIT_COUNT, 1, MPB_MAX_TASKS,
						     "-t/--tasks", &tasks, &ntasks, d)) < 0)
				goto out;
		} else {
			tasks = malloc(sizeof *tasks);
			if (!tasks) {
				rc = mpb_fail(d, MPB_ENOMEM, "out of memory");
				goto out;
			}
			unsigned wmax = 1;
			for (size_t k = 0; k < a.nworkers; k++)
				wmax = a.workers[k] > wmax ? a.workers[k] : wmax;
			/* an external command's tasks are its own business */
			uint64_t feed = w->flags & MPB_WORKLOAD_EXTERNAL
						? 0 : (uint64_t)MPB_PLAN_TASKS_PER_WORKER * wmax;
			tasks[0] = w->default_tasks > feed ? w->default_tasks : feed;
			ntasks = 1;
		}
		size_t axes_n[] = { nsizes, ntasks, a.nmeth, a.ncodec, a.ntrans, a.nchunk, nrss,
				    a.nworkers };
		if ((rc = mpb_npoints_check(plan->npoints, axes_n, sizeof axes_n / sizeof axes_n[0],
					    "sizes x tasks x methods x codecs x transports x "
					    "chunksizes x parent-rss x workers", d)) < 0)
			goto out;
		for (size_t si = 0; si < nsizes; si++)
		for (size_t ti = 0; ti < ntasks; ti++)
		for (size_t mi = 0; mi < a.nmeth; mi++)
		for (size_t ci = 0; ci < (fixed_codec(&a, mi) ? 1 : a.ncodec); ci++)
		for (size_t ri = 0; ri < (fixed_transport(&a, mi) ? 1 : a.ntrans); ri++)
		for (size_t ki = 0; ki < a.nchunk; ki++)
		for (size_t pi = 0; pi < nrss; pi++)
		for (size_t ji = 0; ji < a.nworkers; ji++) {
			struct mpb_point pt = {
				.id = (unsigned)plan->npoints,
				.workload = w,
				.size = sizes[si],
				.tasks = tasks[ti],
				.parent_rss = rss[pi],
				.workers = a.workers[ji],
				.method = mpb_method_find(a.meth[mi]),
				.codec = method_codec(&a, mi, ci),
				.transport = method_transport(&a, mi, ri),
			};
			if (strcmp(a.chunk[ki], "python") == 0) {
				pt.chunk_strategy = MPB_CHUNK_PYTHON;
				pt.chunksize = mpb_pool_python_chunksize(pt.tasks, pt.workers);
			} else if (strcmp(a.chunk[ki], "auto") == 0) {
				pt.chunk_strategy = MPB_CHUNK_AUTO;
				pt.chunksize = 1;
			} else {
				pt.chunk_strategy = MPB_CHUNK_FIXED;
				/* validated in parse_names */
				mpb_parse_u64(a.chunk[ki], MPB_UNIT_COUNT, 1, UINT32_MAX,
					      "-c/--chunksize", &pt.chunksize, NULL);
			}
			if ((rc = check_memory(&pt, plan, m, d)) < 0)
				goto out;
			if (add_baseline(plan, w, pt.size, pt.tasks, &pt.baseline) < 0) {
				rc = mpb_fail(d, MPB_ENOMEM, "out of memory");
				goto out;
			}
			pt.ceiling = MPB_NO_CEILING;
			/* a command has no tasks to split over bare processes */
			if (!cfg->no_ceiling && !(w->flags & MPB_WORKLOAD_EXTERNAL) &&
			    add_ceiling(plan, &pt, &pt.ceiling) < 0) {
				rc = mpb_fail(d, MPB_ENOMEM, "out of memory");
				goto out;
			}
			struct mpb_point *np = realloc(plan->points, (plan->npoints + 1) * sizeof *np);
			if (!np) {
				rc = mpb_fail(d, MPB_ENOMEM, "out of memory");
				goto out;
			}
			plan->points = np;
			np[plan->npoints++] = pt;
		}
	}
	plan->config = config_json(cfg, &a, plan);
	if (!plan->config)
		rc = mpb_fail(d, MPB_ENOMEM, "out of memory");
out:
	free(sizes);
	free(tasks);
	free(rss);
	axes_free(&a);
	if (rc < 0)
		mpb_plan_free(plan);
	return rc;
}

void mpb_plan_free(struct mpb_plan *plan)
{
	free(plan->points);
	free(plan->baselines);
	free(plan->ceilings);
	json_decref(plan->config);
	memset(plan, 0, sizeof *plan);
}
