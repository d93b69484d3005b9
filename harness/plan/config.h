/* config.h — the reader of `--config FILE`: a JSON object whose keys are long
 * option names (without "--") and whose values are what the command line
 * would say: a string, a number, a bool (flags), or an array of strings and
 * numbers (a comma list). Options on the command line override the file.
 *
 * The reader is strict and never trusts the file: it must be a JSON object
 * of at most MPB_CONFIG_MAX_BYTES, without duplicate keys, nulls or nested
 * objects; anything else is an input error naming the file, the key and what
 * is accepted. Which keys exist and what their values mean is the option
 * table's business (options.c), not this file's.
 */
#ifndef MPB_CONFIG_H
#define MPB_CONFIG_H

#include <stddef.h>

#include <jansson.h>

#include "diag.h"

#define MPB_CONFIG_MAX_BYTES (1u << 20)

/* Parse text[0..len) (named `name` in messages) into an object whose values
 * are all strings or true/false: numbers become their decimal text, arrays
 * their comma-joined items. *out is a new reference. 0 or -MPB_EINPUT. */
int mpb_config_parse(const char *text, size_t len, const char *name, json_t **out,
		     struct mpb_diag *d);

/* Read and parse FILE. The object is kept until the process exits, so the
 * strings in it may be borrowed by a struct mpb_config (which never frees
 * its strings). 0, or -MPB_EINPUT when the file cannot be read or is bad. */
int mpb_config_load(const char *path, json_t **out, struct mpb_diag *d);

#endif
