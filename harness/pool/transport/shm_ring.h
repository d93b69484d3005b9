/* shm_ring.h — a single-producer single-consumer byte ring that lives in
 * shared memory (transport_shm.c maps two per worker in a memfd). It is a byte
 * stream, like a pipe: a frame larger than the ring is streamed through it in
 * pieces, never truncated. Positions are free-running 64-bit byte counts, so
 * full and empty are told apart without a spare slot.
 *
 * The two flags let either side sleep instead of spinning (the wake-up itself
 * is the transport's business): a consumer sets `consumer_sleeping` before it
 * blocks on an empty ring, a producer sets `producer_waiting` before it blocks
 * on a full one; the other side clears the flag and wakes it after moving
 * bytes. Both flags are checked after a full fence on both sides, so a wake-up
 * cannot be lost between "the ring is empty" and "I am asleep".
 */
#ifndef MPB_SHM_RING_H
#define MPB_SHM_RING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mpb_ring {
	/* each on its own cache line: the producer writes tail, the consumer head */
	_Alignas(64) _Atomic uint64_t head;  /* bytes consumed so far */
	_Alignas(64) _Atomic uint64_t tail;  /* bytes produced so far */
	_Alignas(64) _Atomic uint32_t consumer_sleeping;
	_Atomic uint32_t producer_waiting;
	uint64_t cap;                        /* data bytes, a power of two */
	uint64_t data_off;                   /* from the ring's own address */
};

/* Initialise a ring whose cap data bytes start data_off bytes after r
 * (cap must be a power of two). */
void mpb_ring_init(struct mpb_ring *r, uint64_t cap, uint64_t data_off);
/* Bytes readable / room writable now. */
size_t mpb_ring_readable(const struct mpb_ring *r);
size_t mpb_ring_writable(const struct mpb_ring *r);
/* Copy up to n bytes in (producer) or out (consumer); returns bytes moved,
 * 0 when the ring is full / empty. Never blocks. */
size_t mpb_ring_write(struct mpb_ring *r, const void *p, size_t n);
size_t mpb_ring_read(struct mpb_ring *r, void *p, size_t n);

/* Sleep protocol (see above). arm_* sets the flag and returns true when the
 * condition already changed (ring no longer empty / no longer full): then do
 * not sleep, and disarm. */
bool mpb_ring_arm_consumer(struct mpb_ring *r);
bool mpb_ring_arm_producer(struct mpb_ring *r);
void mpb_ring_disarm_consumer(struct mpb_ring *r);
void mpb_ring_disarm_producer(struct mpb_ring *r);
/* After moving bytes: true when the other side was asleep and must be woken
 * (the flag is cleared, so only one wake-up is sent per sleep). */
bool mpb_ring_take_consumer_wakeup(struct mpb_ring *r);
bool mpb_ring_take_producer_wakeup(struct mpb_ring *r);

#endif
