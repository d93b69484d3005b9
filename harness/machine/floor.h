/* floor.h — the machine's floor costs, measured on the spot: what the
 * cheapest possible version of each pool operation costs here, so a user sees
 * how close a pool gets to it (lmbench's lat_pipe / lat_proc, in spirit). */
#ifndef MPB_FLOOR_H
#define MPB_FLOOR_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "method.h"

struct mpb_floor {
	double pipe_rtt_ns;        /* one byte there and back between two processes */
	double fork_exit_wait_ns;  /* fork + _exit + waitpid */
	double spawn_exit_wait_ns; /* posix_spawn of `true` + waitpid */
	double thread_create_join_ns;
	/* The same three cold: each the first operation after the process
	 * slept MPB_FLOOR_COLD_SLEEP_NS (outside the timed operation), the
	 * smallest median of batches of MPB_FLOOR_COLD_BATCH rounds, as a pool's launch is the first fork or thread
	 * after the harness waited; 0 when not measured (files from before). */
	double fork_exit_wait_cold_ns, spawn_exit_wait_cold_ns, thread_create_join_cold_ns;
	/* the MPI floors (floor_mpi.h), 0 when not measured: mpirun of
	 * mpi_launch_ranks bare ranks (requested → reaped), and one byte there
	 * and back between two ranks */
	double mpi_launch_ns;
	unsigned mpi_launch_ranks;
	double mpi_rtt_ns;
};

#define MPB_FLOOR_COLD_SLEEP_NS 4000000ull
#define MPB_FLOOR_COLD_BATCH 3

/* Measure each floor: the pipe round trip by mpb_floor_pipe_rtt, the hot
 * others by mpb_floor_estimate, the cold ones over 15 rounds. 0 or
 * negative with d set. */
int mpb_floor_measure(struct mpb_floor *f, struct mpb_diag *d);
/* The same with fewer iterations and a time budget per floor (9 cold
 * rounds each, about 40 ms per cold floor): what a sweep records, measured in its own process before its first point (results:
 * machine.floors). */
int mpb_floor_measure_quick(struct mpb_floor *f, struct mpb_diag *d);
/* A floor from samples v[0..n) in the order they were taken: the smallest
 * of the medians of consecutive batches of MPB_FLOOR_BATCH (the last takes
 * the remainder); the median of all with fewer than 2 batches. A burst of
 * other load inflates the samples it overlaps, in a run; a batch median
 * ignores a stray sample, the minimum over batches ignores the bursts
 * while one batch stayed quiet, which a median of all does not once the
 * bursts cover half the samples. It reads lower than the median of all on
 * an idle machine too, by the spread within a batch: it estimates what the
 * operation costs undisturbed, which is what a floor is. 0 when n is 0. */
#define MPB_FLOOR_BATCH 5
double mpb_floor_estimate(const double *v, size_t n);
/* One timed operation of a floor into *ns; 0 or negative with d set. */
typedef int (*mpb_floor_one_fn)(void *ctx, double *ns, struct mpb_diag *d);
/* Up to max samples of one(), fewer when budget_ns has passed once at
 * least 2 batches are in, into *ns by mpb_floor_estimate. */
int mpb_floor_sample(mpb_floor_one_fn one, void *ctx, unsigned max, uint64_t budget_ns,
		     double *ns, struct mpb_diag *d);
/* The floor a method's start-up and teardown per worker compare with; 0
 * when it was not measured. */
double mpb_floor_of(const struct mpb_floor *f, enum mpb_method_floor kind);
/* The cold floor a method's start-up per worker compares with as well
 * (mpb_floor_of's operation, first after a wait); 0 when not measured. */
double mpb_floor_cold_of(const struct mpb_floor *f, enum mpb_method_floor kind);
/* The pipe round trip: `batches` batches of `iters` round trips, each batch
 * between the caller and a fresh child; the smallest batch mean. The
 * kernel places each pair anew, on one CPU (a round trip is two context
 * switches) or on two (two cross-CPU wake-ups, tens of times that on a VM
 * whose idle vCPUs the host must wake), and keeps a pair where it put it:
 * one child for all batches made the figure the luck of one placement; the
 * smallest over fresh pairs is the cheapest round trip, as the other floors
 * are the cheapest of their operation. */
int mpb_floor_pipe_rtt(unsigned batches, unsigned iters, double *ns, struct mpb_diag *d);
/* `iters` samples of each, by mpb_floor_estimate. */
int mpb_floor_fork(unsigned iters, double *ns, struct mpb_diag *d);
/* posix_spawn of `path` (argv {path}) + waitpid; it must exit 0. */
int mpb_floor_spawn(const char *path, unsigned iters, double *ns, struct mpb_diag *d);
int mpb_floor_thread(unsigned iters, double *ns, struct mpb_diag *d);

#endif
