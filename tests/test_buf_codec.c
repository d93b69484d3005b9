/* test_buf_codec.c — unit tests for harness/base/buf.c (growable buffer and
 * bounds-checked reader), harness/base/value.c (the value model) and harness/pool/codec/codec.c
 * with harness/pool/codec/codec_raw.c (codec registry, raw encode/decode).
 *
 * Decoders are always handed an exactly-sized heap copy of their input, so
 * that under the sanitizer build (-Db_sanitize=address) a read one byte past
 * the end is reported instead of landing in a larger buffer. Random values
 * come from harness/base/rng.h with fixed seeds, so a failure reproduces.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "codec.h"
#include "diag.h"
#include "rng.h"
#include "value.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static void fill_random(struct mpb_rng *r, uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)mpb_rng_next(r);
}

/* Exactly-sized heap copy (never NULL, even for n == 0). */
static uint8_t *dup_exact(const uint8_t *p, size_t n)
{
	uint8_t *c = malloc(n ? n : 1);
	assert_non_null(c);
	if (n)
		memcpy(c, p, n);
	return c;
}

/* ------------------------------------------------------------------ buf -- */

static void test_buf_growth(void **state)
{
	(void)state;
	struct mpb_buf b = { 0 };
	struct mpb_rng r;
	mpb_rng_seed(&r, 11);
	enum { TOTAL = 200000 };
	uint8_t *ref = malloc(TOTAL);
	assert_non_null(ref);
	fill_random(&r, ref, TOTAL);

	/* Appends of assorted sizes, including empty ones, crossing many doublings. */
	size_t len = 0;
	while (len < TOTAL) {
		size_t n = (size_t)mpb_rng_below(&r, 3000);
		if (n > TOTAL - len)
			n = TOTAL - len;
		assert_int_equal(mpb_buf_append(&b, ref + len, n), 0);
		len += n;
		assert_int_equal(b.len, len);
		assert_int_equal(b.off, 0);
		assert_true(b.cap >= b.len);
		assert_int_equal(mpb_buf_pending(&b), len);
	}
	assert_memory_equal(b.data, ref, TOTAL);
	assert_ptr_equal(mpb_buf_head(&b), b.data);

	/* An empty append needs no source. */
	assert_int_equal(mpb_buf_append(&b, NULL, 0), 0);
	assert_int_equal(b.len, TOTAL);

	/* reserve(extra) leaves room for extra more bytes and keeps the content. */
	assert_int_equal(mpb_buf_reserve(&b, 1u << 20), 0);
	assert_true(b.cap - b.len >= (1u << 20));
	assert_int_equal(b.len, TOTAL);
	assert_memory_equal(b.data, ref, TOTAL);

	/* A request whose total wraps size_t, or that no doubling can reach, fails
	 * and leaves the buffer untouched. */
	uint8_t *data = b.data;
	size_t cap = b.cap;
	assert_true(mpb_buf_reserve(&b, SIZE_MAX) < 0);
	assert_true(mpb_buf_reserve(&b, SIZE_MAX - b.len) < 0);
	assert_true(mpb_buf_reserve(&b, SIZE_MAX / 2 + 2) < 0);
	assert_ptr_equal(b.data, data);
	assert_int_equal(b.cap, cap);
	assert_int_equal(b.len, TOTAL);
	assert_memory_equal(b.data, ref, TOTAL);

	mpb_buf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.off, 0);
	assert_int_equal(b.cap, 0);
	/* Freeing twice is harmless and a freed buffer is reusable. */
	mpb_buf_free(&b);
	assert_int_equal(mpb_buf_append(&b, ref, 10), 0);
	assert_memory_equal(b.data, ref, 10);
	mpb_buf_free(&b);
	free(ref);
}

static void test_buf_put_host_order(void **state)
{
	(void)state;
	struct mpb_buf b = { 0 };
	const uint32_t v32 = UINT32_C(0xa1b2c3d4);
	const uint64_t v64 = UINT64_C(0x0102030405060708);
	assert_int_equal(mpb_buf_put_u8(&b, 0xee), 0);
	assert_int_equal(mpb_buf_put_u32(&b, v32), 0);
	assert_int_equal(mpb_buf_put_u64(&b, v64), 0);
	assert_int_equal(b.len, 1 + 4 + 8);
	uint8_t want[13];
	want[0] = 0xee;
	memcpy(want + 1, &v32, 4);
	memcpy(want + 5, &v64, 8);
	assert_memory_equal(b.data, want, sizeof want);
	mpb_buf_free(&b);
}

static void test_buf_consume_compact(void **state)
{
	(void)state;
	struct mpb_buf b = { 0 };
	uint8_t src[100];
	for (unsigned i = 0; i < sizeof src; i++)
		src[i] = (uint8_t)i;
	assert_int_equal(mpb_buf_append(&b, src, sizeof src), 0);

	mpb_buf_consume(&b, 30);
	assert_int_equal(mpb_buf_pending(&b), 70);
	assert_int_equal(b.off, 30);
	assert_int_equal(*mpb_buf_head(&b), 30);

	/* Compacting moves the unconsumed bytes to the front, unchanged. */
	mpb_buf_compact(&b);
	assert_int_equal(b.off, 0);
	assert_int_equal(b.len, 70);
	assert_memory_equal(b.data, src + 30, 70);
	/* With nothing consumed it is a no-op. */
	mpb_buf_compact(&b);
	assert_int_equal(b.len, 70);
	assert_memory_equal(b.data, src + 30, 70);

	/* Consuming everything empties the buffer so the space is reused. */
	mpb_buf_consume(&b, 70);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.off, 0);
	assert_int_equal(mpb_buf_pending(&b), 0);

	/* Consuming more than is pending never leaves off beyond len. */
	assert_int_equal(mpb_buf_append(&b, src, 10), 0);
	mpb_buf_consume(&b, 11);
	assert_int_equal(mpb_buf_pending(&b), 0);
	assert_true(b.off <= b.len);

	assert_int_equal(mpb_buf_append(&b, src, 10), 0);
	mpb_buf_consume(&b, 4);
	mpb_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.off, 0);
	assert_int_equal(mpb_buf_pending(&b), 0);
	mpb_buf_free(&b);
}

/* The buffer used as a FIFO (append at the back, consume at the front, as the
 * pool does) against a reference model: the growth path compacts on its own,
 * which must never lose or reorder pending bytes. */
static void test_buf_fifo_model(void **state)
{
	(void)state;
	struct mpb_buf b = { 0 };
	struct mpb_rng r;
	mpb_rng_seed(&r, 12);
	enum { STREAM = 4 << 20 };
	uint8_t *stream = malloc(STREAM);
	assert_non_null(stream);
	fill_random(&r, stream, STREAM);
	size_t wr = 0, rd = 0, max_pending = 0;
	while (rd < STREAM) {
		if (wr < STREAM && mpb_rng_below(&r, 2) == 0) {
			size_t n = (size_t)mpb_rng_below(&r, 5000);
			if (n > STREAM - wr)
				n = STREAM - wr;
			assert_int_equal(mpb_buf_append(&b, stream + wr, n), 0);
			wr += n;
		} else {
			/* Keep a byte back until the end: an empty buffer resets for
			 * free, and only the growth path's compaction is under test. */
			size_t keep = wr < STREAM ? 1 : 0;
			size_t n = (size_t)mpb_rng_below(&r, 6000);
			if (wr - rd < keep)
				n = 0;
			else if (n > wr - rd - keep)
				n = wr - rd - keep;
			if (n)
				assert_memory_equal(mpb_buf_head(&b), stream + rd, n);
			mpb_buf_consume(&b, n);
			rd += n;
		}
		assert_int_equal(mpb_buf_pending(&b), wr - rd);
		if (wr - rd > max_pending)
			max_pending = wr - rd;
		assert_true(b.off <= b.len && b.len <= b.cap);
		if (wr - rd)
			assert_memory_equal(mpb_buf_head(&b), stream + rd, wr - rd);
	}
	/* Capacity follows what is pending, not the total traffic (4 MiB): the
	 * bound is generous, only a buffer that never reclaims its front fails. */
	assert_true(b.cap <= 8 * (max_pending + 6000));
	assert_true(b.cap < STREAM / 4);
	mpb_buf_free(&b);
	free(stream);
}

static void test_reader_bounds(void **state)
{
	(void)state;
	const uint32_t v32 = UINT32_C(0xdeadbeef);
	const uint64_t v64 = UINT64_C(0x8877665544332211);
	uint8_t raw[1 + 4 + 8 + 3];
	raw[0] = 0x7f;
	memcpy(raw + 1, &v32, 4);
	memcpy(raw + 5, &v64, 8);
	raw[13] = 'a';
	raw[14] = 'b';
	raw[15] = 'c';
	uint8_t *in = dup_exact(raw, sizeof raw);
	struct mpb_reader r = { in, sizeof raw };

	uint8_t u8 = 0;
	uint32_t u32 = 0;
	uint64_t u64 = 0;
	const uint8_t *p = NULL;
	assert_int_equal(mpb_rd_u8(&r, &u8), 0);
	assert_int_equal(u8, 0x7f);
	assert_int_equal(mpb_rd_u32(&r, &u32), 0);
	assert_int_equal(u32, v32);
	assert_int_equal(mpb_rd_u64(&r, &u64), 0);
	assert_int_equal(u64, v64);
	assert_int_equal(r.left, 3);
	assert_ptr_equal(r.p, in + 13);

	/* 3 bytes left: every read wider than that fails and moves nothing. */
	assert_true(mpb_rd_u32(&r, &u32) < 0);
	assert_true(mpb_rd_u64(&r, &u64) < 0);
	assert_true(mpb_rd_bytes(&r, 4, &p) < 0);
	assert_true(mpb_rd_bytes(&r, SIZE_MAX, &p) < 0);
	assert_int_equal(r.left, 3);
	assert_ptr_equal(r.p, in + 13);

	/* Borrowing bytes points into the input without copying. */
	assert_int_equal(mpb_rd_bytes(&r, 3, &p), 0);
	assert_ptr_equal(p, in + 13);
	assert_int_equal(r.left, 0);

	/* At the end: zero bytes is fine, anything more fails. */
	assert_int_equal(mpb_rd_bytes(&r, 0, &p), 0);
	assert_true(mpb_rd_u8(&r, &u8) < 0);
	assert_true(mpb_rd_u32(&r, &u32) < 0);
	assert_true(mpb_rd_u64(&r, &u64) < 0);
	assert_true(mpb_rd_bytes(&r, 1, &p) < 0);
	assert_int_equal(r.left, 0);
	assert_ptr_equal(r.p, in + sizeof raw);

	/* Every width at every short length: fail without reading (ASan). */
	for (size_t n = 0; n < 8; n++) {
		uint8_t *s = dup_exact(raw, n);
		struct mpb_reader q = { s, n };
		assert_int_equal(mpb_rd_u64(&q, &u64) < 0, 1);
		assert_int_equal(mpb_rd_u32(&q, &u32) < 0, n < 4);
		assert_int_equal(q.left, n < 4 ? n : n - 4);
		free(s);
	}
	free(in);
}

/* ---------------------------------------------------------------- value -- */

static struct mpb_value make_bytes(const void *p, size_t n)
{
	struct mpb_value v = { 0 };
	assert_int_equal(mpb_value_set_bytes(&v, p, n), 0);
	return v;
}

/* [7, 2.5, b"hello", [b"", [b"xyz", 9]], NONE] */
static void make_sample(struct mpb_value *v)
{
	assert_int_equal(mpb_value_set_list(v, 5), 0);
	struct mpb_value *it = v->as.list.items;
	it[0] = mpb_value_int(7);
	it[1] = mpb_value_float(2.5);
	it[2] = make_bytes("hello", 5);
	assert_int_equal(mpb_value_set_list(&it[3], 2), 0);
	it[3].as.list.items[0] = make_bytes(NULL, 0);
	struct mpb_value *inner = &it[3].as.list.items[1];
	assert_int_equal(mpb_value_set_list(inner, 2), 0);
	inner->as.list.items[0] = make_bytes("xyz", 3);
	inner->as.list.items[1] = mpb_value_int(9);
}

static void test_value_construct(void **state)
{
	(void)state;
	struct mpb_value v = mpb_value_int(UINT64_MAX);
	assert_int_equal(v.type, MPB_VAL_INT);
	assert_true(v.as.u == UINT64_MAX);
	v = mpb_value_float(-1.25);
	assert_int_equal(v.type, MPB_VAL_FLOAT);
	assert_true(v.as.f == -1.25);

	/* set_bytes copies its source: changing the source later changes nothing. */
	char src[] = "abcdef";
	struct mpb_value b = make_bytes(src, 6);
	assert_int_equal(b.type, MPB_VAL_BYTES);
	assert_int_equal(b.as.bytes.len, 6);
	assert_ptr_not_equal(b.as.bytes.data, (uint8_t *)src);
	src[0] = 'X';
	assert_memory_equal(b.as.bytes.data, "abcdef", 6);
	mpb_value_clear(&b);
	assert_int_equal(b.type, MPB_VAL_NONE);

	/* Without a source the bytes are zeroed. */
	b = make_bytes(NULL, 300);
	for (size_t i = 0; i < 300; i++)
		assert_int_equal(b.as.bytes.data[i], 0);
	mpb_value_clear(&b);

	struct mpb_value e = make_bytes(NULL, 0);
	assert_int_equal(e.type, MPB_VAL_BYTES);
	assert_int_equal(e.as.bytes.len, 0);
	mpb_value_clear(&e);

	struct mpb_value l = { 0 };
	assert_int_equal(mpb_value_set_list(&l, 4), 0);
	assert_int_equal(l.type, MPB_VAL_LIST);
	assert_int_equal(l.as.list.len, 4);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(l.as.list.items[i].type, MPB_VAL_NONE);
	mpb_value_clear(&l);
	assert_int_equal(mpb_value_set_list(&l, 0), 0);
	assert_int_equal(l.type, MPB_VAL_LIST);
	assert_int_equal(l.as.list.len, 0);
	mpb_value_clear(&l);

	/* clear is NULL-safe and idempotent. */
	mpb_value_clear(NULL);
	mpb_value_clear(&l);
	assert_int_equal(l.type, MPB_VAL_NONE);
}

static void test_value_equal(void **state)
{
	(void)state;
	struct mpb_value none = { 0 }, none2 = { 0 };
	assert_true(mpb_value_equal(&none, &none2));

	struct mpb_value i1 = mpb_value_int(5), i2 = mpb_value_int(5), i3 = mpb_value_int(6);
	assert_true(mpb_value_equal(&i1, &i2));
	assert_false(mpb_value_equal(&i1, &i3));
	assert_false(mpb_value_equal(&i1, &none));

	/* Floats compare bitwise: a NaN equals itself, 0.0 and -0.0 differ, and
	 * an int never equals a float with the same bits. */
	struct mpb_value fn = mpb_value_float(NAN), fn2 = mpb_value_float(NAN);
	assert_true(mpb_value_equal(&fn, &fn2));
	uint64_t bits = UINT64_C(0x7ff0000000000001); /* signalling NaN payload 1 */
	struct mpb_value fq = mpb_value_float(0);
	memcpy(&fq.as.f, &bits, 8);
	bits = UINT64_C(0x7ff0000000000002);
	struct mpb_value fq2 = mpb_value_float(0);
	memcpy(&fq2.as.f, &bits, 8);
	assert_true(mpb_value_equal(&fq, &fq));
	assert_false(mpb_value_equal(&fq, &fq2));
	struct mpb_value z = mpb_value_float(0.0), nz = mpb_value_float(-0.0);
	assert_false(mpb_value_equal(&z, &nz));
	struct mpb_value fi = mpb_value_float(1.0), ii = mpb_value_int(0);
	memcpy(&ii.as.u, &fi.as.f, 8);
	assert_false(mpb_value_equal(&fi, &ii));

	/* Bytes: by length then content; two empty strings are equal. */
	struct mpb_value e1 = make_bytes(NULL, 0), e2 = make_bytes(NULL, 0);
	struct mpb_value b1 = make_bytes("abc", 3), b2 = make_bytes("abd", 3);
	struct mpb_value b3 = make_bytes("ab", 2), b4 = make_bytes("abc", 3);
	assert_true(mpb_value_equal(&e1, &e2));
	assert_true(mpb_value_equal(&b1, &b4));
	assert_false(mpb_value_equal(&b1, &b2));
	assert_false(mpb_value_equal(&b1, &b3));
	assert_false(mpb_value_equal(&b3, &b1));
	assert_false(mpb_value_equal(&e1, &b1));

	/* Lists: deep, and a difference at any depth or in length counts. */
	struct mpb_value s1 = { 0 }, s2 = { 0 };
	make_sample(&s1);
	make_sample(&s2);
	assert_true(mpb_value_equal(&s1, &s2));
	s2.as.list.items[3].as.list.items[1].as.list.items[0].as.bytes.data[2] = 'Z';
	assert_false(mpb_value_equal(&s1, &s2));
	assert_false(mpb_value_equal(&s2, &s1));
	mpb_value_clear(&s2);
	make_sample(&s2);
	s2.as.list.items[3].as.list.items[1].as.list.items[1].as.u = 10;
	assert_false(mpb_value_equal(&s1, &s2));
	mpb_value_clear(&s2);
	make_sample(&s2);
	s2.as.list.len = 4; /* a prefix of s1 (the item is still owned: restore below) */
	assert_false(mpb_value_equal(&s1, &s2));
	s2.as.list.len = 5;
	assert_true(mpb_value_equal(&s1, &s2));

	mpb_value_clear(&s1);
	mpb_value_clear(&s2);
	struct mpb_value all[] = { e1, e2, b1, b2, b3, b4 };
	mpb_value_clear_array(all, N_OF(all));
	for (size_t i = 0; i < N_OF(all); i++)
		assert_int_equal(all[i].type, MPB_VAL_NONE);
	mpb_value_clear_array(NULL, 3);
}

static void test_value_copy_deep(void **state)
{
	(void)state;
	struct mpb_value a = { 0 }, c = { 0 };
	make_sample(&a);
	assert_int_equal(mpb_value_copy(&c, &a), 0);
	assert_true(mpb_value_equal(&a, &c));

	/* Nothing is shared: every list and byte string has its own memory. */
	assert_ptr_not_equal(c.as.list.items, a.as.list.items);
	assert_ptr_not_equal(c.as.list.items[2].as.bytes.data, a.as.list.items[2].as.bytes.data);
	struct mpb_value *ai = &a.as.list.items[3].as.list.items[1];
	struct mpb_value *ci = &c.as.list.items[3].as.list.items[1];
	assert_ptr_not_equal(ci->as.list.items, ai->as.list.items);
	assert_ptr_not_equal(ci->as.list.items[0].as.bytes.data, ai->as.list.items[0].as.bytes.data);
	ci->as.list.items[0].as.bytes.data[0] = 'Q';
	assert_memory_equal(ai->as.list.items[0].as.bytes.data, "xyz", 3);
	assert_false(mpb_value_equal(&a, &c));

	/* Clearing the original leaves the copy intact (ASan: no use after free). */
	struct mpb_value c2 = { 0 };
	assert_int_equal(mpb_value_copy(&c2, &c), 0);
	mpb_value_clear(&c);
	assert_int_equal(c.type, MPB_VAL_NONE);
	assert_memory_equal(c2.as.list.items[2].as.bytes.data, "hello", 5);
	assert_memory_equal(c2.as.list.items[3].as.list.items[1].as.list.items[0].as.bytes.data,
			    "Qyz", 3);

	/* Scalars, NONE and empty containers copy too. */
	struct mpb_value s[] = { { 0 }, mpb_value_int(42), mpb_value_float(-0.0),
				 make_bytes(NULL, 0), { 0 } };
	assert_int_equal(mpb_value_set_list(&s[4], 0), 0);
	for (size_t i = 0; i < N_OF(s); i++) {
		struct mpb_value d = { 0 };
		assert_int_equal(mpb_value_copy(&d, &s[i]), 0);
		assert_int_equal(d.type, s[i].type);
		assert_true(mpb_value_equal(&d, &s[i]));
		mpb_value_clear(&d);
	}
	mpb_value_clear_array(s, N_OF(s));
	mpb_value_clear(&a);
	mpb_value_clear(&c2);
}

/* ---------------------------------------------------------------- codec -- */

static void test_codec_registry(void **state)
{
	(void)state;
	const struct mpb_codec_ops *raw = mpb_codec_find("raw");
	assert_ptr_equal(raw, &mpb_codec_raw);
	assert_string_equal(raw->name, "raw");
	assert_non_null(raw->summary);
	assert_true(strlen(raw->summary) > 0);
	assert_non_null(raw->encode);
	assert_non_null(raw->decode);
	/* raw copies: decoded values own their storage. */
	assert_int_equal(raw->flags & MPB_CODEC_BY_REF, 0);

	const char *unknown[] = { "", "ra", "raw2", "raw ", "json-ish", "nope" };
	for (size_t i = 0; i < N_OF(unknown); i++)
		assert_null(mpb_codec_find(unknown[i]));

	size_t n = 0;
	const struct mpb_codec_ops *const *all = mpb_codec_all(&n);
	assert_non_null(all);
	assert_true(n >= 1);
	bool has_raw = false;
	for (size_t i = 0; i < n; i++) {
		assert_non_null(all[i]);
		assert_non_null(all[i]->name);
		assert_non_null(all[i]->encode);
		assert_non_null(all[i]->decode);
		has_raw |= all[i] == &mpb_codec_raw;
		/* The listing and the lookup walk the same table. */
		assert_ptr_equal(mpb_codec_find(all[i]->name), all[i]);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(all[i]->name, all[j]->name);
	}
	assert_true(has_raw);
}

static void encode_ok(const struct mpb_value *v, struct mpb_buf *out)
{
	struct mpb_diag d = { 0 };
	int rc = mpb_codec_raw.encode(v, out, &d);
	if (rc != 0)
		fail_msg("raw encode failed (%d): %s", rc, d.msg);
}

/* The documented layout: a type byte, then an 8-byte scalar, or an 8-byte
 * count followed by the bytes or the items. */
static void test_raw_layout(void **state)
{
	(void)state;
	struct mpb_buf out = { 0 };
	struct mpb_value s = { 0 };
	make_sample(&s);
	encode_ok(&s, &out);

	struct mpb_buf want = { 0 };
	uint64_t u;
	double f = 2.5;
#define PUT_LEN(n) (u = (n), assert_int_equal(mpb_buf_append(&want, &u, 8), 0))
	assert_int_equal(mpb_buf_put_u8(&want, MPB_VAL_LIST), 0);
	PUT_LEN(5);
	assert_int_equal(mpb_buf_put_u8(&want, MPB_VAL_INT), 0);
	PUT_LEN(7);
	assert_int_equal(mpb_buf_put_u8(&want, MPB_VAL_FLOAT), 0);
	assert_int_equal(mpb_buf_append(&want, &f, 8), 0);
	assert_int_equal(mpb_buf_put_u8(&want, MPB_VAL_BYTES), 0);
	PUT_LEN(5);
	assert_int_equal(mpb_buf_append(&want, "hello", 5), 0);
	assert_int_equal(mpb_buf_put_u8(&want, MPB_VAL_LIST), 0);
	PUT_LEN(2);
	assert_int_equal(mpb_buf_put_u8(&want, MPB_VAL_BYTES), 0);
	PUT_LEN(0);
	assert_int_equal(mpb_buf_put_u8(&want, MPB_VAL_LIST), 0);
	PUT_LEN(2);
	assert_int_equal(mpb_buf_put_u8(&want, MPB_VAL_BYTES), 0);
	PUT_LEN(3);
	assert_int_equal(mpb_buf_append(&want, "xyz", 3), 0);
	assert_int_equal(mpb_buf_put_u8(&want, MPB_VAL_INT), 0);
	PUT_LEN(9);
	assert_int_equal(mpb_buf_put_u8(&want, MPB_VAL_NONE), 0);
#undef PUT_LEN
	assert_int_equal(out.len, want.len);
	assert_memory_equal(out.data, want.data, want.len);

	/* Encoding appends: what was in the buffer stays in front. */
	struct mpb_buf out2 = { 0 };
	assert_int_equal(mpb_buf_append(&out2, "prefix", 6), 0);
	encode_ok(&s, &out2);
	assert_int_equal(out2.len, 6 + want.len);
	assert_memory_equal(out2.data, "prefix", 6);
	assert_memory_equal(out2.data + 6, want.data, want.len);

	mpb_buf_free(&out);
	mpb_buf_free(&out2);
	mpb_buf_free(&want);
	mpb_value_clear(&s);
}

static double random_float(struct mpb_rng *r)
{
	uint64_t bits;
	switch (mpb_rng_below(r, 8)) {
	case 0: /* NaN: exponent all ones, nonzero mantissa, either sign */
		bits = (mpb_rng_next(r) & UINT64_C(0x800fffffffffffff)) | UINT64_C(0x7ff0000000000000);
		if ((bits & UINT64_C(0x000fffffffffffff)) == 0)
			bits |= 1;
		break;
	case 1: /* infinities and signed zeros */
		bits = (mpb_rng_next(r) & UINT64_C(0x8000000000000000)) |
		       (mpb_rng_below(r, 2) ? UINT64_C(0x7ff0000000000000) : 0);
		break;
	case 2: /* subnormals */
		bits = mpb_rng_next(r) & UINT64_C(0x800fffffffffffff);
		break;
	case 3: {
		double x = (mpb_rng_double(r) - 0.5) * 1e6;
		memcpy(&bits, &x, 8);
		break;
	}
	default:
		bits = mpb_rng_next(r);
		break;
	}
	double f;
	memcpy(&f, &bits, 8);
	return f;
}

static uint64_t random_int(struct mpb_rng *r)
{
	static const uint64_t edge[] = { 0, 1, UINT64_MAX, UINT64_C(1) << 63, UINT32_MAX,
					 (uint64_t)UINT32_MAX + 1 };
	switch (mpb_rng_below(r, 4)) {
	case 0: return edge[mpb_rng_below(r, N_OF(edge))];
	case 1: return mpb_rng_below(r, 256);
	default: return mpb_rng_next(r);
	}
}

/* A random value; *budget caps the total bytes so encodings stay small
 * enough for the quadratic truncation sweep. */
static void random_value(struct mpb_rng *r, struct mpb_value *v, int depth, size_t *budget)
{
	unsigned kinds = depth < MPB_VALUE_MAX_DEPTH && *budget > 16 ? 5 : 4;
	memset(v, 0, sizeof *v);
	switch (mpb_rng_below(r, kinds)) {
	case 0:
		return; /* NONE */
	case 1:
		*v = mpb_value_int(random_int(r));
		return;
	case 2:
		*v = mpb_value_float(random_float(r));
		return;
	case 3: {
		size_t n = mpb_rng_below(r, 4) ? (size_t)mpb_rng_below(r, 24)
					       : (size_t)mpb_rng_below(r, 600);
		if (n > *budget)
			n = *budget;
		*budget -= n;
		assert_int_equal(mpb_value_set_bytes(v, NULL, n), 0);
		fill_random(r, v->as.bytes.data, n);
		return;
	}
	default: {
		size_t n = (size_t)mpb_rng_below(r, 6);
		assert_int_equal(mpb_value_set_list(v, n), 0);
		for (size_t i = 0; i < n; i++) {
			*budget -= *budget > 10 ? 10 : *budget;
			random_value(r, &v->as.list.items[i], depth + 1, budget);
		}
		return;
	}
	}
}

/* List-nesting levels above the deepest leaf (a scalar is 0, [x] is 1). */
static int value_depth(const struct mpb_value *v)
{
	if (v->type != MPB_VAL_LIST)
		return 0;
	int m = 0;
	for (size_t i = 0; i < v->as.list.len; i++) {
		int k = value_depth(&v->as.list.items[i]);
		if (k > m)
			m = k;
	}
	return m + 1;
}

/* Decode one value from an exactly-sized copy of enc[0..n); on success the
 * value must equal `want` and consume all n bytes. */
static void decode_expect(const uint8_t *enc, size_t n, const struct mpb_value *want)
{
	uint8_t *in = dup_exact(enc, n);
	struct mpb_reader r = { in, n };
	struct mpb_value got = { 0 };
	struct mpb_diag d = { 0 };
	int rc = mpb_codec_raw.decode(&r, &got, &d);
	if (rc != 0)
		fail_msg("raw decode failed (%d): %s", rc, d.msg);
	assert_true(mpb_value_equal(&got, want));
	assert_int_equal(r.left, 0);
	assert_ptr_equal(r.p, in + n);

	/* Re-encoding the decoded value gives the same bytes. */
	struct mpb_buf again = { 0 };
	encode_ok(&got, &again);
	assert_int_equal(again.len, n);
	if (n)
		assert_memory_equal(again.data, enc, n);
	mpb_buf_free(&again);
	mpb_value_clear(&got);
	free(in);
}

/* Decoding must fail cleanly: negative, with a code and a message, leaving
 * nothing allocated once the caller clears v (LeakSanitizer checks). */
static int decode_reject(const uint8_t *enc, size_t n, struct mpb_diag *d)
{
	uint8_t *in = dup_exact(enc, n);
	struct mpb_reader r = { in, n };
	struct mpb_value got = { 0 };
	mpb_diag_clear(d);
	int rc = mpb_codec_raw.decode(&r, &got, d);
	assert_true(rc < 0);
	assert_int_equal(rc, -d->code);
	assert_true(d->msg[0] != '\0');
	assert_true(r.left <= n);
	mpb_value_clear(&got);
	free(in);
	return rc;
}

/* Every strict prefix of a valid encoding is truncated input. */
static void truncations_rejected(const uint8_t *enc, size_t n)
{
	struct mpb_diag d;
	for (size_t k = 0; k < n; k++)
		decode_reject(enc, k, &d);
}

static void test_raw_roundtrip_random(void **state)
{
	(void)state;
	struct mpb_rng r;
	mpb_rng_seed(&r, 2024);
	size_t nonempty_lists = 0, nans = 0, max_depth = 0;
	for (int iter = 0; iter < 400; iter++) {
		struct mpb_value v;
		size_t budget = 2000;
		random_value(&r, &v, 0, &budget);
		if (v.type == MPB_VAL_LIST && v.as.list.len > 0)
			nonempty_lists++;
		if (v.type == MPB_VAL_FLOAT && isnan(v.as.f))
			nans++;
		int dep = value_depth(&v);
		if ((size_t)dep > max_depth)
			max_depth = (size_t)dep;

		struct mpb_buf out = { 0 };
		encode_ok(&v, &out);
		assert_true(out.len >= 1);
		decode_expect(out.data, out.len, &v);
		truncations_rejected(out.data, out.len);
		mpb_buf_free(&out);
		mpb_value_clear(&v);
	}
	/* The generator really exercised the interesting shapes. */
	assert_true(nonempty_lists > 50);
	assert_true(nans > 0);
	assert_true(max_depth >= 4);
}

/* Values back to back in one buffer come out one by one, each decode
 * stopping exactly at the end of its own encoding. */
static void test_raw_sequence(void **state)
{
	(void)state;
	struct mpb_rng r;
	mpb_rng_seed(&r, 77);
	enum { N = 64 };
	struct mpb_value v[N];
	size_t ends[N];
	struct mpb_buf out = { 0 };
	for (int i = 0; i < N; i++) {
		size_t budget = 500;
		random_value(&r, &v[i], 0, &budget);
		encode_ok(&v[i], &out);
		ends[i] = out.len;
	}
	uint8_t *in = dup_exact(out.data, out.len);
	struct mpb_reader rd = { in, out.len };
	for (int i = 0; i < N; i++) {
		struct mpb_value got;
		struct mpb_diag d = { 0 };
		assert_int_equal(mpb_codec_raw.decode(&rd, &got, &d), 0);
		assert_true(mpb_value_equal(&got, &v[i]));
		assert_int_equal(out.len - rd.left, ends[i]);
		mpb_value_clear(&got);
	}
	assert_int_equal(rd.left, 0);
	struct mpb_value extra;
	struct mpb_diag d = { 0 };
	assert_true(mpb_codec_raw.decode(&rd, &extra, &d) < 0);
	assert_true(d.msg[0] != '\0');
	mpb_value_clear(&extra);
	free(in);
	mpb_buf_free(&out);
	mpb_value_clear_array(v, N);
}

static void test_raw_large_bytes(void **state)
{
	(void)state;
	struct mpb_rng r;
	mpb_rng_seed(&r, 5);
	const size_t sizes[] = { 0, 1, 255, 256, 65536, (size_t)1 << 20, ((size_t)1 << 20) + 7 };
	for (size_t i = 0; i < N_OF(sizes); i++) {
		struct mpb_value v = { 0 };
		assert_int_equal(mpb_value_set_bytes(&v, NULL, sizes[i]), 0);
		fill_random(&r, v.as.bytes.data, sizes[i]);
		struct mpb_buf out = { 0 };
		encode_ok(&v, &out);
		assert_int_equal(out.len, 1 + 8 + sizes[i]);
		decode_expect(out.data, out.len, &v);

		/* Truncations at the interesting places (every prefix of a MiB would
		 * be slow and adds nothing: the length check happens once). */
		size_t n = out.len;
		const size_t cut[] = { 0, 1, 5, 8, 9, 10, n / 2, n - 2, n - 1 };
		struct mpb_diag d;
		for (size_t k = 0; k < N_OF(cut); k++)
			if (cut[k] < n)
				decode_reject(out.data, cut[k], &d);
		mpb_buf_free(&out);

		/* And inside a list, between other items. */
		struct mpb_value l = { 0 };
		assert_int_equal(mpb_value_set_list(&l, 3), 0);
		l.as.list.items[0] = mpb_value_int(sizes[i]);
		assert_int_equal(mpb_value_copy(&l.as.list.items[1], &v), 0);
		l.as.list.items[2] = mpb_value_float(random_float(&r));
		encode_ok(&l, &out);
		decode_expect(out.data, out.len, &l);
		decode_reject(out.data, out.len - 1, &d);
		mpb_buf_free(&out);
		mpb_value_clear(&l);
		mpb_value_clear(&v);
	}
}

/* k lists wrapped around an int: [[[...[leaf]...]]]. */
static void make_chain(struct mpb_value *v, int k, uint64_t leaf)
{
	struct mpb_value *cur = v;
	for (int i = 0; i < k; i++) {
		assert_int_equal(mpb_value_set_list(cur, 1), 0);
		cur = &cur->as.list.items[0];
	}
	*cur = mpb_value_int(leaf);
}

/* Random siblings at every level along one chain reaching the maximum depth. */
static void make_deep_random(struct mpb_rng *r, struct mpb_value *v, int level)
{
	if (level == MPB_VALUE_MAX_DEPTH) {
		*v = mpb_value_int(random_int(r));
		return;
	}
	size_t n = 1 + (size_t)mpb_rng_below(r, 3);
	size_t deep = (size_t)mpb_rng_below(r, n);
	assert_int_equal(mpb_value_set_list(v, n), 0);
	for (size_t i = 0; i < n; i++) {
		if (i == deep) {
			make_deep_random(r, &v->as.list.items[i], level + 1);
		} else {
			size_t budget = 40;
			random_value(r, &v->as.list.items[i], MPB_VALUE_MAX_DEPTH, &budget);
		}
	}
}

static void test_raw_depth_limit(void **state)
{
	(void)state;
	struct mpb_buf out = { 0 };
	struct mpb_diag d = { 0 };

	/* Exactly the maximum nesting round-trips. */
	struct mpb_value ok = { 0 };
	make_chain(&ok, MPB_VALUE_MAX_DEPTH, 99);
	assert_int_equal(value_depth(&ok), MPB_VALUE_MAX_DEPTH);
	encode_ok(&ok, &out);
	decode_expect(out.data, out.len, &ok);
	truncations_rejected(out.data, out.len);
	mpb_buf_free(&out);
	mpb_value_clear(&ok);

	struct mpb_rng r;
	mpb_rng_seed(&r, 31);
	for (int i = 0; i < 20; i++) {
		struct mpb_value v = { 0 };
		make_deep_random(&r, &v, 0);
		assert_int_equal(value_depth(&v), MPB_VALUE_MAX_DEPTH);
		encode_ok(&v, &out);
		decode_expect(out.data, out.len, &v);
		mpb_buf_free(&out);
		mpb_value_clear(&v);
	}

	/* One level more is refused by the encoder ... */
	struct mpb_value deep = { 0 };
	make_chain(&deep, MPB_VALUE_MAX_DEPTH + 1, 99);
	mpb_diag_clear(&d);
	int rc = mpb_codec_raw.encode(&deep, &out, &d);
	assert_true(rc < 0);
	assert_int_equal(rc, -d.code);
	assert_true(d.msg[0] != '\0');
	mpb_buf_free(&out);
	mpb_value_clear(&deep);

	/* ... and by the decoder, built by hand since the encoder will not. */
	struct mpb_buf enc = { 0 };
	for (int i = 0; i < MPB_VALUE_MAX_DEPTH + 1; i++) {
		assert_int_equal(mpb_buf_put_u8(&enc, MPB_VAL_LIST), 0);
		assert_int_equal(mpb_buf_put_u64(&enc, 1), 0);
	}
	assert_int_equal(mpb_buf_put_u8(&enc, MPB_VAL_INT), 0);
	assert_int_equal(mpb_buf_put_u64(&enc, 99), 0);
	decode_reject(enc.data, enc.len, &d);
	mpb_buf_free(&enc);

	/* Far deeper input (a hostile peer) is refused without recursing into it:
	 * the stack would not survive a million levels. */
	enum { HOSTILE = 1000000 };
	for (int i = 0; i < HOSTILE; i++) {
		assert_int_equal(mpb_buf_put_u8(&enc, MPB_VAL_LIST), 0);
		assert_int_equal(mpb_buf_put_u64(&enc, 1), 0);
	}
	assert_int_equal(mpb_buf_put_u8(&enc, MPB_VAL_NONE), 0);
	decode_reject(enc.data, enc.len, &d);
	mpb_buf_free(&enc);
}

static void test_raw_unknown_type(void **state)
{
	(void)state;
	struct mpb_diag d;
	for (unsigned bad_type = MPB_VAL_LIST + 1; bad_type <= 0xff; bad_type++) {
		const uint8_t bad[] = { (uint8_t)bad_type };
		const size_t i = 0;
		/* Alone, followed by plausible bytes, and as the last item of a list
		 * whose earlier items were already decoded (and must be freed). */
		uint8_t alone[9] = { bad[i], 1, 0, 0, 0, 0, 0, 0, 0 };
		decode_reject(alone, 1, &d);
		decode_reject(alone, sizeof alone, &d);

		struct mpb_buf enc = { 0 };
		assert_int_equal(mpb_buf_put_u8(&enc, MPB_VAL_LIST), 0);
		assert_int_equal(mpb_buf_put_u64(&enc, 3), 0);
		assert_int_equal(mpb_buf_put_u8(&enc, MPB_VAL_BYTES), 0);
		assert_int_equal(mpb_buf_put_u64(&enc, 4), 0);
		assert_int_equal(mpb_buf_append(&enc, "abcd", 4), 0);
		assert_int_equal(mpb_buf_put_u8(&enc, MPB_VAL_INT), 0);
		assert_int_equal(mpb_buf_put_u64(&enc, 1), 0);
		assert_int_equal(mpb_buf_put_u8(&enc, bad[i]), 0);
		assert_int_equal(mpb_buf_put_u64(&enc, 0), 0);
		decode_reject(enc.data, enc.len, &d);
		mpb_buf_free(&enc);
	}

	/* The encoder refuses a value whose type is not in the model. */
	struct mpb_value v = { 0 };
	v.type = (enum mpb_vtype)9;
	struct mpb_buf out = { 0 };
	mpb_diag_clear(&d);
	int rc = mpb_codec_raw.encode(&v, &out, &d);
	assert_true(rc < 0);
	assert_true(d.msg[0] != '\0');
	mpb_buf_free(&out);
}

/* A length field bigger than what is left is refused before anything that
 * size is allocated: a corrupt or hostile 2^60 must not become a 2^60-byte
 * (or 2^60-item) allocation. Under ASan an attempt would abort the test; in
 * a plain build it would come back as out-of-memory, not as bad input. */
static void test_raw_length_bounds(void **state)
{
	(void)state;
	struct mpb_diag d;
	const uint64_t huge[] = { UINT64_C(1) << 60, UINT64_MAX, UINT64_C(1) << 32,
				  (uint64_t)SIZE_MAX / 2 + 1, 1000 };
	const uint8_t types[] = { MPB_VAL_BYTES, MPB_VAL_LIST };
	for (size_t t = 0; t < N_OF(types); t++) {
		for (size_t i = 0; i < N_OF(huge); i++) {
			struct mpb_buf enc = { 0 };
			assert_int_equal(mpb_buf_put_u8(&enc, types[t]), 0);
			assert_int_equal(mpb_buf_put_u64(&enc, huge[i]), 0);
			assert_int_equal(mpb_buf_append(&enc, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16), 0);
			decode_reject(enc.data, enc.len, &d);
			assert_int_not_equal(d.code, MPB_ENOMEM);
			mpb_buf_free(&enc);
		}
	}

	/* The boundary: n bytes with n left is fine, n + 1 claimed is not. For a
	 * list, n NONE items take exactly n bytes. */
	for (size_t t = 0; t < N_OF(types); t++) {
		for (size_t n = 0; n < 40; n++) {
			struct mpb_buf enc = { 0 };
			assert_int_equal(mpb_buf_put_u8(&enc, types[t]), 0);
			assert_int_equal(mpb_buf_put_u64(&enc, n), 0);
			assert_int_equal(mpb_buf_reserve(&enc, n), 0);
			memset(enc.data + enc.len, 0, n);
			enc.len += n;

			struct mpb_value want = { 0 };
			if (types[t] == MPB_VAL_BYTES)
				assert_int_equal(mpb_value_set_bytes(&want, NULL, n), 0);
			else
				assert_int_equal(mpb_value_set_list(&want, n), 0);
			decode_expect(enc.data, enc.len, &want);
			mpb_value_clear(&want);

			uint64_t more = n + 1;
			memcpy(enc.data + 1, &more, 8);
			decode_reject(enc.data, enc.len, &d);
			assert_int_not_equal(d.code, MPB_ENOMEM);
			mpb_buf_free(&enc);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_growth),
		cmocka_unit_test(test_buf_put_host_order),
		cmocka_unit_test(test_buf_consume_compact),
		cmocka_unit_test(test_buf_fifo_model),
		cmocka_unit_test(test_reader_bounds),
		cmocka_unit_test(test_value_construct),
		cmocka_unit_test(test_value_equal),
		cmocka_unit_test(test_value_copy_deep),
		cmocka_unit_test(test_codec_registry),
		cmocka_unit_test(test_raw_layout),
		cmocka_unit_test(test_raw_roundtrip_random),
		cmocka_unit_test(test_raw_sequence),
		cmocka_unit_test(test_raw_large_bytes),
		cmocka_unit_test(test_raw_depth_limit),
		cmocka_unit_test(test_raw_unknown_type),
		cmocka_unit_test(test_raw_length_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
