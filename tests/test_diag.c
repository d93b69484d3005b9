/* test_diag.c — the one error path: messages, exit statuses, and the causes
 * that become a failed point's error_kind in the results. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "diag.h"

static void test_fail_records_code_and_message(void **state)
{
	(void)state;
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_fail(&d, MPB_ERUN, "worker %u died", 3u), -MPB_ERUN);
	assert_int_equal(d.code, MPB_ERUN);
	assert_string_equal(d.msg, "worker 3 died");
	assert_int_equal(mpb_fail_errno(&d, MPB_ESYS, ENOENT, "open %s", "x"), -MPB_ESYS);
	assert_string_equal(d.msg, "open x: No such file or directory");
	/* one line whatever the input held */
	mpb_fail(&d, MPB_EINPUT, "a\nb\tc\x7f");
	assert_string_equal(d.msg, "a?b?c?");
	/* a NULL diag is allowed: only the code comes back */
	assert_int_equal(mpb_fail(NULL, MPB_EIO, "x"), -MPB_EIO);
	mpb_diag_clear(&d);
	assert_int_equal(d.code, 0);
	assert_string_equal(d.msg, "");
}

static void test_exit_status(void **state)
{
	(void)state;
	assert_int_equal(mpb_diag_exit_status(MPB_OK), 0);
	assert_int_equal(mpb_diag_exit_status(MPB_EINPUT), 2);
	assert_int_equal(mpb_diag_exit_status(MPB_ERUN), 1);
	assert_int_equal(mpb_diag_exit_status(MPB_EIO), 1);
	assert_int_equal(mpb_diag_exit_status(MPB_ESYS), 1);
	assert_int_equal(mpb_diag_exit_status(MPB_ENOMEM), 1);
	assert_int_equal(mpb_diag_exit_status(MPB_EINTR), 130);
	assert_int_equal(mpb_diag_exit_status(MPB_EREGRESS), 3);
}

/* A cause belongs to the failure it was named for: the next mpb_fail starts
 * without one, and the first name given sticks (EMFILE names itself). */
static void test_cause_follows_the_failure(void **state)
{
	(void)state;
	struct mpb_diag d = { 0 };
	int rc = mpb_diag_cause(&d, MPB_CAUSE_TASK_TIMEOUT, mpb_fail(&d, MPB_ERUN, "timeout"));
	assert_int_equal(rc, -MPB_ERUN);
	assert_int_equal(d.cause, MPB_CAUSE_TASK_TIMEOUT);
	assert_string_equal(mpb_diag_kind(d.code, d.cause), "task_timeout");

	mpb_fail(&d, MPB_ERUN, "something else");
	assert_int_equal(d.cause, MPB_CAUSE_NONE);
	assert_string_equal(mpb_diag_kind(d.code, d.cause), "other");

	mpb_fail_errno(&d, MPB_ERUN, EMFILE, "creating a pipe");
	assert_int_equal(d.cause, MPB_CAUSE_DESCRIPTORS);
	mpb_diag_cause(&d, MPB_CAUSE_LAUNCH_FAILED, 0);
	assert_string_equal(mpb_diag_kind(d.code, d.cause), "out_of_descriptors");
	mpb_fail_errno(&d, MPB_ERUN, ENFILE, "fork");
	assert_string_equal(mpb_diag_kind(d.code, d.cause), "out_of_descriptors");
	mpb_fail_errno(&d, MPB_ERUN, EAGAIN, "fork");
	mpb_diag_cause(&d, MPB_CAUSE_LAUNCH_FAILED, 0);
	assert_string_equal(mpb_diag_kind(d.code, d.cause), "launch_failed");

	mpb_diag_clear(&d);
	assert_int_equal(d.cause, MPB_CAUSE_NONE);
	assert_null(mpb_diag_kind(d.code, d.cause));
	assert_int_equal(mpb_diag_cause(NULL, MPB_CAUSE_PROTOCOL, -MPB_ERUN), -MPB_ERUN);
}

/* Failures nobody named take their kind from their code; every kind is in
 * the published list, and the list has no duplicates. */
static void test_kind_names(void **state)
{
	(void)state;
	assert_string_equal(mpb_diag_kind(MPB_EINTR, MPB_CAUSE_NONE), "interrupted");
	assert_string_equal(mpb_diag_kind(MPB_ENOMEM, MPB_CAUSE_NONE), "out_of_memory");
	assert_string_equal(mpb_diag_kind(MPB_ESYS, MPB_CAUSE_NONE), "system");
	assert_string_equal(mpb_diag_kind(MPB_EIO, MPB_CAUSE_NONE), "io");
	assert_string_equal(mpb_diag_kind(MPB_EINPUT, MPB_CAUSE_NONE), "input");
	assert_string_equal(mpb_diag_kind(MPB_ERUN, MPB_CAUSE_NONE), "other");
	assert_string_equal(mpb_diag_kind(MPB_ERUN, MPB_CAUSE_WORKER_KILLED), "worker_killed");
	assert_string_equal(mpb_diag_kind(MPB_ERUN, MPB_CAUSE_FORKSERVER_DIED), "forkserver_died");
	/* a named cause wins over the code's class */
	assert_string_equal(mpb_diag_kind(MPB_ESYS, MPB_CAUSE_DESCRIPTORS), "out_of_descriptors");
	/* an out-of-range cause is not trusted */
	assert_string_equal(mpb_diag_kind(MPB_ERUN, 9999), "other");
	assert_string_equal(mpb_diag_kind(MPB_ERUN, -1), "other");

	size_t n = 0;
	for (; mpb_diag_kinds[n]; n++) {
		const char *k = mpb_diag_kinds[n];
		assert_true(strlen(k) > 0);
		for (const char *c = k; *c; c++)
			assert_true((*c >= 'a' && *c <= 'z') || *c == '_');
		for (size_t m = 0; m < n; m++)
			assert_string_not_equal(mpb_diag_kinds[m], k);
	}
	for (int cause = MPB_CAUSE_NONE; cause <= MPB_CAUSE_WORKER_STUCK; cause++) {
		const char *k = mpb_diag_kind(MPB_ERUN, cause);
		size_t m = 0;
		while (m < n && strcmp(mpb_diag_kinds[m], k) != 0)
			m++;
		assert_true(m < n);
	}
}

/* A system call that failed with ENOMEM (mmap, fork, pipe2) is out of
 * memory: the code and so the recorded kind say so, not "system". Other
 * codes keep theirs: a launch that failed with ENOMEM is still a launch. */
static void test_enomem_is_out_of_memory(void **state)
{
	(void)state;
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_fail_errno(&d, MPB_ESYS, ENOMEM, "shm: mmap"), -MPB_ENOMEM);
	assert_int_equal(d.code, MPB_ENOMEM);
	assert_string_equal(mpb_diag_kind(d.code, d.cause), "out_of_memory");
	assert_non_null(strstr(d.msg, "shm: mmap: "));
	assert_int_equal(mpb_fail_errno(NULL, MPB_ESYS, ENOMEM, "x"), -MPB_ENOMEM);
	assert_int_equal(mpb_fail_errno(&d, MPB_ESYS, EACCES, "y"), -MPB_ESYS);
	assert_string_equal(mpb_diag_kind(d.code, d.cause), "system");
	assert_int_equal(mpb_diag_cause(&d, MPB_CAUSE_LAUNCH_FAILED,
					mpb_fail_errno(&d, MPB_ERUN, ENOMEM, "fork")), -MPB_ERUN);
	assert_string_equal(mpb_diag_kind(d.code, d.cause), "launch_failed");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fail_records_code_and_message),
		cmocka_unit_test(test_enomem_is_out_of_memory),
		cmocka_unit_test(test_exit_status),
		cmocka_unit_test(test_cause_follows_the_failure),
		cmocka_unit_test(test_kind_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
