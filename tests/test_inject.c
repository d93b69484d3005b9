/* test_inject.c — unit tests for the test-only fault injection (harness/
 * inject.c): the spec parser refuses what it does not know, and each worker
 * action does what it says in a forked child (the faults the integration
 * tests then rely on). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "inject.h"

#include "frame.h"

#define assert_contains(hay, needle)                                                   \
	do {                                                                           \
		if (!strstr((hay), (needle)))                                          \
			fail_msg("\"%s\" does not contain \"%s\"", (hay), (needle));   \
	} while (0)

static void parse_bad(const char *spec, const char *needle)
{
	struct mpb_inject in;
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_inject_parse(spec, &in, &d), -MPB_EINPUT);
	assert_contains(d.msg, MPB_INJECT_ENV);
	assert_contains(d.msg, needle);
	assert_null(strchr(d.msg, '\n'));
	assert_int_equal(in.action, MPB_INJECT_NONE); /* nothing half-parsed */
}

static void test_parse_good(void **state)
{
	(void)state;
	struct mpb_inject in;
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_inject_parse(NULL, &in, &d), 0);
	assert_int_equal(in.action, MPB_INJECT_NONE);
	assert_int_equal(mpb_inject_parse("", &in, &d), 0);
	assert_int_equal(in.action, MPB_INJECT_NONE);
	assert_int_equal(mpb_inject_parse("crash", &in, &d), 0);
	assert_int_equal(in.action, MPB_INJECT_CRASH);
	assert_int_equal(in.worker, 0);
	assert_int_equal(in.after, 0);
	assert_int_equal(in.arg, SIGSEGV);
	assert_int_equal(mpb_inject_parse("crash:worker=1,after=3,signal=9", &in, &d), 0);
	assert_int_equal(in.worker, 1);
	assert_int_equal(in.after, 3);
	assert_int_equal(in.arg, 9);
	assert_int_equal(mpb_inject_parse("exit:status=42", &in, &d), 0);
	assert_int_equal(in.action, MPB_INJECT_EXIT);
	assert_int_equal(in.arg, 42);
	assert_int_equal(mpb_inject_parse("launch-fail:worker=2,errno=ENOMEM", &in, &d), 0);
	assert_int_equal(in.action, MPB_INJECT_LAUNCH_FAIL);
	assert_int_equal(in.arg, ENOMEM);
	assert_int_equal(mpb_inject_parse("hang:after=1k", &in, &d), 0);
	assert_int_equal(in.after, 1000);
}

static void test_parse_bad(void **state)
{
	(void)state;
	parse_bad("explode", "unknown fault 'explode'");
	parse_bad("crash:worker", "not KEY=VALUE");
	parse_bad("crash:=1", "not KEY=VALUE");
	parse_bad("crash:worker=", "not KEY=VALUE");
	parse_bad("crash:worker=-1", "worker");
	parse_bad("crash:worker=99999999999999999999999", "worker");
	parse_bad("crash:colour=red", "unknown key 'colour'");
	parse_bad("exit:signal=9", "unknown key 'signal'"); /* signal is crash's */
	parse_bad("crash:signal=0", "signal");
	parse_bad("crash:signal=64", "signal");
	parse_bad("launch-fail:errno=EPERM", "'EPERM' is not accepted");
	char longspec[400];
	memset(longspec, 'a', sizeof longspec - 1);
	longspec[sizeof longspec - 1] = '\0';
	parse_bad(longspec, "longer than");
}

#if MPB_FAULT_INJECTION
static int send_fd(void *ctx, const void *p, size_t n)
{
	return write(*(int *)ctx, p, n) == (ssize_t)n ? 0 : -1;
}

/* Run the worker hook in a child with spec in the environment; returns the
 * child's wait status, and what it wrote to its pipe (up to len bytes). */
static int child_hook(const char *spec, unsigned index, uint64_t done, unsigned char *out,
		      size_t len, ssize_t *got)
{
	int pfd[2];
	assert_int_equal(pipe(pfd), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(pfd[0]);
		setenv(MPB_INJECT_ENV, spec, 1);
		alarm(30); /* a hook that should have acted and did not must not hang */
		mpb_inject_worker(index, done, send_fd, &pfd[1]);
		_exit(0); /* not due: returned */
	}
	close(pfd[1]);
	*got = read(pfd[0], out, len);
	int st = 0;
	if (*got > 0) /* corrupt writes, then hangs until killed */
		kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	close(pfd[0]);
	return st;
}

static void test_worker_actions(void **state)
{
	(void)state;
	unsigned char buf[64];
	ssize_t got;
	int st = child_hook("crash:worker=1,after=3,signal=6", 1, 3, buf, sizeof buf, &got);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGABRT);
	st = child_hook("exit:worker=0,status=42", 0, 0, buf, sizeof buf, &got);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 42);
	/* not due: another worker, or too few tasks done yet */
	st = child_hook("exit:worker=1,status=42", 0, 100, buf, sizeof buf, &got);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	st = child_hook("exit:worker=1,after=5,status=42", 1, 4, buf, sizeof buf, &got);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* corrupt: the bytes it writes must be refused by the frame parser */
	st = child_hook("corrupt", 0, 0, buf, sizeof buf, &got);
	assert_true(got >= (ssize_t)MPB_FRAME_HEADER);
	struct mpb_frame f;
	size_t used;
	struct mpb_diag d = { 0 };
	assert_true(mpb_frame_parse(buf, (size_t)got, &f, &used, &d) < 0);
	assert_contains(d.msg, "corrupt frame");
	/* launch-fail is the parent's: the worker hook ignores it */
	st = child_hook("launch-fail", 0, 0, buf, sizeof buf, &got);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

#endif

/* Run body in a child (the spec is read once per process) and check that
 * it exits 0; a non-zero status names the check that failed. */
static void in_child(int (*body)(void))
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(body());
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

#if MPB_FAULT_INJECTION
static int launch_fail_body(void)
{
	struct mpb_diag d = { 0 };
	setenv(MPB_INJECT_ENV, "launch-fail:worker=1,errno=EAGAIN", 1);
	if (mpb_inject_launch(0, "fork", &d) != 0)
		return 10;
	if (mpb_inject_launch(1, "posix_spawn", &d) != -MPB_ERUN)
		return 11;
	if (!strstr(d.msg, "posix_spawn for worker 1") || !strstr(d.msg, strerror(EAGAIN)))
		return 12;
	return 0;
}

static void test_launch_fail(void **state)
{
	(void)state;
	in_child(launch_fail_body);
}

static void test_check_env(void **state)
{
	(void)state;
	struct mpb_diag d = { 0 };
	unsetenv(MPB_INJECT_ENV);
	assert_int_equal(mpb_inject_check(&d), 0);
	setenv(MPB_INJECT_ENV, "crash:after=x", 1);
	assert_int_equal(mpb_inject_check(&d), -MPB_EINPUT);
	assert_contains(d.msg, "after");
	unsetenv(MPB_INJECT_ENV);
}

#else

/* A build without -Dfault_injection refuses the variable instead of
 * ignoring it, and injects nothing even when it is set. */
static int disabled_body(void)
{
	struct mpb_diag d = { 0 };
	setenv(MPB_INJECT_ENV, "launch-fail:worker=0,errno=EAGAIN", 1);
	if (mpb_inject_check(&d) != -MPB_EINPUT || !strstr(d.msg, "without fault injection"))
		return 10;
	d = (struct mpb_diag){ 0 };
	if (mpb_inject_launch(0, "fork", &d) != 0)
		return 11;
	unsetenv(MPB_INJECT_ENV);
	if (mpb_inject_check(&d) != 0)
		return 12;
	return 0;
}

static void test_disabled_build(void **state)
{
	(void)state;
	in_child(disabled_body);
}
#endif

int main(void)
{
#if MPB_FAULT_INJECTION
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_worker_actions),
		cmocka_unit_test(test_launch_fail),
		cmocka_unit_test(test_check_env),
	};
#else
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_disabled_build),
	};
#endif
	return cmocka_run_group_tests(tests, NULL, NULL);
}
