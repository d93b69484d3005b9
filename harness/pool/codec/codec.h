/* codec.h — how task arguments and results become bytes. One ops struct per
 * codec (codec_raw.c, ...), listed in the registry table in codec.c so that
 * `mpbench list` and option validation walk the same table. */
#ifndef MPB_CODEC_H
#define MPB_CODEC_H

#include <stddef.h>

#include "buf.h"
#include "diag.h"
#include "value.h"

/* Codec flags. */
enum {
	/* values pass by reference, not as copies (only within one process):
	 * a decoded argument borrows the caller's storage and an encoded result
	 * hands its storage to the decoder, so the worker forgets both instead
	 * of clearing them (see codec_none.c) */
	MPB_CODEC_BY_REF = 1u << 0,
	/* a codec a measured program uses itself (pickle, codec_pickle.c): it
	 * names what --instrument python recorded; mpbench's pool cannot use it */
	MPB_CODEC_EXTERNAL = 1u << 1,
};

struct mpb_codec_ops {
	const char *name;
	const char *summary;
	unsigned flags;
	/* Append the encoding of v to out. Returns 0 or negative with d set. */
	int (*encode)(const struct mpb_value *v, struct mpb_buf *out, struct mpb_diag *d);
	/* Decode one value from r (advancing it) into v, which the caller clears.
	 * Malformed or truncated input is an error, never a read past r's end. */
	int (*decode)(struct mpb_reader *r, struct mpb_value *v, struct mpb_diag *d);
};

extern const struct mpb_codec_ops mpb_codec_raw;
extern const struct mpb_codec_ops mpb_codec_json;
extern const struct mpb_codec_ops mpb_codec_none;
extern const struct mpb_codec_ops mpb_codec_pickle;

/* Registry: all codecs, in listing order. */
const struct mpb_codec_ops *const *mpb_codec_all(size_t *n);
/* The codec of a point when --codec is not given (the table's first). */
const struct mpb_codec_ops *mpb_codec_default(void);
/* Look up by name; NULL when unknown. */
const struct mpb_codec_ops *mpb_codec_find(const char *name);

#endif
