/* transport.c — the transport registry and the worker's blocking helpers on
 * top of any transport's non-blocking send/recv (see transport.h). */
#include "transport.h"

#include "clock.h"

#include <errno.h>
#include <stdatomic.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

static const struct mpb_transport_ops *const transports[] = {
	&mpb_transport_pipe,
	&mpb_transport_shm,
};

const struct mpb_transport_ops *const *mpb_transport_all(size_t *n)
{
	*n = sizeof transports / sizeof transports[0];
	return transports;
}

const struct mpb_transport_ops *mpb_transport_default(void)
{
	return transports[0];
}

const struct mpb_transport_ops *mpb_transport_find(const char *name)
{
	for (size_t i = 0; i < sizeof transports / sizeof transports[0]; i++)
		if (strcmp(transports[i]->name, name) == 0)
			return transports[i];
	return NULL;
}

uint64_t mpb_transport_spin_ns(void)
{
	/* read once per process; a racing first read computes the same value */
	static _Atomic int64_t cached = -1;
	int64_t v = atomic_load_explicit(&cached, memory_order_relaxed);
	if (v >= 0)
		return (uint64_t)v;
	const char *s = getenv(MPB_TRANSPORT_SPIN_ENV);
	char *end;
	unsigned long long x = s && *s ? strtoull(s, &end, 10) : MPB_TRANSPORT_SPIN_NS;
	if (s && *s && (*end || x > 100000000ull))
		x = MPB_TRANSPORT_SPIN_NS;
	atomic_store_explicit(&cached, (int64_t)x, memory_order_relaxed);
	return x;
}

bool mpb_transport_spin(bool (*ready)(void *ctx), void *ctx)
{
	uint64_t budget = mpb_transport_spin_ns();
	if (budget == 0)
		return ready(ctx);
	uint64_t t0 = mpb_now_ns();
	for (unsigned it = 1;; it++) {
		if (ready(ctx))
			return true;
#if defined(__x86_64__) || defined(__i386__)
		__builtin_ia32_pause();
#endif
		if ((it & 15) == 0) {
			uint64_t spent = mpb_now_ns() - t0;
			if (spent > budget)
				return false;
			/* measured on this 2-CPU VM under load 9: a pure 20 us spin
			 * made shm 4x slower than pipe, yielding made it faster */
			if (spent > MPB_TRANSPORT_SPIN_PURE_NS)
				sched_yield();
		}
	}
}

int mpb_transport_write_all(struct mpb_endpoint *e, const void *p, size_t n)
{
	const uint8_t *c = p;
	while (n > 0) {
		ssize_t w = e->ops->send(e, c, n);
		if (w == -EAGAIN) {
			int rc = e->ops->wait ? e->ops->wait(e, true) : -EAGAIN;
			if (rc < 0)
				return rc;
			continue;
		}
		if (w == -EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? (int)w : -EPIPE;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Receive at least one byte: the count, 0 at EOF, or -errno. */
static ssize_t recv_some(struct mpb_endpoint *e, uint8_t *p, size_t n)
{
	for (;;) {
		ssize_t r = e->ops->recv(e, p, n);
		if (r == -EAGAIN) {
			int rc = e->ops->wait ? e->ops->wait(e, false) : -EAGAIN;
			if (rc < 0)
				return rc;
			continue;
		}
		if (r != -EINTR)
			return r;
	}
}

/* Frames are parsed out of buf, which keeps what a read brought beyond the
 * frame returned: one read often carries a whole frame, or two, instead of
 * one read for the header and one for the payload. */
int mpb_transport_read_frame(struct mpb_endpoint *e, struct mpb_buf *buf, struct mpb_frame *f,
			     struct mpb_diag *d)
{
	for (;;) {
		size_t used;
		int rc = mpb_frame_parse(mpb_buf_head(buf), mpb_buf_pending(buf), f, &used, d);
		if (rc < 0)
			return rc;
		if (rc == 1) {
			/* the payload stays where it is until the next call */
			mpb_buf_consume(buf, used);
			return 1;
		}
		size_t want = 65536;
		if (mpb_buf_pending(buf) >= MPB_FRAME_HEADER) {
			uint32_t n;
			memcpy(&n, mpb_buf_head(buf), 4);
			if ((size_t)n + MPB_FRAME_HEADER - mpb_buf_pending(buf) > want)
				want = (size_t)n + MPB_FRAME_HEADER - mpb_buf_pending(buf);
		}
		if (mpb_buf_reserve(buf, want) < 0)
			return mpb_fail(d, MPB_ENOMEM, "out of memory for a %zu-byte frame", want);
		ssize_t r = recv_some(e, buf->data + buf->len, buf->cap - buf->len);
		if (r < 0)
			return mpb_fail_errno(d, MPB_ERUN, (int)-r, "reading a frame");
		if (r == 0) {
			if (mpb_buf_pending(buf) == 0)
				return 0;
			return mpb_fail(d, MPB_ERUN, "end of stream inside a frame (%zu bytes of it read)",
					mpb_buf_pending(buf));
		}
		buf->len += (size_t)r;
	}
}
