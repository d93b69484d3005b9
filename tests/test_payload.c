/* test_payload.c — unit tests for the payload workload (workloads/payload.c).
 *
 * A task carries exactly `size` bytes and the result size; run + verify
 * agree for every size shape (0, odd, not a multiple of 8, megabytes) and
 * result size (checksum, 1 byte, several KiB); one flipped byte anywhere in
 * the argument or the result fails verify; a malformed argument is an
 * error, not a crash; different tasks carry different bytes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "workload.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const struct mpb_workload_ops *P;

static int setup(void **state)
{
	(void)state;
	P = mpb_workload_find("payload");
	struct mpb_diag d = { 0 };
	return P && mpb_workload_check(P, &d) == 0 ? 0 : -1;
}

static void test_shape_and_round_trip(void **state)
{
	(void)state;
	static const uint64_t sizes[] = { 0, 1, 7, 8, 63, 4096, 3u << 20 };
	static const uint64_t rsizes[] = { 0, 1, 9, 5000 };
	for (size_t i = 0; i < N_OF(sizes); i++)
		for (size_t k = 0; k < N_OF(rsizes); k++) {
			struct mpb_workload_params p = { sizes[i], 4, 3, rsizes[k] };
			struct mpb_value arg = { 0 }, res = { 0 };
			struct mpb_diag d = { 0 };
			assert_int_equal(P->make_task(NULL, &p, 2, &arg, &d), 0);
			assert_int_equal(arg.type, MPB_VAL_LIST);
			assert_int_equal(arg.as.list.items[0].as.bytes.len, sizes[i]);
			assert_int_equal(P->run_task(NULL, &arg, &res, &d), 0);
			if (rsizes[k] == 0)
				assert_int_equal(res.type, MPB_VAL_INT);
			else
				assert_int_equal(res.as.bytes.len, rsizes[k]);
			assert_int_equal(P->verify(NULL, &p, 2, &arg, &res, &d), 0);
			mpb_value_clear(&arg);
			mpb_value_clear(&res);
		}
}

/* Flip one byte of the argument (as a broken transport would) or of the
 * result: verify catches it wherever it is. */
static void test_corruption_caught(void **state)
{
	(void)state;
	struct mpb_workload_params p = { 1000, 1, 1, 64 };
	struct mpb_value arg = { 0 }, res = { 0 };
	struct mpb_diag d = { 0 };
	assert_int_equal(P->make_task(NULL, &p, 0, &arg, &d), 0);
	for (size_t at = 0; at < 1000; at += 13) {
		assert_int_equal(P->run_task(NULL, &arg, &res, &d), 0);
		arg.as.list.items[0].as.bytes.data[at] ^= 0x10; /* damaged after computing */
		assert_true(P->verify(NULL, &p, 0, &arg, &res, &d) < 0);
		arg.as.list.items[0].as.bytes.data[at] ^= 0x10;
		assert_int_equal(P->verify(NULL, &p, 0, &arg, &res, &d), 0);
		res.as.bytes.data[at % 64] ^= 1;
		assert_true(P->verify(NULL, &p, 0, &arg, &res, &d) < 0);
		mpb_value_clear(&res);
	}
	/* a result of the wrong length */
	struct mpb_value short_res = { 0 };
	assert_int_equal(mpb_value_set_bytes(&short_res, NULL, 63), 0);
	assert_true(P->verify(NULL, &p, 0, &arg, &short_res, &d) < 0);
	mpb_value_clear(&short_res);
	mpb_value_clear(&arg);
}

static void test_tasks_differ(void **state)
{
	(void)state;
	struct mpb_workload_params p = { 256, 2, 5, 0 };
	struct mpb_value a = { 0 }, b = { 0 };
	struct mpb_diag d = { 0 };
	assert_int_equal(P->make_task(NULL, &p, 0, &a, &d), 0);
	assert_int_equal(P->make_task(NULL, &p, 1, &b, &d), 0);
	assert_false(mpb_value_equal(&a, &b));
	mpb_value_clear(&a);
	mpb_value_clear(&b);
}

static void test_malformed_argument(void **state)
{
	(void)state;
	struct mpb_value arg = mpb_value_int(3), res = { 0 };
	struct mpb_diag d = { 0 };
	assert_true(P->run_task(NULL, &arg, &res, &d) < 0);
	assert_non_null(strstr(d.msg, "malformed"));
	/* an absurd result size in the argument is refused, not allocated */
	struct mpb_workload_params p = { 8, 1, 1, 0 };
	assert_int_equal(P->make_task(NULL, &p, 0, &arg, &d), 0);
	arg.as.list.items[1].as.u = UINT64_MAX;
	assert_true(P->run_task(NULL, &arg, &res, &d) < 0);
	mpb_value_clear(&arg);
	p.result_size = 1ull << 40;
	assert_true(P->make_task(NULL, &p, 0, &arg, &d) < 0);
	mpb_value_clear(&arg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shape_and_round_trip),
		cmocka_unit_test(test_corruption_caught),
		cmocka_unit_test(test_tasks_differ),
		cmocka_unit_test(test_malformed_argument),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
