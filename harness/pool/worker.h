/* worker.h — the worker side of the pool, shared by every start method:
 * announce READY, then read TASKS frames, decode, run, encode, answer with
 * RESULTS, until STOP; then take its final readings, clean up, report
 * totals in BYE and wait for EOF, on which it returns. The parent times its
 * teardown from the EOF it gives (closing its end) to the worker's end, so
 * the read-out after STOP lies outside every timed window (pool.c). */
#ifndef MPB_WORKER_H
#define MPB_WORKER_H

#include "codec.h"
#include "counters.h"
#include "transport.h"
#include "workload.h"

struct mpb_worker_args {
	unsigned index;
	int in_fd, out_fd;          /* blocking descriptors */
	const struct mpb_workload_ops *workload;
	const struct mpb_codec_ops *codec;
	/* A transport with shared state is reached through chan (the parent's
	 * mapping, inherited by fork and threads) or, when chan is NULL,
	 * attached from chan_fd (a worker in another image). */
	const struct mpb_transport_ops *transport;
	void *chan;
	int chan_fd;
	struct mpb_workload_params wparams;
	int rusage_who;             /* RUSAGE_SELF for processes, RUSAGE_THREAD for threads */
	const struct mpb_counter_plan *counters; /* counted on itself and sent in BYE; NULL: none */
};

/* Serve until STOP or EOF. Returns 0 after a clean STOP (BYE, then EOF), 1 after a failure
 * (reported to the parent in an ERROR frame when possible), 3 when the parent
 * went away. Suitable as a process exit code. */
int mpb_worker_main(const struct mpb_worker_args *a);

#endif
