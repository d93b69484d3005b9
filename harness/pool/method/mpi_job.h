/* mpi_job.h — one mpirun job of mpbench-worker-mpi, as the harness starts,
 * watches and ends it: the `mpi` start method's pool job (method_mpi.c) and
 * the bare-rank jobs of the mpi ceiling and floors (run/ceiling_mpi.c,
 * machine/floor_mpi.c) share it. No MPI here: the harness does not link it;
 * only the ranks do (pool/mpi/).
 *
 * The command line is `mpirun --oversubscribe --bind-to none [--hostfile
 * $MPBENCH_MPI_HOSTFILE] [$MPBENCH_MPI_ARGS] -n RANKS mpbench-worker-mpi
 * [MODE ARGS...] @SOCKET`: placed by Open MPI, unpinned like every method's
 * workers. Rank 0 connects to the harness's abstract unix socket SOCKET
 * (mpi_launch.h), so it must run on the harness's host (first in a hostfile).
 */
#ifndef MPB_MPI_JOB_H
#define MPB_MPI_JOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "diag.h"

struct mpb_mpi_job {
	pid_t pid;        /* mpirun, 0 before it started */
	int lfd;          /* the listening socket until rank 0 connected, else -1 */
	int conn;         /* rank 0's connection, or -1 */
	int exit_rd;      /* read end of mpirun's exit pipe where there is no pidfd, else -1 */
	bool ended, termed;
	int status;       /* mpirun's wait status once ended */
};

/* Whether this mpbench was built with MPI (its worker image exists). */
bool mpb_mpi_job_built(void);
/* mpbench-worker-mpi's path ($MPBENCH_MPI_WORKER, beside mpbench, or under
 * its libexec); failures carry `code`. */
int mpb_mpi_job_worker(char *path, size_t len, int code, struct mpb_diag *d);
/* Open MPI refuses to run as root unless told twice: -MPB_EINPUT saying so. */
int mpb_mpi_job_check_root(struct mpb_diag *d);
/* mpirun, or $MPBENCH_MPIRUN. */
const char *mpb_mpi_job_mpirun(void);

/* Start `ranks` ranks of the worker with args[0..nargs) before the socket
 * name, and wait until rank 0 connected (j->conn) or mpirun ended first.
 * On failure the job is ended and reaped (mpb_mpi_job_close). */
int mpb_mpi_job_start(struct mpb_mpi_job *j, unsigned ranks, const char *const *args,
		      size_t nargs, struct mpb_diag *d);
/* A descriptor that polls readable when mpirun has exited (its pidfd or
 * exit pipe), or -1; the caller closes it. */
int mpb_mpi_job_exit_fd(const struct mpb_mpi_job *j);
/* Reap mpirun if it has ended (block: wait for it): 1 ended, 0 not yet. */
int mpb_mpi_job_reap(struct mpb_mpi_job *j, bool block);
/* End the job: SIGTERM (mpirun ends its ranks), with block SIGKILL if it
 * lingers past a few seconds, and reap. Idempotent. */
void mpb_mpi_job_end(struct mpb_mpi_job *j, bool block);
/* Close its descriptors and end it (blocking). */
void mpb_mpi_job_close(struct mpb_mpi_job *j);
/* mpirun's wait status in words for messages ("status 1", "signal 9"). */
void mpb_mpi_job_status_words(int status, char *buf, size_t len);

#endif
