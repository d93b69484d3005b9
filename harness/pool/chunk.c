/* chunk.c — chunk sizes per message: fixed, or auto (see chunk.h). */
#include "chunk.h"

#include <string.h>

void mpb_chunk_init_fixed(struct mpb_chunker *c, uint64_t size)
{
	memset(c, 0, sizeof *c);
	c->fixed = size ? size : 1;
	c->per_task_ns = -1;
}

void mpb_chunk_init_auto(struct mpb_chunker *c, unsigned workers, uint64_t target_ns)
{
	memset(c, 0, sizeof *c);
	c->autosize = true;
	c->target_ns = target_ns ? target_ns : MPB_CHUNK_TARGET_NS;
	c->workers = workers ? workers : 1;
	c->size = 1;
	c->per_task_ns = -1;
}

static void record(struct mpb_chunk_stats *st, uint64_t s)
{
	if (st->nfirst < MPB_CHUNK_RECORD)
		st->first[st->nfirst++] = (uint32_t)s;
	if (st->chunks == 0 || s < st->min)
		st->min = s;
	if (s > st->max)
		st->max = s;
	st->chunks++;
	st->tasks += s;
}

uint64_t mpb_chunk_next(struct mpb_chunker *c, uint64_t remaining)
{
	uint64_t s;
	if (remaining == 0)
		return 0;
	if (!c->autosize) {
		s = c->fixed;
	} else {
		if (c->per_task_ns >= 0) {
			/* what would take target_ns at the measured rate; grow at
			 * most 2x per step (one short chunk is a noisy measure),
			 * shrink at once (a slow chunk is a fact) */
			double ideal = c->per_task_ns > 0 ? (double)c->target_ns / c->per_task_ns
							  : (double)UINT32_MAX;
			uint64_t want = ideal >= (double)UINT32_MAX ? UINT32_MAX
				      : ideal < 1 ? 1 : (uint64_t)ideal;
			c->size = want < 2 * c->size ? want : 2 * c->size;
		}
		s = c->size;
		/* the tail: leave work for every worker to the end */
		uint64_t spread = 2ull * c->workers;
		uint64_t tail = remaining / spread + (remaining % spread != 0);
		if (s > tail)
			s = tail;
	}
	if (s > remaining)
		s = remaining;
	if (s > UINT32_MAX)
		s = UINT32_MAX;
	if (s == 0)
		s = 1;
	record(&c->st, s);
	return s;
}

void mpb_chunk_observe(struct mpb_chunker *c, uint64_t count, uint64_t busy_ns)
{
	if (!c->autosize || count == 0)
		return;
	double x = (double)busy_ns / (double)count;
	/* smooth, as joblib does: one chunk interrupted by the scheduler should
	 * not halve the next */
	c->per_task_ns = c->per_task_ns < 0 ? x : 0.5 * c->per_task_ns + 0.5 * x;
}

void mpb_chunk_split_static(uint64_t tasks, unsigned parts, unsigned k, uint64_t *first,
			    uint64_t *count)
{
	if (parts == 0 || k >= parts) {
		*first = tasks;
		*count = 0;
		return;
	}
	uint64_t q = tasks / parts, r = tasks % parts;
	*first = k * q + (k < r ? k : r);
	*count = q + (k < r);
}
