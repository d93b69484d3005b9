/* transport_shm.c — the `shm` transport: one shared-memory ring per direction
 * per worker, in a memfd mapping (shm_ring.h). Bytes never pass through the
 * kernel; the pool's pipes carry only one-byte wake-ups and, by their EOF,
 * the death of either side.
 *
 * A side that finds nothing to do spins for MPB_TRANSPORT_SPIN_NS (a reply
 * to a small task usually arrives within that), then raises its ring's sleep
 * flag and blocks in read(2) or poll(2) on its pipe, so an idle worker costs
 * no CPU. The other side writes a wake-up byte only when that flag is up, so
 * a busy stream of small messages makes no system call at all. Why the pipe
 * and not a futex or an eventfd: the pipe is needed anyway, because its EOF
 * is what tells a sleeping side that its peer died (a futex waiter would
 * sleep on, an eventfd never reports the writer gone), and one wake-up byte
 * costs the same write(2) as an eventfd increment.
 *
 * Layout of the memfd: page 0 holds the two ring headers and a magic; ring 0
 * (parent → worker) and ring 1 (worker → parent) follow, MPB_SHM_RING_BYTES
 * each. fork and thread workers use the parent's mapping as is; a spawned or
 * forkserver worker maps the memfd it was given (attach).
 */
#include "transport.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "clock.h"
#include "shm_ring.h"

#define MPB_SHM_RING_BYTES (1u << 20)
#define SHM_MAGIC 0x6d706273686d3031ull /* "mpbshm01" */
#define HDR_BYTES 4096u

struct shm_chan {
	struct mpb_ring ring[2];  /* 0: parent → worker, 1: worker → parent */
	uint64_t magic, ring_bytes;
};

_Static_assert(sizeof(struct shm_chan) <= HDR_BYTES, "shm header fits its page");

static size_t map_bytes(void)
{
	return HDR_BYTES + 2u * (size_t)MPB_SHM_RING_BYTES;
}

static struct mpb_ring *in_ring(const struct mpb_endpoint *e)
{
	return &((struct shm_chan *)e->ch)->ring[e->worker ? 0 : 1];
}

static struct mpb_ring *out_ring(const struct mpb_endpoint *e)
{
	return &((struct shm_chan *)e->ch)->ring[e->worker ? 1 : 0];
}

static int shm_create(void **ch, int *fd, struct mpb_diag *d)
{
	*ch = NULL;
	*fd = memfd_create("mpbench-shm", MFD_CLOEXEC);
	if (*fd < 0)
		return mpb_fail_errno(d, MPB_ESYS, errno, "shm transport: memfd_create");
	if (ftruncate(*fd, (off_t)map_bytes()) < 0)
		goto fail;
	/* populate now: page faults while the pool runs would be charged to
	 * the transport */
	void *m = mmap(NULL, map_bytes(), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, *fd, 0);
	if (m == MAP_FAILED)
		goto fail;
	struct shm_chan *c = m;
	size_t base0 = HDR_BYTES, base1 = HDR_BYTES + MPB_SHM_RING_BYTES;
	mpb_ring_init(&c->ring[0], MPB_SHM_RING_BYTES,
		      base0 - ((uintptr_t)&c->ring[0] - (uintptr_t)c));
	mpb_ring_init(&c->ring[1], MPB_SHM_RING_BYTES,
		      base1 - ((uintptr_t)&c->ring[1] - (uintptr_t)c));
	c->ring_bytes = MPB_SHM_RING_BYTES;
	c->magic = SHM_MAGIC;
	*ch = c;
	return 0;
fail:;
	int e = errno;
	close(*fd);
	*fd = -1;
	return mpb_fail_errno(d, MPB_ESYS, e, "shm transport: mapping %zu bytes", map_bytes());
}

static int shm_attach(void **ch, int fd, struct mpb_diag *d)
{
	*ch = NULL;
	void *m = mmap(NULL, map_bytes(), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return mpb_fail_errno(d, MPB_ERUN, errno, "shm transport: mapping descriptor %d", fd);
	struct shm_chan *c = m;
	if (c->magic != SHM_MAGIC || c->ring_bytes != MPB_SHM_RING_BYTES) {
		munmap(m, map_bytes());
		return mpb_fail(d, MPB_ERUN, "shm transport: descriptor %d is not an mpbench channel "
				"of this build", fd);
	}
	*ch = c;
	return 0;
}

static void shm_destroy(void *ch)
{
	if (ch)
		munmap(ch, map_bytes());
}

/* Wake the other side: one byte on our pipe. A full pipe already holds a
 * wake-up, so EAGAIN is success. */
static int ring_bell(struct mpb_endpoint *e)
{
	static const uint8_t one = 1;
	for (;;) {
		e->syscalls++;
		if (write(e->out_fd, &one, 1) >= 0 || errno == EAGAIN)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
}

static ssize_t shm_send(struct mpb_endpoint *e, const void *p, size_t n)
{
	struct mpb_ring *r = out_ring(e);
	size_t w = mpb_ring_write(r, p, n);
	if (w == 0)
		return e->eof ? -EPIPE : -EAGAIN;
	if (mpb_ring_take_consumer_wakeup(r)) {
		int rc = ring_bell(e);
		if (rc < 0)
			return rc;
	}
	return (ssize_t)w;
}

/* Parent only: consume wake-up bytes (non-blocking); notices EOF. */
static int drain_bells(struct mpb_endpoint *e)
{
	uint8_t junk[64];
	for (;;) {
		e->syscalls++;
		ssize_t r = read(e->in_fd, junk, sizeof junk);
		if (r > 0) {
			if ((size_t)r < sizeof junk)
				return 0;
			continue;
		}
		if (r == 0) {
			e->eof = true;
			return 0;
		}
		if (errno == EINTR)
			continue;
		return errno == EAGAIN ? 0 : -errno;
	}
}

static ssize_t shm_recv(struct mpb_endpoint *e, void *p, size_t n)
{
	struct mpb_ring *r = in_ring(e);
	size_t got = mpb_ring_read(r, p, n);
	if (got == 0 && !e->worker && !e->eof) {
		/* woken (or a worker died): the pipe says which */
		int rc = drain_bells(e);
		if (rc < 0)
			return rc;
		got = mpb_ring_read(r, p, n);
	}
	if (got == 0)
		return e->eof ? 0 : -EAGAIN;
	if (mpb_ring_take_producer_wakeup(r)) {
		int rc = ring_bell(e);
		if (rc < 0 && rc != -EPIPE)
			return rc;
	}
	return (ssize_t)got;
}

static unsigned shm_ready(const struct mpb_endpoint *e, bool want_write)
{
	unsigned b = 0;
	if (mpb_ring_readable(in_ring(e)) > 0)
		b |= MPB_TP_READABLE;
	if (want_write && mpb_ring_writable(out_ring(e)) > 0)
		b |= MPB_TP_WRITABLE;
	return b;
}

static unsigned shm_arm(struct mpb_endpoint *e, bool want_write, struct pollfd *pf,
			unsigned *ready)
{
	*ready = 0;
	if (mpb_ring_arm_consumer(in_ring(e)))
		*ready |= MPB_TP_READABLE;
	if (want_write && mpb_ring_arm_producer(out_ring(e)))
		*ready |= MPB_TP_WRITABLE;
	pf[0] = (struct pollfd){ .fd = e->in_fd, .events = POLLIN };
	return 1;
}

static void shm_disarm(struct mpb_endpoint *e)
{
	mpb_ring_disarm_consumer(in_ring(e));
	mpb_ring_disarm_producer(out_ring(e));
}

static bool can_read(void *e)
{
	return mpb_ring_readable(in_ring(e)) > 0;
}

static bool can_write(void *e)
{
	return mpb_ring_writable(out_ring(e)) > 0;
}

/* Worker: spin, then sleep on the pipe until woken or the parent is gone. */
static int shm_wait(struct mpb_endpoint *e, bool want_write)
{
	if (e->eof)
		return want_write ? -EPIPE : 0;
	if (mpb_transport_spin(want_write ? can_write : can_read, e))
		return 0;
	bool now = want_write ? mpb_ring_arm_producer(out_ring(e)) : mpb_ring_arm_consumer(in_ring(e));
	if (now)
		return 0;
	uint8_t junk[64];
	for (;;) {
		e->syscalls++;
		ssize_t r = read(e->in_fd, junk, sizeof junk);
		if (r > 0) {
			break;
		}
		if (r == 0) {
			e->eof = true;
			break;
		}
		if (errno != EINTR) {
			int err = errno;
			shm_disarm(e);
			return -err;
		}
	}
	if (want_write)
		mpb_ring_disarm_producer(out_ring(e));
	else
		mpb_ring_disarm_consumer(in_ring(e));
	return e->eof && want_write ? -EPIPE : 0;
}

const struct mpb_transport_ops mpb_transport_shm = {
	.name = "shm",
	.summary = "a shared-memory ring per direction per worker (memfd); spin, then sleep",
	.create = shm_create,
	.attach = shm_attach,
	.destroy = shm_destroy,
	.send = shm_send,
	.recv = shm_recv,
	.arm = shm_arm,
	.disarm = shm_disarm,
	.ready = shm_ready,
	.wait = shm_wait,
	.spins = true,
};
