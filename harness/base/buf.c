/* buf.c — growable byte buffer and bounds-checked reader (see buf.h). */
#include "buf.h"

#include <stdlib.h>
#include <string.h>

int mpb_buf_reserve(struct mpb_buf *b, size_t extra)
{
	if (b->len + extra < b->len)
		return -1;
	if (b->len + extra <= b->cap)
		return 0;
	if (b->off > 0 && b->off >= b->cap / 2) {
		mpb_buf_compact(b);
		if (b->len + extra <= b->cap)
			return 0;
	}
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + extra) {
		if (cap > SIZE_MAX / 2)
			return -1;
		cap *= 2;
	}
	uint8_t *d = realloc(b->data, cap);
	if (!d)
		return -1;
	b->data = d;
	b->cap = cap;
	return 0;
}

int mpb_buf_append(struct mpb_buf *b, const void *p, size_t n)
{
	if (n == 0)
		return 0;
	if (mpb_buf_reserve(b, n) < 0)
		return -1;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

int mpb_buf_put_u8(struct mpb_buf *b, uint8_t v) { return mpb_buf_append(b, &v, 1); }
int mpb_buf_put_u32(struct mpb_buf *b, uint32_t v) { return mpb_buf_append(b, &v, 4); }
int mpb_buf_put_u64(struct mpb_buf *b, uint64_t v) { return mpb_buf_append(b, &v, 8); }

void mpb_buf_consume(struct mpb_buf *b, size_t n)
{
	b->off += n;
	if (b->off >= b->len)
		b->off = b->len = 0;
}

void mpb_buf_compact(struct mpb_buf *b)
{
	if (b->off == 0)
		return;
	memmove(b->data, b->data + b->off, b->len - b->off);
	b->len -= b->off;
	b->off = 0;
}

void mpb_buf_reset(struct mpb_buf *b) { b->len = b->off = 0; }

void mpb_buf_free(struct mpb_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->off = b->cap = 0;
}

int mpb_rd_bytes(struct mpb_reader *r, size_t n, const uint8_t **p)
{
	if (n > r->left)
		return -1;
	*p = r->p;
	r->p += n;
	r->left -= n;
	return 0;
}

int mpb_rd_u8(struct mpb_reader *r, uint8_t *v)
{
	const uint8_t *p;
	if (mpb_rd_bytes(r, 1, &p) < 0)
		return -1;
	*v = *p;
	return 0;
}

int mpb_rd_u32(struct mpb_reader *r, uint32_t *v)
{
	const uint8_t *p;
	if (mpb_rd_bytes(r, 4, &p) < 0)
		return -1;
	memcpy(v, p, 4);
	return 0;
}

int mpb_rd_u64(struct mpb_reader *r, uint64_t *v)
{
	const uint8_t *p;
	if (mpb_rd_bytes(r, 8, &p) < 0)
		return -1;
	memcpy(v, p, 8);
	return 0;
}
