/* mpi_channel.c — a worker rank's channel to the relay (see mpi_channel.h).
 * The frame layer above is unchanged: a message carries whatever the sender
 * wrote (a frame, several, or a piece of one) and recv hands its bytes out
 * as a stream. Blocking, as an MPI worker's receive is: Open MPI spins
 * inside MPI_Probe (yielding when the node is oversubscribed). */
#include "mpi_channel.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static struct mpb_mpi_peer *peer(const struct mpb_endpoint *e)
{
	return e->ch;
}

static ssize_t chan_send(struct mpb_endpoint *e, const void *p, size_t n)
{
	struct mpb_mpi_peer *pe = peer(e);
	if (pe->shut)
		return -EPIPE;
	if (n > MPB_MPI_MSG_MAX)
		n = MPB_MPI_MSG_MAX;
	if (MPI_Send(p, (int)n, MPI_BYTE, pe->rank, MPB_MPI_TAG_DATA, pe->comm) != MPI_SUCCESS)
		return -EPIPE;
	return (ssize_t)n;
}

static ssize_t from_buffer(struct mpb_mpi_peer *pe, void *p, size_t n)
{
	size_t k = pe->msg_len - pe->msg_off;
	if (k > n)
		k = n;
	memcpy(p, pe->msg + pe->msg_off, k);
	pe->msg_off += k;
	return (ssize_t)k;
}

static ssize_t chan_recv(struct mpb_endpoint *e, void *p, size_t n)
{
	struct mpb_mpi_peer *pe = peer(e);
	if (pe->msg_off < pe->msg_len)
		return from_buffer(pe, p, n);
	if (pe->closed)
		return 0;
	MPI_Status st;
	int count = 0;
	if (MPI_Probe(pe->rank, MPB_MPI_TAG_DATA, pe->comm, &st) != MPI_SUCCESS ||
	    MPI_Get_count(&st, MPI_BYTE, &count) != MPI_SUCCESS)
		return -EIO;
	if (count <= 0) {
		MPI_Recv(NULL, 0, MPI_BYTE, pe->rank, MPB_MPI_TAG_DATA, pe->comm, MPI_STATUS_IGNORE);
		pe->closed = e->eof = true;
		return 0;
	}
	size_t len = (size_t)count;
	void *into = p;
	if (len > n) {
		if (len > pe->msg_cap) {
			uint8_t *m = realloc(pe->msg, len);
			if (!m)
				return -ENOMEM;
			pe->msg = m;
			pe->msg_cap = len;
		}
		into = pe->msg;
	}
	if (MPI_Recv(into, count, MPI_BYTE, pe->rank, MPB_MPI_TAG_DATA, pe->comm,
		     MPI_STATUS_IGNORE) != MPI_SUCCESS)
		return -EIO;
	if (into == p)
		return (ssize_t)len;
	pe->msg_len = len;
	pe->msg_off = 0;
	return from_buffer(pe, p, n);
}

static int chan_wait(struct mpb_endpoint *e, bool want_write)
{
	(void)e;
	(void)want_write;
	return 0; /* send and recv block in MPI themselves */
}

void mpb_mpi_channel_shut(struct mpb_mpi_peer *pe)
{
	if (pe->shut)
		return;
	pe->shut = true;
	MPI_Send(NULL, 0, MPI_BYTE, pe->rank, MPB_MPI_TAG_DATA, pe->comm);
}

void mpb_mpi_channel_release(struct mpb_mpi_peer *pe)
{
	free(pe->msg);
	pe->msg = NULL;
	pe->msg_len = pe->msg_off = pe->msg_cap = 0;
}

const struct mpb_transport_ops mpb_mpi_channel = {
	.name = "mpi",
	.summary = "MPI messages between a worker rank and the relay rank",
	.send = chan_send,
	.recv = chan_recv,
	.wait = chan_wait,
};
