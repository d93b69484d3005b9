/* worker_main.c — main() of mpbench-worker, the image the `spawn` start
 * method starts (method_spawn.c). It is not meant to be run by hand: it reads
 * its whole configuration from a HELLO frame on descriptor 3, builds the
 * workload from scratch, then serves tasks from descriptor 3 and answers on
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

#include "codec.h"
#include "counters.h"
#include "frame.h"
#include "hello.h"
#include "transport.h"
#include "worker.h"
#include "workload.h"

#define IN_FD 3
#define OUT_FD 4

static int bad_hello(const char *msg)
{
	fprintf(stderr, "mpbench-worker: error: %s\n", msg);
	return 2;
}

/* Read and check the HELLO; 0, or the exit status to leave with. */
static int read_hello(struct mpb_hello *h, const struct mpb_workload_ops **w,
		      const struct mpb_codec_ops **c)
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
	else if (mpb_hello_decode(f.payload, f.len, h, &d) < 0)
		rc = bad_hello(d.msg);
	else
		rc = 0;
	mpb_buf_free(&buf);
	if (rc)
		return rc;
	if ((uint64_t)getppid() != h->parent_pid)
		return 3; /* orphaned before PR_SET_PDEATHSIG took hold */
	*w = mpb_workload_find(h->workload);
	*c = mpb_codec_find(h->codec);
	if (!*w || !*c) {
		snprintf(d.msg, sizeof d.msg, "HELLO names an unknown %s '%s' (harness and "
			 "worker from different builds?)", !*w ? "workload" : "codec",
			 !*w ? h->workload : h->codec);
		return bad_hello(d.msg);
	}
	if (mpb_workload_check(*w, &d) < 0)
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
	struct mpb_hello h;
	const struct mpb_workload_ops *w = NULL;
	const struct mpb_codec_ops *c = NULL;
	int rc = read_hello(&h, &w, &c);
	if (rc)
		return rc;
	/* the counters to open on itself, from the spawning pool (counters.h);
	 * a malformed plan counts nothing, which the harness sees as missing */
	struct mpb_counter_plan plan;
	const char *ce = getenv(MPB_COUNTERS_ENV);
	bool count = ce && mpb_counters_plan_parse(ce, &plan) == 0 && plan.n > 0;
	/* the transport: named in the environment, its channel on a fixed
	 * descriptor (method_spawn.c) */
	const char *te = getenv(MPB_TRANSPORT_ENV);
	const struct mpb_transport_ops *tp = te ? mpb_transport_find(te) : NULL;
	if (!tp)
		return bad_hello("MPBENCH_TRANSPORT is missing or names an unknown transport");
	struct mpb_worker_args a = {
		.index = h.index,
		.in_fd = IN_FD,
		.out_fd = OUT_FD,
		.transport = tp,
		.chan_fd = tp->attach ? MPB_TRANSPORT_CHAN_FD : -1,
		.workload = w,
		.codec = c,
		.wparams = h.params,
		.rusage_who = RUSAGE_SELF,
		.counters = count ? &plan : NULL,
	};
	return mpb_worker_main(&a);
}
