/* report_fleet.h — internal to `mpbench report`: the fleet table, the
 * machines of several results files side by side (a CI runner per file, a
 * cloud instance type per file, the nodes of a Slurm partition).
 *
 * One row per (results file, workload): the file's series name (its
 * --label, else its host or file: mpb_rp_source_name), host, CPU model,
 * usable CPUs, the machine's start floors (fork + exit + wait, posix_spawn +
 * wait: machine.floors), the pool's start-up per worker for each start
 * method swept in any file (the median over the file's points of that
 * method), the machine's ceiling at its usable CPUs (the speedup of bare
 * processes at the largest size of the workload measured at that pool
 * size), and the recommendation: workers and start method with the best
 * throughput among the recommendations at the workload's largest size, or
 * "serial" when none of them parallelizes. Every figure is computed from
 * the datasets (analysis.h, recommend.h), as the points table is. */
#ifndef MPB_REPORT_FLEET_H
#define MPB_REPORT_FLEET_H

#include <stdio.h>

#include "diag.h"
#include "export.h"
#include "report.h"

/* Write the fleet table of o's files to f as Markdown, HTML or CSV (the
 * CSV with raw values: ns, counts, a ratio). 0, -MPB_ENOMEM or -MPB_EIO. */
int mpb_report_fleet_write(FILE *f, enum mpb_export_format fmt, const struct mpb_report_opts *o,
			   struct mpb_diag *d);

#endif
