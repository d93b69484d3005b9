/* driver.c — the sweep schedule, serial baselines and pool runs (see driver.h). */
#include "driver.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "analysis.h"
#include "ceiling.h"
#include "clock.h"
#include "method.h"
#include "outfile.h"
#include "overhead.h"
#include "progress.h"
#include "results.h"
#include "rng.h"

static void utc_now(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static bool stopping(const struct mpb_sweep *s)
{
	return s->stop_flag && *s->stop_flag;
}

/* A baseline's parent-side workload state and task arguments, made once
 * and shared by its points and its ceilings. */
struct baseline_prep {
	void *wl_state;            /* parent-side workload state (setup) */
	struct mpb_value *args;    /* [tasks] */
	bool ready;
};

struct mpb_sweep_run {
	struct baseline_prep *preps; /* [plan->nbaselines] */
	size_t *arenas;              /* [plan->nceilings] per-child room learned (ceiling.h) */
	void *ballast;               /* --parent-rss memory, touched */
	size_t ballast_len;
};

/* The dataset's arrays and the driver's own for s->plan, where missing. */
static int ensure_state(struct mpb_sweep *s)
{
	const struct mpb_plan *p = s->plan;
	s->data.plan = p;
	if (mpb_dataset_alloc(&s->data) < 0)
		return -1;
	if (!s->run && !(s->run = calloc(1, sizeof *s->run)))
		return -1;
	if (!s->run->preps)
		s->run->preps = calloc(p->nbaselines ? p->nbaselines : 1, sizeof *s->run->preps);
	if (!s->run->arenas)
		s->run->arenas = calloc(p->nceilings ? p->nceilings : 1, sizeof *s->run->arenas);
	return s->run->preps && s->run->arenas ? 0 : -1;
}

/* The inputs the dataset records, as the caller set them now. */
static void sync_inputs(struct mpb_sweep *s)
{
	struct mpb_dataset *ds = &s->data;
	ds->plan = s->plan;
	ds->machine = s->machine;
	ds->counters = s->counters;
	ds->argc = s->argc;
	ds->argv = s->argv;
	ds->options = s->options;
	ds->tune = s->tune;
	ds->sampling = s->sampling;
	ds->tolerance = s->tolerance;
	ds->start_busy_cpus = s->start_busy_cpus;
}

/* What a workload is told about (size, tasks) under this plan. */
static struct mpb_workload_params wparams(const struct mpb_plan *pl, uint64_t size,
					  uint64_t tasks)
{
	return mpb_plan_wparams(pl, size, tasks);
}

/* Build the baseline's parent-side workload state and task arguments. */
static int prepare_baseline(const struct mpb_baseline *b, struct baseline_prep *st,
			    const struct mpb_plan *pl, struct mpb_diag *d)
{
	struct mpb_workload_params wp = wparams(pl, b->size, b->tasks);
	if (st->ready)
		return 0;
	if (!b->workload->run_task) /* a workload whose runs only its own runner makes */
		return mpb_fail(d, MPB_EINPUT, "workload %s has no tasks mpbench can run (see "
				"--cmd)", b->workload->name);
	if (b->workload->setup && b->workload->setup(&wp, &st->wl_state, d) < 0)
		return -MPB_ERUN;
	st->args = calloc(b->tasks, sizeof *st->args);
	if (!st->args)
		return mpb_fail(d, MPB_ENOMEM, "out of memory for %llu task arguments",
				(unsigned long long)b->tasks);
	for (uint64_t i = 0; i < b->tasks; i++) {
		int rc = b->workload->make_task(st->wl_state, &wp, i, &st->args[i], d);
		if (rc < 0)
			return rc;
	}
	st->ready = true;
	return 0;
}

static int verify_all(const struct mpb_baseline *b, const struct baseline_prep *st,
		      const struct mpb_plan *pl, struct mpb_value *res, struct mpb_diag *d)
{
	struct mpb_workload_params wp = wparams(pl, b->size, b->tasks);
	for (uint64_t i = 0; i < b->tasks; i++) {
		int rc = b->workload->verify(st->wl_state, &wp, i, &st->args[i], &res[i], d);
		if (rc < 0) {
			char msg[sizeof d->msg];
			snprintf(msg, sizeof msg, "%s", d->msg);
			return mpb_diag_cause(d, MPB_CAUSE_WRONG_RESULT,
					      mpb_fail(d, MPB_ERUN, "result check failed: %s", msg));
		}
	}
	return 0;
}

/* The pool runner's serial baseline: the same tasks in-process, no pool, no
 * codec. */
static int pool_baseline(void *ctx, const struct mpb_runner_env *e, size_t j, uint64_t *wall_ns,
			 struct mpb_diag *d)
{
	(void)e;
	struct mpb_sweep *s = ctx;
	const struct mpb_baseline *b = &s->plan->baselines[j];
	struct baseline_prep *st = &s->run->preps[j];
	int rc = prepare_baseline(b, st, s->plan, d);
	if (rc < 0)
		return rc;
	struct mpb_value *res = calloc(b->tasks, sizeof *res);
	if (!res)
		return mpb_fail(d, MPB_ENOMEM, "out of memory");
	uint64_t t0 = mpb_now_ns();
	for (uint64_t i = 0; i < b->tasks && rc == 0; i++) {
		if (stopping(s))
			rc = mpb_fail(d, MPB_EINTR, "interrupted");
		else
			rc = b->workload->run_task(st->wl_state, &st->args[i], &res[i], d);
	}
	uint64_t t1 = mpb_now_ns();
	if (rc == 0)
		rc = verify_all(b, st, s->plan, res, d);
	mpb_value_clear_array(res, b->tasks);
	free(res);
	*wall_ns = t1 - t0;
	return rc;
}

/* Make the harness hold exactly `len` bytes of touched private memory, so
 * fork has that many page-table entries to copy. Touching writes a nonzero
 * byte per page: zero-page mappings would not be private. */
static int set_ballast(struct mpb_sweep *s, size_t len, struct mpb_diag *d)
{
	struct mpb_sweep_run *rs = s->run;
	if (rs->ballast_len == len)
		return 0;
	if (rs->ballast)
		munmap(rs->ballast, rs->ballast_len);
	rs->ballast = NULL;
	rs->ballast_len = 0;
	if (len == 0)
		return 0;
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return mpb_fail_errno(d, MPB_ERUN, errno, "--parent-rss: mapping %zu bytes", len);
	long page = sysconf(_SC_PAGESIZE);
	for (size_t off = 0; off < len; off += (size_t)page)
		((volatile char *)p)[off] = 1;
	rs->ballast = p;
	rs->ballast_len = len;
	return 0;
}

/* A thread worker of this run could not be stopped and runs on (method.h):
 * it may still read the baseline's arguments (passed by reference with codec
 * none) and the workload state they point into, and it burns CPU next to
 * anything measured later. So the run fails whatever it measured, and the
 * sweep stops and never frees the baselines (mpb_sweep_run, mpb_sweep_free). */
static int thread_left_running(struct mpb_sweep *s, int rc, struct mpb_sample *out,
			       struct mpb_diag *d)
{
	s->thread_abandoned = true;
	if (rc == 0) {
		free(out->worker);
		out->worker = NULL;
		return mpb_diag_cause(d, MPB_CAUSE_WORKER_STUCK,
				      mpb_fail(d, MPB_ERUN, "a thread worker did not stop and was "
					       "left running"));
	}
	size_t len = strlen(d->msg); /* the cause stays the one that failed the run */
	snprintf(d->msg + len, sizeof d->msg - len, "; the thread did not stop and was left running");
	return rc;
}

/* The pool runner's run of point i: its workers, method, codec and transport. */
static int pool_point(void *ctx, const struct mpb_runner_env *e, size_t i, struct mpb_sample *out,
		      struct mpb_diag *d)
{
	(void)e;
	struct mpb_sweep *s = ctx;
	const struct mpb_point *pt = &s->plan->points[i];
	const struct mpb_baseline *b = &s->plan->baselines[pt->baseline];
	struct baseline_prep *st = &s->run->preps[pt->baseline];
	int rc = prepare_baseline(b, st, s->plan, d);
	if (rc == 0)
		rc = set_ballast(s, (size_t)pt->parent_rss, d);
	if (rc < 0)
		return rc;
	struct mpb_value *res = calloc(pt->tasks, sizeof *res);
	if (!res)
		return mpb_fail(d, MPB_ENOMEM, "out of memory");
	struct mpb_pool_config pc = {
		.method = pt->method,
		.codec = pt->codec,
		.transport = pt->transport,
		.workload = pt->workload,
		.wparams = wparams(s->plan, pt->size, pt->tasks),
		.workers = pt->workers,
		.chunksize = pt->chunksize,
		.chunk_auto = pt->chunk_strategy == MPB_CHUNK_AUTO,
		.stop_flag = s->stop_flag,
		.run_timeout_ns = s->run_timeout_ns,
		.task_timeout_ns = s->task_timeout_ns,
	};
	struct mpb_pool *pool = NULL;
	/* the harness counts its own thread around the run; workers count
	 * themselves and report in BYE (counters.h) */
	struct mpb_counter_scope sc;
	struct mpb_scope_counts hc;
	if (s->counters)
		pc.counters = &s->counters->plan;
	mpb_counters_scope_begin(&sc, s->counters);
	unsigned abandoned0 = mpb_method_abandoned(NULL);
	uint64_t t0 = mpb_now_ns();
	rc = mpb_pool_start(&pc, &pool, d);
	if (rc == 0)
		rc = mpb_pool_map(pool, st->args, pt->tasks, res, d);
	if (rc == 0)
		rc = mpb_pool_stop(pool, d);
	uint64_t t1 = mpb_now_ns();
	mpb_counters_scope_end(&sc, &hc);
	if (rc == 0) {
		const struct mpb_pool_report *r = mpb_pool_report(pool);
		memset(out, 0, sizeof *out);
		out->harness = hc;
		/* the workers' read-out after STOP is the harness's, not the pool's */
		out->wall_ns = t1 - t0 - r->readout_ns;
		out->startup_ns = r->startup_ns;
		out->map_ns = r->map_ns;
		out->teardown_ns = r->teardown_ns;
		out->instrumentation_ns = r->instrumentation_ns;
		out->compute_ns = r->compute_ns;
		out->codec_parent_ns = r->codec_parent_ns;
		out->codec_workers_ns = r->codec_workers_ns;
		out->bytes_sent = r->bytes_sent;
		out->bytes_received = r->bytes_received;
		mpb_overhead_split(r, &out->overhead); /* an inconsistent split is recorded as such */
		out->chunks = r->chunks;
		out->nworkers = r->workers;
		out->worker = malloc(r->workers * sizeof *out->worker);
		if (!out->worker)
			rc = mpb_fail(d, MPB_ENOMEM, "out of memory");
		else
			memcpy(out->worker, r->worker, r->workers * sizeof *out->worker);
	}
	mpb_pool_free(pool);
	if (mpb_method_abandoned(NULL) != abandoned0)
		rc = thread_left_running(s, rc, out, d);
	if (rc == 0) {
		rc = verify_all(b, st, s->plan, res, d);
		if (rc < 0) {
			free(out->worker);
			out->worker = NULL;
		}
	}
	mpb_value_clear_array(res, pt->tasks);
	free(res);
	return rc;
}

static const struct mpb_runner_ops pool_runner = {
	.name = "pool",
	.point = pool_point,
	.baseline = pool_baseline,
};

/* The sweep's runner, its context and what it sees of the sweep. */
static const struct mpb_runner_ops *runner(struct mpb_sweep *s, void **ctx,
					   struct mpb_runner_env *e)
{
	*e = (struct mpb_runner_env){ s->plan, s->counters, s->stop_flag };
	*ctx = s->runner ? s->runner_ctx : s;
	return s->runner ? s->runner : &pool_runner;
}

int mpb_sweep_run_point(struct mpb_sweep *s, size_t i, struct mpb_sample *out,
			struct mpb_diag *d)
{
	if (ensure_state(s) < 0)
		return mpb_fail(d, MPB_ENOMEM, "out of memory");
	void *ctx;
	struct mpb_runner_env e;
	return runner(s, &ctx, &e)->point(ctx, &e, i, out, d);
}

static int run_baseline(struct mpb_sweep *s, size_t j, bool keep, struct mpb_diag *d)
{
	void *ctx;
	struct mpb_runner_env e;
	uint64_t wall_ns = 0;
	int rc = runner(s, &ctx, &e)->baseline(ctx, &e, j, &wall_ns, d);
	if (rc == 0 && keep && mpb_dataset_add_wall(&s->data.bls[j], (double)wall_ns) < 0)
		rc = mpb_fail(d, MPB_ENOMEM, "out of memory");
	return rc;
}

/* No more runs: --fail-fast after a failure, or a thread worker left
 * running (thread_left_running). */
static bool halted(const struct mpb_sweep *s, int failures)
{
	return (s->fail_fast && failures) || s->thread_abandoned;
}

static int write_results(struct mpb_sweep *s, struct mpb_diag *d)
{
	if (!s->output)
		return 0;
	uint64_t t0 = mpb_now_ns();
	sync_inputs(s);
	utc_now(s->data.finished, sizeof s->data.finished);
	json_t *doc = mpb_results_build(&s->data);
	if (!doc)
		return mpb_fail(d, MPB_ENOMEM, "out of memory building results");
	int rc = mpb_results_write(s->output, doc, d);
	json_decref(doc);
	s->last_write_ns = mpb_now_ns();
	s->last_write_cost_ns = s->last_write_ns - t0;
	s->writes++;
	return rc;
}

int mpb_sweep_write(struct mpb_sweep *s, struct mpb_diag *d)
{
	return write_results(s, d);
}

bool mpb_sweep_rewrite_due(uint64_t last_cost_ns, uint64_t since_ns)
{
	return since_ns / 9 >= last_cost_ns;
}

/* A rewrite of the running sweep's results, when it is due. */
static int write_partial(struct mpb_sweep *s, struct mpb_diag *d)
{
	if (s->writes && !mpb_sweep_rewrite_due(s->last_write_cost_ns,
						mpb_now_ns() - s->last_write_ns))
		return 0;
	return write_results(s, d);
}

/* What the schedule runs: pool points and serial baselines. One table of
 * kinds, so that a new kind of measured item is an entry here, not another
 * branch in the loop. */
struct item_kind {
	const char *name;
	size_t (*count)(const struct mpb_sweep *s);
	bool *(*failed)(struct mpb_sweep *s, size_t i);
	char *(*error)(struct mpb_sweep *s, size_t i); /* [512] */
	const char **(*error_kind)(struct mpb_sweep *s, size_t i);
	size_t (*nruns)(const struct mpb_sweep *s, size_t i);
	/* Run item i once, keeping the measurement when `keep`. */
	int (*run)(struct mpb_sweep *s, size_t i, bool keep, struct mpb_diag *d);
	/* Adaptive sampling (analysis/sampling_verdict.h): the verdict on item
	 * i, MORE when it wants another measured run */
	void (*verdict)(const struct mpb_dataset *ds, size_t i, struct mpb_sampling_verdict *v);
	/* item i in words, for the progress display (progress.h) */
	void (*words)(const struct mpb_dataset *ds, size_t i, char *buf, size_t len);
	/* Where the time and CPU of item i's measured runs add up, and whether
	 * the CPU of all its processes is visible; NULL: not accounted. */
	struct mpb_sampling_acct *(*acct)(struct mpb_sweep *s, size_t i, bool *cpu_visible);
};

static size_t point_count(const struct mpb_sweep *s) { return s->plan->npoints; }
static bool *point_failed(struct mpb_sweep *s, size_t i) { return &s->data.pts[i].failed; }
static char *point_error(struct mpb_sweep *s, size_t i) { return s->data.pts[i].error; }
static const char **point_kind(struct mpb_sweep *s, size_t i) { return &s->data.pts[i].error_kind; }
static size_t point_nruns(const struct mpb_sweep *s, size_t i) { return s->data.pts[i].nruns; }

static int point_run(struct mpb_sweep *s, size_t i, bool keep, struct mpb_diag *d)
{
	struct mpb_sample smp;
	int rc = mpb_sweep_run_point(s, i, &smp, d);
	if (rc < 0)
		return rc;
	if (keep && mpb_dataset_add_run(&s->data.pts[i], &smp) == 0)
		return 0;
	mpb_dataset_sample_free(&smp);
	return keep ? mpb_fail(d, MPB_ENOMEM, "out of memory") : 0;
}

static struct mpb_sampling_acct *point_acct(struct mpb_sweep *s, size_t i, bool *cpu_visible)
{
	*cpu_visible = mpb_sampling_cpu_visible(&s->plan->points[i]);
	return &s->data.pts[i].acct;
}

static struct mpb_sampling_acct *baseline_acct(struct mpb_sweep *s, size_t i, bool *cpu_visible)
{
	*cpu_visible = true;
	return &s->data.bls[i].acct;
}

static size_t baseline_count(const struct mpb_sweep *s) { return s->plan->nbaselines; }
static bool *baseline_failed(struct mpb_sweep *s, size_t i) { return &s->data.bls[i].failed; }
static char *baseline_error(struct mpb_sweep *s, size_t i) { return s->data.bls[i].error; }
static const char **baseline_kind(struct mpb_sweep *s, size_t i) { return &s->data.bls[i].error_kind; }
static size_t baseline_nruns(const struct mpb_sweep *s, size_t i) { return s->data.bls[i].n; }

static size_t ceiling_count(const struct mpb_sweep *s) { return s->plan->nceilings; }
static bool *ceiling_failed(struct mpb_sweep *s, size_t i) { return &s->data.cls[i].failed; }
static char *ceiling_error(struct mpb_sweep *s, size_t i) { return s->data.cls[i].error; }
static const char **ceiling_kind(struct mpb_sweep *s, size_t i) { return &s->data.cls[i].error_kind; }
static size_t ceiling_nruns(const struct mpb_sweep *s, size_t i) { return s->data.cls[i].n; }

/* The ceiling: the baseline's tasks over bare forked processes. It runs
 * without the --parent-rss ballast, so that what the previous point left
 * behind does not change what fork costs here. */
static int ceiling_run(struct mpb_sweep *s, size_t j, bool keep, struct mpb_diag *d)
{
	const struct mpb_ceiling *c = &s->plan->ceilings[j];
	const struct mpb_baseline *b = &s->plan->baselines[c->baseline];
	struct baseline_prep *st = &s->run->preps[c->baseline];
	int rc = prepare_baseline(b, st, s->plan, d);
	if (rc == 0)
		rc = set_ballast(s, 0, d);
	if (rc < 0)
		return rc;
	struct mpb_ceiling_job job = {
		.workload = c->workload,
		.wl_state = st->wl_state,
		.params = wparams(s->plan, c->size, c->tasks),
		.args = st->args,
		.workers = c->workers,
		.stop_flag = s->stop_flag,
		.over = c->over,
	};
	uint64_t wall;
	rc = mpb_ceiling_run(&job, &s->run->arenas[j], &wall, NULL, d);
	if (rc == 0 && keep && mpb_dataset_add_wall(&s->data.cls[j], (double)wall) < 0)
		rc = mpb_fail(d, MPB_ENOMEM, "out of memory");
	return rc;
}

static const struct item_kind kinds[] = {
	{ "point", point_count, point_failed, point_error, point_kind, point_nruns, point_run,
	  mpb_sampling_point_verdict, mpb_progress_point_words, point_acct },
	{ "baseline", baseline_count, baseline_failed, baseline_error, baseline_kind, baseline_nruns,
	  run_baseline, mpb_sampling_baseline_verdict, mpb_progress_baseline_words, baseline_acct },
	{ "ceiling", ceiling_count, ceiling_failed, ceiling_error, ceiling_kind, ceiling_nruns,
	  ceiling_run, mpb_sampling_ceiling_verdict, mpb_progress_ceiling_words, NULL },
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

struct item {
	const struct item_kind *kind;
	size_t index;
	double run_ns; /* its median wall when last scheduled; NaN: none yet */
};

/* Whether item `it` runs in this round: warm-up runs only for items without
 * measured runs (tune's later phases keep the runs of earlier ones);
 * measured runs while sampling.c's policy (at least --runs, then until the
 * CI or the budget says stop) wants more. Counts into t the runs the item
 * is expected to still need (progress.h): its verdict's measured runs and,
 * for an item without runs, warm_left warm-up runs (the warm-up rounds left,
 * this one included; 0 in measured rounds); `peers` as progress.h says. */
static bool schedule(const struct mpb_sweep *s, struct item *it, bool keep, uint64_t warm_left,
		     uint64_t peers, struct mpb_progress_tally *t)
{
	struct mpb_sampling_verdict v;
	it->kind->verdict(&s->data, it->index, &v);
	bool fresh = it->kind->nruns(s, it->index) == 0;
	it->run_ns = v.median;
	mpb_progress_tally_expect(t, (fresh ? warm_left : 0) +
				  mpb_progress_runs_left(&s->data.sampling, s->plan->runs, &v, peers),
				  v.median);
	return keep ? v.state == MPB_SAMPLING_MORE : fresh;
}

/* Tell the display (progress.h) what runs next; between runs, outside any
 * timed window. */
static void show_step(const struct mpb_sweep *s, const struct item *it, bool keep,
		      const struct mpb_progress_tally *t)
{
	if (!s->progress)
		return;
	struct mpb_progress_step st = { .phase = s->phase, .warmup = !keep };
	if (it)
		it->kind->words(&s->data, it->index, st.what, sizeof st.what);
	bool settled = s->data.sampling.max_runs <= s->plan->runs &&
		       !(s->data.sampling.race_tolerance > 0);
	mpb_progress_fill(t, mpb_now_ns(), settled, &st);
	if (it)
		s->progress->step(s->progress_ctx, &st);
	else
		s->progress->end(s->progress_ctx, &st);
}

/* Run every live item once, in a freshly shuffled order; *nlive says how
 * many were live (0: nothing wants more). Returns 0, or -MPB_EINTR;
 * failures of single items, out of memory included, are recorded in the
 * item and counted in *failures. */
static int run_round(struct mpb_sweep *s, struct mpb_rng *rng, struct item *all, size_t nall,
		     struct item *live, bool keep, int *failures, uint64_t warm_left,
		     struct mpb_progress_tally *tally, size_t *nlive)
{
	size_t n = 0, npeers = 0;
	uint64_t peer_runs = 0, least = s->plan->runs > 2 ? s->plan->runs : 2;
	for (size_t k = 0; k < nall; k++) {
		size_t r = all[k].kind->nruns(s, all[k].index);
		if (r >= least) {
			peer_runs += r;
			npeers++;
		}
	}
	uint64_t peers = npeers ? (peer_runs + npeers - 1) / npeers : 0;
	mpb_progress_tally_reset(tally);
	for (size_t k = 0; k < nall; k++)
		if (!*all[k].kind->failed(s, all[k].index) &&
		    schedule(s, &all[k], keep, warm_left, peers, tally))
			live[n++] = all[k];
	*nlive = n;
	mpb_rng_shuffle(rng, live, n, sizeof *live);
	for (size_t k = 0; k < n; k++) {
		if (stopping(s))
			return -MPB_EINTR;
		if (halted(s, *failures))
			return 0; /* the caller's loops end too */
		show_step(s, &live[k], keep, tally);
		if (s->on_run)
			s->on_run(s->on_run_ctx, live[k].kind->name, live[k].index, keep);
		struct mpb_diag rd = { 0 };
		uint64_t t0 = mpb_now_ns(), c0 = mpb_sampling_cpu_now();
		int r = live[k].kind->run(s, live[k].index, keep, &rd);
		uint64_t t1 = mpb_now_ns();
		if (r == 0 && keep && live[k].kind->acct) {
			bool vis;
			struct mpb_sampling_acct *a = live[k].kind->acct(s, live[k].index, &vis);
			mpb_sampling_account(a, t1 - t0, mpb_sampling_cpu_now() - c0, vis);
		}
		mpb_progress_tally_ran(tally, live[k].run_ns, t1 - t0);
		/* out of memory in one item (a codec's buffer, a sample) fails that
		 * item, named, like any other failure: the sweep goes on with what
		 * memory it has and still writes its results */
		if (r == -MPB_EINTR)
			return r;
		if (r < 0) {
			*live[k].kind->failed(s, live[k].index) = true;
			snprintf(live[k].kind->error(s, live[k].index), 512, "%s", rd.msg);
			*live[k].kind->error_kind(s, live[k].index) = mpb_diag_kind(rd.code, rd.cause);
			(*failures)++;
		}
	}
	return 0;
}

int mpb_sweep_run(struct mpb_sweep *s, struct mpb_diag *d)
{
	const struct mpb_plan *p = s->plan;
	/* measurements carried over (tune's later phases) are kept */
	sync_inputs(s);
	int ok = ensure_state(s);
	if (!s->data.memo)
		s->data.memo = mpb_analysis_memo_new(p->npoints); /* NULL: no memo, same figures */
	size_t nall = 0;
	for (size_t k = 0; k < NKINDS; k++)
		nall += kinds[k].count(s);
	struct item *all = malloc((nall ? nall : 1) * sizeof *all);
	struct item *live = malloc((nall ? nall : 1) * sizeof *live);
	if (!all || !live || ok < 0) {
		free(all);
		free(live);
		return mpb_fail(d, MPB_ENOMEM, "out of memory");
	}
	nall = 0;
	for (size_t k = 0; k < NKINDS; k++)
		for (size_t i = 0; i < kinds[k].count(s); i++)
			all[nall++] = (struct item){ &kinds[k], i, NAN };
	if (!s->data.started[0])
		utc_now(s->data.started, sizeof s->data.started);
	s->data.status = "running";

	struct mpb_rng rng;
	mpb_rng_seed(&rng, p->seed);
	struct mpb_progress_tally tally;
	mpb_progress_tally_begin(&tally, mpb_now_ns());
	int rc = 0, failures = 0;
	size_t nlive = 0;
	for (uint64_t round = 0; round < p->warmup && rc == 0 && !halted(s, failures); round++)
		rc = run_round(s, &rng, all, nall, live, false, &failures, p->warmup - round, &tally,
			       &nlive);
	/* each round decides once per item whether it wants more (a bootstrap
	 * of its runs); a round with nothing live ends the sweep */
	while (rc == 0 && !halted(s, failures)) {
		rc = run_round(s, &rng, all, nall, live, true, &failures, 0, &tally, &nlive);
		if (rc == 0 && nlive == 0)
			break;
		if (rc == 0 && (rc = write_partial(s, d)) < 0) {
			s->data.status = "failed";
			free(all);
			free(live);
			return rc;
		}
	}
	free(all);
	free(live);
	mpb_progress_tally_reset(&tally);
	show_step(s, NULL, true, &tally);
	if (rc == -MPB_EINTR) {
		s->data.status = "interrupted";
		int w = write_results(s, d);
		if (w < 0)
			return w;
		if (s->output && mpb_outfile_kept_previous(s->output))
			return mpb_fail(d, MPB_EINTR, "interrupted before any run was measured: "
					"the previous %s is kept", s->output);
		return mpb_fail(d, MPB_EINTR, "interrupted: %s written with the runs completed so far",
				s->output ? s->output : "nothing");
	}
	if (rc < 0)
		return mpb_fail(d, -rc, "out of memory");
	s->data.status = failures ? "failed" : "complete";
	int w = write_results(s, d);
	if (w < 0)
		return w;
	if (failures)
		return mpb_fail(d, MPB_ERUN,
				"%d point(s), baseline(s) or ceiling(s) failed%s (recorded in %s)", failures,
				s->thread_abandoned ? "; a thread worker could not be stopped and is still "
				"running, so the sweep stopped there" : s->fail_fast ?
				"; --fail-fast stopped the sweep there" : "",
				s->output ? s->output : "the results");
	return 0;
}

/* Baseline preparations that a thread left running may still read
 * (thread_left_running): never freed, and reachable from here until the
 * process exits so that leak checkers do not report them. */
struct kept_preps {
	struct kept_preps *next;
	struct baseline_prep *preps;
};
static struct kept_preps *kept_preps;

static void keep_preps(struct baseline_prep *preps)
{
	struct kept_preps *k = malloc(sizeof *k);
	if (!k)
		return; /* then only unreachable: still never freed */
	*k = (struct kept_preps){ kept_preps, preps };
	kept_preps = k;
}

static void free_preps(const struct mpb_plan *p, struct baseline_prep *preps)
{
	for (size_t j = 0; preps && j < p->nbaselines; j++) {
		struct baseline_prep *b = &preps[j];
		if (b->args)
			mpb_value_clear_array(b->args, p->baselines[j].tasks);
		free(b->args);
		if (b->wl_state && p->baselines[j].workload->teardown)
			p->baselines[j].workload->teardown(b->wl_state);
	}
	free(preps);
}

void mpb_sweep_free(struct mpb_sweep *s)
{
	if (s->run) {
		if (s->thread_abandoned)
			keep_preps(s->run->preps);
		else
			free_preps(s->plan, s->run->preps);
		free(s->run->arenas);
		set_ballast(s, 0, NULL);
		free(s->run);
		s->run = NULL;
	}
	mpb_dataset_free(&s->data);
	mpb_analysis_memo_free(s->data.memo);
	s->data.memo = NULL;
}

const struct mpb_value *mpb_sweep_baseline_args(const struct mpb_sweep *s, size_t j)
{
	return s->run && s->run->preps ? s->run->preps[j].args : NULL;
}

/* Move element i of old[] to j of nw[] (both arrays of `size`-byte items)
 * and zero the old one, so that freeing what is left frees it once. */
static void move_item(void *nw, size_t j, void *old, size_t i, size_t size)
{
	memcpy((char *)nw + j * size, (char *)old + i * size, size);
	memset((char *)old + i * size, 0, size);
}

static bool same_baseline(const struct mpb_baseline *a, const struct mpb_baseline *b)
{
	return a->workload == b->workload && a->size == b->size && a->tasks == b->tasks;
}

static bool same_ceiling(const struct mpb_ceiling *a, const struct mpb_ceiling *b)
{
	return a->workload == b->workload && a->size == b->size && a->tasks == b->tasks &&
	       a->workers == b->workers;
}

int mpb_sweep_carry(struct mpb_sweep *s, const struct mpb_plan *nw,
		    bool (*same_point)(const struct mpb_point *a, const struct mpb_point *b),
		    struct mpb_diag *d)
{
	const struct mpb_plan *old = s->plan;
	if (ensure_state(s) < 0)
		return mpb_fail(d, MPB_ENOMEM, "out of memory");
	struct mpb_dataset next = { .plan = nw };
	struct baseline_prep *preps = calloc(nw->nbaselines ? nw->nbaselines : 1, sizeof *preps);
	size_t *arenas = calloc(nw->nceilings ? nw->nceilings : 1, sizeof *arenas);
	if (!preps || !arenas || mpb_dataset_alloc(&next) < 0) {
		free(preps);
		free(arenas);
		mpb_dataset_free(&next);
		return mpb_fail(d, MPB_ENOMEM, "out of memory");
	}
	struct mpb_dataset *ds = &s->data;
	for (size_t j = 0; j < nw->npoints; j++)
		for (size_t i = 0; i < old->npoints; i++)
			if (same_point(&nw->points[j], &old->points[i])) {
				move_item(next.pts, j, ds->pts, i, sizeof *ds->pts);
				break;
			}
	for (size_t j = 0; j < nw->nbaselines; j++)
		for (size_t i = 0; i < old->nbaselines; i++)
			if (same_baseline(&nw->baselines[j], &old->baselines[i])) {
				move_item(next.bls, j, ds->bls, i, sizeof *ds->bls);
				move_item(preps, j, s->run->preps, i, sizeof *preps);
				break;
			}
	for (size_t j = 0; j < nw->nceilings; j++)
		for (size_t i = 0; i < old->nceilings; i++)
			if (same_ceiling(&nw->ceilings[j], &old->ceilings[i])) {
				move_item(next.cls, j, ds->cls, i, sizeof *ds->cls);
				arenas[j] = s->run->arenas[i];
				break;
			}
	mpb_sweep_free(s); /* what did not move, and the memo of the old indices */
	ds->pts = next.pts;
	ds->bls = next.bls;
	ds->cls = next.cls;
	if (!(s->run = calloc(1, sizeof *s->run))) {
		free_preps(nw, preps);
		free(arenas);
		return mpb_fail(d, MPB_ENOMEM, "out of memory");
	}
	s->run->preps = preps;
	s->run->arenas = arenas;
	return 0;
}
