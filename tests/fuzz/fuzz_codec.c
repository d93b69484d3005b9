/* fuzz_codec.c — fuzz target: every byte codec in the registry (raw, json,
 * ...; codecs that pass pointers are skipped: their bytes are addresses).
 * The first input byte picks the codec, the rest is decoded value after
 * value, as the parent decodes a RESULTS frame. Property: whatever decodes
 * re-encodes, and decoding that gives the same value back (bit for bit). */
#include "fuzz.h"

#include "buf.h"
#include "codec.h"
#include "value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n;
	const struct mpb_codec_ops *const *all = mpb_codec_all(&n);
	if (size < 1 || n == 0)
		return 0;
	const struct mpb_codec_ops *c = all[data[0] % n];
	if (c->flags & MPB_CODEC_BY_REF)
		return 0;
	struct mpb_reader r = { data + 1, size - 1 };
	for (int k = 0; k < 64 && r.left > 0; k++) {
		struct mpb_value v = { 0 }, again = { 0 };
		struct mpb_diag d = { 0 };
		size_t before = r.left;
		if (c->decode(&r, &v, &d) < 0) {
			fuzz_check(d.msg[0] != '\0');
			mpb_value_clear(&v);
			break;
		}
		fuzz_check(r.left < before); /* progress: no endless loop on a frame */
		struct mpb_buf b = { 0 };
		if (c->encode(&v, &b, &d) == 0) {
			struct mpb_reader r2 = { b.data, b.len };
			fuzz_check(c->decode(&r2, &again, &d) == 0);
			fuzz_check(r2.left == 0);
			fuzz_check(mpb_value_equal(&v, &again));
		}
		mpb_buf_free(&b);
		mpb_value_clear(&v);
		mpb_value_clear(&again);
	}
	return 0;
}
