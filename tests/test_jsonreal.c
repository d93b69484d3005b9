/* test_jsonreal.c — cmocka tests for harness/output/jsonreal.c: reals
 * shortened to the fewest digits that read back exactly, integers and
 * strings untouched, exponents tidied, and every real of a dumped document
 * read back bit for bit. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jsonreal.h"
#include "rng.h"

static void check(const char *in, const char *want)
{
	char buf[512];
	snprintf(buf, sizeof buf, "%s", in);
	size_t n = mpb_jsonreal_shorten(buf);
	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
}

static void shortens_reals(void **state)
{
	(void)state;
	check("[0.10000000000000001, 0.29999999999999999, 1.0, -2.5]", "[0.1, 0.3, 1.0, -2.5]");
	check("{\"a\": 1e+22, \"b\": 1.0000000000000001e-05}", "{\"a\": 1e22, \"b\": 1e-5}");
	check("[123456789012345678, 7, -3]", "[123456789012345678, 7, -3]");
	check("[120000.0]", "[1.2e5]");
	/* strings keep their digits, escaped quotes included */
	check("{\"k\\\"0.10000000000000001\": \"0.10000000000000001\"}",
	      "{\"k\\\"0.10000000000000001\": \"0.10000000000000001\"}");
	check("", "");
	/* a short form that would be longer is not taken */
	check("[1e5]", "[1e5]");
}

static void dumped_reals_read_back_exactly(void **state)
{
	(void)state;
	struct mpb_rng rng;
	mpb_rng_seed(&rng, 42);
	json_t *a = json_array();
	double want[500];
	for (size_t i = 0; i < 500; i++) {
		double u = (double)(mpb_rng_next(&rng) >> 11) / 9007199254740992.0;
		want[i] = ldexp(u - 0.5, (int)(mpb_rng_next(&rng) % 200) - 100);
		json_array_append_new(a, json_real(want[i]));
	}
	char *text = json_dumps(a, JSON_COMPACT);
	assert_non_null(text);
	size_t before = strlen(text);
	assert_true(mpb_jsonreal_shorten(text) <= before);
	json_t *b = json_loads(text, 0, NULL);
	assert_non_null(b);
	for (size_t i = 0; i < 500; i++) {
		json_t *v = json_array_get(b, i);
		assert_true(json_is_real(v));
		assert_true(json_real_value(v) == want[i]);
	}
	free(text);
	json_decref(a);
	json_decref(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shortens_reals),
		cmocka_unit_test(dumped_reals_read_back_exactly),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
