/* sampling.c — the driver's side of adaptive sampling (see sampling.h). */
#include "sampling.h"

#include <math.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "method.h"
#include "options.h"

int mpb_sampling_policy_from(const struct mpb_config *cfg, bool race,
			     struct mpb_sampling_policy *p, double *tolerance,
			     struct mpb_diag *d)
{
	if (cfg->given_max_runs && cfg->max_runs < cfg->runs)
		return mpb_fail(d, MPB_EINPUT, "--max-runs: %llu is below -r/--runs %llu (accepted: "
				"at least the minimum runs)", (unsigned long long)cfg->max_runs,
				(unsigned long long)cfg->runs);
	*p = (struct mpb_sampling_policy){
		.max_runs = cfg->max_runs > cfg->runs ? cfg->max_runs : cfg->runs,
		.target_ci = cfg->target_ci / 100.0,
		.max_time_ns = (uint64_t)(cfg->max_time * 1e9),
		.race_tolerance = race ? cfg->tolerance / 100.0 : 0,
	};
	*tolerance = cfg->tolerance / 100.0;
	return 0;
}

bool mpb_sampling_point_wants_more(const struct mpb_dataset *s, size_t i)
{
	struct mpb_sampling_verdict v;
	mpb_sampling_point_verdict(s, i, &v);
	return v.state == MPB_SAMPLING_MORE;
}

bool mpb_sampling_baseline_wants_more(const struct mpb_dataset *s, size_t j)
{
	struct mpb_sampling_verdict v;
	mpb_sampling_baseline_verdict(s, j, &v);
	return v.state == MPB_SAMPLING_MORE;
}

bool mpb_sampling_ceiling_wants_more(const struct mpb_dataset *s, size_t j)
{
	struct mpb_sampling_verdict v;
	mpb_sampling_ceiling_verdict(s, j, &v);
	return v.state == MPB_SAMPLING_MORE;
}

static uint64_t ts_ns(const struct timespec *t)
{
	return (uint64_t)t->tv_sec * 1000000000u + (uint64_t)t->tv_nsec;
}

static uint64_t tv_ns(const struct timeval *t)
{
	return (uint64_t)t->tv_sec * 1000000000u + (uint64_t)t->tv_usec * 1000u;
}

uint64_t mpb_sampling_cpu_now(void)
{
	struct timespec ts = { 0, 0 };
	struct rusage ru = { 0 };
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	getrusage(RUSAGE_CHILDREN, &ru);
	return ts_ns(&ts) + tv_ns(&ru.ru_utime) + tv_ns(&ru.ru_stime);
}

bool mpb_sampling_cpu_visible(const struct mpb_point *pt)
{
	return !(pt->method->flags & MPB_METHOD_NOT_CHILDREN);
}

void mpb_sampling_account(struct mpb_sampling_acct *a, uint64_t wall_ns, uint64_t cpu_ns,
			  bool cpu_visible)
{
	a->spent_ns += wall_ns;
	a->timed_runs++;
	if (cpu_visible) {
		a->cpu_ns += cpu_ns;
		a->cpu_runs++;
	}
}

uint64_t mpb_sampling_max_runs(const struct mpb_dataset *s)
{
	uint64_t min = s->plan->runs;
	return s->sampling.max_runs > min ? s->sampling.max_runs : min;
}

