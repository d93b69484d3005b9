/* build.h — how this mpbench binary was built (compiler, flags, build type,
 * sanitizers, fault injection), recorded in the results under `tool` and
 * warned about when the build is not one to measure with: a debug build
 * (unoptimized) or a sanitizer build times the harness's own slowness, as
 * Google Benchmark warns of a DEBUG library. The values come from meson
 * (defines of harness/meson.build); a results file's are read back (model/dataset_load.c).
 */
#ifndef MPB_BUILD_H
#define MPB_BUILD_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

struct mpb_build {
	char compiler[64];      /* "gcc 12.2.0"; "" unknown (an older results file) */
	char c_args[256];       /* extra C flags given to meson (c_args) */
	char c_flags[512];      /* the flags that shape the code: -std, -O, -g, -DNDEBUG,
	                           -fsanitize, -D_GNU_SOURCE and c_args; "" unknown */
	char build_type[24];    /* meson buildtype: release, debugoptimized, debug, plain, ... */
	char optimization[8];   /* meson optimization: 0, g, 1, 2, 3, s */
	bool debug;             /* debug info (-g) */
	char sanitize[64];      /* meson b_sanitize: none, address, address,undefined, ... */
	bool fault_injection;   /* MPBENCH_INJECT compiled in (a test build) */
};

/* This binary's build. */
void mpb_build_current(struct mpb_build *b);

/* Set the `tool` object's build fields from b (compiler, c_args, c_flags, build_type,
 * optimization, debug, sanitize, fault_injection); nothing when b's
 * compiler is unknown. 0, or -1 on ENOMEM. */
int mpb_build_to_json(const struct mpb_build *b, json_t *tool);

/* Read them back from a results file's `tool` (missing fields: unknown). */
void mpb_build_from_json(const json_t *tool, struct mpb_build *b);

/* Whether b is not a build to measure with, and why, into msg: unoptimized
 * (optimization 0 or g), sanitizers, fault injection. */
bool mpb_build_unfit(const struct mpb_build *b, char *msg, size_t len);

#endif
