/* transport.h — how frame bytes cross the boundary between the pool and a
 * worker. One ops struct per transport (transport_pipe.c, transport_shm.c),
 * listed in the registry table in transport.c, so `mpbench list` and option
 * validation walk the same table.
 *
 * A transport is a byte stream in each direction, like a pipe: the frame
 * layer (frame.h) sits on top unchanged, and a frame larger than any buffer
 * is streamed, never truncated. Every transport keeps the pool's two pipes
 * per worker: they carry the data (`pipe`) or only wake-ups (`shm`), and in
 * both cases their EOF is how a dead worker or a dead parent is noticed.
 *
 * The parent drives many endpoints from one poll loop (non-blocking); a
 * worker drives one endpoint and blocks (mpb_transport_read_frame,
 * mpb_transport_write_all).
 */
#ifndef MPB_TRANSPORT_H
#define MPB_TRANSPORT_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"
#include "diag.h"
#include "frame.h"

struct mpb_transport_ops;

/* Readiness bits (ops->ready, ops->arm). */
enum { MPB_TP_READABLE = 1u, MPB_TP_WRITABLE = 2u };

/* One side of one worker's channel. */
struct mpb_endpoint {
	const struct mpb_transport_ops *ops;
	int in_fd, out_fd;   /* this side's pipe ends: read from, write to */
	void *ch;            /* shared channel state (shm: the mapping); NULL for pipe */
	bool worker;         /* the worker's side (else the parent's) */
	bool eof;            /* the peer closed its end */
	/* counted on this side, for the overhead split */
	uint64_t syscalls;   /* read/write/poll calls made for this endpoint */
};

struct mpb_transport_ops {
	const char *name;
	const char *summary;
	/* Optional (NULL: nothing shared). Parent: create the channel shared by
	 * both sides; *fd receives a descriptor a worker in another image needs
	 * to attach (close-on-exec; the caller closes it), or -1. */
	int (*create)(void **ch, int *fd, struct mpb_diag *d);
	/* Optional: a worker in a fresh image maps the channel from fd. */
	int (*attach)(void **ch, int fd, struct mpb_diag *d);
	/* Optional: unmap ch in this process. NULL-safe. */
	void (*destroy)(void *ch);
	/* Non-blocking on the parent's side. Move up to n bytes; returns the
	 * count moved (> 0), 0 at EOF (recv), -EAGAIN when nothing can move now,
	 * -EPIPE when the peer is gone (send) or another -errno. */
	ssize_t (*send)(struct mpb_endpoint *e, const void *p, size_t n);
	ssize_t (*recv)(struct mpb_endpoint *e, void *p, size_t n);
	/* Parent: the pollfds this endpoint needs while the parent sleeps
	 * (want_write: it has bytes to send), written to pf (room for 2); returns
	 * how many. Sets any sleep flags first; *ready gets MPB_TP_* bits that are
	 * already true (then the caller must not sleep). */
	unsigned (*arm)(struct mpb_endpoint *e, bool want_write, struct pollfd *pf,
			unsigned *ready);
	/* Parent: after the sleep; clear what arm set. Optional. */
	void (*disarm)(struct mpb_endpoint *e);
	/* Parent, without a system call: MPB_TP_* bits true now (0 when only
	 * poll can tell, as for pipes). Optional. */
	unsigned (*ready)(const struct mpb_endpoint *e, bool want_write);
	/* Worker: block until recv (or send, want_write) can move a byte or the
	 * peer is gone. 0, or -errno. Optional for blocking descriptors. */
	int (*wait)(struct mpb_endpoint *e, bool want_write);
	/* True when a parent poll loop should spin (call ready) briefly before
	 * sleeping: the data path makes no system call. */
	bool spins;
};

extern const struct mpb_transport_ops mpb_transport_pipe;
extern const struct mpb_transport_ops mpb_transport_shm;

/* Registry: all transports, in listing order. */
const struct mpb_transport_ops *const *mpb_transport_all(size_t *n);
/* The transport of a point when --transport is not given (the table's first). */
const struct mpb_transport_ops *mpb_transport_default(void);
/* Look up by name; NULL when unknown. */
const struct mpb_transport_ops *mpb_transport_find(const char *name);

/* Worker side, blocking. Write all n bytes: 0, or -errno (-EPIPE: the
 * parent is gone). */
int mpb_transport_write_all(struct mpb_endpoint *e, const void *p, size_t n);
/* Read one whole frame and parse it: 1 on a frame, 0 on EOF before any
 * byte, negative (d set) on error or EOF inside a frame. buf is this
 * endpoint's receive buffer, kept between calls (bytes read beyond the frame
 * stay in it); f->payload points into it until the next call. */
int mpb_transport_read_frame(struct mpb_endpoint *e, struct mpb_buf *buf, struct mpb_frame *f,
			     struct mpb_diag *d);

/* Where a spawned worker (a fresh image), told its transport by its HELLO
 * (worker_spec.h), finds the transport's channel when it has one. */
#define MPB_TRANSPORT_CHAN_FD 5

/* Spin budget before sleeping, in ns (shm): long enough to catch a reply on
 * a lightly loaded machine, short enough that an idle worker soon sleeps.
 * MPBENCH_SPIN_NS overrides it (0: never spin), for measuring the trade-off;
 * the value in force is recorded with the results. */
#define MPB_TRANSPORT_SPIN_NS 20000u
#define MPB_TRANSPORT_SPIN_ENV "MPBENCH_SPIN_NS"
uint64_t mpb_transport_spin_ns(void);
/* Spin until ready(ctx) is true (returns true) or the spin budget is spent
 * (false). After the first MPB_TRANSPORT_SPIN_PURE_NS it yields the CPU
 * between checks: on a machine with more runnable threads than CPUs the side
 * we wait for may need this very CPU to answer. */
#define MPB_TRANSPORT_SPIN_PURE_NS 2000u
bool mpb_transport_spin(bool (*ready)(void *ctx), void *ctx);

#endif
