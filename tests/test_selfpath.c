/* test_selfpath.c — cmocka tests for harness/base/selfpath.c: the running
 * executable's directory, joining a relative path to it, an absolute path
 * kept as it is, and buffers too short. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "selfpath.h"

static void dir_is_the_executables(void **state)
{
	(void)state;
	char dir[PATH_MAX], exe[PATH_MAX], want[PATH_MAX + 32];
	assert_int_equal(mpb_selfpath_dir(dir, sizeof dir), 0);
	assert_true(dir[0] == '/');
	assert_true(strcmp(dir, "/") == 0 || dir[strlen(dir) - 1] != '/');
	/* the directory holds this test binary, by file identity */
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	assert_true(n > 0);
	exe[n] = '\0';
	snprintf(want, sizeof want, "%s/%s", dir, strrchr(exe, '/') + 1);
	struct stat a, b;
	assert_int_equal(stat(want, &a), 0);
	assert_int_equal(stat(exe, &b), 0);
	assert_true(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
}

static void join_relative_and_absolute(void **state)
{
	(void)state;
	char dir[PATH_MAX], got[PATH_MAX], want[PATH_MAX + 32];
	assert_int_equal(mpb_selfpath_dir(dir, sizeof dir), 0);
	assert_int_equal(mpb_selfpath_join("../share/x", got, sizeof got), 0);
	snprintf(want, sizeof want, "%s/../share/x", dir);
	assert_string_equal(got, want);
	assert_int_equal(mpb_selfpath_join("/usr/lib/x", got, sizeof got), 0);
	assert_string_equal(got, "/usr/lib/x");
}

static void short_buffers_fail(void **state)
{
	(void)state;
	char small[2];
	assert_int_equal(mpb_selfpath_dir(small, sizeof small), -1);
	assert_int_equal(mpb_selfpath_join("x", small, sizeof small), -1);
	assert_int_equal(mpb_selfpath_join("/abc", small, sizeof small), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dir_is_the_executables),
		cmocka_unit_test(join_relative_and_absolute),
		cmocka_unit_test(short_buffers_fail),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
