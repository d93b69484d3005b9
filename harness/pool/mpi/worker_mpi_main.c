/* worker_mpi_main.c — main() of mpbench-worker-mpi, the image mpirun starts
 * as every rank of an `mpi` pool's job (method_mpi.c). Not meant to be run
 * by hand: `mpirun -n N+1 mpbench-worker-mpi @SOCKET`. Rank 0 is the relay
 * (mpi_relay.c); rank i + 1 is worker i: it reads its whole configuration
 * from a HELLO frame (worker_spec.h) that arrives as MPI messages, then
 * serves tasks through the same loop as every other method's workers over
 * its MPI channel (mpi_channel.c), and says EOF when done.
 *
 * With a mode first (`--ceiling`, `--launch`, `--rtt`: mpi_bare.h) the ranks
 * are bare: no relay, no pool, what the mpi ceiling and floors measure.
 *
 * Exit status: that of mpb_worker_main (0 clean stop, 1 failure, 3 parent
 * gone), or 2 when not started as above or the HELLO is wrong. A rank that
 * exits non-zero makes mpirun end the job.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "frame.h"
#include "mpi_bare.h"
#include "mpi_channel.h"
#include "mpi_relay.h"
#include "worker.h"
#include "worker_spec.h"

static int bad(const char *msg)
{
	fprintf(stderr, "mpbench-worker-mpi: error: %s\n", msg);
	return 2;
}

/* Read the HELLO through ep and resolve it into a (pointing into spec). */
static int read_hello(struct mpb_endpoint *ep, unsigned index, struct mpb_worker_spec *spec,
		      struct mpb_worker_args *a)
{
	struct mpb_diag d = { 0 };
	struct mpb_buf buf = { 0 };
	struct mpb_frame f;
	int rc = mpb_transport_read_frame(ep, &buf, &f, &d);
	if (rc == 0)
		rc = 3; /* the harness went away before saying anything */
	else if (rc < 0)
		rc = bad(d.msg);
	else if (f.type != MPB_FRAME_HELLO)
		rc = bad("the first frame is not a HELLO");
	else if (mpb_worker_spec_decode(f.payload, f.len, spec, &d) < 0 ||
		 mpb_worker_spec_resolve(spec, a, &d) < 0)
		rc = bad(d.msg);
	else
		rc = spec->index == index ? 0 : bad("the HELLO is for another worker");
	mpb_buf_free(&buf);
	return rc;
}

static int serve(unsigned index)
{
	static struct mpb_mpi_peer pe;
	pe = (struct mpb_mpi_peer){ .comm = MPI_COMM_WORLD, .rank = 0 };
	struct mpb_endpoint ep = { .ops = &mpb_mpi_channel, .in_fd = -1, .out_fd = -1, .ch = &pe,
				   .worker = true };
	static struct mpb_worker_spec spec;
	struct mpb_worker_args a = { .in_fd = -1, .out_fd = -1, .chan_fd = -1,
				     .rusage_who = RUSAGE_SELF };
	int status = read_hello(&ep, index, &spec, &a);
	if (status == 0) {
		a.transport = &mpb_mpi_channel; /* whatever the harness's side uses */
		a.chan = &pe;
		status = mpb_worker_main(&a);
	}
	mpb_mpi_channel_shut(&pe); /* EOF: closes this worker's result pipe */
	mpb_mpi_channel_release(&pe);
	return status;
}

int main(int argc, char **argv)
{
	/* Ctrl-C is the harness's to handle */
	signal(SIGINT, SIG_IGN);
	bool bare = mpb_mpi_bare_mode(argc, argv);
	if (argc != 2 && !bare)
		return bad("started by mpbench's mpi method (mpirun ... mpbench-worker-mpi "
			   "@SOCKET), not by hand");
	int provided, rank = 0, size = 0;
	if (MPI_Init_thread(&argc, &argv, MPI_THREAD_SINGLE, &provided) != MPI_SUCCESS)
		return bad("MPI_Init failed");
	MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	int status = bare	 ? mpb_mpi_bare_main(argc, argv, rank, size)
		     : size < 2	 ? bad("a job of at least 2 ranks: the relay and a worker")
		     : rank == 0 ? mpb_mpi_relay_main(argv[1], (unsigned)size - 1)
				 : serve((unsigned)rank - 1);
	MPI_Finalize();
#if defined(__SANITIZE_ADDRESS__)
	/* Open MPI keeps memory to exit, allocated by its own threads (PMIx)
	 * and in plug-ins it has unloaded by then, so neither __lsan_disable
	 * nor a suppression can name it; LeakSanitizer's exit-time report would
	 * make every rank exit 1 and mpirun abort the job without waiting for
	 * the other ranks. In the sanitizer test build a rank therefore leaves
	 * without the exit-time leak check (the worker loop it runs is
	 * leak-checked in mpbench-worker, which the other methods start). */
	fflush(NULL);
	_exit(status);
#endif
	return status;
}
