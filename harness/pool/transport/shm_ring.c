/* shm_ring.c — the SPSC byte ring in shared memory (see shm_ring.h). The
 * producer publishes tail with release order after copying the bytes in; the
 * consumer reads tail with acquire order before copying them out (and the
 * mirror image for head), which is all a single-producer single-consumer ring
 * needs. The sleep flags use sequentially consistent operations: the Dekker
 * pattern "store my flag, then load your position" needs a full fence. */
#include "shm_ring.h"

#include <string.h>

static uint8_t *data(const struct mpb_ring *r)
{
	return (uint8_t *)r + r->data_off;
}

void mpb_ring_init(struct mpb_ring *r, uint64_t cap, uint64_t data_off)
{
	atomic_store(&r->head, 0);
	atomic_store(&r->tail, 0);
	atomic_store(&r->consumer_sleeping, 0);
	atomic_store(&r->producer_waiting, 0);
	r->cap = cap;
	r->data_off = data_off;
}

size_t mpb_ring_readable(const struct mpb_ring *r)
{
	uint64_t t = atomic_load_explicit(&r->tail, memory_order_acquire);
	uint64_t h = atomic_load_explicit(&r->head, memory_order_relaxed);
	return (size_t)(t - h);
}

size_t mpb_ring_writable(const struct mpb_ring *r)
{
	uint64_t h = atomic_load_explicit(&r->head, memory_order_acquire);
	uint64_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
	return (size_t)(r->cap - (t - h));
}

size_t mpb_ring_write(struct mpb_ring *r, const void *p, size_t n)
{
	uint64_t h = atomic_load_explicit(&r->head, memory_order_acquire);
	uint64_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
	size_t room = (size_t)(r->cap - (t - h));
	if (n > room)
		n = room;
	if (n == 0)
		return 0;
	size_t at = (size_t)(t & (r->cap - 1)), first = (size_t)r->cap - at;
	if (first > n)
		first = n;
	memcpy(data(r) + at, p, first);
	memcpy(data(r), (const uint8_t *)p + first, n - first);
	atomic_store_explicit(&r->tail, t + n, memory_order_release);
	return n;
}

size_t mpb_ring_read(struct mpb_ring *r, void *p, size_t n)
{
	uint64_t t = atomic_load_explicit(&r->tail, memory_order_acquire);
	uint64_t h = atomic_load_explicit(&r->head, memory_order_relaxed);
	size_t avail = (size_t)(t - h);
	if (n > avail)
		n = avail;
	if (n == 0)
		return 0;
	size_t at = (size_t)(h & (r->cap - 1)), first = (size_t)r->cap - at;
	if (first > n)
		first = n;
	memcpy(p, data(r) + at, first);
	memcpy((uint8_t *)p + first, data(r), n - first);
	atomic_store_explicit(&r->head, h + n, memory_order_release);
	return n;
}

bool mpb_ring_arm_consumer(struct mpb_ring *r)
{
	atomic_store(&r->consumer_sleeping, 1);
	/* seq_cst store then seq_cst load: ordered against the producer's
	 * tail store + flag exchange */
	if (atomic_load(&r->tail) != atomic_load(&r->head)) {
		atomic_store(&r->consumer_sleeping, 0);
		return true;
	}
	return false;
}

bool mpb_ring_arm_producer(struct mpb_ring *r)
{
	atomic_store(&r->producer_waiting, 1);
	if (atomic_load(&r->tail) - atomic_load(&r->head) < r->cap) {
		atomic_store(&r->producer_waiting, 0);
		return true;
	}
	return false;
}

/* A flag's wake-up is taken once: by whoever clears it first. The fence
 * orders the caller's ring update (tail or head) before the flag's load,
 * against the arming side's flag store before its ring load. */
static bool take(_Atomic uint32_t *flag)
{
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(flag, memory_order_relaxed) == 0)
		return false;
	return atomic_exchange(flag, 0) != 0;
}

void mpb_ring_disarm_consumer(struct mpb_ring *r)
{
	atomic_store_explicit(&r->consumer_sleeping, 0, memory_order_relaxed);
}

void mpb_ring_disarm_producer(struct mpb_ring *r)
{
	atomic_store_explicit(&r->producer_waiting, 0, memory_order_relaxed);
}

bool mpb_ring_take_consumer_wakeup(struct mpb_ring *r)
{
	return take(&r->consumer_sleeping);
}

bool mpb_ring_take_producer_wakeup(struct mpb_ring *r)
{
	return take(&r->producer_waiting);
}
