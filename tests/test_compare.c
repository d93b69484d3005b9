/* test_compare.c — cmocka tests for compare.c: every branch of the verdict
 * rule, matching points by their axes, the regression status and its
 * message, machine fingerprints, --threshold parsing and both outputs, on
 * hand-built documents, read into the results model, whose run times are
 * chosen to land in each verdict; --along within one document, the speedup
 * and context-switch figures of each row, their geometric means, and each
 * file's warnings in the JSON. */
#include "compare.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset_load.h"
#include "diag.h"

#define T 0.10
#define A 0.05

/* ---- the rule ---- */

static void test_verdict_rule(void **state)
{
	(void)state;
	/* significant, beyond the threshold, CI clear of 1 */
	assert_int_equal(mpb_compare_verdict(1.3, 1.2, 1.4, 0.01, 5, 5, T, A), MPB_VERDICT_REGRESSED);
	assert_int_equal(mpb_compare_verdict(0.7, 0.6, 0.8, 0.01, 5, 5, T, A), MPB_VERDICT_IMPROVED);
	/* the threshold is symmetric in ratio: 1 / 1.1, not 0.9 */
	assert_int_equal(mpb_compare_verdict(0.91, 0.91, 0.95, 0.01, 5, 5, T, A), MPB_VERDICT_UNCHANGED);
	assert_int_equal(mpb_compare_verdict(0.90, 0.8, 0.95, 0.01, 5, 5, T, A), MPB_VERDICT_IMPROVED);
	/* the whole CI within the threshold: unchanged whether significant or not */
	assert_int_equal(mpb_compare_verdict(1.05, 1.01, 1.08, 0.001, 9, 9, T, A), MPB_VERDICT_UNCHANGED);
	assert_int_equal(mpb_compare_verdict(1.0, 0.95, 1.05, 0.9, 5, 5, T, A), MPB_VERDICT_UNCHANGED);
	assert_int_equal(mpb_compare_verdict(1.1, 1.05, 1.1, 0.01, 5, 5, T, A), MPB_VERDICT_UNCHANGED);
	/* a point estimate within the threshold, but a CI that reaches past it
	 * on either side: a change beyond it is not excluded */
	assert_int_equal(mpb_compare_verdict(1.0, 0.7, 1.4, 0.9, 5, 5, T, A), MPB_VERDICT_INCONCLUSIVE);
	assert_int_equal(mpb_compare_verdict(1.0, 0.95, 1.11, 0.9, 5, 5, T, A),
			 MPB_VERDICT_INCONCLUSIVE);
	assert_int_equal(mpb_compare_verdict(1.0, 0.90, 1.05, 0.9, 5, 5, T, A),
			 MPB_VERDICT_INCONCLUSIVE);
	assert_int_equal(mpb_compare_verdict(1.1, 1.05, 1.2, 0.01, 5, 5, T, A), MPB_VERDICT_INCONCLUSIVE);
	/* beyond the threshold but not significant: inconclusive */
	assert_int_equal(mpb_compare_verdict(1.3, 0.9, 1.6, 0.3, 5, 5, T, A), MPB_VERDICT_INCONCLUSIVE);
	assert_int_equal(mpb_compare_verdict(0.7, 0.5, 1.1, 0.2, 5, 5, T, A), MPB_VERDICT_INCONCLUSIVE);
	/* significant, beyond the threshold, but the CI reaches 1 */
	assert_int_equal(mpb_compare_verdict(1.3, 0.99, 1.6, 0.04, 5, 5, T, A), MPB_VERDICT_INCONCLUSIVE);
	/* p exactly alpha is not significant */
	assert_int_equal(mpb_compare_verdict(1.3, 1.2, 1.4, A, 5, 5, T, A), MPB_VERDICT_INCONCLUSIVE);
	/* too few runs, or nothing to compute with */
	assert_int_equal(mpb_compare_verdict(1.0, 1.0, 1.0, 1.0, 1, 5, T, A), MPB_VERDICT_INCONCLUSIVE);
	assert_int_equal(mpb_compare_verdict(NAN, NAN, NAN, NAN, 5, 5, T, A), MPB_VERDICT_INCONCLUSIVE);
	/* a larger threshold turns the same change into "unchanged" */
	assert_int_equal(mpb_compare_verdict(1.3, 1.2, 1.4, 0.01, 5, 5, 0.5, A), MPB_VERDICT_UNCHANGED);
	assert_string_equal(mpb_compare_verdict_name(MPB_VERDICT_REGRESSED), "regressed");
	assert_string_equal(mpb_compare_verdict_name(MPB_VERDICT_INCONCLUSIVE), "inconclusive");
}

static void test_threshold(void **state)
{
	(void)state;
	double t;
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_compare_parse_threshold("10", &t, &d), 0);
	assert_true(t == 10);
	assert_int_equal(mpb_compare_parse_threshold("2.5%", &t, &d), 0);
	assert_true(t == 2.5);
	const char *bad[] = { "0", "-1", "abc", "", "1e9", "nan", "5%%", "10 ", "inf" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		t = -1;
		assert_int_equal(mpb_compare_parse_threshold(bad[i], &t, &d), -MPB_EINPUT);
		assert_true(t == -1);
		assert_non_null(strstr(d.msg, "--threshold"));
	}
}

/* ---- documents ---- */

static json_t *point(const char *method, int workers, const double *wall, size_t n,
		     const char *error)
{
	json_t *runs = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(runs, json_pack("{s:I}", "wall_ns", (json_int_t)llround(wall[i])));
	return json_pack("{s:s, s:I, s:I, s:i, s:s, s:s, s:s, s:I, s:I, s:o, s:o}",
			 "workload", "sumsq", "size", (json_int_t)2000000, "tasks", (json_int_t)4,
			 "workers", workers, "method", method, "codec", "raw", "transport", "pipe",
			 "chunksize", (json_int_t)1, "parent_rss", (json_int_t)0, "runs", runs,
			 "error", error ? json_string(error) : json_null());
}

static json_t *doc(const char *cpu, json_t *points)
{
	return json_pack("{s:s, s:{s:s, s:s, s:i, s:s}, s:s, s:o, s:[{s:s, s:I, s:I, s:[]}]}",
			 "schema", "mpbench.results/1", "machine", "hostname", "h", "cpu_model", cpu,
			 "usable_cpus", 2, "kernel", "6.1", "started", "2024-01-01T00:00:00Z",
			 "points", points, "baselines", "workload", "sumsq", "size", (json_int_t)2000000,
			 "tasks", (json_int_t)4, "runs");
}

/* run times are whole nanoseconds: steps that stay whole when scaled */
/* spread of a few percent: the ratio's CI of two such samples stays within
 * a 10% threshold */
static const double base_a[] = { 100, 101, 102, 103, 104, 105 };
static const double base_b[] = { 200, 202, 204, 206, 208, 210 };

/* The datasets of the last comparison (released at the end). */
static struct mpb_loaded lb, ln;

static void load(json_t *doc, struct mpb_loaded *l)
{
	struct mpb_diag d = { 0 };
	mpb_dataset_unload(l);
	if (mpb_dataset_from_doc("x.json", doc, l, &d) != 0)
		fail_msg("%s", d.msg);
}

static int compare(json_t *b, json_t *n, double threshold, struct mpb_compare *c,
		   struct mpb_diag *d)
{
	load(b, &lb);
	load(n, &ln);
	return mpb_compare_datasets("b.json", &lb.ds, "n.json", &ln.ds, threshold, c, d);
}

static int release(void **state)
{
	(void)state;
	mpb_dataset_unload(&lb);
	mpb_dataset_unload(&ln);
	return 0;
}

static double *scaled(const double *v, size_t n, double k)
{
	static double out[16];
	for (size_t i = 0; i < n; i++)
		out[i] = v[i] * k;
	return out;
}

static json_t *base_doc(void)
{
	return doc("CPU A", json_pack("[o, o]", point("fork", 1, base_a, 6, NULL),
				      point("fork", 2, base_b, 6, NULL)));
}

static const struct mpb_compare_row *row_of(const struct mpb_compare *c, int workers)
{
	for (size_t i = 0; i < c->nrows; i++)
		if (ln.plan.points[c->rows[i].new_].workers == (unsigned)workers)
			return &c->rows[i];
	fail_msg("no row for %d workers", workers);
	return &c->rows[0]; /* not reached */
}

static void test_identical(void **state)
{
	(void)state;
	json_t *b = base_doc(), *n = base_doc();
	struct mpb_compare c;
	struct mpb_diag d = { 0 };
	assert_int_equal(compare(b, n, 10, &c, &d), 0);
	assert_int_equal(c.nrows, 2);
	assert_int_equal(c.counts[MPB_VERDICT_UNCHANGED], 2);
	assert_int_equal(c.ndiff, 0);
	for (size_t i = 0; i < c.nrows; i++) {
		assert_true(c.rows[i].ratio == 1.0);
		assert_true(c.rows[i].ratio_lo <= 1.0 && c.rows[i].ratio_hi >= 1.0);
		assert_true(c.rows[i].p > 0.9);
	}
	assert_int_equal(mpb_compare_status(&c, &d), 0);
	mpb_compare_free(&c);
	json_decref(b);
	json_decref(n);
}

static void test_regression_named(void **state)
{
	(void)state;
	json_t *b = base_doc();
	json_t *n = doc("CPU A", json_pack("[o, o]", point("fork", 1, base_a, 6, NULL),
					   point("fork", 2, scaled(base_b, 6, 1.3), 6, NULL)));
	struct mpb_compare c;
	struct mpb_diag d = { 0 };
	assert_int_equal(compare(b, n, 10, &c, &d), 0);
	const struct mpb_compare_row *r = row_of(&c, 2);
	assert_int_equal(r->verdict, MPB_VERDICT_REGRESSED);
	assert_true(fabs(r->ratio - 1.3) < 1e-9);
	assert_true(r->ratio_lo > 1.0);
	assert_true(r->p < 0.05);
	assert_int_equal(row_of(&c, 1)->verdict, MPB_VERDICT_UNCHANGED);
	assert_int_equal(c.counts[MPB_VERDICT_REGRESSED], 1);
	assert_int_equal(mpb_compare_status(&c, &d), -MPB_EREGRESS);
	assert_non_null(strstr(d.msg, "1 point regressed beyond 10%"));
	assert_non_null(strstr(d.msg, "workers=2 method=fork"));
	/* a threshold above the change: no regression */
	mpb_compare_free(&c);
	assert_int_equal(compare(b, n, 40, &c, &d), 0);
	assert_int_equal(row_of(&c, 2)->verdict, MPB_VERDICT_UNCHANGED);
	assert_int_equal(mpb_compare_status(&c, &d), 0);
	mpb_compare_free(&c);
	json_decref(b);
	json_decref(n);
}

static char *write_text(const struct mpb_compare *c, enum mpb_export_format fmt);

static void test_improvement_and_noise(void **state)
{
	(void)state;
	/* 1 worker: 30% faster, clean; 2 workers: median 30% slower but the runs
	 * overlap the base's (some faster than any base run) */
	static const double noisy[] = { 150, 262, 270, 280, 190, 300 };
	json_t *b = base_doc();
	json_t *n = doc("CPU A", json_pack("[o, o]", point("fork", 1, scaled(base_a, 6, 0.7), 6, NULL),
					   point("fork", 2, noisy, 6, NULL)));
	struct mpb_compare c;
	struct mpb_diag d = { 0 };
	assert_int_equal(compare(b, n, 10, &c, &d), 0);
	assert_int_equal(row_of(&c, 1)->verdict, MPB_VERDICT_IMPROVED);
	const struct mpb_compare_row *r = row_of(&c, 2);
	assert_true(r->ratio > 1.1);
	assert_true(r->p >= 0.05);
	assert_int_equal(r->verdict, MPB_VERDICT_INCONCLUSIVE);
	assert_int_equal(mpb_compare_status(&c, &d), 0);
	/* the noise that makes it inconclusive is said under the table */
	char *md = write_text(&c, MPB_EXPORT_MD);
	const char *w = strstr(md, "\nWarnings of new:\n\n- ");
	if (!w || !strstr(w, " is noisy: "))
		fail_msg("no noise warning of new under the table:\n%s", md);
	free(md);
	mpb_compare_free(&c);
	json_decref(b);
	json_decref(n);
}

static void test_matching(void **state)
{
	(void)state;
	/* new has 2 workers (matches), spawn (only new) and lacks 1 worker (only base) */
	json_t *b = base_doc();
	json_t *n = doc("CPU B", json_pack("[o, o]", point("spawn", 2, base_b, 6, NULL),
					   point("fork", 2, base_b, 6, NULL)));
	struct mpb_compare c;
	struct mpb_diag d = { 0 };
	assert_int_equal(compare(b, n, 10, &c, &d), 0);
	assert_int_equal(c.nrows, 1);
	assert_int_equal(c.only_base, 1);
	assert_int_equal(c.only_new, 1);
	assert_string_equal(lb.plan.points[c.rows[0].base].method->name, "fork");
	/* the fingerprints differ in the CPU model only */
	assert_int_equal(c.ndiff, 1);
	assert_non_null(strstr(c.machine_diff[0], "cpu_model: \"CPU A\" vs \"CPU B\""));
	mpb_compare_free(&c);
	json_decref(n);

	/* nothing in common */
	n = doc("CPU A", json_pack("[o]", point("thread", 3, base_b, 6, NULL)));
	assert_int_equal(compare(b, n, 10, &c, &d), -MPB_EINPUT);
	assert_non_null(strstr(d.msg, "no point in common"));
	assert_non_null(strstr(d.msg, "b.json"));
	json_decref(n);
	json_decref(b);
}

static void test_failed_and_short(void **state)
{
	(void)state;
	json_t *b = base_doc();
	json_t *n = doc("CPU A", json_pack("[o, o]", point("fork", 1, scaled(base_a, 6, 2), 6, "worker died"),
					   point("fork", 2, base_b, 1, NULL)));
	struct mpb_compare c;
	struct mpb_diag d = { 0 };
	assert_int_equal(compare(b, n, 10, &c, &d), 0);
	/* twice as slow, but the point failed: no verdict on a cut-short sample */
	assert_int_equal(row_of(&c, 1)->verdict, MPB_VERDICT_INCONCLUSIVE);
	assert_string_equal(row_of(&c, 1)->note, "failed in new");
	assert_int_equal(row_of(&c, 2)->verdict, MPB_VERDICT_INCONCLUSIVE);
	assert_string_equal(row_of(&c, 2)->note, "fewer than 2 runs");
	assert_int_equal(mpb_compare_status(&c, &d), 0);
	mpb_compare_free(&c);
	json_decref(b);
	json_decref(n);
}

static char *write_text(const struct mpb_compare *c, enum mpb_export_format fmt)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct mpb_diag d = { 0 };
	assert_non_null(f);
	assert_int_equal(mpb_compare_write(f, fmt, c, &d), 0);
	fclose(f);
	return buf;
}

static void test_outputs(void **state)
{
	(void)state;
	json_t *b = base_doc();
	json_t *n = doc("CPU B", json_pack("[o, o]", point("fork", 1, base_a, 6, NULL),
					   point("fork", 2, scaled(base_b, 6, 1.3), 6, NULL)));
	struct mpb_compare c;
	struct mpb_diag d = { 0 };
	assert_int_equal(compare(b, n, 10, &c, &d), 0);
	char *md = write_text(&c, MPB_EXPORT_MD);
	assert_non_null(strstr(md, "Warning: the machines differ"));
	assert_non_null(strstr(md, "| **regressed** |"));
	assert_non_null(strstr(md, "| unchanged |"));
	assert_non_null(strstr(md, "**1 regressed**, 0 improved, 1 unchanged, 0 inconclusive of 2"));
	/* the axes that do not vary are said once, not in every row */
	assert_non_null(strstr(md, "All points: size 2000000, tasks 4"));
	free(md);
	char *js = write_text(&c, MPB_EXPORT_JSON);
	json_error_t err;
	json_t *o = json_loads(js, 0, &err);
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "schema")), MPB_COMPARE_SCHEMA);
	assert_true(json_is_true(json_object_get(o, "regressed")));
	assert_int_equal(json_integer_value(mpb_export_at(o, "counts.regressed")), 1);
	assert_int_equal(json_array_size(json_object_get(o, "machine_differences")), 1);
	json_t *pts = json_object_get(o, "points");
	assert_int_equal(json_array_size(pts), 2);
	for (size_t i = 0; i < 2; i++) {
		json_t *p = json_array_get(pts, i);
		const struct mpb_compare_row *r = &c.rows[i];
		assert_string_equal(json_string_value(json_object_get(p, "verdict")),
				    mpb_compare_verdict_name(r->verdict));
		assert_true(json_number_value(json_object_get(p, "ratio")) == r->ratio);
		assert_true(json_number_value(mpb_export_at(p, "ratio_ci95.0")) == r->ratio_lo);
		assert_true(json_number_value(json_object_get(p, "p_value")) == r->p);
		assert_int_equal(json_integer_value(json_object_get(p, "base_runs")), 6);
	}
	json_decref(o);
	free(js);
	mpb_compare_free(&c);
	json_decref(b);
	json_decref(n);
}

/* ---- --along, figures, geometric means ---- */

/* A point whose harness made `cs` voluntary context switches per run. */
static json_t *point_cs(const char *method, const char *codec, int workers, const double *wall,
			size_t n, int cs)
{
	json_t *runs = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(runs, json_pack("{s:I, s:{s:{s:i, s:i}}}", "wall_ns",
						      (json_int_t)llround(wall[i]), "counters_by_scope",
						      "harness", "voluntary_context_switches", cs,
						      "involuntary_context_switches", 0));
	return json_pack("{s:s, s:I, s:I, s:i, s:s, s:s, s:s, s:I, s:I, s:o, s:n}",
			 "workload", "sumsq", "size", (json_int_t)2000000, "tasks", (json_int_t)4,
			 "workers", workers, "method", method, "codec", codec, "transport", "pipe",
			 "chunksize", (json_int_t)1, "parent_rss", (json_int_t)0, "runs", runs, "error");
}

/* serial runs of median 400: speedup = 400 / a point's median */
static const double serial[] = { 396, 398, 400, 402, 404 };

static json_t *methods_doc(void)
{
	json_t *bl = json_array();
	for (size_t i = 0; i < 5; i++)
		json_array_append_new(bl, json_integer((json_int_t)serial[i]));
	/* thread differs in its codec (none), as real thread points do; thread
	 * at 2 workers is twice as slow as fork and switches twice as often */
	json_t *pts = json_pack("[o, o, o, o, o]",
				point_cs("fork", "raw", 1, base_b, 6, 8),
				point_cs("fork", "raw", 2, base_a, 6, 8),
				point_cs("thread", "none", 1, base_b, 6, 8),
				point_cs("thread", "none", 2, scaled(base_a, 6, 2), 6, 16),
				point_cs("spawn", "raw", 1, scaled(base_b, 6, 1.5), 6, 12));
	return json_pack("{s:s, s:{s:s, s:s, s:i, s:s}, s:s, s:o, s:[{s:s, s:I, s:I, s:o}]}",
			 "schema", "mpbench.results/1", "machine", "hostname", "h", "cpu_model", "C",
			 "usable_cpus", 2, "kernel", "6.1", "started", "2024-01-01T00:00:00Z",
			 "points", pts, "baselines", "workload", "sumsq", "size", (json_int_t)2000000,
			 "tasks", (json_int_t)4, "runs", bl);
}

static void test_along_parse(void **state)
{
	(void)state;
	json_t *doc = methods_doc();
	load(doc, &lb);
	struct mpb_compare_along a;
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_compare_parse_along("method=fork,thread", &lb.ds, &a, &d), 0);
	assert_string_equal(a.axis_name, "method");
	assert_string_equal(a.base, "fork");
	assert_int_equal(a.nnew, 1);
	assert_string_equal(a.news[0], "thread");
	/* no NEW: every other value, in the plan's order */
	assert_int_equal(mpb_compare_parse_along("method=fork", &lb.ds, &a, &d), 0);
	assert_int_equal(a.nnew, 2);
	assert_string_equal(a.news[0], "thread");
	assert_string_equal(a.news[1], "spawn");
	/* counts with suffixes name the values the keys write */
	assert_int_equal(mpb_compare_parse_along("workers=2,1", &lb.ds, &a, &d), 0);
	assert_string_equal(a.base, "2");
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "methd=fork", "with AXIS one of workload, size," },
		{ "method", "AXIS=BASE[,NEW...]" },
		{ "method=", "--along" },
		{ "method=forkserver", "no point has method 'forkserver' (accepted: a value of method "
				       "in the file: fork,thread,spawn)" },
		{ "method=fork,fork", "--along" },
		{ "size=2M,2000000", "names size 2000000 twice" },
		{ "transport=pipe", "leaves nothing to compare" },
		{ "workers=1,3", "no point has workers '3'" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		d.msg[0] = '\0';
		assert_int_equal(mpb_compare_parse_along(bad[i].text, &lb.ds, &a, &d), -MPB_EINPUT);
		if (!strstr(d.msg, bad[i].msg))
			fail_msg("--along %s: %s", bad[i].text, d.msg);
	}
	json_decref(doc);
}

static const struct mpb_compare_row *row_at(const struct mpb_compare *c, const char *method,
					    unsigned workers)
{
	for (size_t i = 0; i < c->nrows; i++) {
		const struct mpb_point *p = &lb.plan.points[c->rows[i].new_];
		if (p->workers == workers && strcmp(p->method->name, method) == 0)
			return &c->rows[i];
	}
	fail_msg("no row for %s %u", method, workers);
	return &c->rows[0]; /* not reached */
}

/* Compare the methods document along `text` into c (the document stays
 * loaded in lb until the next load). */
static void compare_along(const char *text, struct mpb_compare *c)
{
	json_t *doc = methods_doc();
	struct mpb_compare_along a;
	struct mpb_diag d = { 0 };
	load(doc, &lb);
	json_decref(doc);
	assert_int_equal(mpb_compare_parse_along(text, &lb.ds, &a, &d), 0);
	assert_int_equal(mpb_compare_along_dataset("m.json", &lb.ds, &a, 10, c, &d), 0);
}

static void test_along_compare(void **state)
{
	(void)state;
	struct mpb_compare c;
	struct mpb_diag d = { 0 };
	compare_along("method=fork", &c);
	/* thread 1 and 2 (matched although their codec differs), spawn 1 */
	assert_int_equal(c.nrows, 3);
	assert_int_equal(c.only_new, 0);
	assert_int_equal(c.only_base, 0);
	assert_int_equal(c.ndiff, 0);
	const struct mpb_compare_row *t1 = row_at(&c, "thread", 1), *t2 = row_at(&c, "thread", 2);
	const struct mpb_compare_row *s1 = row_at(&c, "spawn", 1);
	assert_int_equal(lb.plan.points[t2->base].workers, 2);
	assert_string_equal(lb.plan.points[t2->base].method->name, "fork");
	assert_int_equal(t1->verdict, MPB_VERDICT_UNCHANGED);
	assert_int_equal(t2->verdict, MPB_VERDICT_REGRESSED);
	assert_int_equal(s1->verdict, MPB_VERDICT_REGRESSED);
	assert_true(fabs(t2->ratio - 2.0) < 1e-9);
	/* speedup = serial median / the point's median */
	assert_true(fabs(t2->base_speedup - 400 / 102.5) < 1e-9);
	assert_true(fabs(t2->new_speedup - 400 / 205.0) < 1e-9);
	/* context switches per task, from rusage: 8 / 4 tasks, 16 / 4 */
	assert_string_equal(t2->cs_source, "rusage");
	assert_true(t2->base_cs_per_task == 2.0 && t2->new_cs_per_task == 4.0);
	assert_true(s1->new_cs_per_task == 3.0);
	/* geometric means over the three rows */
	assert_int_equal(c.geomean.nwall, 3);
	double want = cbrt(t1->ratio * t2->ratio * s1->ratio);
	assert_true(fabs(c.geomean.wall - want) < 1e-9);
	assert_true(fabs(c.geomean.speedup - 1 / want) < 1e-9);
	assert_true(fabs(c.geomean.cs - cbrt(1.0 * 2.0 * 1.5)) < 1e-9);
	/* the exit status contract holds along an axis too */
	assert_int_equal(mpb_compare_status(&c, &d), -MPB_EREGRESS);
	assert_non_null(strstr(d.msg, "2 points regressed beyond 10%"));
	mpb_compare_free(&c);

	/* a NEW value without counterpart: workers 2 has no spawn point */
	compare_along("method=spawn,thread", &c);
	assert_int_equal(c.nrows, 1);
	assert_int_equal(c.only_new, 1);
	mpb_compare_free(&c);
}

static void test_along_outputs(void **state)
{
	(void)state;
	struct mpb_compare c;
	compare_along("method=fork,thread", &c);
	char *md = write_text(&c, MPB_EXPORT_MD);
	assert_non_null(strstr(md, "- along method: base fork, new thread"));
	assert_non_null(strstr(md, "| speedup (base → new) | ctx sw/task (base → new) |"));
	/* the codec differs within a row: shown as such, not as common */
	assert_non_null(strstr(md, "| sumsq | 2 | thread | raw → none | "));
	assert_null(strstr(md, "codec none"));
	assert_non_null(strstr(md, "| 3.902 → 1.951 | 2 → 4 |"));
	assert_non_null(strstr(md, "Geometric mean of new/base: wall time x1.414 (2 points), "
				   "speedup x0.7071 (2 points), context switches per task x1.414 "
				   "(2 points)."));
	assert_non_null(strstr(md, "from rusage"));
	free(md);
	char *js = write_text(&c, MPB_EXPORT_JSON);
	json_t *o = json_loads(js, 0, NULL);
	assert_non_null(o);
	assert_string_equal(json_string_value(mpb_export_at(o, "along.axis")), "method");
	assert_string_equal(json_string_value(mpb_export_at(o, "along.base")), "fork");
	assert_string_equal(json_string_value(mpb_export_at(o, "along.new.0")), "thread");
	assert_true(fabs(json_number_value(mpb_export_at(o, "geomean.wall_ratio")) - sqrt(2)) < 1e-9);
	assert_int_equal(json_integer_value(mpb_export_at(o, "geomean.context_switches_points")), 2);
	const json_t *p = mpb_export_at(o, "points.1");
	assert_string_equal(json_string_value(json_object_get(p, "method")), "thread");
	assert_true(json_number_value(json_object_get(p, "speedup_ratio")) ==
		    c.rows[1].new_speedup / c.rows[1].base_speedup);
	assert_true(json_number_value(json_object_get(p, "new_context_switches_per_task")) == 4.0);
	assert_true(json_number_value(json_object_get(p, "context_switches_ratio")) == 2.0);
	assert_string_equal(json_string_value(json_object_get(p, "context_switches_source")),
			    "rusage");
	json_decref(o);
	free(js);
	mpb_compare_free(&c);
}

/* Each file's measurement warnings travel in the JSON, as under the table. */
static void test_json_warnings(void **state)
{
	(void)state;
	static const double slow_first[] = { 300, 101, 102, 103, 104, 105 };
	json_t *b = base_doc();
	json_t *n = doc("CPU A", json_pack("[o, o]", point("fork", 1, slow_first, 6, NULL),
					   point("fork", 2, base_b, 6, NULL)));
	struct mpb_compare c;
	struct mpb_diag d = { 0 };
	assert_int_equal(compare(b, n, 10, &c, &d), 0);
	char *js = write_text(&c, MPB_EXPORT_JSON);
	json_t *o = json_loads(js, 0, NULL);
	assert_non_null(o);
	const json_t *wn = mpb_export_at(o, "new.warnings"), *wb = mpb_export_at(o, "base.warnings");
	assert_true(json_is_array(wn) && json_is_array(wb));
	assert_int_equal(json_array_size(wb), 0);
	bool found = false;
	for (size_t i = 0; i < json_array_size(wn); i++) {
		const json_t *w = json_array_get(wn, i);
		assert_string_not_equal(json_string_value(json_object_get(w, "scope")), "recommendation");
		found |= strcmp(json_string_value(json_object_get(w, "kind")), "slow_first_run") == 0 &&
			 json_integer_value(json_object_get(w, "index")) == 0;
	}
	assert_true(found);
	assert_true(json_is_null(json_object_get(o, "along")));
	char *md = write_text(&c, MPB_EXPORT_MD);
	assert_non_null(strstr(md, "Warnings of new:"));
	assert_null(strstr(md, "Warnings of base:"));
	free(md);
	json_decref(o);
	free(js);
	mpb_compare_free(&c);
	json_decref(b);
	json_decref(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verdict_rule),
		cmocka_unit_test(test_threshold),
		cmocka_unit_test(test_identical),
		cmocka_unit_test(test_regression_named),
		cmocka_unit_test(test_improvement_and_noise),
		cmocka_unit_test(test_matching),
		cmocka_unit_test(test_failed_and_short),
		cmocka_unit_test(test_outputs),
		cmocka_unit_test(test_along_parse),
		cmocka_unit_test(test_along_compare),
		cmocka_unit_test(test_along_outputs),
		cmocka_unit_test(test_json_warnings),
	};
	return cmocka_run_group_tests(tests, NULL, release);
}
