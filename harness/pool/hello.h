/* hello.h — the payload of the HELLO frame, the whole configuration a spawned
 * worker gets: it starts from a fresh image and inherits nothing else.
 *
 * Layout (host byte order, like every frame): u32 version, u32 worker index,
 * u64 parent pid, workload name, codec name (each u32 length + bytes, no NUL),
 * u64 size, u64 tasks, u64 seed. The version lets a worker built from another
 * mpbench refuse a HELLO it would misread instead of running the wrong thing.
 */
#ifndef MPB_HELLO_H
#define MPB_HELLO_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "diag.h"
#include "workload.h"

#define MPB_HELLO_VERSION 1u
/* Longest workload or codec name: registered names are short identifiers. */
#define MPB_HELLO_NAME_MAX 64u

struct mpb_hello {
	uint32_t index;                         /* the worker's slot */
	uint64_t parent_pid;                    /* the harness, for the worker's orphan check */
	char workload[MPB_HELLO_NAME_MAX + 1];  /* NUL-terminated */
	char codec[MPB_HELLO_NAME_MAX + 1];
	struct mpb_workload_params params;
};

/* Append the payload for h to out (the caller frames it). Fails with
 * MPB_EINPUT for an empty, overlong or non-printable name, MPB_ENOMEM when
 * out cannot grow (out may then hold a partial payload). */
int mpb_hello_encode(const struct mpb_hello *h, struct mpb_buf *out, struct mpb_diag *d);

/* Decode exactly len bytes at p into h. Truncated input, trailing bytes, a
 * foreign version, and names that are empty, longer than MPB_HELLO_NAME_MAX or
 * hold a byte outside printable ASCII fail with MPB_ERUN; nothing is read
 * past p + len. h is unspecified after a failure. */
int mpb_hello_decode(const uint8_t *p, size_t len, struct mpb_hello *h, struct mpb_diag *d);

#endif
