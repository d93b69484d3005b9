/* mpi_launch.h — how the `mpi` start method (method_mpi.c) hands a pool's
 * worker pipes to its relay rank (pool/mpi/mpi_relay.c): the two sides of one
 * small protocol, in one place. No MPI here: the harness does not link it.
 *
 * The method listens on an abstract unix socket whose name it gives the
 * relay on its command line; the relay connects once, and for each worker
 * the method sends one message: the worker's index (u32) with the worker's
 * two pipe ends (tasks in, results out) attached as SCM_RIGHTS.
 */
#ifndef MPB_MPI_LAUNCH_H
#define MPB_MPI_LAUNCH_H

#include <stdint.h>

/* The executable mpirun starts as every rank: rank 0 relays, the others
 * are the pool's workers (rank i + 1 is worker i). */
#define MPB_MPI_WORKER_NAME "mpbench-worker-mpi"

/* Send one worker's index and pipe ends over sock; 0 or -errno. */
int mpb_mpi_launch_send(int sock, uint32_t index, int in_fd, int out_fd);
/* Receive one: 1 with the index and the two descriptors (close-on-exec), 0
 * at EOF, or -errno. */
int mpb_mpi_launch_recv(int sock, uint32_t *index, int *in_fd, int *out_fd);

/* The bare-rank modes (pool/mpi/mpi_bare.h) and what their rank 0 writes
 * to the harness over the same socket. The ceiling: for each rank k in
 * order a struct mpb_mpi_bare_part, then `len` bytes: its results as one
 * raw-codec list of `count` values (status 0), or its error message
 * (status 1). The round trip: `batches` doubles. The launch: nothing. */
#define MPB_MPI_BARE_CEILING "--ceiling"
#define MPB_MPI_BARE_LAUNCH "--launch"
#define MPB_MPI_BARE_RTT "--rtt"
struct mpb_mpi_bare_part {
	uint32_t status, pad;
	uint64_t first, count, len;
};

/* Connect to the harness's socket `name` ('@' for an abstract one): the fd,
 * or -1 with errno set. */
int mpb_mpi_launch_connect(const char *name);

#endif
