/* floor.h — the machine's floor costs, measured on the spot: what the
 * cheapest possible version of each pool operation costs here, so a user sees
 * how close a pool gets to it (lmbench's lat_pipe / lat_proc, in spirit). */
#ifndef MPB_FLOOR_H
#define MPB_FLOOR_H

#include "diag.h"
#include "method.h"

struct mpb_floor {
	double pipe_rtt_ns;        /* one byte there and back between two processes */
	double fork_exit_wait_ns;  /* fork + _exit + waitpid */
	double spawn_exit_wait_ns; /* posix_spawn of `true` + waitpid */
	double thread_create_join_ns;
};

/* Measure each floor: median of several batches. 0 or negative with d set. */
int mpb_floor_measure(struct mpb_floor *f, struct mpb_diag *d);
/* The same with far fewer iterations: what a sweep records, measured in
 * its own process before its first point (results: machine.floors). */
int mpb_floor_measure_quick(struct mpb_floor *f, struct mpb_diag *d);
/* The floor a method's start-up and teardown per worker compare with; 0
 * when it was not measured. */
double mpb_floor_of(const struct mpb_floor *f, enum mpb_method_floor kind);
/* Median per-round-trip time over `batches` batches of `iters` round trips. */
int mpb_floor_pipe_rtt(unsigned batches, unsigned iters, double *ns, struct mpb_diag *d);
int mpb_floor_fork(unsigned iters, double *ns, struct mpb_diag *d);
/* posix_spawn of `path` (argv {path}) + waitpid; it must exit 0. */
int mpb_floor_spawn(const char *path, unsigned iters, double *ns, struct mpb_diag *d);
int mpb_floor_thread(unsigned iters, double *ns, struct mpb_diag *d);

#endif
