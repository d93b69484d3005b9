/* floor_mpi.h — the MPI floors: what the cheapest MPI job and the cheapest
 * MPI message cost here, measured on the spot with bare ranks of
 * mpbench-worker-mpi (pool/mpi/mpi_bare.h) placed as the mpi method places
 * its pools (pool/method/mpi_job.h: the same hostfile and --mpi-args).
 *
 * launch: mpirun of N ranks that do nothing but MPI_Init, rank 0's connect
 * to the harness and MPI_Finalize; mpirun requested → mpirun reaped, as an
 * mpi pool's start and end are timed. Sampled like the process floors
 * (floor.h: the smallest median of batches of 5, within a time budget).
 * round trip: one byte MPI_Send/MPI_Recv there and back between ranks 0
 * and 1, timed by rank 0 in batches (the launch is not in it); the smallest
 * median of batches' means.
 */
#ifndef MPB_FLOOR_MPI_H
#define MPB_FLOOR_MPI_H

#include <stdbool.h>

#include "diag.h"
#include "floor.h"

/* Measure both into f (mpi_launch_ns at `ranks` ranks, mpi_rtt_ns); quick:
 * fewer samples, as a sweep records them. 0, or negative with d set and f's
 * MPI floors left 0: -MPB_EINPUT when this mpbench has no MPI or Open MPI
 * refuses to run as root. */
int mpb_floor_mpi_measure(struct mpb_floor *f, unsigned ranks, bool quick, struct mpb_diag *d);

#endif
