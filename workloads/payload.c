/* payload.c — the `payload` workload: each task carries `size` bytes and
 * returns a result of a chosen size (--result-size; 0, the default, returns
 * an 8-byte checksum as an integer), with compute as trivial as honesty
 * allows: one pass summing the bytes. Serialization and transfer dominate,
 * so a sweep over sizes, codecs and transports shows what moving data costs.
 *
 * A task's argument is the list [bytes(size), int(result_size)]: the worker
 * learns the result size from the task itself, so nothing but the argument
 * has to reach a worker in a fresh image. Contents are a deterministic
 * pattern from (seed, index), so a byte corrupted in transit fails verify.
 */
#include "workload.h"

#include <string.h>

/* largest task and result: a chunk of a few must fit a 1 GiB frame */
#define PAYLOAD_MAX (256ull << 20)

/* murmur3's finaliser: every input bit reaches every output bit */
static uint64_t fmix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	return x ^ (x >> 33);
}

/* A cheap checksum: a sum of 64-bit words and a sum of those sums (Fletcher's
 * idea, so moved bytes count too), seeded with the length, each mixed by
 * fmix before they are combined (without it, a flip in a word's top bits
 * cancels out one time in sixteen). Not cryptographic: it only needs to catch
 * bytes damaged or lost in transit. */
static uint64_t checksum(const uint8_t *p, size_t n)
{
	uint64_t a = 0x9e3779b97f4a7c15ull ^ n, b = 0;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		a += w;
		b += a;
	}
	for (; i < n; i++) {
		a += p[i];
		b += a;
	}
	return fmix(a) ^ fmix(b + 0x9e3779b97f4a7c15ull);
}

static int payload_make(void *state, const struct mpb_workload_params *p, uint64_t index,
			struct mpb_value *arg, struct mpb_diag *d)
{
	(void)state;
	if (p->result_size > PAYLOAD_MAX)
		return mpb_fail(d, MPB_EINPUT, "payload: --result-size above 256 MiB");
	if (mpb_value_set_list(arg, 2) < 0 ||
	    mpb_value_set_bytes(&arg->as.list.items[0], NULL, (size_t)p->size) < 0)
		goto nomem;
	uint8_t *b = arg->as.list.items[0].as.bytes.data;
	uint64_t x = (p->seed ^ 0x2545f4914f6cdd1dull) + index * 0x9e3779b97f4a7c15ull;
	for (size_t i = 0; i < p->size; i += 8) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		size_t n = p->size - i < 8 ? (size_t)(p->size - i) : 8;
		memcpy(b + i, &x, n);
	}
	arg->as.list.items[1] = mpb_value_int(p->result_size);
	return 0;
nomem:
	mpb_value_clear(arg);
	return mpb_fail(d, MPB_ENOMEM, "payload: out of memory for a %llu-byte task",
			(unsigned long long)p->size);
}

static int split(const struct mpb_value *arg, const uint8_t **data, size_t *len,
		 uint64_t *result_size)
{
	if (arg->type != MPB_VAL_LIST || arg->as.list.len != 2 ||
	    arg->as.list.items[0].type != MPB_VAL_BYTES || arg->as.list.items[1].type != MPB_VAL_INT ||
	    arg->as.list.items[1].as.u > PAYLOAD_MAX)
		return -1;
	*data = arg->as.list.items[0].as.bytes.data;
	*len = arg->as.list.items[0].as.bytes.len;
	*result_size = arg->as.list.items[1].as.u;
	return 0;
}

/* The result for checksum c: an integer, or result_size bytes that start
 * with c and repeat its low byte. */
static int make_result(uint64_t c, uint64_t result_size, struct mpb_value *result)
{
	if (result_size == 0) {
		*result = mpb_value_int(c);
		return 0;
	}
	if (mpb_value_set_bytes(result, NULL, (size_t)result_size) < 0)
		return -1;
	uint8_t *r = result->as.bytes.data;
	memset(r, (int)(c & 0xff), (size_t)result_size);
	memcpy(r, &c, result_size < 8 ? (size_t)result_size : 8);
	return 0;
}

static int payload_run(void *state, const struct mpb_value *arg, struct mpb_value *result,
		       struct mpb_diag *d)
{
	(void)state;
	const uint8_t *data;
	size_t len;
	uint64_t rs;
	if (split(arg, &data, &len, &rs) < 0)
		return mpb_fail(d, MPB_ERUN, "payload: malformed task argument");
	if (make_result(checksum(data, len), rs, result) < 0)
		return mpb_fail(d, MPB_ENOMEM, "payload: out of memory for a %llu-byte result",
				(unsigned long long)rs);
	return 0;
}

static int payload_verify(void *state, const struct mpb_workload_params *p, uint64_t index,
			  const struct mpb_value *arg, const struct mpb_value *result,
			  struct mpb_diag *d)
{
	(void)state;
	const uint8_t *data;
	size_t len;
	uint64_t rs;
	struct mpb_value want = { 0 };
	if (split(arg, &data, &len, &rs) < 0 || len != p->size)
		return mpb_fail(d, MPB_ERUN, "payload: task %llu's argument is malformed",
				(unsigned long long)index);
	if (make_result(checksum(data, len), rs, &want) < 0)
		return mpb_fail(d, MPB_ENOMEM, "payload: out of memory");
	int same = mpb_value_equal(&want, result);
	mpb_value_clear(&want);
	if (!same)
		return mpb_fail(d, MPB_ERUN, "payload: task %llu's result does not match its %zu "
				"bytes (damaged or lost in transit)", (unsigned long long)index, len);
	return 0;
}

/* the argument's bytes and the result's, held by the parent for every task */
static void payload_footprint(const struct mpb_workload_params *p, uint64_t *per_process,
			      uint64_t *per_task)
{
	*per_process = 0;
	*per_task = p->size + p->result_size;
}

static const struct mpb_workload_option payload_options[] = {
	{ "result-size", "BYTES", "bytes each payload task returns (KiB/MiB; 0: an 8-byte checksum)",
	  "0", MPB_UNIT_BYTES, 0, PAYLOAD_MAX, offsetof(struct mpb_workload_params, result_size),
	  "result_size" },
	{ 0 },
};

const struct mpb_workload_ops mpb_workload_payload = {
	.abi = MPB_WORKLOAD_ABI,
	.name = "payload",
	.summary = "moves SIZE bytes per task and back --result-size (default: a checksum); trivial compute",
	.unit = MPB_UNIT_BYTES,
	.unit_name = "bytes",
	.default_sizes = "64,4KiB,256KiB,4MiB",
	.default_tasks = 200,
	.min_size = 0,
	.max_size = PAYLOAD_MAX,
	.make_task = payload_make,
	.run_task = payload_run,
	.verify = payload_verify,
	.footprint = payload_footprint,
	.options = payload_options,
};
