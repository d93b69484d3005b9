/* jsonreal.h — real numbers in JSON text in their shortest form that reads
 * back as the same double ("0.1", not jansson's %.17g "0.10000000000000001"),
 * as Python's repr and JavaScript write them: the results file stays exact
 * and becomes readable. jansson 2.14 has no hook for its number format, so
 * the text json_dumps wrote is rewritten (output/results.c).
 */
#ifndef MPB_JSONREAL_H
#define MPB_JSONREAL_H

#include <stddef.h>

/* Rewrite, in place, every real number (a number token with '.', 'e' or
 * 'E') outside the strings of the JSON text `text` as the fewest significant
 * digits (%.Ng, N from 1 to 17) that strtod reads back as the same double,
 * exponent without '+' or leading zeros, ".0" added when it would look like
 * an integer; a token whose short form would be longer is kept. Integers
 * and strings are untouched. Returns the new length (text stays
 * NUL-terminated). */
size_t mpb_jsonreal_shorten(char *text);

#endif
