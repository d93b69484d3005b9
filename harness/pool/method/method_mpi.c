/* method_mpi.c — the `mpi` start method: the pool's workers are MPI ranks
 * that Open MPI's mpirun starts and places, one mpirun per pool, as an MPI
 * master/worker job is started. Rank 0 of the job is a relay
 * (pool/mpi/mpi_relay.c) that stands for the MPI master: it holds the pool's
 * pipes of every worker and forwards their frames as MPI messages to ranks
 * 1..N (worker i is rank i + 1), which serve them through the same worker
 * loop and codecs as every method (pool/mpi/worker_mpi_main.c). The harness
 * itself does not link MPI.
 *
 * Why mpirun and not MPI_Comm_spawn from the harness: Debian 12's Open MPI
 * 4.1.4 with its external PMIx 4.2 hangs in MPI_Comm_spawn now and then (a
 * spawned rank never leaves PMIx_Init; seen here within 2 to 15 spawns of
 * 4 ranks, with or without mpirun, and known upstream); a hung spawn cannot
 * be interrupted or recovered in the calling process, and a sweep starts a
 * pool per run. mpirun launches did not hang (README.md).
 *
 * The first launch of a pool starts `mpirun -n N+1 mpbench-worker-mpi
 * @SOCKET` (with --hostfile and the arguments of $MPBENCH_MPI_HOSTFILE and
 * $MPBENCH_MPI_ARGS, which --mpi-hostfile and --mpi-args set), waits for
 * the relay to connect to the pool's abstract unix socket, and every launch
 * hands its worker's pipe ends over it (mpi_launch.h). From there a worker
 * is a pair of pipes like any process method's: a rank that dies makes
 * mpirun end the whole job, every pipe closes, and the pool fails the point.
 * Ending a worker ends the job: mpirun is signalled and reaped, and the
 * worker's wait status is mpirun's.
 */
#include "method.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "method_proc.h"
#include "mpi_job.h"
#include "mpi_launch.h"
#include "worker.h"
#include "worker_spec.h"

/* One pool's mpirun job. */
struct group {
	const struct mpb_pool *pool;
	struct mpb_mpi_job job;
	unsigned n, refs;
	uint64_t requested_ns;
};

static struct group *current; /* the pool being launched */

static void group_free(struct group *g)
{
	mpb_mpi_job_close(&g->job);
	if (current == g)
		current = NULL;
	free(g);
}

static int start_group(struct mpb_pool *p, uint64_t requested_ns, struct mpb_diag *d)
{
	struct group *g = calloc(1, sizeof *g);
	if (!g)
		return mpb_fail(d, MPB_ENOMEM, "mpi: out of memory");
	g->pool = p;
	g->n = mpb_pool_workers(p);
	g->requested_ns = requested_ns;
	/* rank 0 relays, ranks 1..n are the workers */
	int rc = mpb_mpi_job_start(&g->job, g->n + 1, NULL, 0, d);
	if (rc < 0) {
		free(g);
		return rc;
	}
	current = g;
	return 0;
}

static int mpi_prepare(struct mpb_diag *d)
{
	char path[4096];
	int rc = mpb_mpi_job_worker(path, sizeof path, MPB_EINPUT, d);
	return rc < 0 ? rc : mpb_mpi_job_check_root(d);
}

static int mpi_launch(struct mpb_pool *p, struct mpb_slot *s, struct mpb_diag *d)
{
	if (!current || current->pool != p || s->index == 0) {
		current = NULL; /* a group lives on in its slots until they are reaped */
		int rc = start_group(p, s->requested_ns, d);
		if (rc < 0)
			return rc;
	}
	struct group *g = current;
	if (s->index >= g->n || g->job.conn < 0)
		return mpb_fail(d, MPB_ERUN, "mpi: worker %u is not in the job", s->index);
	int e = mpb_mpi_launch_send(g->job.conn, s->index, s->child_in, s->child_out);
	if (e < 0)
		return mpb_fail_errno(d, MPB_ERUN, -e, "mpi: handing worker %u to the relay rank",
				      s->index);
	g->refs++;
	s->method_data = g;
	s->pid = g->job.pid;
	/* each slot waits on mpirun's exit: its pidfd, or a copy of the pipe */
	if (g->job.exit_rd >= 0 && (s->exit_fd = fcntl(g->job.exit_rd, F_DUPFD_CLOEXEC, 0)) < 0)
		return mpb_fail_errno(d, MPB_ESYS, errno, "mpi: fcntl on the exit pipe");
	/* all of the pool's workers were asked for at once */
	s->requested_ns = g->requested_ns;
	close(s->child_in);
	close(s->child_out);
	s->child_in = s->child_out = -1;
	if (s->index + 1 == g->n) { /* every worker's pipes are over */
		close(g->job.conn);
		g->job.conn = -1;
	}
	struct mpb_worker_args a;
	mpb_pool_worker_args(p, s, &a);
	return mpb_worker_spec_put_hello(&a, (uint64_t)getpid(), &s->out, d);
}

static void slot_ended(struct mpb_slot *s, struct group *g)
{
	s->ended = true;
	s->wait_status = g->job.status;
	s->method_data = NULL;
	if (--g->refs == 0)
		group_free(g);
}

static int mpi_reap(struct mpb_pool *p, struct mpb_slot *s, bool block, struct mpb_diag *d)
{
	(void)p;
	(void)d;
	struct group *g = s->method_data;
	if (s->ended)
		return 1;
	if (!g) {
		s->ended = true;
		return 1;
	}
	if (!g->job.ended && block && g->job.termed)
		mpb_mpi_job_end(&g->job, true); /* bounded: SIGKILL after a grace */
	else if (mpb_mpi_job_reap(&g->job, block) == 0)
		return 0;
	slot_ended(s, g);
	return 1;
}

static int mpi_wait(struct mpb_pool *p, struct mpb_slot *s, uint64_t until_ns,
		    struct mpb_diag *d)
{
	(void)p;
	struct group *g = s->method_data;
	if (s->ended || !g || g->job.ended)
		return 0;
	return mpb_proc_wait(s, until_ns, d); /* s->pid is mpirun's */
}

static void mpi_kill(struct mpb_pool *p, struct mpb_slot *s)
{
	(void)p;
	struct group *g = s->method_data;
	if (g && !s->ended)
		mpb_mpi_job_end(&g->job, false);
}

const struct mpb_method_ops mpb_method_mpi = {
	.name = "mpi",
	.summary = "MPI ranks of mpbench-worker-mpi from one mpirun per pool (Open MPI); rank 0 "
		   "relays tasks as MPI messages",
	.launch_call = "mpirun",
	.floor = MPB_METHOD_FLOOR_MPI,
	.ceiling = MPB_METHOD_CEILING_MPI_RANKS,
	.transport = &mpb_transport_pipe,
	.prepare = mpi_prepare,
	.launch = mpi_launch,
	.reap = mpi_reap,
	.wait = mpi_wait,
	.kill = mpi_kill,
};
