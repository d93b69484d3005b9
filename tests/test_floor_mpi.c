/* test_floor_mpi.c — unit tests for the MPI floors (machine/floor_mpi.c,
 * the bare --launch and --rtt ranks of pool/mpi/mpi_bare.c): both measured
 * at 1 to 3 ranks, the launch floor is what the mpi method's start-up is
 * judged against, nothing is left running. Built only with MPI; Open MPI's
 * run-as-root variables are set here. No timing thresholds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "floor.h"
#include "floor_mpi.h"

#include "proc_count.h"

static int group_setup(void **state)
{
	(void)state;
	setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
	setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
	return 0;
}

static void test_measured_at_one_to_three_ranks(void **state)
{
	(void)state;
	for (unsigned ranks = 1; ranks <= 3; ranks++) {
		struct mpb_floor f = { .fork_exit_wait_ns = 7 };
		struct mpb_diag d = { 0 };
		if (mpb_floor_mpi_measure(&f, ranks, true, &d) < 0)
			fail_msg("%u ranks: %s", ranks, d.msg);
		assert_true(f.mpi_launch_ns > 0);
		assert_int_equal(f.mpi_launch_ranks, ranks);
		assert_true(f.mpi_rtt_ns > 0);
		/* the other floors are left alone */
		assert_true(f.fork_exit_wait_ns == 7);
		assert_true(mpb_floor_of(&f, MPB_METHOD_FLOOR_MPI) == f.mpi_launch_ns);
		assert_no_children();
	}
}

/* Open MPI cannot start: the floors stay 0 (not measured), the reason names
 * mpirun, nothing is left. */
static void test_mpirun_missing(void **state)
{
	(void)state;
	setenv("MPBENCH_MPIRUN", "/nonexistent/mpirun", 1);
	struct mpb_floor f = { .mpi_launch_ns = 5, .mpi_rtt_ns = 5 };
	struct mpb_diag d = { 0 };
	assert_true(mpb_floor_mpi_measure(&f, 2, true, &d) < 0);
	unsetenv("MPBENCH_MPIRUN");
	assert_non_null(strstr(d.msg, "/nonexistent/mpirun"));
	assert_true(f.mpi_launch_ns == 0 && f.mpi_rtt_ns == 0 && f.mpi_launch_ranks == 0);
	assert_true(mpb_floor_of(&f, MPB_METHOD_FLOOR_MPI) == 0);
	assert_no_children();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_measured_at_one_to_three_ranks),
		cmocka_unit_test(test_mpirun_missing),
	};
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
