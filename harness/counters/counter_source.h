/* counter_source.h — where counter values come from: one ops struct that
 * encodes an event name and opens, enables, reads and closes one counter.
 *
 * The counters module (counters.c) does the grouping, the fallbacks, the
 * scaling and the bookkeeping through these five calls only, so every rule it
 * applies can be tested without a PMU by a fake source (tests/test_counters.c
 * injects one that fails and multiplexes on demand). The real source is
 * mpb_counter_source_perf (counter_source_perf.c): libpfm4 for the names,
 * perf_event_open(2) for the rest.
 */
#ifndef MPB_COUNTER_SOURCE_H
#define MPB_COUNTER_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* struct perf_event_attr's exclude_* and precise_ip bits, as flags. */
enum {
	MPB_CSPEC_EXCLUDE_USER = 1u << 0,
	MPB_CSPEC_EXCLUDE_KERNEL = 1u << 1,
	MPB_CSPEC_EXCLUDE_HV = 1u << 2,
	MPB_CSPEC_EXCLUDE_IDLE = 1u << 3,
	MPB_CSPEC_EXCLUDE_HOST = 1u << 4,
	MPB_CSPEC_EXCLUDE_GUEST = 1u << 5,
	MPB_CSPEC_PRECISE_SHIFT = 8,         /* two bits of precise_ip */
	MPB_CSPEC_PRECISE_MASK = 3u << 8,
};

/* One encoded event: what perf_event_attr needs to count it. Plain data, so
 * it can cross into workers that are fresh images (spawn) or forks of an
 * older process (forkserver). */
struct mpb_counter_spec {
	uint32_t type;      /* PERF_TYPE_* or a dynamic PMU type */
	uint32_t flags;     /* MPB_CSPEC_* */
	uint64_t config, config1, config2;
};

struct mpb_counter_source {
	const char *name;
	void *ctx;          /* passed to every call */
	/* Encode an event name (with libpfm4 modifiers) counting user and
	 * kernel unless the name says otherwise. 0; -ENOENT when no PMU of
	 * this machine knows the name; -EINVAL for a bad modifier; another
	 * -errno when the encoder itself cannot work. why gets the encoder's
	 * own words on failure. */
	int (*encode)(void *ctx, const char *event, struct mpb_counter_spec *spec, char *why,
		      size_t why_len);
	/* Open a counter on the calling thread (any CPU), close-on-exec,
	 * hypervisor excluded, reading {value, time_enabled, time_running}.
	 * group_fd is the leader's descriptor or -1; a leader may be opened
	 * disabled. Returns a descriptor >= 0 or -errno. */
	int (*open)(void *ctx, const struct mpb_counter_spec *spec, int group_fd, bool disabled);
	/* Enable or disable the group led by fd. 0 or -errno. */
	int (*enable)(void *ctx, int fd, bool on);
	/* v[0] value, v[1] time enabled (ns), v[2] time running (ns). 0 or -errno. */
	int (*read)(void *ctx, int fd, uint64_t v[3]);
	void (*close)(void *ctx, int fd);
	/* Drop what encode loaded to encode names, or NULL: called once a set
	 * of names is encoded (mpb_counters_resolve), since the process that
	 * forks the workers must not carry it (counter_source_perf.c). The next
	 * encode loads it again. */
	void (*release)(void *ctx);
};

/* libpfm4 + perf_event_open. Its encode loads and initialises libpfm4 on
 * first use; release unloads it. */
extern const struct mpb_counter_source mpb_counter_source_perf;
/* The perf_event_attr of an encoded event, as every mpbench counter opens it
 * (read format with the enabled/running times, hypervisor excluded); callers
 * add how it is attached (disabled, inherit, enable_on_exec). */
struct perf_event_attr;
void mpb_counter_spec_attr(const struct mpb_counter_spec *spec, struct perf_event_attr *attr);

#endif
