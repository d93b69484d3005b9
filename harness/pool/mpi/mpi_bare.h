/* mpi_bare.h — the bare-rank modes of mpbench-worker-mpi: MPI ranks that do
 * what the mpi ceiling and the mpi floors measure, with no pool and no pool
 * messages (run/ceiling.h, machine/floor.h). mpirun starts them through
 * pool/method/mpi_job.h; rank 0 connects to the harness's socket and writes
 * what the harness reads (the protocol is in mpi_launch.h).
 *
 *   --ceiling WORKLOAD SIZE TASKS SEED RESULT_SIZE @SOCKET
 *       every rank k of N makes the arguments of its static share of the
 *       tasks (mpb_chunk_split_static) with the workload's make_task and
 *       computes them with its run function; the results go to rank 0 in
 *       one message per rank and from there to the harness, which checks
 *       them with the workload's verify.
 *   --launch @SOCKET
 *       nothing: MPI_Init, rank 0 connects, MPI_Finalize (the launch floor).
 *   --rtt BATCHES ITERS @SOCKET
 *       ranks 0 and 1 send one byte there and back ITERS times a batch;
 *       rank 0 writes each batch's mean round trip (a double, ns).
 */
#ifndef MPB_MPI_BARE_H
#define MPB_MPI_BARE_H

#include <stdbool.h>

/* Whether argv[1] names a bare-rank mode. */
bool mpb_mpi_bare_mode(int argc, char **argv);
/* Run it, after MPI_Init, as rank `rank` of `size`. Returns the exit status:
 * 0, or 2 with a message on stderr for a command line that is wrong. A
 * failed task is not an exit status: it travels to the harness. */
int mpb_mpi_bare_main(int argc, char **argv, int rank, int size);

#endif
