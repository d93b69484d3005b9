/* driver.h — runs a plan: warm-up rounds, then measured rounds in which every
 * point and every serial baseline runs once, in an order shuffled per round
 * from --seed, so machine drift spreads over all points instead of biasing
 * one. The results file is rewritten atomically after every measured round.
 * The driver never prints; it reports progress through a callback. */
#ifndef MPB_DRIVER_H
#define MPB_DRIVER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "machine.h"
#include "plan.h"
#include "pool.h"

/* One measured run of a point. */
struct mpb_sample {
	uint64_t wall_ns, startup_ns, map_ns, teardown_ns, compute_ns;
	uint64_t codec_parent_ns, codec_workers_ns, bytes_sent, bytes_received;
	unsigned nworkers;
	struct mpb_worker_report *worker; /* [nworkers], owned */
};

struct mpb_point_state {
	struct mpb_sample *runs;
	size_t nruns, cap;
	bool failed;
	char error[512];
};

struct mpb_baseline_state {
	double *wall_ns;
	size_t n, cap;
	void *wl_state;            /* parent-side workload state (setup) */
	struct mpb_value *args;    /* [tasks], made once */
	bool ready, failed;
	char error[512];
};

struct mpb_sweep {
	/* set by the caller */
	const struct mpb_plan *plan;
	const struct mpb_machine *machine;
	const char *output;              /* results path (NULL: write nothing) */
	int argc;
	char **argv;                     /* full command line, recorded as "command" */
	json_t *options;                 /* resolved options (borrowed reference kept) */
	volatile sig_atomic_t *stop_flag;
	void (*progress)(void *ctx, size_t done, size_t total);
	void *progress_ctx;
	/* filled by the driver */
	void *ballast;                   /* --parent-rss memory, touched */
	size_t ballast_len;
	struct mpb_point_state *pts;
	struct mpb_baseline_state *bls;
	char started[32], finished[32];
	const char *status;              /* "running", "complete", "interrupted", "failed" */
};

/* Run the whole plan. Returns 0 when every point succeeded, -MPB_ERUN when a
 * point failed (recorded; the sweep went on), -MPB_EINTR when interrupted,
 * -MPB_EIO when the results file could not be written. Results collected so
 * far are in the file in every case but the last. */
int mpb_sweep_run(struct mpb_sweep *s, struct mpb_diag *d);
void mpb_sweep_free(struct mpb_sweep *s);

/* Run point `i` once into *out (exposed for tests). */
int mpb_sweep_run_point(struct mpb_sweep *s, size_t i, struct mpb_sample *out,
			struct mpb_diag *d);

#endif
