/* test_workloads.c — cmocka tests for the workload registry and the built-in
 * workloads: lookup, ops validation, sumsq against references computed here
 * (a plain loop, and for n too large to loop over an O(log n) doubling
 * recurrence that shares nothing with sumsq.c's closed form), verify()
 * rejecting wrong results, null, and the skeleton's whole life cycle. */
#include "workload.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

/* Compiled into the library but not registered (see skeleton.c). */
extern const struct mpb_workload_ops mpb_workload_skeleton;

/* ---- references ---- */

/* sum_{i<n} i*i mod 2^64, the obvious way. */
static uint64_t sumsq_loop(uint64_t n)
{
	uint64_t acc = 0;
	for (uint64_t i = 0; i < n; i++)
		acc += i * i;
	return acc;
}

/* The same sum mod 2^64 without any division, by doubling over the bits of
 * n: with S1(m) = sum_{i<m} i and S2(m) = sum_{i<m} i^2,
 *   S1(2m) = 2 S1(m) + m^2,  S2(2m) = 2 S2(m) + 2m S1(m) + m^3
 * (the second half is sum (m+i) and sum (m+i)^2), and appending element m
 * adds m and m^2. Only ring operations, so wrap-around is exact. */
static uint64_t sumsq_doubling(uint64_t n)
{
	uint64_t m = 0, s1 = 0, s2 = 0;
	for (int bit = 63; bit >= 0; bit--) {
		s2 = 2 * s2 + 2 * m * s1 + m * m * m;
		s1 = 2 * s1 + m * m;
		m *= 2;
		if ((n >> bit) & 1) {
			s1 += m;
			s2 += m * m;
			m++;
		}
	}
	assert_true(m == n);
	return s2;
}

/* ---- helpers ---- */

static void assert_check_fails(const struct mpb_workload_ops *w, const char *why)
{
	struct mpb_diag d = { 0 };
	int rc = mpb_workload_check(w, &d);
	if (rc != -MPB_EINPUT)
		fail_msg("mpb_workload_check accepted a workload with %s (rc %d)", why, rc);
	assert_int_equal(d.code, MPB_EINPUT);
	assert_true(d.msg[0] != '\0');
}

/* run_task of `w` (no state) on integer n. */
static uint64_t run_int(const struct mpb_workload_ops *w, uint64_t n)
{
	struct mpb_value arg = mpb_value_int(n), res = { 0 };
	struct mpb_diag d = { 0 };
	assert_int_equal(w->run_task(NULL, &arg, &res, &d), 0);
	assert_int_equal(res.type, MPB_VAL_INT);
	uint64_t u = res.as.u;
	mpb_value_clear(&res);
	return u;
}

static int verify_int(const struct mpb_workload_ops *w, void *state,
		      const struct mpb_workload_params *p, uint64_t index, uint64_t arg,
		      uint64_t result, struct mpb_diag *d)
{
	struct mpb_value a = mpb_value_int(arg), r = mpb_value_int(result);
	return w->verify(state, p, index, &a, &r, d);
}

/* ---- registry ---- */

static void test_registry_lists_builtins(void **state)
{
	(void)state;
	size_t n = 0;
	const struct mpb_workload_ops *const *all = mpb_workload_all(&n);
	assert_non_null(all);
	assert_true(n >= 2);
	bool have_null = false, have_sumsq = false;
	for (size_t i = 0; i < n; i++) {
		assert_non_null(all[i]);
		assert_non_null(all[i]->name);
		if (all[i] == &mpb_workload_null) {
			have_null = true;
			assert_string_equal(all[i]->name, "null");
		}
		if (all[i] == &mpb_workload_sumsq) {
			have_sumsq = true;
			assert_string_equal(all[i]->name, "sumsq");
		}
		/* the dispatcher and `list` walk the same table: names are unique */
		for (size_t j = 0; j < i; j++)
			if (strcmp(all[i]->name, all[j]->name) == 0)
				fail_msg("workload name '%s' registered twice", all[i]->name);
		assert_false(all[i] == &mpb_workload_skeleton);
	}
	assert_true(have_null);
	assert_true(have_sumsq);
}

static void test_registry_find(void **state)
{
	(void)state;
	size_t n = 0;
	const struct mpb_workload_ops *const *all = mpb_workload_all(&n);
	for (size_t i = 0; i < n; i++)
		assert_ptr_equal(mpb_workload_find(all[i]->name), all[i]);
	assert_ptr_equal(mpb_workload_find("null"), &mpb_workload_null);
	assert_ptr_equal(mpb_workload_find("sumsq"), &mpb_workload_sumsq);
	assert_null(mpb_workload_find("nosuch"));
	assert_null(mpb_workload_find(""));
	assert_null(mpb_workload_find("sums"));   /* no prefix matching */
	assert_null(mpb_workload_find("sumsqq"));
	assert_null(mpb_workload_find("skeleton")); /* compiled, not registered */
}

static void test_check_accepts_valid(void **state)
{
	(void)state;
	size_t n = 0;
	const struct mpb_workload_ops *const *all = mpb_workload_all(&n);
	for (size_t i = 0; i < n; i++) {
		struct mpb_diag d = { 0 };
		if (mpb_workload_check(all[i], &d) != 0)
			fail_msg("registered workload '%s' fails its check: %s", all[i]->name, d.msg);
	}
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_workload_check(&mpb_workload_skeleton, &d), 0);
	/* min_size == max_size is a legal (single) range */
	struct mpb_workload_ops w = mpb_workload_skeleton;
	w.min_size = w.max_size = 7;
	assert_int_equal(mpb_workload_check(&w, &d), 0);
}

static void test_check_rejects_broken(void **state)
{
	(void)state;
	struct mpb_workload_ops w;

	w = mpb_workload_skeleton;
	w.abi = MPB_WORKLOAD_ABI + 1;
	assert_check_fails(&w, "a newer ABI");
	w.abi = 0;
	assert_check_fails(&w, "ABI 0");
	struct mpb_diag d = { 0 };
	mpb_workload_check(&w, &d);
	assert_non_null(strstr(d.msg, "skeleton")); /* names the culprit */

	w = mpb_workload_skeleton;
	w.run_task = NULL;
	assert_check_fails(&w, "no run_task");
	w = mpb_workload_skeleton;
	w.make_task = NULL;
	assert_check_fails(&w, "no make_task");
	w = mpb_workload_skeleton;
	w.verify = NULL;
	assert_check_fails(&w, "no verify");

	w = mpb_workload_skeleton;
	w.min_size = 10;
	w.max_size = 9;
	assert_check_fails(&w, "min_size > max_size");

	w = mpb_workload_sumsq;
	w.default_tasks = 0;
	assert_check_fails(&w, "zero default tasks");
	w = mpb_workload_sumsq;
	w.default_sizes = NULL;
	assert_check_fails(&w, "no default sizes");
	w = mpb_workload_sumsq;
	w.name = NULL;
	assert_check_fails(&w, "no name");
	assert_check_fails(NULL, "a NULL ops pointer");

	/* a workload's own option must be complete and land inside the params */
	struct mpb_workload_option bad[2] = { { "x", "N", "help", "0", MPB_UNIT_COUNT, 0, 9,
						offsetof(struct mpb_workload_params, seed), "x" } };
	w = mpb_workload_skeleton;
	w.options = bad;
	assert_int_equal(mpb_workload_check(&w, &d), 0);
	bad[0].param = sizeof(struct mpb_workload_params);
	assert_check_fails(&w, "an option outside the params");
	bad[0].param = 0;
	bad[0].key = NULL;
	assert_check_fails(&w, "an option without a config key");
	bad[0].key = "x";
	bad[0].min = 10;
	assert_check_fails(&w, "an option with min > max");

	/* optional callbacks really are optional */
	w = mpb_workload_skeleton;
	w.setup = NULL;
	w.teardown = NULL;
	assert_int_equal(mpb_workload_check(&w, &d), 0);
}

/* The registry's flat list of workload options: payload's --result-size is
 * payload's, every name appears once, and the list fits the room the option
 * parser keeps for it. */
static void test_registry_options(void **state)
{
	(void)state;
	size_t n = 0;
	const struct mpb_workload_option *o;
	bool result_size = false;
	while ((o = mpb_workload_option_at(n))) {
		for (size_t k = 0; k < n; k++)
			assert_string_not_equal(mpb_workload_option_at(k)->name, o->name);
		if (strcmp(o->name, "result-size") == 0) {
			result_size = true;
			assert_int_equal(o->param, offsetof(struct mpb_workload_params, result_size));
			assert_string_equal(o->key, "result_size");
		}
		n++;
	}
	assert_true(result_size);
	assert_true(n <= MPB_WORKLOAD_OPTIONS_MAX);
	assert_ptr_equal(mpb_workload_payload.options, mpb_workload_option_at(0));
}

/* ---- sumsq ---- */

static void test_sumsq_references_agree(void **state)
{
	(void)state;
	/* the two references must agree before either is trusted */
	static const uint64_t ns[] = { 0, 1, 2, 3, 4, 5, 6, 7, 10, 11, 12, 13, 1000, 65537, 100003 };
	for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
		assert_true(sumsq_loop(ns[i]) == sumsq_doubling(ns[i]));
	assert_true(sumsq_loop(4) == 0 + 1 + 4 + 9);
}

static void test_sumsq_run_small(void **state)
{
	(void)state;
	static const uint64_t ns[] = { 0, 1, 2, 3, 10, 1000, 65537 };
	for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
		uint64_t want = sumsq_loop(ns[i]);
		uint64_t got = run_int(&mpb_workload_sumsq, ns[i]);
		if (got != want)
			fail_msg("sumsq(%llu) = %llu, want %llu", (unsigned long long)ns[i],
				 (unsigned long long)got, (unsigned long long)want);
	}
	assert_true(run_int(&mpb_workload_sumsq, 0) == 0);
	assert_true(run_int(&mpb_workload_sumsq, 3) == 5);
}

/* The seed's task size: the sum passes 2^64, so this checks wrap-around. */
static void test_sumsq_run_seed_size(void **state)
{
	(void)state;
	const uint64_t n = 5000000;
	uint64_t want = sumsq_loop(n);
	assert_true(want == sumsq_doubling(n));
	uint64_t got = run_int(&mpb_workload_sumsq, n);
	assert_true(got == want);
	struct mpb_workload_params p = { n, 1, 0, 0 };
	struct mpb_diag d = { 0 };
	assert_int_equal(verify_int(&mpb_workload_sumsq, NULL, &p, 0, n, got, &d), 0);
}

/* Large n: run_task's own output must pass verify (whose closed form must
 * then be right mod 2^64 where the product (n-1)n(2n-1) is far past 2^64).
 * 2^28 + 7 keeps run_task well under a second in a release build. */
static void test_sumsq_run_large_verified(void **state)
{
	(void)state;
	const uint64_t n = (1ull << 28) + 7;
	uint64_t got = run_int(&mpb_workload_sumsq, n);
	assert_true(got == sumsq_doubling(n));
	struct mpb_workload_params p = { n, 1, 0, 0 };
	struct mpb_diag d = { 0 };
	assert_int_equal(verify_int(&mpb_workload_sumsq, NULL, &p, 0, n, got, &d), 0);
	assert_int_equal(verify_int(&mpb_workload_sumsq, NULL, &p, 0, n, got + 1, &d), -MPB_ERUN);
}

/* verify's closed form against the doubling reference, up to max_size, where
 * running the loop is out of the question. */
static void test_sumsq_verify_huge_n(void **state)
{
	(void)state;
	const uint64_t ns[] = {
		(1ull << 33) + 7, (1ull << 32) - 1, (1ull << 32), (1ull << 32) + 1,
		(1ull << 40) + 3, 3000000000000000001ull, (1ull << 62) + 5,
		mpb_workload_sumsq.max_size, mpb_workload_sumsq.max_size - 1,
		mpb_workload_sumsq.max_size - 2,
	};
	for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
		uint64_t want = sumsq_doubling(ns[i]);
		struct mpb_workload_params p = { ns[i], 1, 0, 0 };
		struct mpb_diag d = { 0 };
		if (verify_int(&mpb_workload_sumsq, NULL, &p, 0, ns[i], want, &d) != 0)
			fail_msg("verify rejects the true sum for n=%llu: %s",
				 (unsigned long long)ns[i], d.msg);
		assert_int_equal(verify_int(&mpb_workload_sumsq, NULL, &p, 0, ns[i], want + 1, &d),
				 -MPB_ERUN);
		assert_int_equal(verify_int(&mpb_workload_sumsq, NULL, &p, 0, ns[i], want ^ (1ull << 63), &d),
				 -MPB_ERUN);
	}
}

static void test_sumsq_verify_catches_corruption(void **state)
{
	(void)state;
	const uint64_t size = 1000;
	struct mpb_workload_params p = { size, 4, 0, 0 };
	for (uint64_t index = 0; index < 4; index++) {
		struct mpb_value arg = { 0 }, res = { 0 };
		struct mpb_diag d = { 0 };
		assert_int_equal(mpb_workload_sumsq.make_task(NULL, &p, index, &arg, &d), 0);
		assert_int_equal(mpb_workload_sumsq.run_task(NULL, &arg, &res, &d), 0);
		assert_int_equal(mpb_workload_sumsq.verify(NULL, &p, index, &arg, &res, &d), 0);
		assert_true(res.as.u == sumsq_loop(size + index));

		struct mpb_value bad = mpb_value_int(res.as.u + 1);
		assert_int_equal(mpb_workload_sumsq.verify(NULL, &p, index, &arg, &bad, &d), -MPB_ERUN);
		assert_int_equal(d.code, MPB_ERUN);
		assert_true(d.msg[0] != '\0');
		bad = mpb_value_int(res.as.u - 1);
		assert_int_equal(mpb_workload_sumsq.verify(NULL, &p, index, &arg, &bad, &d), -MPB_ERUN);
		/* the result of the neighbouring task is wrong for this one */
		bad = mpb_value_int(sumsq_loop(size + index + 1));
		assert_int_equal(mpb_workload_sumsq.verify(NULL, &p, index, &arg, &bad, &d), -MPB_ERUN);

		/* right bits, wrong type */
		bad.type = MPB_VAL_FLOAT;
		bad.as.u = res.as.u;
		assert_int_equal(mpb_workload_sumsq.verify(NULL, &p, index, &arg, &bad, &d), -MPB_ERUN);
		struct mpb_value none = { 0 };
		assert_int_equal(mpb_workload_sumsq.verify(NULL, &p, index, &arg, &none, &d), -MPB_ERUN);
		struct mpb_value bytes = { 0 };
		assert_int_equal(mpb_value_set_bytes(&bytes, &res.as.u, sizeof res.as.u), 0);
		assert_int_equal(mpb_workload_sumsq.verify(NULL, &p, index, &arg, &bytes, &d), -MPB_ERUN);
		mpb_value_clear(&bytes);
		mpb_value_clear(&arg);
		mpb_value_clear(&res);
	}
}

static void test_sumsq_make_task(void **state)
{
	(void)state;
	const uint64_t sizes[] = { 1, 1000, 5000000 };
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		struct mpb_workload_params p = { sizes[i], 10, 99, 0 };
		for (uint64_t index = 0; index < 10; index++) {
			struct mpb_value arg = { 0 };
			struct mpb_diag d = { 0 };
			assert_int_equal(mpb_workload_sumsq.make_task(NULL, &p, index, &arg, &d), 0);
			assert_int_equal(arg.type, MPB_VAL_INT);
			assert_true(arg.as.u == sizes[i] + index);
			mpb_value_clear(&arg);
		}
	}
}

static void test_sumsq_rejects_non_int_argument(void **state)
{
	(void)state;
	struct mpb_value arg = mpb_value_float(10.0), res = { 0 };
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_workload_sumsq.run_task(NULL, &arg, &res, &d), -MPB_ERUN);
	assert_int_equal(d.code, MPB_ERUN);
	mpb_value_clear(&res);
	struct mpb_value bytes = { 0 };
	assert_int_equal(mpb_value_set_bytes(&bytes, "abc", 3), 0);
	assert_int_equal(mpb_workload_sumsq.run_task(NULL, &bytes, &res, &d), -MPB_ERUN);
	mpb_value_clear(&res);
	mpb_value_clear(&bytes);
}

/* ---- null ---- */

static void test_null_round_trip(void **state)
{
	(void)state;
	struct mpb_workload_params p = { 0, 100, 0, 0 };
	const uint64_t indices[] = { 0, 1, 2, 99, 12345, UINT64_MAX };
	for (size_t i = 0; i < sizeof indices / sizeof indices[0]; i++) {
		uint64_t index = indices[i];
		struct mpb_value arg = { 0 }, res = { 0 };
		struct mpb_diag d = { 0 };
		assert_int_equal(mpb_workload_null.make_task(NULL, &p, index, &arg, &d), 0);
		assert_int_equal(arg.type, MPB_VAL_INT);
		assert_true(arg.as.u == index);
		assert_int_equal(mpb_workload_null.run_task(NULL, &arg, &res, &d), 0);
		assert_true(mpb_value_equal(&res, &arg));
		assert_int_equal(mpb_workload_null.verify(NULL, &p, index, &arg, &res, &d), 0);

		struct mpb_value bad = mpb_value_int(index + 1);
		assert_int_equal(mpb_workload_null.verify(NULL, &p, index, &arg, &bad, &d), -MPB_ERUN);
		assert_int_equal(d.code, MPB_ERUN);
		bad = mpb_value_int(index - 1);
		assert_int_equal(mpb_workload_null.verify(NULL, &p, index, &arg, &bad, &d), -MPB_ERUN);
		bad.type = MPB_VAL_FLOAT;
		bad.as.u = index;
		assert_int_equal(mpb_workload_null.verify(NULL, &p, index, &arg, &bad, &d), -MPB_ERUN);
		struct mpb_value none = { 0 };
		assert_int_equal(mpb_workload_null.verify(NULL, &p, index, &arg, &none, &d), -MPB_ERUN);
		mpb_value_clear(&arg);
		mpb_value_clear(&res);
	}
	/* it returns whatever it is given */
	struct mpb_value arg = mpb_value_int(0xdeadbeefcafef00dull), res = { 0 };
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_workload_null.run_task(NULL, &arg, &res, &d), 0);
	assert_int_equal(res.type, MPB_VAL_INT);
	assert_true(res.as.u == 0xdeadbeefcafef00dull);
	arg = mpb_value_float(2.5);
	assert_int_equal(mpb_workload_null.run_task(NULL, &arg, &res, &d), 0);
	assert_int_equal(res.type, MPB_VAL_FLOAT);
	assert_true(res.as.f == 2.5);
}

/* ---- skeleton ---- */

static void test_skeleton_life_cycle(void **state)
{
	(void)state;
	const struct mpb_workload_ops *w = &mpb_workload_skeleton;
	struct mpb_workload_params p = { 1000, 8, 1, 0 };
	struct mpb_diag d = { 0 };
	void *st = NULL;
	assert_non_null(w->setup);
	assert_non_null(w->teardown);
	assert_int_equal(w->setup(&p, &st, &d), 0);
	assert_non_null(st);
	for (uint64_t index = 0; index < p.tasks; index++) {
		struct mpb_value arg = { 0 }, res = { 0 };
		assert_int_equal(w->make_task(st, &p, index, &arg, &d), 0);
		assert_int_equal(arg.type, MPB_VAL_INT);
		assert_true(arg.as.u == p.size + index);
		assert_int_equal(w->run_task(st, &arg, &res, &d), 0);
		assert_int_equal(res.type, MPB_VAL_INT);
		assert_true(res.as.u == 2 * (p.size + index));
		assert_int_equal(w->verify(st, &p, index, &arg, &res, &d), 0);

		struct mpb_value bad = mpb_value_int(res.as.u + 1);
		assert_int_equal(w->verify(st, &p, index, &arg, &bad, &d), -MPB_ERUN);
		assert_int_equal(d.code, MPB_ERUN);
		bad.type = MPB_VAL_FLOAT;
		bad.as.u = res.as.u;
		assert_int_equal(w->verify(st, &p, index, &arg, &bad, &d), -MPB_ERUN);
		mpb_value_clear(&arg);
		mpb_value_clear(&res);
	}
	struct mpb_value farg = mpb_value_float(1.0), res = { 0 };
	assert_int_equal(w->run_task(st, &farg, &res, &d), -MPB_ERUN);
	mpb_value_clear(&res);
	/* the sanitizer build catches a teardown that leaks or double-frees */
	w->teardown(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry_lists_builtins),
		cmocka_unit_test(test_registry_find),
		cmocka_unit_test(test_check_accepts_valid),
		cmocka_unit_test(test_check_rejects_broken),
		cmocka_unit_test(test_registry_options),
		cmocka_unit_test(test_sumsq_references_agree),
		cmocka_unit_test(test_sumsq_run_small),
		cmocka_unit_test(test_sumsq_run_seed_size),
		cmocka_unit_test(test_sumsq_run_large_verified),
		cmocka_unit_test(test_sumsq_verify_huge_n),
		cmocka_unit_test(test_sumsq_verify_catches_corruption),
		cmocka_unit_test(test_sumsq_make_task),
		cmocka_unit_test(test_sumsq_rejects_non_int_argument),
		cmocka_unit_test(test_null_round_trip),
		cmocka_unit_test(test_skeleton_life_cycle),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
