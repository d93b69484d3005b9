/* builtin_sweep.c — sweep, run and tune: one measuring path for the three,
 * told apart by a struct sweep_kind (which plan, which driver, racing, one
 * point only). Prints the table, recommendation and warnings; progress goes
 * to stderr. */
#include "builtin.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cmd_point.h"
#include "counter_source.h"
#include "counters.h"
#include "counters_report.h"
#include "deadline.h"
#include "driver.h"
#include "export.h"
#include "floor_mpi.h"
#include "inject.h"
#include "machine.h"
#include "method.h"
#include "parse.h"
#include "plan.h"
#include "progress_bar.h"
#include "recommend.h"
#include "results.h"
#include "sampling.h"
#include "stats.h"
#include "table.h"
#include "tune.h"
#include "warnings.h"

/* What tells sweep, run and tune apart. */
struct sweep_kind {
	bool race;      /* sampling races points against the best (tune) */
	bool one_point; /* the options must give exactly one point (run) */
	bool teaches;   /* with no axis given, say what the default plan shows (sweep) */
	/* the plan of the options; cfg may come to point into buf, which
	 * must outlive the sweep */
	int (*plan)(struct mpb_config *cfg, const struct mpb_machine *m, char *buf, size_t len,
		    struct mpb_plan *plan, struct mpb_diag *d);
	/* measure it; may replace *plan (tune's phases) */
	int (*measure)(struct mpb_sweep *s, struct mpb_plan *plan, const struct mpb_config *cfg,
		       const struct mpb_machine *m, struct mpb_diag *d);
};

/* What the checks before the plan give the sweep after it. */
struct sweep_setup {
	enum mpb_export_format fmt;
	struct mpb_sampling_policy policy;
	double tolerance;
	struct mpb_cmd_spec cmdspec;
	struct mpb_machine m;
	struct mpb_counter_set counters;
	char coarse[1024]; /* sweep_kind.plan's buf */
	char path[4096];   /* the default results path, when no -o */
};

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

/* Before any other work, so that a signal at any moment ends the sweep the
 * documented way (exit 130, results kept) instead of killing it half set up.
 * No SA_RESTART: poll and read return EINTR so the pool notices at once. A
 * signal that this process inherited as ignored stays ignored: a shell
 * starts background jobs with SIGINT ignored so that Ctrl-C at the terminal
 * leaves them alone. */
static void install_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM };
	struct sigaction sa, old;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
			sigaction(sigs[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static bool plan_uses(const struct mpb_plan *plan, const struct mpb_method_ops *m)
{
	for (size_t i = 0; i < plan->npoints; i++)
		if (plan->points[i].method == m)
			return true;
	return false;
}

/* The ranks of the plan's largest job of a method judged against the MPI
 * launch floor (its workers and the relay rank); 0 when it has none. */
static unsigned mpi_floor_ranks(const struct mpb_plan *plan)
{
	unsigned ranks = 0;
	for (size_t i = 0; i < plan->npoints; i++) {
		const struct mpb_point *pt = &plan->points[i];
		if (pt->method->floor == MPB_METHOD_FLOOR_MPI && pt->workers + 1 > ranks)
			ranks = pt->workers + 1;
	}
	return ranks;
}

/* Undo prepare_methods; every shutdown is idempotent, so this is safe after
 * a prepare that failed part way. */
static void shutdown_methods(const struct mpb_plan *plan)
{
	size_t n;
	const struct mpb_method_ops *const *all = mpb_method_all(&n);
	for (size_t i = 0; i < n; i++)
		if (all[i]->shutdown && plan_uses(plan, all[i]))
			all[i]->shutdown();
}

/* Before the sweep grows the heap or starts threads: the forkserver forks
 * its server here, so that its workers are forks of a small process. */
static int prepare_methods(const struct mpb_plan *plan, struct mpb_diag *d)
{
	size_t n;
	const struct mpb_method_ops *const *all = mpb_method_all(&n);
	for (size_t i = 0; i < n; i++) {
		if (!all[i]->prepare || !plan_uses(plan, all[i]))
			continue;
		int rc = all[i]->prepare(d);
		if (rc < 0) {
			shutdown_methods(plan);
			return rc;
		}
	}
	return 0;
}

/* Every warning once, on stderr, after the table: at most a screenful of the
 * per-point and baseline ones; those about the machine and the
 * recommendation (few, and the ones a user acts on) always show. */
void mpb_cli_print_warnings(const struct mpb_dataset *ds)
{
	struct mpb_warning_list l = { 0 };
	enum { MAX_SHOWN = 12 };
	if (mpb_warnings_collect(ds, &l) == 0) {
		size_t shown = 0, hidden = 0;
		for (size_t i = 0; i < l.n; i++) {
			bool always = strcmp(l.v[i].scope, "machine") == 0 ||
				      strcmp(l.v[i].scope, "recommendation") == 0;
			if (!always && shown >= MAX_SHOWN) {
				hidden++;
				continue;
			}
			shown += !always;
			fprintf(stderr, "mpbench: warning: %s\n", l.v[i].message);
		}
		if (hidden)
			fprintf(stderr, "mpbench: warning: ... and %zu more (\"warnings\" in the results)\n",
				hidden);
	}
	mpb_warnings_free(&l);
}

/* The checks that need no plan, in the order their errors are reported;
 * nothing to free on failure. */
static int check_options(struct mpb_config *cfg, const struct sweep_kind *k,
			 struct sweep_setup *su, struct mpb_diag *d)
{
	int rc;
	if ((rc = mpb_inject_check(d)) < 0) /* a test's typo must not pass silently */
		return rc;
	su->fmt = MPB_EXPORT_JSON;
	if (cfg->format && (rc = mpb_export_parse_format(cfg->format, MPB_EXPORT_JSON | MPB_EXPORT_CSV |
							 MPB_EXPORT_MD, &su->fmt, d)) < 0)
		return rc;
	if ((rc = mpb_sampling_policy_from(cfg, k->race, &su->policy, &su->tolerance, d)) < 0)
		return rc;
	/* -m mpi's placement: the method reads it where it starts mpirun
	 * (method_mpi.c), and so do the children this sweep starts */
	if (cfg->mpi_hostfile && access(cfg->mpi_hostfile, R_OK) < 0)
		return mpb_fail_errno(d, MPB_EINPUT, errno, "--mpi-hostfile %s: accepted: a readable "
				      "Open MPI hostfile", cfg->mpi_hostfile);
	if ((cfg->mpi_hostfile && setenv("MPBENCH_MPI_HOSTFILE", cfg->mpi_hostfile, 1) < 0) ||
	    (cfg->mpi_args && setenv("MPBENCH_MPI_ARGS", cfg->mpi_args, 1) < 0))
		return mpb_fail_errno(d, MPB_ESYS, errno, "setenv");
	/* --cmd: before the plan, which it gives workload cmd */
	if ((rc = mpb_cmd_spec_from(cfg, &su->cmdspec, d)) < 0)
		return rc;
	return mpb_machine_probe(NULL, &su->m, d);
}

/* -o, or the default under results/, must be writable before anything runs. */
static int check_output(const struct mpb_config *cfg, struct sweep_setup *su, struct mpb_diag *d)
{
	int rc;
	if (cfg->output && cfg->format && strcmp(cfg->output, "-") == 0)
		return mpb_fail(d, MPB_EINPUT, "-o - and --format %s both write to standard output "
				"(accepted: one of them)", cfg->format);
	if (cfg->output)
		return mpb_results_check_path(cfg->output, d);
	if ((rc = mpb_results_default_path(&su->m, su->path, sizeof su->path, d)) < 0)
		return rc;
	return mpb_results_check_path(su->path, d);
}

/* The plan is the default one: no workload, size, task count or worker
 * count given. */
static bool default_plan(const struct mpb_config *cfg)
{
	return !cfg->given_workloads && !cfg->given_sizes && !cfg->given_tasks &&
	       strcmp(cfg->workers, "auto") == 0;
}

/* The default workload's fine size (workload.h), or NULL: the default
 * sweep's second part. */
static const struct mpb_workload_ops *fine_workload(const struct mpb_config *cfg)
{
	const struct mpb_workload_ops *w = mpb_workload_find(cfg->workloads);
	return default_plan(cfg) && w && w->fine_size ? w : NULL;
}

/* What the default sweep measures and what to read in it: one line per
 * part (the fine part's points are those of another size than the first
 * point's). */
static void default_note(FILE *f, const struct mpb_sweep *s)
{
	const struct mpb_plan *p = s->plan;
	if (p->npoints == 0 || p->nbaselines == 0 || s->data.bls[0].n == 0)
		return;
	const struct mpb_point *pt = &p->points[0], *fine = NULL;
	unsigned wmax = 0;
	for (size_t i = 0; i < p->npoints; i++) {
		wmax = p->points[i].workers > wmax ? p->points[i].workers : wmax;
		if (!fine && p->points[i].size != pt->size)
			fine = &p->points[i];
	}
	double task_ms = mpb_stats_median(s->data.bls[0].wall_ns, s->data.bls[0].n) / 1e6 /
			 (double)pt->tasks;
	char size[MPB_FMT_U64_LEN];
	mpb_format_u64(pt->size, pt->workload->unit, size, sizeof size);
	fprintf(f, "default sweep: %s %s x %llu tasks of ~%.3g ms, 1 to %u workers on %d usable "
		"CPUs: tasks long enough that the pool's fixed costs are a few percent, enough of "
		"them to feed every worker; CPU-bound work should peak at the usable CPUs "
		"(give -w/-s/-t/-j to measure your own)\n", pt->workload->name, size,
		(unsigned long long)pt->tasks, task_ms, wmax, s->machine->usable_cpus);
	const struct mpb_wall_state *fb = fine ? &s->data.bls[fine->baseline] : NULL;
	if (!fb || fb->n == 0)
		return;
	mpb_format_u64(fine->size, fine->workload->unit, size, sizeof size);
	fprintf(f, "then the pool's price: %s %s x %llu tasks of ~%.3g us, too little work for a "
		"pool: its start-up and per-task messages (start/wkr, ovh/task) outweigh the work, "
		"serial should win, and the recommendation says from which size a pool would pay\n",
		fine->workload->name, size, (unsigned long long)fine->tasks,
		mpb_stats_median(fb->wall_ns, fb->n) / 1e3 / (double)fine->tasks);
}

/* After the sweep, whatever it got to: the table (or the --format export
 * alone on stdout, for pipes), then warnings and where the results are.
 * Returns rc, or the export's error when rc is 0. */
static int print_outcome(const struct mpb_config *cfg, const struct sweep_kind *k,
			 enum mpb_export_format fmt, struct mpb_sweep *s, int rc, struct mpb_diag *d)
{
	if (cfg->format) {
		int xr = mpb_export_sweep(stdout, fmt, &s->data, d);
		rc = rc < 0 ? rc : xr;
		if (!cfg->quiet) {
			mpb_cli_print_warnings(&s->data);
			fprintf(stderr, "results: %s\n", s->output);
		}
	} else if (!cfg->quiet) {
		/* with -o - the results document has standard output */
		FILE *out = strcmp(s->output, "-") == 0 ? stderr : stdout;
		if (k->teaches && default_plan(cfg))
			default_note(out, s);
		mpb_table_print(out, &s->data);
		mpb_recommend_print(out, &s->data);
		mpb_tune_print(out, s);
		mpb_cli_print_warnings(&s->data);
		fprintf(out, "results: %s\n", s->output);
	}
	return rc;
}

/* Measure the prepared plan, shut the methods down, print. */
static int measure(const struct mpb_cli_call *call, const struct sweep_kind *k,
		   struct sweep_setup *su, struct mpb_plan *plan, struct mpb_diag *d)
{
	struct mpb_config *cfg = call->cfg;
	/* on a terminal, or when asked; never with --quiet or --no-progress */
	bool tty = isatty(STDERR_FILENO);
	bool shown = !cfg->quiet && !cfg->no_progress && (tty || cfg->progress);
	struct mpb_progress_bar bar;
	mpb_progress_bar_init(&bar, stderr, tty, mpb_cli_width(STDERR_FILENO),
			      mpb_progress_bar_utf8_locale());
	struct mpb_sweep s = {
		.plan = plan,
		.machine = &su->m,
		.output = cfg->output ? cfg->output : su->path,
		.argc = call->argc,
		.argv = call->argv,
		.options = mpb_options_json(call->cmd->mask, cfg),
		.stop_flag = &stop_flag,
		.progress = shown ? &mpb_progress_bar_ops : NULL,
		.progress_ctx = &bar,
		.counters = &su->counters,
		.sampling = su->policy,
		.tolerance = su->tolerance,
		.run_timeout_ns = mpb_deadline_ns(cfg->run_timeout_s),
		.task_timeout_ns = mpb_deadline_ns(cfg->task_timeout_s),
		.fail_fast = cfg->fail_fast,
		.runner = mpb_cmd_spec_runner(&su->cmdspec), /* NULL: the pool */
		.runner_ctx = &su->cmdspec,
	};
	/* other load, sampled while this process still sleeps */
	mpb_warnings_probe_busy(100, &s.start_busy_cpus);
	char note[MPB_COUNTER_REASON_MAX + 96];
	if (!cfg->quiet && mpb_counters_ipc_note(&su->counters, note, sizeof note))
		fprintf(stderr, "mpbench: note: %s\n", note);
	int rc = k->measure(&s, plan, cfg, &su->m, d);
	shutdown_methods(plan);
	if (rc != -MPB_EIO) /* the results file could not be written: nothing to show */
		rc = print_outcome(cfg, k, su->fmt, &s, rc, d);
	mpb_sweep_free(&s);
	json_decref(s.options);
	json_decref(s.tune);
	return rc;
}

/* Every check and every probe before the first worker; then measure. One
 * way out, which frees the plan (mpb_plan_free of an unbuilt plan is a
 * no-op). */
static int sweep_like(const struct mpb_cli_call *call, const struct sweep_kind *k,
		      struct mpb_diag *d)
{
	struct mpb_config *cfg = call->cfg;
	struct sweep_setup su;
	struct mpb_plan plan = { 0 };
	int rc;
	install_signals();
	if ((rc = check_options(cfg, k, &su, d)) < 0 ||
	    (rc = k->plan(cfg, &su.m, su.coarse, sizeof su.coarse, &plan, d)) < 0 ||
	    /* before anything is created, results/ included */
	    (rc = mpb_cmd_spec_check_plan(&su.cmdspec, &plan, d)) < 0)
		goto out;
	if (k->one_point && plan.npoints != 1) {
		rc = mpb_fail(d, MPB_EINPUT, "%s: the options give %zu points; give one value per axis "
			      "(use sweep for more)", call->cmd->name, plan.npoints);
		goto out;
	}
	/* encode and probe before any worker exists: the groups every worker
	 * opens are fixed here (counters.h) */
	if ((rc = mpb_counters_resolve(cfg->counters, &mpb_counter_source_perf,
				       su.m.perf_event_paranoid, &su.counters, d)) < 0 ||
	    (rc = check_output(cfg, &su, d)) < 0 ||
	    (rc = prepare_methods(&plan, d)) < 0)
		goto out;
	/* in this process, as its runs will be: fixed costs are shown as
	 * multiples of these floors (results: machine.floors). Without them
	 * the sweep is still worth running: say so and go on */
	struct mpb_diag why = { 0 };
	if (mpb_machine_measure_floors(&su.m, &su.counters, &why) < 0)
		fprintf(stderr, "mpbench: note: floors and self-check not measured: %s\n", why.msg);
	unsigned ranks = mpi_floor_ranks(&plan);
	why = (struct mpb_diag){ 0 };
	if (ranks && su.m.has_floors && mpb_floor_mpi_measure(&su.m.floors, ranks, true, &why) < 0)
		fprintf(stderr, "mpbench: note: MPI floors not measured: %s\n", why.msg);
	rc = measure(call, k, &su, &plan, d);
out:
	mpb_plan_free(&plan);
	return rc;
}

/* sweep's grid; the default one adds its workload's fine size (the
 * pool's price, default_note). buf keeps the sizes' text for as long as
 * cfg. */
static int plan_grid(struct mpb_config *cfg, const struct mpb_machine *m, char *buf, size_t len,
		     struct mpb_plan *plan, struct mpb_diag *d)
{
	const struct mpb_workload_ops *w = fine_workload(cfg);
	if (w && (size_t)snprintf(buf, len, "%s,%s", w->default_sizes, w->fine_size) < len)
		cfg->sizes = buf;
	return mpb_plan_build(cfg, m, plan, d);
}

/* run is one point: its -j auto (the default) is the usable CPUs, where
 * sweep's is a list. buf keeps the count's text for as long as cfg. */
static int plan_one(struct mpb_config *cfg, const struct mpb_machine *m, char *buf, size_t len,
		    struct mpb_plan *plan, struct mpb_diag *d)
{
	if (strcmp(cfg->workers, "auto") == 0) {
		snprintf(buf, len, "%d", m->usable_cpus > 0 ? m->usable_cpus : 1);
		cfg->workers = buf;
	}
	return mpb_plan_build(cfg, m, plan, d);
}

static int measure_grid(struct mpb_sweep *s, struct mpb_plan *plan, const struct mpb_config *cfg,
			const struct mpb_machine *m, struct mpb_diag *d)
{
	(void)plan;
	(void)cfg;
	(void)m;
	return mpb_sweep_run(s, d);
}

static const struct sweep_kind kind_sweep = { false, false, true, plan_grid, measure_grid };
static const struct sweep_kind kind_run = { false, true, false, plan_one, measure_grid };
static const struct sweep_kind kind_tune = { true, false, false, mpb_tune_plan, mpb_tune_run };

int mpb_builtin_sweep(const struct mpb_cli_call *call, struct mpb_diag *d)
{
	return sweep_like(call, &kind_sweep, d);
}

int mpb_builtin_run(const struct mpb_cli_call *call, struct mpb_diag *d)
{
	return sweep_like(call, &kind_run, d);
}

int mpb_builtin_tune(const struct mpb_cli_call *call, struct mpb_diag *d)
{
	return sweep_like(call, &kind_tune, d);
}
