/* dataset_load.h — a results file (schema mpbench.results/1) read back
 * into the results model, so that everything analysis/ computes can be
 * computed again from a stored file, by the same code that computed it
 * when the sweep ran.
 *
 * What the file keeps is what the model gets: the plan's points, baselines
 * and ceilings (their workload, method and codec found by name), seed and
 * minimum runs, the machine (whether an MPBENCH_* variable changed what
 * was measured from the file's "environment" warnings), the counter set
 * (machine.counters), the command line, options, config and tune record,
 * the sampling policy and tolerance (from the options), the load at the
 * start, and every run.
 * Counter readings come back as the values the file shows, unscaled (a
 * run's coverage is 1 where it counted: the file keeps its total coverage
 * only). Keys a file predates load as zeros (a run's overhead split and
 * chunks, a worker's send and serve time) or as unknown (start_busy_cpus:
 * no load warning). */
#ifndef MPB_DATASET_LOAD_H
#define MPB_DATASET_LOAD_H

#include <jansson.h>

#include "counters.h"
#include "dataset.h"
#include "diag.h"
#include "machine.h"
#include "plan.h"

#define MPB_RESULTS_SCHEMA "mpbench.results/1"

/* A dataset read from a file, and what it refers to. */
struct mpb_loaded {
	struct mpb_dataset ds;          /* plan, machine and counters point below */
	struct mpb_plan plan;
	struct mpb_machine machine;
	struct mpb_counter_set counters;
	json_t *doc;                    /* the document: strings, options, config and tune are its */
};

/* Read a results file and check its frame: a JSON object, "schema" equal
 * to MPB_RESULTS_SCHEMA, a "machine" object, "points" and "baselines"
 * arrays whose points are objects with the axis keys. *doc owns it.
 * -MPB_EINPUT naming the file and the problem. */
int mpb_dataset_load_doc(const char *path, json_t **doc, struct mpb_diag *d);

/* The dataset of a checked document (a reference to doc is taken). Errors
 * name the file (path) and the place: -MPB_EINPUT; -MPB_ENOMEM. out is
 * zeroed on failure. */
int mpb_dataset_from_doc(const char *path, json_t *doc, struct mpb_loaded *out,
			 struct mpb_diag *d);

/* Both: read, check and convert. */
int mpb_dataset_load(const char *path, struct mpb_loaded *out, struct mpb_diag *d);

void mpb_dataset_unload(struct mpb_loaded *l);

#endif
