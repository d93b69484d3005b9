/* parse.c — syntax of command-line values: numbers with suffixes, lists
 * (see parse.h). Nothing here prints; every error goes through mpb_fail. */
#include "parse.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct suffix {
	const char *name;
	uint64_t mult;
};

#define KI UINT64_C(1024)
#define E3 UINT64_C(1000)

/* Suffixes accepted per unit; matching is exact (case-sensitive). */
static const struct suffix count_suffixes[] = {
	{ "k", E3 }, { "K", E3 }, { "M", E3 * E3 }, { "G", E3 * E3 * E3 },
	{ NULL, 0 },
};

static const struct suffix bytes_suffixes[] = {
	{ "B", 1 },
	{ "KiB", KI }, { "MiB", KI * KI }, { "GiB", KI * KI * KI }, { "TiB", KI * KI * KI * KI },
	{ "k", KI }, { "K", KI }, { "M", KI * KI }, { "G", KI * KI * KI }, { "T", KI * KI * KI * KI },
	{ "kB", E3 }, { "MB", E3 * E3 }, { "GB", E3 * E3 * E3 }, { "TB", E3 * E3 * E3 * E3 },
	{ NULL, 0 },
};

static const struct suffix usec_suffixes[] = {
	{ "us", 1 }, { "ms", E3 }, { "s", E3 * E3 },
	{ NULL, 0 },
};

/* Suffixes used by mpb_format_u64, largest first. */
static const struct suffix count_format[] = {
	{ "G", E3 * E3 * E3 }, { "M", E3 * E3 }, { "k", E3 }, { NULL, 0 },
};

static const struct suffix bytes_format[] = {
	{ "TiB", KI * KI * KI * KI }, { "GiB", KI * KI * KI }, { "MiB", KI * KI }, { "KiB", KI },
	{ NULL, 0 },
};

static const struct suffix usec_format[] = {
	{ "s", E3 * E3 }, { "ms", E3 }, { NULL, 0 },
};

static const struct suffix *unit_suffixes(enum mpb_unit unit)
{
	switch (unit) {
	case MPB_UNIT_BYTES: return bytes_suffixes;
	case MPB_UNIT_USEC: return usec_suffixes;
	case MPB_UNIT_COUNT: break;
	}
	return count_suffixes;
}

static const struct suffix *unit_format(enum mpb_unit unit)
{
	switch (unit) {
	case MPB_UNIT_BYTES: return bytes_format;
	case MPB_UNIT_USEC: return usec_format;
	case MPB_UNIT_COUNT: break;
	}
	return count_format;
}

/* Noun for "'x' is not a <noun>". */
static const char *unit_noun(enum mpb_unit unit)
{
	switch (unit) {
	case MPB_UNIT_BYTES: return "size";
	case MPB_UNIT_USEC: return "duration";
	case MPB_UNIT_COUNT: break;
	}
	return "count";
}

/* What the syntax accepts, for the "(accepted: ...)" part. */
static const char *unit_accepted(enum mpb_unit unit)
{
	switch (unit) {
	case MPB_UNIT_BYTES:
		return "an integer number of bytes with optional suffix B, "
		       "KiB, MiB, GiB, TiB or k/K, M, G, T (powers of 1024) "
		       "or kB, MB, GB, TB (powers of 1000)";
	case MPB_UNIT_USEC:
		return "an integer number of microseconds with optional suffix us, ms or s";
	case MPB_UNIT_COUNT: break;
	}
	return "an integer with optional suffix k, M or G";
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Copy text into buf (len >= 8) for quoting in a message: control
 * characters are written as C escapes (\t, \n, \x01) so the message stays
 * one line, and long text is cut with "...". */
static const char *quote(const char *text, char *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0, j = 0;
	const size_t keep = len - 4; /* room for "..." and NUL */

	for (; text[i] != '\0'; i++) {
		unsigned char c = (unsigned char)text[i];
		char e[5];
		size_t n = 0;

		if (c == '\t' || c == '\n' || c == '\r') {
			e[n++] = '\\';
			e[n++] = c == '\t' ? 't' : c == '\n' ? 'n' : 'r';
		} else if (c < 0x20 || c == 0x7f) {
			e[n++] = '\\';
			e[n++] = 'x';
			e[n++] = hex[c >> 4];
			e[n++] = hex[c & 0xf];
		} else {
			e[n++] = (char)c;
		}
		if (j + n > keep)
			break;
		memcpy(buf + j, e, n);
		j += n;
	}
	if (text[i] != '\0') {
		memcpy(buf + j, "...", 3);
		j += 3;
	}
	buf[j] = '\0';
	return buf;
}

enum { QUOTE_LEN = 128 };

static const char *orwhat(const char *what)
{
	return what ? what : "value";
}

/* Describe [min, max] in the unit's own notation. */
static void range_desc(uint64_t min, uint64_t max, enum mpb_unit unit, char *buf, size_t len)
{
	char lo[32], hi[32];

	mpb_format_u64(min, unit, lo, sizeof lo);
	mpb_format_u64(max, unit, hi, sizeof hi);
	if (min == max)
		snprintf(buf, len, "exactly %s", lo);
	else if (max == UINT64_MAX)
		snprintf(buf, len, "at least %s", lo);
	else
		snprintf(buf, len, "%s to %s", lo, hi);
}

static int fail_syntax(const char *text, enum mpb_unit unit, const char *what,
		       const char *why, struct mpb_diag *d)
{
	char q[QUOTE_LEN];

	return mpb_fail(d, MPB_EINPUT, "%s: '%s' is not a %s%s%s (accepted: %s)",
			orwhat(what), quote(text, q, sizeof q), unit_noun(unit),
			why ? ": " : "", why ? why : "", unit_accepted(unit));
}

int mpb_parse_u64(const char *text, enum mpb_unit unit, uint64_t min, uint64_t max,
		  const char *what, uint64_t *out, struct mpb_diag *d)
{
	char q[QUOTE_LEN], r[80];
	const struct suffix *s;
	const char *p;
	uint64_t v = 0;
	int overflow = 0;

	if (!text || text[0] == '\0')
		return mpb_fail(d, MPB_EINPUT, "%s: empty value (accepted: %s)",
				orwhat(what), unit_accepted(unit));

	for (p = text; *p; p++)
		if (is_space(*p))
			return fail_syntax(text, unit, what, "whitespace is not allowed", d);
	if (text[0] == '+' || text[0] == '-')
		return fail_syntax(text, unit, what, "signs are not allowed", d);
	for (p = text; *p >= '0' && *p <= '9'; p++)
		;
	if (*p == '.')
		return fail_syntax(text, unit, what, "decimals are not allowed", d);
	if (p == text)
		return fail_syntax(text, unit, what, NULL, d);

	for (p = text; *p >= '0' && *p <= '9'; p++) {
		unsigned digit = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - digit) / 10)
			overflow = 1;
		else
			v = v * 10 + digit;
	}

	if (*p != '\0') {
		for (s = unit_suffixes(unit); s->name; s++)
			if (strcmp(p, s->name) == 0)
				break;
		if (!s->name)
			return fail_syntax(text, unit, what, NULL, d);
		if (!overflow) {
			if (v > UINT64_MAX / s->mult)
				overflow = 1;
			else
				v *= s->mult;
		}
	}

	range_desc(min, max, unit, r, sizeof r);
	if (overflow)
		return mpb_fail(d, MPB_EINPUT, "%s: '%s' is too large for 64 bits (accepted: %s)",
				orwhat(what), quote(text, q, sizeof q),
				max == UINT64_MAX ? "at most 18446744073709551615" : r);
	if (v < min || v > max)
		return mpb_fail(d, MPB_EINPUT, "%s: %s is out of range (accepted: %s)",
				orwhat(what), quote(text, q, sizeof q), r);

	if (out)
		*out = v;
	return 0;
}

void mpb_parse_list_free(char **items, size_t n)
{
	if (!items)
		return;
	for (size_t i = 0; i < n; i++)
		free(items[i]);
	free(items);
}

int mpb_parse_list(const char *text, const char *what, char ***items, size_t *n,
		   struct mpb_diag *d)
{
	char q[QUOTE_LEN];
	char **v;
	size_t count = 1, i = 0;
	const char *p, *start;

	*items = NULL;
	*n = 0;
	if (!text || text[0] == '\0')
		return mpb_fail(d, MPB_EINPUT,
				"%s: empty list (accepted: one or more comma-separated items)",
				orwhat(what));

	for (p = text; *p; p++)
		if (*p == ',')
			count++;

	/* Reject empty items before allocating anything. */
	for (p = start = text, i = 1;; p++) {
		if (*p == ',' || *p == '\0') {
			if (p == start)
				return mpb_fail(d, MPB_EINPUT,
						"%s: empty item at position %zu in '%s' "
						"(accepted: non-empty items separated by single commas)",
						orwhat(what), i, quote(text, q, sizeof q));
			if (*p == '\0')
				break;
			start = p + 1;
			i++;
		}
	}

	v = calloc(count, sizeof *v);
	if (!v)
		return mpb_fail(d, MPB_ENOMEM, "%s: out of memory splitting list", orwhat(what));
	for (p = start = text, i = 0;; p++) {
		if (*p == ',' || *p == '\0') {
			size_t len = (size_t)(p - start);
			v[i] = malloc(len + 1);
			if (!v[i]) {
				mpb_parse_list_free(v, i);
				return mpb_fail(d, MPB_ENOMEM, "%s: out of memory splitting list",
						orwhat(what));
			}
			memcpy(v[i], start, len);
			v[i][len] = '\0';
			i++;
			if (*p == '\0')
				break;
			start = p + 1;
		}
	}

	/* a value given twice would make the same points twice */
	for (size_t a = 1; a < count; a++)
		for (size_t b = 0; b < a; b++)
			if (strcmp(v[a], v[b]) == 0) {
				int rc = mpb_fail(d, MPB_EINPUT, "%s: '%s' is given twice in '%s' "
						  "(accepted: each value once)", orwhat(what),
						  quote(v[a], q, sizeof q), text);
				mpb_parse_list_free(v, count);
				return rc;
			}

	*items = v;
	*n = count;
	return 0;
}

int mpb_parse_u64_list(const char *text, enum mpb_unit unit, uint64_t min, uint64_t max,
		       const char *what, uint64_t **out, size_t *n, struct mpb_diag *d)
{
	char **items;
	size_t count;
	uint64_t *vals;
	int rc;

	*out = NULL;
	*n = 0;
	rc = mpb_parse_list(text, what, &items, &count, d);
	if (rc < 0)
		return rc;

	vals = calloc(count, sizeof *vals);
	if (!vals) {
		mpb_parse_list_free(items, count);
		return mpb_fail(d, MPB_ENOMEM, "%s: out of memory parsing list", orwhat(what));
	}
	for (size_t i = 0; i < count; i++) {
		rc = mpb_parse_u64(items[i], unit, min, max, what, &vals[i], d);
		for (size_t k = 0; rc == 0 && k < i; k++)
			if (vals[k] == vals[i]) /* "1k,1000": one value written twice */
				rc = mpb_fail(d, MPB_EINPUT, "%s: '%s' and '%s' are the same value "
					      "(accepted: each value once)", orwhat(what), items[k],
					      items[i]);
		if (rc < 0) {
			free(vals);
			mpb_parse_list_free(items, count);
			return rc;
		}
	}

	mpb_parse_list_free(items, count);
	*out = vals;
	*n = count;
	return 0;
}

void mpb_format_u64(uint64_t v, enum mpb_unit unit, char *buf, size_t len)
{
	const struct suffix *s;

	if (!buf || len == 0)
		return;
	if (v != 0)
		for (s = unit_format(unit); s->name; s++)
			if (v % s->mult == 0) {
				snprintf(buf, len, "%llu%s", (unsigned long long)(v / s->mult), s->name);
				return;
			}
	snprintf(buf, len, "%llu", (unsigned long long)v);
}

uint64_t mpb_round_up_u64(uint64_t v, enum mpb_unit unit, unsigned digits)
{
	uint64_t lo = 1, mult = 1, q, step = 1, r;

	if (digits == 0 || digits > 18 || v == 0)
		return v;
	for (unsigned i = 1; i < digits; i++)
		lo *= 10;
	/* the largest suffix in which v keeps `digits` integer digits */
	for (const struct suffix *s = unit_format(unit); s->name; s++)
		if (v / s->mult >= lo) {
			mult = s->mult;
			break;
		}
	for (q = v / mult; q >= 10 * lo; q /= 10)
		step *= 10;
	step *= mult; /* v rounds up to a multiple of step */
	if (v % step == 0)
		return v;
	r = v / step + 1;
	return r > UINT64_MAX / step ? v : r * step;
}

void mpb_format_round_up(double v, enum mpb_unit unit, unsigned digits, char *buf, size_t len)
{
	uint64_t n = !(v > 0) ? 0 : v < 1.8e19 ? (uint64_t)ceil(v) : UINT64_MAX;
	mpb_format_u64(mpb_round_up_u64(n, unit, digits), unit, buf, len);
}
