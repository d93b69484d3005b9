/* null.c — a task that does nothing: its argument comes back as its result.
 * A pool run of `null` measures the harness itself (dispatch, codec,
 * transport), the reference cost other workloads are compared against. */
#include "workload.h"

static int null_run(void *state, const struct mpb_value *arg, struct mpb_value *result,
		    struct mpb_diag *d)
{
	(void)state;
	/* a deep copy: the worker clears arguments and results separately */
	if (mpb_value_copy(result, arg) < 0)
		return mpb_fail(d, MPB_ENOMEM, "null: out of memory");
	return 0;
}

static int null_verify(void *state, const struct mpb_workload_params *p, uint64_t index,
		       const struct mpb_value *arg, const struct mpb_value *result,
		       struct mpb_diag *d)
{
	(void)state; (void)p; (void)arg;
	if (result->type != MPB_VAL_INT || result->as.u != index)
		return mpb_fail(d, MPB_ERUN, "null: task %llu came back as something else",
				(unsigned long long)index);
	return 0;
}

const struct mpb_workload_ops mpb_workload_null = {
	.abi = MPB_WORKLOAD_ABI,
	.name = "null",
	.summary = "does nothing: measures the harness's own per-task cost",
	.unit = MPB_UNIT_COUNT,
	.unit_name = "unused",
	.default_sizes = "0",
	.default_tasks = 10000,
	.min_size = 0,
	.max_size = UINT64_MAX,
	.make_task = mpb_workload_make_index,
	.run_task = null_run,
	.verify = null_verify,
};
