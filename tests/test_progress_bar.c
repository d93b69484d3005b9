/* test_progress_bar.c — cmocka tests for harness/cli/progress_bar.c: the
 * durations, the line (bar proportion, "~" until the count is exact, the
 * item's words cut to the width, the end of a phase, block or ASCII bar)
 * and what the ops write on a terminal and off one. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "progress_bar.h"

static void durations(void **state)
{
	(void)state;
	char b[32];
	mpb_progress_bar_duration(0, b, sizeof b);
	assert_string_equal(b, "0:00");
	mpb_progress_bar_duration(4999999999ull, b, sizeof b);
	assert_string_equal(b, "0:04");
	mpb_progress_bar_duration(754000000000ull, b, sizeof b);
	assert_string_equal(b, "12:34");
	mpb_progress_bar_duration(3723000000000ull, b, sizeof b);
	assert_string_equal(b, "1:02:03");
	mpb_progress_bar_duration(MPB_PROGRESS_ETA_UNKNOWN, b, sizeof b);
	assert_string_equal(b, "-:--");
}

static struct mpb_progress_step step(const char *phase, size_t done, size_t total)
{
	struct mpb_progress_step st = { .phase = phase, .done = done, .total = total,
					.eta_ns = 4000000000ull, .elapsed_ns = 9000000000ull };
	snprintf(st.what, sizeof st.what, "sumsq 5M fork -j 2");
	return st;
}

static void lines(void **state)
{
	(void)state;
	char b[512];
	struct mpb_progress_step st = step(NULL, 5, 20);
	size_t cols = mpb_progress_bar_format(&st, false, 100, false, b, sizeof b);
	assert_string_equal(b, "#####---------------  5/~20 runs  ETA 0:04  sumsq 5M fork -j 2");
	assert_int_equal(cols, strlen(b));
	/* an exact count has no "~"; a warm-up run says so */
	st.settled = true;
	st.warmup = true;
	mpb_progress_bar_format(&st, false, 100, false, b, sizeof b);
	assert_string_equal(b, "#####---------------  5/20 runs  ETA 0:04  warm-up sumsq 5M fork -j 2");
	/* nothing to estimate from yet */
	st = step(NULL, 0, 20);
	st.eta_ns = MPB_PROGRESS_ETA_UNKNOWN;
	mpb_progress_bar_format(&st, false, 100, false, b, sizeof b);
	assert_string_equal(b, "--------------------  0/~20 runs  ETA -:--  sumsq 5M fork -j 2");
	/* a phase's label first; its end */
	st = step("5M coarse", 34, 34);
	mpb_progress_bar_format(&st, true, 100, false, b, sizeof b);
	assert_string_equal(b, "5M coarse  ####################  34 runs in 0:09");
	st.done = st.total = 1;
	mpb_progress_bar_format(&st, true, 100, false, b, sizeof b);
	assert_string_equal(b, "5M coarse  ####################  1 run in 0:09");
}

static void block_bar(void **state)
{
	(void)state;
	char b[512];
	struct mpb_progress_step st = step(NULL, 10, 20);
	size_t cols = mpb_progress_bar_format(&st, false, 100, true, b, sizeof b);
	/* 10 full and 10 light blocks of 3 bytes each, one column each */
	assert_int_equal(strncmp(b, "\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588"
				    "\u2591", 33), 0);
	assert_int_equal(cols, strlen(b) - 2 * MPB_PROGRESS_BAR_CELLS);
}

/* The line never reaches the last column (it would wrap and break the
 * redraw): the item's words go first, then the bar, then the text is cut. */
static void narrow_terminals(void **state)
{
	(void)state;
	char b[512];
	struct mpb_progress_step st = step("5M refine 2", 7, 30);
	for (size_t width = 2; width <= 120; width++) {
		for (int utf8 = 0; utf8 <= 1; utf8++) {
			size_t cols = mpb_progress_bar_format(&st, false, width, utf8, b, sizeof b);
			assert_true(cols <= width - 1);
		}
	}
	/* too little room for the words to say something: none */
	mpb_progress_bar_format(&st, false, 60, false, b, sizeof b);
	assert_string_equal(b, "5M refine 2  ####----------------  7/~30 runs  ETA 0:04");
	mpb_progress_bar_format(&st, false, 66, false, b, sizeof b);
	assert_string_equal(b, "5M refine 2  ####----------------  7/~30 runs  ETA 0:04  sumsq 5M");
	mpb_progress_bar_format(&st, false, 50, false, b, sizeof b);
	assert_string_equal(b, "5M refine 2  ##--------  7/~30 runs  ETA 0:04");
	mpb_progress_bar_format(&st, false, 30, false, b, sizeof b);
	assert_string_equal(b, "5M refine 2  7/~30 runs  ETA");
	/* a caller's small buffer is never overrun */
	char small[16];
	mpb_progress_bar_format(&st, false, 100, true, small, sizeof small);
	assert_true(strlen(small) < sizeof small);
}

/* What the ops wrote to f. */
static char *drawn(FILE *f)
{
	fflush(f);
	long n = ftell(f);
	char *s = calloc(1, (size_t)n + 1);
	assert_non_null(s);
	rewind(f);
	assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
	return s;
}

static void on_a_terminal(void **state)
{
	(void)state;
	FILE *f = tmpfile();
	assert_non_null(f);
	struct mpb_progress_bar b;
	mpb_progress_bar_init(&b, f, true, 100, false);
	struct mpb_progress_step st = step(NULL, 0, 4);
	mpb_progress_bar_ops.step(&b, &st);
	st = step(NULL, 4, 4);
	mpb_progress_bar_ops.end(&b, &st);
	char *s = drawn(f);
	/* redrawn in place, then the line cleared: the terminal as it was */
	assert_int_equal(strncmp(s, "\r--------------------  0/~4 runs", 32), 0);
	assert_null(strchr(s, '\n'));
	size_t n = strlen(s);
	assert_true(n > 4 && strcmp(s + n - 4, "\r\033[K") == 0);
	free(s);
	fclose(f);

	/* tune's phases: each ends as a line of its own, and the next phase
	 * draws at once */
	f = tmpfile();
	assert_non_null(f);
	mpb_progress_bar_init(&b, f, true, 100, false);
	st = step("5M coarse", 3, 3);
	mpb_progress_bar_ops.end(&b, &st);
	st = step("5M refine 1", 0, 2);
	mpb_progress_bar_ops.step(&b, &st);
	s = drawn(f);
	assert_non_null(strstr(s, "\r5M coarse  ####################  3 runs in 0:09\033[K\n"
				  "\r5M refine 1  "));
	free(s);
	fclose(f);
}

static void off_a_terminal(void **state)
{
	(void)state;
	FILE *f = tmpfile();
	assert_non_null(f);
	struct mpb_progress_bar b;
	mpb_progress_bar_init(&b, f, false, 20, false);
	struct mpb_progress_step st = step(NULL, 0, 4);
	mpb_progress_bar_ops.step(&b, &st);
	st = step(NULL, 4, 4);
	mpb_progress_bar_ops.end(&b, &st);
	char *s = drawn(f);
	/* a log: whole lines, no terminal controls, not cut to a width */
	assert_string_equal(s, "--------------------  0/~4 runs  ETA 0:04  sumsq 5M fork -j 2\n"
			       "####################  4 runs in 0:09\n");
	free(s);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(durations),
		cmocka_unit_test(lines),
		cmocka_unit_test(block_bar),
		cmocka_unit_test(narrow_terminals),
		cmocka_unit_test(on_a_terminal),
		cmocka_unit_test(off_a_terminal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
