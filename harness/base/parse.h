/* parse.h — syntax of command-line values: numbers with suffixes, lists.
 *
 * Every function returns 0 or a negative MPB_E* code with a one-line message
 * in the diagnostic that names the offending text and what is accepted.
 * `what` names the option or field (e.g. "-s/--sizes") for that message.
 */
#ifndef MPB_PARSE_H
#define MPB_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"

enum mpb_unit {
	MPB_UNIT_COUNT,  /* plain integer; suffixes k, M, G = 10^3, 10^6, 10^9 */
	MPB_UNIT_BYTES,  /* plain integer or B; KiB MiB GiB TiB (and bare k/K M G T) = 2^10.. ;
	                    kB MB GB TB = 10^3.. */
	MPB_UNIT_USEC,   /* plain integer = microseconds; suffixes us, ms, s */
};

/* Parse one unsigned integer with optional suffix per `unit`, then check
 * min <= value <= max. Rejects empty text, signs, garbage, overflow, trailing
 * junk and whitespace. Example error: "-s/--sizes: '5Q' is not a count
 * (accepted: an integer with optional suffix k, M or G)". On failure *out is
 * left as it was. */
int mpb_parse_u64(const char *text, enum mpb_unit unit, uint64_t min, uint64_t max,
		  const char *what, uint64_t *out, struct mpb_diag *d);

/* Split a comma-separated list into newly allocated strings. Empty items
 * ("1,,2", "", trailing comma) and an item given twice are errors. On success *items and *n are set and
 * the caller frees with mpb_parse_list_free. */
int mpb_parse_list(const char *text, const char *what, char ***items, size_t *n,
		   struct mpb_diag *d);
void mpb_parse_list_free(char **items, size_t n);

/* Parse a comma-separated list of numbers (each as mpb_parse_u64) into a newly
 * allocated array (caller frees with free()). Two items of the same value
 * ("1k,1000") are an error, as a repeated item is in mpb_parse_list. */
int mpb_parse_u64_list(const char *text, enum mpb_unit unit, uint64_t min, uint64_t max,
		       const char *what, uint64_t **out, size_t *n, struct mpb_diag *d);

/* Longest output of mpb_format_u64, NUL included. */
#define MPB_FMT_U64_LEN 32

/* Format v with the unit's largest exact suffix ("5M", "64KiB", "250ms") into buf. */
void mpb_format_u64(uint64_t v, enum mpb_unit unit, char *buf, size_t len);

/* v rounded up to `digits` (1 to 18) significant digits counted in the
 * largest of the unit's suffixes in which v has that many integer digits
 * (v itself when it has fewer), so that mpb_format_u64 writes it as an
 * integer with that suffix, which mpb_parse_u64 reads back: 1320498 with
 * 3 digits is 1330000, "1330k"; 5.37 MiB is 5500 KiB. v itself when the
 * rounded value would not fit in 64 bits. */
uint64_t mpb_round_up_u64(uint64_t v, enum mpb_unit unit, unsigned digits);

/* An estimate v (>= 0) rounded up with mpb_round_up_u64 and formatted with
 * mpb_format_u64, for "-s SIZE" a user can paste back. */
void mpb_format_round_up(double v, enum mpb_unit unit, unsigned digits, char *buf, size_t len);

#endif
