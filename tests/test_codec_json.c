/* test_codec_json.c — unit tests for the json codec (harness/pool/codec/codec_json.c).
 *
 * Round trips over seeded random values of every type (extreme integers,
 * NaN/infinity/-0 floats bit for bit, empty and 1 MiB byte strings, nested
 * lists up to the depth limit, empty lists), several values back to back in
 * one buffer; and rejection of every truncation, of malformed JSON, of types
 * the value model does not have, of bad base64 and of over-deep nesting —
 * always an error, never a crash or a read past the input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "rng.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define J (&mpb_codec_json)

static void random_value(struct mpb_rng *g, struct mpb_value *v, int depth)
{
	static const double specials[] = { 0.0, -0.0, 1.5, -2.25e300, 5e-324, INFINITY, -INFINITY };
	static const uint64_t ints[] = { 0, 1, UINT64_MAX, (uint64_t)INT64_MAX,
					 (uint64_t)INT64_MAX + 1, 1ull << 53, 12345 };
	unsigned kind = (unsigned)mpb_rng_below(g, depth < 4 ? 5 : 4);
	memset(v, 0, sizeof *v);
	switch (kind) {
	case 0:
		break; /* NONE */
	case 1:
		*v = mpb_value_int(mpb_rng_below(g, 2) ? mpb_rng_next(g) : ints[mpb_rng_below(g, N_OF(ints))]);
		break;
	case 2: {
		uint64_t k = mpb_rng_below(g, 4);
		if (k == 0) {
			uint64_t bits = 0x7ff8000000000000ull | mpb_rng_below(g, 1000); /* a NaN with payload */
			v->type = MPB_VAL_FLOAT;
			memcpy(&v->as.f, &bits, 8);
		} else if (k == 1) {
			*v = mpb_value_float(specials[mpb_rng_below(g, N_OF(specials))]);
		} else {
			*v = mpb_value_float((mpb_rng_double(g) - 0.5) * 1e6);
		}
		break;
	}
	case 3: {
		size_t n = (size_t)mpb_rng_below(g, 70);
		assert_int_equal(mpb_value_set_bytes(v, NULL, n), 0);
		for (size_t i = 0; i < n; i++)
			v->as.bytes.data[i] = (uint8_t)mpb_rng_next(g);
		break;
	}
	default: {
		size_t n = (size_t)mpb_rng_below(g, 5);
		assert_int_equal(mpb_value_set_list(v, n), 0);
		for (size_t i = 0; i < n; i++)
			random_value(g, &v->as.list.items[i], depth + 1);
	}
	}
}

static void round_trip(const struct mpb_value *v)
{
	struct mpb_buf out = { 0 };
	struct mpb_diag d = { 0 };
	if (J->encode(v, &out, &d) < 0)
		fail_msg("encode: %s", d.msg);
	struct mpb_reader r = { out.data, out.len };
	struct mpb_value got;
	if (J->decode(&r, &got, &d) < 0)
		fail_msg("decode: %s", d.msg);
	assert_int_equal(r.left, 0);
	assert_true(mpb_value_equal(v, &got));
	mpb_value_clear(&got);
	mpb_buf_free(&out);
}

static void test_registered(void **state)
{
	(void)state;
	assert_ptr_equal(mpb_codec_find("json"), J);
	assert_false(J->flags & MPB_CODEC_BY_REF);
}

static void test_random_round_trips(void **state)
{
	(void)state;
	struct mpb_rng g;
	mpb_rng_seed(&g, 20261130);
	for (int i = 0; i < 2000; i++) {
		struct mpb_value v;
		random_value(&g, &v, 0);
		round_trip(&v);
		mpb_value_clear(&v);
	}
}

/* Empty and large byte strings, an empty list, every base64 tail length. */
static void test_sizes(void **state)
{
	(void)state;
	static const size_t lens[] = { 0, 1, 2, 3, 4, 5, 6, 1u << 20 };
	for (size_t k = 0; k < N_OF(lens); k++) {
		struct mpb_value v = { 0 };
		assert_int_equal(mpb_value_set_bytes(&v, NULL, lens[k]), 0);
		for (size_t i = 0; i < lens[k]; i++)
			v.as.bytes.data[i] = (uint8_t)(i * 131 + 7);
		round_trip(&v);
		mpb_value_clear(&v);
	}
	struct mpb_value l = { 0 };
	assert_int_equal(mpb_value_set_list(&l, 0), 0);
	round_trip(&l);
	mpb_value_clear(&l);
}

static void nest(struct mpb_value *v, int depth)
{
	memset(v, 0, sizeof *v);
	if (depth == 0) {
		*v = mpb_value_int(42);
		return;
	}
	assert_int_equal(mpb_value_set_list(v, 1), 0);
	nest(&v->as.list.items[0], depth - 1);
}

static void test_depth_limit(void **state)
{
	(void)state;
	struct mpb_value v;
	nest(&v, MPB_VALUE_MAX_DEPTH);
	round_trip(&v);
	mpb_value_clear(&v);
	nest(&v, MPB_VALUE_MAX_DEPTH + 1);
	struct mpb_buf out = { 0 };
	struct mpb_diag d = { 0 };
	assert_true(J->encode(&v, &out, &d) < 0);
	mpb_value_clear(&v);
	mpb_buf_free(&out);
	/* ...and a document nested too deep is refused by the decoder too */
	char doc[256] = "";
	for (int i = 0; i <= MPB_VALUE_MAX_DEPTH + 1; i++)
		strcat(doc, "[");
	for (int i = 0; i <= MPB_VALUE_MAX_DEPTH + 1; i++)
		strcat(doc, "]");
	uint8_t wire[300];
	uint32_t n = (uint32_t)strlen(doc);
	memcpy(wire, &n, 4);
	memcpy(wire + 4, doc, n);
	struct mpb_reader r = { wire, 4 + n };
	struct mpb_value got;
	assert_true(J->decode(&r, &got, &d) < 0);
	assert_non_null(strstr(d.msg, "deeper"));
}

/* Values back to back: each decode takes exactly its own bytes. */
static void test_stream_of_values(void **state)
{
	(void)state;
	struct mpb_rng g;
	mpb_rng_seed(&g, 7);
	struct mpb_value v[20];
	struct mpb_buf out = { 0 };
	struct mpb_diag d = { 0 };
	for (size_t i = 0; i < N_OF(v); i++) {
		random_value(&g, &v[i], 0);
		assert_int_equal(J->encode(&v[i], &out, &d), 0);
	}
	struct mpb_reader r = { out.data, out.len };
	for (size_t i = 0; i < N_OF(v); i++) {
		struct mpb_value got;
		assert_int_equal(J->decode(&r, &got, &d), 0);
		assert_true(mpb_value_equal(&v[i], &got));
		mpb_value_clear(&got);
	}
	assert_int_equal(r.left, 0);
	mpb_value_clear_array(v, N_OF(v));
	mpb_buf_free(&out);
}

/* Every strict prefix of an encoding is rejected (the decoder is handed an
 * exact-size copy, so ASan would see any read past it). */
static void test_truncated_rejected(void **state)
{
	(void)state;
	struct mpb_rng g;
	mpb_rng_seed(&g, 99);
	for (int k = 0; k < 30; k++) {
		struct mpb_value v;
		random_value(&g, &v, 0);
		struct mpb_buf out = { 0 };
		struct mpb_diag d = { 0 };
		assert_int_equal(J->encode(&v, &out, &d), 0);
		for (size_t cut = 0; cut < out.len; cut++) {
			uint8_t *copy = malloc(cut ? cut : 1);
			memcpy(copy, out.data, cut);
			struct mpb_reader r = { copy, cut };
			struct mpb_value got;
			if (J->decode(&r, &got, &d) == 0)
				fail_msg("a %zu-byte prefix of a %zu-byte encoding decoded", cut, out.len);
			free(copy);
		}
		mpb_value_clear(&v);
		mpb_buf_free(&out);
	}
}

/* Encoding into a buffer the pool has partly drained (the unsent bytes do
 * not start at 0, and growing it moves them to the front) still writes the
 * right length in the right place. */
static void test_encode_into_drained_buffer(void **state)
{
	(void)state;
	struct mpb_buf out = { 0 };
	struct mpb_diag d = { 0 };
	uint8_t junk[1000];
	memset(junk, 0x5a, sizeof junk);
	assert_int_equal(mpb_buf_append(&out, junk, sizeof junk), 0);
	mpb_buf_consume(&out, 900); /* 100 unsent bytes at offset 900 */
	struct mpb_value v = { 0 };
	assert_int_equal(mpb_value_set_bytes(&v, NULL, 5000), 0);
	for (size_t i = 0; i < 5000; i++)
		v.as.bytes.data[i] = (uint8_t)i;
	assert_int_equal(J->encode(&v, &out, &d), 0);
	assert_int_equal(mpb_buf_pending(&out) > 100, 1);
	struct mpb_reader r = { mpb_buf_head(&out) + 100, mpb_buf_pending(&out) - 100 };
	struct mpb_value got;
	assert_int_equal(J->decode(&r, &got, &d), 0);
	assert_true(mpb_value_equal(&v, &got));
	assert_int_equal(r.left, 0);
	mpb_value_clear(&got);
	mpb_value_clear(&v);
	mpb_buf_free(&out);
}

static int decode_text(const char *doc, struct mpb_diag *d)
{
	uint8_t wire[512];
	uint32_t n = (uint32_t)strlen(doc);
	memcpy(wire, &n, 4);
	memcpy(wire + 4, doc, n);
	struct mpb_reader r = { wire, 4 + n };
	struct mpb_value got;
	int rc = J->decode(&r, &got, d);
	if (rc == 0)
		mpb_value_clear(&got);
	return rc;
}

static void test_malformed_rejected(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"",                     /* nothing */
		"[1,",                  /* unfinished */
		"true", "false",        /* not in the value model */
		"{\"a\": 1}",           /* objects only as float_bits */
		"{\"float_bits\": \"0x12\"}",
		"{\"float_bits\": \"0xzzzzzzzzzzzzzzzz\"}",
		"\"abc\"",              /* base64 of the wrong length */
		"\"ab=c\"",             /* padding in the middle */
		"\"a!bc\"",             /* not base64 */
		"18446744073709551616", /* beyond 64 bits */
		"[1] [2]",              /* trailing document */
	};
	for (size_t i = 0; i < N_OF(bad); i++) {
		struct mpb_diag d = { 0 };
		if (decode_text(bad[i], &d) == 0)
			fail_msg("'%s' was accepted", bad[i]);
		assert_true(d.msg[0] != '\0');
	}
	/* a length prefix larger than what follows */
	uint8_t wire[8] = { 200, 0, 0, 0, '[', ']' };
	struct mpb_reader r = { wire, 6 };
	struct mpb_value got;
	struct mpb_diag d = { 0 };
	assert_true(J->decode(&r, &got, &d) < 0);
	/* the accepted spellings, for contrast */
	assert_int_equal(decode_text("[null, -1, 2.5, \"AAE=\", []]", &d), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registered),
		cmocka_unit_test(test_random_round_trips),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_stream_of_values),
		cmocka_unit_test(test_truncated_rejected),
		cmocka_unit_test(test_encode_into_drained_buffer),
		cmocka_unit_test(test_malformed_rejected),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
