/* imbalance.c — CPU-bound tasks of uneven cost: task k iterates a 64-bit LCG
 * n_k times, n_k drawn from a seeded Pareto distribution (shape 1.5: finite
 * mean, infinite variance) whose mean is `size`. A few tasks cost tens of
 * times the mean, so a static split or large chunks leave workers idle behind
 * a straggler, while small chunks with dynamic dispatch balance the load.
 *
 * The draw is a pure function of (seed, index), so every process (parent,
 * workers, verify) agrees on each task's cost without sharing state; verify
 * recomputes the LCG's n-th state by composing the affine step in O(log n). */
#include "workload.h"

#include <math.h>

#define LCG_A 6364136223846793005ull
#define LCG_C 1442695040888963407ull
#define PARETO_SHAPE 1.5
/* cap on one task, in multiples of the mean: keeps one unlucky draw from
 * turning a sweep into an hour; the mean of the capped draw is ~5% lower */
#define PARETO_CAP 100.0

/* splitmix64: a well-mixed 64-bit hash of (seed, index) */
static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* n_k: Pareto with x_m = mean (shape - 1) / shape, by inversion of a uniform
 * in (0, 1], at least 1 and at most PARETO_CAP x mean. */
static uint64_t draw(uint64_t seed, uint64_t mean, uint64_t index)
{
	uint64_t h = mix(seed ^ mix(index));
	double u = ((double)(h >> 11) + 1.0) / 9007199254740992.0; /* (0, 1] */
	double xm = (double)mean * (PARETO_SHAPE - 1.0) / PARETO_SHAPE;
	double x = xm / pow(u, 1.0 / PARETO_SHAPE);
	double cap = (double)mean * PARETO_CAP;
	if (x > cap)
		x = cap;
	uint64_t n = (uint64_t)x;
	return n ? n : 1;
}

/* State after n steps from x0, composing f(x) = A x + C with itself by
 * squaring: shares nothing with the loop in run. */
static uint64_t lcg_jump(uint64_t x0, uint64_t n)
{
	uint64_t ma = 1, mc = 0;          /* accumulated map: x -> ma x + mc */
	uint64_t sa = LCG_A, sc = LCG_C;  /* f^(2^bit) */
	while (n) {
		if (n & 1) {
			mc = sa * mc + sc;
			ma = sa * ma;
		}
		sc = sa * sc + sc;
		sa = sa * sa;
		n >>= 1;
	}
	return ma * x0 + mc;
}

static int imbalance_make(void *state, const struct mpb_workload_params *p, uint64_t index,
			  struct mpb_value *arg, struct mpb_diag *d)
{
	(void)state; (void)d;
	*arg = mpb_value_int(draw(p->seed, p->size, index));
	return 0;
}

MPB_WORKLOAD_HOT
static int imbalance_run(void *state, const struct mpb_value *arg, struct mpb_value *result,
			 struct mpb_diag *d)
{
	(void)state;
	if (arg->type != MPB_VAL_INT)
		return mpb_fail(d, MPB_ERUN, "imbalance: argument is not an integer");
	uint64_t n = arg->as.u, x = n;
	for (uint64_t i = 0; i < n; i++) {
		x = LCG_A * x + LCG_C;
		__asm__ volatile("" : "+r"(x));
	}
	*result = mpb_value_int(x);
	return 0;
}

static int imbalance_verify(void *state, const struct mpb_workload_params *p, uint64_t index,
			    const struct mpb_value *arg, const struct mpb_value *result,
			    struct mpb_diag *d)
{
	(void)state;
	uint64_t n = draw(p->seed, p->size, index);
	if (arg->type != MPB_VAL_INT || arg->as.u != n)
		return mpb_fail(d, MPB_ERUN, "imbalance: task %llu: argument is not its drawn cost "
				"%llu", (unsigned long long)index, (unsigned long long)n);
	if (result->type != MPB_VAL_INT)
		return mpb_fail(d, MPB_ERUN, "imbalance: task %llu: result is not an integer",
				(unsigned long long)index);
	uint64_t want = lcg_jump(n, n);
	if (result->as.u != want)
		return mpb_fail(d, MPB_ERUN, "imbalance: task %llu (n=%llu): got %llu, want %llu",
				(unsigned long long)index, (unsigned long long)n,
				(unsigned long long)result->as.u, (unsigned long long)want);
	return 0;
}

const struct mpb_workload_ops mpb_workload_imbalance = {
	.abi = MPB_WORKLOAD_ABI,
	.name = "imbalance",
	.summary = "CPU-bound, heavy-tailed task costs (seeded Pareto, mean = size): "
		   "stragglers",
	.unit = MPB_UNIT_COUNT,
	.unit_name = "iterations",
	.default_sizes = "1M",
	.default_tasks = 200,
	.min_size = 1,
	.max_size = UINT64_MAX / 256,
	.make_task = imbalance_make,
	.run_task = imbalance_run,
	.verify = imbalance_verify,
};
