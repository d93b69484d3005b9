/* mpi_bare.c — the bare-rank modes of mpbench-worker-mpi (see mpi_bare.h).
 * Ranks here exchange only what the measurement itself needs: the results
 * once at the end (the ceiling), or the round trip's byte (the floor). */
#include "mpi_bare.h"

#include <limits.h>
#include <mpi.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "chunk.h"
#include "clock.h"
#include "codec.h"
#include "frame.h"
#include "mpi_launch.h"
#include "parse.h"
#include "workload.h"

#define TAG_PART 2
#define TAG_PING 3

static int bad(const char *msg)
{
	fprintf(stderr, "mpbench-worker-mpi: error: %s\n", msg);
	return 2;
}

bool mpb_mpi_bare_mode(int argc, char **argv)
{
	return argc >= 2 && (strcmp(argv[1], MPB_MPI_BARE_CEILING) == 0 ||
			     strcmp(argv[1], MPB_MPI_BARE_LAUNCH) == 0 ||
			     strcmp(argv[1], MPB_MPI_BARE_RTT) == 0);
}

/* Rank 0's connection to the harness, or -1 with a message. */
static int harness(const char *sock)
{
	/* a harness gone mid-write is an error to handle, not a signal */
	signal(SIGPIPE, SIG_IGN);
	int fd = mpb_mpi_launch_connect(sock);
	if (fd < 0)
		bad("cannot reach the harness's socket (rank 0 must run on the harness's host: "
		    "put it first in the hostfile)");
	return fd;
}

/* This rank's share: its part header and bytes (results or an error). */
static void compute_share(const struct mpb_workload_ops *w, const struct mpb_workload_params *wp,
			  unsigned rank, unsigned size, struct mpb_mpi_bare_part *part,
			  struct mpb_buf *out)
{
	struct mpb_diag d = { 0 };
	void *state = NULL;
	struct mpb_value list = { 0 };
	*part = (struct mpb_mpi_bare_part){ 0 };
	mpb_chunk_split_static(wp->tasks, size, rank, &part->first, &part->count);
	int rc = w->setup ? w->setup(wp, &state, &d) : 0;
	if (rc == 0 && part->count > SIZE_MAX / sizeof(struct mpb_value))
		rc = mpb_fail(&d, MPB_ENOMEM, "%llu tasks do not fit in memory",
			      (unsigned long long)part->count);
	if (rc == 0 && mpb_value_set_list(&list, (size_t)part->count) < 0)
		rc = mpb_fail(&d, MPB_ENOMEM, "out of memory");
	for (uint64_t i = 0; rc == 0 && i < part->count; i++) {
		struct mpb_value arg = { 0 };
		uint64_t t = part->first + i;
		rc = w->make_task(state, wp, t, &arg, &d);
		if (rc == 0 && (rc = w->run_task(state, &arg, &list.as.list.items[i], &d)) < 0) {
			char m[sizeof d.msg];
			snprintf(m, sizeof m, "%s", d.msg);
			mpb_fail(&d, MPB_ERUN, "task %llu: %.400s", (unsigned long long)t, m);
		}
		mpb_value_clear(&arg);
	}
	if (rc == 0)
		rc = mpb_codec_raw.encode(&list, out, &d);
	if (rc < 0) {
		part->status = 1;
		mpb_buf_reset(out);
		mpb_buf_append(out, d.msg, strlen(d.msg));
	}
	part->len = mpb_buf_pending(out);
	mpb_value_clear(&list);
	if (w->teardown)
		w->teardown(state);
}

static int ceiling(char **argv, int rank, int size)
{
	const struct mpb_workload_ops *w = mpb_workload_find(argv[2]);
	struct mpb_workload_params wp = { 0 };
	uint64_t *field[] = { &wp.size, &wp.tasks, &wp.seed, &wp.result_size };
	for (int i = 0; i < 4; i++)
		if (mpb_parse_u64(argv[3 + i], MPB_UNIT_COUNT, 0, UINT64_MAX, "ceiling", field[i],
				  NULL) < 0)
			return bad("--ceiling: a size, task count, seed or result size is not "
				   "a number");
	if (!w || !w->run_task || !w->make_task)
		return bad("--ceiling: not a workload with tasks");
	struct mpb_mpi_bare_part part;
	struct mpb_buf out = { 0 };
	compute_share(w, &wp, (unsigned)rank, (unsigned)size, &part, &out);
	int status = 0;
	if (part.len > INT_MAX) {
		part.status = 1;
		mpb_buf_reset(&out);
		const char *m = "results too large for one MPI message";
		mpb_buf_append(&out, m, strlen(m));
		part.len = strlen(m);
	}
	if (rank != 0) {
		/* one message: the header, then the bytes */
		MPI_Send(&part, (int)sizeof part, MPI_BYTE, 0, TAG_PART, MPI_COMM_WORLD);
		MPI_Send(mpb_buf_head(&out), (int)part.len, MPI_BYTE, 0, TAG_PART, MPI_COMM_WORLD);
	} else {
		int fd = harness(argv[7]);
		status = fd < 0 || mpb_io_write_all(fd, &part, sizeof part) < 0 ||
			 mpb_io_write_all(fd, mpb_buf_head(&out), part.len) < 0;
		struct mpb_buf in = { 0 };
		for (int k = 1; k < size; k++) {
			struct mpb_mpi_bare_part p;
			MPI_Recv(&p, (int)sizeof p, MPI_BYTE, k, TAG_PART, MPI_COMM_WORLD,
				 MPI_STATUS_IGNORE);
			mpb_buf_reset(&in);
			if (mpb_buf_reserve(&in, p.len) < 0) {
				status = 1;
				break;
			}
			MPI_Recv(in.data, (int)p.len, MPI_BYTE, k, TAG_PART, MPI_COMM_WORLD,
				 MPI_STATUS_IGNORE);
			if (!status && (mpb_io_write_all(fd, &p, sizeof p) < 0 ||
					mpb_io_write_all(fd, in.data, p.len) < 0))
				status = 1;
		}
		mpb_buf_free(&in);
		if (fd >= 0)
			close(fd); /* EOF: everything is over */
		if (status) /* the harness is gone or unreachable: end the job */
			MPI_Abort(MPI_COMM_WORLD, 1);
	}
	mpb_buf_free(&out);
	return status;
}

static int rtt(char **argv, int rank, int size)
{
	uint64_t batches, iters;
	if (mpb_parse_u64(argv[2], MPB_UNIT_COUNT, 1, 1000, "batches", &batches, NULL) < 0 ||
	    mpb_parse_u64(argv[3], MPB_UNIT_COUNT, 1, 100000000, "iterations", &iters, NULL) < 0)
		return bad("--rtt: BATCHES (1-1000) and ITERS (1-1e8) are counts");
	if (size < 2)
		return bad("--rtt: a job of at least 2 ranks");
	char c = 'x';
	int fd = rank == 0 ? harness(argv[4]) : -1;
	int bad_fd = rank == 0 && fd < 0;
	/* every rank learns whether rank 0 can report before anyone measures */
	MPI_Bcast(&bad_fd, 1, MPI_INT, 0, MPI_COMM_WORLD);
	if (bad_fd)
		return 1;
	for (uint64_t b = 0; b < batches && rank < 2; b++) {
		uint64_t t0 = mpb_now_ns();
		for (uint64_t i = 0; i < iters; i++) {
			if (rank == 0) {
				MPI_Send(&c, 1, MPI_CHAR, 1, TAG_PING, MPI_COMM_WORLD);
				MPI_Recv(&c, 1, MPI_CHAR, 1, TAG_PING, MPI_COMM_WORLD,
					 MPI_STATUS_IGNORE);
			} else {
				MPI_Recv(&c, 1, MPI_CHAR, 0, TAG_PING, MPI_COMM_WORLD,
					 MPI_STATUS_IGNORE);
				MPI_Send(&c, 1, MPI_CHAR, 0, TAG_PING, MPI_COMM_WORLD);
			}
		}
		double ns = (double)(mpb_now_ns() - t0) / (double)iters;
		if (rank == 0 && mpb_io_write_all(fd, &ns, sizeof ns) < 0) {
			close(fd);
			MPI_Abort(MPI_COMM_WORLD, 1);
		}
	}
	if (fd >= 0)
		close(fd);
	return 0;
}

int mpb_mpi_bare_main(int argc, char **argv, int rank, int size)
{
	const char *mode = argv[1];
	if (strcmp(mode, MPB_MPI_BARE_CEILING) == 0)
		return argc == 8 ? ceiling(argv, rank, size)
				 : bad("--ceiling WORKLOAD SIZE TASKS SEED RESULT_SIZE @SOCKET");
	if (strcmp(mode, MPB_MPI_BARE_RTT) == 0)
		return argc == 5 ? rtt(argv, rank, size) : bad("--rtt BATCHES ITERS @SOCKET");
	if (argc != 3)
		return bad("--launch @SOCKET");
	int fd = rank == 0 ? harness(argv[2]) : -1;
	if (fd >= 0)
		close(fd);
	return rank == 0 && fd < 0;
}
