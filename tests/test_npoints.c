/* test_npoints.c — unit tests for the plan's point-count limit (harness/
 * npoints.c): products within the limit pass, beyond it (or beyond what a
 * size_t holds) fail with one line giving the axes' sizes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "npoints.h"

#define assert_contains(hay, needle)                                                   \
	do {                                                                           \
		if (!strstr((hay), (needle)))                                          \
			fail_msg("\"%s\" does not contain \"%s\"", (hay), (needle));   \
	} while (0)

static void test_within(void **state)
{
	(void)state;
	struct mpb_diag d = { 0 };
	size_t one[] = { 1, 1, 1 };
	assert_int_equal(mpb_npoints_check(0, one, 3, "a, b, c", &d), 0);
	size_t exact[] = { 100, 1000 };
	assert_int_equal(mpb_npoints_check(0, exact, 2, "a, b", &d), 0);
	size_t none[] = { 0, SIZE_MAX };  /* an empty axis: no points at all */
	assert_int_equal(mpb_npoints_check(0, none, 2, "a, b", &d), 0);
}

static void test_beyond(void **state)
{
	(void)state;
	struct mpb_diag d = { 0 };
	size_t over[] = { 100, 1001 };
	assert_int_equal(mpb_npoints_check(0, over, 2, "sizes x workers", &d), -MPB_EINPUT);
	assert_contains(d.msg, "100100 points");
	assert_contains(d.msg, "sizes x workers: 100 x 1001");
	assert_null(strchr(d.msg, '\n'));
	/* the points of earlier workloads count too */
	size_t some[] = { 10 };
	assert_int_equal(mpb_npoints_check(MPB_MAX_POINTS - 5, some, 1, "x", &d), -MPB_EINPUT);
	assert_int_equal(mpb_npoints_check(MPB_MAX_POINTS - 10, some, 1, "x", &d), 0);
	/* a product that wraps a size_t must not pass as small */
	size_t wrap[] = { (size_t)1 << 32, (size_t)1 << 32, 2 };
	assert_int_equal(mpb_npoints_check(0, wrap, 3, "x", &d), -MPB_EINPUT);
	assert_contains(d.msg, "more than");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_within),
		cmocka_unit_test(test_beyond),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
