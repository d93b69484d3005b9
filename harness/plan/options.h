/* options.h — table-driven command-line options (after fio's options.c and
 * perf's parse-options): one table entry per option with its name, kind,
 * target field, default, range and help. Parsing, --help, "did you mean" and
 * the JSON record of the options all come from that one table. The parser
 * returns errors; it never exits or prints.
 */
#ifndef MPB_OPTIONS_H
#define MPB_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "diag.h"
#include "workload.h"

/* Commands, as bits: an option applies to the commands in its mask. */
enum {
	MPB_CMD_SWEEP = 1u << 0,
	MPB_CMD_RUN = 1u << 1,
	MPB_CMD_INFO = 1u << 2,
	MPB_CMD_LIST = 1u << 3,
	MPB_CMD_TUNE = 1u << 4,
	MPB_CMD_REPORT = 1u << 5,
	MPB_CMD_COMPARE = 1u << 6,
	MPB_CMD_ANALYZE = 1u << 7,
};

/* The parsed options of one command line. Strings point into argv or into
 * the option table's defaults (never freed); list axes stay text here and are
 * validated by the plan, which knows each workload's units. */
struct mpb_config {
	const char *workloads, *sizes, *workers, *methods, *chunksizes;
	const char *codecs, *transports, *tasks, *output, *parent_rss;
	/* the workloads' own options (mpb_workload_option_at(k)), as text; the
	 * plan parses them */
	const char *workload_opts[MPB_WORKLOAD_OPTIONS_MAX];
	const char *counters;        /* --counters: LIST, default or none (counters.h) */
	const char *format;          /* --format: json|csv|md (export.h), md|json for compare */
	const char *threshold;       /* --threshold PCT of compare (compare.h) */
	const char *along;           /* --along AXIS=BASE[,NEW...] of compare (compare.h) */
	uint64_t runs, warmup, seed;
	uint64_t max_runs;           /* --max-runs (adaptive sampling, sampling.h) */
	double max_time, target_ci;  /* --max-time seconds per item, --target-ci percent */
	double tolerance;            /* --tolerance percent (recommendations) */
	double run_timeout_s;        /* --timeout SEC: one run's limit (0: none), reliability */
	double task_timeout_s;       /* --task-timeout SEC: one task's limit (0: none) */
	bool fail_fast;              /* --fail-fast: stop the sweep at the first failed point */
	const char *config;          /* --config FILE: option values from JSON (config.h) */
	bool given_max_runs;         /* --max-runs came from the command line */
	bool given_tolerance;        /* --tolerance came from the command line (analyze) */
	bool quiet, no_progress, help;
	bool progress;               /* --progress: the progress line even off a terminal */
	bool no_ceiling;     /* --no-ceiling: no bare-fork ceiling runs (ceiling.h) */
	bool given_sizes, given_tasks; /* -s / -t came from the command line */
	const char *cmd;             /* --cmd TEMPLATE: the cmd workload (cmd.h) */
	const char *baseline_cmd;    /* --baseline-cmd TEMPLATE: its serial baseline */
	const char *label;           /* --label NAME: recorded as the results' "label" */
	bool shell;                  /* --shell: run the templates with /bin/sh -c */
	const char *instrument;      /* --instrument: none|python (pyinstr.h) */
	bool given_workloads;        /* -w came from the command line */
	bool given_codecs;           /* --codec came from the command line */
	bool find_size;              /* tune --find-size: grow -s until a pool pays */
	const char *mpi_hostfile;    /* --mpi-hostfile FILE: where -m mpi's mpirun places ranks */
	const char *mpi_args;        /* --mpi-args 'ARGS': more mpirun arguments for -m mpi */
	char **positional;   /* arguments that are not options (borrowed from argv) */
	int npositional;
};

/* Parse argv[0..argc) (without the command name) for `cmd` into cfg, after
 * filling every default. 0 or -MPB_EINPUT with a one-line message: unknown
 * option (with a suggestion), missing or malformed value, option that does
 * not apply to this command. Positional arguments are collected, not
 * judged: each command decides whether it takes any. */
int mpb_options_parse(unsigned cmd, int argc, char **argv, struct mpb_config *cfg,
		      struct mpb_diag *d);

/* Write the option help for `cmd` to f: one entry per option, its text
 * wrapped to `width` columns (at least 51). */
void mpb_options_help(unsigned cmd, size_t width, FILE *f);

/* The name of the command whose MPB_CMD_* bit is `cmd` ("sweep"), or NULL. */
const char *mpb_options_command_name(unsigned cmd);

/* One entry of the option table, for what documents the options (the man
 * page and the shell completions, cli/docs.c). A name may have one entry
 * per set of commands. */
struct mpb_option_info {
	const char *name;      /* long name, without "--" */
	char short_name;       /* 0 when none */
	bool takes_value;      /* false for a flag */
	const char *metavar;   /* NULL for a flag */
	const char *help;
	const char *def;       /* the default shown by --help, or NULL */
	unsigned cmds;         /* MPB_CMD_* bits of the commands it applies to */
};

/* The i-th entry of the option table into *out: 0, or -1 past its end. */
int mpb_options_describe(size_t i, struct mpb_option_info *out);

/* {long name: value} for every option of `cmd`, as resolved. NULL on ENOMEM. */
json_t *mpb_options_json(unsigned cmd, const struct mpb_config *cfg);

#endif
