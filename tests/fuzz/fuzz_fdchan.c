/* fuzz_fdchan.c — fuzz target: the MPBENCH_FD channel (fdchan.c), which reads
 * whatever a command run by the `cmd` workload writes. The first byte sets
 * the size of the pieces the input is fed in (as reads of a pipe would cut
 * it). Properties: every line is counted as taken or ignored, at most
 * MPB_FDCHAN_MAX_ERRORS messages are kept, an accepted field reads back as a
 * number, and cutting the input differently changes nothing. */
#include "fuzz.h"

#include <string.h>

#include "fdchan.h"

static json_t *run(const uint8_t *data, size_t size, size_t piece)
{
	struct mpb_fdchan c;
	if (mpb_fdchan_init(&c) < 0)
		return NULL;
	for (size_t off = 0; off < size; off += piece)
		if (mpb_fdchan_feed(&c, (const char *)data + off,
				    size - off < piece ? size - off : piece) < 0)
			break;
	mpb_fdchan_finish(&c);
	fuzz_check(c.accepted + c.rejected <= c.lineno);
	fuzz_check(json_array_size(c.errors) <= MPB_FDCHAN_MAX_ERRORS);
	for (size_t i = 0; mpb_fdchan_fields[i]; i++) {
		uint64_t v;
		if (mpb_fdchan_get(&c, mpb_fdchan_fields[i], &v))
			fuzz_check(json_is_integer(json_object_get(c.reported, mpb_fdchan_fields[i])));
	}
	json_t *j = mpb_fdchan_json(&c);
	mpb_fdchan_free(&c);
	return j;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t piece = 1 + data[0] % 64;
	json_t *a = run(data + 1, size - 1, piece);
	json_t *b = run(data + 1, size - 1, size);
	if (a && b)
		fuzz_check(json_equal(a, b));
	json_decref(a);
	json_decref(b);
	return 0;
}
