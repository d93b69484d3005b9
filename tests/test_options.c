/* test_options.c — cmocka tests for harness/plan/options.c: defaults, the short
 * and long spellings, flags, errors with "did you mean", per-command
 * options, positional arguments, the JSON record and --help.
 *
 * The option names below are the command-line contract of README.md and docs/ARCHITECTURE.md, written
 * out here rather than read from the table, so a renamed or lost option fails.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "options.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
/* argc, argv for a literal argument list (argv is mutable: the parser
 * compacts positional arguments into it). */
#define ARGS(...)                                                        \
	(int)(sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)),       \
		(char *[]){ __VA_ARGS__ }

static const unsigned all_cmds[] = { MPB_CMD_SWEEP, MPB_CMD_RUN, MPB_CMD_INFO, MPB_CMD_LIST };

/* Options of sweep and run, with their short forms (0: none). */
static const struct {
	const char *name;
	char short_name;
} sweep_opts[] = {
	{ "workload", 'w' }, { "sizes", 's' },   { "workers", 'j' }, { "methods", 'm' },
	{ "chunksize", 'c' }, { "codec", 0 },    { "transport", 0 }, { "tasks", 't' },
	{ "runs", 'r' },     { "warmup", 0 },    { "seed", 0 },      { "output", 'o' },
	{ "label", 0 },       { "mpi-hostfile", 0 }, { "mpi-args", 0 },
	{ "quiet", 'q' },    { "no-progress", 0 }, { "progress", 0 }, { "help", 'h' },
	{ "parent-rss", 0 },
	{ "no-ceiling", 0 }, { "counters", 0 },
	{ "max-runs", 0 },   { "max-time", 0 },  { "target-ci", 0 }, { "tolerance", 0 },
	{ "format", 0 },
	{ "timeout", 0 },    { "task-timeout", 0 }, { "fail-fast", 0 }, { "config", 0 },
	{ "cmd", 0 },        { "baseline-cmd", 0 }, { "shell", 0 },
	{ "instrument", 0 },
	{ "result-size", 0 },
};

/* ---- helpers ---------------------------------------------------------- */

static void assert_contains(const char *msg, const char *needle)
{
	if (!strstr(msg, needle))
		fail_msg("message \"%s\" lacks \"%s\"", msg, needle);
}

static void assert_lacks(const char *msg, const char *needle)
{
	if (strstr(msg, needle))
		fail_msg("message \"%s\" should not contain \"%s\"", msg, needle);
}

/* Parse, expect the input error; returns the message for further checks. */
static const char *parse_fails(unsigned cmd, int argc, char **argv, struct mpb_diag *d)
{
	struct mpb_config cfg;
	mpb_diag_clear(d);
	int rc = mpb_options_parse(cmd, argc, argv, &cfg, d);
	if (rc != -MPB_EINPUT)
		fail_msg("expected -MPB_EINPUT, got %d (argv[0] '%s')", rc, argc ? argv[0] : "");
	assert_int_equal(d->code, MPB_EINPUT);
	assert_true(d->msg[0] != '\0');
	assert_null(strchr(d->msg, '\n'));
	return d->msg;
}

static void parse_ok(unsigned cmd, int argc, char **argv, struct mpb_config *cfg)
{
	struct mpb_diag d;
	mpb_diag_clear(&d);
	int rc = mpb_options_parse(cmd, argc, argv, cfg, &d);
	if (rc != 0)
		fail_msg("parse failed (%d): %s", rc, d.msg);
	assert_int_equal(d.code, 0);
}

static void assert_defaults(const struct mpb_config *c)
{
	assert_string_equal(c->workloads, "sumsq");
	assert_null(c->sizes);
	assert_string_equal(c->workers, "auto");
	assert_string_equal(c->methods, "fork");
	assert_string_equal(c->chunksizes, "python");
	assert_string_equal(c->codecs, "raw");
	assert_string_equal(c->transports, "pipe");
	assert_null(c->tasks);
	assert_null(c->output);
	assert_int_equal(c->runs, 5);
	assert_int_equal(c->warmup, 1);
	assert_int_equal(c->seed, 1);
	assert_false(c->quiet);
	assert_false(c->no_progress);
	assert_false(c->help);
	assert_false(c->given_sizes);
	assert_false(c->given_tasks);
	assert_int_equal(c->npositional, 0);
}

/* ---- defaults ----------------------------------------------------------- */

static void test_defaults_every_command(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_OF(all_cmds); i++) {
		struct mpb_config cfg;
		/* garbage first: the parser must fill every field itself */
		memset(&cfg, 0xa5, sizeof cfg);
		parse_ok(all_cmds[i], 0, NULL, &cfg);
		assert_defaults(&cfg);
	}
}

static void test_reparse_resets(void **state)
{
	(void)state;
	struct mpb_config cfg;
	parse_ok(MPB_CMD_SWEEP, ARGS("-q", "-s", "1k", "-r", "9", "extra"), &cfg);
	assert_true(cfg.quiet);
	assert_true(cfg.given_sizes);
	parse_ok(MPB_CMD_SWEEP, 0, NULL, &cfg);
	assert_defaults(&cfg);
}

/* ---- values ------------------------------------------------------------- */

static void test_short_and_long_forms(void **state)
{
	(void)state;
	struct mpb_config cfg;

	parse_ok(MPB_CMD_SWEEP, ARGS("-j", "2"), &cfg);
	assert_string_equal(cfg.workers, "2");
	parse_ok(MPB_CMD_SWEEP, ARGS("-j2"), &cfg);
	assert_string_equal(cfg.workers, "2");
	parse_ok(MPB_CMD_SWEEP, ARGS("--workers", "2"), &cfg);
	assert_string_equal(cfg.workers, "2");
	parse_ok(MPB_CMD_SWEEP, ARGS("--workers=2"), &cfg);
	assert_string_equal(cfg.workers, "2");
	/* the value after '=' is kept whole, commas and all */
	parse_ok(MPB_CMD_SWEEP, ARGS("--workers=1,2,4"), &cfg);
	assert_string_equal(cfg.workers, "1,2,4");

	/* every string option lands in its own field; the rest keep defaults */
	parse_ok(MPB_CMD_RUN,
		 ARGS("-w", "null", "-s", "1k", "-m", "fork", "-c", "7", "--codec", "raw",
		      "--transport=pipe", "-t", "12", "-o", "out.json"),
		 &cfg);
	assert_string_equal(cfg.workloads, "null");
	assert_string_equal(cfg.sizes, "1k");
	assert_string_equal(cfg.methods, "fork");
	assert_string_equal(cfg.chunksizes, "7");
	assert_string_equal(cfg.codecs, "raw");
	assert_string_equal(cfg.transports, "pipe");
	assert_string_equal(cfg.tasks, "12");
	assert_string_equal(cfg.output, "out.json");
	assert_string_equal(cfg.workers, "auto");

	/* the last of a repeated option wins */
	parse_ok(MPB_CMD_SWEEP, ARGS("-j", "2", "--workers=8"), &cfg);
	assert_string_equal(cfg.workers, "8");

	/* a value that looks like an option is still the value */
	parse_ok(MPB_CMD_SWEEP, ARGS("-o", "-q"), &cfg);
	assert_string_equal(cfg.output, "-q");
	assert_false(cfg.quiet);
}

static void test_u64_values(void **state)
{
	(void)state;
	struct mpb_config cfg;

	parse_ok(MPB_CMD_SWEEP, ARGS("-r", "7", "--warmup", "0", "--seed", "42"), &cfg);
	assert_int_equal(cfg.runs, 7);
	assert_int_equal(cfg.warmup, 0);
	assert_int_equal(cfg.seed, 42);
	parse_ok(MPB_CMD_SWEEP, ARGS("-r3", "--runs=4"), &cfg);
	assert_int_equal(cfg.runs, 4);
	/* counts take the k suffix; bounds are inclusive */
	parse_ok(MPB_CMD_SWEEP, ARGS("--warmup=1k", "--runs", "100000"), &cfg);
	assert_int_equal(cfg.warmup, 1000);
	assert_int_equal(cfg.runs, 100000);
	/* seeds stop at 2^63-1 so that JSON records them exactly */
	parse_ok(MPB_CMD_SWEEP, ARGS("--seed", "9223372036854775807"), &cfg);
	assert_true(cfg.seed == INT64_MAX);
}

static void test_u64_range_checked(void **state)
{
	(void)state;
	struct mpb_diag d;
	const char *m;

	m = parse_fails(MPB_CMD_SWEEP, ARGS("-r", "0"), &d);
	assert_contains(m, "--runs");
	assert_contains(m, "0");
	assert_contains(m, "accepted");

	m = parse_fails(MPB_CMD_SWEEP, ARGS("--runs=100001"), &d);
	assert_contains(m, "--runs");
	assert_contains(m, "100001");

	m = parse_fails(MPB_CMD_SWEEP, ARGS("--warmup", "1001"), &d);
	assert_contains(m, "--warmup");
	assert_contains(m, "1001");
	assert_contains(m, "accepted");

	m = parse_fails(MPB_CMD_RUN, ARGS("--seed", "9223372036854775808"), &d);
	assert_contains(m, "--seed");

	m = parse_fails(MPB_CMD_SWEEP, ARGS("-r", "abc"), &d);
	assert_contains(m, "--runs");
	assert_contains(m, "abc");

	m = parse_fails(MPB_CMD_SWEEP, ARGS("-r", "-1"), &d);
	assert_contains(m, "--runs");
}

static void test_empty_string_value_rejected(void **state)
{
	(void)state;
	struct mpb_diag d;
	assert_contains(parse_fails(MPB_CMD_SWEEP, ARGS("--workers="), &d), "--workers");
	assert_contains(parse_fails(MPB_CMD_SWEEP, ARGS("-w", ""), &d), "--workload");
}

/* ---- flags -------------------------------------------------------------- */

static void test_flags(void **state)
{
	(void)state;
	struct mpb_config cfg;

	parse_ok(MPB_CMD_SWEEP, ARGS("--quiet"), &cfg);
	assert_true(cfg.quiet);
	assert_false(cfg.no_progress);
	parse_ok(MPB_CMD_SWEEP, ARGS("-q"), &cfg);
	assert_true(cfg.quiet);
	parse_ok(MPB_CMD_RUN, ARGS("--no-progress"), &cfg);
	assert_true(cfg.no_progress);
	assert_false(cfg.quiet);
	/* a flag takes nothing from the next argument */
	parse_ok(MPB_CMD_SWEEP, ARGS("-q", "-j", "3"), &cfg);
	assert_true(cfg.quiet);
	assert_string_equal(cfg.workers, "3");
	assert_int_equal(cfg.npositional, 0);

	for (size_t i = 0; i < N_OF(all_cmds); i++) {
		parse_ok(all_cmds[i], ARGS("--help"), &cfg);
		assert_true(cfg.help);
		parse_ok(all_cmds[i], ARGS("-h"), &cfg);
		assert_true(cfg.help);
	}
}

static void test_flag_with_value_rejected(void **state)
{
	(void)state;
	struct mpb_diag d;
	const char *m;

	m = parse_fails(MPB_CMD_SWEEP, ARGS("--quiet=1"), &d);
	assert_contains(m, "--quiet");
	m = parse_fails(MPB_CMD_SWEEP, ARGS("--quiet="), &d);
	assert_contains(m, "--quiet");
	m = parse_fails(MPB_CMD_SWEEP, ARGS("-q1"), &d);
	assert_contains(m, "--quiet");
	m = parse_fails(MPB_CMD_INFO, ARGS("--help=yes"), &d);
	assert_contains(m, "--help");
}

/* ---- errors ------------------------------------------------------------- */

static void test_missing_value_rejected(void **state)
{
	(void)state;
	struct mpb_diag d;

	assert_contains(parse_fails(MPB_CMD_SWEEP, ARGS("-j"), &d), "--workers");
	assert_contains(parse_fails(MPB_CMD_SWEEP, ARGS("-q", "--workers"), &d), "--workers");
	assert_contains(parse_fails(MPB_CMD_RUN, ARGS("-j", "2", "-r"), &d), "--runs");
	assert_contains(parse_fails(MPB_CMD_SWEEP, ARGS("--seed"), &d), "--seed");
	assert_contains(parse_fails(MPB_CMD_SWEEP, ARGS("-o"), &d), "--output");
}

static void test_unknown_option_suggests(void **state)
{
	(void)state;
	struct mpb_diag d;
	const char *m;

	m = parse_fails(MPB_CMD_SWEEP, ARGS("--sed", "4"), &d);
	assert_contains(m, "--sed");
	assert_contains(m, "did you mean '--seed'");

	m = parse_fails(MPB_CMD_SWEEP, ARGS("--workres", "2"), &d);
	assert_contains(m, "--workres");
	assert_contains(m, "did you mean '--workers'");

	m = parse_fails(MPB_CMD_RUN, ARGS("--sed=4"), &d);
	assert_contains(m, "did you mean '--seed'");

	/* nothing close: no suggestion, but still says what failed */
	m = parse_fails(MPB_CMD_SWEEP, ARGS("--zzzzzzzzzz"), &d);
	assert_contains(m, "--zzzzzzzzzz");
	assert_lacks(m, "did you mean");

	m = parse_fails(MPB_CMD_SWEEP, ARGS("-x"), &d);
	assert_contains(m, "-x");

	/* a close option of other commands is named as theirs, not offered */
	m = parse_fails(MPB_CMD_LIST, ARGS("--sed"), &d);
	assert_contains(m, "--sed");
	assert_lacks(m, "did you mean");
	assert_contains(m, "'--seed' is an option of sweep, run, tune");
	m = parse_fails(MPB_CMD_SWEEP, ARGS("--treshold", "5"), &d);
	assert_contains(m, "unknown option '--treshold' ('--threshold' is an option of compare)");
	/* the command's own option wins over another's */
	m = parse_fails(MPB_CMD_COMPARE, ARGS("--treshold", "5"), &d);
	assert_contains(m, "did you mean '--threshold'");
}

static void test_bundled_short_flags(void **state)
{
	(void)state;
	struct mpb_config cfg;
	struct mpb_diag d;
	parse_ok(MPB_CMD_SWEEP, ARGS("-qr", "3"), &cfg);
	assert_true(cfg.quiet);
	assert_int_equal(cfg.runs, 3);
	parse_ok(MPB_CMD_SWEEP, ARGS("-qr7", "-qj2"), &cfg);
	assert_true(cfg.quiet);
	assert_int_equal(cfg.runs, 7);
	assert_string_equal(cfg.workers, "2");
	parse_ok(MPB_CMD_SWEEP, ARGS("-qh"), &cfg);
	assert_true(cfg.quiet && cfg.help);
	/* a value-taking option ends the bundle: the rest is its value */
	assert_contains(parse_fails(MPB_CMD_SWEEP, ARGS("-rq"), &d), "--runs");
	assert_contains(parse_fails(MPB_CMD_SWEEP, ARGS("-qx"), &d), "unknown option '-x' in '-qx'");
	/* an option of another command inside a bundle is refused as such */
	assert_contains(parse_fails(MPB_CMD_TUNE, ARGS("-qj2"), &d), "does not apply");
}

static void test_option_of_other_command_rejected(void **state)
{
	(void)state;
	struct mpb_diag d;
	const char *m;

	m = parse_fails(MPB_CMD_LIST, ARGS("--runs", "3"), &d);
	assert_contains(m, "--runs");
	m = parse_fails(MPB_CMD_LIST, ARGS("-r3"), &d);
	assert_contains(m, "--runs");
	m = parse_fails(MPB_CMD_INFO, ARGS("-j", "2"), &d);
	assert_contains(m, "--workers");
	m = parse_fails(MPB_CMD_INFO, ARGS("--quiet"), &d);
	assert_contains(m, "--quiet");
	/* the same options do apply to sweep and run */
	struct mpb_config cfg;
	parse_ok(MPB_CMD_RUN, ARGS("--runs", "3", "-j", "2", "--quiet"), &cfg);
	assert_int_equal(cfg.runs, 3);
}

/* ---- positional arguments ----------------------------------------------- */

static void test_positional(void **state)
{
	(void)state;
	struct mpb_config cfg;

	parse_ok(MPB_CMD_SWEEP,
		 ARGS("a", "-j", "2", "b", "-", "--", "-q", "--bogus", "--workers=9"), &cfg);
	assert_int_equal(cfg.npositional, 6);
	assert_string_equal(cfg.positional[0], "a");
	assert_string_equal(cfg.positional[1], "b");
	assert_string_equal(cfg.positional[2], "-");
	assert_string_equal(cfg.positional[3], "-q");
	assert_string_equal(cfg.positional[4], "--bogus");
	assert_string_equal(cfg.positional[5], "--workers=9");
	/* what follows "--" is not parsed as options */
	assert_false(cfg.quiet);
	assert_string_equal(cfg.workers, "2");

	parse_ok(MPB_CMD_LIST, ARGS("x", "y"), &cfg);
	assert_int_equal(cfg.npositional, 2);
	assert_string_equal(cfg.positional[0], "x");
	assert_string_equal(cfg.positional[1], "y");
}

static void test_given_flags(void **state)
{
	(void)state;
	struct mpb_config cfg;

	parse_ok(MPB_CMD_SWEEP, ARGS("-j", "2", "-r", "3"), &cfg);
	assert_false(cfg.given_sizes);
	assert_false(cfg.given_tasks);
	parse_ok(MPB_CMD_SWEEP, ARGS("-s", "1k"), &cfg);
	assert_true(cfg.given_sizes);
	assert_false(cfg.given_tasks);
	parse_ok(MPB_CMD_SWEEP, ARGS("--tasks=8"), &cfg);
	assert_false(cfg.given_sizes);
	assert_true(cfg.given_tasks);
	assert_string_equal(cfg.tasks, "8");
	parse_ok(MPB_CMD_RUN, ARGS("--sizes", "2M", "-t8"), &cfg);
	assert_true(cfg.given_sizes);
	assert_true(cfg.given_tasks);
}

/* ---- JSON record -------------------------------------------------------- */

static void test_json_sweep(void **state)
{
	(void)state;
	struct mpb_config cfg;
	parse_ok(MPB_CMD_SWEEP,
		 ARGS("-j", "1,2", "-r", "7", "--seed=42", "-q", "-t", "16", "-o", "r.json"), &cfg);
	json_t *j = mpb_options_json(MPB_CMD_SWEEP, &cfg);
	assert_non_null(j);
	assert_true(json_is_object(j));
	/* every option but help, nothing else */
	assert_int_equal(json_object_size(j), N_OF(sweep_opts) - 1);
	for (size_t i = 0; i < N_OF(sweep_opts); i++) {
		json_t *v = json_object_get(j, sweep_opts[i].name);
		if (strcmp(sweep_opts[i].name, "help") == 0)
			assert_null(v);
		else if (!v)
			fail_msg("options JSON lacks '%s'", sweep_opts[i].name);
	}
	/* values as resolved, given or default */
	assert_string_equal(json_string_value(json_object_get(j, "workers")), "1,2");
	assert_string_equal(json_string_value(json_object_get(j, "workload")), cfg.workloads);
	assert_string_equal(json_string_value(json_object_get(j, "methods")), "fork");
	assert_string_equal(json_string_value(json_object_get(j, "chunksize")), "python");
	assert_string_equal(json_string_value(json_object_get(j, "codec")), "raw");
	assert_string_equal(json_string_value(json_object_get(j, "transport")), "pipe");
	assert_string_equal(json_string_value(json_object_get(j, "tasks")), "16");
	assert_string_equal(json_string_value(json_object_get(j, "output")), "r.json");
	assert_true(json_is_null(json_object_get(j, "sizes")));  /* the workload decides */
	assert_int_equal(json_integer_value(json_object_get(j, "runs")), 7);
	assert_int_equal(json_integer_value(json_object_get(j, "warmup")), 1);
	assert_int_equal(json_integer_value(json_object_get(j, "seed")), 42);
	assert_true(json_is_true(json_object_get(j, "quiet")));
	assert_true(json_is_false(json_object_get(j, "no-progress")));
	/* a workload's own option, at its default */
	assert_string_equal(json_string_value(json_object_get(j, "result-size")), "0");
	json_decref(j);

	/* run records the same set */
	j = mpb_options_json(MPB_CMD_RUN, &cfg);
	assert_non_null(j);
	assert_int_equal(json_object_size(j), N_OF(sweep_opts) - 1);
	json_decref(j);
}

/* payload declares --result-size (workload.h): the parser finds it in the
 * workload registry, stores its text for the plan and refuses it for the
 * commands it does not apply to. */
static void test_workload_option(void **state)
{
	(void)state;
	size_t k = 0;
	while (strcmp(mpb_workload_option_at(k)->name, "result-size") != 0)
		k++;
	struct mpb_config cfg;
	parse_ok(MPB_CMD_SWEEP, ARGS("-w", "payload"), &cfg);
	assert_string_equal(cfg.workload_opts[k], "0");
	parse_ok(MPB_CMD_SWEEP, ARGS("--result-size", "4KiB"), &cfg);
	assert_string_equal(cfg.workload_opts[k], "4KiB");
	parse_ok(MPB_CMD_RUN, ARGS("--result-size=1", "-w", "payload"), &cfg);
	assert_string_equal(cfg.workload_opts[k], "1");
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_options_parse(MPB_CMD_INFO, ARGS("--result-size", "1"), &cfg, &d),
			 -MPB_EINPUT);
	assert_contains(d.msg, "--result-size");
	/* a near miss suggests it like any option */
	assert_int_equal(mpb_options_parse(MPB_CMD_SWEEP, ARGS("--result-sise", "1"), &cfg, &d),
			 -MPB_EINPUT);
	assert_contains(d.msg, "did you mean '--result-size'");
}

static void test_json_info_list(void **state)
{
	(void)state;
	const unsigned cmds[] = { MPB_CMD_INFO, MPB_CMD_LIST };
	for (size_t i = 0; i < N_OF(cmds); i++) {
		struct mpb_config cfg;
		parse_ok(cmds[i], 0, NULL, &cfg);
		json_t *j = mpb_options_json(cmds[i], &cfg);
		assert_non_null(j);
		/* help is never recorded: --format is their only recorded option */
		assert_int_equal(json_object_size(j), 1);
		assert_true(json_is_null(json_object_get(j, "format")));
		json_decref(j);
	}
}

/* ---- help --------------------------------------------------------------- */

/* The help of cmd into *buf (the caller frees). */
static void help_text(unsigned cmd, char **buf)
{
	size_t len = 0;
	*buf = NULL;
	FILE *f = open_memstream(buf, &len);
	assert_non_null(f);
	mpb_options_help(cmd, 80, f);
	assert_int_equal(fclose(f), 0);
	assert_non_null(*buf);
	assert_int_equal(strlen(*buf), len);
}

/* Option entries of a help text: lines that start with "  -X, --" or
 * "      --"; a wrapped entry's other lines start at column 31. */
static size_t count_lines(const char *s)
{
	size_t n = 0;
	for (const char *l = s; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l))
		n += strncmp(l, "  -", 3) == 0 || strncmp(l, "      --", 8) == 0;
	return n;
}

/* Every line of a help text within `width` columns. */
static void assert_fits(const char *s, size_t width)
{
	for (const char *l = s; *l;) {
		size_t len = strcspn(l, "\n");
		if (len > width)
			fail_msg("help line longer than %zu: %.*s", width, (int)len, l);
		l += len + (l[len] == '\n');
	}
}

static void test_help_wraps(void **state)
{
	(void)state;
	const size_t widths[] = { 60, 80, 132 };
	size_t entries = 0;
	for (size_t i = 0; i < N_OF(widths); i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		assert_non_null(f);
		mpb_options_help(MPB_CMD_SWEEP, widths[i], f);
		assert_int_equal(fclose(f), 0);
		assert_fits(buf, widths[i]);
		if (i == 0)
			entries = count_lines(buf);
		assert_int_equal(count_lines(buf), entries);
		free(buf);
	}
}

/* Does the help contain "--name" as a whole option name? */
static bool has_option(const char *help, const char *name)
{
	char pat[64];
	snprintf(pat, sizeof pat, "--%s", name);
	for (const char *p = strstr(help, pat); p; p = strstr(p + 1, pat)) {
		char after = p[strlen(pat)];
		if (after == ' ' || after == '\n' || after == '\0')
			return true;
	}
	return false;
}

static void test_help_sweep_run(void **state)
{
	(void)state;
	const unsigned cmds[] = { MPB_CMD_SWEEP, MPB_CMD_RUN };
	for (size_t c = 0; c < N_OF(cmds); c++) {
		char *h;
		help_text(cmds[c], &h);
		/* one line per option */
		assert_int_equal(count_lines(h), N_OF(sweep_opts));
		for (size_t i = 0; i < N_OF(sweep_opts); i++) {
			if (!has_option(h, sweep_opts[i].name))
				fail_msg("help lacks --%s:\n%s", sweep_opts[i].name, h);
			if (sweep_opts[i].short_name) {
				char s[64];
				snprintf(s, sizeof s, "-%c, --%s", sweep_opts[i].short_name,
					 sweep_opts[i].name);
				assert_contains(h, s);
			}
		}
		/* defaults are shown */
		assert_contains(h, "[auto]");
		assert_contains(h, "[sumsq]");
		free(h);
	}
}

static void test_help_info_list(void **state)
{
	(void)state;
	const unsigned cmds[] = { MPB_CMD_INFO, MPB_CMD_LIST };
	for (size_t c = 0; c < N_OF(cmds); c++) {
		char *h;
		help_text(cmds[c], &h);
		assert_int_equal(count_lines(h), 2);
		assert_contains(h, "-h, --help");
		assert_contains(h, "--format text|json");
		for (size_t i = 0; i < N_OF(sweep_opts); i++)
			if (strcmp(sweep_opts[i].name, "help") != 0 &&
			    strcmp(sweep_opts[i].name, "format") != 0 && has_option(h, sweep_opts[i].name))
				fail_msg("%s help shows --%s:\n%s",
					 cmds[c] == MPB_CMD_INFO ? "info" : "list", sweep_opts[i].name, h);
		free(h);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_every_command),
		cmocka_unit_test(test_reparse_resets),
		cmocka_unit_test(test_short_and_long_forms),
		cmocka_unit_test(test_u64_values),
		cmocka_unit_test(test_u64_range_checked),
		cmocka_unit_test(test_empty_string_value_rejected),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_flag_with_value_rejected),
		cmocka_unit_test(test_missing_value_rejected),
		cmocka_unit_test(test_unknown_option_suggests),
		cmocka_unit_test(test_option_of_other_command_rejected),
		cmocka_unit_test(test_bundled_short_flags),
		cmocka_unit_test(test_help_wraps),
		cmocka_unit_test(test_positional),
		cmocka_unit_test(test_given_flags),
		cmocka_unit_test(test_json_sweep),
		cmocka_unit_test(test_workload_option),
		cmocka_unit_test(test_json_info_list),
		cmocka_unit_test(test_help_sweep_run),
		cmocka_unit_test(test_help_info_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
