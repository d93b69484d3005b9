/* fuzz_frame.c — fuzz target: the frame parser the parent runs on every byte
 * a worker sends (mpb_frame_parse), the HELLO decoder a spawned worker runs
 * on what the harness sends (mpb_worker_spec_decode) and the blocking reader
 * (mpb_frame_read) over a pipe. Properties: a frame is never reported past
 * the input's end, and parsing consumes input or stops. */
#include "fuzz.h"

#include <string.h>
#include <unistd.h>

#include "frame.h"
#include "worker_spec.h"

static void parse_all(const uint8_t *data, size_t size)
{
	size_t off = 0;
	while (off < size) {
		struct mpb_frame f;
		size_t used = 0;
		struct mpb_diag d = { 0 };
		int rc = mpb_frame_parse(data + off, size - off, &f, &used, &d);
		if (rc <= 0) {
			fuzz_check(rc == 0 || d.msg[0] != '\0'); /* a refusal says why */
			return;
		}
		fuzz_check(used >= MPB_FRAME_HEADER && used <= size - off);
		fuzz_check(f.payload + f.len == data + off + used);
		if (f.type == MPB_FRAME_HELLO) {
			struct mpb_worker_spec h;
			(void)mpb_worker_spec_decode(f.payload, f.len, &h, &d);
		}
		off += used;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	parse_all(data, size);
	/* every payload as a HELLO too: the decoder must not trust its lengths */
	struct mpb_worker_spec h;
	struct mpb_diag d = { 0 };
	(void)mpb_worker_spec_decode(data, size, &h, &d);
	/* the worker's blocking reader, through a pipe (inputs fit its buffer),
	 * on the first frame. It reserves what a header announces before
	 * reading (the parent is trusted to send what it announces): only a
	 * header within the input, or each run would allocate up to 1 GiB */
	uint32_t first = 0;
	if (size >= 4)
		memcpy(&first, data, 4);
	int p[2];
	if (size <= 32768 && first <= size && pipe(p) == 0) {
		if (write(p[1], data, size) == (ssize_t)size) {
			close(p[1]);
			struct mpb_buf b = { 0 };
			struct mpb_frame f;
			/* one frame: the next header may announce up to 1 GiB */
			(void)mpb_frame_read(p[0], &b, &f, &d);
			mpb_buf_free(&b);
		} else {
			close(p[1]);
		}
		close(p[0]);
	}
	return 0;
}
