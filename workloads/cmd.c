/* cmd.c — the `cmd` workload: an external command per run (--cmd TEMPLATE),
 * measured from outside by the harness (harness/external/cmd_point.c, cmd_run.c).
 * It has no tasks of its own: {size} and {tasks} are only substituted into
 * the command line, and the program does whatever work they mean to it. The
 * ops exist so that `mpbench list`, -w and the plan treat it like any other
 * workload; the EXTERNAL flag keeps it out of the pool and the ceiling. */
#include "workload.h"

static int cmd_run(void *state, const struct mpb_value *arg, struct mpb_value *result,
		   struct mpb_diag *d)
{
	(void)state; (void)arg; (void)result;
	return mpb_fail(d, MPB_ERUN, "cmd: runs an external command, not pool tasks");
}

/* The command's exit status is its verdict (the harness checks it). */
static int cmd_verify(void *state, const struct mpb_workload_params *p, uint64_t index,
		      const struct mpb_value *arg, const struct mpb_value *result,
		      struct mpb_diag *d)
{
	(void)state; (void)p; (void)index; (void)arg; (void)result; (void)d;
	return 0;
}

const struct mpb_workload_ops mpb_workload_cmd = {
	.abi = MPB_WORKLOAD_ABI,
	.name = "cmd",
	.summary = "an external command per run (--cmd TEMPLATE), measured from outside",
	.unit = MPB_UNIT_COUNT,
	.unit_name = "{size}",
	.flags = MPB_WORKLOAD_EXTERNAL,
	.default_sizes = "5M",
	.default_tasks = 4,
	.min_size = 0,
	.max_size = UINT64_MAX / 2,
	.make_task = mpb_workload_make_index,
	.run_task = cmd_run,
	.verify = cmd_verify,
};
