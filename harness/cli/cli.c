/* cli.c — the command table and the dispatcher (see cli.h). For every
 * command alike it parses the options, answers --help and checks the number
 * of positional arguments, then hands the command (builtin.h) a parsed
 * call. `mpbench help` lists the same table. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <jansson.h>

#include "builtin.h"
#include "mpb_config.h"
#include "mpb_git.h"
#include "options.h"
#include "text.h"

static const struct mpb_cli_command commands[] = {
	{ .name = "sweep", .mask = MPB_CMD_SWEEP, .run = mpb_builtin_sweep,
	  .brief = "measure a grid of points (workers x sizes x methods x ...) against a serial baseline",
	  .summary = "Cross workloads x sizes x tasks x methods x chunk sizes x workers; measure every point\n"
		     "against its serial baseline and write results JSON." },
	{ .name = "run", .mask = MPB_CMD_RUN, .run = mpb_builtin_run,
	  .brief = "measure one point, same options as sweep",
	  .summary = "Measure one point (one value per axis), same options as sweep." },
	{ .name = "tune", .mask = MPB_CMD_TUNE, .run = mpb_builtin_tune,
	  .brief = "recommend the worker count (and method, chunk size) for one workload and size",
	  .summary = "Recommend the worker count (and method, chunk size) for one workload and size:\n"
		     "1, 2, 4, ... up to 2 x usable CPUs, then refinement around the knee; points that\n"
		     "cannot come within --tolerance of the best get no more than -r runs.\n"
		     "Writes the same results JSON as sweep." },
	{ .name = "info", .mask = MPB_CMD_INFO, .run = mpb_builtin_info,
	  .brief = "machine, usable CPUs, counter availability, floor costs and scaling ceiling",
	  .summary = "Machine metadata, usable CPUs, the machine's floor costs and its scaling\n"
		     "ceiling at usable CPUs, measured now." },
	{ .name = "list", .mask = MPB_CMD_LIST, .run = mpb_builtin_list,
	  .brief = "workloads, start methods, codecs, transports, chunk sizes",
	  .summary = "Workloads, start methods, codecs, transports, chunk sizes." },
	{ .name = "report", .mask = MPB_CMD_REPORT, .run = mpb_builtin_report,
	  .args = "RESULTS.json...", .min_args = 1, .max_args = -1,
	  .bad_args = "no results file given (usage: mpbench report RESULTS.json... [-o DIR] "
		      "[--format csv|md|json])",
	  .brief = "plots, index.md and index.html (or CSV/Markdown/JSON) from results files",
	  .summary = "Plots (PNG and SVG, drawn by gnuplot), index.md and a self-contained index.html from\n"
		     "one or more results files; or, with --format, their points as CSV, Markdown or JSON." },
	{ .name = "compare", .mask = MPB_CMD_COMPARE, .run = mpb_builtin_compare,
	  .args = "BASE.json NEW.json | FILE.json --along AXIS=BASE[,NEW]", .min_args = 1,
	  .max_args = 2,
	  .bad_args = "give two results files, BASE and NEW, or one with --along AXIS=BASE,NEW",
	  .brief = "judge NEW against BASE point by point; exit status 3 on a regression",
	  .summary = "Match the points of two results files by their axes (or, with --along, the points\n"
		     "of one file at two values of an axis) and judge each one's wall time: ratio of\n"
		     "medians with a bootstrap CI, Mann-Whitney p, verdict; with speedup and context\n"
		     "switches per task of both sides and a geometric mean of the ratios. Exit status 3\n"
		     "when a point regressed beyond --threshold with significance." },
	{ .name = "analyze", .mask = MPB_CMD_ANALYZE, .run = mpb_builtin_analyze,
	  .args = "RESULTS.json", .min_args = 1, .max_args = 1,
	  .bad_args = "give one results file (usage: mpbench analyze RESULTS.json [-o FILE] "
		      "[--tolerance PCT] [--format json|csv|md])",
	  .brief = "the figures, recommendations and warnings of a results file, computed again",
	  .summary = "Read a results file back and analyze its runs again with this mpbench: the\n"
		     "table, recommendations (at --tolerance, else the file's) and warnings; with -o\n"
		     "a results file of the same runs with the analysis made now." },
};
#define NCMD (sizeof commands / sizeof commands[0])

const struct mpb_cli_command *mpb_cli_commands(size_t *n)
{
	*n = NCMD;
	return commands;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: mpbench COMMAND [options]   (mpbench COMMAND --help for its options)\n\n"
		   "commands:\n");
	for (size_t i = 0; i < NCMD; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].brief);
}

size_t mpb_cli_width(int fd)
{
	const char *env = getenv("COLUMNS");
	char *end = NULL;
	long n = env ? strtol(env, &end, 10) : 0;
	if (env && *env && end && !*end && n > 0 && n < 10000)
		return (size_t)n;
	struct winsize ws;
	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

static void command_help(const struct mpb_cli_command *c)
{
	size_t width = mpb_cli_width(STDOUT_FILENO);
	printf("usage: mpbench %s [options]%s%s\n\n", c->name, c->args ? " " : "",
	       c->args ? c->args : "");
	mpb_text_wrap(stdout, c->summary, 0, 0, width);
	printf("\noptions:\n");
	mpb_options_help(c->mask, width, stdout);
}

/* A command without positional arguments names the first one it got; the
 * others say what they take, and what they got when the count is fixed. */
static int check_args(const struct mpb_cli_command *c, const struct mpb_config *cfg,
		      struct mpb_diag *d)
{
	int n = cfg->npositional;
	if (c->max_args == 0 && n > 0)
		return mpb_fail(d, MPB_EINPUT, "%s: unexpected argument '%s'", c->name,
				cfg->positional[0]);
	if (n >= c->min_args && (c->max_args < 0 || n <= c->max_args))
		return 0;
	if (c->min_args == c->max_args)
		return mpb_fail(d, MPB_EINPUT, "%s: %s (got %d)", c->name, c->bad_args, n);
	return mpb_fail(d, MPB_EINPUT, "%s: %s", c->name, c->bad_args);
}

int mpb_cli_check_text_json(const char *format, struct mpb_diag *d)
{
	if (!format || strcmp(format, "text") == 0)
		return 0;
	if (strcmp(format, "json") == 0)
		return 1;
	return mpb_fail(d, MPB_EINPUT, "--format: '%s' is not a format (accepted: text, json)",
			format);
}

int mpb_cli_print_json(json_t *o, struct mpb_diag *d)
{
	char *text = o ? json_dumps(o, JSON_INDENT(2)) : NULL;
	json_decref(o);
	if (!text)
		return mpb_fail(d, MPB_ENOMEM, "out of memory");
	puts(text);
	free(text);
	return 0;
}

/* The command named `name`, or NULL with d set to an error naming the
 * accepted ones. */
static const struct mpb_cli_command *find(const char *name, struct mpb_diag *d)
{
	for (size_t i = 0; i < NCMD; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	char acc[128] = "";
	struct mpb_text_suggest sg;
	mpb_text_suggest_init(&sg, name);
	for (size_t i = 0; i < NCMD; i++) {
		strcat(acc, i ? ", " : "");
		strcat(acc, commands[i].name);
		mpb_text_suggest_offer(&sg, commands[i].name);
	}
	if (sg.best)
		mpb_fail(d, MPB_EINPUT, "unknown command '%s' (did you mean '%s'? accepted: %s)", name,
			 sg.best, acc);
	else
		mpb_fail(d, MPB_EINPUT, "unknown command '%s' (accepted: %s)", name, acc);
	return NULL;
}

/* argv[0] is the program, argv[1] the command; its options follow. */
static int dispatch(const struct mpb_cli_command *c, int argc, char **argv, struct mpb_diag *d)
{
	struct mpb_config cfg;
	int rc = mpb_options_parse(c->mask, argc - 2, argv + 2, &cfg, d);
	if (rc < 0)
		return rc;
	if (cfg.help) {
		command_help(c);
		return 0;
	}
	if ((rc = check_args(c, &cfg, d)) < 0)
		return rc;
	struct mpb_cli_call call = { .cmd = c, .cfg = &cfg, .argc = argc, .argv = argv };
	return c->run(&call, d);
}

int mpb_cli_main(int argc, char **argv, struct mpb_diag *d)
{
	if (argc < 2)
		return usage(stderr), mpb_fail(d, MPB_EINPUT, "no command given");
	const char *name = argv[1];
	if (strcmp(name, "help") == 0 && argc > 2) {
		/* `mpbench help CMD` is `mpbench CMD --help` */
		const struct mpb_cli_command *c = find(argv[2], d);
		if (!c)
			return -MPB_EINPUT;
		if (argc > 3)
			return mpb_fail(d, MPB_EINPUT, "help: unexpected argument '%s' (accepted: one "
					"command)", argv[3]);
		command_help(c);
		return 0;
	}
	if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
		printf("mpbench %s (git %s)\n", MPB_VERSION, MPB_GIT);
		return 0;
	}
	const struct mpb_cli_command *c = find(name, d);
	return c ? dispatch(c, argc, argv, d) : -MPB_EINPUT;
}
