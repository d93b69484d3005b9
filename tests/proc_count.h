/* proc_count.h — what a test process holds, read from /proc: its threads and
 * its open descriptors, for the tests that check a module leaves nothing
 * behind. Included by test files only (static functions, cmocka asserts). */
#ifndef MPB_TEST_PROC_COUNT_H
#define MPB_TEST_PROC_COUNT_H

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <sys/wait.h>
#include <time.h>

/* Entries of a /proc directory. */
static inline size_t count_dir(const char *path)
{
	DIR *dir = opendir(path);
	assert_non_null(dir);
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(dir)))
		n += e->d_name[0] != '.';
	closedir(dir);
	return n;
}

static inline size_t threads_now(void) { return count_dir("/proc/self/task"); }
static inline size_t fds_now(void) { return count_dir("/proc/self/fd"); }

/* The thread count once it has settled at `want`, or what it is after 10 s.
 * A joined thread leaves /proc/self/task a moment after pthread_join returns
 * (the kernel wakes the joiner when it clears the thread id, before it
 * releases the task), so a count read right after a join can still include
 * it, more so on a loaded machine. Assert on what this returns. */
static inline size_t threads_settled(size_t want)
{
	size_t n = threads_now();
	for (int i = 0; i < 10000 && n != want; i++) {
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
		n = threads_now();
	}
	return n;
}

/* No child of this process is left, running or unreaped. */
static inline void assert_no_children(void)
{
	errno = 0;
	pid_t w = waitpid(-1, NULL, WNOHANG);
	if (w != -1 || errno != ECHILD)
		fail_msg("a child is left behind (waitpid returned %d, errno %d)", (int)w, errno);
}

/* pid no longer exists: at once, or within 30 s for a process that is not
 * ours to reap (an mpirun's rank ends a moment after mpirun is reaped). */
static inline void assert_gone(pid_t pid)
{
	assert_true(pid > 0);
	for (int i = 0; i < 30000 && kill(pid, 0) == 0; i++) {
		struct timespec ts = { 0, 1000000 };
		nanosleep(&ts, NULL);
	}
	errno = 0;
	assert_int_equal(kill(pid, 0), -1);
	assert_int_equal(errno, ESRCH);
}

#endif
