/* ceiling_mpi.h — the ceiling over bare MPI ranks, for the `mpi` method's
 * points (ceiling.h runs it for jobs with over = MPB_METHOD_CEILING_MPI_RANKS).
 *
 * The same static split as the forked ceiling, over `workers` ranks of
 * mpbench-worker-mpi started by one mpirun with the pool's placement (the
 * same hostfile and --mpi-args: pool/method/mpi_job.h), no relay and no pool
 * messages: each rank makes the arguments of its share with the workload's
 * make_task (a rank on another node inherits nothing) and computes them with
 * its run function; the results come back once, one message per rank to
 * rank 0 and from there over the harness's socket, and the harness checks
 * every one with the workload's verify, and that each task came back once,
 * after the clock has stopped (pool/mpi/mpi_bare.h).
 *
 * Timed like the forked ceiling and like a pool run: mpirun requested →
 * mpirun reaped. The forked ceiling's wall includes its forks and reaps, and
 * an mpi point's wall includes its mpirun's launch and end, so this one
 * includes the launch of the ranks and their end too: the pool and its
 * ceiling pay the same launch and are comparable. Nothing here prints.
 */
#ifndef MPB_CEILING_MPI_H
#define MPB_CEILING_MPI_H

#include "ceiling.h"

/* As mpb_ceiling_run (ceiling.h), over bare MPI ranks. A rank that dies or
 * a job that ends badly fails with the cause (mpirun ends every rank, and
 * is reaped, in every case). */
int mpb_ceiling_mpi_run(const struct mpb_ceiling_job *job, uint64_t *wall_ns,
			uint64_t *tasks_done, struct mpb_diag *d);

#endif
