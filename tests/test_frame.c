/* test_frame.c — unit tests for harness/pool/frame.c: building frames, parsing them
 * out of a byte buffer, and the blocking pipe helpers the workers use.
 *
 * The pipe tests run a writer (or drainer) thread against the code under test
 * on a real pipe, so partial reads and writes, EOF and EINTR happen for real.
 * No timing is asserted: the sleeps only make partial transfers likely. Every
 * thread is joined and every descriptor closed before a test returns.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "frame.h"
#include "rng.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static void fill_random(uint64_t seed, uint8_t *p, size_t n)
{
	struct mpb_rng r;
	mpb_rng_seed(&r, seed);
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)mpb_rng_next(&r);
}

static uint8_t *random_bytes(uint64_t seed, size_t n)
{
	uint8_t *p = malloc(n ? n : 1);
	assert_non_null(p);
	fill_random(seed, p, n);
	return p;
}

/* Exactly-sized heap copy, so ASan sees any read past n. */
static uint8_t *dup_exact(const uint8_t *p, size_t n)
{
	uint8_t *c = malloc(n ? n : 1);
	assert_non_null(c);
	if (n)
		memcpy(c, p, n);
	return c;
}

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Append a whole frame with begin/end. */
static void put_frame(struct mpb_buf *b, uint8_t type, const void *payload, size_t n)
{
	long h = mpb_frame_begin(b, type);
	assert_true(h >= 0);
	assert_int_equal(mpb_buf_append(b, payload, n), 0);
	assert_int_equal(mpb_frame_end(b, h), 0);
}

/* The header as frame.h documents it, built independently of frame.c. */
static void header(uint8_t out[MPB_FRAME_HEADER], uint32_t len, uint8_t type)
{
	memcpy(out, &len, 4);
	out[4] = type;
	out[5] = out[6] = out[7] = 0;
}

/* --------------------------------------------------------------- build -- */

static void test_begin_end_header(void **state)
{
	(void)state;
	struct mpb_buf b = { 0 };
	uint8_t *pay = random_bytes(1, 1000);
	uint8_t want[MPB_FRAME_HEADER];

	long h = mpb_frame_begin(&b, MPB_FRAME_TASKS);
	assert_int_equal(h, 0);
	assert_int_equal(b.len, MPB_FRAME_HEADER);
	assert_int_equal(mpb_buf_append(&b, pay, 300), 0);
	assert_int_equal(mpb_frame_end(&b, h), 0);
	assert_int_equal(b.len, MPB_FRAME_HEADER + 300);
	header(want, 300, MPB_FRAME_TASKS);
	assert_memory_equal(b.data, want, MPB_FRAME_HEADER);
	assert_memory_equal(b.data + MPB_FRAME_HEADER, pay, 300);

	/* A second frame in the same buffer starts where the first ended and
	 * leaves the first alone; an empty payload has length 0. */
	size_t first_end = b.len;
	long h2 = mpb_frame_begin(&b, MPB_FRAME_STOP);
	assert_int_equal(h2, (long)first_end);
	assert_int_equal(mpb_frame_end(&b, h2), 0);
	header(want, 0, MPB_FRAME_STOP);
	assert_memory_equal(b.data + first_end, want, MPB_FRAME_HEADER);

	/* A payload past 255 bytes needs all four length bytes. */
	size_t third = b.len;
	put_frame(&b, MPB_FRAME_ERROR, pay, 1000);
	header(want, 1000, MPB_FRAME_ERROR);
	assert_memory_equal(b.data + third, want, MPB_FRAME_HEADER);
	assert_memory_equal(b.data + third + MPB_FRAME_HEADER, pay, 1000);
	header(want, 300, MPB_FRAME_TASKS);
	assert_memory_equal(b.data, want, MPB_FRAME_HEADER);
	assert_int_equal(b.len, third + MPB_FRAME_HEADER + 1000);

	mpb_buf_free(&b);
	free(pay);
}

/* mpb_frame_end only looks at the length, so a buffer that claims to hold
 * just over 1 GiB tests the limit without allocating it. */
static void test_end_limit(void **state)
{
	(void)state;
	uint8_t small[64] = { 0 };
	struct mpb_buf b = { .data = small, .len = 0, .off = 0, .cap = sizeof small };
	long h = mpb_frame_begin(&b, MPB_FRAME_RESULTS);
	assert_int_equal(h, 0);

	b.len = MPB_FRAME_HEADER + (size_t)MPB_FRAME_MAX_PAYLOAD + 1;
	assert_true(mpb_frame_end(&b, h) < 0);

	b.len = MPB_FRAME_HEADER + (size_t)MPB_FRAME_MAX_PAYLOAD;
	assert_int_equal(mpb_frame_end(&b, h), 0);
	uint8_t want[MPB_FRAME_HEADER];
	header(want, MPB_FRAME_MAX_PAYLOAD, MPB_FRAME_RESULTS);
	assert_memory_equal(small, want, MPB_FRAME_HEADER);
}

/* The pool builds frames in an output buffer whose front is still being
 * drained (a partial write left bytes pending): growing it while a frame is
 * open must not move the frame out from under its header offset. */
static void test_build_after_partial_drain(void **state)
{
	(void)state;
	uint8_t *old = random_bytes(2, 4096);
	uint8_t *pay = random_bytes(3, 8192);
	for (size_t drained = 1; drained < 4096; drained += 97) {
		for (size_t plen = 0; plen <= 8192; plen += 1024) {
			struct mpb_buf b = { 0 };
			assert_int_equal(mpb_buf_append(&b, old, 4096), 0);
			mpb_buf_consume(&b, drained);
			size_t pending = 4096 - drained;

			long h = mpb_frame_begin(&b, MPB_FRAME_TASKS);
			assert_true(h >= 0);
			assert_int_equal(mpb_buf_append(&b, pay, plen), 0);
			assert_int_equal(mpb_frame_end(&b, h), 0);

			assert_int_equal(mpb_buf_pending(&b), pending + MPB_FRAME_HEADER + plen);
			assert_memory_equal(mpb_buf_head(&b), old + drained, pending);
			struct mpb_frame f;
			size_t used = 0;
			struct mpb_diag d = { 0 };
			assert_int_equal(mpb_frame_parse(mpb_buf_head(&b) + pending,
							 MPB_FRAME_HEADER + plen, &f, &used, &d), 1);
			assert_int_equal(f.type, MPB_FRAME_TASKS);
			assert_int_equal(f.len, plen);
			assert_int_equal(used, MPB_FRAME_HEADER + plen);
			if (plen)
				assert_memory_equal(f.payload, pay, plen);
			mpb_buf_free(&b);
		}
	}
	free(old);
	free(pay);
}

/* --------------------------------------------------------------- parse -- */

static void test_parse_prefixes(void **state)
{
	(void)state;
	const size_t lens[] = { 0, 1, 7, 8, 9, 255, 256, 3000 };
	for (size_t i = 0; i < N_OF(lens); i++) {
		struct mpb_buf b = { 0 };
		uint8_t *pay = random_bytes(10 + i, lens[i]);
		uint8_t type = (uint8_t)(1 + i % MPB_FRAME_TYPE_MAX);
		put_frame(&b, type, pay, lens[i]);
		size_t total = b.len;
		assert_int_equal(total, MPB_FRAME_HEADER + lens[i]);

		for (size_t k = 0; k < total; k++) {
			uint8_t *in = dup_exact(b.data, k);
			struct mpb_frame f;
			size_t used = 12345;
			struct mpb_diag d = { 0 };
			assert_int_equal(mpb_frame_parse(in, k, &f, &used, &d), 0);
			assert_int_equal(used, 12345);
			free(in);
		}

		uint8_t *in = dup_exact(b.data, total);
		struct mpb_frame f;
		size_t used = 0;
		struct mpb_diag d = { 0 };
		assert_int_equal(mpb_frame_parse(in, total, &f, &used, &d), 1);
		assert_int_equal(f.type, type);
		assert_int_equal(f.len, lens[i]);
		assert_ptr_equal(f.payload, in + MPB_FRAME_HEADER);
		assert_int_equal(used, total);
		if (lens[i])
			assert_memory_equal(f.payload, pay, lens[i]);
		free(in);
		mpb_buf_free(&b);
		free(pay);
	}
}

static void test_parse_back_to_back(void **state)
{
	(void)state;
	struct mpb_buf b = { 0 };
	uint8_t *p1 = random_bytes(20, 100), *p2 = random_bytes(21, 37);
	put_frame(&b, MPB_FRAME_READY, p1, 100);
	put_frame(&b, MPB_FRAME_RESULTS, p2, 37);
	put_frame(&b, MPB_FRAME_BYE, NULL, 0);
	uint8_t *in = dup_exact(b.data, b.len);
	const uint8_t *p = in;
	size_t left = b.len, used = 0;
	struct mpb_frame f;
	struct mpb_diag d = { 0 };

	assert_int_equal(mpb_frame_parse(p, left, &f, &used, &d), 1);
	assert_int_equal(f.type, MPB_FRAME_READY);
	assert_int_equal(f.len, 100);
	assert_int_equal(used, MPB_FRAME_HEADER + 100);
	assert_memory_equal(f.payload, p1, 100);
	p += used;
	left -= used;

	assert_int_equal(mpb_frame_parse(p, left, &f, &used, &d), 1);
	assert_int_equal(f.type, MPB_FRAME_RESULTS);
	assert_int_equal(f.len, 37);
	assert_int_equal(used, MPB_FRAME_HEADER + 37);
	assert_ptr_equal(f.payload, p + MPB_FRAME_HEADER);
	assert_memory_equal(f.payload, p2, 37);
	p += used;
	left -= used;

	assert_int_equal(mpb_frame_parse(p, left, &f, &used, &d), 1);
	assert_int_equal(f.type, MPB_FRAME_BYE);
	assert_int_equal(f.len, 0);
	assert_int_equal(used, MPB_FRAME_HEADER);
	assert_int_equal(left, used);

	/* The first frame followed by part of the second: only the first. */
	assert_int_equal(mpb_frame_parse(in, MPB_FRAME_HEADER + 100 + 5, &f, &used, &d), 1);
	assert_int_equal(used, MPB_FRAME_HEADER + 100);
	assert_int_equal(f.len, 100);

	free(in);
	free(p1);
	free(p2);
	mpb_buf_free(&b);
}

/* A header plus some payload; a bad header is refused as soon as all eight
 * header bytes are in, whatever follows. */
static void expect_bad(const uint8_t hdr[MPB_FRAME_HEADER])
{
	uint8_t raw[MPB_FRAME_HEADER + 16] = { 0 };
	memcpy(raw, hdr, MPB_FRAME_HEADER);
	const size_t lens[] = { MPB_FRAME_HEADER, MPB_FRAME_HEADER + 1, sizeof raw };
	for (size_t i = 0; i < N_OF(lens); i++) {
		uint8_t *in = dup_exact(raw, lens[i]);
		struct mpb_frame f;
		size_t used = 0;
		struct mpb_diag d = { 0 };
		int rc = mpb_frame_parse(in, lens[i], &f, &used, &d);
		assert_true(rc < 0);
		assert_int_equal(rc, -d.code);
		assert_true(d.msg[0] != '\0');
		free(in);
	}
}

static void test_parse_rejects(void **state)
{
	(void)state;
	uint8_t h[MPB_FRAME_HEADER];

	header(h, 0, 0);
	expect_bad(h);
	header(h, 4, MPB_FRAME_TYPE_MAX + 1);
	expect_bad(h);
	header(h, 4, 0xff);
	expect_bad(h);
	for (int i = 5; i < 8; i++) {
		const uint8_t vals[] = { 1, 0x80, 0xff };
		for (size_t k = 0; k < N_OF(vals); k++) {
			header(h, 4, MPB_FRAME_TASKS);
			h[i] = vals[k];
			expect_bad(h);
		}
	}
	header(h, MPB_FRAME_MAX_PAYLOAD + 1, MPB_FRAME_TASKS);
	expect_bad(h);
	header(h, UINT32_MAX, MPB_FRAME_RESULTS);
	expect_bad(h);

	/* The limits themselves are fine: every type in range, and a length of
	 * exactly the maximum simply needs more bytes. */
	for (unsigned t = 1; t <= MPB_FRAME_TYPE_MAX; t++) {
		uint8_t raw[MPB_FRAME_HEADER + 2];
		header(raw, 2, (uint8_t)t);
		raw[8] = 'o';
		raw[9] = 'k';
		struct mpb_frame f;
		size_t used = 0;
		struct mpb_diag d = { 0 };
		assert_int_equal(mpb_frame_parse(raw, sizeof raw, &f, &used, &d), 1);
		assert_int_equal(f.type, t);
	}
	header(h, MPB_FRAME_MAX_PAYLOAD, MPB_FRAME_TASKS);
	struct mpb_frame f;
	size_t used = 0;
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_frame_parse(h, sizeof h, &f, &used, &d), 0);
}

/* ---------------------------------------------------------------- pipe -- */

struct pipe_fds {
	int rd, wr;
};

static struct pipe_fds open_pipe(void)
{
	int fds[2];
	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	struct pipe_fds p = { fds[0], fds[1] };
	return p;
}

static void close_fd(int *fd)
{
	if (*fd >= 0) {
		assert_int_equal(close(*fd), 0);
		*fd = -1;
	}
}

/* Writes p[0..n) in pieces of `step` bytes with a pause after each, then
 * closes its end (the reader then sees EOF). */
struct trickle {
	int fd;
	const uint8_t *p;
	size_t n, step;
	long pause_us;
	int rc;
};

static void *trickle_main(void *arg)
{
	struct trickle *t = arg;
	t->rc = 0;
	for (size_t off = 0; off < t->n && t->rc == 0; off += t->step) {
		size_t k = t->n - off < t->step ? t->n - off : t->step;
		t->rc = mpb_io_write_all(t->fd, t->p + off, k);
		if (t->pause_us)
			sleep_us(t->pause_us);
	}
	if (close(t->fd) < 0 && t->rc == 0)
		t->rc = -errno;
	return NULL;
}

/* Two frames and then EOF, written a byte at a time with pauses: the
 * blocking reader reassembles each frame and stops exactly at its end. */
static void test_read_trickled(void **state)
{
	(void)state;
	uint8_t *p1 = random_bytes(30, 300), *p2 = random_bytes(31, 40);
	struct mpb_buf out = { 0 };
	put_frame(&out, MPB_FRAME_TASKS, p1, 300);
	put_frame(&out, MPB_FRAME_STOP, NULL, 0);
	put_frame(&out, MPB_FRAME_RESULTS, p2, 40);

	const size_t steps[] = { 1, 3, 7 };
	for (size_t s = 0; s < N_OF(steps); s++) {
		struct pipe_fds fd = open_pipe();
		struct trickle t = { .fd = fd.wr, .p = out.data, .n = out.len, .step = steps[s],
				     .pause_us = 150 };
		pthread_t th;
		assert_int_equal(pthread_create(&th, NULL, trickle_main, &t), 0);

		struct mpb_buf in = { 0 };
		struct mpb_frame f;
		struct mpb_diag d = { 0 };
		int rc = mpb_frame_read(fd.rd, &in, &f, &d);
		if (rc != 1)
			fail_msg("frame 1: rc %d: %s", rc, d.msg);
		assert_int_equal(f.type, MPB_FRAME_TASKS);
		assert_int_equal(f.len, 300);
		assert_memory_equal(f.payload, p1, 300);

		assert_int_equal(mpb_frame_read(fd.rd, &in, &f, &d), 1);
		assert_int_equal(f.type, MPB_FRAME_STOP);
		assert_int_equal(f.len, 0);

		assert_int_equal(mpb_frame_read(fd.rd, &in, &f, &d), 1);
		assert_int_equal(f.type, MPB_FRAME_RESULTS);
		assert_int_equal(f.len, 40);
		assert_memory_equal(f.payload, p2, 40);

		/* The writer closed after the last frame: a clean end of stream. */
		assert_int_equal(mpb_frame_read(fd.rd, &in, &f, &d), 0);

		assert_int_equal(pthread_join(th, NULL), 0);
		assert_int_equal(t.rc, 0);
		close_fd(&fd.rd);
		mpb_buf_free(&in);
	}
	mpb_buf_free(&out);
	free(p1);
	free(p2);
}

static void test_read_eof(void **state)
{
	(void)state;
	struct mpb_buf in = { 0 };
	struct mpb_frame f;
	struct mpb_diag d = { 0 };

	/* EOF before any byte: the peer finished cleanly. */
	struct pipe_fds fd = open_pipe();
	close_fd(&fd.wr);
	assert_int_equal(mpb_frame_read(fd.rd, &in, &f, &d), 0);
	close_fd(&fd.rd);

	uint8_t *pay = random_bytes(40, 100);
	struct mpb_buf frame = { 0 };
	put_frame(&frame, MPB_FRAME_RESULTS, pay, 100);

	/* EOF inside the header, after every possible number of bytes. */
	for (size_t k = 1; k < MPB_FRAME_HEADER; k++) {
		fd = open_pipe();
		assert_int_equal(mpb_io_write_all(fd.wr, frame.data, k), 0);
		close_fd(&fd.wr);
		mpb_diag_clear(&d);
		int rc = mpb_frame_read(fd.rd, &in, &f, &d);
		assert_true(rc < 0);
		assert_int_equal(rc, -d.code);
		assert_true(d.msg[0] != '\0');
		close_fd(&fd.rd);
	}

	/* EOF inside the payload, including right after the header. */
	const size_t cut[] = { 0, 1, 50, 99 };
	for (size_t i = 0; i < N_OF(cut); i++) {
		fd = open_pipe();
		assert_int_equal(mpb_io_write_all(fd.wr, frame.data, MPB_FRAME_HEADER + cut[i]), 0);
		close_fd(&fd.wr);
		mpb_diag_clear(&d);
		int rc = mpb_frame_read(fd.rd, &in, &f, &d);
		assert_true(rc < 0);
		assert_int_equal(rc, -d.code);
		assert_true(d.msg[0] != '\0');
		close_fd(&fd.rd);
	}

	/* A complete frame and then EOF mid-way through the next one. */
	fd = open_pipe();
	assert_int_equal(mpb_io_write_all(fd.wr, frame.data, frame.len), 0);
	assert_int_equal(mpb_io_write_all(fd.wr, frame.data, 20), 0);
	close_fd(&fd.wr);
	assert_int_equal(mpb_frame_read(fd.rd, &in, &f, &d), 1);
	assert_int_equal(f.len, 100);
	assert_memory_equal(f.payload, pay, 100);
	mpb_diag_clear(&d);
	assert_true(mpb_frame_read(fd.rd, &in, &f, &d) < 0);
	assert_true(d.msg[0] != '\0');
	close_fd(&fd.rd);

	mpb_buf_free(&frame);
	mpb_buf_free(&in);
	free(pay);
}

/* A corrupt header read off a pipe is refused like a parsed one, and a huge
 * declared length is refused before any payload buffer is allocated. */
static void test_read_bad_header(void **state)
{
	(void)state;
	uint8_t h[MPB_FRAME_HEADER];
	struct mpb_buf in = { 0 };
	struct mpb_frame f;
	struct mpb_diag d;
	for (int c = 0; c < 4; c++) {
		switch (c) {
		case 0: header(h, 4, 0); break;
		case 1: header(h, 4, MPB_FRAME_TYPE_MAX + 1); break;
		case 2: header(h, 4, MPB_FRAME_TASKS); h[6] = 1; break;
		default: header(h, UINT32_MAX, MPB_FRAME_TASKS); break;
		}
		struct pipe_fds fd = open_pipe();
		assert_int_equal(mpb_io_write_all(fd.wr, h, sizeof h), 0);
		assert_int_equal(mpb_io_write_all(fd.wr, "abcd", 4), 0);
		close_fd(&fd.wr);
		mpb_diag_clear(&d);
		int rc = mpb_frame_read(fd.rd, &in, &f, &d);
		assert_true(rc < 0);
		assert_int_equal(rc, -d.code);
		assert_int_not_equal(d.code, MPB_ENOMEM);
		assert_true(d.msg[0] != '\0');
		close_fd(&fd.rd);
	}
	mpb_buf_free(&in);
}

/* Reads everything from fd until EOF, in pieces of random size with the odd
 * pause, so that the writer keeps finding the pipe full. */
struct drain {
	int fd;
	uint8_t *got;
	size_t cap, len;
	int rc;
};

static void *drain_main(void *arg)
{
	struct drain *t = arg;
	struct mpb_rng r;
	mpb_rng_seed(&r, 50);
	t->rc = 0;
	for (;;) {
		size_t want = 1 + (size_t)mpb_rng_below(&r, 20000);
		if (want > t->cap - t->len)
			want = t->cap - t->len;
		if (want == 0)
			want = 1; /* still read: more than expected is an error below */
		uint8_t spill;
		uint8_t *dst = t->len < t->cap ? t->got + t->len : &spill;
		ssize_t n = read(t->fd, dst, want);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			t->rc = -errno;
			return NULL;
		}
		if (n == 0)
			return NULL;
		if (t->len >= t->cap) {
			t->rc = -EOVERFLOW;
			return NULL;
		}
		t->len += (size_t)n;
		if (mpb_rng_below(&r, 8) == 0)
			sleep_us(500);
	}
}

static void test_write_all_large(void **state)
{
	(void)state;
	const size_t n = (size_t)1 << 20;
	uint8_t *src = random_bytes(60, n);
	struct pipe_fds fd = open_pipe();
	/* A small pipe makes partial writes certain; the default is 64 KiB,
	 * still far below 1 MiB, when the kernel refuses. */
	(void)fcntl(fd.wr, F_SETPIPE_SZ, 4096);

	struct drain t = { .fd = fd.rd, .got = malloc(n), .cap = n };
	assert_non_null(t.got);
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, drain_main, &t), 0);
	assert_int_equal(mpb_io_write_all(fd.wr, src, n), 0);
	close_fd(&fd.wr);
	assert_int_equal(pthread_join(th, NULL), 0);
	close_fd(&fd.rd);

	assert_int_equal(t.rc, 0);
	assert_int_equal(t.len, n);
	assert_memory_equal(t.got, src, n);
	free(t.got);
	free(src);
}

static void test_write_all_closed_reader(void **state)
{
	(void)state;
	/* SIGPIPE is ignored (see main): the error comes back as -EPIPE. */
	struct pipe_fds fd = open_pipe();
	close_fd(&fd.rd);
	uint8_t b[16] = { 0 };
	assert_int_equal(mpb_io_write_all(fd.wr, b, sizeof b), -EPIPE);
	assert_int_equal(mpb_io_write_all(-1, b, sizeof b), -EBADF);
	/* Nothing to write is not an error, whatever the descriptor. */
	assert_int_equal(mpb_io_write_all(-1, b, 0), 0);
	close_fd(&fd.wr);
}

/* A multi-megabyte frame through a pipe, then a small one read into the same
 * buffer (which mpb_frame_read resets), then EOF. */
static void test_big_frame_roundtrip(void **state)
{
	(void)state;
	const size_t big = ((size_t)6 << 20) + 13;
	uint8_t *pay = random_bytes(70, big);
	struct mpb_buf out = { 0 };
	put_frame(&out, MPB_FRAME_RESULTS, pay, big);
	put_frame(&out, MPB_FRAME_READY, "tail", 4);

	struct pipe_fds fd = open_pipe();
	struct trickle t = { .fd = fd.wr, .p = out.data, .n = out.len, .step = out.len };
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, trickle_main, &t), 0);

	struct mpb_buf in = { 0 };
	struct mpb_frame f;
	struct mpb_diag d = { 0 };
	int rc = mpb_frame_read(fd.rd, &in, &f, &d);
	if (rc != 1)
		fail_msg("big frame: rc %d: %s", rc, d.msg);
	assert_int_equal(f.type, MPB_FRAME_RESULTS);
	assert_int_equal(f.len, big);
	assert_true(f.payload >= in.data && f.payload + f.len <= in.data + in.len);
	assert_memory_equal(f.payload, pay, big);

	assert_int_equal(mpb_frame_read(fd.rd, &in, &f, &d), 1);
	assert_int_equal(f.type, MPB_FRAME_READY);
	assert_int_equal(f.len, 4);
	assert_memory_equal(f.payload, "tail", 4);
	assert_int_equal(in.len, MPB_FRAME_HEADER + 4);

	assert_int_equal(mpb_frame_read(fd.rd, &in, &f, &d), 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(t.rc, 0);
	close_fd(&fd.rd);
	mpb_buf_free(&in);
	mpb_buf_free(&out);
	free(pay);
}

/* Signals without SA_RESTART make blocked reads and writes fail with EINTR
 * (or return short); both helpers must carry on. */
static void on_usr1(int sig)
{
	(void)sig;
}

struct blocked_reader {
	int fd;
	struct mpb_buf in;
	struct mpb_frame f;
	struct mpb_diag d;
	int rc;
};

static void *blocked_reader_main(void *arg)
{
	struct blocked_reader *t = arg;
	t->rc = mpb_frame_read(t->fd, &t->in, &t->f, &t->d);
	return NULL;
}

static void test_eintr(void **state)
{
	(void)state;
	struct sigaction sa, old;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;
	assert_int_equal(sigaction(SIGUSR1, &sa, &old), 0);

	/* A reader blocked in the header, then in the payload. */
	uint8_t *pay = random_bytes(80, 5000);
	struct mpb_buf out = { 0 };
	put_frame(&out, MPB_FRAME_TASKS, pay, 5000);
	struct pipe_fds fd = open_pipe();
	struct blocked_reader br = { .fd = fd.rd };
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, blocked_reader_main, &br), 0);
	for (int i = 0; i < 5; i++) {
		sleep_us(2000);
		assert_int_equal(pthread_kill(th, SIGUSR1), 0);
	}
	assert_int_equal(mpb_io_write_all(fd.wr, out.data, 3), 0);
	for (int i = 0; i < 5; i++) {
		sleep_us(2000);
		assert_int_equal(pthread_kill(th, SIGUSR1), 0);
	}
	assert_int_equal(mpb_io_write_all(fd.wr, out.data + 3, MPB_FRAME_HEADER + 100 - 3), 0);
	for (int i = 0; i < 5; i++) {
		sleep_us(2000);
		assert_int_equal(pthread_kill(th, SIGUSR1), 0);
	}
	assert_int_equal(mpb_io_write_all(fd.wr, out.data + MPB_FRAME_HEADER + 100,
					  out.len - MPB_FRAME_HEADER - 100), 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	if (br.rc != 1)
		fail_msg("interrupted read: rc %d: %s", br.rc, br.d.msg);
	assert_int_equal(br.f.type, MPB_FRAME_TASKS);
	assert_int_equal(br.f.len, 5000);
	assert_memory_equal(br.f.payload, pay, 5000);
	mpb_buf_free(&br.in);
	close_fd(&fd.wr);
	close_fd(&fd.rd);

	/* A writer blocked on a full pipe. */
	const size_t n = (size_t)1 << 20;
	uint8_t *src = random_bytes(81, n);
	fd = open_pipe();
	struct trickle tw = { .fd = fd.wr, .p = src, .n = n, .step = n };
	assert_int_equal(pthread_create(&th, NULL, trickle_main, &tw), 0);
	for (int i = 0; i < 10; i++) {
		sleep_us(2000);
		assert_int_equal(pthread_kill(th, SIGUSR1), 0);
	}
	struct drain dr = { .fd = fd.rd, .got = malloc(n), .cap = n };
	assert_non_null(dr.got);
	drain_main(&dr);
	assert_int_equal(pthread_join(th, NULL), 0);
	close_fd(&fd.rd);
	assert_int_equal(tw.rc, 0);
	assert_int_equal(dr.rc, 0);
	assert_int_equal(dr.len, n);
	assert_memory_equal(dr.got, src, n);
	free(dr.got);
	free(src);

	assert_int_equal(sigaction(SIGUSR1, &old, NULL), 0);
	mpb_buf_free(&out);
	free(pay);
}

int main(void)
{
	/* A write to a pipe nobody reads must come back as EPIPE, not kill us. */
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_begin_end_header),
		cmocka_unit_test(test_end_limit),
		cmocka_unit_test(test_build_after_partial_drain),
		cmocka_unit_test(test_parse_prefixes),
		cmocka_unit_test(test_parse_back_to_back),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_read_trickled),
		cmocka_unit_test(test_read_eof),
		cmocka_unit_test(test_read_bad_header),
		cmocka_unit_test(test_write_all_large),
		cmocka_unit_test(test_write_all_closed_reader),
		cmocka_unit_test(test_big_frame_roundtrip),
		cmocka_unit_test(test_eintr),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
