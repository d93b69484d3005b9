/* value.h — the small value model task arguments and results are made of:
 * integers, floats, byte strings and lists. Workloads build and read values;
 * codecs turn them into bytes, so a workload is written once for every codec. */
#ifndef MPB_VALUE_H
#define MPB_VALUE_H

#include <stddef.h>
#include <stdint.h>

enum mpb_vtype {
	MPB_VAL_NONE = 0,
	MPB_VAL_INT = 1,    /* 64-bit, stored unsigned (wraps like the workloads' arithmetic) */
	MPB_VAL_FLOAT = 2,
	MPB_VAL_BYTES = 3,  /* owned heap buffer */
	MPB_VAL_LIST = 4,   /* owned array of values */
};

struct mpb_value {
	enum mpb_vtype type;
	union {
		uint64_t u;
		double f;
		struct { uint8_t *data; size_t len; } bytes;
		struct { struct mpb_value *items; size_t len; } list;
	} as;
};

/* Nesting deeper than this is rejected by decoders (bounds recursion). */
#define MPB_VALUE_MAX_DEPTH 32

static inline struct mpb_value mpb_value_int(uint64_t u)
{
	struct mpb_value v = { .type = MPB_VAL_INT, .as.u = u };
	return v;
}

static inline struct mpb_value mpb_value_float(double f)
{
	struct mpb_value v = { .type = MPB_VAL_FLOAT, .as.f = f };
	return v;
}

/* Make v a byte string of n bytes (copied from p when p is non-NULL, zeroed
 * otherwise). Returns 0 or -1 (ENOMEM). */
int mpb_value_set_bytes(struct mpb_value *v, const void *p, size_t n);
/* Make v a list of n NONE items. Returns 0 or -1 (ENOMEM). */
int mpb_value_set_list(struct mpb_value *v, size_t n);
/* Release what v owns and make it NONE. NULL-safe. */
void mpb_value_clear(struct mpb_value *v);
/* Clear n values of an array. */
void mpb_value_clear_array(struct mpb_value *v, size_t n);
/* Deep equality (floats compared bitwise). */
int mpb_value_equal(const struct mpb_value *a, const struct mpb_value *b);
/* Deep copy; returns 0 or -1. */
int mpb_value_copy(struct mpb_value *dst, const struct mpb_value *src);

#endif
