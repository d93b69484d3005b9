/* test_results.c — cmocka tests for results.c and analysis.c: a real small
 * sweep run in-process and its document checked key by key and against its
 * own invariants; atomic write, path checks and load validation on files in
 * a scratch directory; the derived figures on hand-built samples. */
#include "outfile.h"
#include "results.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <ftw.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis.h"
#include "codec.h"
#include "driver.h"
#include "machine.h"
#include "method.h"
#include "options.h"
#include "plan.h"
#include "workload.h"

/* ---- scratch directory ---- */

static int rm_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb; (void)type; (void)ftw;
	return remove(path);
}

/* *state is a fresh mkdtemp directory, removed afterwards even when the test
 * fails (permissions restored first, for the read-only cases). */
static int make_dir(void **state)
{
	char *dir = strdup("/tmp/mpb_results_XXXXXX");
	if (!dir || !mkdtemp(dir)) {
		free(dir);
		return -1;
	}
	*state = dir;
	return 0;
}

static int remove_dir(void **state)
{
	/* the claims of this test's paths (output/outfile.h) end with it */
	mpb_outfile_release_all();
	chmod(*state, 0700);
	int rc = nftw(*state, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(*state);
	return rc == 0 ? 0 : -1;
}

static void join(char *buf, size_t len, const char *dir, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", dir, name);
	assert_true(n > 0 && (size_t)n < len);
}

/* Entries of dir other than . and ..; fails the test on a leftover temporary
 * file (any name containing ".tmp."). */
static size_t count_entries(const char *dir)
{
	DIR *dp = opendir(dir);
	assert_non_null(dp);
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(dp)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (strstr(e->d_name, ".tmp."))
			fail_msg("temporary file left behind: %s/%s", dir, e->d_name);
		n++;
	}
	closedir(dp);
	return n;
}

static void put_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char *buf = malloc(1 << 20);
	assert_non_null(buf);
	size_t n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void assert_msg_has(const struct mpb_diag *d, const char *needle)
{
	if (!strstr(d->msg, needle))
		fail_msg("message \"%s\" does not mention \"%s\"", d->msg, needle);
}

/* ---- JSON helpers ---- */

static json_t *get(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	if (!v)
		fail_msg("key \"%s\" missing", key);
	return v;
}

static uint64_t get_u(json_t *o, const char *key)
{
	json_t *v = get(o, key);
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		fail_msg("\"%s\" is not a non-negative integer", key);
	return (uint64_t)json_integer_value(v);
}

static double get_num(json_t *o, const char *key)
{
	json_t *v = get(o, key);
	if (!json_is_number(v))
		fail_msg("\"%s\" is not a number", key);
	return json_number_value(v);
}

static const char *get_str(json_t *o, const char *key)
{
	json_t *v = get(o, key);
	if (!json_is_string(v))
		fail_msg("\"%s\" is not a string", key);
	return json_string_value(v);
}

static void assert_close(double got, double want, const char *what)
{
	double tol = 1e-9 * (fabs(want) > 1 ? fabs(want) : 1);
	if (!(fabs(got - want) <= tol))
		fail_msg("%s = %.17g, want %.17g", what, got, want);
}

static const char *const summary_keys[] = {
	"n", "min", "max", "median", "mean", "stddev", "mad", "p95", "ci95", "outliers",
};

/* A summary of `n` values, consistent with the values themselves. */
static void check_summary(json_t *sm, const double *v, size_t n)
{
	assert_true(json_is_object(sm));
	for (size_t k = 0; k < sizeof summary_keys / sizeof summary_keys[0]; k++)
		get(sm, summary_keys[k]);
	assert_int_equal(get_u(sm, "n"), n);
	double lo = v[0], hi = v[0], sum = 0;
	for (size_t i = 0; i < n; i++) {
		lo = v[i] < lo ? v[i] : lo;
		hi = v[i] > hi ? v[i] : hi;
		sum += v[i];
	}
	assert_close(get_num(sm, "min"), lo, "summary min");
	assert_close(get_num(sm, "max"), hi, "summary max");
	assert_close(get_num(sm, "mean"), sum / (double)n, "summary mean");
	double med = get_num(sm, "median");
	assert_true(med >= lo && med <= hi);
	if (n == 2)
		assert_close(med, (v[0] + v[1]) / 2, "summary median of two");
	json_t *ci = get(sm, "ci95");
	assert_true(json_is_array(ci));
	assert_int_equal(json_array_size(ci), 2);
	double cl = json_number_value(json_array_get(ci, 0));
	double ch = json_number_value(json_array_get(ci, 1));
	assert_true(lo <= cl && cl <= ch && ch <= hi);
	assert_true(get_num(sm, "stddev") >= 0);
	assert_true(get_num(sm, "mad") >= 0);
	assert_true(get_u(sm, "outliers") <= n);
}

/* ---- a real sweep ---- */

static void check_run(json_t *run, unsigned workers, uint64_t tasks)
{
	assert_true(json_is_object(run));
	uint64_t wall = get_u(run, "wall_ns"), startup = get_u(run, "startup_ns");
	uint64_t map = get_u(run, "map_ns"), teardown = get_u(run, "teardown_ns");
	uint64_t compute = get_u(run, "compute_ns");
	/* start, map and stop are disjoint intervals inside [start requested,
	 * stop done] (driver.c, pool.c) */
	assert_true(wall > 0 && map > 0 && startup > 0);
	assert_true(wall >= startup + map + teardown);
	json_t *codec = get(run, "codec_ns");
	assert_true(json_is_object(codec));
	uint64_t cpar = get_u(codec, "parent"), cwork = get_u(codec, "workers");
	assert_true(cpar <= map);
	/* every task crossed the pipe both ways */
	assert_true(get_u(run, "bytes_sent") >= tasks);
	assert_true(get_u(run, "bytes_received") >= tasks);

	json_t *det = get(run, "workers_detail");
	assert_true(json_is_array(det));
	assert_int_equal(json_array_size(det), workers);
	uint64_t sum_tasks = 0, sum_compute = 0, sum_codec = 0;
	for (size_t k = 0; k < workers; k++) {
		json_t *w = json_array_get(det, k);
		assert_int_equal(get_u(w, "index"), k);
		uint64_t pid = get_u(w, "pid");
		assert_true(pid > 0 && pid != (uint64_t)getpid());
		for (size_t j = 0; j < k; j++)
			assert_true(get_u(json_array_get(det, j), "pid") != pid);
		/* a worker is ready before the parent has seen every worker ready */
		assert_true(get_u(w, "startup_ns") <= startup);
		sum_tasks += get_u(w, "tasks");
		sum_compute += get_u(w, "compute_ns");
		sum_codec += get_u(w, "codec_ns");
		get_u(w, "idle_ns");
		get_u(w, "voluntary_context_switches");
		get_u(w, "involuntary_context_switches");
		get_u(w, "minor_faults");
		get_u(w, "major_faults");
		get_u(w, "maxrss_bytes");
	}
	assert_int_equal(sum_tasks, tasks);
	assert_int_equal(sum_compute, compute);
	assert_int_equal(sum_codec, cwork);
}

static void check_point(json_t *pt, json_t *baseline, size_t id)
{
	assert_true(json_is_object(pt));
	assert_int_equal(get_u(pt, "id"), id);
	assert_string_equal(get_str(pt, "workload"), "null");
	assert_int_equal(get_u(pt, "size"), 0);
	uint64_t tasks = get_u(pt, "tasks");
	assert_int_equal(tasks, 50);
	unsigned workers = (unsigned)get_u(pt, "workers");
	assert_true(workers == 1 || workers == 2);
	assert_string_equal(get_str(pt, "method"), "fork");
	assert_string_equal(get_str(pt, "codec"), "raw");
	assert_string_equal(get_str(pt, "transport"), "pipe");
	assert_int_equal(get_u(pt, "chunksize"), 1);
	assert_string_equal(get_str(pt, "chunk_strategy"), mpb_chunk_strategy_name(MPB_CHUNK_FIXED));
	assert_int_equal(get_u(pt, "parent_rss"), 0);
	assert_true(json_is_null(get(pt, "error")));

	json_t *runs = get(pt, "runs");
	assert_true(json_is_array(runs));
	assert_int_equal(json_array_size(runs), 2);
	for (size_t r = 0; r < 2; r++)
		check_run(json_array_get(runs, r), workers, tasks);

	/* one summary per metric of the table, each consistent with the runs */
	json_t *summary = get(pt, "summary");
	size_t nm;
	const struct mpb_metric *ms = mpb_metrics(&nm);
	for (size_t k = 0; k < nm; k++) {
		double v[2];
		for (size_t r = 0; r < 2; r++) {
			json_t *run = json_array_get(runs, r);
			if (strcmp(ms[k].name, "codec_parent_ns") == 0)
				v[r] = (double)get_u(get(run, "codec_ns"), "parent");
			else if (strcmp(ms[k].name, "codec_workers_ns") == 0)
				v[r] = (double)get_u(get(run, "codec_ns"), "workers");
			else
				v[r] = (double)get_u(run, ms[k].name);
		}
		check_summary(get(summary, ms[k].name), v, 2);
	}

	json_t *der = get(pt, "derived");
	double serial = get_num(get(baseline, "wall_ns"), "median");
	double wall = get_num(get(summary, "wall_ns"), "median");
	double speedup = get_num(der, "speedup");
	assert_close(speedup, serial / wall, "speedup");
	assert_close(get_num(der, "efficiency"), speedup / workers, "efficiency");
	if (workers == 1)
		assert_true(json_is_null(get(der, "karp_flatt")));
	else
		assert_close(get_num(der, "karp_flatt"),
			     (1 / speedup - 1.0 / workers) / (1 - 1.0 / workers), "karp_flatt");
	double map = get_num(get(summary, "map_ns"), "median");
	double compute = get_num(get(summary, "compute_ns"), "median");
	assert_close(get_num(der, "overhead_per_task_ns"),
		     (workers * map - compute) / (double)tasks, "overhead_per_task_ns");
	json_t *sci = get(der, "speedup_ci95");
	assert_true(json_is_array(sci));
	assert_int_equal(json_array_size(sci), 2);
	assert_true(json_number_value(json_array_get(sci, 0)) <=
		    json_number_value(json_array_get(sci, 1)));
	get_num(der, "serialization_fraction");
	get_num(der, "startup_per_worker_ns");
}

static void test_sweep_document(void **state)
{
	const char *dir = *state;
	char path[PATH_MAX];
	join(path, sizeof path, dir, "sweep.json");
	char *full[] = { "mpbench", "sweep", "-w", "null", "-t", "50", "-j", "1,2", "-r", "2",
			 "--warmup", "0", "-c", "1", "-m", "fork", "--codec", "raw",
			 "--transport", "pipe", "-o", path };
	const int full_argc = (int)(sizeof full / sizeof full[0]);

	struct mpb_config cfg;
	struct mpb_machine m;
	struct mpb_plan plan;
	struct mpb_diag d = { 0 };
	if (mpb_options_parse(MPB_CMD_SWEEP, full_argc - 2, full + 2, &cfg, &d) != 0)
		fail_msg("options: %s", d.msg);
	assert_int_equal(mpb_machine_probe(NULL, &m, &d), 0);
	if (mpb_plan_build(&cfg, &m, &plan, &d) != 0)
		fail_msg("plan: %s", d.msg);
	assert_int_equal(plan.npoints, 2);
	assert_int_equal(plan.nbaselines, 1);
	assert_int_equal(mpb_results_check_path(cfg.output, &d), 0);

	struct mpb_sweep s = {
		.plan = &plan,
		.machine = &m,
		.output = cfg.output,
		.argc = full_argc,
		.argv = full,
		.options = mpb_options_json(MPB_CMD_SWEEP, &cfg),
	};
	assert_non_null(s.options);
	int rc = mpb_sweep_run(&s, &d);
	if (rc != 0)
		fail_msg("sweep: %d %s", rc, d.msg);
	assert_string_equal(s.data.status, "complete");
	assert_int_equal(count_entries(dir), 1);
	/* at least the final write, and no more than one per round after the
	 * first: 2 points and a baseline, at most 30 runs each */
	assert_true(s.writes >= 1 && s.writes <= 31);
	assert_true(s.last_write_ns > 0);

	json_t *doc = NULL;
	if (mpb_results_load(path, &doc, &d) != 0)
		fail_msg("load: %s", d.msg);
	assert_non_null(doc);

	/* the file is exactly the document of the finished sweep */
	json_t *built = mpb_results_build(&s.data);
	assert_non_null(built);
	assert_true(json_equal(doc, built));
	json_decref(built);

	assert_string_equal(get_str(doc, "schema"), "mpbench.results/1");
	assert_string_equal(get_str(doc, "schema"), MPB_RESULTS_SCHEMA);
	assert_string_equal(get_str(get(doc, "tool"), "name"), "mpbench");
	get_str(get(doc, "tool"), "version");
	get_str(get(doc, "tool"), "git");
	json_t *cmd = get(doc, "command");
	assert_true(json_is_array(cmd));
	assert_int_equal(json_array_size(cmd), full_argc);
	for (int i = 0; i < full_argc; i++)
		assert_string_equal(json_string_value(json_array_get(cmd, (size_t)i)), full[i]);
	const char *started = get_str(doc, "started"), *finished = get_str(doc, "finished");
	/* UTC ISO-8601 "YYYY-MM-DDTHH:MM:SSZ" sorts as text */
	assert_int_equal(strlen(started), 20);
	assert_int_equal(strlen(finished), 20);
	assert_int_equal(started[10], 'T');
	assert_int_equal(started[19], 'Z');
	assert_true(strcmp(started, finished) <= 0);
	assert_string_equal(get_str(doc, "status"), "complete");

	json_t *mach = get(doc, "machine");
	assert_true(json_is_object(mach));
	assert_int_equal(get_u(mach, "usable_cpus"), (uint64_t)m.usable_cpus);
	assert_true(get_u(mach, "usable_cpus") >= 1);

	json_t *config = get(doc, "config");
	assert_true(json_is_object(config));
	assert_true(json_equal(config, plan.config));
	json_t *cw = get(config, "workers");
	assert_int_equal(json_array_size(cw), 2);
	assert_int_equal(json_integer_value(json_array_get(cw, 0)), 1);
	assert_int_equal(json_integer_value(json_array_get(cw, 1)), 2);
	assert_int_equal(get_u(config, "runs"), 2);
	assert_int_equal(get_u(config, "warmup"), 0);
	json_t *opts = get(doc, "options");
	assert_string_equal(get_str(opts, "workload"), "null");
	assert_string_equal(get_str(opts, "output"), path);

	json_t *bls = get(doc, "baselines");
	assert_true(json_is_array(bls));
	assert_int_equal(json_array_size(bls), 1);
	json_t *bl = json_array_get(bls, 0);
	assert_string_equal(get_str(bl, "workload"), "null");
	assert_int_equal(get_u(bl, "size"), 0);
	assert_int_equal(get_u(bl, "tasks"), 50);
	assert_true(json_is_null(get(bl, "error")));
	json_t *bruns = get(bl, "runs");
	assert_int_equal(json_array_size(bruns), 2);
	double bv[2];
	for (size_t r = 0; r < 2; r++) {
		json_t *x = json_array_get(bruns, r);
		assert_true(json_is_integer(x) && json_integer_value(x) > 0);
		bv[r] = (double)json_integer_value(x);
	}
	check_summary(get(bl, "wall_ns"), bv, 2);

	json_t *pts = get(doc, "points");
	assert_true(json_is_array(pts));
	assert_int_equal(json_array_size(pts), 2);
	bool seen[3] = { false, false, false };
	for (size_t i = 0; i < 2; i++) {
		json_t *pt = json_array_get(pts, i);
		check_point(pt, bl, i);
		unsigned w = (unsigned)get_u(pt, "workers");
		assert_false(seen[w]);
		seen[w] = true;
	}
	json_t *an = get(doc, "analysis");
	assert_true(json_is_array(get(an, "fits")));
	assert_true(json_is_array(get(an, "recommendations")));

	json_decref(doc);

	/* the memo hands out exactly what computing afresh gives */
	assert_non_null(s.data.memo);
	for (size_t i = 0; i < plan.npoints; i++) {
		struct mpb_derived kept, fresh;
		struct mpb_analysis_memo *memo = s.data.memo;
		int rk = mpb_analysis_point(&s.data, i, &kept);
		s.data.memo = NULL;
		int rf = mpb_analysis_point(&s.data, i, &fresh);
		s.data.memo = memo;
		assert_int_equal(rk, rf);
		/* field by field: padding bytes are not part of the figures */
		assert_int_equal(kept.n, fresh.n);
#define FIGS(x)                                                                          \
	{ (x).wall_median_ns, (x).wall_ci_lo, (x).wall_ci_hi, (x).speedup, (x).speedup_ci_lo, \
	  (x).speedup_ci_hi, (x).efficiency, (x).karp_flatt, (x).overhead_per_task_ns,      \
	  (x).serialization_fraction, (x).startup_per_worker_ns, (x).ceiling_speedup,       \
	  (x).ceiling_speedup_ci_lo, (x).ceiling_speedup_ci_hi, (x).speedup_vs_ceiling,     \
	  (x).speedup_vs_ceiling_ci_lo, (x).speedup_vs_ceiling_ci_hi, (x).worker_pss_bytes }
		const double a[] = FIGS(kept), b[] = FIGS(fresh);
#undef FIGS
		assert_memory_equal(a, b, sizeof a);
		assert_int_equal(kept.have_speedup, fresh.have_speedup);
		assert_int_equal(kept.have_ceiling, fresh.have_ceiling);
	}
	mpb_sweep_free(&s);
	assert_null(s.data.memo);
	json_decref(s.options);
	mpb_plan_free(&plan);
	/* every worker was reaped by the pool */
	assert_int_equal(count_entries(dir), 1);
}

/* ---- write ---- */

static json_t *sample_doc(const char *tag)
{
	json_t *doc = json_pack("{s:s, s:{s:s, s:I, s:I, s:f, s:f, s:b, s:b, s:n, s:[i, s, [], {}]},"
				" s:s, s:{}, s:[], s:[{s:s, s:s, s:i, s:i, s:i, s:[]}]}",
		"schema", MPB_RESULTS_SCHEMA,
		"stuff", "text", "quotes \" and \\ and \n and \xc3\xa9 and \xe2\x82\xac",
		"big", (json_int_t)INT64_MAX, "neg", (json_int_t)-42,
		"real", 0.1, "tiny", 1e-300, "yes", 1, "no", 0, "nothing",
		"list", 1, "two", "tag", tag,
		"machine", "baselines",
		"points", "workload", "null", "method", "fork", "workers", 2, "size", 0,
		"tasks", 10, "runs");
	assert_non_null(doc);
	return doc;
}

static void test_write_round_trip(void **state)
{
	const char *dir = *state;
	char path[PATH_MAX];
	join(path, sizeof path, dir, "doc.json");
	json_t *doc = sample_doc("first");
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_results_write(path, doc, &d), 0);
	assert_int_equal(count_entries(dir), 1);

	json_error_t err;
	json_t *back = json_load_file(path, 0, &err);
	if (!back)
		fail_msg("written file is not JSON: %s", err.text);
	assert_true(json_equal(doc, back));
	json_decref(back);

	json_t *loaded = NULL;
	assert_int_equal(mpb_results_load(path, &loaded, &d), 0);
	assert_true(json_equal(doc, loaded));
	json_decref(loaded);
	json_decref(doc);
}

static void test_write_replaces_existing(void **state)
{
	const char *dir = *state;
	char path[PATH_MAX];
	join(path, sizeof path, dir, "doc.json");
	/* a longer old file: a write that only overwrote in place would leave a tail */
	put_text(path, "[\"an old file that is much longer than what replaces it......................"
		       "...............................................................................\"]");
	json_t *a = sample_doc("a"), *b = json_pack("{s:s}", "k", "v");
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_results_write(path, a, &d), 0);
	assert_int_equal(mpb_results_write(path, b, &d), 0);
	assert_int_equal(count_entries(dir), 1);
	json_error_t err;
	json_t *back = json_load_file(path, 0, &err);
	assert_non_null(back);
	assert_true(json_equal(back, b));
	assert_false(json_equal(back, a));
	json_decref(back);
	json_decref(a);
	json_decref(b);
}

static void test_write_missing_dir_fails(void **state)
{
	const char *dir = *state;
	char path[PATH_MAX];
	join(path, sizeof path, dir, "no/such/dir/doc.json");
	json_t *doc = sample_doc("x");
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_results_write(path, doc, &d), -MPB_EIO);
	assert_int_equal(d.code, MPB_EIO);
	assert_msg_has(&d, "doc.json");
	assert_int_equal(count_entries(dir), 0);
	json_decref(doc);
}

/* The target is a directory: the temporary file is written and the rename
 * fails; that file must be cleaned up and the directory kept. */
static void test_write_onto_directory_fails_cleanly(void **state)
{
	const char *dir = *state;
	char path[PATH_MAX], inner[PATH_MAX];
	join(path, sizeof path, dir, "taken");
	assert_int_equal(mkdir(path, 0755), 0);
	join(inner, sizeof inner, path, "keep.txt");
	put_text(inner, "keep");
	json_t *doc = sample_doc("x");
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_results_write(path, doc, &d), -MPB_EIO);
	assert_int_equal(d.code, MPB_EIO);
	assert_msg_has(&d, path);
	assert_int_equal(count_entries(dir), 1);
	assert_int_equal(count_entries(path), 1);
	char *text = slurp(inner);
	assert_string_equal(text, "keep");
	free(text);
	json_decref(doc);
}

/* A directory that takes no new file: the old results must survive intact. */
static void test_write_failure_keeps_previous(void **state)
{
	const char *dir = *state;
	if (geteuid() == 0)
		return; /* root writes into read-only directories */
	char path[PATH_MAX];
	join(path, sizeof path, dir, "doc.json");
	json_t *old = sample_doc("old"), *new = sample_doc("new");
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_results_write(path, old, &d), 0);
	char *before = slurp(path);
	assert_int_equal(chmod(dir, 0500), 0);
	assert_int_equal(mpb_results_write(path, new, &d), -MPB_EIO);
	assert_int_equal(d.code, MPB_EIO);
	assert_int_equal(chmod(dir, 0700), 0);
	char *after = slurp(path);
	assert_string_equal(before, after);
	assert_int_equal(count_entries(dir), 1);
	free(before);
	free(after);
	json_decref(old);
	json_decref(new);
}

/* ---- check_path ---- */

static void test_check_path_accepts(void **state)
{
	const char *dir = *state;
	char path[PATH_MAX];
	struct mpb_diag d = { 0 };
	join(path, sizeof path, dir, "new.json");
	assert_int_equal(mpb_results_check_path(path, &d), 0);
	assert_int_equal(count_entries(dir), 0);
	/* an existing file may be replaced, and is left as it was */
	put_text(path, "old contents");
	assert_int_equal(mpb_results_check_path(path, &d), 0);
	assert_int_equal(count_entries(dir), 1);
	char *text = slurp(path);
	assert_string_equal(text, "old contents");
	free(text);
}

static void assert_path_rejected(const char *path, const char *dir, size_t entries)
{
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_results_check_path(path, &d), -MPB_EINPUT);
	assert_int_equal(d.code, MPB_EINPUT);
	if (*path)
		assert_msg_has(&d, path);
	assert_int_equal(count_entries(dir), entries);
}

static void test_check_path_rejects(void **state)
{
	const char *dir = *state;
	char path[PATH_MAX];
	assert_path_rejected(dir, dir, 0);               /* a directory */
	join(path, sizeof path, dir, "missing/out.json"); /* a missing directory */
	assert_path_rejected(path, dir, 0);
	assert_path_rejected("", dir, 0);
	join(path, sizeof path, dir, "sub");
	assert_int_equal(mkdir(path, 0755), 0);
	assert_path_rejected(path, dir, 1);
	if (geteuid() != 0) { /* root writes into read-only directories */
		char file[PATH_MAX];
		join(file, sizeof file, path, "out.json");
		assert_int_equal(chmod(path, 0500), 0);
		assert_path_rejected(file, path, 0);
		assert_int_equal(chmod(path, 0700), 0);
	}
}

/* ---- load ---- */

static void assert_load_rejected(const char *path, const char *needle)
{
	struct mpb_diag d = { 0 };
	json_t *doc = json_true(); /* must be reset to NULL on failure */
	assert_int_equal(mpb_results_load(path, &doc, &d), -MPB_EINPUT);
	assert_null(doc);
	assert_int_equal(d.code, MPB_EINPUT);
	assert_msg_has(&d, path);
	if (needle)
		assert_msg_has(&d, needle);
}

/* Write sample_doc after `edit`, then expect load to reject it. */
static void reject_edited(const char *dir, const char *name, void (*edit)(json_t *),
			  const char *needle)
{
	char path[PATH_MAX];
	join(path, sizeof path, dir, name);
	json_t *doc = sample_doc(name);
	edit(doc);
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_results_write(path, doc, &d), 0);
	json_decref(doc);
	assert_load_rejected(path, needle);
}

static void edit_schema2(json_t *doc)
{
	json_object_set_new(doc, "schema", json_string("mpbench.results/2"));
}
static void edit_schema_number(json_t *doc)
{
	json_object_set_new(doc, "schema", json_integer(1));
}
static void edit_no_schema(json_t *doc)
{
	json_object_del(doc, "schema");
}
static void edit_no_machine(json_t *doc)
{
	json_object_del(doc, "machine");
}
static void edit_points_object(json_t *doc)
{
	json_object_set_new(doc, "points", json_object());
}
static void edit_no_baselines(json_t *doc)
{
	json_object_del(doc, "baselines");
}
static void edit_point_no_workers(json_t *doc)
{
	json_object_del(json_array_get(json_object_get(doc, "points"), 0), "workers");
}
static void edit_point_workers_string(json_t *doc)
{
	json_object_set_new(json_array_get(json_object_get(doc, "points"), 0), "workers",
			    json_string("2"));
}
static void edit_second_point_no_workers(json_t *doc)
{
	json_t *pts = json_object_get(doc, "points");
	json_t *copy = json_deep_copy(json_array_get(pts, 0));
	json_object_del(copy, "workers");
	json_array_append_new(pts, copy);
}
static void edit_point_not_object(json_t *doc)
{
	json_array_append_new(json_object_get(doc, "points"), json_integer(3));
}

static void test_load_accepts_valid(void **state)
{
	const char *dir = *state;
	char path[PATH_MAX];
	join(path, sizeof path, dir, "ok.json");
	json_t *doc = sample_doc("ok");
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_results_write(path, doc, &d), 0);
	json_t *got = NULL;
	assert_int_equal(mpb_results_load(path, &got, &d), 0);
	assert_non_null(got);
	assert_true(json_equal(got, doc));
	json_decref(got);
	json_decref(doc);
}

static void test_load_rejects(void **state)
{
	const char *dir = *state;
	char path[PATH_MAX];

	join(path, sizeof path, dir, "absent.json");
	assert_load_rejected(path, NULL);

	/* a valid file cut short */
	join(path, sizeof path, dir, "truncated.json");
	json_t *doc = sample_doc("t");
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_results_write(path, doc, &d), 0);
	json_decref(doc);
	json_t *ok = NULL;
	assert_int_equal(mpb_results_load(path, &ok, &d), 0);
	json_decref(ok);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(truncate(path, st.st_size / 2), 0);
	assert_load_rejected(path, NULL);
	assert_int_equal(truncate(path, 0), 0);
	assert_load_rejected(path, NULL);

	join(path, sizeof path, dir, "array.json");
	put_text(path, "[{\"schema\": \"mpbench.results/1\"}]\n");
	assert_load_rejected(path, NULL);
	join(path, sizeof path, dir, "string.json");
	put_text(path, "\"mpbench.results/1\"\n");
	assert_load_rejected(path, NULL);

	reject_edited(dir, "schema2.json", edit_schema2, "mpbench.results/2");
	reject_edited(dir, "schema_num.json", edit_schema_number, "schema");
	reject_edited(dir, "no_schema.json", edit_no_schema, "schema");
	reject_edited(dir, "no_machine.json", edit_no_machine, "machine");
	reject_edited(dir, "points_obj.json", edit_points_object, "points");
	reject_edited(dir, "no_baselines.json", edit_no_baselines, "baselines");
	reject_edited(dir, "no_workers.json", edit_point_no_workers, "workers");
	reject_edited(dir, "workers_str.json", edit_point_workers_string, "workers");
	reject_edited(dir, "no_workers2.json", edit_second_point_no_workers, "points[1]");
	reject_edited(dir, "point_int.json", edit_point_not_object, "points[1]");
}

/* ---- analysis ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(const double *v, size_t n)
{
	double *c = malloc(n * sizeof *c);
	assert_non_null(c);
	memcpy(c, v, n * sizeof *c);
	qsort(c, n, sizeof *c, cmp_double);
	double m = n % 2 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
	free(c);
	return m;
}

#define NRUNS 5
#define NW 4

/* A hand-built sweep: point 0 with 4 workers, point 1 with 1 worker, point 2
 * with no runs, all over baseline 0; point 3 over baseline 1, never run. */
struct fixture {
	struct mpb_point pt[4];
	struct mpb_baseline bl[2];
	struct mpb_plan plan;
	struct mpb_point_state ps[4];
	struct mpb_wall_state bs[2];
	struct mpb_sample runs[NRUNS];
	struct mpb_worker_report wr[NRUNS][NW];
	double serial[4];
	struct mpb_dataset s;
};

static const double wall[NRUNS] = { 300, 100, 200, 500, 250 };
static const double map[NRUNS] = { 90, 50, 80, 70, 60 };
static const double compute[NRUNS] = { 200, 150, 260, 100, 180 };
static const double cpar[NRUNS] = { 5, 1, 3, 2, 4 };
static const double cwork[NRUNS] = { 10, 30, 20, 40, 50 };
static const double serial[4] = { 1000, 900, 1100, 800 };

static void fixture_init(struct fixture *f)
{
	memset(f, 0, sizeof *f);
	for (size_t i = 0; i < 4; i++) {
		f->pt[i].id = (unsigned)i;
		f->pt[i].workload = &mpb_workload_null;
		f->pt[i].method = mpb_method_find("fork");
		f->pt[i].codec = mpb_codec_find("raw");
		f->pt[i].transport = &mpb_transport_pipe;
		f->pt[i].tasks = 10;
		f->pt[i].chunksize = 1;
	}
	f->pt[0].workers = NW;
	f->pt[1].workers = 1;
	f->pt[2].workers = 2;
	f->pt[3].workers = 2;
	f->pt[3].baseline = 1;
	f->bl[0] = (struct mpb_baseline){ &mpb_workload_null, 0, 10 };
	f->bl[1] = (struct mpb_baseline){ &mpb_workload_null, 0, 10 };
	f->plan = (struct mpb_plan){ .points = f->pt, .npoints = 4, .baselines = f->bl,
				     .nbaselines = 2, .runs = NRUNS, .seed = 7 };
	for (size_t r = 0; r < NRUNS; r++) {
		f->runs[r] = (struct mpb_sample){
			.wall_ns = (uint64_t)wall[r], .map_ns = (uint64_t)map[r],
			.compute_ns = (uint64_t)compute[r], .codec_parent_ns = (uint64_t)cpar[r],
			.codec_workers_ns = (uint64_t)cwork[r],
			.startup_ns = 11 + r, .teardown_ns = 21 + r, .bytes_sent = 31 + r,
			.bytes_received = 41 + r, .nworkers = NW, .worker = f->wr[r],
		};
		for (size_t k = 0; k < NW; k++)
			f->wr[r][k].startup_ns = 7 * (r + 1) + 3 * k * k;
	}
	/* both pool points share the runs: analysis only reads them */
	f->ps[0] = (struct mpb_point_state){ .runs = f->runs, .nruns = NRUNS, .cap = NRUNS };
	f->ps[1] = (struct mpb_point_state){ .runs = f->runs, .nruns = NRUNS, .cap = NRUNS };
	f->ps[3] = (struct mpb_point_state){ .runs = f->runs, .nruns = NRUNS, .cap = NRUNS };
	memcpy(f->serial, serial, sizeof serial);
	f->bs[0] = (struct mpb_wall_state){ .wall_ns = f->serial, .n = 4, .cap = 4 };
	f->s = (struct mpb_dataset){ .plan = &f->plan, .pts = f->ps, .bls = f->bs };
}

static void test_metrics_table(void **state)
{
	(void)state;
	struct fixture *f = malloc(sizeof *f);
	assert_non_null(f);
	fixture_init(f);
	size_t n;
	const struct mpb_metric *ms = mpb_metrics(&n);
	size_t known = 0;
	for (size_t k = 0; k < n; k++) {
		double *v = mpb_metric_values(&f->ps[0], &ms[k]);
		assert_non_null(v);
		for (size_t r = 0; r < NRUNS; r++) {
			const struct mpb_sample *s = &f->runs[r];
			uint64_t want =
				strcmp(ms[k].name, "wall_ns") == 0 ? s->wall_ns :
				strcmp(ms[k].name, "startup_ns") == 0 ? s->startup_ns :
				strcmp(ms[k].name, "map_ns") == 0 ? s->map_ns :
				strcmp(ms[k].name, "teardown_ns") == 0 ? s->teardown_ns :
				strcmp(ms[k].name, "compute_ns") == 0 ? s->compute_ns :
				strcmp(ms[k].name, "codec_parent_ns") == 0 ? s->codec_parent_ns :
				strcmp(ms[k].name, "codec_workers_ns") == 0 ? s->codec_workers_ns :
				strcmp(ms[k].name, "bytes_sent") == 0 ? s->bytes_sent :
				strcmp(ms[k].name, "bytes_received") == 0 ? s->bytes_received :
				UINT64_MAX;
			/* metrics added later are checked by the sweep test's summaries */
			if (want == UINT64_MAX)
				break;
			known += r == 0;
			assert_true(v[r] == (double)want);
		}
		free(v);
	}
	/* every run metric that results/README.md promises a summary for */
	assert_int_equal(known, 9);
	free(f);
}

static void test_analysis_point(void **state)
{
	(void)state;
	struct fixture *f = malloc(sizeof *f);
	assert_non_null(f);
	fixture_init(f);
	struct mpb_derived dv;

	double wmed = median(wall, NRUNS), smed = median(serial, 4);
	double mmed = median(map, NRUNS), cmed = median(compute, NRUNS);
	/* the oracle's medians, by hand */
	assert_true(wmed == 250 && smed == 950 && mmed == 70 && cmed == 180);

	assert_int_equal(mpb_analysis_point(&f->s, 0, &dv), 0);
	assert_int_equal(dv.n, NRUNS);
	assert_close(dv.wall_median_ns, wmed, "wall median");
	assert_true(dv.wall_ci_lo <= dv.wall_ci_hi);
	assert_true(dv.wall_ci_lo >= 100 && dv.wall_ci_hi <= 500);
	assert_true(dv.have_speedup);
	assert_close(dv.serial_median_ns, smed, "serial median");
	assert_close(dv.speedup, smed / wmed, "speedup");
	assert_close(dv.speedup, 3.8, "speedup by hand");
	/* the ratio CI lies within the extreme ratios of the samples */
	assert_true(dv.speedup_ci_lo <= dv.speedup_ci_hi);
	assert_true(dv.speedup_ci_lo >= 800.0 / 500 && dv.speedup_ci_hi <= 1100.0 / 100);
	assert_close(dv.efficiency, smed / wmed / NW, "efficiency");
	assert_true(dv.have_karp_flatt);
	double s = smed / wmed;
	assert_close(dv.karp_flatt, (1 / s - 1.0 / NW) / (1 - 1.0 / NW), "karp_flatt");
	assert_close(dv.overhead_per_task_ns, (NW * mmed - cmed) / 10, "overhead_per_task_ns");
	assert_close(dv.overhead_per_task_ns, 10, "overhead by hand");
	assert_close(dv.serialization_fraction,
		     (median(cpar, NRUNS) + median(cwork, NRUNS)) / ((NW + 1) * mmed),
		     "serialization_fraction");
	double su[NRUNS];
	for (size_t r = 0; r < NRUNS; r++) {
		double sum = 0;
		for (size_t k = 0; k < NW; k++)
			sum += (double)f->wr[r][k].startup_ns;
		su[r] = sum / NW;
	}
	assert_close(dv.startup_per_worker_ns, median(su, NRUNS), "startup_per_worker_ns");

	/* one worker: efficiency is the speedup, Karp–Flatt undefined */
	assert_int_equal(mpb_analysis_point(&f->s, 1, &dv), 0);
	assert_true(dv.have_speedup);
	assert_close(dv.efficiency, dv.speedup, "efficiency at 1 worker");
	assert_false(dv.have_karp_flatt);
	assert_close(dv.overhead_per_task_ns, (mmed - cmed) / 10, "overhead at 1 worker");

	/* no runs */
	assert_int_equal(mpb_analysis_point(&f->s, 2, &dv), -1);
	assert_int_equal(dv.n, 0);

	/* runs but no baseline measured: no speedup, overhead still defined */
	assert_int_equal(mpb_analysis_point(&f->s, 3, &dv), 0);
	assert_false(dv.have_speedup);
	assert_false(dv.have_karp_flatt);
	assert_close(dv.overhead_per_task_ns, (2 * mmed - cmed) / 10, "overhead without baseline");
	free(f);
}

/* The hand-built sweep (malloc'd: free it) of a complete run on this
 * machine, probed into *m. */
static struct fixture *fixture_on(struct mpb_machine *m)
{
	struct fixture *f = malloc(sizeof *f);
	assert_non_null(f);
	fixture_init(f);
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_machine_probe(NULL, m, &d), 0);
	f->s.machine = m;
	f->s.status = "complete";
	return f;
}

/* The document of the hand-built sweep: derived figures that do not exist are
 * null, never a made-up number. */
static void test_build_derived_nulls(void **state)
{
	(void)state;
	struct mpb_machine m;
	struct fixture *f = fixture_on(&m);
	json_t *doc = mpb_results_build(&f->s);
	assert_non_null(doc);
	json_t *pts = get(doc, "points");
	assert_int_equal(json_array_size(pts), 4);

	json_t *der0 = get(json_array_get(pts, 0), "derived");
	assert_close(get_num(der0, "speedup"), 3.8, "speedup in JSON");
	assert_true(json_is_number(get(der0, "karp_flatt")));
	json_t *der1 = get(json_array_get(pts, 1), "derived");
	assert_true(json_is_null(get(der1, "karp_flatt")));
	assert_true(json_is_number(get(der1, "speedup")));
	json_t *p2 = json_array_get(pts, 2);
	assert_int_equal(json_array_size(get(p2, "runs")), 0);
	json_t *der2 = get(p2, "derived");
	assert_true(json_is_null(get(der2, "speedup")));
	assert_true(json_is_null(get(der2, "overhead_per_task_ns")));
	json_t *der3 = get(json_array_get(pts, 3), "derived");
	assert_true(json_is_null(get(der3, "speedup")));
	assert_true(json_is_null(get(der3, "speedup_ci95")));
	assert_true(json_is_null(get(der3, "efficiency")));
	assert_true(json_is_null(get(der3, "karp_flatt")));
	assert_true(json_is_number(get(der3, "overhead_per_task_ns")));
	json_t *bls = get(doc, "baselines");
	assert_int_equal(json_array_size(bls), 2);
	assert_true(json_is_null(get(json_array_get(bls, 1), "wall_ns")));
	assert_int_equal(get_u(get(json_array_get(bls, 0), "wall_ns"), "n"), 4);
	json_decref(doc);
	free(f);
}

/* Start-up per worker over the method's cold floor is the same numerator
 * as over its hot floor, over the cold one; without the cold floor (a
 * model from a file from before it) it is null while the hot multiple
 * stays. */
static void test_cold_floor_multiple(void **state)
{
	(void)state;
	struct mpb_machine m;
	struct fixture *f = fixture_on(&m);
	m.has_floors = true;
	m.floors = (struct mpb_floor){ .pipe_rtt_ns = 3, .fork_exit_wait_ns = 4,
				       .spawn_exit_wait_ns = 50, .thread_create_join_ns = 2,
				       .fork_exit_wait_cold_ns = 10,
				       .spawn_exit_wait_cold_ns = 90,
				       .thread_create_join_cold_ns = 7 };
	struct mpb_derived dv;
	assert_int_equal(mpb_analysis_point(&f->s, 0, &dv), 0);
	assert_true(dv.startup_per_worker_ns > 0);
	assert_true(dv.have_floor && dv.have_cold_floor);
	assert_close(dv.startup_per_worker_floors, dv.startup_per_worker_ns / 4, "hot multiple");
	assert_close(dv.startup_per_worker_cold_floors, dv.startup_per_worker_ns / 10,
		     "cold multiple");
	json_t *doc = mpb_results_build(&f->s);
	assert_non_null(doc);
	json_t *der = get(json_array_get(get(doc, "points"), 0), "derived");
	assert_close(get_num(der, "startup_per_worker_cold_floors"), dv.startup_per_worker_ns / 10,
		     "cold multiple in JSON");
	assert_close(get_num(get(get(doc, "machine"), "floors"), "fork_exit_wait_cold_ns"), 10,
		     "cold floor in JSON");
	json_decref(doc);

	m.floors.fork_exit_wait_cold_ns = 0;
	assert_int_equal(mpb_analysis_point(&f->s, 0, &dv), 0);
	assert_true(dv.have_floor);
	assert_false(dv.have_cold_floor);
	doc = mpb_results_build(&f->s);
	assert_non_null(doc);
	der = get(json_array_get(get(doc, "points"), 0), "derived");
	assert_true(json_is_null(get(der, "startup_per_worker_cold_floors")));
	assert_true(json_is_number(get(der, "startup_per_worker_floors")));
	assert_true(json_is_null(get(get(get(doc, "machine"), "floors"), "fork_exit_wait_cold_ns")));
	json_decref(doc);
	free(f);
}

/* Rewrites of a running sweep cost at most a tenth of its time: due once 9x
 * the last rewrite's cost has passed; a cheap one is due at once. */
static void test_rewrite_due(void **state)
{
	(void)state;
	assert_true(mpb_sweep_rewrite_due(0, 0));
	assert_false(mpb_sweep_rewrite_due(100, 0));
	assert_false(mpb_sweep_rewrite_due(100, 899));
	assert_true(mpb_sweep_rewrite_due(100, 900));
	assert_true(mpb_sweep_rewrite_due(100, 5000));
	/* no overflow at the ends */
	assert_false(mpb_sweep_rewrite_due(UINT64_MAX, UINT64_MAX));
	assert_true(mpb_sweep_rewrite_due(UINT64_MAX / 9, UINT64_MAX));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sweep_document, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_write_round_trip, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_write_replaces_existing, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_write_missing_dir_fails, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_write_onto_directory_fails_cleanly, make_dir,
						remove_dir),
		cmocka_unit_test_setup_teardown(test_write_failure_keeps_previous, make_dir,
						remove_dir),
		cmocka_unit_test_setup_teardown(test_check_path_accepts, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_check_path_rejects, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_load_accepts_valid, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_load_rejects, make_dir, remove_dir),
		cmocka_unit_test(test_metrics_table),
		cmocka_unit_test(test_analysis_point),
		cmocka_unit_test(test_cold_floor_multiple),
		cmocka_unit_test(test_build_derived_nulls),
		cmocka_unit_test(test_rewrite_due),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
