/* test_cmd_reaper.c — cmocka tests for the command's reaper (cmd_reaper.c):
 * it reports the command's pid as a process group of its own, then its wait
 * status and rusage once it ended, even when the command left children
 * holding every descriptor it had; the reaper itself is reaped by collect;
 * a reaper killed early takes the command with it. */
#include "cmd_reaper.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"

/* The command: sh -c SCRIPT after a gate byte, as cmd_run.c's child does. */
struct args {
	const char *script;
	int gate_r;
};

static void start(void *arg, pid_t parent)
{
	const struct args *a = arg;
	setpgid(0, 0);
	mpb_cmd_die_with(parent);
	char c;
	if (read(a->gate_r, &c, 1) != 1)
		_exit(125);
	execl("/bin/sh", "sh", "-c", a->script, (char *)NULL);
	_exit(127);
}

/* Start `script`, release it, wait for the reaper's record with a poll
 * that has no timeout (a missing wake-up hangs the test), collect. */
static int run(const char *script, pid_t *pid, struct mpb_cmd_exit *ex, struct rusage *self,
	       uint64_t *t0)
{
	int gate[2];
	assert_int_equal(pipe(gate), 0);
	struct args a = { script, gate[0] };
	struct mpb_cmd_reaper rp;
	struct mpb_diag d = { 0 };
	int rc = mpb_cmd_reaper_start(&rp, start, &a, gate, 2, pid, &d);
	if (rc != 0)
		fail_msg("start: %s", d.msg);
	close(gate[0]);
	assert_true(*pid > 0 && rp.pid > 0 && rp.fd >= 0);
	/* a group of its own, led by the command: set before its pid came */
	assert_int_equal(getpgid(*pid), *pid);
	*t0 = mpb_now_ns();
	assert_int_equal(write(gate[1], "g", 1), 1);
	close(gate[1]);
	struct pollfd pf = { rp.fd, POLLIN, 0 };
	int n;
	while ((n = poll(&pf, 1, -1)) < 0 && errno == EINTR)
		;
	assert_int_equal(n, 1);
	pid_t reaper = rp.pid;
	rc = mpb_cmd_reaper_collect(&rp, ex, self, &d);
	/* collected: the reaper is reaped and its pipe closed */
	assert_int_equal(rp.pid, -1);
	assert_int_equal(rp.fd, -1);
	assert_int_equal(waitpid(reaper, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	mpb_cmd_reaper_end(&rp); /* a no-op now */
	return rc;
}

static void test_status_time_and_rusage(void **st)
{
	(void)st;
	pid_t pid;
	struct mpb_cmd_exit ex;
	struct rusage self;
	uint64_t t0;
	int rc = run("i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; exit 3", &pid, &ex, &self,
		     &t0);
	assert_int_equal(rc, 1);
	assert_true(WIFEXITED(ex.status));
	assert_int_equal(WEXITSTATUS(ex.status), 3);
	/* seen ending after its release and before we read it */
	assert_true(ex.t_ns > t0 && ex.t_ns <= mpb_now_ns());
	/* the command's own rusage: its loop took CPU and faulted pages in */
	assert_true(ex.ru.ru_utime.tv_sec + ex.ru.ru_utime.tv_usec + ex.ru.ru_stime.tv_sec +
		    ex.ru.ru_stime.tv_usec > 0);
	assert_true(ex.ru.ru_minflt > 0);
	assert_true(ex.ru.ru_maxrss > 0);
	/* the command was the reaper's child, not ours */
	assert_int_equal(waitpid(pid, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static void test_signal_status(void **st)
{
	(void)st;
	pid_t pid;
	struct mpb_cmd_exit ex;
	struct rusage self;
	uint64_t t0;
	assert_int_equal(run("kill -TERM $$", &pid, &ex, &self, &t0), 1);
	assert_true(WIFSIGNALED(ex.status));
	assert_int_equal(WTERMSIG(ex.status), SIGTERM);
}

/* A background child inherits everything the command holds after its exec:
 * the reaper's pipe is not among it (close-on-exec), so the record wakes
 * the poll while the child still runs. */
static void test_wakes_while_children_live_on(void **st)
{
	(void)st;
	pid_t pid;
	struct mpb_cmd_exit ex;
	struct rusage self;
	uint64_t t0;
	assert_int_equal(run("sleep 300 & exit 0", &pid, &ex, &self, &t0), 1);
	assert_true(WIFEXITED(ex.status) && WEXITSTATUS(ex.status) == 0);
	/* the sleep is alive, in the command's group */
	assert_int_equal(kill(-pid, 0), 0);
	assert_int_equal(kill(-pid, SIGKILL), 0);
	/* orphaned to us (main makes this process a subreaper): reap it */
	int status;
	assert_true(waitpid(-pid, &status, 0) > 0);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

/* A reaper killed before its command ends reports nothing: collect says so
 * (0), and the command dies with it. */
static void test_reaper_killed(void **st)
{
	(void)st;
	int gate[2];
	assert_int_equal(pipe(gate), 0);
	struct args a = { "exec sleep 300", gate[0] };
	struct mpb_cmd_reaper rp;
	struct mpb_diag d = { 0 };
	pid_t pid;
	assert_int_equal(mpb_cmd_reaper_start(&rp, start, &a, gate, 2, &pid, &d), 0);
	close(gate[0]);
	assert_int_equal(write(gate[1], "g", 1), 1);
	close(gate[1]);
	assert_int_equal(kill(rp.pid, SIGKILL), 0);
	struct mpb_cmd_exit ex;
	struct rusage self;
	assert_int_equal(mpb_cmd_reaper_collect(&rp, &ex, &self, &d), 0);
	assert_int_equal(rp.pid, -1);
	/* PR_SET_PDEATHSIG: the command is killed, and orphaned to us; or, if
	 * the reaper died before the command set it, mpb_cmd_die_with's check
	 * ends it */
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) ||
		    (WIFEXITED(status) && WEXITSTATUS(status) == 127));
}

int main(void)
{
	/* orphans of the commands come to us, to be reaped and checked */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_time_and_rusage),
		cmocka_unit_test(test_signal_status),
		cmocka_unit_test(test_wakes_while_children_live_on),
		cmocka_unit_test(test_reaper_killed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
