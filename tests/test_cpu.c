/* test_cpu.c — cmocka tests for harness/machine/cpu.c: cache sizes and CPU
 * lists as the kernel writes them, a fake /sys tree of caches and cpufreq,
 * an empty one, and the JSON round trip. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cpu.h"
#include "fake_root.h"

static void sizes(void **state)
{
	(void)state;
	uint64_t b = 7;
	assert_true(mpb_cpu_parse_size("48K", &b) && b == 49152);
	assert_true(mpb_cpu_parse_size("491520K", &b) && b == 503316480);
	assert_true(mpb_cpu_parse_size("32M", &b) && b == 33554432);
	assert_true(mpb_cpu_parse_size("512", &b) && b == 512);
	static const char *const bad[] = { "", "K", "-1K", "48KB", "48 K", "x", "99999999999999999999K" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		b = 7;
		assert_false(mpb_cpu_parse_size(bad[i], &b));
		assert_true(b == 7);
	}
	assert_false(mpb_cpu_parse_size(NULL, &b));
}

static void cpu_lists(void **state)
{
	(void)state;
	assert_int_equal(mpb_cpu_list_count("0"), 1);
	assert_int_equal(mpb_cpu_list_count("0-1"), 2);
	assert_int_equal(mpb_cpu_list_count("0-3,8"), 5);
	assert_int_equal(mpb_cpu_list_count("0,2,4-7"), 6);
	static const char *const bad[] = { "", "a", "3-1", "0-", "0,", ",0", "0-1-2", "0 1" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		assert_int_equal(mpb_cpu_list_count(bad[i]), 0);
	assert_int_equal(mpb_cpu_list_count(NULL), 0);
}

#define CACHE "/sys/devices/system/cpu/cpu0/cache/"

static void probe_fake_tree(void **state)
{
	const char *root = *state;
	put_file(root, CACHE "index0/level", "1\n");
	put_file(root, CACHE "index0/type", "Data\n");
	put_file(root, CACHE "index0/size", "48K\n");
	put_file(root, CACHE "index0/coherency_line_size", "64\n");
	put_file(root, CACHE "index0/shared_cpu_list", "0,8\n");
	put_file(root, CACHE "index1/level", "3\n");
	put_file(root, CACHE "index1/type", "Unified\n");
	put_file(root, CACHE "index1/size", "32M\n");
	/* index2 missing: index3 is not read */
	put_file(root, CACHE "index3/level", "4\n");
	put_file(root, CACHE "index3/size", "1M\n");
	put_file(root, "/sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq", "1200000\n");
	put_file(root, "/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", "4000000\n");

	struct mpb_cpu c;
	mpb_cpu_probe(root, 0, &c);
	assert_int_equal(c.ncaches, 2);
	assert_int_equal(c.caches[0].level, 1);
	assert_string_equal(c.caches[0].type, "Data");
	assert_true(c.caches[0].size_bytes == 49152);
	assert_int_equal(c.caches[0].line_bytes, 64);
	assert_int_equal(c.caches[0].shared_cpus, 2);
	assert_int_equal(c.caches[1].level, 3);
	assert_true(c.caches[1].size_bytes == 32u << 20);
	assert_int_equal(c.caches[1].line_bytes, 0);   /* unknown */
	assert_int_equal(c.caches[1].shared_cpus, 0);
	/* without a "cpu MHz" from /proc/cpuinfo: cpufreq's current clock */
	assert_true(c.mhz == 1200.0);
	assert_true(c.max_mhz == 4000.0);
	/* /proc/cpuinfo's wins */
	mpb_cpu_probe(root, 2599.5, &c);
	assert_true(c.mhz == 2599.5);

	/* an empty tree: everything unknown, nothing fails */
	put_file(root, "/empty/x", "");
	char empty[PATH_MAX];
	snprintf(empty, sizeof empty, "%s/empty", root);
	mpb_cpu_probe(empty, 0, &c);
	assert_int_equal(c.ncaches, 0);
	assert_true(c.mhz == 0 && c.max_mhz == 0);
}

static void json_round_trip(void **state)
{
	(void)state;
	struct mpb_cpu a = { .ncaches = 2, .mhz = 2599.998, .max_mhz = 0 }, b;
	a.caches[0] = (struct mpb_cpu_cache){ 1, "Data", 49152, 64, 1 };
	a.caches[1] = (struct mpb_cpu_cache){ 3, "Unified", 503316480, 0, 2 };
	json_t *m = json_object();
	assert_int_equal(mpb_cpu_to_json(&a, m), 0);
	const json_t *c0 = json_array_get(json_object_get(m, "caches"), 0);
	assert_int_equal(json_integer_value(json_object_get(c0, "size_bytes")), 49152);
	assert_string_equal(json_string_value(json_object_get(c0, "type")), "Data");
	const json_t *c1 = json_array_get(json_object_get(m, "caches"), 1);
	assert_true(json_is_null(json_object_get(c1, "line_bytes"))); /* unknown: null */
	assert_true(json_is_null(json_object_get(m, "cpu_max_mhz")));
	assert_true(json_real_value(json_object_get(m, "cpu_mhz")) == 2599.998);
	mpb_cpu_from_json(m, &b);
	assert_memory_equal(&a, &b, sizeof a);
	json_decref(m);
	/* a file from before these keys: unknown */
	m = json_object();
	mpb_cpu_from_json(m, &b);
	assert_int_equal(b.ncaches, 0);
	assert_true(b.mhz == 0 && b.max_mhz == 0);
	json_decref(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sizes),
		cmocka_unit_test(cpu_lists),
		cmocka_unit_test_setup_teardown(probe_fake_tree, make_root, remove_root),
		cmocka_unit_test(json_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
