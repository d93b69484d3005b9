/* test_rec_compare.c — unit tests for harness/analysis/rec_compare.c: the
 * verdicts of the recommendation's pairwise test on synthetic wall times,
 * including samples too small for the rank test. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "rec_compare.h"

/* 3 runs against 3: the rank test cannot reach 0.05; the CI decides, and
 * the confidence says so. */
static void test_underpowered(void **state)
{
	(void)state;
	double a[] = { 500, 501, 502 }, b[] = { 1000, 1001, 1002 };
	struct mpb_rec_option oa = { 1e9 / 501, a, 3 }, ob = { 1e9 / 1001, b, 3 };
	struct mpb_rec_cmp cmp;
	assert_int_equal(mpb_rec_compare(&oa, &ob, 0.05, 1, &cmp), 0);
	assert_true(cmp.underpowered);
	assert_true(cmp.p >= MPB_REC_ALPHA);
	assert_int_equal(cmp.verdict, MPB_REC_BETTER);
	assert_string_equal(mpb_rec_verdict_name(cmp.verdict), "better");
	assert_int_equal(mpb_rec_compare(&ob, &oa, 0.05, 1, &cmp), 0);
	assert_int_equal(cmp.verdict, MPB_REC_WORSE);
	/* five runs each can */
	double a5[] = { 500, 501, 502, 503, 504 }, b5[] = { 1000, 1001, 1002, 1003, 1004 };
	struct mpb_rec_option oa5 = { 1e9 / 502, a5, 5 }, ob5 = { 1e9 / 1002, b5, 5 };
	assert_int_equal(mpb_rec_compare(&oa5, &ob5, 0.05, 1, &cmp), 0);
	assert_false(cmp.underpowered);
	assert_true(cmp.p < MPB_REC_ALPHA);
	assert_int_equal(cmp.verdict, MPB_REC_BETTER);
	/* a non-positive throughput is refused */
	oa.throughput = 0;
	assert_int_equal(mpb_rec_compare(&oa, &ob, 0.05, 1, &cmp), -1);
}

/* The tolerance band: equivalent inside it, not better when the CI
 * reaches below it only, inconclusive when it reaches above it. */
static void test_verdicts_by_ci(void **state)
{
	(void)state;
	struct mpb_rec_option b = { 100, NULL, 0 };
	struct mpb_rec_option a = { 102, NULL, 0 };
	struct mpb_rec_cmp cmp;
	assert_int_equal(mpb_rec_compare(&a, &b, 0.05, 1, &cmp), 0);
	assert_int_equal(cmp.verdict, MPB_REC_EQUIVALENT);
	assert_string_equal(mpb_rec_verdict_name(cmp.verdict), "equivalent");
	/* exact figures: p 0, a 10% gain is better, a 10% loss worse */
	a.throughput = 110;
	assert_int_equal(mpb_rec_compare(&a, &b, 0.05, 1, &cmp), 0);
	assert_int_equal(cmp.verdict, MPB_REC_BETTER);
	a.throughput = 90;
	assert_int_equal(mpb_rec_compare(&a, &b, 0.05, 1, &cmp), 0);
	assert_int_equal(cmp.verdict, MPB_REC_WORSE);
	/* overlapping samples whose spread reaches past the band */
	double wa[] = { 800, 1200, 900, 1100, 1000, 950, 1050, 850 };
	double wb[] = { 1150, 850, 1000, 950, 1250, 900, 1050, 1100 };
	struct mpb_rec_option sa = { 1e9 / 975, wa, 8 }, sb = { 1e9 / 1025, wb, 8 };
	assert_int_equal(mpb_rec_compare(&sa, &sb, 0.05, 1, &cmp), 0);
	assert_false(cmp.underpowered);
	assert_true(cmp.p >= MPB_REC_ALPHA);
	assert_true(cmp.ci_hi > 1.0 / 0.95);
	assert_int_equal(cmp.verdict, MPB_REC_INCONCLUSIVE);
	assert_string_equal(mpb_rec_verdict_name(MPB_REC_NOT_BETTER), "not better");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_underpowered),
		cmocka_unit_test(test_verdicts_by_ci),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
