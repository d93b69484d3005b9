/* options.c — the option table and its parser (see options.h). */
#include "options.h"

#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "parse.h"
#include "text.h"

/* OPT_WORKLOADS marks where the workloads' own options go (workload.h). */
enum kind { OPT_STR, OPT_U64, OPT_FLAG, OPT_F64, OPT_WORKLOADS };

#define SWEEPLIKE (MPB_CMD_SWEEP | MPB_CMD_RUN | MPB_CMD_TUNE)

struct option_def {
	const char *name;      /* long name, without "--" */
	char short_name;       /* 0 when none */
	enum kind kind;
	size_t offset;         /* field in struct mpb_config */
	size_t given_offset;   /* bool field set when given on the command line, or 0 */
	const char *def;       /* default (NULL: none; the plan picks per workload) */
	uint64_t min, max;     /* range for OPT_U64 and OPT_F64 */
	const char *metavar;
	const char *help;
	unsigned cmds;
};

#define F(field) offsetof(struct mpb_config, field)

static const struct option_def table[] = {
	{ "workload", 'w', OPT_STR, F(workloads), F(given_workloads), "sumsq", 0, 0, "LIST",
	  "workloads to run (see `mpbench list`)", SWEEPLIKE },
	{ "sizes", 's', OPT_STR, F(sizes), F(given_sizes), NULL, 0, 0, "LIST",
	  "work per task, in the workload's unit (k/M/G; KiB/MiB for bytes) [workload default]",
	  SWEEPLIKE },
	{ "workers", 'j', OPT_STR, F(workers), 0, "auto", 0, 0, "LIST|auto",
	  "pool sizes; auto = 1, 2, 4, ... up to 2 x usable CPUs, plus the usable count (for "
	  "run: the usable count)",
	  MPB_CMD_SWEEP | MPB_CMD_RUN /* tune picks its own */ },
	{ "methods", 'm', OPT_STR, F(methods), 0, "fork", 0, 0, "LIST", "start methods", SWEEPLIKE },
	{ "chunksize", 'c', OPT_STR, F(chunksizes), 0, "python", 0, 0, "LIST",
	  "tasks per message: integers, python (ceil(tasks / (4 x workers))) or auto (grow "
	  "until a chunk takes ~50 ms, shrink at the end)", SWEEPLIKE },
	{ "codec", 0, OPT_STR, F(codecs), F(given_codecs), "raw", 0, 0, "LIST",
	  "argument/result codecs: raw (flat binary), json (jansson, heavy like pickle)", SWEEPLIKE },
	{ "transport", 0, OPT_STR, F(transports), 0, "pipe", 0, 0, "LIST",
	  "byte transports: pipe, shm (shared-memory rings; see `mpbench list`)", SWEEPLIKE },
	{ "mpi-hostfile", 0, OPT_STR, F(mpi_hostfile), 0, NULL, 0, 0, "FILE",
	  "-m mpi: Open MPI hostfile for each pool's mpirun (default: this host only; the relay, "
	  "rank 0, must be this host: list it first)", SWEEPLIKE },
	{ "mpi-args", 0, OPT_STR, F(mpi_args), 0, NULL, 0, 0, "'ARGS'",
	  "-m mpi: more mpirun arguments, split at blanks (e.g. '--map-by node --mca btl "
	  "self,tcp')", SWEEPLIKE },
	{ NULL, 0, OPT_WORKLOADS, 0, 0, NULL, 0, 0, NULL, NULL, SWEEPLIKE },
	{ "tasks", 't', OPT_STR, F(tasks), F(given_tasks), NULL, 0, 0, "LIST",
	  "tasks per map call [the workload's default, at least 4 per worker of the largest "
	  "worker count]", SWEEPLIKE },
	{ "parent-rss", 0, OPT_STR, F(parent_rss), 0, "0", 0, 0, "SIZES",
	  "private memory the harness touches before starting each pool (fork copies its page "
	  "tables; spawn and forkserver do not)", SWEEPLIKE },
	{ "counters", 0, OPT_STR, F(counters), 0, "default", 0, 0, "LIST|default|none",
	  "perf-event counters of the harness and every worker: libpfm4 event names, default "
	  "(instructions, cycles, context-switches, cpu-migrations, page-faults, task-clock) "
	  "or none", SWEEPLIKE },
	{ "runs", 'r', OPT_U64, F(runs), 0, "5", 1, 100000, "N",
	  "least measured runs per point (more up to --max-runs while the CI is wide)", SWEEPLIKE },
	{ "max-runs", 0, OPT_U64, F(max_runs), F(given_max_runs), "30", 1, 100000, "N",
	  "most measured runs per point (at least --runs)", SWEEPLIKE },
	{ "max-time", 0, OPT_F64, F(max_time), 0, "10", 0, 86400, "SEC",
	  "time budget of one point's measured runs, once it has --runs (0: none)", SWEEPLIKE },
	{ "target-ci", 0, OPT_F64, F(target_ci), 0, "3", 0, 100, "PCT",
	  "more runs until the 95% CI of a point's median wall time is within +-PCT of it",
	  SWEEPLIKE },
	{ "tolerance", 0, OPT_F64, F(tolerance), F(given_tolerance), "5", 0, 99, "PCT",
	  "recommend more workers (or a pool over serial) only for a gain beyond PCT that the "
	  "noise cannot explain (CI and rank test)",
	  SWEEPLIKE | MPB_CMD_ANALYZE },
	{ "timeout", 0, OPT_F64, F(run_timeout_s), 0, "0", 0, 86400, "SEC",
	  "fail a run that takes longer than SEC: its workers are killed and reaped (0: none)",
	  SWEEPLIKE },
	{ "task-timeout", 0, OPT_F64, F(task_timeout_s), 0, "0", 0, 86400, "SEC",
	  "fail a run when one message of tasks takes a worker longer than SEC (0: none)",
	  SWEEPLIKE },
	{ "fail-fast", 0, OPT_FLAG, F(fail_fast), 0, NULL, 0, 0, NULL,
	  "stop the sweep at the first failed point (the rest are not run; exit status 1)",
	  SWEEPLIKE },
	{ "config", 0, OPT_STR, F(config), 0, NULL, 0, 0, "FILE",
	  "option values from a JSON object {\"long-option-name\": value}; the command line "
	  "overrides them", SWEEPLIKE },
	{ "cmd", 0, OPT_STR, F(cmd), 0, NULL, 0, 0, "TEMPLATE",
	  "measure an external command per run (workload cmd); placeholders {workers} {size} "
	  "{method} {chunksize} {tasks}", SWEEPLIKE },
	{ "baseline-cmd", 0, OPT_STR, F(baseline_cmd), 0, NULL, 0, 0, "TEMPLATE",
	  "the serial baseline of --cmd [the --cmd template with {workers}=1]", SWEEPLIKE },
	{ "shell", 0, OPT_FLAG, F(shell), 0, NULL, 0, 0, NULL,
	  "run the --cmd templates with /bin/sh -c instead of splitting them into words",
	  SWEEPLIKE },
	{ "instrument", 0, OPT_STR, F(instrument), 0, "none", 0, 0, "none|python",
	  "python: measure the --cmd program's multiprocessing.Pool or ProcessPoolExecutor from "
	  "inside (phases, pickling, per-worker figures) without changing it", SWEEPLIKE },
	{ "warmup", 0, OPT_U64, F(warmup), 0, "1", 0, 1000, "N",
	  "warm-up rounds before measuring (discarded)", SWEEPLIKE },
	{ "seed", 0, OPT_U64, F(seed), 0, "1", 0, INT64_MAX, "N",
	  "seed of the run order and of every random choice", SWEEPLIKE },
	{ "label", 0, OPT_STR, F(label), 0, NULL, 0, 0, "NAME",
	  "name this sweep in the results (\"label\"): reports of several files draw one series "
	  "per label (a machine type, a CI runner) [none: series by host or file]", SWEEPLIKE },
	{ "output", 'o', OPT_STR, F(output), 0, NULL, 0, 0, "FILE",
	  "results JSON [results/<host>-<UTC time>.json]", SWEEPLIKE },
	{ "quiet", 'q', OPT_FLAG, F(quiet), 0, NULL, 0, 0, NULL,
	  "print no table and no progress, only errors", SWEEPLIKE },
	{ "progress", 0, OPT_FLAG, F(progress), 0, NULL, 0, 0, NULL,
	  "draw the progress line on stderr even when it is not a terminal", SWEEPLIKE },
	{ "no-progress", 0, OPT_FLAG, F(no_progress), 0, NULL, 0, 0, NULL,
	  "no progress line on stderr", SWEEPLIKE },
	{ "find-size", 0, OPT_FLAG, F(find_size), 0, NULL, 0, 0, NULL,
	  "when serial wins at -s, tune again at larger sizes, from the size the pool's measured "
	  "fixed cost says it would pay (rounded up to 3 significant digits, as -s takes them), "
	  "until a pool pays or the budget (12 sizes, 120 s) is spent; report the size found or "
	  "why it stopped",
	  MPB_CMD_TUNE },
	{ "no-ceiling", 0, OPT_FLAG, F(no_ceiling), 0, NULL, 0, 0, NULL,
	  "do not measure the machine's ceiling (the same tasks over bare forked processes, "
	  "interleaved with the pool runs)", SWEEPLIKE },
	/* An option name may have one entry per set of commands (the parser takes
	 * the entry of the command at hand): -o is a file for sweep, a directory
	 * for report. Defaults of such entries stay NULL: defaults are filled
	 * for every entry, whatever the command. */
	{ "format", 0, OPT_STR, F(format), 0, NULL, 0, 0, "json|csv|md",
	  "print the points as JSON, CSV or Markdown (one field table) instead of the console "
	  "table; 'results: PATH' then goes to stderr", SWEEPLIKE },
	{ "output", 'o', OPT_STR, F(output), 0, NULL, 0, 0, "DIR",
	  "report directory, created when missing [the first RESULTS without .json, plus -report]",
	  MPB_CMD_REPORT },
	{ "format", 0, OPT_STR, F(format), 0, NULL, 0, 0, "csv|md|json",
	  "print the points table in this format to stdout; no report directory unless -o is "
	  "given too", MPB_CMD_REPORT },
	{ "format", 0, OPT_STR, F(format), 0, NULL, 0, 0, "md|json",
	  "md: a table for a CI job summary; json: schema mpbench.compare/1 [md]", MPB_CMD_COMPARE },
	{ "output", 'o', OPT_STR, F(output), 0, NULL, 0, 0, "FILE",
	  "write the file's runs with the analysis made now as a results file", MPB_CMD_ANALYZE },
	{ "format", 0, OPT_STR, F(format), 0, NULL, 0, 0, "json|csv|md",
	  "print the points as JSON, CSV or Markdown instead of the console table",
	  MPB_CMD_ANALYZE },
	{ "format", 0, OPT_STR, F(format), 0, NULL, 0, 0, "text|json",
	  "json: the same facts as one JSON object on stdout [text]",
	  MPB_CMD_INFO | MPB_CMD_LIST },
	{ "threshold", 0, OPT_STR, F(threshold), 0, "10", 0, 0, "PCT",
	  "a change of the median wall time beyond PCT percent, significant by the rank test, "
	  "is a regression (exit status 3) or an improvement", MPB_CMD_COMPARE },
	{ "along", 0, OPT_STR, F(along), 0, NULL, 0, 0, "AXIS=BASE[,NEW]",
	  "compare within ONE file: the points at each NEW value of AXIS (a list; every other "
	  "value when none is named) against the same points at BASE, e.g. method=fork,spawn",
	  MPB_CMD_COMPARE },
	{ "help", 'h', OPT_FLAG, F(help), 0, NULL, 0, 0, NULL, "show this help",
	  SWEEPLIKE | MPB_CMD_INFO | MPB_CMD_LIST | MPB_CMD_REPORT | MPB_CMD_COMPARE |
	  MPB_CMD_ANALYZE },
};

#define NTABLE (sizeof table / sizeof table[0])

/* The table with the workloads' own options in place of its marker: what
 * every function below walks. Built once, from const data. */
static struct option_def opts[NTABLE + MPB_WORKLOAD_OPTIONS_MAX];
static size_t nopts;
static pthread_once_t opts_once = PTHREAD_ONCE_INIT;

static void build_opts(void)
{
	for (size_t i = 0; i < NTABLE; i++) {
		if (table[i].kind != OPT_WORKLOADS) {
			opts[nopts++] = table[i];
			continue;
		}
		const struct mpb_workload_option *w;
		for (size_t k = 0; k < MPB_WORKLOAD_OPTIONS_MAX && (w = mpb_workload_option_at(k)); k++)
			opts[nopts++] = (struct option_def){
				w->name, 0, OPT_STR, F(workload_opts) + k * sizeof(const char *), 0,
				w->def, 0, 0, w->metavar, w->help, table[i].cmds,
			};
	}
}

/* Called by every public function before it walks opts. */
static void init_opts(void)
{
	pthread_once(&opts_once, build_opts);
}

static void *field(struct mpb_config *c, size_t off) { return (char *)c + off; }
static const void *cfield(const struct mpb_config *c, size_t off) { return (const char *)c + off; }

static void set_defaults(struct mpb_config *c)
{
	memset(c, 0, sizeof *c);
	for (size_t i = 0; i < nopts; i++) {
		const struct option_def *o = &opts[i];
		if (o->kind == OPT_STR)
			*(const char **)field(c, o->offset) = o->def;
		else if (o->kind == OPT_U64 && o->def)
			*(uint64_t *)field(c, o->offset) = strtoull(o->def, NULL, 10);
		else if (o->kind == OPT_F64 && o->def)
			*(double *)field(c, o->offset) = strtod(o->def, NULL);
	}
}

/* Command names by MPB_CMD_* bit, for errors that name where an option
 * belongs (cli.c has the same names in its table; test_docs.c holds them
 * together). */
static const char *const cmd_names[] = {
	"sweep", "run", "info", "list", "tune", "report", "compare", "analyze",
};
#define NCMDNAMES (sizeof cmd_names / sizeof cmd_names[0])

const char *mpb_options_command_name(unsigned cmd)
{
	for (size_t i = 0; i < NCMDNAMES; i++)
		if (cmd == 1u << i)
			return cmd_names[i];
	return NULL;
}

/* " (it is an option of A, B)" for the commands of every entry named
 * `name`, into buf; empty when none. */
static void owners(const char *name, unsigned except, char *buf, size_t len)
{
	unsigned mask = 0;
	for (size_t i = 0; i < nopts; i++)
		if (strcmp(opts[i].name, name) == 0)
			mask |= opts[i].cmds;
	mask &= ~except;
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < NCMDNAMES && used < len; i++)
		if (mask & (1u << i))
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
						 cmd_names[i]);
}

/* The error for an option name this command lacks: the closest of its own
 * options, else the closest option of another command and which. */
static int unknown_option(unsigned cmd, const char *arg, const char *name, struct mpb_diag *d)
{
	struct mpb_text_suggest own, other;
	mpb_text_suggest_init(&own, name);
	mpb_text_suggest_init(&other, name);
	for (size_t i = 0; i < nopts; i++)
		mpb_text_suggest_offer((opts[i].cmds & cmd) ? &own : &other, opts[i].name);
	if (own.best)
		return mpb_fail(d, MPB_EINPUT, "unknown option '%s' (did you mean '--%s'?)", arg,
				own.best);
	if (other.best) {
		char who[128];
		owners(other.best, cmd, who, sizeof who);
		if (who[0])
			return mpb_fail(d, MPB_EINPUT, "unknown option '%s' ('--%s' is an option of %s)",
					arg, other.best, who);
	}
	return mpb_fail(d, MPB_EINPUT, "unknown option '%s' (see --help)", arg);
}

/* A plain decimal number within the option's range: no suffixes, no hex,
 * no infinities. */
static int parse_f64(const struct option_def *o, const char *what, const char *value,
		     double *out, struct mpb_diag *d)
{
	char *end = NULL;
	double v = strtod(value, &end);
	bool plain = *value && strspn(value, "0123456789.") == strlen(value);
	if (!plain || end != value + strlen(value) || !isfinite(v))
		return mpb_fail(d, MPB_EINPUT, "%s: '%s' is not a number (accepted: a number from "
				"%g to %g)", what, value, (double)o->min, (double)o->max);
	if (v < (double)o->min || v > (double)o->max)
		return mpb_fail(d, MPB_EINPUT, "%s: '%s' is out of range (accepted: %g to %g)", what,
				value, (double)o->min, (double)o->max);
	*out = v;
	return 0;
}

static int assign(const struct option_def *o, const char *value, struct mpb_config *c,
		  struct mpb_diag *d)
{
	char what[64];
	if (o->short_name)
		snprintf(what, sizeof what, "-%c/--%s", o->short_name, o->name);
	else
		snprintf(what, sizeof what, "--%s", o->name);
	if (o->given_offset)
		*(bool *)field(c, o->given_offset) = true;
	switch (o->kind) {
	case OPT_FLAG:
		*(bool *)field(c, o->offset) = true;
		return 0;
	case OPT_STR:
		if (!*value)
			return mpb_fail(d, MPB_EINPUT, "%s: empty value (accepted: %s)", what, o->metavar);
		*(const char **)field(c, o->offset) = value;
		return 0;
	case OPT_U64:
		return mpb_parse_u64(value, MPB_UNIT_COUNT, o->min, o->max, what,
				     (uint64_t *)field(c, o->offset), d);
	case OPT_F64:
		return parse_f64(o, what, value, (double *)field(c, o->offset), d);
	case OPT_WORKLOADS:
		break; /* a marker, replaced in opts */
	}
	return 0;
}

/* The entry for the command at hand when a name has several; else the first
 * (which the caller then refuses as not applying to this command). */
static const struct option_def *find_long(unsigned cmd, const char *name, size_t len)
{
	const struct option_def *any = NULL;
	for (size_t i = 0; i < nopts; i++)
		if (strlen(opts[i].name) == len && strncmp(opts[i].name, name, len) == 0) {
			if (opts[i].cmds & cmd)
				return &opts[i];
			any = any ? any : &opts[i];
		}
	return any;
}

static const struct option_def *find_short(unsigned cmd, char ch)
{
	const struct option_def *any = NULL;
	for (size_t i = 0; i < nopts; i++)
		if (opts[i].short_name == ch) {
			if (opts[i].cmds & cmd)
				return &opts[i];
			any = any ? any : &opts[i];
		}
	return any;
}

/* --config FILE: the last one given, or NULL (before any "--"). */
static const char *config_arg(int argc, char **argv)
{
	const char *path = NULL;
	for (int i = 0; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			path = argv[++i];
		else if (strncmp(argv[i], "--config=", 9) == 0)
			path = argv[i] + 9;
	}
	return path;
}

/* Apply a --config file's values (config.h), before the command line's, so
 * that the command line overrides them. Errors name the file and the key. */
static int apply_config(unsigned cmd, const char *path, struct mpb_config *c, struct mpb_diag *d)
{
	json_t *obj;
	int rc = mpb_config_load(path, &obj, d);
	if (rc < 0)
		return rc;
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v) {
		const struct option_def *o = find_long(cmd, key, strlen(key));
		if (!o || !(o->cmds & cmd) || strcmp(key, "config") == 0 || strcmp(key, "help") == 0) {
			char names[1024], hint[160] = "";
			size_t used = 0;
			names[0] = '\0';
			struct mpb_text_suggest sg;
			mpb_text_suggest_init(&sg, key);
			for (size_t i = 0; i < nopts && used < sizeof names; i++) {
				const char *n = opts[i].name;
				if ((opts[i].cmds & cmd) && strcmp(n, "config") && strcmp(n, "help")) {
					used += (size_t)snprintf(names + used, sizeof names - used, "%s%s",
								 used ? ", " : "", n);
					mpb_text_suggest_offer(&sg, n);
				}
			}
			char who[128];
			owners(key, cmd, who, sizeof who);
			if (sg.best && strcmp(sg.best, key) != 0)
				snprintf(hint, sizeof hint, "did you mean '%s'? ", sg.best);
			else if (who[0] && strcmp(key, "help") != 0)
				snprintf(hint, sizeof hint, "'%s' is an option of %s; ", key, who);
			return mpb_fail(d, MPB_EINPUT, "config %s: unknown key '%s' (%saccepted: %s)",
					path, key, hint, names);
		}
		if (o->kind == OPT_FLAG) {
			if (!json_is_boolean(v))
				return mpb_fail(d, MPB_EINPUT, "config %s: key '%s' takes true or false",
						path, key);
			if (json_is_true(v) && (rc = assign(o, "", c, d)) < 0)
				return rc;
			continue;
		}
		if (!json_is_string(v))
			return mpb_fail(d, MPB_EINPUT, "config %s: key '%s' takes a value (%s), not "
					"true/false", path, key, o->metavar);
		if ((rc = assign(o, json_string_value(v), c, d)) < 0) {
			char m[sizeof d->msg];
			snprintf(m, sizeof m, "%s", d->msg);
			return mpb_fail(d, MPB_EINPUT, "config %s: %s", path, m);
		}
	}
	return 0;
}

int mpb_options_parse(unsigned cmd, int argc, char **argv, struct mpb_config *cfg,
		      struct mpb_diag *d)
{
	init_opts();
	set_defaults(cfg);
	const char *cpath = (cmd & SWEEPLIKE) ? config_arg(argc, argv) : NULL;
	if (cpath) {
		int rc = apply_config(cmd, cpath, cfg, d);
		if (rc < 0)
			return rc;
	}
	cfg->positional = argv;
	bool only_positional = false;
	for (int i = 0; i < argc; i++) {
		char *arg = argv[i];
		const struct option_def *o = NULL;
		const char *value = NULL;
		if (only_positional || arg[0] != '-' || arg[1] == '\0') {
			cfg->positional[cfg->npositional++] = arg;
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			only_positional = true;
			continue;
		}
		if (arg[1] == '-') {
			const char *name = arg + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			o = find_long(cmd, name, len);
			if (!o) {
				char buf[64];
				snprintf(buf, sizeof buf, "%.*s", (int)(len < 63 ? len : 63), name);
				return unknown_option(cmd, arg, buf, d);
			}
			if (eq)
				value = eq + 1;
		} else {
			/* bundled flags, as getopt reads them: -qr 3 is -q -r 3 */
			const char *p = arg + 1;
			const struct option_def *flag = NULL; /* the last flag of the bundle */
			while ((o = find_short(cmd, *p)) && o->kind == OPT_FLAG && (o->cmds & cmd) &&
			       p[1]) {
				int rc = assign(o, "", cfg, d);
				if (rc < 0)
					return rc;
				flag = o;
				p++;
			}
			if (!o && flag)
				return mpb_fail(d, MPB_EINPUT, "unknown option '-%c' in '%s' (--%s takes no "
						"value)", *p, arg, flag->name);
			if (!o)
				return unknown_option(cmd, arg, p, d);
			if (p[1])
				value = p + 1;
		}
		if (!(o->cmds & cmd)) {
			char who[128];
			owners(o->name, cmd, who, sizeof who);
			return mpb_fail(d, MPB_EINPUT, "option '--%s' does not apply to this command, "
					"%s (it is an option of %s)", o->name,
					mpb_options_command_name(cmd), who);
		}
		if (o->kind == OPT_FLAG) {
			if (value)
				return mpb_fail(d, MPB_EINPUT, "option '--%s' takes no value", o->name);
		} else if (!value) {
			if (i + 1 >= argc)
				return mpb_fail(d, MPB_EINPUT, "option '--%s' needs a value (%s)", o->name,
						o->metavar);
			value = argv[++i];
		}
		int rc = assign(o, value ? value : "", cfg, d);
		if (rc < 0)
			return rc;
	}
	return 0;
}

void mpb_options_help(unsigned cmd, size_t width, FILE *f)
{
	init_opts();
	for (size_t i = 0; i < nopts; i++) {
		const struct option_def *o = &opts[i];
		if (!(o->cmds & cmd))
			continue;
		char lhs[64], text[512];
		if (o->short_name)
			snprintf(lhs, sizeof lhs, "-%c, --%s%s%s", o->short_name, o->name,
				 o->metavar ? " " : "", o->metavar ? o->metavar : "");
		else
			snprintf(lhs, sizeof lhs, "    --%s%s%s", o->name, o->metavar ? " " : "",
				 o->metavar ? o->metavar : "");
		if (o->def && o->kind != OPT_FLAG)
			snprintf(text, sizeof text, "%s [%s]", o->help, o->def);
		else
			snprintf(text, sizeof text, "%s", o->help);
		int col = fprintf(f, "  %-28s ", lhs);
		/* help text from column 31, wrapped there; a long option name
		 * pushes its text to the next line */
		if (col > 31) {
			fprintf(f, "\n%31s", "");
			col = 31;
		}
		mpb_text_wrap(f, text, (size_t)(col > 0 ? col : 0), 31, width > 31 + 20 ? width : 31 + 20);
	}
}

int mpb_options_describe(size_t i, struct mpb_option_info *out)
{
	init_opts();
	if (i >= nopts)
		return -1;
	const struct option_def *o = &opts[i];
	*out = (struct mpb_option_info){
		.name = o->name, .short_name = o->short_name, .takes_value = o->kind != OPT_FLAG,
		.metavar = o->metavar, .help = o->help, .def = o->kind != OPT_FLAG ? o->def : NULL,
		.cmds = o->cmds,
	};
	return 0;
}

json_t *mpb_options_json(unsigned cmd, const struct mpb_config *cfg)
{
	init_opts();
	json_t *o = json_object();
	if (!o)
		return NULL;
	for (size_t i = 0; i < nopts; i++) {
		const struct option_def *t = &opts[i];
		if (!(t->cmds & cmd) || strcmp(t->name, "help") == 0)
			continue;
		json_t *v = NULL;
		if (t->kind == OPT_STR) {
			const char *s = *(const char *const *)cfield(cfg, t->offset);
			v = s ? json_string(s) : json_null();
		} else if (t->kind == OPT_F64) {
			v = json_real(*(const double *)cfield(cfg, t->offset));
		} else if (t->kind == OPT_U64) {
			uint64_t u = *(const uint64_t *)cfield(cfg, t->offset);
			v = json_integer((json_int_t)u); /* every U64 option is capped at INT64_MAX */
		} else {
			v = json_boolean(*(const bool *)cfield(cfg, t->offset));
		}
		if (!v || json_object_set_new(o, t->name, v) < 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}
