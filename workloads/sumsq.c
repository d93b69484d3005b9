/* sumsq.c — the seed's CPU-bound task: sum of i*i for i < n, mod 2^64.
 * Task k computes n = size + k, like the seed's [5_000_000, 5_000_001, ...]. */
#include "workload.h"

/* sum_{i<n} i^2 = (n-1) n (2n-1) / 6, exact mod 2^64: divide the factors
 * that hold the 2 and the 3 before multiplying, so nothing is lost to wrap. */
static uint64_t closed_form(uint64_t n)
{
	if (n == 0)
		return 0;
	uint64_t a = n - 1, b = n, c = 2 * n - 1;
	if (a % 2 == 0) a /= 2; else b /= 2;
	if (a % 3 == 0) a /= 3; else if (b % 3 == 0) b /= 3; else c /= 3;
	return a * b * c;
}

static int sumsq_make(void *state, const struct mpb_workload_params *p, uint64_t index,
		      struct mpb_value *arg, struct mpb_diag *d)
{
	(void)state; (void)d;
	*arg = mpb_value_int(p->size + index);
	return 0;
}

MPB_WORKLOAD_HOT
static int sumsq_run(void *state, const struct mpb_value *arg, struct mpb_value *result,
		     struct mpb_diag *d)
{
	(void)state;
	if (arg->type != MPB_VAL_INT)
		return mpb_fail(d, MPB_ERUN, "sumsq: argument is not an integer");
	uint64_t n = arg->as.u, acc = 0;
	for (uint64_t i = 0; i < n; i++) {
		acc += i * i;
		/* keep the loop a loop: stop the compiler from replacing it with the
		 * closed form, which would make every task free */
		__asm__ volatile("" : "+r"(acc));
	}
	*result = mpb_value_int(acc);
	return 0;
}

static int sumsq_verify(void *state, const struct mpb_workload_params *p, uint64_t index,
			const struct mpb_value *arg, const struct mpb_value *result,
			struct mpb_diag *d)
{
	(void)state; (void)p;
	if (arg->type != MPB_VAL_INT || result->type != MPB_VAL_INT)
		return mpb_fail(d, MPB_ERUN, "sumsq: task %llu: result is not an integer",
				(unsigned long long)index);
	uint64_t want = closed_form(arg->as.u);
	if (result->as.u != want)
		return mpb_fail(d, MPB_ERUN, "sumsq: task %llu (n=%llu): got %llu, want %llu",
				(unsigned long long)index, (unsigned long long)arg->as.u,
				(unsigned long long)result->as.u, (unsigned long long)want);
	return 0;
}

const struct mpb_workload_ops mpb_workload_sumsq = {
	.abi = MPB_WORKLOAD_ABI,
	.name = "sumsq",
	.summary = "CPU-bound: sum of i*i for i < n (the seed's heavy_computation)",
	.unit = MPB_UNIT_COUNT,
	.unit_name = "iterations",
	/* ~9 ms a task at ~0.55 ns an iteration (this project's 2-core VM):
	 * long enough that a pool's fixed costs (a few ms) are a few percent
	 * of a run, short enough that the default sweep takes well under a
	 * minute; the plan feeds every worker at least 4 tasks */
	.default_sizes = "16M",
	/* ~10 us a task: under a pool's start-up and per-task costs */
	.fine_size = "16k",
	.default_tasks = 4,
	.min_size = 1,
	.max_size = UINT64_MAX / 2,
	.make_task = sumsq_make,
	.run_task = sumsq_run,
	.verify = sumsq_verify,
};
