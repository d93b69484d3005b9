/* pool.h — the native process pool: start N workers with a start method, map
 * tasks over them in chunks (ordered, like Pool.map), stop and reap them.
 *
 * Lifecycle: mpb_pool_start → mpb_pool_map (any number of times) →
 * mpb_pool_stop → mpb_pool_free. After any failure call mpb_pool_free, which
 * kills and reaps whatever is still alive: no worker outlives the pool.
 * The pool never prints; failures come back in the diagnostic, naming the
 * worker, its pid and the tasks it held. The caller must ignore SIGPIPE
 * (the CLI does): a write to a dead worker must fail with EPIPE, which the
 * pool reports as that worker's death, instead of killing the harness.
 */
#ifndef MPB_POOL_H
#define MPB_POOL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "chunk.h"
#include "codec.h"
#include "counters.h"
#include "diag.h"
#include "transport.h"
#include "value.h"
#include "workload.h"

struct mpb_method_ops;
struct mpb_pool;

struct mpb_pool_config {
	const struct mpb_method_ops *method;
	const struct mpb_codec_ops *codec;
	const struct mpb_transport_ops *transport;
	const struct mpb_workload_ops *workload;
	struct mpb_workload_params wparams;
	unsigned workers;          /* >= 1 */
	uint64_t chunksize;        /* tasks per TASKS frame, >= 1 (auto: ignored) */
	bool chunk_auto;           /* size chunks by measured task time (chunk.h) */
	uint64_t chunk_target_ns;  /* auto: wanted chunk duration; 0: 50 ms */
	unsigned inflight;         /* chunks queued per worker; 0: 2 to 8 by chunks left (pool.c) */
	/* Optional: when *stop_flag becomes nonzero (a signal handler sets it),
	 * the pool's wait loops give up within ~100 ms with MPB_EINTR. */
	volatile sig_atomic_t *stop_flag;
	/* Optional limits (deadline.h), 0: none. run_timeout_ns bounds start to
	 * stop; task_timeout_ns how long a worker may hold one chunk. Past
	 * either, the call fails with MPB_ERUN naming the limit and the worker;
	 * mpb_pool_free then kills and reaps every worker. */
	uint64_t run_timeout_ns, task_timeout_ns;
	/* Optional: the counters every worker opens on itself (counters.h);
	 * NULL or n = 0 counts nothing. Must outlive the pool. */
	const struct mpb_counter_plan *counters;
};

/* Where a worker's start-up went, each from its start requested (ns): its
 * method's launch returned in the parent (fork returned), the worker began
 * mpb_worker_main, its counters were open, it sent READY (= startup_ns),
 * the parent read READY; and the page faults (minor and major) the worker
 * had taken when it sent READY (a process's since its fork or exec, a
 * thread's its own; has_faults false where not known). */
struct mpb_startup_timeline {
	uint64_t launched_ns, running_ns, counted_ns, ready_ns, ready_read_ns;
	uint64_t faults;
	bool has_faults;
};

/* One worker's view of a pool's life. */
struct mpb_worker_report {
	pid_t pid;
	uint64_t startup_ns;   /* start requested → worker ready */
	struct mpb_startup_timeline timeline;
	uint64_t tasks, compute_ns, codec_ns, idle_ns;
	uint64_t send_ns;      /* sending results through the transport */
	uint64_t serve_ns;     /* READY sent → BYE: the window the parts above lie in */
	uint64_t nvcsw, nivcsw, minflt, majflt, maxrss_kb;
	/* memory at the end of the run (smaps_rollup); has_memory false for
	 * in-process workers */
	bool has_memory;
	uint64_t rss_kb, pss_kb, private_dirty_kb;
	/* its perf counters from the start of its worker loop to its BYE */
	struct mpb_counts counters;
	/* the harness's own work it did inside a timed window (opening its
	 * counters, inside startup_ns) */
	uint64_t instrumentation_ns;
	/* its read-out at the end when that lies inside the measured command
	 * (a Python worker's, inside teardown_ns, or, taken by its pool's
	 * process just before terminate(), between map and teardown:
	 * external/pyrecord.h); 0 for the pool's workers, whose read-out
	 * follows STOP, in no window */
	uint64_t readout_ns;
	/* bit i: counter i failed as another process read it for this worker
	 * (a Python worker that Pool.terminate() killed: its err is the pool's
	 * process's), not as the worker opened it; 0 for the pool's workers */
	uint32_t counters_not_taken;
};

struct mpb_pool_report {
	uint64_t startup_ns;        /* start requested → every worker ready */
	uint64_t map_ns;            /* sum over maps: first task sent → last result decoded */
	/* every worker's pipe closed → every worker reaped; the read-out
	 * before it (STOP → every BYE: counters, usage, memory, the workers'
	 * clean-up) is readout_ns, in no window: mpb_pool_stop */
	uint64_t teardown_ns;
	uint64_t readout_ns;
	uint64_t teardown_from_ns;  /* mpb_now_ns when the teardown window opened */
	/* the harness's own work inside the windows above: the sum of the
	 * workers' instrumentation_ns */
	uint64_t instrumentation_ns;
	uint64_t compute_ns;        /* sum of workers' compute */
	uint64_t codec_parent_ns;   /* parent encode + decode */
	uint64_t codec_workers_ns;  /* sum of workers' decode + encode */
	uint64_t transport_parent_ns; /* parent inside the transport's send/recv (syscalls, copies) */
	uint64_t wait_parent_ns;    /* parent spinning or asleep waiting for workers */
	uint64_t syscalls_parent;   /* the parent's read/write/poll calls for its channels, in maps */
	/* the parts of map_ns (the overhead split, overhead.h): the parent's
	 * codec time is all inside maps; these are its transport and waiting
	 * time inside maps only */
	uint64_t map_transport_parent_ns, map_wait_parent_ns;
	struct mpb_chunk_stats chunks; /* chunk sizes chosen by the last map */
	uint64_t bytes_sent, bytes_received;
	uint64_t tasks;
	unsigned workers;
	struct mpb_worker_report *worker; /* [workers], owned by the pool */
};

int mpb_pool_start(const struct mpb_pool_config *c, struct mpb_pool **out, struct mpb_diag *d);
/* Compute results[i] = run(args[i]) for i < n on the workers, in order. The
 * caller clears results afterwards. */
int mpb_pool_map(struct mpb_pool *p, const struct mpb_value *args, size_t n,
		 struct mpb_value *results, struct mpb_diag *d);
/* Ask every worker to stop and collect its totals (readout_ns), then end
 * and reap them all (teardown_ns). */
int mpb_pool_stop(struct mpb_pool *p, struct mpb_diag *d);
const struct mpb_pool_report *mpb_pool_report(const struct mpb_pool *p);
/* Kill and reap anything alive, close descriptors, free. NULL-safe. */
void mpb_pool_free(struct mpb_pool *p);

/* Python's Pool.map rule: ceil(tasks / (4 * workers)), at least 1. */
uint64_t mpb_pool_python_chunksize(uint64_t tasks, unsigned workers);

#endif
