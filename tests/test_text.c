/* test_text.c — cmocka tests for harness/base/text.c: edit distance,
 * suggestions (closest wins, prefixes, nothing when far) and wrapping
 * (widths, indentation, long words, every word kept in order). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

static void distance(void **state)
{
	(void)state;
	assert_int_equal(mpb_text_distance("", ""), 0);
	assert_int_equal(mpb_text_distance("seed", "seed"), 0);
	assert_int_equal(mpb_text_distance("sed", "seed"), 1);
	assert_int_equal(mpb_text_distance("treshold", "threshold"), 1);
	assert_int_equal(mpb_text_distance("workres", "workers"), 2);
	assert_int_equal(mpb_text_distance("kitten", "sitting"), 3);
	assert_int_equal(mpb_text_distance("", "abc"), 3);
	char big[80];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(mpb_text_distance(big, "a"), 64);
}

static const char *suggest(const char *word, const char *const *cands, size_t n)
{
	struct mpb_text_suggest s;
	mpb_text_suggest_init(&s, word);
	for (size_t i = 0; i < n; i++)
		mpb_text_suggest_offer(&s, cands[i]);
	return s.best;
}

static void suggestions(void **state)
{
	(void)state;
	const char *cmds[] = { "sweep", "run", "tune", "info", "list", "report", "compare" };
	size_t n = sizeof cmds / sizeof cmds[0];
	assert_string_equal(suggest("swep", cmds, n), "sweep");
	assert_string_equal(suggest("comapre", cmds, n), "compare");
	assert_string_equal(suggest("rpt", cmds, n), "run"); /* distance 2 beats nothing */
	assert_string_equal(suggest("comp", cmds, n), "compare"); /* a prefix */
	assert_null(suggest("zzzzzzzz", cmds, n));
	assert_null(suggest("xy", (const char *[]){ "abcdef" }, 1));
	/* the closest wins over the first that qualifies */
	const char *opts[] = { "max-runs", "runs" };
	assert_string_equal(suggest("runs", opts, 2), "runs");
	assert_string_equal(suggest("rns", opts, 2), "runs");
}

static char *wrap(const char *text, size_t col, size_t indent, size_t width)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	mpb_text_wrap(f, text, col, indent, width);
	fclose(f);
	return buf;
}

static void wrapping(void **state)
{
	(void)state;
	char *s = wrap("aaa bbb ccc ddd", 0, 0, 7);
	assert_string_equal(s, "aaa bbb\nccc ddd\n");
	free(s);
	s = wrap("aaa bbb\nccc", 4, 4, 12);
	assert_string_equal(s, "aaa bbb\n    ccc\n");
	free(s);
	/* a word longer than the line gets a line of its own, never split */
	s = wrap("a averyveryverylongword b", 0, 2, 8);
	assert_string_equal(s, "a\n  averyveryverylongword\n  b\n");
	free(s);
	s = wrap("   ", 0, 0, 10);
	assert_string_equal(s, "\n");
	free(s);
	/* every line within the width, the words kept in order */
	const char *text = "pool sizes; auto = 1, 2, 4, ... up to 2 x usable CPUs, plus the usable count";
	for (size_t w = 20; w < 90; w += 7) {
		s = wrap(text, 10, 10, w);
		char *copy = strdup(s), *save = NULL, *rebuilt = calloc(1, strlen(s) + 1);
		assert_non_null(copy);
		assert_non_null(rebuilt);
		for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			assert_true(strlen(line) <= w);
		for (char *p = s; *p; p++)
			if (*p == '\n')
				*p = ' ';
		save = NULL;
		for (char *wd = strtok_r(s, " ", &save); wd; wd = strtok_r(NULL, " ", &save)) {
			strcat(rebuilt, *rebuilt ? " " : "");
			strcat(rebuilt, wd);
		}
		assert_string_equal(rebuilt, text);
		free(copy);
		free(rebuilt);
		free(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(distance),
		cmocka_unit_test(suggestions),
		cmocka_unit_test(wrapping),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
