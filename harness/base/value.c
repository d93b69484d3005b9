/* value.c — construction, copy, equality and release of values (see value.h). */
#include "value.h"

#include <stdlib.h>
#include <string.h>

int mpb_value_set_bytes(struct mpb_value *v, const void *p, size_t n)
{
	uint8_t *d = malloc(n ? n : 1);
	if (!d)
		return -1;
	if (p)
		memcpy(d, p, n);
	else
		memset(d, 0, n);
	v->type = MPB_VAL_BYTES;
	v->as.bytes.data = d;
	v->as.bytes.len = n;
	return 0;
}

int mpb_value_set_list(struct mpb_value *v, size_t n)
{
	struct mpb_value *items = calloc(n ? n : 1, sizeof *items);
	if (!items)
		return -1;
	v->type = MPB_VAL_LIST;
	v->as.list.items = items;
	v->as.list.len = n;
	return 0;
}

void mpb_value_clear(struct mpb_value *v)
{
	if (!v)
		return;
	if (v->type == MPB_VAL_BYTES) {
		free(v->as.bytes.data);
	} else if (v->type == MPB_VAL_LIST) {
		mpb_value_clear_array(v->as.list.items, v->as.list.len);
		free(v->as.list.items);
	}
	memset(v, 0, sizeof *v);
}

void mpb_value_clear_array(struct mpb_value *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		mpb_value_clear(&v[i]);
}

int mpb_value_equal(const struct mpb_value *a, const struct mpb_value *b)
{
	if (a->type != b->type)
		return 0;
	switch (a->type) {
	case MPB_VAL_NONE: return 1;
	case MPB_VAL_INT: return a->as.u == b->as.u;
	case MPB_VAL_FLOAT: return memcmp(&a->as.f, &b->as.f, sizeof(double)) == 0;
	case MPB_VAL_BYTES:
		return a->as.bytes.len == b->as.bytes.len &&
		       (a->as.bytes.len == 0 ||
			memcmp(a->as.bytes.data, b->as.bytes.data, a->as.bytes.len) == 0);
	case MPB_VAL_LIST:
		if (a->as.list.len != b->as.list.len)
			return 0;
		for (size_t i = 0; i < a->as.list.len; i++)
			if (!mpb_value_equal(&a->as.list.items[i], &b->as.list.items[i]))
				return 0;
		return 1;
	}
	return 0;
}

int mpb_value_copy(struct mpb_value *dst, const struct mpb_value *src)
{
	switch (src->type) {
	case MPB_VAL_BYTES:
		return mpb_value_set_bytes(dst, src->as.bytes.data, src->as.bytes.len);
	case MPB_VAL_LIST:
		if (mpb_value_set_list(dst, src->as.list.len) < 0)
			return -1;
		for (size_t i = 0; i < src->as.list.len; i++) {
			if (mpb_value_copy(&dst->as.list.items[i], &src->as.list.items[i]) < 0) {
				mpb_value_clear(dst);
				return -1;
			}
		}
		return 0;
	default:
		*dst = *src;
		return 0;
	}
}
