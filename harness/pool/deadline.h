/* deadline.h — the time limits of one pool run (--timeout, --task-timeout).
 *
 * A run limit bounds everything from pool start to the last worker reaped; a
 * task limit bounds how long one worker may hold the chunk at the head of its
 * queue (the one it is working on). The pool checks both after every poll
 * slice (~100 ms), so a hung worker is noticed within a slice of its limit,
 * then killed and reaped by the pool's failure path. The check is pure
 * arithmetic over the slots so that it can be unit-tested without processes.
 */
#ifndef MPB_DEADLINE_H
#define MPB_DEADLINE_H

#include <stdint.h>

struct mpb_slot;

struct mpb_deadline {
	uint64_t start_ns;      /* when the run started */
	uint64_t run_ns;        /* run limit; 0: none */
	uint64_t task_ns;       /* per-chunk limit; 0: none */
};

enum mpb_deadline_verdict {
	MPB_DEADLINE_OK = 0,
	MPB_DEADLINE_RUN = 1,   /* the whole run is over its limit */
	MPB_DEADLINE_TASK = 2,  /* slot *culprit has held its head chunk too long */
};

/* Seconds (as the options give them) to a limit in ns: 0 stays 0 (none),
 * anything positive is at least 1 ns, huge values saturate. */
uint64_t mpb_deadline_ns(double seconds);

/* Which limit, if any, is exceeded at `now` by the run or by one of the n
 * slots (slots without a chunk in flight, or that ended, never are). On
 * MPB_DEADLINE_TASK, *culprit is the slot that has waited longest. */
enum mpb_deadline_verdict mpb_deadline_check(const struct mpb_deadline *dl, uint64_t now,
					     const struct mpb_slot *slots, unsigned n,
					     unsigned *culprit);

#endif
