/* test_machine.c — cmocka tests for machine.c: cpu.max parsing, usable CPU
 * arithmetic, probing fake /proc + /sys trees and the real machine, JSON. */
#include "machine.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "fake_root.h"

static void test_parse_cpu_max(void **state)
{
	(void)state;
	double q = -7;
	assert_int_equal(mpb_machine_parse_cpu_max("max 100000", &q), 0);
	assert_true(q == 0.0);
	assert_int_equal(mpb_machine_parse_cpu_max("max 100000\n", &q), 0);
	assert_true(q == 0.0);
	assert_int_equal(mpb_machine_parse_cpu_max("150000 100000", &q), 0);
	assert_true(q == 1.5);
	assert_int_equal(mpb_machine_parse_cpu_max("200000 100000\n", &q), 0);
	assert_true(q == 2.0);
	assert_int_equal(mpb_machine_parse_cpu_max("50000 100000", &q), 0);
	assert_true(q == 0.5);
}

static void test_parse_cpu_max_malformed(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"", "abc", "100 0", "-5 100000", "\n", "max", "150000", "150000 ",
		"150000 100000 x", "150000x 100000", "+5 100000", "5 -100000",
		"0 100000", "maxx 100000", "99999999999999999999999 100000",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		double q = 42.0;
		if (mpb_machine_parse_cpu_max(bad[i], &q) != -1)
			fail_msg("accepted malformed cpu.max \"%s\"", bad[i]);
		assert_true(q == 42.0);
	}
	double q;
	assert_int_equal(mpb_machine_parse_cpu_max(NULL, &q), -1);
	assert_int_equal(mpb_machine_parse_cpu_max("max 100000", NULL), -1);
}

static void test_usable_cpus(void **state)
{
	(void)state;
	assert_int_equal(mpb_machine_usable_cpus(8, 1.5), 2);
	assert_int_equal(mpb_machine_usable_cpus(8, 0.0), 8);
	assert_int_equal(mpb_machine_usable_cpus(4, 16.0), 4);
	assert_int_equal(mpb_machine_usable_cpus(8, 2.0), 2);
	assert_int_equal(mpb_machine_usable_cpus(8, 0.1), 1);
	assert_int_equal(mpb_machine_usable_cpus(0, 0.0), 1);
	assert_int_equal(mpb_machine_usable_cpus(-3, 0.5), 1);
	assert_int_equal(mpb_machine_usable_cpus(0, 4.0), 1);
	assert_int_equal(mpb_machine_usable_cpus(4, 1e300), 4);
	assert_int_equal(mpb_machine_usable_cpus(4, -1.0), 4);
}

static const char fake_cpuinfo[] =
	"processor\t: 0\nvendor_id\t: GenuineIntel\n"
	"model name\t: Fake CPU @ 3.00GHz\ncpu MHz\t\t: 2999.5\n"
	"physical id\t: 0\ncore id\t\t: 0\n\n"
	"processor\t: 1\nmodel name\t: Second Model Ignored\ncpu MHz\t\t: 800.0\n"
	"physical id\t: 0\ncore id\t\t: 1\n\n"
	"processor\t: 2\nmodel name\t: Fake CPU @ 3.00GHz\n"
	"physical id\t: 0\ncore id\t\t: 0\n\n"
	"processor\t: 3\nmodel name\t: Fake CPU @ 3.00GHz\n"
	"physical id\t: 0\ncore id\t\t: 1\n\n";

static void test_probe_fake_root(void **state)
{
	const char *root = *state;
	put_file(root, "/proc/cpuinfo", fake_cpuinfo);
	put_file(root, "/proc/meminfo",
		 "MemTotal:       16384000 kB\nMemFree:         1000 kB\n"
		 "MemAvailable:    8192000 kB\n");
	put_file(root, "/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", "powersave\n");
	put_file(root, "/proc/sys/kernel/perf_event_paranoid", "2\n");
	put_file(root, "/proc/self/cgroup", "0::/test.slice\n");
	put_file(root, "/sys/fs/cgroup/test.slice/cpu.max", "150000 100000\n");
	put_file(root, "/sys/fs/cgroup/cpu.max", "max 100000\n");
	put_file(root, "/proc/loadavg", "0.75 0.50 0.25 1/100 4242\n");
	put_file(root, "/sys/devices/system/cpu/cpu0/cache/index0/level", "1\n");
	put_file(root, "/sys/devices/system/cpu/cpu0/cache/index0/size", "32K\n");
	put_file(root, "/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", "3500000\n");

	struct mpb_machine m;
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_machine_probe(root, &m, &d), 0);
	assert_string_equal(m.cpu_model, "Fake CPU @ 3.00GHz");
	/* cpu0's clock (the first "cpu MHz"), its caches, cpufreq's maximum */
	assert_true(m.cpu.mhz == 2999.5);
	assert_true(m.cpu.max_mhz == 3500.0);
	assert_int_equal(m.cpu.ncaches, 1);
	assert_true(m.cpu.caches[0].size_bytes == 32768);
	assert_int_equal(m.online_cpus, 4);
	assert_int_equal(m.affinity_cpus, 4);
	assert_int_equal(m.physical_cores, 2);
	assert_true(m.smt);
	assert_true(m.memory_bytes == 16384000ull * 1024);
	assert_true(m.mem_available_bytes == 8192000ull * 1024);
	assert_string_equal(m.governor, "powersave");
	assert_int_equal(m.perf_event_paranoid, 2);
	assert_true(m.cgroup_cpu_quota == 1.5);
	assert_int_equal(m.usable_cpus, 2);
	assert_true(m.loadavg1 == 0.75);
	assert_true(m.kernel[0] != '\0');
	assert_true(m.arch[0] != '\0');
}

/* No physical/core ids (as on many ARM kernels), cgroup path without its own
 * cpu.max: physical cores unknown, no smt, quota from the root cpu.max. */
static void test_probe_fallbacks(void **state)
{
	const char *root = *state;
	char big[4096 + 64];
	memset(big, 'x', sizeof big);
	memcpy(big, "flags\t: ", 8);
	big[sizeof big - 2] = '\n';
	big[sizeof big - 1] = '\0';
	char cpuinfo[sizeof big + 128];
	snprintf(cpuinfo, sizeof cpuinfo, "processor\t: 0\n%sprocessor\t: 1\n", big);
	put_file(root, "/proc/cpuinfo", cpuinfo);
	put_file(root, "/proc/self/cgroup", "12:cpu:/v1\n0::/missing.slice\n");
	put_file(root, "/sys/fs/cgroup/cpu.max", "50000 100000\n");
	put_file(root, "/proc/sys/kernel/perf_event_paranoid", "-1\n");

	struct mpb_machine m;
	assert_int_equal(mpb_machine_probe(root, &m, NULL), 0);
	assert_int_equal(m.online_cpus, 2);
	assert_int_equal(m.physical_cores, 0);
	assert_false(m.smt);
	assert_string_equal(m.cpu_model, "");
	assert_true(m.cgroup_cpu_quota == 0.5);
	assert_int_equal(m.usable_cpus, 1);
	assert_int_equal(m.perf_event_paranoid, -1);
}

static void test_probe_empty_root(void **state)
{
	const char *root = *state;
	struct mpb_machine m;
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_machine_probe(root, &m, &d), 0);
	assert_int_equal(d.code, 0);
	assert_string_equal(m.cpu_model, "");
	assert_string_equal(m.governor, "");
	assert_int_equal(m.perf_event_paranoid, -100);
	assert_int_equal(m.physical_cores, 0);
	assert_false(m.smt);
	assert_int_equal(m.online_cpus, 0);
	assert_true(m.memory_bytes == 0);
	assert_true(m.mem_available_bytes == 0);
	assert_true(m.cgroup_cpu_quota == 0.0);
	assert_int_equal(m.usable_cpus, 1);
	assert_true(m.loadavg1 == -1.0);

	json_t *j = mpb_machine_to_json(&m);
	assert_non_null(j);
	assert_true(json_is_null(json_object_get(j, "governor")));
	assert_true(json_is_null(json_object_get(j, "perf_event_paranoid")));
	assert_true(json_is_null(json_object_get(j, "cgroup_cpu_quota")));
	json_decref(j);
}

static void test_probe_real(void **state)
{
	(void)state;
	struct mpb_machine m;
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_machine_probe(NULL, &m, &d), 0);
	assert_true(m.online_cpus >= 1);
	assert_true(m.affinity_cpus >= 1);
	assert_true(m.usable_cpus >= 1);
	assert_true(m.usable_cpus <= m.affinity_cpus);
	assert_true(m.kernel[0] != '\0');
	assert_true(m.arch[0] != '\0');
	assert_true(m.max_user_processes == -1 || m.max_user_processes >= 0);
	assert_int_equal(mpb_machine_probe("", &m, &d), 0);
	assert_true(m.online_cpus >= 1);
}

static void test_to_json(void **state)
{
	(void)state;
	static const char *const keys[] = {
		"hostname", "cpu_model", "online_cpus", "affinity_cpus", "usable_cpus",
		"physical_cores", "smt", "memory_bytes", "mem_available_bytes", "kernel",
		"arch", "governor", "perf_event_paranoid", "cgroup_cpu_quota",
		"max_user_processes", "loadavg1", "environment", "floors", "selfcheck",
		"caches", "cpu_mhz", "cpu_max_mhz",
	};
	struct mpb_machine m;
	memset(&m, 0, sizeof m);
	strcpy(m.hostname, "box");
	strcpy(m.cpu_model, "Fake CPU");
	strcpy(m.kernel, "6.1.0");
	strcpy(m.arch, "x86_64");
	m.online_cpus = 8; m.affinity_cpus = 6; m.usable_cpus = 2;
	m.physical_cores = 4; m.smt = true;
	m.memory_bytes = 1ull << 34; m.mem_available_bytes = 1ull << 33;
	m.perf_event_paranoid = -100; m.cgroup_cpu_quota = 1.5;
	m.max_user_processes = -1; m.loadavg1 = 0.5;

	json_t *j = mpb_machine_to_json(&m);
	assert_non_null(j);
	assert_int_equal(json_object_size(j), sizeof keys / sizeof keys[0]);
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (!json_object_get(j, keys[i]))
			fail_msg("missing key %s", keys[i]);
	assert_true(json_is_null(json_object_get(j, "governor")));
	assert_true(json_is_null(json_object_get(j, "perf_event_paranoid")));
	assert_true(json_is_null(json_object_get(j, "max_user_processes")));
	/* caches and clock unknown */
	assert_int_equal(json_array_size(json_object_get(j, "caches")), 0);
	assert_true(json_is_null(json_object_get(j, "cpu_mhz")));
	assert_true(json_is_null(json_object_get(j, "cpu_max_mhz")));
	assert_string_equal(json_string_value(json_object_get(j, "hostname")), "box");
	assert_int_equal(json_integer_value(json_object_get(j, "usable_cpus")), 2);
	assert_true(json_is_true(json_object_get(j, "smt")));
	assert_true(json_integer_value(json_object_get(j, "memory_bytes")) == 1ll << 34);
	assert_true(json_real_value(json_object_get(j, "cgroup_cpu_quota")) == 1.5);
	assert_true(json_real_value(json_object_get(j, "loadavg1")) == 0.5);
	/* not measured: null, not zeros that read as free operations */
	assert_true(json_is_null(json_object_get(j, "floors")));
	assert_true(json_is_null(json_object_get(j, "selfcheck")));
	json_decref(j);

	m.has_floors = true;
	m.floors = (struct mpb_floor){ 2500, 110000, 900000, 9000, 0, 0, 0, 0, 0, 0 };
	m.selfcheck = (struct mpb_selfcheck){ .runs = 21, .empty_run_ns = 230000,
					      .floors_ns = 112500 };
	mpb_selfcheck_derive(&m.selfcheck);
	j = mpb_machine_to_json(&m);
	assert_non_null(j);
	const json_t *fl = json_object_get(j, "floors"), *sc = json_object_get(j, "selfcheck");
	assert_true(json_real_value(json_object_get(fl, "pipe_rtt_ns")) == 2500);
	assert_true(json_real_value(json_object_get(fl, "fork_exit_wait_ns")) == 110000);
	assert_true(json_real_value(json_object_get(fl, "spawn_exit_wait_ns")) == 900000);
	assert_true(json_real_value(json_object_get(fl, "thread_create_join_ns")) == 9000);
	/* cold floors not measured (a model from an older file): null */
	assert_true(json_is_null(json_object_get(fl, "fork_exit_wait_cold_ns")));
	assert_true(json_is_null(json_object_get(fl, "thread_create_join_cold_ns")));
	/* the MPI floors: null unless measured (a sweep with mpi points) */
	assert_true(json_is_null(json_object_get(fl, "mpi_launch_ns")));
	assert_true(json_is_null(json_object_get(fl, "mpi_launch_ranks")));
	assert_true(json_is_null(json_object_get(fl, "mpi_rtt_ns")));
	assert_int_equal(json_integer_value(json_object_get(sc, "runs")), 21);
	assert_true(json_real_value(json_object_get(sc, "overhead_ns")) == 117500);
	assert_true(json_real_value(json_object_get(sc, "min_task_ns")) == 1175000);
	json_decref(j);
	m.floors.fork_exit_wait_cold_ns = 240000;
	m.floors.spawn_exit_wait_cold_ns = 1500000;
	m.floors.thread_create_join_cold_ns = 60000;
	m.floors.mpi_launch_ns = 250e6;
	m.floors.mpi_launch_ranks = 3;
	m.floors.mpi_rtt_ns = 900;
	j = mpb_machine_to_json(&m);
	fl = json_object_get(j, "floors");
	assert_true(json_real_value(json_object_get(fl, "mpi_launch_ns")) == 250e6);
	assert_int_equal(json_integer_value(json_object_get(fl, "mpi_launch_ranks")), 3);
	assert_true(json_real_value(json_object_get(fl, "mpi_rtt_ns")) == 900);
	assert_true(json_real_value(json_object_get(fl, "fork_exit_wait_cold_ns")) == 240000);
	assert_true(json_real_value(json_object_get(fl, "spawn_exit_wait_cold_ns")) == 1500000);
	assert_true(json_real_value(json_object_get(fl, "thread_create_join_cold_ns")) == 60000);
	json_decref(j);

	strcpy(m.governor, "performance");
	m.perf_event_paranoid = 2; m.cgroup_cpu_quota = 0; m.max_user_processes = 4096;
	m.cpu_model[0] = (char)0xff;   /* not UTF-8: still a string, never NULL */
	j = mpb_machine_to_json(&m);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "governor")), "performance");
	assert_int_equal(json_integer_value(json_object_get(j, "perf_event_paranoid")), 2);
	assert_true(json_is_null(json_object_get(j, "cgroup_cpu_quota")));
	assert_int_equal(json_integer_value(json_object_get(j, "max_user_processes")), 4096);
	assert_true(json_is_string(json_object_get(j, "cpu_model")));
	json_decref(j);
	assert_null(mpb_machine_to_json(NULL));
}

/* The MPBENCH_* variables of the real process are recorded, each marked by
 * whether it changes a figure, and written under machine.environment. */
static void test_probe_environment(void **state)
{
	(void)state;
	setenv("MPBENCH_SPIN_NS", "0", 1);
	setenv("MPBENCH_NO_PIDFD", "0", 1);
	setenv("MPBENCH_PLOTS_DIR", "/somewhere", 1);
	setenv("MPBENCH_WORKER", "/no/such/mpbench-worker", 1);
	unsetenv("MPBENCH_INJECT");
	struct mpb_machine m;
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_machine_probe(NULL, &m, &d), 0);
	bool seen[4] = { false };
	for (unsigned i = 0; i < m.nenv; i++) {
		const struct mpb_env_var *e = &m.env[i];
		if (strcmp(e->name, "MPBENCH_SPIN_NS") == 0) {
			seen[0] = true;
			assert_string_equal(e->value, "0");
			assert_true(e->changes_measurement);
		} else if (strcmp(e->name, "MPBENCH_NO_PIDFD") == 0) {
			seen[1] = true;
			assert_false(e->changes_measurement); /* 0 means "use pidfd" */
		} else if (strcmp(e->name, "MPBENCH_PLOTS_DIR") == 0) {
			seen[2] = true;
			assert_false(e->changes_measurement);
		} else if (strcmp(e->name, "MPBENCH_WORKER") == 0) {
			seen[3] = true;
			assert_true(e->changes_measurement); /* not the worker beside us */
		} else {
			fail_msg("unexpected variable %s", e->name);
		}
	}
	for (int k = 0; k < 4; k++)
		assert_true(seen[k]);
	json_t *j = mpb_machine_to_json(&m);
	assert_non_null(j);
	json_t *env = json_object_get(j, "environment");
	assert_true(json_is_object(env));
	assert_int_equal(json_object_size(env), 4);
	assert_string_equal(json_string_value(json_object_get(env, "MPBENCH_PLOTS_DIR")),
			    "/somewhere");
	json_decref(j);
	/* a fake root is not this process: nothing recorded */
	assert_int_equal(mpb_machine_probe("/nonexistent-root", &m, &d), 0);
	assert_int_equal(m.nenv, 0);
	unsetenv("MPBENCH_SPIN_NS");
	unsetenv("MPBENCH_NO_PIDFD");
	unsetenv("MPBENCH_PLOTS_DIR");
	unsetenv("MPBENCH_WORKER");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_cpu_max),
		cmocka_unit_test(test_parse_cpu_max_malformed),
		cmocka_unit_test(test_usable_cpus),
		cmocka_unit_test_setup_teardown(test_probe_fake_root, make_root, remove_root),
		cmocka_unit_test_setup_teardown(test_probe_fallbacks, make_root, remove_root),
		cmocka_unit_test_setup_teardown(test_probe_empty_root, make_root, remove_root),
		cmocka_unit_test(test_probe_real),
		cmocka_unit_test(test_to_json),
		cmocka_unit_test(test_probe_environment),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
