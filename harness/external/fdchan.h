/* fdchan.h — the MPBENCH_FD reporting channel of the `cmd` workload.
 *
 * A command run by mpbench finds a writable descriptor's number in the
 * environment variable MPBENCH_FD and may write one JSON object per line to
 * it, e.g. {"startup_ns": 81234567, "map_ns": 912345678}. The harness feeds
 * whatever it reads into a channel (mpb_fdchan_feed, in pieces of any size)
 * and the channel sorts the lines:
 *  - accepted fields (mpb_fdchan_fields: phase timings in ns, byte counts;
 *    non-negative numbers) are kept in `reported`; a later line's value
 *    replaces an earlier one's;
 *  - any other key is kept, value as given, in `extra` (at most
 *    MPB_FDCHAN_MAX_EXTRA keys);
 *  - a malformed line (not JSON, not an object, an accepted field that is not
 *    a non-negative number) or one longer than MPB_FDCHAN_LINE_MAX bytes is
 *    ignored as a whole and reported in `errors` ("line 3: ..."; the first
 *    MPB_FDCHAN_MAX_ERRORS messages, all of them counted).
 * Blank lines are skipped; a last line without a newline counts once
 * mpb_fdchan_finish is called. Nothing here prints or reads descriptors. */
#ifndef MPB_FDCHAN_H
#define MPB_FDCHAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define MPB_FDCHAN_ENV "MPBENCH_FD"
#define MPB_FDCHAN_LINE_MAX 65536
#define MPB_FDCHAN_MAX_ERRORS 16
#define MPB_FDCHAN_MAX_EXTRA 64

/* The accepted fields, NULL-terminated: startup_ns, map_ns, teardown_ns,
 * compute_ns, serialize_ns, codec_parent_ns, codec_workers_ns, bytes_sent,
 * bytes_received. */
extern const char *const mpb_fdchan_fields[];

struct mpb_fdchan {
	char *line;            /* the line being collected */
	size_t len, cap;
	bool overlong;         /* the current line passed the limit: skip to '\n' */
	uint64_t lineno;       /* lines seen (blank ones included) */
	uint64_t accepted;     /* lines taken */
	uint64_t rejected;     /* lines ignored */
	json_t *reported;      /* {field: integer} */
	json_t *extra;         /* {key: any} */
	json_t *errors;        /* ["line N: why", ...] */
};

/* 0, or -1 when out of memory. */
int mpb_fdchan_init(struct mpb_fdchan *c);
/* Take n more bytes. 0, or -1 when out of memory. */
int mpb_fdchan_feed(struct mpb_fdchan *c, const char *data, size_t n);
/* End of input: a pending line without its newline is handled. */
int mpb_fdchan_finish(struct mpb_fdchan *c);
/* The accepted value of `field`, or false when the program did not report it. */
bool mpb_fdchan_get(const struct mpb_fdchan *c, const char *field, uint64_t *value);
/* {reported, extra, lines, lines_ignored, errors} as a new object; NULL on ENOMEM. */
json_t *mpb_fdchan_json(const struct mpb_fdchan *c);
void mpb_fdchan_free(struct mpb_fdchan *c);

#endif
