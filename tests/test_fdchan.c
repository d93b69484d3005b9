/* test_fdchan.c — cmocka tests for the MPBENCH_FD line protocol: accepted
 * fields, unknown keys kept under extra, malformed and oversized lines
 * reported by line number and ignored as a whole, input in arbitrary pieces,
 * a last line without its newline, and the caps on errors and extra keys. */
#include "fdchan.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void feed(struct mpb_fdchan *c, const char *s)
{
	assert_int_equal(mpb_fdchan_feed(c, s, strlen(s)), 0);
}

static uint64_t get(const struct mpb_fdchan *c, const char *field)
{
	uint64_t v = 0;
	if (!mpb_fdchan_get(c, field, &v))
		fail_msg("field %s was not accepted", field);
	return v;
}

static const char *error_at(const struct mpb_fdchan *c, size_t i)
{
	json_t *e = json_array_get(c->errors, i);
	assert_non_null(e);
	return json_string_value(e);
}

static void test_valid_lines(void **st)
{
	(void)st;
	struct mpb_fdchan c;
	assert_int_equal(mpb_fdchan_init(&c), 0);
	feed(&c, "{\"startup_ns\": 100, \"map_ns\": 2000, \"note\": \"hi\", \"n\": [1, 2]}\n");
	feed(&c, "\n   \n");                              /* blank lines: skipped */
	feed(&c, "{\"map_ns\": 3000, \"serialize_ns\": 1.5e3}\n"); /* later value wins */
	assert_int_equal(mpb_fdchan_finish(&c), 0);
	assert_true(get(&c, "startup_ns") == 100);
	assert_true(get(&c, "map_ns") == 3000);
	assert_true(get(&c, "serialize_ns") == 1500);
	uint64_t v;
	assert_false(mpb_fdchan_get(&c, "teardown_ns", &v));
	assert_string_equal(json_string_value(json_object_get(c.extra, "note")), "hi");
	assert_int_equal(json_array_size(json_object_get(c.extra, "n")), 2);
	assert_null(json_object_get(c.extra, "map_ns")); /* accepted fields are not extra */
	assert_true(c.accepted == 2);
	assert_true(c.rejected == 0);
	json_t *j = mpb_fdchan_json(&c);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "lines")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "reported"), "map_ns")),
			 3000);
	json_decref(j);
	mpb_fdchan_free(&c);
}

/* Bytes arriving one at a time must give the same result as whole lines. */
static void test_pieces(void **st)
{
	(void)st;
	const char *text = "{\"map_ns\": 42}\n{\"compute_ns\": 7, \"x\": true}\n{\"teardown_ns\": 9}";
	struct mpb_fdchan c;
	assert_int_equal(mpb_fdchan_init(&c), 0);
	for (size_t i = 0; text[i]; i++)
		assert_int_equal(mpb_fdchan_feed(&c, text + i, 1), 0);
	uint64_t v;
	/* the last line has no newline yet: not taken until the end */
	assert_false(mpb_fdchan_get(&c, "teardown_ns", &v));
	assert_int_equal(mpb_fdchan_finish(&c), 0);
	assert_true(get(&c, "map_ns") == 42);
	assert_true(get(&c, "compute_ns") == 7);
	assert_true(get(&c, "teardown_ns") == 9);
	assert_true(json_is_true(json_object_get(c.extra, "x")));
	mpb_fdchan_free(&c);
}

static void test_malformed(void **st)
{
	(void)st;
	struct mpb_fdchan c;
	assert_int_equal(mpb_fdchan_init(&c), 0);
	feed(&c, "{\"map_ns\": 5}\n");                         /* line 1: ok */
	feed(&c, "map_ns=6\n");                                /* 2: not JSON */
	feed(&c, "[1, 2]\n");                                  /* 3: not an object */
	feed(&c, "{\"map_ns\": -1, \"kept\": 1}\n");           /* 4: negative: whole line out */
	feed(&c, "{\"startup_ns\": \"fast\"}\n");              /* 5: not a number */
	feed(&c, "{\"map_ns\": 7, \"map_ns\": 8}\n");          /* 6: duplicate key */
	feed(&c, "{\"map_ns\": 9\n");                          /* 7: cut short */
	assert_int_equal(mpb_fdchan_finish(&c), 0);
	assert_true(get(&c, "map_ns") == 5);
	uint64_t v;
	assert_false(mpb_fdchan_get(&c, "startup_ns", &v));
	assert_null(json_object_get(c.extra, "kept"));
	assert_true(c.accepted == 1);
	assert_true(c.rejected == 6);
	assert_int_equal(json_array_size(c.errors), 6);
	assert_non_null(strstr(error_at(&c, 0), "line 2: not JSON"));
	assert_non_null(strstr(error_at(&c, 1), "line 3: not a JSON object"));
	assert_non_null(strstr(error_at(&c, 2), "line 4: map_ns"));
	assert_non_null(strstr(error_at(&c, 3), "line 5: startup_ns"));
	assert_non_null(strstr(error_at(&c, 4), "line 6:"));
	assert_non_null(strstr(error_at(&c, 5), "line 7:"));
	mpb_fdchan_free(&c);
}

static void test_oversized(void **st)
{
	(void)st;
	size_t big = MPB_FDCHAN_LINE_MAX + 100;
	char *line = malloc(big + 1);
	assert_non_null(line);
	/* a valid object, just too long: {"pad": "xxxx..."} */
	memset(line, 'x', big);
	memcpy(line, "{\"pad\": \"", 9);
	memcpy(line + big - 2, "\"}", 2);
	line[big] = '\0';
	struct mpb_fdchan c;
	assert_int_equal(mpb_fdchan_init(&c), 0);
	/* in pieces, so the limit is crossed in the middle of a feed */
	for (size_t off = 0; off < big; off += 1000) {
		size_t n = big - off < 1000 ? big - off : 1000;
		assert_int_equal(mpb_fdchan_feed(&c, line + off, n), 0);
	}
	feed(&c, "\n{\"map_ns\": 11}\n");
	/* an oversized last line without a newline is reported too */
	assert_int_equal(mpb_fdchan_feed(&c, line, big), 0);
	assert_int_equal(mpb_fdchan_finish(&c), 0);
	assert_true(get(&c, "map_ns") == 11);
	assert_null(json_object_get(c.extra, "pad"));
	assert_true(c.rejected == 2);
	assert_non_null(strstr(error_at(&c, 0), "line 1: longer than"));
	assert_non_null(strstr(error_at(&c, 1), "line 3: longer than"));
	/* a line exactly at the limit is fine */
	mpb_fdchan_free(&c);
	assert_int_equal(mpb_fdchan_init(&c), 0);
	size_t exact = MPB_FDCHAN_LINE_MAX;
	memset(line, ' ', exact);
	memcpy(line, "{\"map_ns\": 12}", 14);
	assert_int_equal(mpb_fdchan_feed(&c, line, exact), 0);
	feed(&c, "\n");
	assert_true(get(&c, "map_ns") == 12);
	assert_true(c.rejected == 0);
	mpb_fdchan_free(&c);
	free(line);
}

static void test_caps(void **st)
{
	(void)st;
	struct mpb_fdchan c;
	assert_int_equal(mpb_fdchan_init(&c), 0);
	for (int i = 0; i < 3 * MPB_FDCHAN_MAX_ERRORS; i++)
		feed(&c, "nonsense\n");
	for (int i = 0; i < 2 * MPB_FDCHAN_MAX_EXTRA; i++) {
		char buf[64];
		snprintf(buf, sizeof buf, "{\"k%d\": %d}\n", i, i);
		feed(&c, buf);
	}
	feed(&c, "{\"k0\": 99}\n"); /* a key already kept still updates */
	assert_true(c.rejected == 3 * MPB_FDCHAN_MAX_ERRORS);
	assert_int_equal(json_array_size(c.errors), MPB_FDCHAN_MAX_ERRORS);
	assert_int_equal(json_object_size(c.extra), MPB_FDCHAN_MAX_EXTRA);
	assert_int_equal(json_integer_value(json_object_get(c.extra, "k0")), 99);
	mpb_fdchan_free(&c);
	mpb_fdchan_free(&c); /* freeing twice is harmless */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_lines),
		cmocka_unit_test(test_pieces),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_oversized),
		cmocka_unit_test(test_caps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
