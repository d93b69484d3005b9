/* test_cmd.c — cmocka tests for the cmd workload's templates (cmd.c) and for
 * running a command from outside (cmd_run.c): substitution, shell-like word
 * splitting and its errors with positions; exit status, signals, stderr
 * tail, exec failure, the MPBENCH_FD channel, rusage and counters of the
 * whole tree, and that a timeout, an interrupt or a normal exit leaves no
 * process of the command's group behind; with a pidfd and without (the
 * reaper), the run waking on events, not on a timer. */
#include "cmd.h"
#include "cmd_run.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "counter_source.h"
#include "counters.h"
#include "method_proc.h"

static const struct mpb_cmd_vars vars = { 4, 5000000, 16, 2, "spawn" };

static char **expand_ok(const char *tmpl, bool shell, size_t want_argc)
{
	char **argv = NULL;
	size_t argc = 0;
	struct mpb_diag d = { 0 };
	int rc = mpb_cmd_expand(tmpl, shell, &vars, "--cmd", &argv, &argc, &d);
	if (rc != 0)
		fail_msg("'%s' did not expand: %s", tmpl, d.msg);
	assert_int_equal(argc, want_argc);
	assert_null(argv[argc]);
	return argv;
}

static const char *expand_fails(const char *tmpl, struct mpb_diag *d)
{
	char **argv = (char **)1;
	memset(d, 0, sizeof *d);
	int rc = mpb_cmd_expand(tmpl, false, &vars, "--cmd", &argv, NULL, d);
	if (rc != -MPB_EINPUT)
		fail_msg("'%s' expanded (rc %d)", tmpl, rc);
	assert_null(argv);
	assert_non_null(strstr(d->msg, "--cmd"));
	assert_null(strchr(d->msg, '\n'));
	assert_int_equal(mpb_cmd_check(tmpl, false, "--cmd", d), -MPB_EINPUT);
	return d->msg;
}

static void assert_contains(const char *s, const char *needle)
{
	if (!strstr(s, needle))
		fail_msg("\"%s\" lacks \"%s\"", s, needle);
}

/* ---- templates ---- */

static void test_substitute_and_split(void **st)
{
	(void)st;
	char **a = expand_ok("prog -j {workers} --size={size}  '{method}' \"a b\" c\\ d {{x}} "
			     "-c{chunksize} -t {tasks} '' lone}", false, 13);
	const char *want[] = { "prog", "-j", "4", "--size=5000000", "spawn", "a b", "c d", "{x}",
			       "-c2", "-t", "16", "", "lone}" };
	for (size_t i = 0; i < 13; i++)
		assert_string_equal(a[i], want[i]);
	mpb_cmd_argv_free(a);
	/* the last word: a lone '}' is literal */
	a = expand_ok("x lone}", false, 2);
	assert_string_equal(a[1], "lone}");
	mpb_cmd_argv_free(a);
	/* quotes inside a word join it; escapes in double quotes; newlines split */
	a = expand_ok("p a'b c'\"d\\\"e\\\\\"f\n\tg \"$x\"", false, 4);
	assert_string_equal(a[1], "ab cd\"e\\f");
	assert_string_equal(a[2], "g");
	assert_string_equal(a[3], "$x"); /* no expansion: there is no shell */
	mpb_cmd_argv_free(a);
	/* a substituted value is one word's text, never split or interpreted */
	struct mpb_cmd_vars odd = vars;
	odd.method = "a b;rm";
	char **argv;
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_cmd_expand("p {method}", false, &odd, "--cmd", &argv, NULL, &d), 0);
	assert_string_equal(argv[1], "a b;rm");
	assert_null(argv[2]);
	mpb_cmd_argv_free(argv);
}

static void test_shell(void **st)
{
	(void)st;
	char **a = expand_ok("echo {workers} | cat; x='{method}' {{}}", true, 3);
	assert_string_equal(a[0], "/bin/sh");
	assert_string_equal(a[1], "-c");
	assert_string_equal(a[2], "echo 4 | cat; x='spawn' {}");
	mpb_cmd_argv_free(a);
	struct mpb_diag d;
	char **argv;
	assert_int_equal(mpb_cmd_expand("  ", true, &vars, "--cmd", &argv, NULL, &d), -MPB_EINPUT);
	assert_int_equal(mpb_cmd_expand("x {nope}", true, &vars, "--cmd", &argv, NULL, &d),
			 -MPB_EINPUT);
	assert_contains(d.msg, "{nope}");
}

static void test_template_errors(void **st)
{
	(void)st;
	struct mpb_diag d;
	const char *m = expand_fails("prog {worker} x", &d);
	assert_contains(m, "unknown placeholder '{worker}'");
	assert_contains(m, "character 6");
	assert_contains(m, "{workers}");
	m = expand_fails("prog -j {workers", &d);
	assert_contains(m, "'{' at character 9 is not closed");
	m = expand_fails("prog {a{workers}}", &d);
	assert_contains(m, "character 6");
	m = expand_fails("prog 'abc", &d);
	assert_contains(m, "unbalanced single");
	assert_contains(m, "character 6");
	m = expand_fails("prog \"a'b\" \"c", &d);
	assert_contains(m, "unbalanced double");
	assert_contains(m, "character 12");
	m = expand_fails("prog x\\", &d);
	assert_contains(m, "trailing backslash at character 7");
	m = expand_fails(" \t\n", &d);
	assert_contains(m, "empty command");
	m = expand_fails("", &d);
	assert_contains(m, "empty command");
	assert_int_equal(mpb_cmd_check("ok {tasks}", false, "--cmd", &d), 0);
}

static void test_executable(void **st)
{
	(void)st;
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_cmd_check_executable("sh", "--cmd", &d), 0);
	assert_int_equal(mpb_cmd_check_executable("/bin/sh", "--cmd", &d), 0);
	assert_int_equal(mpb_cmd_check_executable("no-such-program-mpb", "--cmd", &d), -MPB_EINPUT);
	assert_contains(d.msg, "no-such-program-mpb");
	char path[] = "/tmp/mpb-test-cmd-XXXXXX"; /* a file that is not executable */
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(mpb_cmd_check_executable(path, "--cmd", &d), -MPB_EINPUT);
	unlink(path);
	assert_int_equal(mpb_cmd_check_executable("/", "--cmd", &d), -MPB_EINPUT);
}

/* ---- running ---- */

static int run_sh(const char *script, double timeout, volatile sig_atomic_t *stop,
		  const struct mpb_counter_plan *plan, struct mpb_cmd_result *r,
		  struct mpb_diag *d)
{
	char *argv[] = { "/bin/sh", "-c", (char *)script, NULL };
	struct mpb_cmd_job job = { argv, timeout, plan, stop, NULL };
	memset(d, 0, sizeof *d);
	return mpb_cmd_run(&job, r, d);
}

static bool alive(pid_t pid)
{
	return kill(pid, 0) == 0 || errno != ESRCH;
}

static void test_exit_ok_and_channel(void **st)
{
	(void)st;
	struct mpb_cmd_result r;
	struct mpb_diag d;
	int rc = run_sh("echo '{\"map_ns\": 123, \"startup_ns\": 4, \"tag\": \"x\"}' >&$MPBENCH_FD; "
			"echo 'garbage' >&$MPBENCH_FD; echo note >&2; echo to-stdout",
			0, NULL, NULL, &r, &d);
	if (rc != 0)
		fail_msg("rc %d: %s", rc, d.msg);
	assert_true(r.exited);
	assert_int_equal(r.exit_status, 0);
	assert_int_equal(r.term_signal, 0);
	assert_false(r.timed_out);
	assert_true(r.wall_ns > 0);
	uint64_t v;
	assert_true(mpb_fdchan_get(&r.chan, "map_ns", &v) && v == 123);
	assert_true(mpb_fdchan_get(&r.chan, "startup_ns", &v) && v == 4);
	assert_string_equal(json_string_value(json_object_get(r.chan.extra, "tag")), "x");
	assert_true(r.chan.rejected == 1);
	assert_string_equal(r.stderr_tail, "note\n");
	assert_false(alive(r.pid));
	mpb_cmd_result_free(&r);
}

static void test_nonzero_exit(void **st)
{
	(void)st;
	struct mpb_cmd_result r;
	struct mpb_diag d;
	int rc = run_sh("i=0; while [ $i -lt 3000 ]; do echo \"line $i\" >&2; i=$((i+1)); done; "
			"echo boom >&2; exit 3", 0, NULL, NULL, &r, &d);
	assert_int_equal(rc, -MPB_ERUN);
	assert_true(r.exited);
	assert_int_equal(r.exit_status, 3);
	assert_contains(d.msg, "exited with status 3");
	assert_contains(d.msg, "boom");
	/* the tail is the end of what it wrote, bounded */
	assert_true(strlen(r.stderr_tail) <= MPB_CMD_STDERR_TAIL);
	assert_true(r.stderr_bytes > MPB_CMD_STDERR_TAIL);
	assert_contains(r.stderr_tail, "line 2999\nboom\n");
	mpb_cmd_result_free(&r);

	rc = run_sh("kill -TERM $$", 0, NULL, NULL, &r, &d);
	assert_int_equal(rc, -MPB_ERUN);
	assert_false(r.exited);
	assert_int_equal(r.term_signal, SIGTERM);
	assert_contains(d.msg, "signal 15");
	mpb_cmd_result_free(&r);

	char *argv[] = { "/nonexistent/mpb-prog", NULL };
	struct mpb_cmd_job job = { argv, 0, NULL, NULL, NULL };
	rc = mpb_cmd_run(&job, &r, &d);
	assert_int_equal(rc, -MPB_ERUN);
	assert_contains(d.msg, "cannot run '/nonexistent/mpb-prog'");
	mpb_cmd_result_free(&r);
}

/* The pid a command reported as {"child": PID}. */
static pid_t reported_child(const struct mpb_cmd_result *r)
{
	json_t *c = json_object_get(r->chan.extra, "child");
	assert_true(json_is_integer(c));
	return (pid_t)json_integer_value(c);
}

/* env_extra entries reach the command and replace ours of the same name;
 * MPBENCH_FD stays the channel's. */
static void test_env_extra(void **st)
{
	(void)st;
	struct mpb_diag d;
	struct mpb_cmd_result r;
	setenv("MPB_TEST_REPLACED", "old", 1);
	char *extra[] = { "MPB_TEST_NEW=one", "MPB_TEST_REPLACED=new", "MPBENCH_FD=99", NULL };
	char *argv[] = { "/bin/sh", "-c",
			 "test \"$MPB_TEST_NEW\" = one && test \"$MPB_TEST_REPLACED\" = new && "
			 "test \"$MPBENCH_FD\" != 99 && env | grep -c '^MPB_TEST_REPLACED=' | "
			 "grep -qx 1", NULL };
	struct mpb_cmd_job job = { argv, 10, NULL, NULL, extra };
	memset(&d, 0, sizeof d);
	int rc = mpb_cmd_run(&job, &r, &d);
	assert_int_equal(rc, 0);
	mpb_cmd_result_free(&r);
	unsetenv("MPB_TEST_REPLACED");
}

static void test_timeout_kills_tree(void **st)
{
	(void)st;
	struct mpb_cmd_result r;
	struct mpb_diag d;
	/* a grandchild that would outlive everything, then a wait; 3 s leave
	 * the shell time to report the pid even on a loaded machine */
	int rc = run_sh("sleep 300 & echo \"{\\\"child\\\": $!}\" >&$MPBENCH_FD; "
			"sh -c 'sleep 300' & wait", 3, NULL, NULL, &r, &d);
	assert_int_equal(rc, -MPB_ERUN);
	assert_true(r.timed_out);
	assert_int_equal(r.term_signal, SIGKILL);
	assert_contains(d.msg, "timed out");
	pid_t child = reported_child(&r);
	/* killed and reaped, not zombies: kill(0) fails with ESRCH */
	assert_false(alive(child));
	assert_false(alive(r.pid));
	assert_int_equal(kill(-r.pid, 0), -1);
	assert_int_equal(errno, ESRCH);
	mpb_cmd_result_free(&r);
}

static void test_leftovers_killed_after_exit(void **st)
{
	(void)st;
	struct mpb_cmd_result r;
	struct mpb_diag d;
	int rc = run_sh("sleep 300 & echo \"{\\\"child\\\": $!}\" >&$MPBENCH_FD; exit 0", 0, NULL,
			NULL, &r, &d);
	assert_int_equal(rc, 0);
	pid_t child = reported_child(&r);
	assert_false(alive(child));
	assert_int_equal(kill(-r.pid, 0), -1);
	mpb_cmd_result_free(&r);
}

static void test_stop_flag(void **st)
{
	(void)st;
	volatile sig_atomic_t stop = 1;
	struct mpb_cmd_result r;
	struct mpb_diag d;
	int rc = run_sh("sleep 300", 0, &stop, NULL, &r, &d);
	assert_int_equal(rc, -MPB_EINTR);
	assert_false(alive(r.pid));
	mpb_cmd_result_free(&r);
}

/* CPU spent by a grandchild is in the tree's rusage and, when the machine
 * lets us count, in the inherited task-clock. */
static void test_tree_rusage_and_counters(void **st)
{
	(void)st;
	struct mpb_counter_set set;
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_counters_resolve("task-clock", &mpb_counter_source_perf, -100, &set, &d),
			 0);
	struct mpb_cmd_result r;
	int rc = run_sh("sh -c 'i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done'; exit 0", 0,
			NULL, &set.plan, &r, &d);
	if (rc != 0)
		fail_msg("rc %d: %s", rc, d.msg);
	assert_true(r.tree.user_ns + r.tree.system_ns > 0);
	assert_true(r.tree.maxrss_bytes > 0);
	assert_true(r.tree.minflt > 0);
	assert_int_equal(r.counts.n, set.plan.n);
	if (set.ev[0].available) {
		double v, cov;
		assert_int_equal(r.counts.c[0].state, MPB_COUNT_OK);
		assert_int_equal(mpb_count_scaled(&r.counts.c[0], &v, &cov), 1);
		/* the grandchild's loop alone is far more than a millisecond */
		assert_true(v > 1e6);
	} else {
		print_message("task-clock unavailable here (%s): counters not checked\n",
			      set.ev[0].reason);
	}
	mpb_cmd_result_free(&r);
}

/* The run sleeps until something happens: output, the exec, the exit.
 * Behaviour, not timing: a command silent for 80 ms wakes it a handful of
 * times (its exec, its exit and its pipes' EOF, perhaps the 100 ms look at
 * the stop flag on a loaded machine); a wait that polled for the exit would
 * wake once per interval (40 times at 2 ms). With a pidfd and, in the
 * second group, without (the reaper, cmd_reaper.h). */
static void test_wakes_on_events(void **st)
{
	(void)st;
	char *argv[] = { "sleep", "0.08", NULL };
	struct mpb_cmd_job job = { argv, 0, NULL, NULL, NULL };
	struct mpb_cmd_result r;
	struct mpb_diag d = { 0 };
	int rc = mpb_cmd_run(&job, &r, &d);
	if (rc != 0)
		fail_msg("rc %d: %s", rc, d.msg);
	assert_true(r.exited && r.exit_status == 0);
	if (r.wakeups > 6)
		fail_msg("the run woke %u times for a command silent for 80 ms", r.wakeups);
	assert_true(r.wakeups >= 1);
	if (getenv("MPB_TEST_SHOW"))
		print_message("wakeups %u\n", r.wakeups);
	mpb_cmd_result_free(&r);
}

static int without_pidfd(void **st)
{
	(void)st;
	return setenv(MPB_NO_PIDFD_ENV, "1", 1);
}

static int with_pidfd_again(void **st)
{
	(void)st;
	return unsetenv(MPB_NO_PIDFD_ENV);
}

int main(void)
{
	const struct CMUnitTest templates[] = {
		cmocka_unit_test(test_substitute_and_split),
		cmocka_unit_test(test_shell),
		cmocka_unit_test(test_template_errors),
		cmocka_unit_test(test_executable),
	};
	/* where a pidfd can be had (the first group) and where it cannot */
	const struct CMUnitTest runs[] = {
		cmocka_unit_test(test_exit_ok_and_channel),
		cmocka_unit_test(test_nonzero_exit),
		cmocka_unit_test(test_env_extra),
		cmocka_unit_test(test_timeout_kills_tree),
		cmocka_unit_test(test_leftovers_killed_after_exit),
		cmocka_unit_test(test_stop_flag),
		cmocka_unit_test(test_tree_rusage_and_counters),
		cmocka_unit_test(test_wakes_on_events),
	};
	int failed = cmocka_run_group_tests_name("templates", templates, NULL, NULL);
	failed += cmocka_run_group_tests_name("runs", runs, NULL, NULL);
	failed += cmocka_run_group_tests_name("runs without pidfd", runs, without_pidfd,
					      with_pidfd_again);
	return failed;
}
