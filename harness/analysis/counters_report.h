/* counters_report.h — counters as the results and the console show them:
 * run totals (harness + workers) with their scopes and coverage, summaries,
 * the derived figures (IPC, context switches per task and per second,
 * migrations per task, page faults per worker) and the one-line notes. Every
 * figure has one definition here; results/README.md repeats them.
 *
 * A run's total of an event is counted only when the harness and every
 * worker counted it (coverage > 0 everywhere); otherwise it is null — a
 * partial sum would pass for a measurement. Voluntary and involuntary context
 * switches come from rusage (RUSAGE_THREAD difference for the harness,
 * wait4 or the worker's own getrusage for workers, see pool.h) and are never
 * null: they are the cross-check of the perf counter.
 */
#ifndef MPB_COUNTERS_REPORT_H
#define MPB_COUNTERS_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "counters.h"
#include "dataset.h"

/* One event's figure in one run. */
struct mpb_counter_total {
	int state;             /* 1 counted, 0 opened everywhere but not counted
				  somewhere (coverage 0), -1 unavailable or failed */
	double value;          /* scaled, harness + workers (state 1); a cmd run's:
				  its harness scope, the command's whole tree,
				  which holds its workers */
	double coverage;       /* sum(running) / sum(enabled) over the scopes
				  that make the value */
	int harness_state, workers_state;   /* the same, per scope */
	double harness, workers;            /* scaled values per scope */
};

/* The total of set event k in run r. */
void mpb_counters_total(const struct mpb_counter_set *set, size_t k, const struct mpb_sample *r,
			struct mpb_counter_total *t);

/* Derived counter figures of a point (medians over its measured runs). */
struct mpb_counter_derived {
	bool have_ipc;
	double ipc;                          /* median of instructions / cycles per run */
	char ipc_reason[MPB_COUNTER_REASON_MAX + 64]; /* when !have_ipc */
	bool have_cs;                        /* the perf counter was counted in some run */
	double cs_per_task;                  /* median(context_switches) / tasks */
	double cs_per_second;                /* median(context_switches / wall) */
	double cs_vs_rusage;                 /* median(context_switches / (vol + invol)) */
	double vcs_per_task, ics_per_task;   /* rusage: median(voluntary) / tasks, ... */
	double vcs_per_second, ics_per_second; /* median(voluntary / wall), ... */
	bool have_migrations;
	double migrations_per_task;          /* median(cpu_migrations) / tasks */
	bool have_faults;
	double page_faults_per_worker;       /* median(workers' page_faults / workers) */
	bool have_task_clock;
	double cpus_utilized;                /* median(task_clock_ns / wall_ns) */
};

/* Fill o for point i of the sweep (s->counters may be NULL: counters off).
 * The point must have runs (o is all "not available" otherwise). */
void mpb_counters_derive(const struct mpb_dataset *s, size_t i, struct mpb_counter_derived *o);

/* machine.counters: {name: {available, reason, key, user_only, note, group}}. */
json_t *mpb_counters_machine_json(const struct mpb_counter_set *set);

/* Add "counters", "counters_by_scope" and "counters_coverage" to a run
 * object, and "counters" to each entry of its "workers_detail". */
void mpb_counters_run_json(json_t *run, const struct mpb_counter_set *set,
			   const struct mpb_sample *r);

/* Add a summary per counter key to a point's "summary" (over the runs in
 * which it was counted; null when it never was). */
void mpb_counters_summaries_json(json_t *summary, const struct mpb_dataset *s, size_t i);

/* Add the derived counter keys to a point's "derived" (o NULL: no runs). */
void mpb_counters_derived_json(json_t *der, const struct mpb_counter_set *set,
			       const struct mpb_counter_derived *o);

/* Why IPC cannot be had with this set, in one line; false when it can (or
 * counters are off on purpose). */
bool mpb_counters_ipc_note(const struct mpb_counter_set *set, char *buf, size_t len);

/* One line per event: name, available or the reason (for `mpbench info`). */
void mpb_counters_print(FILE *f, const struct mpb_counter_set *set);

#endif
