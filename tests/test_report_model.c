/* test_report_model.c — unit tests for harness/output/report_model.c and the text
 * helpers of harness/output/report_gp.c: the worker axis and its usable-CPU mark
 * (drawn behind the data, so a single worker count's points stay visible),
 * time units and y ranges, the fitted models as gnuplot expressions (the
 * same formulas as fit.h, checked by evaluating them), and the filter that
 * keeps text from a results file from escaping a gnuplot string. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "report_gp.h"
#include "report_model.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static void assert_has(const char *text, const char *want)
{
	if (!strstr(text, want))
		fail_msg("'%s' not in:\n%s", want, text);
}

/* A context of points at the given worker counts, all from one results file
 * whose machine has `cpus` usable CPUs. */
struct axis_fixture {
	json_t *doc;
	struct mpb_loaded set;         /* only its document and machine */
	struct mpb_report_opts o;
	struct mpb_rp_point pts[16];
	size_t cand[16];
	struct mpb_rp_ctx c;
};

static void axis_fixture(struct axis_fixture *fx, const unsigned *workers, size_t n, int cpus)
{
	memset(fx, 0, sizeof *fx);
	fx->doc = json_pack("{s:{s:i}}", "machine", "usable_cpus", cpus);
	assert_non_null(fx->doc);
	fx->set.doc = fx->doc;
	fx->set.machine.usable_cpus = cpus;
	fx->o.sets = &fx->set;
	fx->o.n = 1;
	for (size_t i = 0; i < n; i++) {
		fx->pts[i].workers = workers[i];
		fx->cand[i] = i;
	}
	fx->c = (struct mpb_rp_ctx){ .o = &fx->o, .pts = fx->pts, .n = n };
}

static void test_workers_axis_and_cpu_mark(void **state)
{
	(void)state;
	struct axis_fixture fx;
	const unsigned w[] = { 4, 1, 2, 2 };
	axis_fixture(&fx, w, N_OF(w), 2);
	struct mpb_sb axis = { 0 }, marks = { 0 };
	assert_int_equal(mpb_rp_workers_axis(&fx.c, fx.cand, N_OF(w), &axis, &marks), 0);
	/* linear, ticks at the counts measured, half a step of room each side */
	assert_has(mpb_sb_str(&axis), "set xrange [0.5:4.5]\n");
	assert_has(mpb_sb_str(&axis), "set xtics (1, 2, 4)\n");
	assert_null(strstr(mpb_sb_str(&axis), "logscale"));
	/* the mark: behind the data, labelled, at the usable CPUs */
	assert_has(mpb_sb_str(&marks), "set arrow from 2, graph 0 to 2, graph 1 nohead");
	assert_has(mpb_sb_str(&marks), " back\n");
	assert_null(strstr(mpb_sb_str(&marks), "#c00000\" front\nset label"));
	assert_has(mpb_sb_str(&marks), "set label 'usable CPUs: 2' at 2,");
	mpb_sb_free(&axis);
	mpb_sb_free(&marks);
	json_decref(fx.doc);

	/* a range of 16x or more goes log2, and takes in the CPU mark */
	const unsigned wide[] = { 1, 2, 4, 8, 16, 32 };
	axis_fixture(&fx, wide, N_OF(wide), 64);
	assert_int_equal(mpb_rp_workers_axis(&fx.c, fx.cand, N_OF(wide), &axis, &marks), 0);
	assert_has(mpb_sb_str(&axis), "set logscale x 2\n");
	double lo, hi;
	const char *r = strstr(mpb_sb_str(&axis), "set xrange [");
	assert_non_null(r);
	assert_int_equal(sscanf(r, "set xrange [%lf:%lf]", &lo, &hi), 2);
	assert_true(lo < 1 && hi > 64);
	assert_has(mpb_sb_str(&marks), "usable CPUs: 64");
	mpb_sb_free(&axis);
	mpb_sb_free(&marks);
	json_decref(fx.doc);

	/* no usable_cpus in the file: no mark, the axis still */
	axis_fixture(&fx, w, N_OF(w), 0);
	assert_int_equal(mpb_rp_workers_axis(&fx.c, fx.cand, N_OF(w), &axis, &marks), 0);
	assert_string_equal(mpb_sb_str(&marks), "");
	assert_has(mpb_sb_str(&axis), "set xtics (1, 2, 4)\n");
	mpb_sb_free(&axis);
	mpb_sb_free(&marks);
	json_decref(fx.doc);
}

static void test_time_unit_and_ymax(void **state)
{
	(void)state;
	static const struct {
		double max_ns;
		const char *unit;
		double scale;
	} cases[] = {
		{ 0, "ns", 1 }, { 499, "ns", 1 }, { 500, "µs", 1e3 }, { 499999, "µs", 1e3 },
		{ 5e5, "ms", 1e6 }, { 4.99e8, "ms", 1e6 }, { 5e8, "s", 1e9 }, { 3e11, "s", 1e9 },
	};
	for (size_t i = 0; i < N_OF(cases); i++) {
		const char *unit = NULL;
		double scale = 0;
		mpb_rp_time_unit(cases[i].max_ns, &unit, &scale);
		assert_string_equal(unit, cases[i].unit);
		assert_true(scale == cases[i].scale);
	}
	assert_true(fabs(mpb_rp_ymax(2.0) - 2.3) < 1e-12); /* 15% headroom over the top */
	assert_true(mpb_rp_ymax(0) == 1.0);
	assert_true(mpb_rp_ymax(-3) == 1.0);
	assert_true(mpb_rp_ymax(NAN) == 1.0);
	assert_true(mpb_rp_ymax(INFINITY) == 1.0);
}

/* The expressions are the models of fit.h: evaluate them at a few N. */
static void test_fit_expressions(void **state)
{
	(void)state;
	json_t *fit = json_pack("{s:{s:f, s:f}, s:{s:f, s:f, s:f}}",
				"amdahl", "serial_fraction", 0.1, "scale", 0.9,
				"usl", "sigma", 0.05, "kappa", 0.002, "scale", 0.95);
	assert_non_null(fit);
	struct mpb_sb e = { 0 }, l = { 0 };
	double k, f, s, q;
	assert_true(mpb_rp_fit_expr(fit, 0, &e, &l));
	assert_int_equal(sscanf(mpb_sb_str(&e), "%lf*x/(1 + %lf*(x - 1))", &k, &f), 2);
	for (double n = 1; n <= 64; n *= 2) {
		double got = k * n / (1 + f * (n - 1)), want = 0.9 * n / (1 + 0.1 * (n - 1));
		assert_true(fabs(got - want) < 1e-7 * want);
	}
	assert_string_equal(mpb_sb_str(&l), "Amdahl fit, serial fraction 0.1");
	mpb_sb_free(&e);
	mpb_sb_free(&l);

	assert_true(mpb_rp_fit_expr(fit, 1, &e, &l));
	assert_int_equal(sscanf(mpb_sb_str(&e), "%lf*x/(1 + %lf*(x - 1) + %lf*x*(x - 1))", &k, &s,
				&q), 3);
	for (double n = 1; n <= 64; n *= 2) {
		double got = k * n / (1 + s * (n - 1) + q * n * (n - 1));
		double want = 0.95 * n / (1 + 0.05 * (n - 1) + 0.002 * n * (n - 1));
		assert_true(fabs(got - want) < 1e-7 * want);
	}
	assert_string_equal(mpb_sb_str(&l), "USL fit, contention 0.05, coherency 0.002");
	mpb_sb_free(&e);
	mpb_sb_free(&l);
	json_decref(fit);

	/* no model, or parameters out of their bounds: nothing drawn */
	static const char *const bad[] = {
		"{}", "{\"amdahl\": null}", "{\"amdahl\": {\"serial_fraction\": 1.5}}",
		"{\"amdahl\": {\"serial_fraction\": -0.1}}", "{\"amdahl\": {\"scale\": 0.5}}",
		"{\"amdahl\": {\"serial_fraction\": 0.1, \"scale\": -1}}",
	};
	for (size_t i = 0; i < N_OF(bad); i++) {
		json_t *j = json_loads(bad[i], 0, NULL);
		assert_non_null(j);
		assert_false(mpb_rp_fit_expr(j, 0, &e, &l));
		json_decref(j);
	}
	json_t *u = json_loads("{\"usl\": {\"sigma\": 0.1, \"kappa\": -0.01}}", 0, NULL);
	assert_false(mpb_rp_fit_expr(u, 1, &e, &l));
	json_decref(u);
	mpb_sb_free(&e);
	mpb_sb_free(&l);
}

/* Text from a results file cannot end a gnuplot string or run a command. */
static void test_safe_text(void **state)
{
	(void)state;
	struct mpb_sb b = { 0 };
	mpb_sb_safe(&b, "host-1.example (EPYC 7B13), 2.5% [x]");
	assert_string_equal(mpb_sb_str(&b), "host-1.example (EPYC 7B13), 2.5% [x]");
	mpb_sb_free(&b);
	mpb_sb_safe(&b, "a'b\"c`d\\e@f\ng$h");
	assert_string_equal(mpb_sb_str(&b), "a_b_c_d_e_f_g_h");
	mpb_sb_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_workers_axis_and_cpu_mark),
		cmocka_unit_test(test_time_unit_and_ymax),
		cmocka_unit_test(test_fit_expressions),
		cmocka_unit_test(test_safe_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
