/* counters.h — perf-event counters: which events, grouped how, available or
 * not and why, and the counting of one thread.
 *
 * Design: every thread that does the pool's work counts itself.
 *  - The harness counts its own (main) thread from just before pool start
 *    to just after pool stop (mpb_counters_scope_begin/_end around a run):
 *    the parent's side of fork/posix_spawn, dispatch, decoding, reaping.
 *  - Every worker, whatever its start method, counts itself from the entry
 *    of mpb_worker_main (before its workload setup and READY) to just
 *    before its BYE, and sends the readings in the BYE frame. The plan it
 *    opens reaches it through its worker arguments: in memory for fork and
 *    thread workers, and in its worker spec (worker_spec.h) for forkserver
 *    workers (forks of the server, not of the harness) and spawned images.
 *  - A run's total is harness + all workers; both scopes and every worker
 *    are recorded. Counters are opened with pid 0 and no inheritance, so
 *    each counts exactly one thread: thread workers never double-count with
 *    the harness, and nothing is counted twice through a fork.
 * Why not inheritance: an inherited counter folds every child into the
 *    parent's count, so per-worker and harness-only figures are lost; it
 *    cannot reach forkserver workers, which descend from a process started
 *    before the counters; and a counter's children are only folded in when
 *    they exit, which ties reads to the reaping order. Self-counting gives
 *    every method the same window, needs no permission over another process
 *    (opening by pid would) and no pid that could be reused.
 * What the windows leave out: a worker's own side of its creation (the
 *    child's return from fork, exec and dynamic loading for spawn) and of
 *    its exit. The wait4 rusage of each worker covers its whole life, so the
 *    voluntary/involuntary context switches recorded beside the counters are
 *    a superset, which is what the cross-check expects.
 *
 * Groups are decided once, before any worker starts (mpb_counters_resolve):
 * {cycles, instructions} together, so that IPC comes from one schedule; all
 * software events in one group (they never compete for hardware counters);
 * every other event alone, so it multiplexes on its own. Availability is
 * probed by opening each event for real on the calling thread: EACCES is
 * retried user-space only (exclude_kernel), as perf_event_paranoid >= 2
 * demands of unprivileged users; a group that cannot be opened together is
 * split into separate events. Reads carry time_enabled and time_running:
 * values are scaled by enabled/running and the coverage running/enabled is
 * kept; a counter that never ran (coverage 0) is "not counted", never 0.
 */
#ifndef MPB_COUNTERS_H
#define MPB_COUNTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>

#include "counter_source.h"
#include "diag.h"

#define MPB_COUNTERS_MAX 16
#define MPB_COUNTER_NAME_MAX 64
#define MPB_COUNTER_REASON_MAX 224

/* The default set, as accepted by --counters. */
#define MPB_COUNTERS_DEFAULT "instructions,cycles,context-switches,cpu-migrations,page-faults,task-clock"

/* Room for the text of any plan (mpb_counters_plan_format). */
#define MPB_COUNTERS_PLAN_TEXT_MAX (16 + MPB_COUNTERS_MAX * 96)

/* What a counting thread opens: the available events and their groups.
 * Plain data (crosses process boundaries by copy). */
struct mpb_counter_plan {
	uint32_t n;
	uint32_t leader[MPB_COUNTERS_MAX];    /* index of the event's group leader; itself when
						 it leads (or stands alone) */
	struct mpb_counter_spec ev[MPB_COUNTERS_MAX];
};

enum mpb_count_state {
	MPB_COUNT_ABSENT = 0,   /* nothing was opened (no plan, or not this event) */
	MPB_COUNT_OK = 1,       /* read: value/enabled/running are the kernel's */
	MPB_COUNT_FAILED = 2,   /* open or read failed with err */
};

/* One counter of one thread, as read (unscaled). */
struct mpb_count {
	uint64_t value, enabled_ns, running_ns;
	int32_t state;          /* enum mpb_count_state */
	int32_t err;            /* errno of the failure, 0 otherwise */
};

/* One thread's readings of a plan: c[i] is plan event i. Plain data: it
 * travels in the BYE frame. */
struct mpb_counts {
	uint32_t n;
	uint32_t split;         /* bit i: event i could not join its group here */
	struct mpb_count c[MPB_COUNTERS_MAX];
};

/* A count scaled for multiplexing: value · enabled / running. Returns 1
 * (counted: *value and *coverage = running / enabled set), 0 when it was
 * opened but never ran (coverage 0: not counted), -1 when absent or failed. */
int mpb_count_scaled(const struct mpb_count *c, double *value, double *coverage);

/* One requested event after resolution. */
struct mpb_counter_event {
	char name[MPB_COUNTER_NAME_MAX];   /* as given to --counters */
	char key[MPB_COUNTER_NAME_MAX];    /* its key in a run's "counters": the schema name
					      (instructions, cycles, context_switches,
					      cpu_migrations, page_faults, task_clock_ns) for
					      those, else the name as given */
	struct mpb_counter_spec spec;      /* as opened (exclude_kernel added when the kernel
					      demanded it) */
	bool available;
	bool user_only;                    /* counted in user space only: asked for (":u") or
					      demanded by perf_event_paranoid (then a note) */
	bool is_time;                      /* a clock: the value is in ns */
	int plan_index;                    /* in set.plan; -1 when unavailable */
	char reason[MPB_COUNTER_REASON_MAX]; /* why unavailable; "" when available */
	char note[MPB_COUNTER_REASON_MAX];   /* about an available one: user space only,
						counted apart from its group; "" when none */
};

struct mpb_counter_set {
	size_t n;
	struct mpb_counter_event ev[MPB_COUNTERS_MAX];
	struct mpb_counter_plan plan;      /* the available events, grouped */
	const struct mpb_counter_source *src; /* what the harness counts itself with */
	int paranoid;                      /* as given to resolve (for messages) */
	bool none;                         /* --counters none */
};

/* Turn a --counters value into a set: "none", "default", or a comma-
 * separated list of libpfm4 event names in which "default" stands for the
 * default set. Each event is encoded (an unknown or malformed name, a
 * duplicate, an empty item or more than MPB_COUNTERS_MAX events fail with
 * -MPB_EINPUT naming it), then probed by opening it on the calling thread;
 * an event that cannot be opened stays in the set as unavailable with its
 * reason — that is not an error. `paranoid` is perf_event_paranoid (for
 * the reasons; -100 when unknown). The set keeps src. */
int mpb_counters_resolve(const char *list, const struct mpb_counter_source *src, int paranoid,
			 struct mpb_counter_set *set, struct mpb_diag *d);

/* The set's event whose key is `key`, or NULL. */
const struct mpb_counter_event *mpb_counters_find_key(const struct mpb_counter_set *set,
						      const char *key);

/* The recorded reason for a failed open: errno → words ("no hardware PMU
 * ... (ENOENT)", "perf_event_paranoid=2 ... (EACCES)", "... (EPERM)",
 * "... (EOPNOTSUPP)", ...). One line. */
void mpb_counters_reason(int err, int paranoid, char *buf, size_t len);

/* The name of an errno that these reasons cite ("EPERM", "ENOSYS", ...), or
 * NULL for one they do not know. */
const char *mpb_counters_errno_name(int err);

/* The counters one thread has open. Zero-initialised means "nothing open":
 * read then yields n = 0 and close does nothing. */
struct mpb_counter_handle {
	const struct mpb_counter_source *src;
	uint32_t n;
	uint32_t split;                    /* bit i: event i opened outside its group */
	int fd[MPB_COUNTERS_MAX];          /* -1 when not open */
	int err[MPB_COUNTERS_MAX];         /* errno when the open failed */
	bool lead[MPB_COUNTERS_MAX];       /* fd i leads a group (or stands alone) */
};

/* Open plan p on the calling thread and start counting. Groups open
 * together; when a member cannot join its group, the whole group falls back
 * to separate counters. Never fails as a whole: an event that cannot be
 * opened is read back as MPB_COUNT_FAILED with its errno. Returns how many
 * counters are open. */
int mpb_counters_open(struct mpb_counter_handle *h, const struct mpb_counter_plan *p,
		      const struct mpb_counter_source *src);
/* Stop every group at once, then read each counter into out (out->n = h->n). */
void mpb_counters_read(struct mpb_counter_handle *h, struct mpb_counts *out);
/* Close whatever is open; the handle is "nothing open" afterwards. */
void mpb_counters_close(struct mpb_counter_handle *h);

/* What the harness records about its own thread over one run: its counter
 * readings and its rusage (RUSAGE_THREAD) difference. */
struct mpb_scope_counts {
	struct mpb_counts perf;
	uint64_t nvcsw, nivcsw, minflt, majflt;
};

struct mpb_counter_scope {
	struct mpb_counter_handle h;
	struct rusage ru0;
	bool have_ru;
};

/* Start counting the calling thread with set's plan (set may be NULL or
 * empty: then only rusage is taken). */
void mpb_counters_scope_begin(struct mpb_counter_scope *sc, const struct mpb_counter_set *set);
/* Read, close, and fill out (may be NULL: only close). */
void mpb_counters_scope_end(struct mpb_counter_scope *sc, struct mpb_scope_counts *out);

/* The plan as one line of text ("1;<n>;type,flags,config,config1,config2,leader;...",
 * hex numbers), for a worker spec (worker_spec.h). 0, or -1 when len is too small. */
int mpb_counters_plan_format(const struct mpb_counter_plan *p, char *buf, size_t len);
/* Parse that text strictly; 0 or -1 (p is then empty). */
int mpb_counters_plan_parse(const char *text, struct mpb_counter_plan *p);

#endif
