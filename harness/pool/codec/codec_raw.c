/* codec_raw.c — the flat binary codec: one type byte, then an 8-byte integer
 * or float, or an 8-byte length followed by bytes or items. The cheapest honest
 * encoding: every byte of every value is copied, nothing is described. */
#include "codec.h"

#include <string.h>

static int raw_encode_depth(const struct mpb_value *v, struct mpb_buf *out, int depth,
			    struct mpb_diag *d)
{
	if (depth > MPB_VALUE_MAX_DEPTH)
		return mpb_fail(d, MPB_ERUN, "raw codec: value nested deeper than %d", MPB_VALUE_MAX_DEPTH);
	if (mpb_buf_put_u8(out, (uint8_t)v->type) < 0)
		goto nomem;
	switch (v->type) {
	case MPB_VAL_NONE:
		return 0;
	case MPB_VAL_INT:
		if (mpb_buf_put_u64(out, v->as.u) < 0)
			goto nomem;
		return 0;
	case MPB_VAL_FLOAT:
		if (mpb_buf_append(out, &v->as.f, 8) < 0)
			goto nomem;
		return 0;
	case MPB_VAL_BYTES:
		if (mpb_buf_put_u64(out, v->as.bytes.len) < 0 ||
		    mpb_buf_append(out, v->as.bytes.data, v->as.bytes.len) < 0)
			goto nomem;
		return 0;
	case MPB_VAL_LIST:
		if (mpb_buf_put_u64(out, v->as.list.len) < 0)
			goto nomem;
		for (size_t i = 0; i < v->as.list.len; i++) {
			int r = raw_encode_depth(&v->as.list.items[i], out, depth + 1, d);
			if (r < 0)
				return r;
		}
		return 0;
	}
	return mpb_fail(d, MPB_ERUN, "raw codec: unknown value type %d", (int)v->type);
nomem:
	return mpb_fail(d, MPB_ENOMEM, "raw codec: out of memory");
}

static int raw_encode(const struct mpb_value *v, struct mpb_buf *out, struct mpb_diag *d)
{
	return raw_encode_depth(v, out, 0, d);
}

static int truncated(struct mpb_diag *d)
{
	return mpb_fail(d, MPB_ERUN, "raw codec: truncated value");
}

static int raw_decode_depth(struct mpb_reader *r, struct mpb_value *v, int depth, struct mpb_diag *d)
{
	uint8_t t;
	uint64_t n;
	const uint8_t *p;

	memset(v, 0, sizeof *v);
	if (depth > MPB_VALUE_MAX_DEPTH)
		return mpb_fail(d, MPB_ERUN, "raw codec: value nested deeper than %d", MPB_VALUE_MAX_DEPTH);
	if (mpb_rd_u8(r, &t) < 0)
		return truncated(d);
	switch (t) {
	case MPB_VAL_NONE:
		return 0;
	case MPB_VAL_INT:
		if (mpb_rd_u64(r, &v->as.u) < 0)
			return truncated(d);
		v->type = MPB_VAL_INT;
		return 0;
	case MPB_VAL_FLOAT:
		if (mpb_rd_bytes(r, 8, &p) < 0)
			return truncated(d);
		memcpy(&v->as.f, p, 8);
		v->type = MPB_VAL_FLOAT;
		return 0;
	case MPB_VAL_BYTES:
		if (mpb_rd_u64(r, &n) < 0 || n > r->left || mpb_rd_bytes(r, (size_t)n, &p) < 0)
			return truncated(d);
		if (mpb_value_set_bytes(v, p, (size_t)n) < 0)
			return mpb_fail(d, MPB_ENOMEM, "raw codec: out of memory");
		return 0;
	case MPB_VAL_LIST:
		/* every item takes at least its type byte: bounds the allocation */
		if (mpb_rd_u64(r, &n) < 0 || n > r->left)
			return truncated(d);
		if (mpb_value_set_list(v, (size_t)n) < 0)
			return mpb_fail(d, MPB_ENOMEM, "raw codec: out of memory");
		for (size_t i = 0; i < n; i++) {
			int rc = raw_decode_depth(r, &v->as.list.items[i], depth + 1, d);
			if (rc < 0) {
				mpb_value_clear(v);
				return rc;
			}
		}
		return 0;
	default:
		return mpb_fail(d, MPB_ERUN, "raw codec: unknown type byte %u", (unsigned)t);
	}
}

static int raw_decode(struct mpb_reader *r, struct mpb_value *v, struct mpb_diag *d)
{
	return raw_decode_depth(r, v, 0, d);
}

const struct mpb_codec_ops mpb_codec_raw = {
	.name = "raw",
	.summary = "flat binary: type byte + 8-byte scalar or length-prefixed bytes/items",
	.encode = raw_encode,
	.decode = raw_decode,
};
