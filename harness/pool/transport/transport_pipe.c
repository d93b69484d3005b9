/* transport_pipe.c — the `pipe` transport: frames travel through the pool's
 * two pipes per worker themselves. Every message costs a write and a read
 * (and, when someone sleeps, a wake-up): the reference the shm transport is
 * measured against. */
#include "transport.h"

#include <errno.h>
#include <unistd.h>

static ssize_t pipe_send(struct mpb_endpoint *e, const void *p, size_t n)
{
	for (;;) {
		e->syscalls++;
		ssize_t w = write(e->out_fd, p, n);
		if (w >= 0)
			return w;
		if (errno != EINTR)
			return -errno;
	}
}

static ssize_t pipe_recv(struct mpb_endpoint *e, void *p, size_t n)
{
	for (;;) {
		e->syscalls++;
		ssize_t r = read(e->in_fd, p, n);
		if (r > 0)
			return r;
		if (r == 0) {
			e->eof = true;
			return 0;
		}
		if (errno != EINTR)
			return -errno;
	}
}

static unsigned pipe_arm(struct mpb_endpoint *e, bool want_write, struct pollfd *pf,
			 unsigned *ready)
{
	*ready = 0;
	pf[0] = (struct pollfd){ .fd = e->in_fd, .events = POLLIN };
	if (!want_write)
		return 1;
	pf[1] = (struct pollfd){ .fd = e->out_fd, .events = POLLOUT };
	return 2;
}

static int pipe_wait(struct mpb_endpoint *e, bool want_write)
{
	struct pollfd pf = { want_write ? e->out_fd : e->in_fd, want_write ? POLLOUT : POLLIN, 0 };
	for (;;) {
		e->syscalls++;
		if (poll(&pf, 1, -1) >= 0)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
}

const struct mpb_transport_ops mpb_transport_pipe = {
	.name = "pipe",
	.summary = "length-prefixed frames over a pipe per direction",
	.send = pipe_send,
	.recv = pipe_recv,
	.arm = pipe_arm,
	.wait = pipe_wait,
};
