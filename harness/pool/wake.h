/* wake.h — the order in which the pool's parent wakes several workers at
 * once: a round of chunks, STOP, the closing of their task pipes.
 *
 * A write to a pipe wakes its reader as a synchronous wake-up, and the
 * kernel places the woken worker on the waker's CPU when the worker last ran
 * there (or its own CPU is busy); there the worker can preempt the parent at
 * once, before the parent wrote to the others. Traced on the 2-core VM
 * (sched_switch and sched_wakeup events, `mpbench sweep -w sumsq -s 5M -t 4
 * -j 2 -m fork`), 3 of 13 runs lost 1.4-1.5 ms so, one whole task: the parent
 * woke worker 0, which took over the parent's CPU and computed its task while
 * the parent, runnable behind it, had not yet written worker 1's chunk, and
 * worker 1's CPU idled. So the parent first wakes the workers last seen on
 * another CPU and last those last seen on its own: the one that preempts it
 * then finds a parent that has handed everything out. Each worker reports
 * its CPU (sched_getcpu) in READY, RESULTS and BYE (frame.h). Pure, so that
 * it is unit-tested without processes.
 */
#ifndef MPB_WAKE_H
#define MPB_WAKE_H

#include <stdint.h>

struct mpb_slot;

/* A slot's cpu before its worker reported one, or where the kernel did not
 * say. */
#define MPB_CPU_UNKNOWN UINT32_MAX

/* Into order[0..n): the indices of slot[0..n), first those whose cpu is not
 * `me` (the parent's CPU; negative: unknown, then the slots' own order),
 * then those whose cpu is, each group in slot order. Returns n. */
unsigned mpb_wake_order(const struct mpb_slot *slot, unsigned n, int me, unsigned *order);

#endif
