/* plan.h — the axes of a sweep expanded into points and validated up front,
 * so that bad values fail before the first run. A point is one combination
 * of every axis; a baseline is one (workload, size, tasks): the serial run
 * that is the denominator of speedup. */
#ifndef MPB_PLAN_H
#define MPB_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "codec.h"
#include "diag.h"
#include "machine.h"
#include "method.h"
#include "options.h"
#include "transport.h"
#include "workload.h"

#define MPB_MAX_WORKERS 4096u
#define MPB_MAX_TASKS 10000000ull
/* Without -t a point maps at least this many tasks per worker of the
 * plan's largest worker count (else the workload's default): with fewer,
 * the larger counts have idle workers and the curve shows the task count,
 * not the pool. */
#define MPB_PLAN_TASKS_PER_WORKER 4u

/* auto: sized while the map runs (chunk.h); its point's chunksize is 1, the
 * start, and each run records the sizes chosen */
enum mpb_chunk_strategy { MPB_CHUNK_FIXED, MPB_CHUNK_PYTHON, MPB_CHUNK_AUTO };

struct mpb_point {
	unsigned id;
	const struct mpb_workload_ops *workload;
	uint64_t size, tasks;
	uint64_t parent_rss;  /* bytes the harness touches before the pool starts */
	unsigned workers;
	const struct mpb_method_ops *method;
	const struct mpb_codec_ops *codec;
	const struct mpb_transport_ops *transport;
	enum mpb_chunk_strategy chunk_strategy;
	uint64_t chunksize;   /* resolved */
	size_t baseline;      /* index into plan.baselines */
	size_t ceiling;       /* index into plan.ceilings, MPB_NO_CEILING when off */
};

struct mpb_baseline {
	const struct mpb_workload_ops *workload;
	uint64_t size, tasks;
};

/* The machine's scaling ceiling for one (workload, size, tasks, workers,
 * over): the same tasks split over `workers` bare forked processes, or bare
 * MPI ranks for the mpi method's points (ceiling.h). */
struct mpb_ceiling {
	const struct mpb_workload_ops *workload;
	uint64_t size, tasks;
	unsigned workers;
	size_t baseline;      /* its tasks are the baseline's */
	/* bare processes or bare MPI ranks: the kind of its points' method */
	enum mpb_method_ceiling over;
};
#define MPB_NO_CEILING ((size_t)-1)

/* Longest --label, in bytes, without the NUL. */
#define MPB_PLAN_LABEL_MAX 63

struct mpb_plan {
	struct mpb_point *points;
	size_t npoints;
	struct mpb_baseline *baselines;
	size_t nbaselines;
	struct mpb_ceiling *ceilings;  /* empty with --no-ceiling */
	size_t nceilings;
	uint64_t runs, warmup, seed;
	/* the workloads' own options (workload.h, such as payload's
	 * --result-size), parsed into their fields; size, tasks and seed unset */
	struct mpb_workload_params wopts;
	json_t *config;   /* the resolved plan, as recorded in results "config" */
	/* --label: what a fleet report calls this sweep's series ("" when none;
	 * results "label") */
	char label[MPB_PLAN_LABEL_MAX + 1];
};

/* Expand cfg into plan; m supplies usable CPUs (for -j auto) and the process
 * limit. Every value is checked: unknown names, malformed or zero sizes and
 * counts, too many workers. 0 or -MPB_EINPUT with the message. */
int mpb_plan_build(const struct mpb_config *cfg, const struct mpb_machine *m,
		   struct mpb_plan *plan, struct mpb_diag *d);
void mpb_plan_free(struct mpb_plan *plan);

/* -j auto: 1, 2, 4, ... <= 2*usable, plus usable itself, ascending, unique.
 * Writes at most cap values into out; returns how many. */
size_t mpb_plan_auto_workers(unsigned usable, unsigned *out, size_t cap);

const char *mpb_chunk_strategy_name(enum mpb_chunk_strategy s);

/* What a workload is told for (size, tasks) under plan: those, the plan's
 * seed and the workloads' own options. */
struct mpb_workload_params mpb_plan_wparams(const struct mpb_plan *plan, uint64_t size,
					    uint64_t tasks);

#endif
