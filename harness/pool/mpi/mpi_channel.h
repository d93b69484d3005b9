/* mpi_channel.h — a worker rank's side of the `mpi` method's channel: frame
 * bytes as MPI messages to and from the relay, rank 0 (mpi_relay.c). Built
 * into mpbench-worker-mpi only, which links MPI. */
#ifndef MPB_MPI_CHANNEL_H
#define MPB_MPI_CHANNEL_H

#include <mpi.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "transport.h"

/* Frame bytes, in either direction; a zero-length message is its sender's
 * EOF (the harness closed the worker's pipe, or the worker is done). */
#define MPB_MPI_TAG_DATA 1

/* The largest message: MPI counts in int; a longer write goes in pieces. */
#define MPB_MPI_MSG_MAX ((size_t)1 << 30)

/* The other side, as one worker sees it. */
struct mpb_mpi_peer {
	MPI_Comm comm;
	int rank;
	bool closed;         /* its EOF came */
	bool shut;           /* ours went */
	uint8_t *msg;        /* a message longer than the reader's buffer, handed out in pieces */
	size_t msg_len, msg_off, msg_cap;
};

/* The worker's transport: blocking MPI_Send and MPI_Probe/MPI_Recv on a
 * struct mpb_mpi_peer in the endpoint's ch. Parent-side ops are absent: the
 * harness never holds an MPI endpoint. */
extern const struct mpb_transport_ops mpb_mpi_channel;

/* Say EOF to the peer (idempotent), and free what the peer holds. */
void mpb_mpi_channel_shut(struct mpb_mpi_peer *pe);
void mpb_mpi_channel_release(struct mpb_mpi_peer *pe);

#endif
