/* stream.c — memory-bandwidth bound: a STREAM-style triad over a private array
 * of `size` bytes per task. Each worker allocates and prefaults its array once
 * (setup), so a task's time is memory traffic, not page faults; with enough
 * workers the speedup saturates at the machine's memory bandwidth, not at its
 * core count.
 *
 * Task k: b[i] = i + k, c[i] = k, then STREAM_PASSES times a[i] = b[i] + 3 c[i]
 * over n = size / 24 elements of each of the three uint64 arrays; the result
 * is sum(a) mod 2^64 = n(n-1)/2 + 4kn, which verify checks in closed form. */
#include "workload.h"

#include <stdlib.h>
#include <sys/mman.h>

/* passes of the triad per task: STREAM repeats its kernels so that the
 * initialisation does not dominate */
#define STREAM_PASSES 4

struct stream_state {
	uint64_t *a, *b, *c;
	uint64_t n;       /* elements per array */
	void *map;
	size_t len;
};

static uint64_t stream_expected(uint64_t n, uint64_t k)
{
	/* n(n-1)/2 without losing the bit that the division removes: halve
	 * whichever factor is even before multiplying (mod 2^64) */
	uint64_t half = n % 2 == 0 ? (n / 2) * (n - 1) : n * ((n - 1) / 2);
	return half + 4 * k * n;
}

static int stream_setup(const struct mpb_workload_params *p, void **state, struct mpb_diag *d)
{
	struct stream_state *s = calloc(1, sizeof *s);
	if (!s)
		return mpb_fail(d, MPB_ENOMEM, "stream: out of memory");
	s->n = p->size / (3 * sizeof(uint64_t));
	s->len = (size_t)(s->n * 3 * sizeof(uint64_t));
	s->map = mmap(NULL, s->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s->map == MAP_FAILED) {
		free(s);
		return mpb_fail(d, MPB_ENOMEM, "stream: cannot map %llu bytes",
				(unsigned long long)p->size);
	}
	s->a = s->map;
	s->b = s->a + s->n;
	s->c = s->b + s->n;
	/* prefault: the first task would otherwise pay every page fault */
	for (uint64_t i = 0; i < 3 * s->n; i++)
		s->a[i] = 0;
	*state = s;
	return 0;
}

static void stream_teardown(void *state)
{
	struct stream_state *s = state;
	if (!s)
		return;
	munmap(s->map, s->len);
	free(s);
}

MPB_WORKLOAD_HOT
static int stream_run(void *state, const struct mpb_value *arg, struct mpb_value *result,
		      struct mpb_diag *d)
{
	struct stream_state *s = state;
	if (!s)
		return mpb_fail(d, MPB_ERUN, "stream: no array (setup did not run)");
	if (arg->type != MPB_VAL_INT)
		return mpb_fail(d, MPB_ERUN, "stream: argument is not an integer");
	uint64_t k = arg->as.u, n = s->n, sum = 0;
	uint64_t *a = s->a, *b = s->b, *c = s->c;
	for (uint64_t i = 0; i < n; i++) {
		b[i] = i + k;
		c[i] = k;
	}
	for (int pass = 0; pass < STREAM_PASSES; pass++) {
		/* each pass must go to memory: without the barrier the compiler may
		 * fold the identical passes into one */
		__asm__ volatile("" ::: "memory");
		for (uint64_t i = 0; i < n; i++)
			a[i] = b[i] + 3 * c[i];
	}
	__asm__ volatile("" ::: "memory");
	for (uint64_t i = 0; i < n; i++)
		sum += a[i];
	*result = mpb_value_int(sum);
	return 0;
}

static int stream_verify(void *state, const struct mpb_workload_params *p, uint64_t index,
			 const struct mpb_value *arg, const struct mpb_value *result,
			 struct mpb_diag *d)
{
	(void)state;
	uint64_t n = p->size / (3 * sizeof(uint64_t));
	if (arg->type != MPB_VAL_INT || arg->as.u != index)
		return mpb_fail(d, MPB_ERUN, "stream: task %llu: wrong argument",
				(unsigned long long)index);
	if (result->type != MPB_VAL_INT)
		return mpb_fail(d, MPB_ERUN, "stream: task %llu: result is not an integer",
				(unsigned long long)index);
	uint64_t want = stream_expected(n, index);
	if (result->as.u != want)
		return mpb_fail(d, MPB_ERUN, "stream: task %llu: got %llu, want %llu",
				(unsigned long long)index, (unsigned long long)result->as.u,
				(unsigned long long)want);
	return 0;
}

/* three arrays of size/3 bytes each, allocated once per process by setup */
static void stream_footprint(const struct mpb_workload_params *p, uint64_t *per_process,
			     uint64_t *per_task)
{
	*per_process = p->size;
	*per_task = 0;
}

const struct mpb_workload_ops mpb_workload_stream = {
	.abi = MPB_WORKLOAD_ABI,
	.name = "stream",
	.summary = "memory-bound: triad a = b + 3c over a private array per worker "
		   "(saturates at memory bandwidth)",
	.unit = MPB_UNIT_BYTES,
	.unit_name = "bytes",
	.default_sizes = "32MiB",
	.default_tasks = 8,
	.min_size = 3 * sizeof(uint64_t),
	.max_size = 1ull << 40,
	.setup = stream_setup,
	.make_task = mpb_workload_make_index,
	.run_task = stream_run,
	.verify = stream_verify,
	.teardown = stream_teardown,
	.footprint = stream_footprint,
};
