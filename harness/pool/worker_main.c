/* worker_main.c — main() of mpbench-worker, the image the `spawn` start
 * method starts (method_spawn.c). It is not meant to be run by hand: it reads
 * its whole configuration from a HELLO frame on descriptor 3 (worker_spec.h),
 * builds the workload from scratch, then serves tasks from descriptor 3 and answers on
 * descriptor 4 through the same loop as every other method's workers.
 *
 * Exit status: that of mpb_worker_main (0 clean stop, 1 failure, 3 parent
 * gone), or 2 when the HELLO is missing or wrong; the pool sees the pipe
 * close and reports the death, and the reason goes to the inherited stderr.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "frame.h"
#include "transport.h"
#include "worker.h"
#include "worker_spec.h"

#define IN_FD 3
#define OUT_FD 4

static int bad_hello(const char *msg)
{
	fprintf(stderr, "mpbench-worker: error: %s\n", msg);
	return 2;
}

/* Read and check the HELLO into a (whose counters point into spec); 0, or
 * the exit status to leave with. */
static int read_hello(struct mpb_worker_spec *spec, struct mpb_worker_args *a)
{
	struct mpb_diag d = { 0 };
	struct mpb_buf buf = { 0 };
	struct mpb_frame f;
	int rc = mpb_frame_read(IN_FD, &buf, &f, &d);
	if (rc == 0)
		rc = 3; /* the parent went away before saying anything */
	else if (rc < 0)
		rc = bad_hello(d.msg);
	else if (f.type != MPB_FRAME_HELLO)
		rc = bad_hello("the first frame is not a HELLO");
	else if (mpb_worker_spec_decode(f.payload, f.len, spec, &d) < 0)
		rc = bad_hello(d.msg);
	else
		rc = 0;
	mpb_buf_free(&buf);
	if (rc)
		return rc;
	if ((uint64_t)getppid() != spec->parent_pid)
		return 3; /* orphaned before PR_SET_PDEATHSIG took hold */
	if (mpb_worker_spec_resolve(spec, a, &d) < 0)
		return bad_hello(d.msg);
	return 0;
}

int main(void)
{
	/* die with the harness, whatever kills it; the parent pid check in
	 * read_hello closes the window before this call */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* Ctrl-C reaches the whole process group: the harness decides what
	 * happens to workers, so they ignore it */
	signal(SIGINT, SIG_IGN);

	if (fcntl(IN_FD, F_GETFD) < 0 || fcntl(OUT_FD, F_GETFD) < 0)
		return bad_hello("descriptors 3 and 4 are not open: mpbench-worker is started by "
				 "mpbench's spawn method, not by hand");
	/* the exit pipe (method_proc.h) must close at our exit, not at the exit
	 * of whatever a workload runs: keep it out of their images */
	fcntl(MPB_WORKER_EXIT_FD, F_SETFD, FD_CLOEXEC);
	static struct mpb_worker_spec spec;
	struct mpb_worker_args a = { .in_fd = IN_FD, .out_fd = OUT_FD, .rusage_who = RUSAGE_SELF };
	int rc = read_hello(&spec, &a);
	if (rc)
		return rc;
	/* a transport with a channel finds it on a fixed descriptor (method_spawn.c) */
	a.chan_fd = a.transport->attach ? MPB_TRANSPORT_CHAN_FD : -1;
	return mpb_worker_main(&a);
}
