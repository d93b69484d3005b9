/* cli.c — commands and their wiring (see cli.h). This is the layer that
 * prints: tables and listings to stdout, progress to stderr. */
#include "cli.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ceiling.h"
#include "cmd_point.h"
#include "codec.h"
#include "compare.h"
#include "counter_source.h"
#include "counters.h"
#include "counters_report.h"
#include "deadline.h"
#include "inject.h"
#include "driver.h"
#include "export.h"
#include "floor.h"
#include "machine.h"
#include "method.h"
#include "mpb_config.h"
#include "mpb_git.h"
#include "options.h"
#include "parse.h"
#include "plan.h"
#include "results.h"
#include "recommend.h"
#include "report.h"
#include "sampling.h"
#include "table.h"
#include "tune.h"
#include "warnings.h"
#include "workload.h"

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

/* No SA_RESTART: poll and read return EINTR so the pool notices at once. */
static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

struct progress_ctx {
	bool on;
};

static void progress(void *ctx, size_t done, size_t total)
{
	struct progress_ctx *pc = ctx;
	if (!pc->on)
		return;
	fprintf(stderr, "\r  run %zu/%zu", done, total);
	if (done == total)
		fputs("\r\033[K", stderr);
	fflush(stderr);
}

struct command {
	const char *name;
	unsigned mask;
	const char *args;
	const char *brief;    /* one line for `mpbench --help` */
	const char *summary;  /* the paragraph of `mpbench COMMAND --help` */
	int (*fn)(const struct command *c, int argc, char **argv, int full_argc, char **full_argv,
		  struct mpb_diag *d);
};

static void command_help(const struct command *c)
{
	printf("usage: mpbench %s [options]%s%s\n\n%s\n\noptions:\n", c->name, c->args ? " " : "",
	       c->args ? c->args : "", c->summary);
	mpb_options_help(c->mask, stdout);
}

static bool plan_uses(const struct mpb_plan *plan, const struct mpb_method_ops *m)
{
	for (size_t i = 0; i < plan->npoints; i++)
		if (plan->points[i].method == m)
			return true;
	return false;
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
static void print_warnings(const struct mpb_sweep *s)
{
	struct mpb_warning_list l = { 0 };
	enum { MAX_SHOWN = 12 };
	if (mpb_warnings_collect(s, &l) == 0) {
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

static int sweep_like(const struct command *c, int argc, char **argv, int full_argc,
		      char **full_argv, struct mpb_diag *d)
{
	struct mpb_config cfg;
	struct mpb_machine m;
	struct mpb_plan plan;
	char path[4096];
	int rc = mpb_options_parse(c->mask, argc, argv, &cfg, d);
	if (rc < 0)
		return rc;
	if (cfg.help) {
		command_help(c);
		return 0;
	}
	if (cfg.npositional)
		return mpb_fail(d, MPB_EINPUT, "%s: unexpected argument '%s'", c->name, cfg.positional[0]);
	if ((rc = mpb_inject_check(d)) < 0) /* a test's typo must not pass silently */
		return rc;
	enum mpb_export_format fmt = MPB_EXPORT_JSON;
	if (cfg.format && (rc = mpb_export_parse_format(cfg.format, MPB_EXPORT_JSON | MPB_EXPORT_CSV |
							MPB_EXPORT_MD, &fmt, d)) < 0)
		return rc;
	struct mpb_sampling_policy policy;
	double tolerance;
	char coarse[1024];
	if ((rc = mpb_sampling_policy_from(&cfg, c->mask == MPB_CMD_TUNE, &policy, &tolerance, d)) < 0)
		return rc;
	struct mpb_cmd_spec cmdspec; /* --cmd: before the plan, which it gives workload cmd */
	if ((rc = mpb_cmd_spec_from(&cfg, &cmdspec, d)) < 0)
		return rc;
	if ((rc = mpb_machine_probe(NULL, &m, d)) < 0)
		return rc;
	if (c->mask == MPB_CMD_TUNE)
		rc = mpb_tune_plan(&cfg, &m, coarse, sizeof coarse, &plan, d);
	else
		rc = mpb_plan_build(&cfg, &m, &plan, d);
	if (rc == 0 && (rc = mpb_cmd_spec_check_plan(&cmdspec, &plan, d)) < 0)
		mpb_plan_free(&plan); /* before anything is created, results/ included */
	if (rc < 0)
		return rc;
	if (c->mask == MPB_CMD_RUN && plan.npoints != 1) {
		size_t np = plan.npoints;
		mpb_plan_free(&plan);
		return mpb_fail(d, MPB_EINPUT, "run: the options give %zu points; give one value per axis "
				"(use sweep for more)", np);
	}
	/* encode and probe before any worker exists: the groups every worker
	 * opens are fixed here (counters.h) */
	struct mpb_counter_set counters;
	rc = mpb_counters_resolve(cfg.counters, &mpb_counter_source_perf, m.perf_event_paranoid,
				  &counters, d);
	if (rc < 0) {
		mpb_plan_free(&plan);
		return rc;
	}
	if (cfg.output)
		rc = mpb_results_check_path(cfg.output, d);
	else if ((rc = mpb_results_default_path(&m, path, sizeof path, d)) == 0)
		rc = mpb_results_check_path(path, d);
	if (rc == 0)
		rc = prepare_methods(&plan, d);
	if (rc < 0) {
		mpb_plan_free(&plan);
		return rc;
	}
	struct progress_ctx pc = { !cfg.quiet && !cfg.no_progress && isatty(STDERR_FILENO) };
	struct mpb_sweep s = {
		.plan = &plan,
		.machine = &m,
		.output = cfg.output ? cfg.output : path,
		.argc = full_argc,
		.argv = full_argv,
		.options = mpb_options_json(c->mask, &cfg),
		.stop_flag = &stop_flag,
		.progress = progress,
		.progress_ctx = &pc,
		.counters = &counters,
		.sampling = policy,
		.tolerance = tolerance,
		.run_timeout_ns = mpb_deadline_ns(cfg.run_timeout_s),
		.task_timeout_ns = mpb_deadline_ns(cfg.task_timeout_s),
		.fail_fast = cfg.fail_fast,
		.cmd = &cmdspec,
	};
	/* other load, sampled while this process still sleeps */
	mpb_warnings_probe_busy(100, &s.start_busy_cpus);
	char note[MPB_COUNTER_REASON_MAX + 96];
	if (!cfg.quiet && mpb_counters_ipc_note(&counters, note, sizeof note))
		fprintf(stderr, "mpbench: note: %s\n", note);
	install_signals();
	if (c->mask == MPB_CMD_TUNE)
		rc = mpb_tune_run(&s, &plan, &cfg, &m, d);
	else
		rc = mpb_sweep_run(&s, d);
	shutdown_methods(&plan);
	if (cfg.format && rc != -MPB_EIO) {
		/* stdout is the table alone, for pipes; the rest goes to stderr */
		int xr = mpb_export_sweep(stdout, fmt, &s, d);
		rc = rc < 0 ? rc : xr;
		if (!cfg.quiet) {
			print_warnings(&s);
			fprintf(stderr, "results: %s\n", s.output);
		}
	} else if (!cfg.quiet && rc != -MPB_EIO) {
		mpb_table_print(stdout, &s);
		mpb_recommend_print(stdout, &s);
		mpb_tune_print(stdout, &s);
		print_warnings(&s);
		printf("results: %s\n", s.output);
	}
	mpb_sweep_free(&s);
	json_decref(s.options);
	json_decref(s.tune);
	mpb_plan_free(&plan);
	return rc;
}

static int cmd_info(const struct command *c, int argc, char **argv, int full_argc,
		    char **full_argv, struct mpb_diag *d)
{
	(void)full_argc; (void)full_argv;
	struct mpb_config cfg;
	struct mpb_machine m;
	struct mpb_floor fl;
	int rc = mpb_options_parse(c->mask, argc, argv, &cfg, d);
	if (rc < 0)
		return rc;
	if (cfg.help) {
		command_help(c);
		return 0;
	}
	if (cfg.npositional)
		return mpb_fail(d, MPB_EINPUT, "info: unexpected argument '%s'", cfg.positional[0]);
	if ((rc = mpb_machine_probe(NULL, &m, d)) < 0)
		return rc;
	printf("mpbench %s (git %s)\n", MPB_VERSION, MPB_GIT);
	printf("host              %s\n", m.hostname);
	printf("cpu               %s\n", m.cpu_model[0] ? m.cpu_model : "unknown");
	printf("cpus              %d online, %d in affinity, %d usable", m.online_cpus,
	       m.affinity_cpus, m.usable_cpus);
	if (m.cgroup_cpu_quota > 0)
		printf(" (cgroup quota %.2f CPUs)", m.cgroup_cpu_quota);
	printf("\nphysical cores    %d%s\n", m.physical_cores, m.smt ? " (SMT on)" : "");
	printf("memory            %.1f GiB total, %.1f GiB available\n",
	       (double)m.memory_bytes / (1 << 30), (double)m.mem_available_bytes / (1 << 30));
	printf("kernel            %s %s\n", m.kernel, m.arch);
	printf("governor          %s\n", m.governor[0] ? m.governor : "unknown");
	printf("perf paranoid     %d\n", m.perf_event_paranoid);
	printf("load (1 min)      %.2f\n", m.loadavg1);
	struct mpb_counter_set cs;
	if ((rc = mpb_counters_resolve("default", &mpb_counter_source_perf, m.perf_event_paranoid,
				       &cs, d)) < 0)
		return rc;
	printf("counters (the default set, each probed by opening it):\n");
	mpb_counters_print(stdout, &cs);
	if ((rc = mpb_floor_measure(&fl, d)) < 0)
		return rc;
	printf("floor costs (median, measured now):\n");
	printf("  pipe round trip     %9.1f us  (1 byte there and back, 2 processes)\n",
	       fl.pipe_rtt_ns / 1e3);
	printf("  fork+exit+wait      %9.1f us\n", fl.fork_exit_wait_ns / 1e3);
	printf("  posix_spawn+wait    %9.1f us  (/bin/true)\n", fl.spawn_exit_wait_ns / 1e3);
	printf("  thread create+join  %9.1f us\n", fl.thread_create_join_ns / 1e3);
	struct mpb_ceiling_machine cm;
	if ((rc = mpb_ceiling_measure_machine((unsigned)m.usable_cpus, NULL, &cm, d)) < 0)
		return rc;
	char csize[MPB_FMT_U64_LEN];
	mpb_format_u64(cm.size, MPB_UNIT_COUNT, csize, sizeof csize);
	printf("ceiling (measured now: what this machine gives a CPU-bound loop):\n");
	printf("  %.2fx at %u workers  (95%% CI %.2f-%.2f, efficiency %.2f; sumsq, %llu tasks of "
	       "%s split over %u bare forked processes vs serial, median of %u)\n", cm.speedup,
	       cm.workers, cm.ci_lo, cm.ci_hi, cm.efficiency, (unsigned long long)cm.tasks, csize,
	       cm.workers, cm.runs);
	return 0;
}

static int cmd_list(const struct command *c, int argc, char **argv, int full_argc,
		    char **full_argv, struct mpb_diag *d)
{
	(void)full_argc; (void)full_argv;
	struct mpb_config cfg;
	size_t n;
	int rc = mpb_options_parse(c->mask, argc, argv, &cfg, d);
	if (rc < 0)
		return rc;
	if (cfg.help) {
		command_help(c);
		return 0;
	}
	if (cfg.npositional)
		return mpb_fail(d, MPB_EINPUT, "list: unexpected argument '%s'", cfg.positional[0]);
	const struct mpb_workload_ops *const *w = mpb_workload_all(&n);
	printf("workloads:\n");
	for (size_t i = 0; i < n; i++)
		printf("  %-10s %s [size: %s, default -s %s -t %llu]\n", w[i]->name, w[i]->summary,
		       w[i]->unit_name, w[i]->default_sizes, (unsigned long long)w[i]->default_tasks);
	const struct mpb_method_ops *const *me = mpb_method_all(&n);
	printf("methods:\n");
	for (size_t i = 0; i < n; i++)
		printf("  %-10s %s\n", me[i]->name, me[i]->summary);
	const struct mpb_codec_ops *const *co = mpb_codec_all(&n);
	printf("codecs:\n");
	for (size_t i = 0; i < n; i++)
		printf("  %-10s %s\n", co[i]->name, co[i]->summary);
	const struct mpb_transport_ops *const *tr = mpb_transport_all(&n);
	printf("transports:\n");
	for (size_t i = 0; i < n; i++)
		printf("  %-10s %s\n", tr[i]->name, tr[i]->summary);
	printf("chunksize:\n  %-10s %s\n  %-10s %s\n  %-10s %s\n", "N", "N tasks per message",
	       "python", "ceil(tasks / (4 x workers)), the rule of Pool.map", "auto",
	       "from 1, grown until a chunk takes ~50 ms, shrunk at the end (joblib's auto batching)");
	printf("counters:\n  %-10s %s\n  %-10s %s\n  %-10s %s\n", "default",
	       MPB_COUNTERS_DEFAULT, "none", "no perf-event counters (rusage is still recorded)",
	       "EVENT", "any libpfm4 event name, with modifiers (e.g. cycles:u, perf_raw::r00c0)");
	return 0;
}

static int cmd_report(const struct command *c, int argc, char **argv, int full_argc,
		      char **full_argv, struct mpb_diag *d)
{
	(void)full_argc; (void)full_argv;
	struct mpb_config cfg;
	enum mpb_export_format fmt = MPB_EXPORT_MD;
	int rc = mpb_options_parse(c->mask, argc, argv, &cfg, d);
	if (rc < 0)
		return rc;
	if (cfg.help) {
		command_help(c);
		return 0;
	}
	if (cfg.npositional == 0)
		return mpb_fail(d, MPB_EINPUT, "report: no results file given (usage: mpbench report "
				"RESULTS.json... [-o DIR] [--format csv|md|json])");
	if (cfg.format && (rc = mpb_export_parse_format(cfg.format, MPB_EXPORT_CSV | MPB_EXPORT_MD |
							MPB_EXPORT_JSON, &fmt, d)) < 0)
		return rc;
	size_t n = (size_t)cfg.npositional;
	json_t **docs = calloc(n, sizeof *docs);
	struct mpb_export_src *src = calloc(n, sizeof *src);
	if (!docs || !src || (rc = mpb_report_load(cfg.positional, n, docs, d)) < 0) {
		free(docs);
		free(src);
		return rc < 0 ? rc : mpb_fail(d, MPB_ENOMEM, "out of memory");
	}
	if (cfg.format) {
		for (size_t i = 0; i < n; i++)
			src[i] = (struct mpb_export_src){ cfg.positional[i], docs[i] };
		rc = mpb_export_points(stdout, fmt, src, n, d);
	}
	if (rc == 0 && (!cfg.format || cfg.output)) {
		char dir[4096];
		mpb_report_default_dir(cfg.positional[0], dir, sizeof dir);
		struct mpb_report_opts o = { .paths = cfg.positional, .docs = docs, .n = n,
					     .outdir = cfg.output ? cfg.output : dir };
		struct mpb_report_result res;
		rc = mpb_report_write(&o, &res, d);
		if (rc == 0 || rc == -MPB_ESYS)
			mpb_report_print_summary(cfg.format ? stderr : stdout, stderr, &o, &res);
	}
	for (size_t i = 0; i < n; i++)
		json_decref(docs[i]);
	free(docs);
	free(src);
	return rc;
}

static int cmd_compare(const struct command *c, int argc, char **argv, int full_argc,
		       char **full_argv, struct mpb_diag *d)
{
	(void)full_argc; (void)full_argv;
	struct mpb_config cfg;
	enum mpb_export_format fmt = MPB_EXPORT_MD;
	double threshold;
	json_t *docs[2];
	int rc = mpb_options_parse(c->mask, argc, argv, &cfg, d);
	if (rc < 0)
		return rc;
	if (cfg.help) {
		command_help(c);
		return 0;
	}
	if (cfg.npositional != 2)
		return mpb_fail(d, MPB_EINPUT, "compare: give two results files, BASE and NEW (got %d)",
				cfg.npositional);
	if ((cfg.format && (rc = mpb_export_parse_format(cfg.format, MPB_EXPORT_MD | MPB_EXPORT_JSON,
							 &fmt, d)) < 0) ||
	    (rc = mpb_compare_parse_threshold(cfg.threshold, &threshold, d)) < 0 ||
	    (rc = mpb_report_load(cfg.positional, 2, docs, d)) < 0)
		return rc;
	struct mpb_compare cmp;
	rc = mpb_compare_docs(cfg.positional[0], docs[0], cfg.positional[1], docs[1], threshold,
			      &cmp, d);
	if (rc == 0) {
		for (size_t k = 0; k < cmp.ndiff; k++)
			fprintf(stderr, "mpbench: warning: the machines differ: %s\n", cmp.machine_diff[k]);
		rc = mpb_compare_write(stdout, fmt, &cmp, d);
		if (rc == 0)
			rc = mpb_compare_status(&cmp, d);
		mpb_compare_free(&cmp);
	}
	json_decref(docs[0]);
	json_decref(docs[1]);
	return rc;
}

static const struct command commands[] = {
	{ "sweep", MPB_CMD_SWEEP, NULL,
	  "measure a grid of points (workers x sizes x methods x ...) against a serial baseline",
	  "Cross workloads x sizes x tasks x methods x chunk sizes x workers; measure every point\n"
	  "against its serial baseline and write results JSON.", sweep_like },
	{ "run", MPB_CMD_RUN, NULL, "measure one point, same options as sweep",
	  "Measure one point (one value per axis), same options as sweep.",
	  sweep_like },
	{ "tune", MPB_CMD_TUNE, NULL,
	  "recommend the worker count (and method, chunk size) for one workload and size",
	  "Recommend the worker count (and method, chunk size) for one workload and size:\n"
	  "1, 2, 4, ... up to 2 x usable CPUs, then refinement around the knee; points that\n"
	  "cannot come within --tolerance of the best get no more than -r runs.\n"
	  "Writes the same results JSON as sweep.", sweep_like },
	{ "info", MPB_CMD_INFO, NULL,
	  "machine, usable CPUs, counter availability, floor costs and scaling ceiling",
	  "Machine metadata, usable CPUs, the machine's floor costs and its scaling\n"
	  "ceiling at usable CPUs, measured now.", cmd_info },
	{ "list", MPB_CMD_LIST, NULL, "workloads, start methods, codecs, transports, chunk sizes",
	  "Workloads, start methods, codecs, transports, chunk sizes.",
	  cmd_list },
	{ "report", MPB_CMD_REPORT, "RESULTS.json...",
	  "plots, index.md and index.html (or CSV/Markdown/JSON) from results files",
	  "Plots (PNG and SVG, drawn by gnuplot), index.md and a self-contained index.html from\n"
	  "one or more results files; or, with --format, their points as CSV, Markdown or JSON.",
	  cmd_report },
	{ "compare", MPB_CMD_COMPARE, "BASE.json NEW.json",
	  "judge NEW against BASE point by point; exit status 3 on a regression",
	  "Match the points of two results files by their axes and judge each one's wall time:\n"
	  "ratio of medians with a bootstrap CI, Mann-Whitney p, verdict. Exit status 3 when a\n"
	  "point regressed beyond --threshold with significance.", cmd_compare },
};
#define NCMD (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
	fprintf(f, "usage: mpbench COMMAND [options]   (mpbench COMMAND --help for its options)\n\n"
		   "commands:\n");
	for (size_t i = 0; i < NCMD; i++) {
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].brief);
	}
}

int mpb_cli_main(int argc, char **argv, struct mpb_diag *d)
{
	if (argc < 2)
		return usage(stderr), mpb_fail(d, MPB_EINPUT, "no command given");
	const char *name = argv[1];
	if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(name, "--version") == 0) {
		printf("mpbench %s (git %s)\n", MPB_VERSION, MPB_GIT);
		return 0;
	}
	for (size_t i = 0; i < NCMD; i++)
		if (strcmp(commands[i].name, name) == 0)
			return commands[i].fn(&commands[i], argc - 2, argv + 2, argc, argv, d);
	char acc[128] = "";
	for (size_t i = 0; i < NCMD; i++) {
		strcat(acc, i ? ", " : "");
		strcat(acc, commands[i].name);
	}
	return mpb_fail(d, MPB_EINPUT, "unknown command '%s' (accepted: %s)", name, acc);
}
