/* skeleton.c — a documented template for a new workload. It is compiled (so it
 * cannot rot) but not registered. To add a workload:
 *   1. copy this file to workloads/<name>.c and rename the symbols;
 *   2. declare `extern const struct mpb_workload_ops mpb_workload_<name>;` in
 *      workload.h and add `&mpb_workload_<name>,` to the table in registry.c;
 *   3. add the file to workloads/meson.build and a test to tests/.
 * A workload that needs a setting of its own declares it in .options (see
 * struct mpb_workload_option and payload.c's --result-size): the command
 * line, --help, --config and the results' config pick it up from there.
 * Rules: never time, print or format (the harness measures); keep all state in
 * what setup returns; verify must catch a wrong result. */
#include "workload.h"

#include <stdlib.h>

struct skeleton_state {
	uint64_t size; /* whatever per-process state the tasks need */
};

/* Runs once per process (parent and every worker) before any task. */
static int skeleton_setup(const struct mpb_workload_params *p, void **state, struct mpb_diag *d)
{
	struct skeleton_state *s = malloc(sizeof *s);
	if (!s)
		return mpb_fail(d, MPB_ENOMEM, "skeleton: out of memory");
	s->size = p->size;
	*state = s;
	return 0;
}

/* The argument of task `index`: deterministic from params and index. */
static int skeleton_make(void *state, const struct mpb_workload_params *p, uint64_t index,
			 struct mpb_value *arg, struct mpb_diag *d)
{
	(void)state; (void)d;
	*arg = mpb_value_int(p->size + index);
	return 0;
}

/* The work itself. */
/* MPB_WORKLOAD_HOT: when the task is a hot loop (see workload.h) */
static int skeleton_run(void *state, const struct mpb_value *arg, struct mpb_value *result,
			struct mpb_diag *d)
{
	(void)state;
	if (arg->type != MPB_VAL_INT)
		return mpb_fail(d, MPB_ERUN, "skeleton: argument is not an integer");
	*result = mpb_value_int(arg->as.u * 2);
	return 0;
}

/* Recompute or check the result independently of run. */
static int skeleton_verify(void *state, const struct mpb_workload_params *p, uint64_t index,
			   const struct mpb_value *arg, const struct mpb_value *result,
			   struct mpb_diag *d)
{
	(void)state; (void)p;
	if (arg->type != MPB_VAL_INT || result->type != MPB_VAL_INT ||
	    result->as.u != arg->as.u * 2)
		return mpb_fail(d, MPB_ERUN, "skeleton: task %llu: wrong result",
				(unsigned long long)index);
	return 0;
}

static void skeleton_teardown(void *state)
{
	free(state);
}

/* Not in the registry; referenced by tests/test_workloads.c so it stays valid. */
extern const struct mpb_workload_ops mpb_workload_skeleton;
const struct mpb_workload_ops mpb_workload_skeleton = {
	.abi = MPB_WORKLOAD_ABI,
	.name = "skeleton",
	.summary = "template for new workloads (not registered)",
	.unit = MPB_UNIT_COUNT,
	.unit_name = "iterations",
	.default_sizes = "1k",
	.default_tasks = 8,
	.min_size = 1,
	.max_size = UINT64_MAX / 4,
	.setup = skeleton_setup,
	.make_task = skeleton_make,
	.run_task = skeleton_run,
	.verify = skeleton_verify,
	.teardown = skeleton_teardown,
};
