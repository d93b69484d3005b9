/* cli.c — commands and their wiring (see cli.h). This is the layer that
 * prints: tables and listings to stdout, progress to stderr. */
#include "cli.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "codec.h"
#include "driver.h"
#include "floor.h"
#include "machine.h"
#include "method.h"
#include "mpb_config.h"
#include "options.h"
#include "parse.h"
#include "plan.h"
#include "results.h"
#include "table.h"
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
	const char *summary;
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
	if ((rc = mpb_machine_probe(NULL, &m, d)) < 0)
		return rc;
	if ((rc = mpb_plan_build(&cfg, &m, &plan, d)) < 0)
		return rc;
	if (c->mask == MPB_CMD_RUN && plan.npoints != 1) {
		size_t np = plan.npoints;
		mpb_plan_free(&plan);
		return mpb_fail(d, MPB_EINPUT, "run: the options give %zu points; give one value per axis "
				"(use sweep for more)", np);
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
	};
	install_signals();
	rc = mpb_sweep_run(&s, d);
	shutdown_methods(&plan);
	if (!cfg.quiet && rc != -MPB_EIO) {
		mpb_table_print(stdout, &s);
		printf("results: %s\n", s.output);
	}
	mpb_sweep_free(&s);
	json_decref(s.options);
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
	if ((rc = mpb_floor_measure(&fl, d)) < 0)
		return rc;
	printf("floor costs (median, measured now):\n");
	printf("  pipe round trip     %9.1f us  (1 byte there and back, 2 processes)\n",
	       fl.pipe_rtt_ns / 1e3);
	printf("  fork+exit+wait      %9.1f us\n", fl.fork_exit_wait_ns / 1e3);
	printf("  posix_spawn+wait    %9.1f us  (/bin/true)\n", fl.spawn_exit_wait_ns / 1e3);
	printf("  thread create+join  %9.1f us\n", fl.thread_create_join_ns / 1e3);
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
	printf("transports:\n  %-10s %s\n", "pipe", "length-prefixed frames over a pipe per direction");
	printf("chunksize:\n  %-10s %s\n  %-10s %s\n", "N", "N tasks per message", "python",
	       "ceil(tasks / (4 x workers)), the rule of Pool.map");
	return 0;
}

static const struct command commands[] = {
	{ "sweep", MPB_CMD_SWEEP, NULL,
	  "Cross workloads x sizes x tasks x methods x chunk sizes x workers; measure every point\n"
	  "against its serial baseline and write results JSON.", sweep_like },
	{ "run", MPB_CMD_RUN, NULL, "Measure one point (one value per axis), same options as sweep.",
	  sweep_like },
	{ "info", MPB_CMD_INFO, NULL,
	  "Machine metadata, usable CPUs and the machine's floor costs, measured now.", cmd_info },
	{ "list", MPB_CMD_LIST, NULL, "Workloads, start methods, codecs, transports, chunk sizes.",
	  cmd_list },
};
#define NCMD (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
	fprintf(f, "usage: mpbench COMMAND [options]   (mpbench COMMAND --help for its options)\n\n"
		   "commands:\n");
	for (size_t i = 0; i < NCMD; i++) {
		const char *nl = strchr(commands[i].summary, '\n');
		fprintf(f, "  %-8s %.*s\n", commands[i].name,
			nl ? (int)(nl - commands[i].summary) : (int)strlen(commands[i].summary),
			commands[i].summary);
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
