/* test_plan.c — cmocka tests for harness/plan/plan.c: the cross product of the
 * axes, each point's fields, baseline sharing, chunk size resolution,
 * workload defaults, -j auto, every validation error, the config record and
 * the --parent-rss axis (values, doubling of points, the memory-available cap).
 *
 * Configs come from mpb_options_parse on literal argv arrays, the way the
 * command line reaches the plan; the machine is a fake with chosen usable
 * CPUs and process limit.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "plan.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
/* argc, argv for a literal argument list (mutable, as the parser wants). */
#define ARGS(...)                                                        \
	(int)(sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)),       \
		(char *[]){ __VA_ARGS__ }

/* ---- helpers ---------------------------------------------------------- */

static struct mpb_machine fake_machine(int usable, long max_procs)
{
	struct mpb_machine m;
	memset(&m, 0, sizeof m);
	m.online_cpus = m.affinity_cpus = m.usable_cpus = usable;
	m.max_user_processes = max_procs;
	return m;
}

static void parse(int argc, char **argv, struct mpb_config *cfg)
{
	struct mpb_diag d;
	mpb_diag_clear(&d);
	int rc = mpb_options_parse(MPB_CMD_SWEEP, argc, argv, cfg, &d);
	if (rc != 0)
		fail_msg("options rejected (%d): %s", rc, d.msg);
}

static void build_ok(const struct mpb_machine *m, int argc, char **argv, struct mpb_plan *p)
{
	struct mpb_config cfg;
	struct mpb_diag d;
	parse(argc, argv, &cfg);
	mpb_diag_clear(&d);
	int rc = mpb_plan_build(&cfg, m, p, &d);
	if (rc != 0)
		fail_msg("plan rejected (%d): %s", rc, d.msg);
	assert_non_null(p->config);
}

static bool is_zeroed(const struct mpb_plan *p)
{
	static const struct mpb_plan zero;
	return memcmp(p, &zero, sizeof zero) == 0;
}

/* Does `tok` occur in msg as a whole token (not inside a longer number or word)? */
static bool has_token(const char *msg, const char *tok)
{
	size_t n = strlen(tok);
	for (const char *p = strstr(msg, tok); p; p = strstr(p + 1, tok)) {
		bool left = p == msg || !isalnum((unsigned char)p[-1]);
		bool right = !isalnum((unsigned char)p[n]);
		if (left && right)
			return true;
	}
	return false;
}

static void assert_contains(const char *msg, const char *needle)
{
	if (!strstr(msg, needle))
		fail_msg("message \"%s\" lacks \"%s\"", msg, needle);
}

/* Build must fail with an input error whose one-line message names the
 * offending value and says what is accepted; the plan is left zeroed. */
static void build_fails(const struct mpb_machine *m, int argc, char **argv, const char *bad,
			const char *option, struct mpb_diag *d)
{
	struct mpb_config cfg;
	struct mpb_plan p;
	parse(argc, argv, &cfg);
	mpb_diag_clear(d);
	memset(&p, 0x5a, sizeof p);
	int rc = mpb_plan_build(&cfg, m, &p, d);
	if (rc != -MPB_EINPUT)
		fail_msg("expected -MPB_EINPUT for '%s', got %d (%s)", bad, rc, d->msg);
	assert_int_equal(d->code, MPB_EINPUT);
	assert_null(strchr(d->msg, '\n'));
	if (!has_token(d->msg, bad))
		fail_msg("message \"%s\" does not name '%s'", d->msg, bad);
	assert_contains(d->msg, option);
	assert_contains(d->msg, "accepted");
	assert_true(is_zeroed(&p));
}

static uint64_t ceil_div(uint64_t a, uint64_t b)
{
	return (a + b - 1) / b;
}

/* ---- cross product ------------------------------------------------------ */

static void test_cross_product(void **state)
{
	(void)state;
	struct mpb_machine m = fake_machine(4, -1);
	struct mpb_plan p;
	build_ok(&m, ARGS("-s", "1k,2k", "-j", "1,2,3", "-c", "1,python"), &p);

	const uint64_t sizes[] = { 1000, 2000 };
	const unsigned workers[] = { 1, 2, 3 };
	assert_int_equal(p.npoints, N_OF(sizes) * N_OF(workers) * 2);
	assert_non_null(p.points);

	/* every combination exactly once */
	unsigned seen[2][3][2] = { { { 0 } } };
	for (size_t i = 0; i < p.npoints; i++) {
		const struct mpb_point *pt = &p.points[i];
		assert_int_equal(pt->id, i);
		assert_ptr_equal(pt->workload, &mpb_workload_sumsq);
		assert_ptr_equal(pt->method, mpb_method_find("fork"));
		assert_ptr_equal(pt->codec, mpb_codec_find("raw"));
		assert_ptr_equal(pt->transport, &mpb_transport_pipe);
		/* without -t: 4 tasks per worker of the largest count, 3 */
		assert_int_equal(pt->tasks, MPB_PLAN_TASKS_PER_WORKER * 3);
		size_t si = N_OF(sizes), wi = N_OF(workers);
		for (size_t k = 0; k < N_OF(sizes); k++)
			if (pt->size == sizes[k])
				si = k;
		for (size_t k = 0; k < N_OF(workers); k++)
			if (pt->workers == workers[k])
				wi = k;
		assert_true(si < N_OF(sizes));
		assert_true(wi < N_OF(workers));
		size_t ci = pt->chunk_strategy == MPB_CHUNK_PYTHON;
		if (ci)
			assert_int_equal(pt->chunksize, ceil_div(pt->tasks, 4 * pt->workers));
		else
			assert_int_equal(pt->chunksize, 1);
		seen[si][wi][ci]++;
	}
	for (size_t a = 0; a < 2; a++)
		for (size_t b = 0; b < 3; b++)
			for (size_t c = 0; c < 2; c++)
				assert_int_equal(seen[a][b][c], 1);

	/* one baseline per size: workers and chunking do not change the serial run */
	assert_int_equal(p.nbaselines, 2);
	assert_int_equal(p.runs, 5);
	assert_int_equal(p.warmup, 1);
	assert_int_equal(p.seed, 1);
	mpb_plan_free(&p);
	assert_true(is_zeroed(&p));
}

static void test_baseline_dedup(void **state)
{
	(void)state;
	struct mpb_machine m = fake_machine(2, -1);
	struct mpb_plan p;
	build_ok(&m, ARGS("-w", "null,sumsq", "-s", "1k,2k", "-t", "10,20", "-j", "1,2", "-c",
			  "python,3"),
		 &p);
	/* 2 workloads x 2 sizes x 2 tasks x 2 workers x 2 chunks */
	assert_int_equal(p.npoints, 32);
	assert_int_equal(p.nbaselines, 8);

	unsigned uses[8] = { 0 };
	for (size_t i = 0; i < p.npoints; i++) {
		const struct mpb_point *a = &p.points[i];
		assert_true(a->baseline < p.nbaselines);
		const struct mpb_baseline *b = &p.baselines[a->baseline];
		assert_ptr_equal(b->workload, a->workload);
		assert_int_equal(b->size, a->size);
		assert_int_equal(b->tasks, a->tasks);
		uses[a->baseline]++;
		for (size_t j = 0; j < p.npoints; j++) {
			const struct mpb_point *o = &p.points[j];
			bool same = o->workload == a->workload && o->size == a->size &&
				    o->tasks == a->tasks;
			assert_true(same == (o->baseline == a->baseline));
		}
	}
	/* each baseline serves workers x chunks points */
	for (size_t k = 0; k < p.nbaselines; k++)
		assert_int_equal(uses[k], 4);
	/* baselines are distinct */
	for (size_t i = 0; i < p.nbaselines; i++)
		for (size_t j = i + 1; j < p.nbaselines; j++)
			assert_false(p.baselines[i].workload == p.baselines[j].workload &&
				     p.baselines[i].size == p.baselines[j].size &&
				     p.baselines[i].tasks == p.baselines[j].tasks);
	mpb_plan_free(&p);
	assert_true(is_zeroed(&p));
}

/* ---- chunk sizes -------------------------------------------------------- */

static void test_python_chunksize(void **state)
{
	(void)state;
	struct mpb_machine m = fake_machine(2, -1);
	struct mpb_plan p;
	build_ok(&m, ARGS("-t", "1,100,101,1000", "-j", "1,3,8,13", "-c", "python"), &p);
	assert_int_equal(p.npoints, 16);
	for (size_t i = 0; i < p.npoints; i++) {
		const struct mpb_point *pt = &p.points[i];
		assert_int_equal(pt->chunk_strategy, MPB_CHUNK_PYTHON);
		assert_int_equal(pt->chunksize, ceil_div(pt->tasks, 4ull * pt->workers));
		assert_true(pt->chunksize >= 1);
	}
	mpb_plan_free(&p);
}

static void test_fixed_chunksize(void **state)
{
	(void)state;
	struct mpb_machine m = fake_machine(2, -1);
	struct mpb_plan p;
	build_ok(&m, ARGS("-c", "5k,7", "-j", "2"), &p);
	assert_int_equal(p.npoints, 2);
	bool saw5k = false, saw7 = false;
	for (size_t i = 0; i < p.npoints; i++) {
		assert_int_equal(p.points[i].chunk_strategy, MPB_CHUNK_FIXED);
		saw5k |= p.points[i].chunksize == 5000;
		saw7 |= p.points[i].chunksize == 7;
	}
	assert_true(saw5k && saw7);
	mpb_plan_free(&p);

	assert_string_equal(mpb_chunk_strategy_name(MPB_CHUNK_FIXED), "fixed");
	assert_string_equal(mpb_chunk_strategy_name(MPB_CHUNK_PYTHON), "python");
}

/* ---- workload defaults -------------------------------------------------- */

static void test_workload_defaults(void **state)
{
	(void)state;
	struct mpb_machine m = fake_machine(2, -1);
	struct mpb_plan p;

	build_ok(&m, ARGS("-j", "1"), &p);
	assert_int_equal(p.npoints, 1);
	assert_ptr_equal(p.points[0].workload, &mpb_workload_sumsq);
	assert_int_equal(p.points[0].size, 16000000); /* ~9 ms a task (sumsq.c) */
	assert_int_equal(p.points[0].tasks, 4);       /* 4 per worker of 1 */
	assert_int_equal(p.nbaselines, 1);
	mpb_plan_free(&p);

	/* each workload gets its own defaults when -s/-t are absent */
	build_ok(&m, ARGS("-w", "sumsq,null", "-j", "1"), &p);
	assert_int_equal(p.npoints, 2);
	for (size_t i = 0; i < p.npoints; i++) {
		const struct mpb_workload_ops *w = p.points[i].workload;
		uint64_t want;
		assert_int_equal(mpb_parse_u64(w->default_sizes, w->unit, 0, UINT64_MAX, NULL, &want,
					       NULL), 0);
		assert_int_equal(p.points[i].size, want);
		assert_int_equal(p.points[i].tasks, w->default_tasks);
	}
	assert_ptr_equal(p.points[0].workload, &mpb_workload_sumsq);
	assert_ptr_equal(p.points[1].workload, &mpb_workload_null);
	assert_int_equal(p.nbaselines, 2);
	mpb_plan_free(&p);

	/* the largest worker count sets the least task count: 4 per worker */
	build_ok(&m, ARGS("-w", "sumsq,sleep", "-j", "1,8"), &p);
	for (size_t i = 0; i < p.npoints; i++) {
		const struct mpb_workload_ops *w = p.points[i].workload;
		uint64_t want = w->default_tasks > 32 ? w->default_tasks : 32;
		assert_int_equal(p.points[i].tasks, want);
	}
	mpb_plan_free(&p);

	/* a given -t replaces only the tasks default */
	build_ok(&m, ARGS("-t", "9", "-j", "1"), &p);
	assert_int_equal(p.points[0].size, 16000000);
	assert_int_equal(p.points[0].tasks, 9);
	mpb_plan_free(&p);
}

/* ---- -j auto ------------------------------------------------------------ */

static void expect_auto(unsigned usable, const unsigned *want, size_t nwant)
{
	unsigned out[64];
	memset(out, 0, sizeof out);
	size_t n = mpb_plan_auto_workers(usable, out, N_OF(out));
	assert_int_equal(n, nwant);
	for (size_t i = 0; i < nwant; i++)
		assert_int_equal(out[i], want[i]);

	/* and through a plan on a machine with that many usable CPUs */
	struct mpb_machine m = fake_machine((int)usable, -1);
	struct mpb_plan p;
	build_ok(&m, ARGS("-j", "auto", "-s", "1k"), &p);
	assert_int_equal(p.npoints, nwant);
	for (size_t i = 0; i < nwant; i++)
		assert_int_equal(p.points[i].workers, want[i]);
	json_t *w = json_object_get(p.config, "workers");
	assert_true(json_is_array(w));
	assert_int_equal(json_array_size(w), nwant);
	for (size_t i = 0; i < nwant; i++)
		assert_int_equal(json_integer_value(json_array_get(w, i)), want[i]);
	mpb_plan_free(&p);
}

static void test_auto_workers(void **state)
{
	(void)state;
	const unsigned u1[] = { 1, 2 };
	const unsigned u2[] = { 1, 2, 4 };
	const unsigned u3[] = { 1, 2, 3, 4 };
	const unsigned u6[] = { 1, 2, 4, 6, 8 };
	const unsigned u16[] = { 1, 2, 4, 8, 16, 32 };
	expect_auto(1, u1, N_OF(u1));
	expect_auto(2, u2, N_OF(u2));
	expect_auto(3, u3, N_OF(u3));
	expect_auto(6, u6, N_OF(u6));
	expect_auto(16, u16, N_OF(u16));

	/* the default -j is auto */
	struct mpb_machine m = fake_machine(2, -1);
	struct mpb_plan p;
	build_ok(&m, ARGS("-s", "1k"), &p);
	assert_int_equal(p.npoints, N_OF(u2));
	mpb_plan_free(&p);
}

static void test_auto_workers_properties(void **state)
{
	(void)state;
	/* for every count: ascending, unique, holds usable, powers of two up to
	 * 2 x usable and nothing else */
	for (unsigned usable = 1; usable <= 300; usable++) {
		unsigned out[64];
		size_t n = mpb_plan_auto_workers(usable, out, N_OF(out));
		assert_true(n >= 2);
		bool has_usable = false;
		size_t npow = 0;
		for (size_t i = 0; i < n; i++) {
			if (i)
				assert_true(out[i] > out[i - 1]);
			assert_true(out[i] >= 1 && out[i] <= 2 * usable);
			bool pow2 = (out[i] & (out[i] - 1)) == 0;
			has_usable |= out[i] == usable;
			npow += pow2;
			assert_true(pow2 || out[i] == usable);
		}
		assert_true(has_usable);
		size_t want_pow = 0;
		for (unsigned w = 1; w <= 2 * usable; w *= 2)
			want_pow++;
		assert_int_equal(npow, want_pow);
	}
	/* a cap smaller than the list cuts it */
	unsigned out[8] = { 0 };
	assert_int_equal(mpb_plan_auto_workers(16, out, 2), 2);
	assert_int_equal(out[0], 1);
	assert_int_equal(out[1], 2);
	assert_int_equal(out[2], 0);
}

/* ---- errors ------------------------------------------------------------- */

static void test_unknown_names(void **state)
{
	(void)state;
	struct mpb_machine m = fake_machine(2, -1);
	struct mpb_diag d;

	build_fails(&m, ARGS("-w", "sumsq,nope"), "nope", "--workload", &d);
	assert_contains(d.msg, "sumsq");
	assert_contains(d.msg, "null");
	build_fails(&m, ARGS("-m", "vfork"), "vfork", "--methods", &d);
	assert_contains(d.msg, "fork");
	build_fails(&m, ARGS("--codec", "marshal"), "marshal", "--codec", &d);
	assert_contains(d.msg, "raw");
	/* a Python program's own codec: not for mpbench's pool */
	build_fails(&m, ARGS("-w", "sumsq", "--codec", "raw,pickle"), "pickle", "--instrument python",
		    &d);
	build_fails(&m, ARGS("--transport", "carrier-pigeon"), "carrier-pigeon", "--transport", &d);
	assert_contains(d.msg, "pipe");
	/* an empty item is also refused */
	build_fails(&m, ARGS("-m", "fork,,fork"), "fork,,fork", "--methods", &d);
}

static void test_bad_chunksize(void **state)
{
	(void)state;
	struct mpb_machine m = fake_machine(2, -1);
	struct mpb_diag d;

	build_fails(&m, ARGS("-c", "0"), "0", "--chunksize", &d);
	assert_contains(d.msg, "python");
	build_fails(&m, ARGS("-c", "python,abc"), "abc", "--chunksize", &d);
	assert_contains(d.msg, "python");
	build_fails(&m, ARGS("-c", "4294967296"), "4294967296", "--chunksize", &d);
}

static void test_bad_sizes_and_tasks(void **state)
{
	(void)state;
	struct mpb_machine m = fake_machine(2, -1);
	struct mpb_diag d;
	struct mpb_plan p;
	char above[32];

	/* sumsq needs at least one iteration; null takes 0 */
	build_fails(&m, ARGS("-s", "0"), "0", "--sizes", &d);
	build_ok(&m, ARGS("-w", "null", "-s", "0", "-j", "1"), &p);
	assert_int_equal(p.points[0].size, 0);
	mpb_plan_free(&p);
	/* -s applies to every workload, so the strictest one decides */
	build_fails(&m, ARGS("-w", "null,sumsq", "-s", "0"), "0", "--sizes", &d);

	build_fails(&m, ARGS("-s", "5Q"), "5Q", "--sizes", &d);
	build_fails(&m, ARGS("-s", "1k,5Q"), "5Q", "--sizes", &d);

	build_fails(&m, ARGS("-t", "0"), "0", "--tasks", &d);
	snprintf(above, sizeof above, "%llu", (unsigned long long)MPB_MAX_TASKS + 1);
	build_fails(&m, ARGS("-t", above), above, "--tasks", &d);
	snprintf(above, sizeof above, "%llu", (unsigned long long)MPB_MAX_TASKS);
	build_ok(&m, ARGS("-t", above, "-j", "1"), &p);
	assert_int_equal(p.points[0].tasks, MPB_MAX_TASKS);
	mpb_plan_free(&p);
	build_fails(&m, ARGS("-t", "ten"), "ten", "--tasks", &d);
}

static void test_bad_workers(void **state)
{
	(void)state;
	struct mpb_machine unlimited = fake_machine(2, -1);
	struct mpb_machine limited = fake_machine(2, 50);
	struct mpb_diag d;
	struct mpb_plan p;
	char s[32];

	build_fails(&unlimited, ARGS("-j", "0"), "0", "--workers", &d);
	build_fails(&unlimited, ARGS("-j", "1,x"), "x", "--workers", &d);

	snprintf(s, sizeof s, "%u", MPB_MAX_WORKERS + 1);
	build_fails(&unlimited, ARGS("-j", s), s, "--workers", &d);
	snprintf(s, sizeof s, "%u", MPB_MAX_WORKERS);
	assert_true(has_token(d.msg, s));  /* says the maximum */
	build_ok(&unlimited, ARGS("-j", s), &p);
	assert_int_equal(p.points[0].workers, MPB_MAX_WORKERS);
	mpb_plan_free(&p);

	/* the process limit caps workers and the message says why */
	build_fails(&limited, ARGS("-j", "2,51"), "51", "--workers", &d);
	assert_contains(d.msg, "process limit");
	assert_true(has_token(d.msg, "50"));
	build_ok(&limited, ARGS("-j", "50"), &p);
	assert_int_equal(p.points[0].workers, 50);
	mpb_plan_free(&p);
	snprintf(s, sizeof s, "%u", MPB_MAX_WORKERS + 1);
	build_fails(&limited, ARGS("-j", s), s, "--workers", &d);
	assert_contains(d.msg, "process limit");

	/* a limit above MPB_MAX_WORKERS leaves MPB_MAX_WORKERS in charge */
	struct mpb_machine roomy = fake_machine(2, 1000000);
	build_fails(&roomy, ARGS("-j", s), s, "--workers", &d);
}

/* ---- config record and free --------------------------------------------- */

static void test_config_json(void **state)
{
	(void)state;
	struct mpb_machine m = fake_machine(2, -1);
	struct mpb_plan p;
	build_ok(&m, ARGS("-j", "1,2,3", "-m", "fork", "--seed", "42", "-r", "6", "--warmup", "2",
			  "-s", "1k,2k"),
		 &p);
	json_t *c = p.config;
	assert_true(json_is_object(c));

	json_t *w = json_object_get(c, "workers");
	assert_true(json_is_array(w));
	assert_int_equal(json_array_size(w), 3);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(json_integer_value(json_array_get(w, i)), i + 1);

	json_t *me = json_object_get(c, "methods");
	assert_true(json_is_array(me));
	assert_int_equal(json_array_size(me), 1);
	assert_string_equal(json_string_value(json_array_get(me, 0)), "fork");

	assert_int_equal(json_integer_value(json_object_get(c, "seed")), 42);
	assert_int_equal(json_integer_value(json_object_get(c, "runs")), 6);
	assert_int_equal(json_integer_value(json_object_get(c, "warmup")), 2);
	assert_true(json_is_integer(json_object_get(c, "points")));
	assert_int_equal(json_integer_value(json_object_get(c, "points")), p.npoints);
	assert_int_equal(p.npoints, 6);
	assert_int_equal(p.seed, 42);
	assert_int_equal(p.runs, 6);
	assert_int_equal(p.warmup, 2);

	json_t *wl = json_object_get(c, "workloads");
	assert_true(json_is_array(wl));
	assert_string_equal(json_string_value(json_array_get(wl, 0)), "sumsq");

	/* the record must survive being serialized */
	char *text = json_dumps(c, JSON_COMPACT);
	assert_non_null(text);
	free(text);
	mpb_plan_free(&p);
}

/* payload's own option reaches every workload's params and the record */
static void test_workload_option(void **state)
{
	(void)state;
	struct mpb_machine m = fake_machine(2, -1);
	struct mpb_plan p;
	build_ok(&m, ARGS("-w", "payload", "-s", "64", "-j", "1", "--result-size", "2KiB"), &p);
	assert_true(p.wopts.result_size == 2048);
	assert_int_equal(json_integer_value(json_object_get(p.config, "result_size")), 2048);
	struct mpb_workload_params wp = mpb_plan_wparams(&p, 64, 9);
	assert_true(wp.size == 64 && wp.tasks == 9 && wp.seed == p.seed);
	assert_true(wp.result_size == 2048);
	mpb_plan_free(&p);
	/* absent: the option's default */
	build_ok(&m, ARGS("-w", "payload", "-s", "64", "-j", "1"), &p);
	assert_true(p.wopts.result_size == 0);
	assert_int_equal(json_integer_value(json_object_get(p.config, "result_size")), 0);
	mpb_plan_free(&p);
	struct mpb_diag d;
	build_fails(&m, ARGS("-w", "payload", "--result-size", "1TiB"), "1TiB", "--result-size",
		    &d);
}

static void test_free_zeroes(void **state)
{
	(void)state;
	struct mpb_machine m = fake_machine(4, -1);
	struct mpb_plan p;
	build_ok(&m, ARGS("-s", "1k,2k,3k", "-j", "auto", "-c", "1,python"), &p);
	assert_true(p.npoints > 0);
	mpb_plan_free(&p);
	assert_true(is_zeroed(&p));
	/* freeing a freed (zeroed) plan is harmless */
	mpb_plan_free(&p);
	assert_true(is_zeroed(&p));
}

/* ---- --parent-rss --------------------------------------------------------- */

static const uint64_t MiB = 1024ull * 1024;

static void test_parent_rss_default(void **state)
{
	(void)state;
	struct mpb_machine m = fake_machine(2, -1);
	m.mem_available_bytes = 512 * MiB;
	struct mpb_plan p;
	build_ok(&m, ARGS("-w", "null,sumsq", "-s", "1k", "-j", "1,2", "-m", "fork,thread"), &p);
	assert_int_equal(p.npoints, 2 * 2 * 2);
	for (size_t i = 0; i < p.npoints; i++)
		assert_int_equal(p.points[i].parent_rss, 0);
	json_t *r = json_object_get(p.config, "parent_rss");
	assert_true(json_is_array(r));
	assert_int_equal(json_array_size(r), 1);
	assert_true(json_is_integer(json_array_get(r, 0)));
	assert_int_equal(json_integer_value(json_array_get(r, 0)), 0);
	mpb_plan_free(&p);
}

/* Same axes with and without "0,256MiB": every point of the plain plan comes
 * back twice, once per ballast size, and nothing else changes. */
static void test_parent_rss_axis(void **state)
{
	(void)state;
	struct mpb_machine m = fake_machine(2, -1);
	m.mem_available_bytes = 512 * MiB;
	struct mpb_plan plain, p;
	build_ok(&m, ARGS("-w", "null", "-t", "10,20", "-j", "1,2", "-m", "fork,spawn", "-c",
			  "1,python"),
		 &plain);
	build_ok(&m, ARGS("-w", "null", "-t", "10,20", "-j", "1,2", "-m", "fork,spawn", "-c",
			  "1,python", "--parent-rss", "0,256MiB"),
		 &p);
	assert_int_equal(plain.npoints, 2 * 2 * 2 * 2);
	assert_int_equal(p.npoints, 2 * plain.npoints);
	/* the serial run has no pool to start: the ballast does not add baselines */
	assert_int_equal(p.nbaselines, plain.nbaselines);

	const uint64_t want[] = { 0, 256 * MiB };
	size_t per_value[2] = { 0 };
	for (size_t i = 0; i < p.npoints; i++) {
		const struct mpb_point *a = &p.points[i];
		assert_int_equal(a->id, i);
		size_t k = N_OF(want);
		for (size_t j = 0; j < N_OF(want); j++)
			if (a->parent_rss == want[j])
				k = j;
		if (k == N_OF(want))
			fail_msg("point %zu: parent_rss %llu is not on the axis", i,
				 (unsigned long long)a->parent_rss);
		per_value[k]++;
		/* exactly one plain point with the same other axes, and the same
		 * point with the other ballast exists once */
		size_t same = 0, twin = 0;
		for (size_t j = 0; j < plain.npoints; j++) {
			const struct mpb_point *b = &plain.points[j];
			same += b->workload == a->workload && b->size == a->size &&
				b->tasks == a->tasks && b->workers == a->workers &&
				b->method == a->method && b->codec == a->codec &&
				b->chunksize == a->chunksize && b->chunk_strategy == a->chunk_strategy;
		}
		for (size_t j = 0; j < p.npoints; j++) {
			const struct mpb_point *b = &p.points[j];
			twin += b->parent_rss != a->parent_rss && b->workload == a->workload &&
				b->tasks == a->tasks && b->workers == a->workers &&
				b->method == a->method && b->chunk_strategy == a->chunk_strategy &&
				b->chunksize == a->chunksize;
		}
		assert_int_equal(same, 1);
		assert_int_equal(twin, 1);
		assert_true(a->baseline < p.nbaselines);
		assert_int_equal(p.baselines[a->baseline].tasks, a->tasks);
	}
	assert_int_equal(per_value[0], plain.npoints);
	assert_int_equal(per_value[1], plain.npoints);
	assert_int_equal(json_integer_value(json_object_get(p.config, "points")), p.npoints);
	mpb_plan_free(&plain);
	mpb_plan_free(&p);
}

static void test_parent_rss_config_json(void **state)
{
	(void)state;
	struct mpb_machine m = fake_machine(2, -1);
	m.mem_available_bytes = 512 * MiB;
	struct mpb_plan p;
	build_ok(&m, ARGS("-w", "null", "-j", "1", "--parent-rss", "0,256MiB,64KiB"), &p);
	assert_int_equal(p.npoints, 3);
	json_t *r = json_object_get(p.config, "parent_rss");
	assert_true(json_is_array(r));
	const uint64_t want[] = { 0, 256 * MiB, 64 * 1024 };
	assert_int_equal(json_array_size(r), N_OF(want));
	for (size_t i = 0; i < N_OF(want); i++) {
		assert_true(json_is_integer(json_array_get(r, i)));
		assert_int_equal(json_integer_value(json_array_get(r, i)), want[i]);
	}
	char *text = json_dumps(p.config, JSON_COMPACT);
	assert_non_null(text);
	assert_non_null(strstr(text, "\"parent_rss\""));
	free(text);
	mpb_plan_free(&p);
}

static void test_parent_rss_above_available(void **state)
{
	(void)state;
	struct mpb_machine m = fake_machine(2, -1);
	m.mem_available_bytes = 512 * MiB;
	struct mpb_diag d;
	struct mpb_plan p;

	build_fails(&m, ARGS("-w", "null", "--parent-rss", "1GiB"), "1GiB", "--parent-rss", &d);
	/* names the memory available: 512 MiB */
	if (!strstr(d.msg, "0.5 GiB") && !strstr(d.msg, "512MiB") && !strstr(d.msg, "512 MiB"))
		fail_msg("message \"%s\" does not say how much memory is available", d.msg);
	/* one bad value among good ones is enough */
	build_fails(&m, ARGS("-w", "null", "--parent-rss", "0,1GiB"), "1GiB", "--parent-rss", &d);

	/* all the available memory is still accepted */
	build_ok(&m, ARGS("-w", "null", "-j", "1", "--parent-rss", "512MiB"), &p);
	assert_int_equal(p.npoints, 1);
	assert_int_equal(p.points[0].parent_rss, 512 * MiB);
	mpb_plan_free(&p);
}

static void test_parent_rss_malformed(void **state)
{
	(void)state;
	struct mpb_machine m = fake_machine(2, -1);
	m.mem_available_bytes = 512 * MiB;
	struct mpb_diag d;

	build_fails(&m, ARGS("-w", "null", "--parent-rss", "5Q"), "5Q", "--parent-rss", &d);
	build_fails(&m, ARGS("-w", "null", "--parent-rss", "-1"), "-1", "--parent-rss", &d);
	build_fails(&m, ARGS("-w", "null", "--parent-rss", "0,,1MiB"), "0,,1MiB", "--parent-rss",
		    &d);
}

/* Workloads that hold memory are refused when a point would not fit in what
 * is available, and accepted when it does: stream keeps -s bytes in every
 * process, payload every task's bytes in the parent. */
static void test_memory_footprint(void **state)
{
	(void)state;
	struct mpb_machine m = fake_machine(2, -1);
	m.mem_available_bytes = 4096 * MiB;
	struct mpb_diag d;
	struct mpb_plan p;

	/* 256 MiB x (4 workers + the parent) = 1.25 GiB: fits */
	build_ok(&m, ARGS("-w", "stream", "-s", "256MiB", "-j", "4", "-t", "2"), &p);
	mpb_plan_free(&p);
	/* 256 MiB x 65 processes = 16.25 GiB: refused, naming the size */
	build_fails(&m, ARGS("-w", "stream", "-s", "256MiB", "-j", "1,64", "-t", "2"), "256MiB",
		    "stream", &d);
	assert_contains(d.msg, "64 workers");
	/* payload: 1 MiB x 1000 tasks fits, x 10M tasks (9.5 TiB) does not and
	 * the product does not overflow into something small */
	build_ok(&m, ARGS("-w", "payload", "-s", "1MiB", "-j", "2", "-t", "1000"), &p);
	mpb_plan_free(&p);
	build_fails(&m, ARGS("-w", "payload", "-s", "1MiB", "-j", "2", "-t", "10M"), "1MiB",
		    "payload", &d);
	/* unknown available memory: no estimate is refused */
	m.mem_available_bytes = 0;
	build_ok(&m, ARGS("-w", "stream", "-s", "256MiB", "-j", "64", "-t", "2"), &p);
	mpb_plan_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cross_product),
		cmocka_unit_test(test_baseline_dedup),
		cmocka_unit_test(test_python_chunksize),
		cmocka_unit_test(test_fixed_chunksize),
		cmocka_unit_test(test_workload_defaults),
		cmocka_unit_test(test_auto_workers),
		cmocka_unit_test(test_auto_workers_properties),
		cmocka_unit_test(test_unknown_names),
		cmocka_unit_test(test_bad_chunksize),
		cmocka_unit_test(test_bad_sizes_and_tasks),
		cmocka_unit_test(test_bad_workers),
		cmocka_unit_test(test_config_json),
		cmocka_unit_test(test_workload_option),
		cmocka_unit_test(test_free_zeroes),
		cmocka_unit_test(test_parent_rss_default),
		cmocka_unit_test(test_parent_rss_axis),
		cmocka_unit_test(test_parent_rss_config_json),
		cmocka_unit_test(test_parent_rss_above_available),
		cmocka_unit_test(test_parent_rss_malformed),
		cmocka_unit_test(test_memory_footprint),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
