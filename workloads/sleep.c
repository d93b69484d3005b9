/* sleep.c — I/O-bound stand-in: each task waits `size` microseconds without
 * using a CPU (nanosleep), then returns a value derived from its index. More
 * workers than cores keep helping until the pool's own overhead per task
 * rivals the wait. */
#include "workload.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

struct sleep_state {
	uint64_t us;
};

/* what task k returns: cheap, and not the index itself, so a result from the
 * wrong task or one that skipped run fails verify */
static uint64_t sleep_token(uint64_t index)
{
	return (index + 1) * 0x9e3779b97f4a7c15ull;
}

static int sleep_setup(const struct mpb_workload_params *p, void **state, struct mpb_diag *d)
{
	struct sleep_state *s = malloc(sizeof *s);
	if (!s)
		return mpb_fail(d, MPB_ENOMEM, "sleep: out of memory");
	s->us = p->size;
	*state = s;
	return 0;
}

static void sleep_teardown(void *state)
{
	free(state);
}

static int sleep_run(void *state, const struct mpb_value *arg, struct mpb_value *result,
		     struct mpb_diag *d)
{
	const struct sleep_state *s = state;
	if (!s)
		return mpb_fail(d, MPB_ERUN, "sleep: no state (setup did not run)");
	if (arg->type != MPB_VAL_INT)
		return mpb_fail(d, MPB_ERUN, "sleep: argument is not an integer");
	struct timespec left = { (time_t)(s->us / 1000000), (long)(s->us % 1000000) * 1000 };
	/* a signal (the harness's SIGCHLD, say) must not shorten the wait */
	while (nanosleep(&left, &left) < 0)
		if (errno != EINTR)
			return mpb_fail_errno(d, MPB_ERUN, errno, "sleep: nanosleep");
	*result = mpb_value_int(sleep_token(arg->as.u));
	return 0;
}

static int sleep_verify(void *state, const struct mpb_workload_params *p, uint64_t index,
			const struct mpb_value *arg, const struct mpb_value *result,
			struct mpb_diag *d)
{
	(void)state; (void)p;
	if (arg->type != MPB_VAL_INT || arg->as.u != index)
		return mpb_fail(d, MPB_ERUN, "sleep: task %llu: wrong argument",
				(unsigned long long)index);
	if (result->type != MPB_VAL_INT || result->as.u != sleep_token(index))
		return mpb_fail(d, MPB_ERUN, "sleep: task %llu: wrong result",
				(unsigned long long)index);
	return 0;
}

const struct mpb_workload_ops mpb_workload_sleep = {
	.abi = MPB_WORKLOAD_ABI,
	.name = "sleep",
	.summary = "I/O-bound: each task waits size us; more workers than cores "
		   "keep helping",
	.unit = MPB_UNIT_USEC,
	.unit_name = "us",
	.default_sizes = "1ms",
	.default_tasks = 100,
	.min_size = 0,
	.max_size = 3600ull * 1000000,
	.setup = sleep_setup,
	.make_task = mpb_workload_make_index,
	.run_task = sleep_run,
	.verify = sleep_verify,
	.teardown = sleep_teardown,
};
