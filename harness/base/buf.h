/* buf.h — a growable byte buffer: the frame and codec layers append to it and
 * the pool's non-blocking I/O drains it. Host byte order throughout: frames
 * never leave the machine that wrote them. */
#ifndef MPB_BUF_H
#define MPB_BUF_H

#include <stddef.h>
#include <stdint.h>

struct mpb_buf {
	uint8_t *data;
	size_t len;   /* bytes held */
	size_t off;   /* bytes already consumed from the front (for draining) */
	size_t cap;
};

/* Ensure room for `extra` more bytes; returns 0 or -1 (ENOMEM). */
int mpb_buf_reserve(struct mpb_buf *b, size_t extra);
int mpb_buf_append(struct mpb_buf *b, const void *p, size_t n);
int mpb_buf_put_u8(struct mpb_buf *b, uint8_t v);
int mpb_buf_put_u32(struct mpb_buf *b, uint32_t v);
int mpb_buf_put_u64(struct mpb_buf *b, uint64_t v);
/* Bytes not yet consumed. */
static inline size_t mpb_buf_pending(const struct mpb_buf *b) { return b->len - b->off; }
static inline uint8_t *mpb_buf_head(const struct mpb_buf *b) { return b->data + b->off; }
/* Mark n bytes consumed; compacts when everything is consumed. */
void mpb_buf_consume(struct mpb_buf *b, size_t n);
/* Move unconsumed bytes to the front (cheap when little is left). */
void mpb_buf_compact(struct mpb_buf *b);
void mpb_buf_reset(struct mpb_buf *b);
/* Release memory; the buffer is then empty and reusable. */
void mpb_buf_free(struct mpb_buf *b);

/* Bounds-checked reader over a byte range (decoders never read past end). */
struct mpb_reader {
	const uint8_t *p;
	size_t left;
};
int mpb_rd_u8(struct mpb_reader *r, uint8_t *v);
int mpb_rd_u32(struct mpb_reader *r, uint32_t *v);
int mpb_rd_u64(struct mpb_reader *r, uint64_t *v);
/* Point *p at the next n bytes (no copy). */
int mpb_rd_bytes(struct mpb_reader *r, size_t n, const uint8_t **p);

#endif
