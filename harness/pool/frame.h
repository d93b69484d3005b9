/* frame.h — the length-prefixed frame protocol between the pool and its
 * workers. A frame is an 8-byte header {u32 payload length, u8 type, 3 zero
 * bytes} followed by the payload. The parent side parses frames out of a
 * buffer filled by non-blocking reads (mpb_frame_parse); the worker side uses
 * blocking helpers that survive partial reads/writes and EINTR. */
#ifndef MPB_FRAME_H
#define MPB_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "counters.h"
#include "diag.h"

#define MPB_FRAME_HEADER 8u
#define MPB_FRAME_MAX_PAYLOAD (1u << 30)

enum mpb_frame_type {
	MPB_FRAME_HELLO = 1,   /* parent → worker: configuration (spawned workers) */
	MPB_FRAME_READY = 2,   /* worker → parent: u32 index, u64 pid, u64 ready_ns, then the
	                          start-up timeline: u64 running_ns (mpb_worker_main
	                          entered), u64 counted_ns (counters open); CLOCK_MONOTONIC;
	                          u64 faults (page faults taken so far, getrusage); u32 cpu
	                          (sched_getcpu, UINT32_MAX unknown: the parent's wake order, wake.h) */
	MPB_FRAME_TASKS = 3,   /* parent → worker: u64 first, u32 count, count encoded args */
	MPB_FRAME_RESULTS = 4, /* worker → parent: u64 first, u32 count, u64 compute_ns,
	                          u64 codec_ns, u32 cpu (as READY's), count encoded results */
	MPB_FRAME_STOP = 5,    /* parent → worker: finish and say BYE, then exit at EOF */
	MPB_FRAME_BYE = 6,     /* worker → parent: struct mpb_frame_bye */
	MPB_FRAME_ERROR = 7,   /* worker → parent: u64 task index, message bytes */
	MPB_FRAME_TYPE_MAX = 7,
};

struct mpb_frame {
	uint8_t type;
	const uint8_t *payload; /* points into the buffer parsed */
	uint32_t len;
};

/* Totals a worker reports when it stops (its own view; see pool.h). */
struct mpb_frame_bye {
	uint64_t tasks, compute_ns, codec_ns, idle_ns;
	uint64_t send_ns;  /* in the transport sending results (blocked while the parent lags) */
	uint64_t serve_ns; /* READY sent → BYE built: the window the times above lie in */
	uint64_t nvcsw, nivcsw, minflt, majflt, maxrss_kb;
	/* /proc/self/smaps_rollup just before BYE; all 0 when not measured
	 * (threads share the harness's memory: nothing of their own to report) */
	uint64_t rss_kb, pss_kb, private_dirty_kb;
	/* the worker's own perf counters, read just before BYE (counters.h);
	 * n = 0 when it counted nothing */
	struct mpb_counts counters;
	/* the harness's own work inside a timed window: opening the counters
	 * before READY (what else it reads, it reads after STOP, untimed) */
	uint64_t instrumentation_ns;
	/* the CPU it said goodbye on (as READY's cpu) */
	uint64_t cpu;
};

/* Start a frame of `type` in out; returns the header's position among the
 * unsent bytes (for _end), or -1. */
long mpb_frame_begin(struct mpb_buf *out, uint8_t type);
/* Patch the payload length of the frame begun at `start`; -1 when too long. */
int mpb_frame_end(struct mpb_buf *out, long start);

/* Parse one frame from p[0..len): returns 1 and fills f/used when complete,
 * 0 when more bytes are needed, negative (d set) on a bad type, a nonzero
 * reserved byte or a length above MPB_FRAME_MAX_PAYLOAD. */
int mpb_frame_parse(const uint8_t *p, size_t len, struct mpb_frame *f, size_t *used,
		    struct mpb_diag *d);

/* Blocking: write all n bytes (retries partial writes and EINTR). 0 or -errno. */
int mpb_io_write_all(int fd, const void *p, size_t n);
/* Blocking: read one whole frame into buf (reset first) and parse it.
 * Returns 1 on a frame, 0 on EOF before any byte, negative (d set) on error
 * or EOF inside a frame. */
int mpb_frame_read(int fd, struct mpb_buf *buf, struct mpb_frame *f, struct mpb_diag *d);

#endif
