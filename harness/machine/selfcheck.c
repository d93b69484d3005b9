/* selfcheck.c — the harness's own per-run overhead (see selfcheck.h). */
#include "selfcheck.h"

#include <stdlib.h>

#include "clock.h"
#include "codec.h"
#include "method.h"
#include "pool.h"
#include "stats.h"
#include "workload.h"

#define SELFCHECK_RUN_TIMEOUT_NS 2000000000ull

/* One empty run; its wall time counted as the driver counts a run's: the
 * workers' read-out after STOP is the harness's and left out (pool.h). */
static int empty_run(const struct mpb_counter_set *counters, double *wall, struct mpb_diag *d)
{
	struct mpb_value arg = mpb_value_int(0), res = { 0 };
	struct mpb_pool_config c = {
		.method = &mpb_method_fork,
		.codec = &mpb_codec_raw,
		.transport = &mpb_transport_pipe,
		.workload = &mpb_workload_null,
		.wparams = { .size = 0, .tasks = 1, .seed = 1 },
		.workers = 1,
		.chunksize = 1,
		.counters = counters && !counters->none ? &counters->plan : NULL,
		/* a worker that cannot end (a test's injected hang) fails the
		 * self-check, which the sweep survives, instead of hanging it */
		.run_timeout_ns = SELFCHECK_RUN_TIMEOUT_NS,
	};
	struct mpb_pool *p = NULL;
	struct mpb_counter_scope sc;
	mpb_counters_scope_begin(&sc, counters && !counters->none ? counters : NULL);
	uint64_t t0 = mpb_now_ns();
	int rc = mpb_pool_start(&c, &p, d);
	if (rc == 0)
		rc = mpb_pool_map(p, &arg, 1, &res, d);
	if (rc == 0)
		rc = mpb_pool_stop(p, d);
	uint64_t t1 = mpb_now_ns();
	mpb_counters_scope_end(&sc, NULL);
	if (rc == 0)
		*wall = (double)(t1 - t0 - mpb_pool_report(p)->readout_ns);
	mpb_pool_free(p);
	mpb_value_clear(&res);
	return rc;
}

void mpb_selfcheck_derive(struct mpb_selfcheck *sc)
{
	double over = sc->empty_run_ns - sc->floors_ns;
	sc->overhead_ns = over > 0 ? over : 0;
	sc->min_task_ns = MPB_SELFCHECK_FACTOR * sc->overhead_ns;
}

bool mpb_selfcheck_too_short(const struct mpb_selfcheck *sc, double task_ns)
{
	return sc->runs > 0 && task_ns < sc->min_task_ns;
}

int mpb_selfcheck_measure(const struct mpb_floor *f, const struct mpb_counter_set *counters,
			  unsigned runs, struct mpb_selfcheck *out, struct mpb_diag *d)
{
	if (runs == 0)
		return mpb_fail(d, MPB_EINPUT, "self-check: nothing to measure");
	double *wall = malloc(runs * sizeof *wall);
	if (!wall)
		return mpb_fail(d, MPB_ENOMEM, "out of memory");
	int rc = 0;
	for (unsigned i = 0; rc == 0 && i < runs; i++)
		rc = empty_run(counters, &wall[i], d);
	if (rc == 0) {
		*out = (struct mpb_selfcheck){
			.runs = runs,
			.empty_run_ns = mpb_stats_median(wall, runs),
			.floors_ns = f->fork_exit_wait_ns + f->pipe_rtt_ns,
		};
		mpb_selfcheck_derive(out);
	}
	free(wall);
	return rc;
}
