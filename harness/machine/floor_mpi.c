/* floor_mpi.c — the MPI floors (see floor_mpi.h). */
#include "floor_mpi.h"

#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "mpi_job.h"
#include "mpi_launch.h"

#define RTT_BATCHES 10

/* A job's end: mpirun exited 0, or why not. */
static int job_done(struct mpb_mpi_job *j, const char *what, struct mpb_diag *d)
{
	mpb_mpi_job_reap(j, true);
	int st = j->status;
	mpb_mpi_job_close(j);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	char w[32];
	mpb_mpi_job_status_words(st, w, sizeof w);
	return mpb_fail(d, MPB_ERUN, "mpi %s floor: mpirun ended with %s", what, w);
}

static int launch_one(void *ctx, double *ns, struct mpb_diag *d)
{
	unsigned ranks = *(const unsigned *)ctx;
	const char *args[] = { MPB_MPI_BARE_LAUNCH };
	struct mpb_mpi_job j;
	uint64_t t0 = mpb_now_ns();
	int rc = mpb_mpi_job_start(&j, ranks, args, 1, d);
	if (rc < 0)
		return rc;
	/* rank 0 says nothing: its connection closes at its end */
	rc = job_done(&j, "launch", d);
	*ns = (double)(mpb_now_ns() - t0);
	return rc;
}

static int rtt(unsigned iters, double *ns, struct mpb_diag *d)
{
	char b[16], n[16];
	snprintf(b, sizeof b, "%d", RTT_BATCHES);
	snprintf(n, sizeof n, "%u", iters);
	const char *args[] = { MPB_MPI_BARE_RTT, b, n };
	struct mpb_mpi_job j;
	int rc = mpb_mpi_job_start(&j, 2, args, 3, d);
	if (rc < 0)
		return rc;
	double batch[RTT_BATCHES];
	size_t got = 0;
	while (got < sizeof batch) {
		ssize_t r = read(j.conn, (char *)batch + got, sizeof batch - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	rc = job_done(&j, "round trip", d);
	if (rc == 0 && got != sizeof batch)
		rc = mpb_fail(d, MPB_ERUN, "mpi round trip floor: rank 0 reported %zu of %d "
			      "batches", got / sizeof *batch, RTT_BATCHES);
	if (rc == 0)
		*ns = mpb_floor_estimate(batch, RTT_BATCHES);
	return rc;
}

int mpb_floor_mpi_measure(struct mpb_floor *f, unsigned ranks, bool quick, struct mpb_diag *d)
{
	f->mpi_launch_ns = f->mpi_rtt_ns = 0;
	f->mpi_launch_ranks = 0;
	if (!mpb_mpi_job_built())
		return mpb_fail(d, MPB_EINPUT, "this mpbench was built without MPI");
	int rc = mpb_mpi_job_check_root(d);
	if (ranks == 0)
		ranks = 1;
	double launch = 0, rt = 0;
	/* a launch takes tens to hundreds of ms: 10 (2 batches) when quick, up
	 * to 20 within 4 s for info */
	if (rc == 0)
		rc = mpb_floor_sample(launch_one, &ranks, quick ? 10 : 20,
				      quick ? 0 : 4000000000ull, &launch, d);
	if (rc == 0)
		rc = rtt(quick ? 500 : 2000, &rt, d);
	if (rc == 0) {
		f->mpi_launch_ns = launch;
		f->mpi_launch_ranks = ranks;
		f->mpi_rtt_ns = rt;
	}
	return rc;
}
