/* frame.c — frame encoding, parsing and blocking frame I/O (see frame.h). */
#include "frame.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

long mpb_frame_begin(struct mpb_buf *out, uint8_t type)
{
	uint8_t hdr[MPB_FRAME_HEADER] = { 0 };
	hdr[4] = type;
	/* relative to the unsent bytes: reserve() may compact the buffer (move
	 * them to the front) while the frame is being built */
	long start = (long)(out->len - out->off);
	if (mpb_buf_append(out, hdr, sizeof hdr) < 0)
		return -1;
	return start;
}

int mpb_frame_end(struct mpb_buf *out, long start)
{
	size_t at = out->off + (size_t)start;
	size_t payload = out->len - at - MPB_FRAME_HEADER;
	if (payload > MPB_FRAME_MAX_PAYLOAD)
		return -1;
	uint32_t n = (uint32_t)payload;
	memcpy(out->data + at, &n, 4);
	return 0;
}

int mpb_frame_parse(const uint8_t *p, size_t len, struct mpb_frame *f, size_t *used,
		    struct mpb_diag *d)
{
	uint32_t n;
	if (len < MPB_FRAME_HEADER)
		return 0;
	memcpy(&n, p, 4);
	if (p[4] == 0 || p[4] > MPB_FRAME_TYPE_MAX)
		return mpb_fail(d, MPB_ERUN, "corrupt frame: unknown type %u", (unsigned)p[4]);
	if (p[5] || p[6] || p[7])
		return mpb_fail(d, MPB_ERUN, "corrupt frame: nonzero reserved header bytes");
	if (n > MPB_FRAME_MAX_PAYLOAD)
		return mpb_fail(d, MPB_ERUN, "corrupt frame: payload length %u exceeds %u", n,
				MPB_FRAME_MAX_PAYLOAD);
	if (len - MPB_FRAME_HEADER < n)
		return 0;
	f->type = p[4];
	f->len = n;
	f->payload = p + MPB_FRAME_HEADER;
	*used = MPB_FRAME_HEADER + (size_t)n;
	return 1;
}

int mpb_io_write_all(int fd, const void *p, size_t n)
{
	const uint8_t *c = p;
	while (n > 0) {
		ssize_t w = write(fd, c, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Read exactly n bytes; returns n, a short count at EOF, or -errno. */
static ssize_t read_full(int fd, uint8_t *p, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, p + got, n - got);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

int mpb_frame_read(int fd, struct mpb_buf *buf, struct mpb_frame *f, struct mpb_diag *d)
{
	size_t used;
	mpb_buf_reset(buf);
	if (mpb_buf_reserve(buf, MPB_FRAME_HEADER) < 0)
		return mpb_fail(d, MPB_ENOMEM, "out of memory reading a frame");
	ssize_t r = read_full(fd, buf->data, MPB_FRAME_HEADER);
	if (r < 0)
		return mpb_fail_errno(d, MPB_ERUN, (int)-r, "reading frame header");
	if (r == 0)
		return 0;
	if ((size_t)r < MPB_FRAME_HEADER)
		return mpb_fail(d, MPB_ERUN, "end of stream inside a frame header");
	buf->len = MPB_FRAME_HEADER;
	int rc = mpb_frame_parse(buf->data, buf->len, f, &used, d);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		uint32_t n;
		memcpy(&n, buf->data, 4);
		if (mpb_buf_reserve(buf, n) < 0)
			return mpb_fail(d, MPB_ENOMEM, "out of memory for a %u-byte frame", n);
		r = read_full(fd, buf->data + MPB_FRAME_HEADER, n);
		if (r < 0)
			return mpb_fail_errno(d, MPB_ERUN, (int)-r, "reading frame payload");
		if ((size_t)r < n)
			return mpb_fail(d, MPB_ERUN, "end of stream inside a %u-byte frame", n);
		buf->len += n;
		rc = mpb_frame_parse(buf->data, buf->len, f, &used, d);
		if (rc <= 0)
			return rc < 0 ? rc : mpb_fail(d, MPB_ERUN, "frame parse failed");
	}
	return 1;
}
