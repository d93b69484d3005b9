/* test_cli.c — cmocka tests for harness/cli/cli.c, the command table and its
 * dispatcher: every row is complete, `mpbench help` lists every row, every
 * command answers --help, and the positional-argument checks the dispatcher
 * makes once for all commands give each command's error.
 *
 * The command names and messages below are the command-line contract of
 * README.md, written out rather than read from the table. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builtin.h"
#include "cli.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define ARGS(...)                                                        \
	(int)(sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)),       \
		(char *[]){ __VA_ARGS__ }

static const char *const names[] = { "sweep", "run", "tune", "info", "list", "report", "compare",
					"analyze" };

/* mpb_cli_main with its stdout captured into out (NUL-terminated). */
static int run_captured(int argc, char **argv, struct mpb_diag *d, char *out, size_t len)
{
	char path[] = "/tmp/mpb_test_cli_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	fflush(stdout);
	int saved = dup(STDOUT_FILENO);
	assert_true(saved >= 0);
	assert_int_equal(dup2(fd, STDOUT_FILENO), STDOUT_FILENO);
	int rc = mpb_cli_main(argc, argv, d);
	fflush(stdout);
	assert_int_equal(dup2(saved, STDOUT_FILENO), STDOUT_FILENO);
	close(saved);
	ssize_t n = pread(fd, out, len - 1, 0);
	assert_true(n >= 0);
	out[n] = '\0';
	close(fd);
	return rc;
}

static void table_is_complete(void **state)
{
	(void)state;
	size_t n;
	const struct mpb_cli_command *c = mpb_cli_commands(&n);
	assert_int_equal(n, N_OF(names));
	unsigned masks = 0;
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(c[i].name, names[i]);
		assert_non_null(c[i].run);
		assert_true(c[i].brief && c[i].brief[0]);
		assert_true(c[i].summary && c[i].summary[0]);
		/* one option set per command, each its own */
		assert_int_equal(__builtin_popcount(c[i].mask), 1);
		assert_int_equal(masks & c[i].mask, 0);
		masks |= c[i].mask;
		/* a command that takes arguments names them and says what is wrong */
		assert_true(c[i].min_args >= 0);
		assert_true(c[i].max_args < 0 || c[i].max_args >= c[i].min_args);
		bool takes = c[i].max_args != 0;
		assert_int_equal(c[i].args != NULL, takes);
		assert_int_equal(c[i].bad_args != NULL, takes);
	}
}

static void help_lists_every_command(void **state)
{
	(void)state;
	static char out[8192];
	size_t n;
	const struct mpb_cli_command *c = mpb_cli_commands(&n);
	struct mpb_diag d = { 0 };
	assert_int_equal(run_captured(ARGS("mpbench", "help"), &d, out, sizeof out), 0);
	for (size_t i = 0; i < n; i++) {
		char line[256];
		snprintf(line, sizeof line, "\n  %-8s %s\n", c[i].name, c[i].brief);
		if (!strstr(out, line))
			fail_msg("`mpbench help` lacks %s:\n%s", c[i].name, out);
	}
}

static void every_command_answers_help(void **state)
{
	(void)state;
	static char out[16384];
	for (size_t i = 0; i < N_OF(names); i++) {
		struct mpb_diag d = { 0 };
		char *name = (char *)names[i];
		/* --help wins over arguments the command would refuse */
		int rc = run_captured(ARGS("mpbench", name, "--help", "x", "y", "z"), &d, out,
				      sizeof out);
		assert_int_equal(rc, 0);
		char head[64];
		snprintf(head, sizeof head, "usage: mpbench %s [options]", name);
		if (strncmp(out, head, strlen(head)) != 0)
			fail_msg("`mpbench %s --help` starts:\n%.200s", name, out);
		if (!strstr(out, "\noptions:\n  "))
			fail_msg("`mpbench %s --help` lists no options:\n%s", name, out);
	}
}

static void expect_error(int argc, char **argv, const char *msg)
{
	static char out[16384];
	struct mpb_diag d = { 0 };
	assert_int_equal(run_captured(argc, argv, &d, out, sizeof out), -MPB_EINPUT);
	assert_string_equal(d.msg, msg);
	assert_string_equal(out, ""); /* nothing half-written */
}

static void positional_arguments_checked_once(void **state)
{
	(void)state;
	for (size_t i = 0; i < 5; i++) { /* the commands that take none */
		char msg[128];
		snprintf(msg, sizeof msg, "%s: unexpected argument 'x'", names[i]);
		expect_error(ARGS("mpbench", (char *)names[i], "x", "y"), msg);
	}
	expect_error(ARGS("mpbench", "report"),
		     "report: no results file given (usage: mpbench report RESULTS.json... "
		     "[-o DIR] [--format csv|md|json])");
	expect_error(ARGS("mpbench", "compare"),
		     "compare: give two results files, BASE and NEW, or one with --along "
		     "AXIS=BASE,NEW");
	expect_error(ARGS("mpbench", "compare", "a"),
		     "compare: give two results files, BASE and NEW, or one with --along "
		     "AXIS=BASE,NEW (got 1)");
	expect_error(ARGS("mpbench", "compare", "a", "b", "c"),
		     "compare: give two results files, BASE and NEW, or one with --along "
		     "AXIS=BASE,NEW");
	expect_error(ARGS("mpbench", "compare", "a", "b", "--along", "method=fork"),
		     "compare: --along compares within one results file: give exactly one (got 2)");
}

static void options_parsed_before_arguments(void **state)
{
	(void)state;
	static char out[1024];
	struct mpb_diag d = { 0 };
	/* an option of another command is refused, whatever the arguments */
	assert_int_equal(run_captured(ARGS("mpbench", "list", "-w", "sleep", "x"), &d, out,
				      sizeof out), -MPB_EINPUT);
	assert_non_null(strstr(d.msg, "does not apply to this command"));
	assert_null(strstr(d.msg, "unexpected argument"));
}

static void unknown_command_names_the_table(void **state)
{
	(void)state;
	expect_error(ARGS("mpbench", "swep"),
		     "unknown command 'swep' (did you mean 'sweep'? accepted: sweep, run, tune, info, "
		     "list, report, "
		     "compare, analyze)");
}

static void list_runs_through_the_table(void **state)
{
	(void)state;
	static char out[16384];
	struct mpb_diag d = { 0 };
	assert_int_equal(run_captured(ARGS("mpbench", "list"), &d, out, sizeof out), 0);
	assert_int_equal(strncmp(out, "workloads:\n", 11), 0);
	assert_non_null(strstr(out, "\nmethods:\n"));
	assert_non_null(strstr(out, "\ncounters:\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table_is_complete),
		cmocka_unit_test(help_lists_every_command),
		cmocka_unit_test(every_command_answers_help),
		cmocka_unit_test(positional_arguments_checked_once),
		cmocka_unit_test(options_parsed_before_arguments),
		cmocka_unit_test(unknown_command_names_the_table),
		cmocka_unit_test(list_runs_through_the_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
