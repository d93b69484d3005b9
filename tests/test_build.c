/* test_build.c — cmocka tests for harness/machine/build.c: this binary's
 * build is known, the `tool` fields round-trip, an unknown build writes
 * nothing, and which builds are unfit to measure with (and why). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "build.h"

static void current_is_known(void **state)
{
	(void)state;
	struct mpb_build b;
	mpb_build_current(&b);
	assert_true(strlen(b.compiler) > 0);
	assert_true(strlen(b.build_type) > 0);
	assert_true(strlen(b.optimization) > 0);
	assert_true(strlen(b.sanitize) > 0);
	/* the flags say the standard and, unless plain, the optimization level */
	assert_non_null(strstr(b.c_flags, "-std="));
	if (strcmp(b.optimization, "plain") != 0) {
		char o[16];
		snprintf(o, sizeof o, "-O%s", b.optimization);
		assert_non_null(strstr(b.c_flags, o));
	}
	assert_int_equal(b.fault_injection, MPB_FAULT_INJECTION);
}

static void json_round_trip(void **state)
{
	(void)state;
	struct mpb_build a = { .compiler = "gcc 12.2.0", .c_args = "-march=native",
			       .c_flags = "-std=c11 -O0 -g -fsanitize=address,undefined -march=native",
			       .build_type = "debug", .optimization = "0", .debug = true,
			       .sanitize = "address,undefined", .fault_injection = true }, b;
	json_t *tool = json_object();
	assert_int_equal(mpb_build_to_json(&a, tool), 0);
	assert_string_equal(json_string_value(json_object_get(tool, "build_type")), "debug");
	assert_true(json_is_true(json_object_get(tool, "fault_injection")));
	assert_int_equal(json_object_size(tool), 8);
	assert_string_equal(json_string_value(json_object_get(tool, "c_flags")), a.c_flags);
	mpb_build_from_json(tool, &b);
	assert_memory_equal(&a, &b, sizeof a);
	json_decref(tool);
	/* unknown (a file from before these fields): nothing written, and an
	 * empty tool reads back as unknown */
	struct mpb_build none = { 0 };
	tool = json_object();
	assert_int_equal(mpb_build_to_json(&none, tool), 0);
	assert_int_equal(json_object_size(tool), 0);
	mpb_build_from_json(tool, &b);
	assert_memory_equal(&none, &b, sizeof b);
	json_decref(tool);
}

static void unfit_builds(void **state)
{
	(void)state;
	char msg[400];
	struct mpb_build rel = { .compiler = "gcc", .build_type = "release", .optimization = "3",
				 .sanitize = "none" };
	assert_false(mpb_build_unfit(&rel, msg, sizeof msg));
	struct mpb_build dbgopt = rel;
	strcpy(dbgopt.build_type, "debugoptimized");
	strcpy(dbgopt.optimization, "2");
	assert_false(mpb_build_unfit(&dbgopt, msg, sizeof msg));
	struct mpb_build none = { 0 }; /* unknown: no warning */
	assert_false(mpb_build_unfit(&none, msg, sizeof msg));

	struct mpb_build dbg = rel;
	strcpy(dbg.build_type, "debug");
	strcpy(dbg.optimization, "0");
	assert_true(mpb_build_unfit(&dbg, msg, sizeof msg));
	assert_non_null(strstr(msg, "unoptimized (-O0, buildtype debug)"));
	strcpy(dbg.optimization, "g");
	assert_true(mpb_build_unfit(&dbg, msg, sizeof msg));

	struct mpb_build san = rel;
	strcpy(san.sanitize, "address");
	assert_true(mpb_build_unfit(&san, msg, sizeof msg));
	assert_non_null(strstr(msg, "-fsanitize=address"));
	assert_null(strstr(msg, "unoptimized"));

	struct mpb_build fi = rel;
	fi.fault_injection = true;
	assert_true(mpb_build_unfit(&fi, msg, sizeof msg));
	assert_non_null(strstr(msg, "fault injection"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(current_is_known),
		cmocka_unit_test(json_round_trip),
		cmocka_unit_test(unfit_builds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
