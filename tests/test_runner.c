/* test_runner.c — unit tests for the runner seam (harness/external/runner.h):
 * the driver runs every point and baseline of a sweep through the sweep's
 * runner and never through the pool when one is set, and the --cmd runner
 * (cmd_point.c) runs a point's command and a baseline's through its ops
 * alone, without the driver. */
#include "runner.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_point.h"
#include "driver.h"
#include "machine.h"
#include "options.h"
#include "plan.h"

#define ARGS(...)                                                        \
	(int)(sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)),       \
		(char *[]){ __VA_ARGS__ }

static void build(int argc, char **argv, struct mpb_config *cfg, struct mpb_plan *plan)
{
	struct mpb_machine m;
	memset(&m, 0, sizeof m);
	m.online_cpus = m.affinity_cpus = m.usable_cpus = 2;
	struct mpb_diag d = { 0 };
	if (mpb_options_parse(MPB_CMD_SWEEP, argc, argv, cfg, &d) != 0)
		fail_msg("options: %s", d.msg);
	if (mpb_plan_build(cfg, &m, plan, &d) != 0)
		fail_msg("plan: %s", d.msg);
}

/* A runner that runs nothing and tells what it was asked. */
struct fake {
	const struct mpb_plan *plan;
	unsigned points, baselines;
};

static int fake_point(void *ctx, const struct mpb_runner_env *e, size_t i, struct mpb_sample *out,
		      struct mpb_diag *d)
{
	(void)d;
	struct fake *f = ctx;
	assert_ptr_equal(e->plan, f->plan);
	assert_true(i < e->plan->npoints);
	memset(out, 0, sizeof *out);
	out->wall_ns = 1000 + i;
	f->points++;
	return 0;
}

static int fake_baseline(void *ctx, const struct mpb_runner_env *e, size_t j, uint64_t *wall_ns,
			 struct mpb_diag *d)
{
	(void)d;
	struct fake *f = ctx;
	assert_true(j < e->plan->nbaselines);
	*wall_ns = 7777;
	f->baselines++;
	return 0;
}

static const struct mpb_runner_ops fake_runner = { "fake", fake_point, fake_baseline };

static void test_driver_runs_through_the_runner(void **state)
{
	(void)state;
	struct mpb_config cfg;
	struct mpb_plan plan;
	/* the fake's figures cannot come from a pool: a bypassed runner shows */
	build(ARGS("-w", "sumsq", "-s", "1k", "-t", "4", "-j", "1,2", "-r", "2",
		   "--max-runs", "2", "--warmup", "1", "--no-ceiling"), &cfg, &plan);
	struct fake f = { .plan = &plan };
	struct mpb_machine m;
	memset(&m, 0, sizeof m);
	struct mpb_sweep s = { .plan = &plan, .machine = &m, .runner = &fake_runner,
			       .runner_ctx = &f, .start_busy_cpus = -1 };
	struct mpb_diag d = { 0 };
	if (mpb_sweep_run(&s, &d) != 0)
		fail_msg("sweep: %s", d.msg);
	/* warm-up round plus two measured ones, each item once per round */
	assert_int_equal(f.points, 3 * plan.npoints);
	assert_int_equal(f.baselines, 3 * plan.nbaselines);
	/* the runner's figures are what the sweep kept (warm-up discarded) */
	assert_int_equal(s.data.bls[0].n, 2);
	assert_true(s.data.bls[0].wall_ns[0] == 7777.0);
	assert_int_equal(s.data.pts[1].nruns, 2);
	assert_true(s.data.pts[1].runs[0].wall_ns == 1001);
	mpb_sweep_free(&s);
	mpb_plan_free(&plan);
}

static void test_cmd_runner(void **state)
{
	(void)state;
	struct mpb_config cfg;
	struct mpb_plan plan;
	build(ARGS("--cmd", "true {workers} {size}", "-s", "3", "-t", "2", "-j", "2", "-c", "1"),
	      &cfg, &plan);
	struct mpb_cmd_spec spec;
	struct mpb_diag d = { 0 };
	/* without --cmd there is no command runner: the pool runs the sweep */
	struct mpb_config none = cfg;
	none.cmd = NULL;
	none.workloads = "sumsq";
	assert_int_equal(mpb_cmd_spec_from(&none, &spec, &d), 0);
	assert_null(mpb_cmd_spec_runner(&spec));

	if (mpb_cmd_spec_from(&cfg, &spec, &d) != 0)
		fail_msg("spec: %s", d.msg);
	const struct mpb_runner_ops *r = mpb_cmd_spec_runner(&spec);
	assert_non_null(r);
	assert_non_null(r->point);
	assert_non_null(r->baseline);
	struct mpb_runner_env e = { .plan = &plan };
	struct mpb_sample smp;
	if (r->point(&spec, &e, 0, &smp, &d) != 0)
		fail_msg("point: %s", d.msg);
	assert_true(smp.wall_ns > 0);
	/* the command line the point's values made, in the run's "cmd" record */
	json_t *argv = json_object_get(smp.cmd, "argv");
	assert_int_equal(json_array_size(argv), 3);
	assert_string_equal(json_string_value(json_array_get(argv, 0)), "true");
	assert_string_equal(json_string_value(json_array_get(argv, 1)), "2");
	assert_string_equal(json_string_value(json_array_get(argv, 2)), "3");
	mpb_dataset_sample_free(&smp);
	uint64_t wall = 0;
	if (r->baseline(&spec, &e, 0, &wall, &d) != 0)
		fail_msg("baseline: %s", d.msg);
	assert_true(wall > 0);
	mpb_plan_free(&plan);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_driver_runs_through_the_runner),
		cmocka_unit_test(test_cmd_runner),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
