/* chunk.h — how many tasks go into each message (TASKS frame).
 *
 * Strategies: a fixed size (an integer from -c, or `python`, resolved up
 * front to ceil(tasks / (4 * workers)) as Pool.map does), or `auto`: joblib's
 * idea of auto batching. Auto starts at 1 task, measures how long workers
 * take per task (their compute + codec time for each chunk, reported in the
 * RESULTS frame), and grows the chunk (at most doubling per step) until one
 * takes about the target duration (default 50 ms); near the end of the map it
 * shrinks chunks to at most ceil(remaining / (2 * workers)), so the last
 * tasks spread over every worker instead of leaving one straggler.
 *
 * The pool asks mpb_chunk_next for every chunk it sends and reports every
 * chunk it gets back with mpb_chunk_observe; the sizes chosen are recorded
 * (count, min, max, and the first MPB_CHUNK_RECORD in order) for the results.
 */
#ifndef MPB_CHUNK_H
#define MPB_CHUNK_H

#include <stdbool.h>
#include <stdint.h>

#define MPB_CHUNK_RECORD 32

/* The static split of a ceiling (run/ceiling.h) and of its bare MPI ranks
 * (pool/mpi/mpi_bare.c): part k of `parts` takes tasks [*first, *first +
 * *count). Contiguous blocks whose sizes differ by at most one, covering
 * [0, tasks) exactly once; the first tasks % parts parts take one more. */
void mpb_chunk_split_static(uint64_t tasks, unsigned parts, unsigned k, uint64_t *first,
			    uint64_t *count);
#define MPB_CHUNK_TARGET_NS 50000000ull  /* auto: 50 ms per chunk */

struct mpb_chunk_stats {
	uint64_t chunks;        /* messages of tasks sent */
	uint64_t tasks;         /* tasks in them */
	uint64_t min, max;      /* smallest and largest chunk (0 when none) */
	unsigned nfirst;
	uint32_t first[MPB_CHUNK_RECORD];  /* the first chunk sizes chosen, in order */
};

struct mpb_chunker {
	bool autosize;
	uint64_t fixed;         /* fixed strategy: tasks per chunk */
	uint64_t target_ns;     /* auto: wanted duration of one chunk */
	unsigned workers;
	uint64_t size;          /* auto: the current size before the tail cap */
	double per_task_ns;     /* auto: smoothed estimate; < 0 until the first observation */
	struct mpb_chunk_stats st;
};

/* A fixed chunk size (>= 1). */
void mpb_chunk_init_fixed(struct mpb_chunker *c, uint64_t size);
/* Auto sizing for `workers` workers aiming at target_ns per chunk (0: the
 * default MPB_CHUNK_TARGET_NS). */
void mpb_chunk_init_auto(struct mpb_chunker *c, unsigned workers, uint64_t target_ns);
/* The size of the next chunk when `remaining` (>= 1) tasks are left to send:
 * from 1 to min(remaining, UINT32_MAX). Recorded in c->st. */
uint64_t mpb_chunk_next(struct mpb_chunker *c, uint64_t remaining);
/* A chunk of `count` tasks kept its worker busy for busy_ns. */
void mpb_chunk_observe(struct mpb_chunker *c, uint64_t count, uint64_t busy_ns);

#endif
