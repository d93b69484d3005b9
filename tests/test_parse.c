/* test_parse.c — cmocka tests for harness/base/parse.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

#define KIB UINT64_C(1024)
#define MIB (KIB * KIB)
#define GIB (MIB * KIB)
#define TIB (GIB * KIB)

/* ---- helpers ---------------------------------------------------------- */

static uint64_t ok_u64(const char *text, enum mpb_unit unit, uint64_t min, uint64_t max)
{
	struct mpb_diag d;
	uint64_t v = 12345;

	mpb_diag_clear(&d);
	int rc = mpb_parse_u64(text, unit, min, max, "-x/--test", &v, &d);
	if (rc != 0)
		fail_msg("'%s' rejected: %s", text, d.msg);
	assert_int_equal(d.code, 0);
	return v;
}

static void assert_contains(const char *msg, const char *needle)
{
	if (!strstr(msg, needle))
		fail_msg("message \"%s\" lacks \"%s\"", msg, needle);
}

static int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20)
			return 1;
	return 0;
}

/* Expect rejection; the message must name `what`, quote the text and contain
 * `needle` (may be NULL). Output must be left untouched. */
static void bad_u64(const char *text, enum mpb_unit unit, uint64_t min, uint64_t max,
		    const char *needle)
{
	struct mpb_diag d;
	uint64_t v = 777;

	mpb_diag_clear(&d);
	int rc = mpb_parse_u64(text, unit, min, max, "-s/--sizes", &v, &d);
	if (rc == 0)
		fail_msg("'%s' accepted as %llu", text ? text : "(null)", (unsigned long long)v);
	assert_int_equal(rc, -MPB_EINPUT);
	assert_int_equal(d.code, MPB_EINPUT);
	assert_int_equal(v, 777);
	assert_null(strchr(d.msg, '\n'));
	assert_contains(d.msg, "-s/--sizes: ");
	assert_contains(d.msg, "accepted: ");
	if (text && text[0] && !has_control(text))
		assert_contains(d.msg, text);
	if (needle)
		assert_contains(d.msg, needle);
}

#define ANY 0, UINT64_MAX

/* ---- accepted forms --------------------------------------------------- */

static void test_count_plain(void **state)
{
	(void)state;
	assert_int_equal(ok_u64("0", MPB_UNIT_COUNT, ANY), 0);
	assert_int_equal(ok_u64("1", MPB_UNIT_COUNT, ANY), 1);
	assert_int_equal(ok_u64("42", MPB_UNIT_COUNT, ANY), 42);
	assert_int_equal(ok_u64("007", MPB_UNIT_COUNT, ANY), 7);
	assert_true(ok_u64("18446744073709551615", MPB_UNIT_COUNT, ANY) == UINT64_MAX);
	assert_true(ok_u64("18446744073709551610", MPB_UNIT_COUNT, ANY) ==
		    UINT64_MAX - 5);
}

static void test_count_suffixes(void **state)
{
	(void)state;
	assert_int_equal(ok_u64("1k", MPB_UNIT_COUNT, ANY), 1000);
	assert_int_equal(ok_u64("2K", MPB_UNIT_COUNT, ANY), 2000);
	assert_int_equal(ok_u64("5M", MPB_UNIT_COUNT, ANY), 5000000);
	assert_int_equal(ok_u64("3G", MPB_UNIT_COUNT, ANY), UINT64_C(3000000000));
	assert_int_equal(ok_u64("0k", MPB_UNIT_COUNT, ANY), 0);
	/* largest exact multiple of 10^9 that fits */
	assert_true(ok_u64("18446744073G", MPB_UNIT_COUNT, ANY) ==
		    UINT64_C(18446744073000000000));
}

static void test_bytes_forms(void **state)
{
	(void)state;
	assert_int_equal(ok_u64("0", MPB_UNIT_BYTES, ANY), 0);
	assert_int_equal(ok_u64("100", MPB_UNIT_BYTES, ANY), 100);
	assert_int_equal(ok_u64("100B", MPB_UNIT_BYTES, ANY), 100);
	assert_int_equal(ok_u64("64KiB", MPB_UNIT_BYTES, ANY), 64 * KIB);
	assert_int_equal(ok_u64("3MiB", MPB_UNIT_BYTES, ANY), 3 * MIB);
	assert_int_equal(ok_u64("2GiB", MPB_UNIT_BYTES, ANY), 2 * GIB);
	assert_int_equal(ok_u64("5TiB", MPB_UNIT_BYTES, ANY), 5 * TIB);
	assert_int_equal(ok_u64("4k", MPB_UNIT_BYTES, ANY), 4 * KIB);
	assert_int_equal(ok_u64("4K", MPB_UNIT_BYTES, ANY), 4 * KIB);
	assert_int_equal(ok_u64("7M", MPB_UNIT_BYTES, ANY), 7 * MIB);
	assert_int_equal(ok_u64("1G", MPB_UNIT_BYTES, ANY), GIB);
	assert_int_equal(ok_u64("2T", MPB_UNIT_BYTES, ANY), 2 * TIB);
	assert_int_equal(ok_u64("1kB", MPB_UNIT_BYTES, ANY), 1000);
	assert_int_equal(ok_u64("2MB", MPB_UNIT_BYTES, ANY), 2000000);
	assert_int_equal(ok_u64("3GB", MPB_UNIT_BYTES, ANY), UINT64_C(3000000000));
	assert_int_equal(ok_u64("4TB", MPB_UNIT_BYTES, ANY), UINT64_C(4000000000000));
	/* 2^64 - 2^40 is the largest TiB multiple that fits */
	assert_true(ok_u64("16777215TiB", MPB_UNIT_BYTES, ANY) == UINT64_MAX - TIB + 1);
}

static void test_usec_forms(void **state)
{
	(void)state;
	assert_int_equal(ok_u64("0", MPB_UNIT_USEC, ANY), 0);
	assert_int_equal(ok_u64("250", MPB_UNIT_USEC, ANY), 250);
	assert_int_equal(ok_u64("250us", MPB_UNIT_USEC, ANY), 250);
	assert_int_equal(ok_u64("250ms", MPB_UNIT_USEC, ANY), 250000);
	assert_int_equal(ok_u64("3s", MPB_UNIT_USEC, ANY), 3000000);
}

static void test_range_bounds_inclusive(void **state)
{
	(void)state;
	assert_int_equal(ok_u64("1", MPB_UNIT_COUNT, 1, 4096), 1);
	assert_int_equal(ok_u64("4096", MPB_UNIT_COUNT, 1, 4096), 4096);
	assert_int_equal(ok_u64("4k", MPB_UNIT_BYTES, 4096, 4096), 4096);
	assert_int_equal(ok_u64("1ms", MPB_UNIT_USEC, 1000, 1000000), 1000);
	assert_int_equal(ok_u64("1s", MPB_UNIT_USEC, 1000, 1000000), 1000000);
}

static void test_null_out_and_diag(void **state)
{
	(void)state;
	/* out and d may be NULL */
	assert_int_equal(mpb_parse_u64("5", MPB_UNIT_COUNT, ANY, "x", NULL, NULL), 0);
	assert_int_equal(mpb_parse_u64("5Q", MPB_UNIT_COUNT, ANY, "x", NULL, NULL),
			 -MPB_EINPUT);
}

/* ---- rejected forms --------------------------------------------------- */

static void test_exact_example_messages(void **state)
{
	struct mpb_diag d;
	uint64_t v;

	(void)state;
	mpb_diag_clear(&d);
	assert_int_equal(mpb_parse_u64("5Q", MPB_UNIT_COUNT, ANY, "-s/--sizes", &v, &d),
			 -MPB_EINPUT);
	assert_string_equal(d.msg, "-s/--sizes: '5Q' is not a count "
				   "(accepted: an integer with optional suffix k, M or G)");

	mpb_diag_clear(&d);
	assert_int_equal(mpb_parse_u64("0", MPB_UNIT_COUNT, 1, 4096, "-j/--workers", &v, &d),
			 -MPB_EINPUT);
	assert_string_equal(d.msg, "-j/--workers: 0 is out of range (accepted: 1 to 4096)");
}

static void test_empty(void **state)
{
	(void)state;
	bad_u64("", MPB_UNIT_COUNT, ANY, "empty");
	bad_u64(NULL, MPB_UNIT_COUNT, ANY, "empty");
	bad_u64("", MPB_UNIT_BYTES, ANY, "KiB");
	bad_u64("", MPB_UNIT_USEC, ANY, "ms");
}

static void test_garbage(void **state)
{
	(void)state;
	bad_u64("abc", MPB_UNIT_COUNT, ANY, "is not a count");
	bad_u64("k", MPB_UNIT_COUNT, ANY, "is not a count");
	bad_u64("0x10", MPB_UNIT_COUNT, ANY, "is not a count");
	bad_u64("1e3", MPB_UNIT_COUNT, ANY, "is not a count");
	bad_u64("1,000", MPB_UNIT_COUNT, ANY, "is not a count");
	bad_u64("KiB", MPB_UNIT_BYTES, ANY, "is not a size");
	bad_u64("ms", MPB_UNIT_USEC, ANY, "is not a duration");
}

static void test_trailing_junk(void **state)
{
	(void)state;
	bad_u64("5Q", MPB_UNIT_COUNT, ANY, "optional suffix k, M or G");
	bad_u64("12abc", MPB_UNIT_COUNT, ANY, NULL);
	bad_u64("5kk", MPB_UNIT_COUNT, ANY, NULL);
	bad_u64("5k5", MPB_UNIT_COUNT, ANY, NULL);
	bad_u64("5-3", MPB_UNIT_COUNT, ANY, NULL);
	bad_u64("64KiBx", MPB_UNIT_BYTES, ANY, "KiB");
	bad_u64("10msec", MPB_UNIT_USEC, ANY, "us, ms or s");
}

static void test_wrong_unit_suffix(void **state)
{
	(void)state;
	/* suffixes of other units and wrong case are rejected */
	bad_u64("5B", MPB_UNIT_COUNT, ANY, NULL);
	bad_u64("5KiB", MPB_UNIT_COUNT, ANY, NULL);
	bad_u64("5T", MPB_UNIT_COUNT, ANY, NULL);
	bad_u64("5m", MPB_UNIT_COUNT, ANY, NULL);
	bad_u64("5g", MPB_UNIT_COUNT, ANY, NULL);
	bad_u64("5s", MPB_UNIT_COUNT, ANY, NULL);
	bad_u64("5kib", MPB_UNIT_BYTES, ANY, NULL);
	bad_u64("5KIB", MPB_UNIT_BYTES, ANY, NULL);
	bad_u64("5Kib", MPB_UNIT_BYTES, ANY, NULL);
	bad_u64("5KB", MPB_UNIT_BYTES, ANY, NULL);
	bad_u64("5mb", MPB_UNIT_BYTES, ANY, NULL);
	bad_u64("5b", MPB_UNIT_BYTES, ANY, NULL);
	bad_u64("5Ki", MPB_UNIT_BYTES, ANY, NULL);
	bad_u64("5PiB", MPB_UNIT_BYTES, ANY, NULL);
	bad_u64("5ms", MPB_UNIT_BYTES, ANY, NULL);
	bad_u64("5k", MPB_UNIT_USEC, ANY, NULL);
	bad_u64("5MS", MPB_UNIT_USEC, ANY, NULL);
	bad_u64("5S", MPB_UNIT_USEC, ANY, NULL);
	bad_u64("5m", MPB_UNIT_USEC, ANY, NULL);
	bad_u64("5ns", MPB_UNIT_USEC, ANY, NULL);
	bad_u64("5min", MPB_UNIT_USEC, ANY, NULL);
}

static void test_sign(void **state)
{
	(void)state;
	bad_u64("-3", MPB_UNIT_COUNT, ANY, "signs are not allowed");
	bad_u64("+3", MPB_UNIT_COUNT, ANY, "signs are not allowed");
	bad_u64("-0", MPB_UNIT_COUNT, ANY, "signs are not allowed");
	bad_u64("-1k", MPB_UNIT_BYTES, ANY, "signs are not allowed");
	bad_u64("+5ms", MPB_UNIT_USEC, ANY, "signs are not allowed");
}

static void test_decimal(void **state)
{
	(void)state;
	bad_u64("1.5M", MPB_UNIT_COUNT, ANY, "decimals are not allowed");
	bad_u64("1.0", MPB_UNIT_COUNT, ANY, "decimals are not allowed");
	bad_u64("1.", MPB_UNIT_COUNT, ANY, "decimals are not allowed");
	bad_u64(".5", MPB_UNIT_COUNT, ANY, "decimals are not allowed");
	bad_u64("0.5GiB", MPB_UNIT_BYTES, ANY, "decimals are not allowed");
	bad_u64("2.5s", MPB_UNIT_USEC, ANY, "decimals are not allowed");
}

static void test_whitespace(void **state)
{
	(void)state;
	bad_u64(" 5", MPB_UNIT_COUNT, ANY, "whitespace is not allowed");
	bad_u64("5 ", MPB_UNIT_COUNT, ANY, "whitespace is not allowed");
	bad_u64("5 k", MPB_UNIT_COUNT, ANY, "whitespace is not allowed");
	bad_u64("\t5", MPB_UNIT_COUNT, ANY, "'\\t5' is not a count: whitespace is not allowed");
	bad_u64(" ", MPB_UNIT_COUNT, ANY, "whitespace is not allowed");
	bad_u64("64 KiB", MPB_UNIT_BYTES, ANY, "whitespace is not allowed");
	bad_u64("10 ms", MPB_UNIT_USEC, ANY, "whitespace is not allowed");
	bad_u64(" -3", MPB_UNIT_COUNT, ANY, "not allowed");
}

static void test_newline_stays_one_line(void **state)
{
	struct mpb_diag d;
	uint64_t v;

	(void)state;
	mpb_diag_clear(&d);
	assert_int_equal(mpb_parse_u64("5\n", MPB_UNIT_COUNT, ANY, "-n", &v, &d), -MPB_EINPUT);
	assert_null(strchr(d.msg, '\n'));
	assert_contains(d.msg, "-n: '5\\n' is not a count: whitespace is not allowed");

	mpb_diag_clear(&d);
	assert_int_equal(mpb_parse_u64("\x01\x7f", MPB_UNIT_COUNT, ANY, "-n", &v, &d),
			 -MPB_EINPUT);
	assert_contains(d.msg, "-n: '\\x01\\x7f' is not a count (accepted:");
}

static void test_overflow_digits(void **state)
{
	(void)state;
	bad_u64("18446744073709551616", MPB_UNIT_COUNT, ANY, "too large");
	bad_u64("18446744073709551620", MPB_UNIT_COUNT, ANY, "too large");
	bad_u64("99999999999999999999", MPB_UNIT_COUNT, ANY, "too large");
	bad_u64("340282366920938463463374607431768211456", MPB_UNIT_COUNT, ANY, "too large");
	bad_u64("18446744073709551616k", MPB_UNIT_COUNT, ANY, "too large");
	bad_u64("18446744073709551616B", MPB_UNIT_BYTES, ANY, "too large");
	bad_u64("18446744073709551616us", MPB_UNIT_USEC, ANY, "too large");
	/* overflow with a bound: the bound is what is accepted */
	bad_u64("18446744073709551616", MPB_UNIT_COUNT, 1, 4096, "1 to 4096");
	/* overflowing digits with a bad suffix: the suffix is the error */
	bad_u64("99999999999999999999Q", MPB_UNIT_COUNT, ANY, "is not a count");
}

static void test_overflow_suffix(void **state)
{
	(void)state;
	bad_u64("20000000000G", MPB_UNIT_COUNT, ANY, "too large");
	bad_u64("18446744074G", MPB_UNIT_COUNT, ANY, "too large");
	bad_u64("18446744073709552k", MPB_UNIT_COUNT, ANY, "too large");
	bad_u64("18446744073710M", MPB_UNIT_COUNT, ANY, "too large");
	bad_u64("16777216TiB", MPB_UNIT_BYTES, ANY, "too large");
	bad_u64("16777216T", MPB_UNIT_BYTES, ANY, "too large");
	bad_u64("18014398509481984KiB", MPB_UNIT_BYTES, ANY, "too large");
	bad_u64("18446745TB", MPB_UNIT_BYTES, ANY, "too large");
	bad_u64("18446744073710s", MPB_UNIT_USEC, ANY, "too large");
	bad_u64("18446744073709552ms", MPB_UNIT_USEC, ANY, "too large");
}

static void test_out_of_range(void **state)
{
	(void)state;
	bad_u64("0", MPB_UNIT_COUNT, 1, 4096, "0 is out of range (accepted: 1 to 4096)");
	bad_u64("4097", MPB_UNIT_COUNT, 1, 4096, "4097 is out of range");
	bad_u64("5k", MPB_UNIT_COUNT, 1, 4096, "5k is out of range");
	bad_u64("1G", MPB_UNIT_BYTES, 4096, GIB - 1, "out of range");
	bad_u64("2k", MPB_UNIT_BYTES, 4096, GIB, "out of range (accepted: 4KiB to 1GiB)");
	bad_u64("999", MPB_UNIT_USEC, 1000, 10000000, "(accepted: 1ms to 10s)");
	bad_u64("11s", MPB_UNIT_USEC, 1000, 10000000, "11s is out of range");
	bad_u64("0", MPB_UNIT_COUNT, 1, UINT64_MAX, "(accepted: at least 1)");
	bad_u64("3", MPB_UNIT_COUNT, 4, 4, "(accepted: exactly 4)");
}

static void test_long_text_truncated(void **state)
{
	char text[400];
	struct mpb_diag d;
	uint64_t v;

	(void)state;
	memset(text, 'x', sizeof text - 1);
	text[sizeof text - 1] = '\0';
	mpb_diag_clear(&d);
	assert_int_equal(mpb_parse_u64(text, MPB_UNIT_COUNT, ANY, "-s/--sizes", &v, &d),
			 -MPB_EINPUT);
	/* the "accepted" tail survives even for a long quoted text */
	assert_contains(d.msg, "...' is not a count (accepted:");
	assert_contains(d.msg, "k, M or G)");
}

/* ---- format ----------------------------------------------------------- */

static void fmt_is(uint64_t v, enum mpb_unit unit, const char *want)
{
	char buf[64];

	mpb_format_u64(v, unit, buf, sizeof buf);
	assert_string_equal(buf, want);
}

static void test_format(void **state)
{
	(void)state;
	fmt_is(0, MPB_UNIT_COUNT, "0");
	fmt_is(7, MPB_UNIT_COUNT, "7");
	fmt_is(1000, MPB_UNIT_COUNT, "1k");
	fmt_is(1500, MPB_UNIT_COUNT, "1500");
	fmt_is(5000000, MPB_UNIT_COUNT, "5M");
	fmt_is(2500000, MPB_UNIT_COUNT, "2500k");
	fmt_is(UINT64_C(3000000000), MPB_UNIT_COUNT, "3G");
	fmt_is(UINT64_C(1000000000000), MPB_UNIT_COUNT, "1000G");
	fmt_is(UINT64_MAX, MPB_UNIT_COUNT, "18446744073709551615");

	fmt_is(0, MPB_UNIT_BYTES, "0");
	fmt_is(1000, MPB_UNIT_BYTES, "1000");
	fmt_is(1024, MPB_UNIT_BYTES, "1KiB");
	fmt_is(65536, MPB_UNIT_BYTES, "64KiB");
	fmt_is(3 * 512, MPB_UNIT_BYTES, "1536");
	fmt_is(1536 * KIB, MPB_UNIT_BYTES, "1536KiB");
	fmt_is(MIB, MPB_UNIT_BYTES, "1MiB");
	fmt_is(2 * GIB, MPB_UNIT_BYTES, "2GiB");
	fmt_is(5 * TIB, MPB_UNIT_BYTES, "5TiB");
	fmt_is(1024 * TIB, MPB_UNIT_BYTES, "1024TiB");
	fmt_is(UINT64_MAX, MPB_UNIT_BYTES, "18446744073709551615");

	fmt_is(0, MPB_UNIT_USEC, "0");
	fmt_is(250, MPB_UNIT_USEC, "250");
	fmt_is(250000, MPB_UNIT_USEC, "250ms");
	fmt_is(1500000, MPB_UNIT_USEC, "1500ms");
	fmt_is(3000000, MPB_UNIT_USEC, "3s");
	fmt_is(60000000, MPB_UNIT_USEC, "60s");
}

static void test_format_small_buffer(void **state)
{
	char buf[4] = "zzz";

	(void)state;
	mpb_format_u64(65536, MPB_UNIT_BYTES, buf, sizeof buf);
	assert_string_equal(buf, "64K"); /* truncated, still terminated */
	mpb_format_u64(65536, MPB_UNIT_BYTES, buf, 0); /* no write */
	assert_string_equal(buf, "64K");
	mpb_format_u64(65536, MPB_UNIT_BYTES, NULL, 0);
}

static void test_format_round_trip(void **state)
{
	static const uint64_t vals[] = {
		0, 1, 2, 7, 999, 1000, 1001, 1023, 1024, 1025, 1536, 4096, 65536,
		100000, 250000, 1000000, 1048576, 1500000, 5000000, 1000000000,
		UINT64_C(1073741824), UINT64_C(3000000000), UINT64_C(1099511627776),
		UINT64_C(1000000000000), UINT64_C(18446744073000000000),
		UINT64_C(18446744073709551615) - UINT64_C(1099511627775),
		UINT64_MAX - 1, UINT64_MAX,
	};
	static const enum mpb_unit units[] = { MPB_UNIT_COUNT, MPB_UNIT_BYTES, MPB_UNIT_USEC };

	(void)state;
	for (size_t u = 0; u < sizeof units / sizeof units[0]; u++)
		for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
			char buf[32];
			struct mpb_diag d;
			uint64_t back = 0;

			mpb_diag_clear(&d);
			mpb_format_u64(vals[i], units[u], buf, sizeof buf);
			if (mpb_parse_u64(buf, units[u], ANY, "rt", &back, &d) != 0)
				fail_msg("'%s' did not parse: %s", buf, d.msg);
			if (back != vals[i])
				fail_msg("unit %d: %llu -> '%s' -> %llu", (int)units[u],
					 (unsigned long long)vals[i], buf,
					 (unsigned long long)back);
		}
}

/* Rounded up to a few significant digits in a unit the parser reads back:
 * what tune --find-size prints (and measures) as -s. */
static void round_is(uint64_t v, enum mpb_unit unit, unsigned digits, uint64_t want,
		     const char *text)
{
	char buf[MPB_FMT_U64_LEN];
	struct mpb_diag d;
	uint64_t r = mpb_round_up_u64(v, unit, digits), back = 0;

	mpb_diag_clear(&d);
	if (r != want)
		fail_msg("%llu, %u digits: %llu, not %llu", (unsigned long long)v, digits,
			 (unsigned long long)r, (unsigned long long)want);
	mpb_format_u64(r, unit, buf, sizeof buf);
	assert_string_equal(buf, text);
	assert_int_equal(mpb_parse_u64(buf, unit, ANY, "rt", &back, &d), 0);
	assert_true(back == r);
}

static void test_round_up(void **state)
{
	(void)state;
	round_is(1320498, MPB_UNIT_COUNT, 3, 1330000, "1330k");
	round_is(1320498, MPB_UNIT_COUNT, 2, 1400000, "1400k");
	round_is(1309500, MPB_UNIT_COUNT, 3, 1310000, "1310k");
	round_is(873000, MPB_UNIT_COUNT, 3, 873000, "873k"); /* already round */
	round_is(20000, MPB_UNIT_COUNT, 3, 20000, "20k");
	round_is(12345, MPB_UNIT_COUNT, 3, 12400, "12400");
	round_is(999500, MPB_UNIT_COUNT, 3, 1000000, "1M");
	round_is(99, MPB_UNIT_COUNT, 3, 99, "99"); /* fewer digits than asked */
	round_is(0, MPB_UNIT_COUNT, 3, 0, "0");
	round_is(2500000001ull, MPB_UNIT_COUNT, 3, 2510000000ull, "2510M");
	/* bytes: in KiB, MiB, ... (5.37 MiB is 5500 KiB) */
	round_is(5630853, MPB_UNIT_BYTES, 3, 5500 * 1024, "5500KiB");
	round_is(1000, MPB_UNIT_BYTES, 3, 1000, "1000");
	round_is(150 * 1024 + 1, MPB_UNIT_BYTES, 2, 160 * 1024, "160KiB");
	/* durations in us: ms, s */
	round_is(1234567, MPB_UNIT_USEC, 3, 1240000, "1240ms");
	/* no room left in 64 bits: v itself */
	assert_true(mpb_round_up_u64(UINT64_MAX, MPB_UNIT_COUNT, 3) == UINT64_MAX);
	assert_true(mpb_round_up_u64(1234, MPB_UNIT_COUNT, 0) == 1234);
}

/* ---- lists ------------------------------------------------------------ */

static void test_list_ok(void **state)
{
	struct mpb_diag d;
	char **items = NULL;
	size_t n = 0;

	(void)state;
	mpb_diag_clear(&d);
	assert_int_equal(mpb_parse_list("fork,vfork,spawn", "-m/--methods", &items, &n, &d), 0);
	assert_int_equal(n, 3);
	assert_string_equal(items[0], "fork");
	assert_string_equal(items[1], "vfork");
	assert_string_equal(items[2], "spawn");
	mpb_parse_list_free(items, n);

	assert_int_equal(mpb_parse_list("one", "-m/--methods", &items, &n, &d), 0);
	assert_int_equal(n, 1);
	assert_string_equal(items[0], "one");
	mpb_parse_list_free(items, n);

	/* items are kept as written, spaces included ("a" and " a" differ) */
	assert_int_equal(mpb_parse_list("a, b, a", "-m/--methods", &items, &n, &d), 0);
	assert_int_equal(n, 3);
	assert_string_equal(items[0], "a");
	assert_string_equal(items[1], " b");
	assert_string_equal(items[2], " a");
	mpb_parse_list_free(items, n);

	assert_int_equal(d.code, 0);
	mpb_parse_list_free(NULL, 0);
}

static void bad_list(const char *text, const char *needle)
{
	struct mpb_diag d;
	char **items = (char **)&d; /* must be reset */
	size_t n = 99;

	mpb_diag_clear(&d);
	assert_int_equal(mpb_parse_list(text, "-m/--methods", &items, &n, &d), -MPB_EINPUT);
	assert_int_equal(d.code, MPB_EINPUT);
	assert_null(items);
	assert_int_equal(n, 0);
	assert_contains(d.msg, "-m/--methods: ");
	assert_contains(d.msg, "accepted: ");
	if (text && text[0])
		assert_contains(d.msg, text);
	assert_contains(d.msg, needle);
}

static void test_list_errors(void **state)
{
	(void)state;
	bad_list("", "empty list");
	bad_list(NULL, "empty list");
	bad_list("fork,,spawn", "empty item at position 2 in 'fork,,spawn'");
	bad_list(",fork", "empty item at position 1 in ',fork'");
	bad_list("fork,", "empty item at position 2 in 'fork,'");
	bad_list("a,b,c,", "empty item at position 4");
	bad_list(",", "empty item at position 1");
	bad_list(",,", "empty item at position 1");
	/* the same value twice would make the same points twice */
	bad_list("fork,spawn,fork", "'fork' is given twice in 'fork,spawn,fork'");
	bad_list("a,a", "given twice");
}

static void test_list_exact_message(void **state)
{
	struct mpb_diag d;
	char **items;
	size_t n;

	(void)state;
	mpb_diag_clear(&d);
	assert_int_equal(mpb_parse_list("fork,,spawn", "-m/--methods", &items, &n, &d),
			 -MPB_EINPUT);
	assert_true(strncmp(d.msg, "-m/--methods: empty item at position 2 in 'fork,,spawn'",
			    strlen("-m/--methods: empty item at position 2 in 'fork,,spawn'")) == 0);
}

static void test_u64_list_ok(void **state)
{
	struct mpb_diag d;
	uint64_t *v = NULL;
	size_t n = 0;

	(void)state;
	mpb_diag_clear(&d);
	assert_int_equal(mpb_parse_u64_list("64,4KiB,1M,2kB", MPB_UNIT_BYTES, 1, GIB,
					    "-s/--sizes", &v, &n, &d), 0);
	assert_int_equal(n, 4);
	assert_int_equal(v[0], 64);
	assert_int_equal(v[1], 4096);
	assert_int_equal(v[2], MIB);
	assert_int_equal(v[3], 2000);
	free(v);

	/* one value written two ways is still one value given twice */
	v = NULL;
	assert_int_equal(mpb_parse_u64_list("1k,4,1000", MPB_UNIT_COUNT, ANY, "-t", &v, &n, &d),
			 -MPB_EINPUT);
	assert_null(v);
	assert_contains(d.msg, "'1k' and '1000' are the same value");
	mpb_diag_clear(&d);

	assert_int_equal(mpb_parse_u64_list("1", MPB_UNIT_COUNT, ANY, "-n", &v, &n, &d), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0], 1);
	free(v);

	assert_int_equal(mpb_parse_u64_list("1ms,2s,3", MPB_UNIT_USEC, ANY, "-t", &v, &n, &d), 0);
	assert_int_equal(n, 3);
	assert_int_equal(v[0], 1000);
	assert_int_equal(v[1], 2000000);
	assert_int_equal(v[2], 3);
	free(v);
	assert_int_equal(d.code, 0);
}

static void bad_u64_list(const char *text, enum mpb_unit unit, uint64_t min, uint64_t max,
			 const char *needle)
{
	struct mpb_diag d;
	uint64_t *v = (uint64_t *)&d; /* must be reset */
	size_t n = 99;

	mpb_diag_clear(&d);
	assert_int_equal(mpb_parse_u64_list(text, unit, min, max, "-s/--sizes", &v, &n, &d),
			 -MPB_EINPUT);
	assert_int_equal(d.code, MPB_EINPUT);
	assert_null(v);
	assert_int_equal(n, 0);
	assert_contains(d.msg, "-s/--sizes: ");
	assert_contains(d.msg, "accepted: ");
	assert_contains(d.msg, needle);
}

static void test_u64_list_errors(void **state)
{
	(void)state;
	bad_u64_list("", MPB_UNIT_COUNT, ANY, "empty list");
	bad_u64_list("1,,2", MPB_UNIT_COUNT, ANY, "empty item at position 2 in '1,,2'");
	bad_u64_list(",1", MPB_UNIT_COUNT, ANY, "empty item at position 1");
	bad_u64_list("1,", MPB_UNIT_COUNT, ANY, "empty item at position 2");
	bad_u64_list("1,5Q,3", MPB_UNIT_COUNT, ANY, "'5Q' is not a count");
	bad_u64_list("1,2,x", MPB_UNIT_COUNT, ANY, "'x' is not a count");
	bad_u64_list("1, 2", MPB_UNIT_COUNT, ANY, "whitespace is not allowed");
	bad_u64_list("1,-2", MPB_UNIT_COUNT, ANY, "signs are not allowed");
	bad_u64_list("1.5k,2", MPB_UNIT_COUNT, ANY, "decimals are not allowed");
	bad_u64_list("1,20000000000G", MPB_UNIT_COUNT, ANY, "too large");
	bad_u64_list("4k,8k,0", MPB_UNIT_BYTES, 1, GIB, "0 is out of range");
	bad_u64_list("4k,2GiB", MPB_UNIT_BYTES, 1, GIB, "2GiB is out of range");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_count_plain),
		cmocka_unit_test(test_count_suffixes),
		cmocka_unit_test(test_bytes_forms),
		cmocka_unit_test(test_usec_forms),
		cmocka_unit_test(test_range_bounds_inclusive),
		cmocka_unit_test(test_null_out_and_diag),
		cmocka_unit_test(test_exact_example_messages),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_trailing_junk),
		cmocka_unit_test(test_wrong_unit_suffix),
		cmocka_unit_test(test_sign),
		cmocka_unit_test(test_decimal),
		cmocka_unit_test(test_whitespace),
		cmocka_unit_test(test_newline_stays_one_line),
		cmocka_unit_test(test_overflow_digits),
		cmocka_unit_test(test_overflow_suffix),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_long_text_truncated),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_small_buffer),
		cmocka_unit_test(test_format_round_trip),
		cmocka_unit_test(test_round_up),
		cmocka_unit_test(test_list_ok),
		cmocka_unit_test(test_list_errors),
		cmocka_unit_test(test_list_exact_message),
		cmocka_unit_test(test_u64_list_ok),
		cmocka_unit_test(test_u64_list_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
