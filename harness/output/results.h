/* results.h — the results document (schema mpbench.results/1): built from a
 * sweep, written atomically (temporary file, fsync, rename, fsync of the
 * directory) so the file on disk is always a complete JSON document, and read
 * back with validation. Field meanings: results/README.md. */
#ifndef MPB_RESULTS_H
#define MPB_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "dataset_load.h"
#include "diag.h"


struct mpb_dataset;
struct mpb_machine;

/* The whole document for the sweep as it stands. NULL on ENOMEM. */
json_t *mpb_results_build(const struct mpb_dataset *s);

/* The `tool` object: name, version, git, and how b was built (machine/
 * build.h; b NULL: without). NULL on ENOMEM. */
struct mpb_build;
json_t *mpb_results_tool(const struct mpb_build *b);

/* An unsigned count in a results document: an integer, or above INT64_MAX
 * (which JSON readers cannot hold exactly) a number. */
json_t *mpb_results_u64(uint64_t v);

/* A failure's error_kind as the results write it: null unless failed (a
 * state from before the field, or filled by hand, without one says
 * "other"). */
json_t *mpb_results_error_kind(bool failed, const char *kind);

/* Replace `path` with doc atomically. The previous file survives any
 * failure. 0 or -MPB_EIO with the reason. */
int mpb_results_write(const char *path, json_t *doc, struct mpb_diag *d);

/* Check, before any run, that `path` can be written: its directory exists and
 * takes a new file, and path is not a directory. Leaves nothing behind.
 * 0 or -MPB_EINPUT naming the path. */
int mpb_results_check_path(const char *path, struct mpb_diag *d);

/* results/<host>-<UTC yyyymmddThhmmssZ>.json, creating results/ if missing.
 * 0 or -MPB_EINPUT. */
int mpb_results_default_path(const struct mpb_machine *m, char *buf, size_t len,
			     struct mpb_diag *d);

/* Read and validate a results file: JSON object, schema string equal to
 * MPB_RESULTS_SCHEMA, "machine" object, "points" and "baselines" arrays whose
 * entries are objects with the axis keys. On success *out owns the document.
 * Errors name the file and the problem: -MPB_EINPUT. */
int mpb_results_load(const char *path, json_t **out, struct mpb_diag *d);

#endif
