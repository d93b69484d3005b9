/* builtin.h — what the dispatcher (cli.c) hands a command, and the commands
 * themselves, one builtin_*.c file each (after perf's builtin.h). The
 * dispatcher has already parsed the command's options, answered --help and
 * checked the number of positional arguments, so a command starts with
 * valid input and does only its own work. */
#ifndef MPB_BUILTIN_H
#define MPB_BUILTIN_H

#include "diag.h"
#include "options.h"

struct mpb_cli_call;

/* One row of the command table (cli.c): everything `mpbench --help`,
 * `mpbench NAME --help` and the dispatcher need to know of a command. */
struct mpb_cli_command {
	const char *name;
	unsigned mask;         /* its option set: an MPB_CMD_* bit of options.h */
	const char *args;      /* positional arguments for the usage line, or NULL */
	int min_args, max_args; /* how many positionals it takes; max -1: no limit */
	const char *bad_args;  /* the error when the count is outside min..max (max > 0) */
	const char *brief;     /* one line for `mpbench --help` */
	const char *summary;   /* the paragraph of `mpbench NAME --help` */
	int (*run)(const struct mpb_cli_call *call, struct mpb_diag *d);
};

/* A command line, parsed for its command. cfg is the command's to change
 * (tune rewrites its worker list); argc/argv are the whole command line,
 * recorded in results files as their provenance. */
struct mpb_cli_call {
	const struct mpb_cli_command *cmd;
	struct mpb_config *cfg;
	int argc;
	char **argv;
};

/* The commands. Each returns 0 or a negative MPB_E* code with d set; what it
 * prints is its own output (tables, listings, warnings on stderr). */
int mpb_builtin_sweep(const struct mpb_cli_call *call, struct mpb_diag *d);   /* builtin_sweep.c */
int mpb_builtin_run(const struct mpb_cli_call *call, struct mpb_diag *d);     /* builtin_sweep.c */
int mpb_builtin_tune(const struct mpb_cli_call *call, struct mpb_diag *d);    /* builtin_sweep.c */
int mpb_builtin_info(const struct mpb_cli_call *call, struct mpb_diag *d);    /* builtin_info.c */
int mpb_builtin_list(const struct mpb_cli_call *call, struct mpb_diag *d);    /* builtin_list.c */
int mpb_builtin_report(const struct mpb_cli_call *call, struct mpb_diag *d);  /* builtin_report.c */
int mpb_builtin_compare(const struct mpb_cli_call *call, struct mpb_diag *d); /* builtin_compare.c */
int mpb_builtin_analyze(const struct mpb_cli_call *call, struct mpb_diag *d); /* builtin_analyze.c */

/* --format of info and list (cli.c): 0 for text (not given, or "text"), 1
 * for "json", or -MPB_EINPUT naming the value. */
int mpb_cli_check_text_json(const char *format, struct mpb_diag *d);
/* Print o (consumed; NULL means out of memory) as indented JSON and a
 * newline on stdout (cli.c). */
int mpb_cli_print_json(json_t *o, struct mpb_diag *d);

struct mpb_dataset;
/* Every warning of ds once, on stderr, after the table: at most a screenful
 * of the per-point and baseline ones; those about the machine and the
 * recommendation always show (builtin_sweep.c). */
void mpb_cli_print_warnings(const struct mpb_dataset *ds);

#endif
