/* cmd.c — the `cmd` workload: an external command per run (--cmd TEMPLATE),
 * measured from outside by the harness (harness/external/cmd_point.c, cmd_run.c).
 * It has no tasks of its own: {size} and {tasks} are only substituted into
 * the command line, and the program does whatever work they mean to it. The
 * ops exist so that `mpbench list`, -w and the plan treat it like any other
 * workload; it has no run_task or verify (the command's exit status is its
 * verdict), and the EXTERNAL flag keeps it out of the ceiling. The sweep's
 * runner (harness/external/runner.h) runs its points, never the pool. */
#include "workload.h"

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
};
