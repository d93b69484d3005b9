/* test_codec_pickle.c — `pickle` names a Python program's own codec
 * (codec_pickle.c): registered, external, and refused by the native pool's
 * encode and decode with a message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "codec.h"

static void test_registered_external(void **st)
{
	(void)st;
	assert_ptr_equal(mpb_codec_find("pickle"), &mpb_codec_pickle);
	assert_true(mpb_codec_pickle.flags & MPB_CODEC_EXTERNAL);
	assert_false(mpb_codec_raw.flags & MPB_CODEC_EXTERNAL);
	assert_false(mpb_codec_json.flags & MPB_CODEC_EXTERNAL);
	assert_ptr_not_equal(mpb_codec_default(), &mpb_codec_pickle);
	assert_true(strlen(mpb_codec_pickle.summary) > 0);
}

static void test_refused(void **st)
{
	(void)st;
	struct mpb_value v = mpb_value_int(7);
	struct mpb_buf b = { 0 };
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_codec_pickle.encode(&v, &b, &d), -MPB_ERUN);
	assert_non_null(strstr(d.msg, "--instrument python"));
	assert_int_equal(b.len, 0);
	const uint8_t bytes[4] = { 1, 2, 3, 4 };
	struct mpb_reader r = { bytes, sizeof bytes };
	struct mpb_diag d2 = { 0 };
	assert_int_equal(mpb_codec_pickle.decode(&r, &v, &d2), -MPB_ERUN);
	assert_non_null(strstr(d2.msg, "pickle"));
	assert_int_equal(r.left, sizeof bytes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registered_external),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
