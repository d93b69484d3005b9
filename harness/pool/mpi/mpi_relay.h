/* mpi_relay.h — rank 0 of an `mpi` pool's job (method_mpi.c): the stand-in
 * for an MPI master. It takes every worker's pipe ends from the harness
 * (mpi_launch.h) and forwards bytes both ways: from worker i's task pipe to
 * rank i + 1 as MPI messages, and from that rank's messages to worker i's
 * result pipe. EOF travels too: a closed task pipe becomes a zero-length
 * message, a worker's zero-length message closes its result pipe. */
#ifndef MPB_MPI_RELAY_H
#define MPB_MPI_RELAY_H

/* Serve until every worker has said EOF; after MPI_Init, in rank 0 of a job
 * of 1 + workers ranks. sock names the harness's socket ('@' for an
 * abstract one). Returns the exit status (0, or 1 with a message on
 * stderr); aborts the job when the harness goes away mid-stream. */
int mpb_mpi_relay_main(const char *sock, unsigned workers);

#endif
