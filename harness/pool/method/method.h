/* method.h — start methods: how a pool's workers come into being. One const
 * ops struct per method file (method_fork.c, ...), listed in method.c.
 *
 * The pool owns the descriptors; a method only creates the worker's execution
 * context so that it runs mpb_worker_main() on the slot's child ends, and
 * later waits for it. Everything else (frames, dispatch, death detection by
 * EOF) is shared in pool.c, so a method file stays small.
 */
#ifndef MPB_METHOD_H
#define MPB_METHOD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "buf.h"
#include "codec.h"
#include "diag.h"
#include "transport.h"

struct mpb_pool;

/* Per-worker state shared by pool.c and the method files. */
struct mpb_slot {
	unsigned index;
	pid_t pid;              /* 0 until launched (and for in-process methods) */
	int to_fd, from_fd;     /* parent ends: write tasks, read results (non-blocking) */
	int child_in, child_out;/* worker ends; the method closes the parent's copies */
	uint64_t requested_ns;  /* when launch was asked for */
	uint64_t launched_ns;   /* when launch returned */
	bool launched, ready, said_bye, eof, ended;
	int wait_status;        /* from waitpid when ended (process methods), or
	                           MPB_WAIT_STATUS_UNKNOWN when the method could not learn it */
	struct rusage ru;       /* from wait4 when have_ru */
	bool have_ru;
	void *method_data;      /* method-private */
	struct mpb_buf in, out;
	struct mpb_endpoint ep; /* the parent's side of the channel (transport.h) */
	int chan_fd;            /* transport descriptor for a worker in another image, or -1 */
	int exit_fd;            /* read end of the worker's exit pipe where there is no
	                           pidfd (method_proc.h), else -1 */
	unsigned wakeups;       /* times the method's wait slept and woke: once per
	                           event when it wakes on the event, as it must */
	uint64_t *inflight;     /* FIFO of first-task indices of chunks sent */
	uint32_t *inflight_n;   /* ... and their task counts */
	unsigned inflight_cap, inflight_head, inflight_count;
	uint64_t busy_since_ns; /* the head chunk reached the worker's queue front (deadline.h) */
	uint32_t cpu;           /* the CPU the worker reported in its last READY, RESULTS or
	                           BYE, MPB_CPU_UNKNOWN before: the parent wakes it last when
	                           it shares the parent's (wake.h) */
};

/* A wait status that is neither exited nor signaled: the worker is gone but
 * its status could not be learned (e.g. its forkserver died first). */
#define MPB_WAIT_STATUS_UNKNOWN 0xffff

/* Method flags. */
enum {
	/* workers run inside the harness process (threads): no process boundary,
	 * tasks pass by pointer with the `none` codec, no pids to reap */
	MPB_METHOD_INPROC = 1u << 0,
	/* workers are not children of the harness (forkserver: the server's):
	 * their CPU time never shows in the harness's RUSAGE_CHILDREN */
	MPB_METHOD_NOT_CHILDREN = 1u << 1,
};

/* Which of the machine's floors (machine/floor.h) a worker's start-up and
 * teardown are judged against: the cheapest form of what the method does. */
enum mpb_method_floor {
	MPB_METHOD_FLOOR_FORK = 0,  /* fork + exit + wait */
	MPB_METHOD_FLOOR_SPAWN,     /* posix_spawn + exit + wait */
	MPB_METHOD_FLOOR_THREAD,    /* pthread_create + join */
	MPB_METHOD_FLOOR_MPI,       /* mpirun of bare ranks + their end */
};

/* What a method's points are judged against as "the machine" (run/ceiling.h):
 * the same static split of the tasks over bare processes of the same kind. */
enum mpb_method_ceiling {
	MPB_METHOD_CEILING_PROCESSES = 0, /* bare forked processes */
	MPB_METHOD_CEILING_MPI_RANKS,     /* bare MPI ranks from mpirun */
	MPB_METHOD_CEILING_COUNT
};
/* Its name in results (ceilings[].over), and back; -1 when unknown. */
const char *mpb_method_ceiling_name(enum mpb_method_ceiling c);
int mpb_method_ceiling_find(const char *name);
/* Its title in the console table ("ceiling over MPI ranks"). */
const char *mpb_method_ceiling_title(enum mpb_method_ceiling c);

struct mpb_method_ops {
	const char *name;
	const char *summary;
	unsigned flags;
	/* The call that creates a worker, as messages name it ("fork"). */
	const char *launch_call;
	enum mpb_method_floor floor;
	enum mpb_method_ceiling ceiling;
	/* NULL: points take --codec. Else every point of this method uses this
	 * codec, whatever --codec says (thread: none, values by reference). */
	const struct mpb_codec_ops *codec;
	/* NULL: points take --transport. Else every point of this method uses
	 * this transport, whatever --transport says (mpi: pipes to the relay
	 * rank, which forwards them as MPI messages). */
	const struct mpb_transport_ops *transport;
	/* Optional, called once per process before the first pool of this
	 * method, while the harness is still small and single-threaded (the
	 * forkserver starts its server here). 0 or negative with d set. */
	int (*prepare)(struct mpb_diag *d);
	/* Optional: undo prepare (stop and reap any server). Idempotent; called
	 * on every exit path of a command that called prepare. */
	void (*shutdown)(void);
	/* Create the worker for slot s: it must run mpb_worker_main on
	 * s->child_in/child_out and the parent must end up without those ends. */
	int (*launch)(struct mpb_pool *p, struct mpb_slot *s, struct mpb_diag *d);
	/* Wait for the worker to end (block) or check once (!block). Returns 1
	 * when it ended (s->wait_status, s->ru/have_ru filled), 0 if still alive,
	 * negative on error. A method whose workers cannot be killed (thread)
	 * bounds a blocking wait and then abandons the worker: it returns 1 with
	 * wait_status MPB_WAIT_STATUS_UNKNOWN and takes over from the slot
	 * whatever the worker still uses (its channel, s->ep.ch). */
	int (*reap)(struct mpb_pool *p, struct mpb_slot *s, bool block, struct mpb_diag *d);
	/* Sleep until the worker may have ended or mpb_now_ns() reaches
	 * until_ns, whichever comes first; reap(!block) then tells which. It
	 * must wake on the event itself (a pidfd, the forkserver's exit notice,
	 * a thread's exit or its condition variable), never on a polling timer: teardown is
	 * a timed window, and a poll interval would be measured as the pool's
	 * cost (pool.c, reap_bounded). 0, or negative with d set. */
	int (*wait)(struct mpb_pool *p, struct mpb_slot *s, uint64_t until_ns, struct mpb_diag *d);
	/* Force the worker to end now (it is reaped afterwards). */
	void (*kill)(struct mpb_pool *p, struct mpb_slot *s);
	/* Optional, for methods whose reap may abandon workers: how many were
	 * abandoned so far in this process; *running (may be NULL) gets how many
	 * of them still run. */
	unsigned (*abandoned)(unsigned *running);
};

extern const struct mpb_method_ops mpb_method_fork;
extern const struct mpb_method_ops mpb_method_forkserver;
extern const struct mpb_method_ops mpb_method_spawn;
extern const struct mpb_method_ops mpb_method_thread;
#if MPB_HAVE_MPI
extern const struct mpb_method_ops mpb_method_mpi; /* method_mpi.c */
#endif

const struct mpb_method_ops *const *mpb_method_all(size_t *n);
const struct mpb_method_ops *mpb_method_find(const char *name);

/* Workers abandoned so far in this process, over every method (their
 * abandoned op): killed but not ended within the reap grace (a thread stuck
 * in a task), so left running. Their records, pipe ends and channels stay
 * valid until exit; what they borrow from the pool's caller (task arguments
 * passed by reference, the workload state those point into) the caller must
 * keep alive too. *running (may be NULL) gets how many still run. */
unsigned mpb_method_abandoned(unsigned *running);

/* The spawn method's worker executable when $MPBENCH_WORKER is not set:
 * mpbench-worker beside the running binary, else the installed one at its
 * path relative to the binary (libexec). 0 with its path, or -1 when
 * neither is there. */
int mpb_method_spawn_default_worker(char *path, size_t len);

/* How many workers the pool has (a method that starts them all at once:
 * mpi). */
unsigned mpb_pool_workers(const struct mpb_pool *p);

/* For process methods: in a new child, close every descriptor the pool holds
 * except this slot's child ends, so a worker's EOF means what it should. */
void mpb_pool_close_inherited(struct mpb_pool *p, const struct mpb_slot *keep);
/* The worker arguments for a slot (the worker's identity and workload). */
struct mpb_worker_args;
void mpb_pool_worker_args(const struct mpb_pool *p, const struct mpb_slot *s,
			  struct mpb_worker_args *a);

#endif
