/* mpi_relay.c — the relay rank of an `mpi` pool (see mpi_relay.h). It never
 * blocks on one side: pipes are read non-blocking after a poll with no
 * timeout, messages are sent with MPI_Isend (bytes copied) and looked for
 * with MPI_Iprobe, and it yields the CPU when a round moved nothing, as an
 * MPI master waiting in MPI_Waitany spins. A write to a result pipe blocks
 * (the harness reads every pipe without blocking, so it drains). */
#include "mpi_relay.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "frame.h"
#include "mpi_channel.h"
#include "mpi_launch.h"

#define CHUNK 65536

struct send {
	struct send *next;
	MPI_Request req;
	uint8_t data[];
};

struct relay {
	unsigned n;
	int *in, *out;          /* per worker: its task pipe (read), its result pipe (write) */
	bool *in_eof, *done;    /* harness closed the task pipe; the worker said EOF */
	struct pollfd *pf;
	struct send *sends;
	uint8_t *buf;
	size_t cap;
};

static int fail(const char *what)
{
	fprintf(stderr, "mpbench-worker-mpi: relay: %s\n", what);
	return 1;
}

/* Every worker's pipe ends, by index. */
static int take_pipes(struct relay *r, int sock)
{
	for (unsigned k = 0; k < r->n; k++) {
		uint32_t i;
		int in, out;
		int rc = mpb_mpi_launch_recv(sock, &i, &in, &out);
		if (rc <= 0)
			return fail(rc == 0 ? "the harness closed before handing over every worker"
					    : "receiving a worker's pipes");
		if (i >= r->n || r->in[i] >= 0) {
			close(in);
			close(out);
			return fail("a worker index out of range or given twice");
		}
		r->in[i] = in;
		r->out[i] = out;
		int fl = fcntl(in, F_GETFL);
		fcntl(in, F_SETFL, fl | O_NONBLOCK);
	}
	return 0;
}

static void reap_sends(struct relay *r)
{
	for (struct send **link = &r->sends; *link;) {
		struct send *s = *link;
		int done = 0;
		if (MPI_Test(&s->req, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS || done) {
			*link = s->next;
			free(s);
		} else {
			link = &s->next;
		}
	}
}

static int post(struct relay *r, unsigned i, const void *p, size_t n)
{
	struct send *s = malloc(sizeof *s + n);
	if (!s)
		return -1;
	if (n)
		memcpy(s->data, p, n);
	if (MPI_Isend(s->data, (int)n, MPI_BYTE, (int)i + 1, MPB_MPI_TAG_DATA, MPI_COMM_WORLD,
		      &s->req) != MPI_SUCCESS) {
		free(s);
		return -1;
	}
	s->next = r->sends;
	r->sends = s;
	return 0;
}

/* Harness to workers: whatever the task pipes hold now. 1 if any moved. */
static int pump_tasks(struct relay *r)
{
	unsigned np = 0;
	for (unsigned i = 0; i < r->n; i++)
		if (!r->in_eof[i])
			r->pf[np++] = (struct pollfd){ r->in[i], POLLIN, 0 };
	if (np == 0 || poll(r->pf, np, 0) <= 0)
		return 0;
	int moved = 0;
	for (unsigned i = 0, k = 0; i < r->n; i++) {
		if (r->in_eof[i])
			continue;
		if (!r->pf[k++].revents)
			continue;
		ssize_t got = read(r->in[i], r->buf, CHUNK);
		if (got < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (got <= 0) { /* EOF (or a broken pipe): tell the worker */
			r->in_eof[i] = true;
			close(r->in[i]);
			r->in[i] = -1;
			got = 0;
		}
		if (post(r, i, r->buf, (size_t)got) < 0)
			return -1;
		moved = 1;
	}
	return moved;
}

/* Workers to harness: one waiting message, if any. 1 if one moved. */
static int pump_results(struct relay *r)
{
	int flag = 0, count = 0;
	MPI_Status st;
	if (MPI_Iprobe(MPI_ANY_SOURCE, MPB_MPI_TAG_DATA, MPI_COMM_WORLD, &flag, &st) !=
		    MPI_SUCCESS || !flag)
		return 0;
	MPI_Get_count(&st, MPI_BYTE, &count);
	unsigned i = (unsigned)st.MPI_SOURCE - 1;
	if (st.MPI_SOURCE < 1 || i >= r->n || count < 0)
		return -1;
	if ((size_t)count > r->cap) {
		uint8_t *b = realloc(r->buf, (size_t)count);
		if (!b)
			return -1;
		r->buf = b;
		r->cap = (size_t)count;
	}
	MPI_Recv(r->buf, count, MPI_BYTE, st.MPI_SOURCE, MPB_MPI_TAG_DATA, MPI_COMM_WORLD,
		 MPI_STATUS_IGNORE);
	if (count == 0) { /* the worker is done: EOF to the harness */
		r->done[i] = true;
		close(r->out[i]);
		r->out[i] = -1;
		return 1;
	}
	return mpb_io_write_all(r->out[i], r->buf, (size_t)count) < 0 ? -1 : 1;
}

int mpb_mpi_relay_main(const char *sock_name, unsigned workers)
{
	/* a harness gone mid-write is an error to handle, not a signal */
	signal(SIGPIPE, SIG_IGN);
	struct relay r = { .n = workers, .cap = CHUNK };
	r.in = malloc(workers * sizeof *r.in);
	r.out = malloc(workers * sizeof *r.out);
	r.in_eof = calloc(workers, sizeof *r.in_eof);
	r.done = calloc(workers, sizeof *r.done);
	r.pf = calloc(workers, sizeof *r.pf);
	r.buf = malloc(CHUNK);
	if (!r.in || !r.out || !r.in_eof || !r.done || !r.pf || !r.buf)
		return fail("out of memory");
	for (unsigned i = 0; i < workers; i++)
		r.in[i] = r.out[i] = -1;
	int sock = mpb_mpi_launch_connect(sock_name);
	if (sock < 0)
		return fail("cannot reach the harness's socket (rank 0 must run on the harness's "
			    "host: put it first in the hostfile)");
	int rc = take_pipes(&r, sock);
	close(sock);
	unsigned left = workers;
	while (rc == 0 && left > 0) {
		int a = pump_tasks(&r);
		int b = a < 0 ? a : pump_results(&r);
		reap_sends(&r);
		if (a < 0 || b < 0) {
			rc = fail("the harness went away");
			break;
		}
		if (!a && !b)
			sched_yield();
		left = 0;
		for (unsigned i = 0; i < workers; i++)
			left += !r.done[i];
	}
	/* sends still pending go to workers that are done or gone */
	while (r.sends) {
		struct send *s = r.sends;
		r.sends = s->next;
		MPI_Request_free(&s->req);
		free(s);
	}
	for (unsigned i = 0; i < workers; i++) {
		if (r.in[i] >= 0)
			close(r.in[i]);
		if (r.out[i] >= 0)
			close(r.out[i]);
	}
	free(r.in);
	free(r.out);
	free(r.in_eof);
	free(r.done);
	free(r.pf);
	free(r.buf);
	if (rc != 0) /* the workers wait on us: end the job */
		MPI_Abort(MPI_COMM_WORLD, rc);
	return rc;
}
