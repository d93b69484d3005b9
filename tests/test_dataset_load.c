/* test_dataset_load.c — results files read back into the model: a dataset
 * written and read back writes the same document; every stored sample,
 * re-analyzed, gives the figures and recommendations stored in it; bad
 * files fail naming the file and the place. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec.h"
#include "dataset_load.h"
#include "diag.h"
#include "driver.h"
#include "method.h"
#include "options.h"
#include "plan.h"
#include "results.h"
#include "workload.h"

static char tmpdir[] = "/tmp/mpb_dsload_XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Where a and b differ first ("points[1].derived.speedup"), or "" when
 * equal; numbers within rel (relative) count as equal. */
static bool differ(const json_t *a, const json_t *b, double rel, char *at, size_t len)
{
	if (json_is_number(a) && json_is_number(b)) {
		double x = json_number_value(a), y = json_number_value(b);
		return !(x == y || fabs(x - y) <= rel * fmax(fabs(x), fabs(y)));
	}
	if (json_typeof(a) != json_typeof(b))
		return true;
	if (json_is_object(a)) {
		const char *k;
		json_t *v;
		if (json_object_size(a) != json_object_size(b)) {
			snprintf(at, len, "(keys)");
			return true;
		}
		json_object_foreach((json_t *)a, k, v) {
			size_t n = strlen(at);
			snprintf(at + n, len - n, ".%s", k);
			if (!json_object_get(b, k) || differ(v, json_object_get(b, k), rel, at, len))
				return true;
			at[n] = '\0';
		}
		return false;
	}
	if (json_is_array(a)) {
		if (json_array_size(a) != json_array_size(b))
			return true;
		for (size_t i = 0; i < json_array_size(a); i++) {
			size_t n = strlen(at);
			snprintf(at + n, len - n, "[%zu]", i);
			if (differ(json_array_get(a, i), json_array_get(b, i), rel, at, len))
				return true;
			at[n] = '\0';
		}
		return false;
	}
	return !json_equal((json_t *)a, (json_t *)b);
}

static void assert_same(const json_t *a, const json_t *b, double rel, const char *what)
{
	char at[512] = "";
	if (differ(a, b, rel, at, sizeof at)) {
		char *x = json_dumps(a, JSON_COMPACT | JSON_ENCODE_ANY);
		char *y = json_dumps(b, JSON_COMPACT | JSON_ENCODE_ANY);
		print_error("%s differs at %s\n  %.600s\n  %.600s\n", what, at, x, y);
		free(x);
		free(y);
		fail();
	}
}

/* ---- round trip --------------------------------------------------------- */

static void write_doc(const char *path, json_t *doc)
{
	struct mpb_diag d = { 0 };
	if (mpb_results_write(path, doc, &d) != 0)
		fail_msg("write: %s", d.msg);
}

/* Load path, build its document again, and compare with want exactly. */
static void assert_round_trip(const char *path, const json_t *want)
{
	struct mpb_loaded l;
	struct mpb_diag d = { 0 };
	if (mpb_dataset_load(path, &l, &d) != 0)
		fail_msg("load: %s", d.msg);
	json_t *again = mpb_results_build(&l.ds);
	assert_non_null(again);
	assert_same(want, again, 0, "the document read back and written again");
	json_decref(again);
	mpb_dataset_unload(&l);
}

/* A real sweep (counters off): fork and thread at 1 and 2 workers with
 * their ceilings, the floors and self-check measured first as the CLI does;
 * its file, read back, writes itself again exactly. */
static void test_round_trip_of_a_sweep(void **state)
{
	(void)state;
	char out[256];
	snprintf(out, sizeof out, "%s/sweep.json", tmpdir);
	char *argv[] = { "sweep", "-w", "null", "-t", "20", "-j", "1,2", "-m", "fork,thread",
			 "-r", "2", "--max-runs", "3", "--seed", "3", "-q", "-o", out };
	int argc = (int)(sizeof argv / sizeof argv[0]);
	struct mpb_config cfg;
	struct mpb_machine m;
	struct mpb_plan plan;
	struct mpb_diag d = { 0 };
	if (mpb_options_parse(MPB_CMD_SWEEP, argc - 1, argv + 1, &cfg, &d) != 0)
		fail_msg("options: %s", d.msg);
	assert_int_equal(mpb_machine_probe(NULL, &m, &d), 0);
	if (mpb_machine_measure_floors(&m, NULL, &d) != 0)
		fail_msg("floors: %s", d.msg);
	if (mpb_plan_build(&cfg, &m, &plan, &d) != 0)
		fail_msg("plan: %s", d.msg);
	struct mpb_sampling_policy policy;
	double tolerance;
	assert_int_equal(mpb_sampling_policy_from(&cfg, false, &policy, &tolerance, &d), 0);
	struct mpb_sweep s = { .plan = &plan, .machine = &m, .output = out, .argc = argc,
			       .argv = argv, .options = mpb_options_json(MPB_CMD_SWEEP, &cfg),
			       .sampling = policy, .tolerance = tolerance, .start_busy_cpus = -1 };
	if (mpb_sweep_run(&s, &d) != 0)
		fail_msg("sweep: %s", d.msg);
	json_t *doc;
	assert_int_equal(mpb_results_load(out, &doc, &d), 0);
	assert_true(json_array_size(json_object_get(doc, "ceilings")) > 0);
	/* the harness's own cost is on record: the floors its fixed costs are
	 * judged against, and per run its work inside the windows */
	const json_t *mach = json_object_get(doc, "machine");
	const char *fl[] = { "pipe_rtt_ns", "fork_exit_wait_ns", "spawn_exit_wait_ns",
			     "thread_create_join_ns" };
	for (size_t k = 0; k < 4; k++)
		assert_true(json_number_value(json_object_get(json_object_get(mach, "floors"),
							      fl[k])) > 0);
	const json_t *sc = json_object_get(mach, "selfcheck");
	assert_int_equal(json_integer_value(json_object_get(sc, "runs")), MPB_SELFCHECK_RUNS);
	assert_true(json_number_value(json_object_get(sc, "min_task_ns")) ==
		    MPB_SELFCHECK_FACTOR * json_number_value(json_object_get(sc, "overhead_ns")));
	const json_t *pts = json_object_get(doc, "points");
	for (size_t i = 0; i < json_array_size(pts); i++) {
		const json_t *p = json_array_get(pts, i), *der = json_object_get(p, "derived");
		const json_t *run = json_array_get(json_object_get(p, "runs"), 0);
		assert_true(json_is_integer(json_object_get(run, "instrumentation_ns")));
		const json_t *w0 = json_array_get(json_object_get(run, "workers_detail"), 0);
		assert_true(json_is_integer(json_object_get(w0, "instrumentation_ns")));
		assert_true(json_is_object(json_object_get(w0, "startup_timeline")));
		/* a native worker's page faults at READY: a count, kept on the
		 * round trip below */
		assert_true(json_is_integer(json_object_get(json_object_get(w0, "startup_timeline"),
							     "faults")));
		assert_true(json_number_value(json_object_get(der, "startup_per_worker_floors")) > 0);
		assert_true(json_number_value(json_object_get(der, "teardown_per_worker_floors")) > 0);
	}
	assert_round_trip(out, doc);
	json_decref(doc);
	mpb_sweep_free(&s);
	json_decref(s.options);
	mpb_plan_free(&plan);
}

/* A hand-made dataset with counters (one event unavailable, one counted
 * nowhere in one run), workers with memory, an overhead split, chunks, a
 * failed point and a failed baseline, and two MPBENCH_* variables of which
 * one changes what is measured (its warning, read back, says so). */
static void test_round_trip_with_counters_and_failures(void **state)
{
	(void)state;
	struct mpb_point pt[2];
	memset(pt, 0, sizeof pt);
	for (unsigned i = 0; i < 2; i++)
		pt[i] = (struct mpb_point){ .id = i, .workload = &mpb_workload_null, .size = 0,
					    .tasks = 8, .workers = 2 + i,
					    .method = mpb_method_find("fork"),
					    .codec = mpb_codec_find("raw"), .transport = &mpb_transport_pipe,
					    .chunk_strategy = MPB_CHUNK_AUTO, .chunksize = 1,
					    .baseline = i, .ceiling = MPB_NO_CEILING };
	pt[1].size = 1;
	struct mpb_baseline bl[2] = { { &mpb_workload_null, 0, 8 }, { &mpb_workload_null, 1, 8 } };
	json_t *config = json_pack("{s:I, s:I, s:I}", "seed", (json_int_t)5, "runs", (json_int_t)3,
				   "warmup", (json_int_t)0);
	json_t *options = json_pack("{s:I, s:I, s:f, s:f, s:f, s:s}", "runs", (json_int_t)3,
				    "max-runs", (json_int_t)4, "target-ci", 3.0, "max-time", 10.0,
				    "tolerance", 5.0, "counters", "default");
	struct mpb_plan plan = { .points = pt, .npoints = 2, .baselines = bl, .nbaselines = 2,
				 .runs = 3, .seed = 5, .config = config };
	struct mpb_machine m = { .hostname = "h", .usable_cpus = 2, .online_cpus = 2,
				 .affinity_cpus = 2, .mem_available_bytes = 1 << 30,
				 .perf_event_paranoid = 2, .max_user_processes = -1,
				 .env = { { "MPBENCH_SPIN_NS", "0", true },
					  { "MPBENCH_PLOTS_DIR", "/p", false } },
				 .nenv = 2 };
	struct mpb_counter_set set = { .n = 3 };
	const char *names[3] = { "instructions", "cycles", "branch-misses" };
	for (int k = 0; k < 3; k++) {
		snprintf(set.ev[k].name, sizeof set.ev[k].name, "%s", names[k]);
		snprintf(set.ev[k].key, sizeof set.ev[k].key, "%s", names[k]);
		set.ev[k].available = k < 2;
		set.ev[k].plan_index = k < 2 ? k : -1;
	}
	snprintf(set.ev[2].reason, sizeof set.ev[2].reason, "not supported here");
	set.plan.n = 2;
	set.plan.leader[0] = set.plan.leader[1] = 0; /* one group */
	struct mpb_dataset ds = { .plan = &plan, .machine = &m, .counters = &set,
				  .options = options, .start_busy_cpus = -1,
				  .sampling = { .max_runs = 4, .target_ci = 0.03,
						.max_time_ns = 10000000000ull },
				  .tolerance = 0.05, .status = "failed" };
	snprintf(ds.started, sizeof ds.started, "2026-01-01T00:00:00Z");
	snprintf(ds.finished, sizeof ds.finished, "2026-01-01T00:00:09Z");
	assert_int_equal(mpb_dataset_alloc(&ds), 0);
	for (uint64_t r = 0; r < 3; r++) {
		struct mpb_sample smp = { .wall_ns = 1000 + 37 * r, .startup_ns = 10 + r,
					  .map_ns = 700 + r, .teardown_ns = 5, .compute_ns = 900,
					  .codec_parent_ns = 3, .codec_workers_ns = 4 + r,
					  .bytes_sent = 80, .bytes_received = 90, .nworkers = 2 };
		smp.worker = calloc(2, sizeof *smp.worker);
		assert_non_null(smp.worker);
		for (unsigned k = 0; k < 2; k++) {
			struct mpb_worker_report *w = &smp.worker[k];
			*w = (struct mpb_worker_report){ .pid = 100 + (pid_t)k, .startup_ns = 20 + k,
							 .tasks = 4, .compute_ns = 450, .codec_ns = 2,
							 .idle_ns = 30, .send_ns = 6, .serve_ns = 500,
							 .nvcsw = 3, .nivcsw = 1, .minflt = 50,
							 .maxrss_kb = 4096, .has_memory = true,
							 .rss_kb = 2048, .pss_kb = 1024,
							 .private_dirty_kb = 512 };
			w->counters.n = 2;
			w->counters.c[0] = (struct mpb_count){ 5000 + r, 10, 10, MPB_COUNT_OK, 0 };
			/* cycles counted nowhere in run 2: coverage 0 */
			w->counters.c[1] = (struct mpb_count){ 4000, 10, r == 2 ? 0 : 10,
							       MPB_COUNT_OK, 0 };
		}
		smp.harness.perf.n = 2;
		smp.harness.perf.c[0] = (struct mpb_count){ 700, 1, 1, MPB_COUNT_OK, 0 };
		smp.harness.perf.c[1] = (struct mpb_count){ 900, 1, r == 2 ? 0 : 1, MPB_COUNT_OK, 0 };
		smp.harness.nvcsw = 2;
		smp.harness.nivcsw = 1;
		smp.overhead = (struct mpb_overhead){ .map_ns = 700, .parent_codec_ns = 3,
						      .parent_transport_ns = 50, .parent_wait_ns = 600,
						      .parent_other_ns = 47, .serve_ns = 1000,
						      .compute_ns = 900, .worker_codec_ns = 4,
						      .worker_wait_ns = 60, .worker_send_ns = 12,
						      .worker_other_ns = 24, .parent_syscalls = 9,
						      .bytes_sent = 80, .bytes_received = 90, .tasks = 8 };
		smp.chunks = (struct mpb_chunk_stats){ .chunks = 4, .tasks = 8, .min = 1, .max = 3,
						       .nfirst = 3, .first = { 1, 3, 2 } };
		assert_int_equal(mpb_dataset_add_run(&ds.pts[0], &smp), 0);
		assert_int_equal(mpb_dataset_add_wall(&ds.bls[0], 2000.0 + 10.0 * (double)r), 0);
		mpb_sampling_account(&ds.pts[0].acct, 1200, 1100, true);
		mpb_sampling_account(&ds.bls[0].acct, 2100, 2000, true);
	}
	ds.pts[1].failed = ds.bls[1].failed = true;
	snprintf(ds.pts[1].error, sizeof ds.pts[1].error, "worker 0 (pid 7) died");
	ds.pts[1].error_kind = "worker_died";
	snprintf(ds.bls[1].error, sizeof ds.bls[1].error, "result check failed");
	ds.bls[1].error_kind = "wrong_result";
	json_t *doc = mpb_results_build(&ds);
	assert_non_null(doc);
	char path[256];
	snprintf(path, sizeof path, "%s/hand.json", tmpdir);
	write_doc(path, doc);
	assert_round_trip(path, doc);
	json_decref(doc);
	mpb_dataset_free(&ds);
	json_decref(config);
	json_decref(options);
}

/* ---- stored samples re-analyzed ----------------------------------------- */

/* Every key of stored `want` (an object) has the same value in got: keys a
 * sample predates are only in got. */
static void assert_stored_kept(const json_t *want, const json_t *got, double rel, const char *what)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)want, k, v) {
		char name[2200];
		snprintf(name, sizeof name, "%s.%s", what, k);
		assert_non_null(json_object_get(got, k));
		assert_same(v, json_object_get(got, k), rel, name);
	}
}

static const char *const counter_keys[] = {
	"ipc", "context_switches_per_task", "context_switches_per_second",
	"context_switches_vs_rusage", "cpu_migrations_per_task", "page_faults_per_worker",
	"cpus_utilized",
};

/* Re-analyze one sample: each point's derived figures, each
 * recommendation, and each ceiling's speedup as stored. Counter figures
 * come from the rounded values a file keeps: within 1e-6. */
static void reanalyze(const char *path)
{
	struct mpb_loaded l;
	struct mpb_diag d = { 0 };
	if (mpb_dataset_load(path, &l, &d) != 0)
		fail_msg("load: %s", d.msg);
	json_t *got = mpb_results_build(&l.ds);
	assert_non_null(got);
	const json_t *pts = json_object_get(l.doc, "points");
	for (size_t i = 0; i < json_array_size(pts); i++) {
		json_t *want = json_deep_copy(json_object_get(json_array_get(pts, i), "derived"));
		json_t *gd = json_object_get(json_array_get(json_object_get(got, "points"), i),
					     "derived");
		char what[2048];
		snprintf(what, sizeof what, "%s points[%zu].derived", path, i);
		for (size_t k = 0; k < sizeof counter_keys / sizeof counter_keys[0]; k++) {
			json_t *w = json_object_get(want, counter_keys[k]);
			if (w) {
				char name[2200];
				snprintf(name, sizeof name, "%s.%s", what, counter_keys[k]);
				assert_same(w, json_object_get(gd, counter_keys[k]), 1e-6, name);
				json_object_del(want, counter_keys[k]);
			}
		}
		assert_stored_kept(want, gd, 1e-12, what);
		json_decref(want);
	}
	const json_t *wr = json_object_get(json_object_get(l.doc, "analysis"), "recommendations");
	const json_t *gr = json_object_get(json_object_get(got, "analysis"), "recommendations");
	assert_int_equal(json_array_size(wr), json_array_size(gr));
	for (size_t i = 0; i < json_array_size(wr); i++) {
		char what[2048];
		snprintf(what, sizeof what, "%s analysis.recommendations[%zu]", path, i);
		/* samples that predate the ceiling's sentence in `why` store its start */
		json_t *want = json_deep_copy(json_array_get(wr, i));
		const char *ww = json_string_value(json_object_get(want, "why"));
		const char *gw = json_string_value(json_object_get(json_array_get(gr, i), "why"));
		assert_non_null(ww);
		assert_non_null(gw);
		if (strncmp(ww, gw, strlen(ww)) != 0)
			fail_msg("%s.why: '%s' does not start '%s'", what, gw, ww);
		json_object_del(want, "why");
		assert_stored_kept(want, json_array_get(gr, i), 1e-12, what);
		json_decref(want);
	}
	const json_t *wc = json_object_get(l.doc, "ceilings"), *gc = json_object_get(got, "ceilings");
	assert_int_equal(json_array_size(wc), json_array_size(gc));
	for (size_t j = 0; j < json_array_size(wc); j++) {
		char what[2048];
		snprintf(what, sizeof what, "%s ceilings[%zu]", path, j);
		assert_stored_kept(json_array_get(wc, j), json_array_get(gc, j), 1e-12, what);
	}
	json_decref(got);
	mpb_dataset_unload(&l);
}

static void test_samples_reanalyze_to_what_they_store(void **state)
{
	(void)state;
	const char *root = getenv("MPB_SOURCE_ROOT");
	char dir[1024];
	snprintf(dir, sizeof dir, "%s/results/samples", root ? root : "..");
	DIR *dp = opendir(dir);
	assert_non_null(dp);
	size_t seen = 0;
	struct dirent *e;
	while ((e = readdir(dp))) {
		size_t n = strlen(e->d_name);
		if (n < 6 || strcmp(e->d_name + n - 5, ".json") != 0)
			continue;
		char path[1400];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		reanalyze(path);
		seen++;
	}
	closedir(dp);
	assert_true(seen >= 5);
}

/* ---- bad files ---------------------------------------------------------- */

static void assert_load_fails(const char *text, const char *want)
{
	char path[256];
	snprintf(path, sizeof path, "%s/bad.json", tmpdir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	struct mpb_loaded l;
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_dataset_load(path, &l, &d), -MPB_EINPUT);
	if (!strstr(d.msg, want) || !strstr(d.msg, path))
		fail_msg("'%s' lacks '%s' or the path", d.msg, want);
	assert_null(l.ds.pts);
	assert_null(l.doc);
}

#define FRAME(points, baselines)                                                          \
	"{\"schema\": \"mpbench.results/1\", \"machine\": {}, \"config\": {\"seed\": 1}, " \
	"\"points\": " points ", \"baselines\": " baselines "}"
#define POINT(workload, method, run)                                                      \
	"[{\"workload\": \"" workload "\", \"method\": \"" method "\", \"codec\": \"raw\", " \
	"\"transport\": \"pipe\", \"chunk_strategy\": \"fixed\", \"workers\": 2, "           \
	"\"size\": 0, \"tasks\": 4, \"chunksize\": 1, \"runs\": [" run "]}]"
#define NULL_BASELINE "[{\"workload\": \"null\", \"size\": 0, \"tasks\": 4, \"runs\": [5]}]"

static void test_bad_files_name_the_place(void **state)
{
	(void)state;
	assert_load_fails("{\"schema\": \"other/2\"}", "schema 'other/2' is not supported");
	assert_load_fails("[1]", "top level is not an object");
	assert_load_fails(FRAME(POINT("nope", "fork", ""), NULL_BASELINE),
			  "points[0].workload is not a workload of this mpbench");
	assert_load_fails(FRAME(POINT("null", "vfork", ""), NULL_BASELINE),
			  "points[0].method is not a start method");
	assert_load_fails(FRAME(POINT("null", "fork", "{\"wall_ns\": -3}"), NULL_BASELINE),
			  "points[0].runs[0].wall_ns is not a number >= 0");
	assert_load_fails(FRAME(POINT("null", "fork", "{\"wall_ns\": 9, \"map_ns\": \"x\"}"),
				NULL_BASELINE),
			  "points[0].runs[0].map_ns is not a number >= 0");
	assert_load_fails(FRAME(POINT("null", "fork", ""), "[]"),
			  "points[0] has no serial baseline");
	assert_load_fails(FRAME(POINT("null", "fork", ""),
				"[{\"workload\": \"null\", \"size\": 0, \"tasks\": 4, \"runs\": [-1]}]"),
			  "baselines[0].runs holds a value that is not a number >= 0");
	/* a frame that holds: loads, with its one run */
	char path[256];
	snprintf(path, sizeof path, "%s/good.json", tmpdir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(FRAME(POINT("null", "fork", "{\"wall_ns\": 9}"), NULL_BASELINE), f);
	fclose(f);
	struct mpb_loaded l;
	struct mpb_diag d = { 0 };
	if (mpb_dataset_load(path, &l, &d) != 0)
		fail_msg("load: %s", d.msg);
	assert_int_equal(l.ds.pts[0].nruns, 1);
	assert_int_equal(l.ds.pts[0].runs[0].wall_ns, 9);
	assert_int_equal(l.ds.bls[0].n, 1);
	assert_int_equal(l.plan.points[0].baseline, 0);
	assert_true(l.plan.points[0].ceiling == MPB_NO_CEILING);
	mpb_dataset_unload(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_of_a_sweep),
		cmocka_unit_test(test_round_trip_with_counters_and_failures),
		cmocka_unit_test(test_samples_reanalyze_to_what_they_store),
		cmocka_unit_test(test_bad_files_name_the_place),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
