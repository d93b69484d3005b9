/* codec_json.c — the `json` codec: every value becomes a JSON document built
 * and parsed with jansson, the way a realistic structured serializer (pickle
 * of Python objects, a JSON API) spends its time: a tree of heap objects per
 * value, text formatting, and byte strings as base64 text.
 *
 * Wire form: u32 length, then that many bytes of compact JSON. Mapping:
 * NONE ↔ null; INT ↔ integer (the 64 bits reinterpreted as signed, so every
 * value survives); FLOAT ↔ real, or {"float_bits": "0x…"} when not finite
 * (JSON has no NaN or infinity); BYTES ↔ string of base64; LIST ↔ array.
 * Decoding is strict: wrong types, bad base64, a length past the input or
 * nesting beyond MPB_VALUE_MAX_DEPTH are errors, never a read past the end.
 */
#include "codec.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base64.h"

/* Decode base64 text s[0..n) into v (BYTES); -1 on malformed text, -2 on ENOMEM. */
static int b64_decode(const char *s, size_t n, struct mpb_value *v)
{
	size_t len = mpb_base64_decoded_len(s, n);
	if (len == SIZE_MAX)
		return -1;
	if (mpb_value_set_bytes(v, NULL, len) < 0)
		return -2;
	if (mpb_base64_decode(s, n, v->as.bytes.data) < 0) {
		mpb_value_clear(v);
		return -1;
	}
	return 0;
}

static json_t *to_json(const struct mpb_value *v, int depth, struct mpb_diag *d)
{
	if (depth > MPB_VALUE_MAX_DEPTH) {
		mpb_fail(d, MPB_ERUN, "json codec: value nested deeper than %d", MPB_VALUE_MAX_DEPTH);
		return NULL;
	}
	json_t *j = NULL;
	switch (v->type) {
	case MPB_VAL_NONE:
		j = json_null();
		break;
	case MPB_VAL_INT:
		j = json_integer((json_int_t)(int64_t)v->as.u);
		break;
	case MPB_VAL_FLOAT:
		if (isfinite(v->as.f)) {
			j = json_real(v->as.f);
		} else {
			uint64_t bits;
			char hex[24];
			memcpy(&bits, &v->as.f, 8);
			snprintf(hex, sizeof hex, "0x%016" PRIx64, bits);
			j = json_pack("{ss}", "float_bits", hex);
		}
		break;
	case MPB_VAL_BYTES: {
		char *s = mpb_base64_encode_alloc(v->as.bytes.data, v->as.bytes.len);
		if (s)
			j = json_stringn_nocheck(s, mpb_base64_encoded_len(v->as.bytes.len));
		free(s);
		break;
	}
	case MPB_VAL_LIST:
		j = json_array();
		for (size_t i = 0; j && i < v->as.list.len; i++) {
			json_t *item = to_json(&v->as.list.items[i], depth + 1, d);
			if (!item || json_array_append_new(j, item) < 0) {
				json_decref(j);
				return NULL;
			}
		}
		break;
	default:
		mpb_fail(d, MPB_ERUN, "json codec: unknown value type %d", (int)v->type);
		return NULL;
	}
	if (!j)
		mpb_fail(d, MPB_ENOMEM, "json codec: out of memory");
	return j;
}

static int append_cb(const char *buffer, size_t size, void *data)
{
	return mpb_buf_append(data, buffer, size);
}

static int json_encode(const struct mpb_value *v, struct mpb_buf *out, struct mpb_diag *d)
{
	json_t *j = to_json(v, 0, d);
	if (!j)
		return -(d && d->code ? d->code : MPB_ENOMEM);
	/* relative to the unconsumed bytes: growing the buffer may move them to
	 * the front (frame.c does the same) */
	size_t at = out->len - out->off;
	int rc = mpb_buf_put_u32(out, 0);
	if (rc == 0)
		rc = json_dump_callback(j, append_cb, out, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(j);
	if (rc < 0)
		return mpb_fail(d, MPB_ENOMEM, "json codec: out of memory");
	size_t n = out->len - out->off - at - 4;
	if (n > UINT32_MAX)
		return mpb_fail(d, MPB_ERUN, "json codec: a value encodes to more than 4 GiB");
	uint32_t n32 = (uint32_t)n;
	memcpy(out->data + out->off + at, &n32, 4);
	return 0;
}

static int from_json(const json_t *j, struct mpb_value *v, int depth, struct mpb_diag *d)
{
	memset(v, 0, sizeof *v);
	if (depth > MPB_VALUE_MAX_DEPTH)
		return mpb_fail(d, MPB_ERUN, "json codec: value nested deeper than %d", MPB_VALUE_MAX_DEPTH);
	switch (json_typeof(j)) {
	case JSON_NULL:
		return 0;
	case JSON_INTEGER:
		*v = mpb_value_int((uint64_t)(int64_t)json_integer_value(j));
		return 0;
	case JSON_REAL:
		*v = mpb_value_float(json_real_value(j));
		return 0;
	case JSON_OBJECT: {
		const char *hex;
		uint64_t bits;
		char *end;
		if (json_object_size(j) != 1 || json_unpack((json_t *)j, "{s:s}", "float_bits", &hex) < 0 ||
		    strncmp(hex, "0x", 2) != 0 || strlen(hex) != 18)
			return mpb_fail(d, MPB_ERUN, "json codec: an object that is not {\"float_bits\": \"0x...\"}");
		bits = strtoull(hex + 2, &end, 16);
		if (*end)
			return mpb_fail(d, MPB_ERUN, "json codec: bad float_bits '%s'", hex);
		v->type = MPB_VAL_FLOAT;
		memcpy(&v->as.f, &bits, 8);
		return 0;
	}
	case JSON_STRING: {
		int rc = b64_decode(json_string_value(j), json_string_length(j), v);
		if (rc == -2)
			return mpb_fail(d, MPB_ENOMEM, "json codec: out of memory");
		if (rc < 0)
			return mpb_fail(d, MPB_ERUN, "json codec: a string that is not base64");
		return 0;
	}
	case JSON_ARRAY: {
		size_t n = json_array_size(j);
		if (mpb_value_set_list(v, n) < 0)
			return mpb_fail(d, MPB_ENOMEM, "json codec: out of memory");
		for (size_t i = 0; i < n; i++) {
			int rc = from_json(json_array_get(j, i), &v->as.list.items[i], depth + 1, d);
			if (rc < 0) {
				mpb_value_clear(v);
				return rc;
			}
		}
		return 0;
	}
	default:
		return mpb_fail(d, MPB_ERUN, "json codec: true/false are not values");
	}
}

static int json_decode(struct mpb_reader *r, struct mpb_value *v, struct mpb_diag *d)
{
	uint32_t n;
	const uint8_t *p;
	memset(v, 0, sizeof *v);
	if (mpb_rd_u32(r, &n) < 0 || mpb_rd_bytes(r, n, &p) < 0)
		return mpb_fail(d, MPB_ERUN, "json codec: truncated value");
	json_error_t err;
	json_t *j = json_loadb((const char *)p, n, JSON_DECODE_ANY, &err);
	if (!j)
		return mpb_fail(d, MPB_ERUN, "json codec: malformed JSON at byte %d: %s",
				err.position, err.text);
	int rc = from_json(j, v, 0, d);
	json_decref(j);
	return rc;
}

const struct mpb_codec_ops mpb_codec_json = {
	.name = "json",
	.summary = "JSON text via jansson (bytes as base64): a heavy, structured serializer, like pickle",
	.encode = json_encode,
	.decode = json_decode,
};
