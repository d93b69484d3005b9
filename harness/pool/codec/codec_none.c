/* codec_none.c — the `none` codec of in-process (thread) workers: no
 * serialization at all. A value crosses as its handle, the struct mpb_value
 * itself (type plus the scalar, or the pointer and length of its bytes or
 * items), so the receiver works on the sender's storage in place and not one
 * byte of a payload is copied, however large. Scalars travel by value: they
 * are no bigger than the pointer that would name them.
 *
 * Handles are addresses in the encoder's address space, so this codec is only
 * meaningful between threads of one process; the plan accepts it only with
 * MPB_METHOD_INPROC methods.
 *
 * Ownership (MPB_CODEC_BY_REF, honoured by worker.c): a decoded argument
 * borrows the caller's value, which outlives the map, so the worker forgets it
 * instead of clearing it; an encoded result hands its storage to whoever
 * decodes it, so the worker forgets a result once it is encoded and the
 * pool's decode into the results array takes ownership. Encode never
 * allocates, so a frame that is dropped costs nothing on the argument side.
 * A RESULTS frame that is never decoded (the pool gave up after a failure)
 * leaks the storage of the byte strings and lists it refers to.
 */
#include "codec.h"

#include <string.h>

/* One handle on the wire: exactly the meaningful fields, the rest zero, so
 * no uninitialized padding is ever written to a pipe. */
static int none_encode(const struct mpb_value *v, struct mpb_buf *out, struct mpb_diag *d)
{
	struct mpb_value h;
	memset(&h, 0, sizeof h);
	h.type = v->type;
	switch (v->type) {
	case MPB_VAL_NONE:
		break;
	case MPB_VAL_INT:
		h.as.u = v->as.u;
		break;
	case MPB_VAL_FLOAT:
		h.as.f = v->as.f;
		break;
	case MPB_VAL_BYTES:
		h.as.bytes = v->as.bytes;
		break;
	case MPB_VAL_LIST:
		h.as.list = v->as.list;
		break;
	default:
		return mpb_fail(d, MPB_ERUN, "none codec: unknown value type %d", (int)v->type);
	}
	if (mpb_buf_append(out, &h, sizeof h) < 0)
		return mpb_fail(d, MPB_ENOMEM, "none codec: out of memory");
	return 0;
}

static int none_decode(struct mpb_reader *r, struct mpb_value *v, struct mpb_diag *d)
{
	const uint8_t *p;
	memset(v, 0, sizeof *v);
	if (mpb_rd_bytes(r, sizeof *v, &p) < 0)
		return mpb_fail(d, MPB_ERUN, "none codec: truncated value");
	struct mpb_value h;
	memcpy(&h, p, sizeof h);
	switch (h.type) {
	case MPB_VAL_NONE:
	case MPB_VAL_INT:
	case MPB_VAL_FLOAT:
	case MPB_VAL_BYTES:
	case MPB_VAL_LIST:
		*v = h;
		return 0;
	}
	return mpb_fail(d, MPB_ERUN, "none codec: unknown value type %d", (int)h.type);
}

const struct mpb_codec_ops mpb_codec_none = {
	.name = "none",
	.summary = "no serialization: values pass by reference between threads (-m thread only)",
	.flags = MPB_CODEC_BY_REF,
	.encode = none_encode,
	.decode = none_decode,
};
