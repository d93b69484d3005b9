/* cmd_point.c — the `cmd` workload in a sweep (see cmd_point.h). */
#include "cmd_point.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "codec.h"
#include "cmd_run.h"
#include "fdchan.h"
#include "parse.h"
#include "pyinstr.h"
#include "pyrecord.h"
#include "results.h"

/* The values of --instrument: whether each measures a Python pool. */
static const struct {
	const char *name;
	bool python;
} instrumenters[] = { { "none", false }, { "python", true } };

static int instrument_from(const char *value, bool have_cmd, bool *python, struct mpb_diag *d)
{
	for (size_t k = 0; k < sizeof instrumenters / sizeof *instrumenters; k++)
		if (strcmp(value, instrumenters[k].name) == 0) {
			*python = instrumenters[k].python;
			if (*python && !have_cmd)
				return mpb_fail(d, MPB_EINPUT, "--instrument %s needs --cmd TEMPLATE",
						value);
			return 0;
		}
	return mpb_fail(d, MPB_EINPUT, "--instrument: unknown value '%s' (accepted: none, python)",
			value);
}

static bool only_cmd(const char *list)
{
	return strcmp(list, mpb_workload_cmd.name) == 0;
}

static bool lists_cmd(const char *list)
{
	size_t n = strlen(mpb_workload_cmd.name);
	for (const char *p = list; (p = strstr(p, mpb_workload_cmd.name)); p += n)
		if ((p == list || p[-1] == ',') && (p[n] == '\0' || p[n] == ','))
			return true;
	return false;
}

/* The codecs of the sweep against --instrument: a codec that a measured
 * program uses itself (MPB_CODEC_EXTERNAL: pickle) is what --instrument
 * python records, and only that; without --codec it is the sweep's codec. */
static int codecs_for(struct mpb_config *cfg, bool python, struct mpb_diag *d)
{
	if (python && !cfg->given_codecs) {
		size_t n;
		const struct mpb_codec_ops *const *all = mpb_codec_all(&n);
		for (size_t k = 0; k < n; k++)
			if (all[k]->flags & MPB_CODEC_EXTERNAL)
				cfg->codecs = all[k]->name;
		return 0;
	}
	char **list = NULL;
	size_t n = 0;
	int rc = mpb_parse_list(cfg->codecs, "--codec", &list, &n, d);
	if (rc < 0)
		return rc;
	for (size_t k = 0; rc == 0 && k < n; k++) {
		const struct mpb_codec_ops *c = mpb_codec_find(list[k]);
		if (!c || !(c->flags & MPB_CODEC_EXTERNAL) == !python)
			continue; /* unknown ones are the plan's to name */
		rc = python ? mpb_fail(d, MPB_EINPUT, "--codec %s cannot go with --instrument python, "
				       "which records the program's own pickling (accepted: pickle, "
				       "or no --codec)", list[k])
			    : mpb_fail(d, MPB_EINPUT, "--codec %s is a Python program's own: it needs "
				       "--cmd with --instrument python (accepted for mpbench's pool: "
				       "raw, json, none)", list[k]);
	}
	mpb_parse_list_free(list, n);
	return rc;
}

int mpb_cmd_spec_from(struct mpb_config *cfg, struct mpb_cmd_spec *spec, struct mpb_diag *d)
{
	memset(spec, 0, sizeof *spec);
	bool python = false;
	int irc = instrument_from(cfg->instrument ? cfg->instrument : "none", cfg->cmd != NULL,
				  &python, d);
	if (irc == 0)
		irc = codecs_for(cfg, python, d);
	if (irc < 0)
		return irc;
	if (!cfg->cmd) {
		if (cfg->baseline_cmd)
			return mpb_fail(d, MPB_EINPUT, "--baseline-cmd needs --cmd TEMPLATE");
		if (cfg->shell)
			return mpb_fail(d, MPB_EINPUT, "--shell needs --cmd TEMPLATE");
		if (lists_cmd(cfg->workloads))
			return mpb_fail(d, MPB_EINPUT, "-w/--workload cmd needs --cmd TEMPLATE (e.g. "
					"--cmd 'python3 workloads/python/seed.py -j {workers} -m {method}')");
		return 0;
	}
	if (!cfg->given_workloads)
		cfg->workloads = mpb_workload_cmd.name;
	else if (!only_cmd(cfg->workloads))
		return mpb_fail(d, MPB_EINPUT, "--cmd runs the workload cmd: -w/--workload '%s' cannot "
				"go with it (accepted: -w cmd, or no -w)", cfg->workloads);
	int rc = mpb_cmd_check(cfg->cmd, cfg->shell, "--cmd", d);
	if (rc == 0 && cfg->baseline_cmd)
		rc = mpb_cmd_check(cfg->baseline_cmd, cfg->shell, "--baseline-cmd", d);
	if (rc < 0)
		return rc;
	spec->tmpl = cfg->cmd;
	spec->baseline_tmpl = cfg->baseline_cmd;
	spec->shell = cfg->shell;
	spec->timeout_s = cfg->run_timeout_s;
	spec->instrument_python = python;
	return 0;
}

static void point_vars(const struct mpb_point *pt, struct mpb_cmd_vars *v)
{
	*v = (struct mpb_cmd_vars){ pt->workers, pt->size, pt->tasks, pt->chunksize,
				    pt->method->name };
}

/* The baseline's values: --cmd's at {workers}=1, the rest from the first
 * point the baseline serves. */
static int baseline_vars(const struct mpb_plan *plan, size_t j, struct mpb_cmd_vars *v)
{
	for (size_t i = 0; i < plan->npoints; i++)
		if (plan->points[i].baseline == j) {
			point_vars(&plan->points[i], v);
			v->workers = 1;
			return 0;
		}
	return -1;
}

static int expand_for(const struct mpb_cmd_spec *spec, bool baseline,
		      const struct mpb_cmd_vars *v, char ***argv, struct mpb_diag *d)
{
	const char *t = baseline && spec->baseline_tmpl ? spec->baseline_tmpl : spec->tmpl;
	const char *what = baseline && spec->baseline_tmpl ? "--baseline-cmd" : "--cmd";
	return mpb_cmd_expand(t, spec->shell, v, what, argv, NULL, d);
}

int mpb_cmd_spec_check_plan(const struct mpb_cmd_spec *spec, const struct mpb_plan *plan,
			    struct mpb_diag *d)
{
	if (!spec->tmpl)
		return 0;
	/* auto sizes chunks inside mpbench's own pool, while it maps: a command
	 * only ever sees {chunksize} */
	for (size_t i = 0; i < plan->npoints; i++)
		if (plan->points[i].chunk_strategy == MPB_CHUNK_AUTO)
			return mpb_fail(d, MPB_EINPUT, "-c/--chunksize: auto cannot go with --cmd (the "
					"program gets {chunksize}; accepted: integers or python)");
	for (size_t k = 0; k < plan->npoints + plan->nbaselines; k++) {
		struct mpb_cmd_vars v;
		bool bl = k >= plan->npoints;
		if (bl && baseline_vars(plan, k - plan->npoints, &v) < 0)
			continue;
		if (!bl)
			point_vars(&plan->points[k], &v);
		char **argv;
		int rc = expand_for(spec, bl, &v, &argv, d);
		if (rc == 0)
			rc = mpb_cmd_check_executable(argv[0], bl && spec->baseline_tmpl
						      ? "--baseline-cmd" : "--cmd", d);
		mpb_cmd_argv_free(argv);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* The run's "cmd" record. NULL on ENOMEM. */
static json_t *record(char **argv, const struct mpb_cmd_result *r)
{
	json_t *av = json_array();
	for (size_t k = 0; av && argv[k]; k++)
		json_array_append_new(av, json_string(argv[k]));
	json_t *o = json_pack("{s:o, s:I, s:o, s:o, s:b, s:{s:o, s:o, s:o, s:o, s:o, s:o, s:o}, "
			      "s:s, s:o}",
		"argv", av, "pid", (json_int_t)r->pid,
		"exit_status", r->exited ? json_integer(r->exit_status) : json_null(),
		"signal", r->term_signal ? json_integer(r->term_signal) : json_null(),
		"timed_out", r->timed_out,
		"tree", "user_ns", mpb_results_u64(r->tree.user_ns), "system_ns", mpb_results_u64(r->tree.system_ns),
		"maxrss_bytes", mpb_results_u64(r->tree.maxrss_bytes), "minor_faults", mpb_results_u64(r->tree.minflt),
		"major_faults", mpb_results_u64(r->tree.majflt),
		"voluntary_context_switches", mpb_results_u64(r->tree.nvcsw),
		"involuntary_context_switches", mpb_results_u64(r->tree.nivcsw),
		"stderr_tail", r->stderr_tail, "stderr_bytes", mpb_results_u64(r->stderr_bytes));
	json_t *fd = mpb_fdchan_json(&r->chan);
	if (!o || !fd) {
		json_decref(o);
		json_decref(fd);
		return NULL;
	}
	json_object_update(o, fd);
	json_decref(fd);
	return o;
}

static uint64_t reported(const struct mpb_cmd_result *r, const char *a, const char *b)
{
	uint64_t v = 0;
	if (!mpb_fdchan_get(&r->chan, a, &v) && b)
		mpb_fdchan_get(&r->chan, b, &v);
	return v;
}

/* Why the pool's process could not read a counter of a worker before its
 * terminate() killed it (sitecustomize.py's _take_counters). */
static void taken_reason(int err, char *buf, size_t len)
{
	const char *what;
	switch (err) {
	case ENOSYS:
		what = "this kernel has no pidfd_getfd (Linux 5.6 and later have)";
		break;
	case EPERM:
	case EACCES:
		what = "pidfd_getfd is not permitted here (ptrace access: Yama "
		       "ptrace_scope, seccomp or a container policy)";
		break;
	case ESRCH:
		what = "the worker had exited";
		break;
	default:
		what = strerror(err);
		break;
	}
	const char *name = mpb_counters_errno_name(err);
	char num[24];
	if (!name) {
		snprintf(num, sizeof num, "errno %d", err);
		name = num;
	}
	snprintf(buf, len, "killed by Pool.terminate(); its counters could not be taken: %s (%s)",
		 what, name);
}

/* {key: "worker PID: reason"} for each counter of the set that some worker
 * of run s could not open, or that the pool's process could not read for a
 * worker that terminate() killed (the first such worker's errno, in the
 * words of mpb_counters_reason or taken_reason); the events mpbench itself
 * could not open are in machine.counters already. */
static json_t *worker_counter_failures(const struct mpb_counter_set *set,
				       const struct mpb_sample *s)
{
	json_t *o = json_object();
	for (size_t k = 0; o && set && k < set->n; k++) {
		const struct mpb_counter_event *ev = &set->ev[k];
		if (!ev->available || ev->plan_index < 0)
			continue;
		uint32_t pi = (uint32_t)ev->plan_index;
		for (unsigned w = 0; w < s->nworkers; w++) {
			const struct mpb_counts *c = &s->worker[w].counters;
			if (pi >= c->n || c->c[pi].state != MPB_COUNT_FAILED)
				continue;
			char why[MPB_COUNTER_REASON_MAX], text[MPB_COUNTER_REASON_MAX + 32];
			if (s->worker[w].counters_not_taken >> pi & 1)
				taken_reason(c->c[pi].err, why, sizeof why);
			else
				mpb_counters_reason(c->c[pi].err, set->paranoid, why, sizeof why);
			snprintf(text, sizeof text, "worker %ld: %s", (long)s->worker[w].pid, why);
			json_object_set_new(o, ev->key, json_string(text));
			break;
		}
	}
	return o;
}

/* The run's figures from the Python instrumentation's records, into *out
 * and its "cmd" record's "python" key. */
static int python_figures(const struct mpb_pyinstr *pi, pid_t pid,
			  const struct mpb_counter_set *set, struct mpb_sample *out,
			  struct mpb_diag *d)
{
	struct mpb_pyrec pr;
	json_t *python = NULL;
	int rc = mpb_pyrec_load(pi->records, pid, &pr, d);
	if (rc == 0)
		rc = mpb_pyrec_fill(&pr, out, &python, d);
	if (rc == 0 && json_integer_value(json_object_get(python, "pools")) > 0 &&
	    json_object_set_new(python, "counters_failed", worker_counter_failures(set, out)) < 0)
		rc = mpb_fail(d, MPB_ENOMEM, "out of memory");
	if (rc == 0)
		json_object_set_new(out->cmd, "python", python);
	else
		json_decref(python);
	mpb_pyrec_free(&pr);
	return rc;
}

/* A failed run of an instrumented command: where its pool's process said
 * why (sitecustomize.py, _check_exited: a worker killed during a task),
 * that cause leads d's message, ahead of the stderr tail, which the pool's
 * other processes may fill after the cause as they die with the script
 * (a forkserver's new worker, its bootstrap cut short, prints a traceback). */
static void python_cause(const struct mpb_pyinstr *pi, pid_t pid, struct mpb_diag *d)
{
	struct mpb_pyrec pr;
	struct mpb_diag ignored = { 0 };
	if (mpb_pyrec_load(pi->records, pid, &pr, &ignored) == 0 && pr.parent && d) {
		const char *k = json_string_value(json_object_get(pr.parent, "killed"));
		char head[160];
		int n = k && k[0] ? snprintf(head, sizeof head, "multiprocessing.Pool %s: ", k) : 0;
		if (n > 0 && (size_t)n < sizeof head) {
			size_t hl = (size_t)n, ml = strnlen(d->msg, sizeof d->msg - 1);
			if (hl + ml > sizeof d->msg - 1)
				ml = sizeof d->msg - 1 - hl;
			memmove(d->msg + hl, d->msg, ml);
			memcpy(d->msg, head, hl);
			d->msg[hl + ml] = '\0';
		}
	}
	mpb_pyrec_free(&pr);
}

static int cmd_point(void *ctx, const struct mpb_runner_env *e, size_t i, struct mpb_sample *out,
		     struct mpb_diag *d)
{
	const struct mpb_cmd_spec *spec = ctx;
	const struct mpb_point *pt = &e->plan->points[i];
	struct mpb_cmd_vars v;
	char **argv;
	point_vars(pt, &v);
	int rc = expand_for(spec, false, &v, &argv, d);
	if (rc < 0)
		return rc;
	struct mpb_cmd_job job = {
		.argv = argv,
		.timeout_s = spec->timeout_s,
		.counters = e->counters ? &e->counters->plan : NULL,
		.stop_flag = e->stop_flag,
	};
	struct mpb_pyinstr pi = { 0 };
	if (spec->instrument_python) {
		if ((rc = mpb_pyinstr_begin(&pi, job.counters, d)) < 0) {
			mpb_cmd_argv_free(argv);
			return rc;
		}
		job.env_extra = pi.env;
	}
	struct mpb_cmd_result r;
	rc = mpb_cmd_run(&job, &r, d);
	if (rc == -MPB_ERUN && spec->instrument_python && r.pid > 0)
		python_cause(&pi, r.pid, d);
	if (rc == 0) {
		memset(out, 0, sizeof *out);
		out->wall_ns = r.wall_ns;
		out->startup_ns = reported(&r, "startup_ns", NULL);
		out->map_ns = reported(&r, "map_ns", NULL);
		out->teardown_ns = reported(&r, "teardown_ns", NULL);
		out->compute_ns = reported(&r, "compute_ns", NULL);
		out->codec_parent_ns = reported(&r, "codec_parent_ns", "serialize_ns");
		out->codec_workers_ns = reported(&r, "codec_workers_ns", NULL);
		out->bytes_sent = reported(&r, "bytes_sent", NULL);
		out->bytes_received = reported(&r, "bytes_received", NULL);
		/* the command's whole tree stands where the harness thread would */
		out->harness.perf = r.counts;
		out->harness.nvcsw = r.tree.nvcsw;
		out->harness.nivcsw = r.tree.nivcsw;
		out->harness.minflt = r.tree.minflt;
		out->harness.majflt = r.tree.majflt;
		out->cmd = record(argv, &r);
		if (!out->cmd)
			rc = mpb_fail(d, MPB_ENOMEM, "out of memory");
		if (rc == 0 && spec->instrument_python)
			rc = python_figures(&pi, r.pid, e->counters, out, d);
		if (rc < 0)
			mpb_dataset_sample_free(out);
	}
	mpb_pyinstr_end(&pi);
	mpb_cmd_result_free(&r);
	mpb_cmd_argv_free(argv);
	return rc;
}

static int cmd_baseline(void *ctx, const struct mpb_runner_env *e, size_t j, uint64_t *wall_ns,
			struct mpb_diag *d)
{
	const struct mpb_cmd_spec *spec = ctx;
	struct mpb_cmd_vars v;
	char **argv;
	if (baseline_vars(e->plan, j, &v) < 0)
		return mpb_fail(d, MPB_EINPUT, "cmd: baseline %zu serves no point", j);
	int rc = expand_for(spec, true, &v, &argv, d);
	if (rc < 0)
		return rc;
	struct mpb_cmd_job job = { .argv = argv, .timeout_s = spec->timeout_s,
				   .stop_flag = e->stop_flag };
	struct mpb_cmd_result r;
	rc = mpb_cmd_run(&job, &r, d);
	if (rc == 0)
		*wall_ns = r.wall_ns;
	mpb_cmd_result_free(&r);
	mpb_cmd_argv_free(argv);
	return rc;
}

static const struct mpb_runner_ops cmd_runner = {
	.name = "cmd",
	.point = cmd_point,
	.baseline = cmd_baseline,
};

const struct mpb_runner_ops *mpb_cmd_spec_runner(const struct mpb_cmd_spec *spec)
{
	return spec->tmpl ? &cmd_runner : NULL;
}
