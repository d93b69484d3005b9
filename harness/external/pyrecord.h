/* pyrecord.h — what the Python instrumentation (pyinstr/sitecustomize.py)
 * left in a run's record directory, read back and turned into a run's
 * figures, in the fields the native pool fills.
 *
 * The directory holds, for one run of the command:
 *  - w-<pid>.bin, one per pool worker: MPB_PYREC_RECORD_SLOTS little-endian
 *    u64: MPB_PYREC_SLOTS (enum mpb_pyrec_slot), updated in place by the
 *    worker after every message, so a worker that was terminated or killed
 *    leaves what it had done, then the end block (enum mpb_pyrec_end_slot):
 *    the cost of opening its own counters when its loop started, and, once
 *    its loop ended, its counters, rusage and smaps_rollup (for a worker
 *    that Pool.terminate() killed first, its memory and counters as the
 *    pool's process read them just before, the counters through duplicates
 *    of the worker's descriptors, which it records; its rusage is as it last
 *    took it). Times are CLOCK_MONOTONIC ns, the clock of mpbench itself;
 *  - p-<pid>.json, from each process that constructed a pool: its first
 *    pool's phase times, pickling time and bytes, kind, start method,
 *    Python version and worker pids (see mpb_pyrec_fill for its keys).
 *
 * The figures of a run are the first pool's of the command's own process
 * (or, when that process constructed none, e.g. under --shell, of the pool
 * constructed first): start-up from the constructor's entry to the later of
 * its return and the last worker's readiness (its first wait for a task),
 * but no later than the first result received (a pool whose work is done
 * before its last worker is up, as spawn's often is, has started for that
 * work); map from the first argument pickled (or the end of start-up, if
 * later: time when both happen counts as start-up) to the last result
 * unpickled;
 * teardown from close()/terminate()/shutdown() to its (or join()'s) end.
 * Its workers are the pids the parent saw plus every worker that started
 * while the pool was open (before its teardown). Nothing here prints. */
#ifndef MPB_PYRECORD_H
#define MPB_PYRECORD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "counters.h"
#include "dataset.h"
#include "diag.h"

#define MPB_PYREC_SLOTS 37
#define MPB_PYREC_MAGIC UINT64_C(0x323057595042504d) /* "MPBPYW02" */
#define MPB_PYREC_NONE UINT64_MAX /* a per-call minimum before the first call */
#define MPB_PYREC_LARGE 32768     /* bytes: a large pickling call moves at least this */

/* The slots of a worker record (sitecustomize.py has the same list). */
enum mpb_pyrec_slot {
	MPB_PYREC_MAGIC_SLOT, MPB_PYREC_PID, MPB_PYREC_PPID, MPB_PYREC_KIND,
	MPB_PYREC_STARTED,    /* the worker loop entered */
	MPB_PYREC_READY,      /* its first wait for a task */
	MPB_PYREC_UTIME, MPB_PYREC_STIME, MPB_PYREC_MAXRSS_KB, MPB_PYREC_MINFLT,
	MPB_PYREC_MAJFLT, MPB_PYREC_NVCSW, MPB_PYREC_NIVCSW,
	MPB_PYREC_RU_AT,      /* when the rusage slots were taken */
	MPB_PYREC_TASKS,      /* items: a map chunk counts its length */
	MPB_PYREC_MSGS,       /* task messages taken */
	MPB_PYREC_COMPUTE,    /* task taken → its result's pickling begins */
	MPB_PYREC_LOADS_NS, MPB_PYREC_DUMPS_NS,
	MPB_PYREC_IDLE,       /* waiting for tasks, unpickling excluded */
	MPB_PYREC_SEND,       /* sending results, pickling excluded */
	MPB_PYREC_BYTES_IN, MPB_PYREC_BYTES_OUT,
	MPB_PYREC_NLOADS, MPB_PYREC_NDUMPS, /* pickling calls */
	MPB_PYREC_LAST_PUT,   /* end of its last send */
	MPB_PYREC_IN_GET,     /* nonzero: waiting for a task since then */
	MPB_PYREC_T_TASK,     /* nonzero: inside a task since then */
	MPB_PYREC_LAST_GET,   /* its last wait's end, when it got no task */
	/* the large calls (MPB_PYREC_LARGE bytes or more) of each direction:
	 * count, ns, per-call minimum (MPB_PYREC_NONE: none yet) and maximum */
	MPB_PYREC_LOADS_LARGE, MPB_PYREC_LOADS_LARGE_NS, MPB_PYREC_LOADS_LARGE_MIN,
	MPB_PYREC_LOADS_LARGE_MAX,
	MPB_PYREC_DUMPS_LARGE, MPB_PYREC_DUMPS_LARGE_NS, MPB_PYREC_DUMPS_LARGE_MIN,
	MPB_PYREC_DUMPS_LARGE_MAX,
};

/* The end block of a worker record, after its MPB_PYREC_SLOTS slots. */
enum mpb_pyrec_end_slot {
	MPB_PYREC_OPEN_NS = MPB_PYREC_SLOTS, /* opening its counters (instrumentation) */
	MPB_PYREC_COUNTED,    /* when they were open */
	MPB_PYREC_READOUT_NS, /* its read-out at the end (instrumentation): its own, the
				 pool's process's (MPB_PYREC_TAKEN), or both added
				 where terminate() raced the worker's own end */
	MPB_PYREC_ENDED,      /* nonzero: the read-out is complete, at this time */
	MPB_PYREC_NCOUNTERS,  /* plan events it opened (0: no plan) */
	MPB_PYREC_SPLIT,      /* bit i: event i opened outside its group */
	MPB_PYREC_MEMORY,     /* nonzero: the three below were read (by the worker
				 at its end, or by the pool's process just before
				 its terminate() killed the worker) */
	MPB_PYREC_RSS_KB, MPB_PYREC_PSS_KB, MPB_PYREC_PRIVATE_DIRTY_KB,
	/* MPB_PYREC_FD_SLOTS slots of four 16-bit fields: event i's counter
	 * descriptor in the worker + 1 in field i % 4 of slot i / 4 (0: none),
	 * cleared when its own read-out begins */
	MPB_PYREC_FDS,
	/* nonzero: the read-out was the pool's process's, just before its
	 * terminate() killed the worker (memory and counters, not rusage), at
	 * this time; MPB_PYREC_READOUT_NS is its cost, MPB_PYREC_ENDED stays 0 */
	MPB_PYREC_TAKEN = MPB_PYREC_FDS + 4,
	MPB_PYREC_TAKE_FAILED, /* bit i: event i could not be taken (its state says why) */
	/* MPB_COUNTERS_MAX × {value, enabled, running, state | errno << 32}
	 * (enum mpb_count_state) */
	MPB_PYREC_COUNTERS = MPB_PYREC_SLOTS + 16,
};
#define MPB_PYREC_FD_SLOTS 4
_Static_assert(MPB_PYREC_TAKE_FAILED < MPB_PYREC_COUNTERS &&
	       4 * MPB_PYREC_FD_SLOTS == MPB_COUNTERS_MAX, "the end block's slots overlap");
#define MPB_PYREC_RECORD_SLOTS (MPB_PYREC_COUNTERS + 4 * MPB_COUNTERS_MAX)

struct mpb_pyrec {
	json_t *parent;       /* the chosen parent record, or NULL: no pool */
	uint64_t (*w)[MPB_PYREC_RECORD_SLOTS]; /* the worker records found */
	size_t nw;
	size_t nparents;      /* parent records found */
};

/* Read the directory `dir` of a run whose command's process was script_pid.
 * Unreadable or malformed files are skipped (a worker killed before it
 * wrote its record leaves none). 0, -MPB_ESYS (the directory cannot be
 * read) or -MPB_ENOMEM. Free r with mpb_pyrec_free whatever the return. */
int mpb_pyrec_load(const char *dir, pid_t script_pid, struct mpb_pyrec *r, struct mpb_diag *d);
void mpb_pyrec_free(struct mpb_pyrec *r);

/* Fill s's startup_ns, map_ns, teardown_ns, compute_ns, codec_parent_ns
 * (pickling and unpickling in the parent), codec_workers_ns, bytes_sent,
 * bytes_received, instrumentation_ns (the workers' counter opens and
 * read-outs, their own or the pool's process's), its workers (s->worker,
 * owned by s: rusage, memory and counters as each took them, or as the
 * pool's process took them for it; counters_not_taken) and its overhead
 * split from r; *python gets the run's "python" record (new reference):
 * {pools, kind, start_method, python, implementation, codec: "pickle",
 * processes, workers_seen, workers_never_ready, dumps, loads, pid, killed,
 * pickling: {parent, workers: {dumps, loads: {calls, ns, bytes, large:
 * {calls, ns, min_ns, max_ns}}}}}
 * or {pools: 0} when the command constructed no process pool (then s is
 * left as it was). 0 or -MPB_ENOMEM. */
int mpb_pyrec_fill(const struct mpb_pyrec *r, struct mpb_sample *s, json_t **python,
		   struct mpb_diag *d);

#endif
