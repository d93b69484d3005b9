/* test_config.c — unit tests for --config (harness/plan/config.c and its use in
 * options.c): values of every JSON type become what the command line would
 * say, the command line overrides the file, and every malformed or hostile
 * file is refused with one line naming the file and the key. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

#include "options.h"

#define assert_contains(hay, needle)                                                   \
	do {                                                                           \
		if (!strstr((hay), (needle)))                                          \
			fail_msg("\"%s\" does not contain \"%s\"", (hay), (needle));   \
	} while (0)

#define ARGS(...)                                                        \
	(int)(sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)),       \
		(char *[]){ __VA_ARGS__ }

static char path[64];

static int make_file(void **state)
{
	(void)state;
	snprintf(path, sizeof path, "/tmp/mpb-test-config-XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int remove_file(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

static void write_file(const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void test_parse_types(void **state)
{
	(void)state;
	const char *t = "{\"workers\": [1, 2, \"4\"], \"runs\": 3, \"max-time\": 0.5, "
			"\"quiet\": true, \"methods\": \"fork,spawn\"}";
	json_t *o = NULL;
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_config_parse(t, strlen(t), "x", &o, &d), 0);
	assert_string_equal(json_string_value(json_object_get(o, "workers")), "1,2,4");
	assert_string_equal(json_string_value(json_object_get(o, "runs")), "3");
	assert_string_equal(json_string_value(json_object_get(o, "max-time")), "0.5");
	assert_true(json_is_true(json_object_get(o, "quiet")));
	assert_string_equal(json_string_value(json_object_get(o, "methods")), "fork,spawn");
	json_decref(o);
}

static void parse_bad(const char *t, const char *needle)
{
	json_t *o = (json_t *)1;
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_config_parse(t, strlen(t), "cfg.json", &o, &d), -MPB_EINPUT);
	assert_null(o);
	assert_contains(d.msg, "cfg.json");
	assert_contains(d.msg, needle);
	assert_null(strchr(d.msg, '\n'));
}

static void test_parse_hostile(void **state)
{
	(void)state;
	parse_bad("", "line");
	parse_bad("[1, 2]", "not a JSON object");
	parse_bad("\"runs\"", "line"); /* jansson refuses a bare string without DECODE_ANY */
	parse_bad("{\"runs\": 3", "line");
	parse_bad("{\"runs\": 3} trailing", "line");
	parse_bad("{\"runs\": 3, \"runs\": 4}", "duplicate");
	parse_bad("{\"runs\": null}", "key 'runs': wrong type");
	parse_bad("{\"runs\": {\"a\": 1}}", "key 'runs': wrong type");
	parse_bad("{\"workers\": []}", "empty array");
	parse_bad("{\"workers\": [1, [2]]}", "item 1 is not a string");
	parse_bad("{\"workers\": [1, null]}", "item 1");
	parse_bad("{\"workers\": [\"1,2\"]}", "holds a comma");
	parse_bad("{\"workload\": \"\"}", "empty value");
	parse_bad("{\"\": 1}", "not an option name");
	parse_bad("{\"Runs\": 1}", "not an option name");
	parse_bad("{\"ru\\nns\": 1}", "not an option name"); /* the message stays one line */
	parse_bad("{\"runs\": \"1\\n2\"}", "control character");
	parse_bad("{\"workers\": [\"1\", \"\\t\"]}", "control character");
	parse_bad("{\"runs\": \"\\u0000\"}", "line"); /* NUL inside a string */
	/* a list longer than any option could take */
	size_t n = 3000;
	char *big = malloc(n * 4 + 32);
	assert_non_null(big);
	strcpy(big, "{\"workers\": [");
	for (size_t i = 0; i < n; i++)
		strcat(big, i ? ",111" : "111");
	strcat(big, "]}");
	parse_bad(big, "longer than");
	free(big);
}

static void test_options_from_file(void **state)
{
	(void)state;
	write_file("{\"workers\": [1, 2], \"runs\": 7, \"quiet\": true, \"max-time\": 2.5, "
		   "\"timeout\": 30, \"fail-fast\": true, \"sizes\": \"1k\"}");
	struct mpb_config c;
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_options_parse(MPB_CMD_SWEEP, ARGS("--config", path), &c, &d), 0);
	assert_string_equal(c.workers, "1,2");
	assert_int_equal(c.runs, 7);
	assert_true(c.quiet);
	assert_true(c.fail_fast);
	assert_true(c.max_time == 2.5);
	assert_true(c.run_timeout_s == 30);
	assert_true(c.given_sizes);
	assert_string_equal(c.sizes, "1k");
	assert_string_equal(c.config, path);
	/* the command line wins, wherever --config stands */
	char eq[80];
	snprintf(eq, sizeof eq, "--config=%s", path);
	assert_int_equal(mpb_options_parse(MPB_CMD_SWEEP, ARGS("-r", "2", eq, "-j", "8"), &c, &d), 0);
	assert_int_equal(c.runs, 2);
	assert_string_equal(c.workers, "8");
	assert_true(c.quiet);
}

static void options_bad(const char *text, const char *needle)
{
	write_file(text);
	struct mpb_config c;
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_options_parse(MPB_CMD_SWEEP, ARGS("--config", path), &c, &d),
			 -MPB_EINPUT);
	assert_contains(d.msg, path);
	assert_contains(d.msg, needle);
	assert_null(strchr(d.msg, '\n'));
}

static void test_options_refused(void **state)
{
	(void)state;
	options_bad("{\"wrokers\": 2}", "unknown key 'wrokers' (did you mean 'workers'? accepted: "
		    "workload, sizes, workers");
	options_bad("{\"help\": true}", "unknown key 'help'");
	options_bad("{\"config\": \"other.json\"}", "unknown key 'config'");
	/* compare's, not sweep's */
	options_bad("{\"threshold\": 5}", "unknown key 'threshold' ('threshold' is an option of "
		    "compare; accepted:");
	options_bad("{\"quiet\": \"yes\"}", "key 'quiet' takes true or false");
	options_bad("{\"runs\": true}", "key 'runs' takes a value (N)");
	options_bad("{\"runs\": -3}", "--runs");
	options_bad("{\"runs\": 2.5}", "--runs");
	options_bad("{\"runs\": 1e300}", "--runs");
	options_bad("{\"runs\": 99999999999999999999}", "line"); /* beyond int64: jansson refuses */
	options_bad("{\"max-time\": -1}", "--max-time");
	/* a file that is not there, or a directory */
	struct mpb_config c;
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_options_parse(MPB_CMD_SWEEP, ARGS("--config", "/nonexistent/x.json"),
					   &c, &d), -MPB_EINPUT);
	assert_contains(d.msg, "/nonexistent/x.json");
	assert_int_equal(mpb_options_parse(MPB_CMD_SWEEP, ARGS("--config", "/tmp"), &c, &d),
			 -MPB_EINPUT);
	assert_contains(d.msg, "/tmp");
	/* --config does not apply to info */
	assert_int_equal(mpb_options_parse(MPB_CMD_INFO, ARGS("--config", path), &c, &d),
			 -MPB_EINPUT);
	assert_contains(d.msg, "does not apply");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_types),
		cmocka_unit_test(test_parse_hostile),
		cmocka_unit_test_setup_teardown(test_options_from_file, make_file, remove_file),
		cmocka_unit_test_setup_teardown(test_options_refused, make_file, remove_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
