/* worker_spec.h — everything a worker in another process image needs to
 * know, as bytes: one encoding shared by the start methods whose workers do
 * not inherit the pool's memory as it is when the pool starts. `spawn` sends
 * it in the HELLO frame (method_spawn.c, worker_main.c); `forkserver` sends
 * it in its START request (forkserver.h). fork and thread workers get their
 * struct mpb_worker_args in memory and never see this.
 *
 * Layout (host byte order, like every frame): u32 version, u32 worker index,
 * u64 parent pid, then the workload, codec and transport names (each u32
 * length + bytes, no NUL), u64 size, u64 tasks, u64 seed, u64 result_size
 * (struct mpb_workload_params), and the counter plan as the text of
 * mpb_counters_plan_format (u32 length + bytes; length 0: count nothing).
 * The version lets a worker built from another mpbench refuse a spec it
 * would misread instead of running the wrong thing.
 */
#ifndef MPB_WORKER_SPEC_H
#define MPB_WORKER_SPEC_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "counters.h"
#include "diag.h"
#include "worker.h"
#include "workload.h"

#define MPB_WORKER_SPEC_VERSION 2u
/* Where a spawned worker finds the write end of its exit pipe, when its
 * pool made one (method_proc.h): after the transport's channel. */
#define MPB_WORKER_EXIT_FD 6
/* Longest registered name: registered names are short identifiers. */
#define MPB_WORKER_SPEC_NAME_MAX 64u

struct mpb_worker_spec {
	uint32_t index;                               /* the worker's slot */
	uint64_t parent_pid;                          /* for the worker's orphan check */
	char workload[MPB_WORKER_SPEC_NAME_MAX + 1];  /* registry names, NUL-terminated */
	char codec[MPB_WORKER_SPEC_NAME_MAX + 1];
	char transport[MPB_WORKER_SPEC_NAME_MAX + 1];
	struct mpb_workload_params params;
	struct mpb_counter_plan counters;             /* n = 0: count nothing */
};

/* Fill s from the in-memory arguments of a worker (names from the ops
 * structs, parameters and counter plan copied) and the pid of the process
 * that will be the worker's parent. */
void mpb_worker_spec_from_args(struct mpb_worker_spec *s, const struct mpb_worker_args *a,
			       uint64_t parent_pid);

/* Append the encoding of s to out (the caller frames it). Fails with
 * MPB_EINPUT for an empty, overlong or non-printable name or a counter plan
 * that does not format, MPB_ENOMEM when out cannot grow (out may then hold a
 * partial encoding). */
int mpb_worker_spec_encode(const struct mpb_worker_spec *s, struct mpb_buf *out,
			   struct mpb_diag *d);

/* Append a HELLO frame carrying the spec of a (mpb_worker_spec_from_args)
 * to out; on failure out is as it was. MPB_ENOMEM, or as encode. */
int mpb_worker_spec_put_hello(const struct mpb_worker_args *a, uint64_t parent_pid,
			      struct mpb_buf *out, struct mpb_diag *d);

/* Decode exactly len bytes at p into s. Truncated input, trailing bytes, a
 * foreign version, a name that is empty, longer than MPB_WORKER_SPEC_NAME_MAX
 * or holds a byte outside printable ASCII, and a malformed counter plan fail
 * with MPB_ERUN and a message that starts with "worker spec:"; nothing is
 * read past p + len. s is unspecified after a failure. */
int mpb_worker_spec_decode(const uint8_t *p, size_t len, struct mpb_worker_spec *s,
			   struct mpb_diag *d);

/* Look the names of s up in the registries and fill the parts of a that s
 * determines: index, workload (checked), codec, transport, wparams and
 * counters (pointing into s, which must outlive a). Descriptors, chan,
 * chan_fd and rusage_who are the caller's. MPB_ERUN naming what is unknown
 * (harness and worker from different builds) or why the workload is bad. */
int mpb_worker_spec_resolve(const struct mpb_worker_spec *s, struct mpb_worker_args *a,
			    struct mpb_diag *d);

#endif
