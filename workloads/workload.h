/* workload.h — what a task computes. One const ops struct per workload file,
 * listed in the explicit registry table in registry.c (no constructor tricks),
 * so `mpbench list`, --help and the dispatcher walk the same table.
 *
 * Workloads only work: they never time, print or format. Every callback may
 * run in the parent (serial baseline, make_task, verify) and in any worker
 * (setup + run_task), so a workload keeps no state outside what setup returns.
 * See skeleton.c for a documented template.
 */
#ifndef MPB_WORKLOAD_H
#define MPB_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "parse.h"
#include "value.h"

#define MPB_WORKLOAD_ABI 1

/* Put on a workload's run_task when its time is a hot loop. The function then
 * starts on a cache line, so its loop sits at the same offset in every binary
 * that links it (mpbench and mpbench-worker): left to the linker, sumsq's loop
 * straddled a 64-byte line in mpbench only, and ran ~1.5x slower there than in
 * spawned workers on a Xeon VM (serial 302 ms vs spawn 214 ms at 1 worker, -s
 * 50M -t 8), which made spawn look faster than the machine. */
#define MPB_WORKLOAD_HOT __attribute__((aligned(64)))

/* Workload flags. */
enum {
	/* Not pooled: each run executes an external command measured from
	 * outside (harness/external/runner.h); no ceiling, and no run_task or
	 * verify (both may be NULL). */
	MPB_WORKLOAD_EXTERNAL = 1u << 0,
};

struct mpb_workload_params {
	uint64_t size;   /* work in one task, in the workload's unit */
	uint64_t tasks;  /* tasks in one map */
	uint64_t seed;   /* for workloads that draw random task costs */
	uint64_t result_size; /* bytes a task returns (payload's --result-size; 0: default) */
};

/* An option a workload declares for itself (payload's --result-size). The
 * command line's option parser, --help, --config and the recorded options
 * pick these up from the registry; the plan parses the value (a number in
 * `unit` within [min, max]), records it in the results' config under `key`
 * and hands it to every workload in struct mpb_workload_params at `param`.
 * Names are unique over all workloads and all of mpbench's own options. */
struct mpb_workload_option {
	const char *name;      /* long name, without "--" */
	const char *metavar;   /* "BYTES" */
	const char *help;
	const char *def;       /* the default, as the command line would give it */
	enum mpb_unit unit;
	uint64_t min, max;
	size_t param;          /* offsetof(struct mpb_workload_params, <a uint64_t field>) */
	const char *key;       /* its key in the results' config ("result_size") */
};

/* Most workload options over all workloads (mpb_workload_option_at). */
#define MPB_WORKLOAD_OPTIONS_MAX 16

struct mpb_workload_ops {
	unsigned abi;               /* MPB_WORKLOAD_ABI */
	const char *name;
	const char *summary;
	enum mpb_unit unit;         /* how -s values are parsed and shown */
	const char *unit_name;      /* "iterations", "bytes", "us" */
	unsigned flags;
	const char *default_sizes;  /* -s when not given */
	uint64_t default_tasks;     /* -t when not given */
	uint64_t min_size, max_size;
	/* Optional: build per-process state from params (*state may stay NULL). */
	int (*setup)(const struct mpb_workload_params *p, void **state, struct mpb_diag *d);
	/* The argument of task `index` (0-based) into *arg (caller clears). */
	int (*make_task)(void *state, const struct mpb_workload_params *p, uint64_t index,
			 struct mpb_value *arg, struct mpb_diag *d);
	/* Compute the result of one task into *result (caller clears). */
	int (*run_task)(void *state, const struct mpb_value *arg, struct mpb_value *result,
			struct mpb_diag *d);
	/* Check a result computed elsewhere; negative with a message if wrong. */
	int (*verify)(void *state, const struct mpb_workload_params *p, uint64_t index,
		      const struct mpb_value *arg, const struct mpb_value *result,
		      struct mpb_diag *d);
	/* Optional: release what setup built. */
	void (*teardown)(void *state);
	/* Optional: memory in bytes that setup keeps in each process that runs
	 * tasks (*per_process) and that one task's argument plus result take
	 * (*per_task; the parent holds every task's). The plan refuses a point
	 * whose estimate exceeds the memory available, instead of letting the
	 * machine swap or the OOM killer pick off workers. Left out: negligible. */
	void (*footprint)(const struct mpb_workload_params *p, uint64_t *per_process,
			  uint64_t *per_task);
	/* Optional: this workload's own options, ended by an entry without a
	 * name. */
	const struct mpb_workload_option *options;
	/* Optional: a size so small that a pool's start-up and per-task costs
	 * outweigh a task's work; the default sweep (no -w/-s/-t/-j) measures
	 * it after default_sizes, to show the pool's price. */
	const char *fine_size;
};

extern const struct mpb_workload_ops mpb_workload_null;
extern const struct mpb_workload_ops mpb_workload_sumsq;
extern const struct mpb_workload_ops mpb_workload_payload;
extern const struct mpb_workload_ops mpb_workload_stream;
extern const struct mpb_workload_ops mpb_workload_imbalance;
extern const struct mpb_workload_ops mpb_workload_sleep;
extern const struct mpb_workload_ops mpb_workload_cmd;

/* A make_task for workloads whose task argument is just its index. */
int mpb_workload_make_index(void *state, const struct mpb_workload_params *p, uint64_t index,
			    struct mpb_value *arg, struct mpb_diag *d);

/* Registry: every workload in listing order. */
const struct mpb_workload_ops *const *mpb_workload_all(size_t *n);
/* Look up by name; NULL when unknown. */
const struct mpb_workload_ops *mpb_workload_find(const char *name);
/* The k-th workload option over the registry, in listing order (each
 * workload's in its table's order); NULL past the last. */
const struct mpb_workload_option *mpb_workload_option_at(size_t k);
/* The field of p that option o sets. */
uint64_t *mpb_workload_option_field(struct mpb_workload_params *p,
				    const struct mpb_workload_option *o);
/* Validate an ops struct once (ABI, mandatory callbacks, sizes); 0 or negative. */
int mpb_workload_check(const struct mpb_workload_ops *w, struct mpb_diag *d);

#endif
