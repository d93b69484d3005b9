/* test_rng.c — unit tests for harness/base/rng.c.
 *
 * Known-answer vectors come from an independent python3 port of the reference
 * algorithms (splitmix64 and xoshiro256** from prng.di.unimi.it, rejection
 * below(n) with threshold (2^64 - n) % n, double = (next >> 11) * 2^-53,
 * Fisher–Yates from i = n-1 down to 1 with j = below(i + 1)). The port's
 * splitmix64 gives 0xe220a8397b1dcdaf as the first output for state 0, the
 * published value.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "rng.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static void test_known_answers(void **state)
{
	(void)state;
	struct mpb_rng r;
	/* python3 port: [hex(r.next()) for _ in range(5)] with seed 0. */
	const uint64_t seed0[] = {
		UINT64_C(0x99ec5f36cb75f2b4), UINT64_C(0xbf6e1f784956452a),
		UINT64_C(0x1a5f849d4933e6e0), UINT64_C(0x6aa594f1262d2d2c),
		UINT64_C(0xbba5ad4a1f842e59),
	};
	mpb_rng_seed(&r, 0);
	for (size_t i = 0; i < N_OF(seed0); i++)
		assert_int_equal(mpb_rng_next(&r), seed0[i]);
	const uint64_t seed12345[] = {
		UINT64_C(0xbe6a36374160d49b), UINT64_C(0x214aaa0637a688c6),
		UINT64_C(0xf69d16de9954d388),
	};
	mpb_rng_seed(&r, 12345);
	for (size_t i = 0; i < N_OF(seed12345); i++)
		assert_int_equal(mpb_rng_next(&r), seed12345[i]);

	/* python3 port: [r.below(10) for _ in range(10)] with seed 7. */
	const uint64_t below7[] = { 4, 4, 8, 4, 4, 1, 6, 6, 8, 9 };
	mpb_rng_seed(&r, 7);
	for (size_t i = 0; i < N_OF(below7); i++)
		assert_int_equal(mpb_rng_below(&r, 10), below7[i]);

	/* python3 port: [r.dbl() for _ in range(3)] with seed 7 (exact). */
	const double dbl7[] = { 0.7005764821796896, 0.2787512294737843, 0.8396274618764198 };
	mpb_rng_seed(&r, 7);
	for (size_t i = 0; i < N_OF(dbl7); i++)
		assert_true(mpb_rng_double(&r) == dbl7[i]);
}

static void test_same_seed_same_sequence(void **state)
{
	(void)state;
	struct mpb_rng a, b, c;
	mpb_rng_seed(&a, 0xdeadbeef);
	mpb_rng_seed(&b, 0xdeadbeef);
	mpb_rng_seed(&c, 0xdeadbef0);
	int differ = 0;
	for (int i = 0; i < 1000; i++) {
		uint64_t x = mpb_rng_next(&a);
		assert_int_equal(x, mpb_rng_next(&b));
		differ += x != mpb_rng_next(&c);
	}
	assert_true(differ > 990);

	/* Reseeding restarts the sequence. */
	mpb_rng_seed(&a, 5);
	uint64_t first = mpb_rng_next(&a);
	(void)mpb_rng_next(&a);
	mpb_rng_seed(&a, 5);
	assert_int_equal(mpb_rng_next(&a), first);
}

static void test_below_range(void **state)
{
	(void)state;
	struct mpb_rng r;
	mpb_rng_seed(&r, 42);
	for (uint64_t n = 1; n <= 17; n++) {
		bool seen[17] = { false };
		for (int i = 0; i < 2000; i++) {
			uint64_t v = mpb_rng_below(&r, n);
			assert_true(v < n);
			seen[v] = true;
		}
		for (uint64_t v = 0; v < n; v++)
			assert_true(seen[v]);
	}
	/* Large n, including one where rejection is frequent (2^63 + 1). */
	const uint64_t big[] = { UINT64_MAX, (UINT64_C(1) << 63) + 1, UINT64_C(1) << 40 };
	for (size_t k = 0; k < N_OF(big); k++)
		for (int i = 0; i < 1000; i++)
			assert_true(mpb_rng_below(&r, big[k]) < big[k]);

	/* Rough uniformity: 60000 draws over 6 values, each within 5% of 10000. */
	unsigned counts[6] = { 0 };
	for (int i = 0; i < 60000; i++)
		counts[mpb_rng_below(&r, 6)]++;
	for (int v = 0; v < 6; v++)
		assert_in_range(counts[v], 9500, 10500);
}

static void test_double_range(void **state)
{
	(void)state;
	struct mpb_rng r;
	mpb_rng_seed(&r, 1);
	double sum = 0.0, lo = 1.0, hi = 0.0;
	const int n = 100000;
	for (int i = 0; i < n; i++) {
		double d = mpb_rng_double(&r);
		assert_true(d >= 0.0 && d < 1.0);
		sum += d;
		lo = d < lo ? d : lo;
		hi = d > hi ? d : hi;
	}
	/* Mean of U(0,1) is 0.5 with sd 1/sqrt(12 n) ~ 0.0009 here. */
	assert_true(sum / n > 0.495 && sum / n < 0.505);
	assert_true(lo < 0.001 && hi > 0.999);
}

static void test_shuffle_known(void **state)
{
	(void)state;
	struct mpb_rng r;
	int a[10];
	for (int i = 0; i < 10; i++)
		a[i] = i;
	mpb_rng_seed(&r, 99);
	mpb_rng_shuffle(&r, a, N_OF(a), sizeof a[0]);
	/* python3 port, seed 99. */
	const int want[] = { 4, 1, 9, 0, 7, 2, 5, 3, 6, 8 };
	assert_memory_equal(a, want, sizeof a);
}

static void test_shuffle_permutation(void **state)
{
	(void)state;
	struct mpb_rng r;
	mpb_rng_seed(&r, 2024);
	enum { N = 1000 };
	static unsigned a[N];
	for (unsigned i = 0; i < N; i++)
		a[i] = i;
	mpb_rng_shuffle(&r, a, N, sizeof a[0]);
	static bool seen[N];
	unsigned moved = 0;
	for (unsigned i = 0; i < N; i++) {
		assert_true(a[i] < N);
		assert_false(seen[a[i]]);
		seen[a[i]] = true;
		moved += a[i] != i;
	}
	assert_true(moved > N / 2);

	/* Elements larger than the swap buffer (100 bytes each) stay intact. */
	struct big {
		unsigned char b[100];
	} e[20];
	for (int i = 0; i < 20; i++)
		memset(e[i].b, i, sizeof e[i].b);
	mpb_rng_shuffle(&r, e, N_OF(e), sizeof e[0]);
	bool got[20] = { false };
	for (int i = 0; i < 20; i++) {
		unsigned char v = e[i].b[0];
		assert_true(v < 20);
		for (size_t k = 0; k < sizeof e[i].b; k++)
			assert_int_equal(e[i].b[k], v);
		assert_false(got[v]);
		got[v] = true;
	}

	/* Same seed, same permutation; n of 0 and 1 are no-ops. */
	int x[50], y[50];
	for (int i = 0; i < 50; i++)
		x[i] = y[i] = i;
	struct mpb_rng r1, r2;
	mpb_rng_seed(&r1, 8);
	mpb_rng_seed(&r2, 8);
	mpb_rng_shuffle(&r1, x, 50, sizeof x[0]);
	mpb_rng_shuffle(&r2, y, 50, sizeof y[0]);
	assert_memory_equal(x, y, sizeof x);
	int one = 7;
	mpb_rng_shuffle(&r1, &one, 1, sizeof one);
	assert_int_equal(one, 7);
	mpb_rng_shuffle(&r1, NULL, 0, sizeof one);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_answers),
		cmocka_unit_test(test_same_seed_same_sequence),
		cmocka_unit_test(test_below_range),
		cmocka_unit_test(test_double_range),
		cmocka_unit_test(test_shuffle_known),
		cmocka_unit_test(test_shuffle_permutation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
