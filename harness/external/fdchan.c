/* fdchan.c — the MPBENCH_FD line protocol (see fdchan.h). */
#include "fdchan.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const mpb_fdchan_fields[] = {
	"startup_ns", "map_ns", "teardown_ns", "compute_ns", "serialize_ns",
	"codec_parent_ns", "codec_workers_ns", "bytes_sent", "bytes_received", NULL,
};

static bool is_field(const char *key)
{
	for (size_t i = 0; mpb_fdchan_fields[i]; i++)
		if (strcmp(key, mpb_fdchan_fields[i]) == 0)
			return true;
	return false;
}

int mpb_fdchan_init(struct mpb_fdchan *c)
{
	memset(c, 0, sizeof *c);
	c->reported = json_object();
	c->extra = json_object();
	c->errors = json_array();
	if (!c->reported || !c->extra || !c->errors) {
		mpb_fdchan_free(c);
		return -1;
	}
	return 0;
}

void mpb_fdchan_free(struct mpb_fdchan *c)
{
	free(c->line);
	json_decref(c->reported);
	json_decref(c->extra);
	json_decref(c->errors);
	memset(c, 0, sizeof *c);
}

/* Count an ignored line and keep "line N: what" while there is room. */
static void reject(struct mpb_fdchan *c, const char *what)
{
	c->rejected++;
	if (json_array_size(c->errors) >= MPB_FDCHAN_MAX_ERRORS)
		return;
	char all[320];
	snprintf(all, sizeof all, "line %llu: %s", (unsigned long long)c->lineno, what);
	json_array_append_new(c->errors, json_string(all));
}

/* A non-negative integer from an accepted field's value (reals are rounded:
 * a Python script may well report 1.2e9). */
static bool field_value(const json_t *v, uint64_t *out)
{
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = (uint64_t)json_integer_value(v);
		return true;
	}
	if (json_is_real(v)) {
		double x = json_real_value(v);
		if (isfinite(x) && x >= 0 && x < 1.8e19) {
			*out = (uint64_t)llround(x);
			return true;
		}
	}
	return false;
}

static int take_line(struct mpb_fdchan *c, const char *text, size_t len)
{
	c->lineno++;
	size_t k = 0;
	while (k < len && strchr(" \t\r", text[k]))
		k++;
	if (k == len)
		return 0; /* blank */
	json_error_t err;
	json_t *o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
	if (!o) {
		char msg[256];
		snprintf(msg, sizeof msg, "not JSON (%s), ignored", err.text);
		reject(c, msg);
		return 0;
	}
	if (!json_is_object(o)) {
		json_decref(o);
		reject(c, "not a JSON object, ignored");
		return 0;
	}
	/* check every accepted field first: a bad line is ignored as a whole */
	const char *key;
	json_t *v;
	json_object_foreach(o, key, v) {
		uint64_t x;
		if (is_field(key) && !field_value(v, &x)) {
			char msg[256];
			snprintf(msg, sizeof msg, "%.64s is not a non-negative number, line ignored", key);
			reject(c, msg);
			json_decref(o);
			return 0;
		}
	}
	json_object_foreach(o, key, v) {
		uint64_t x = 0; /* set by field_value; -O3 cannot see that it succeeds here */
		if (is_field(key)) {
			field_value(v, &x);
			json_object_set_new(c->reported, key, json_integer((json_int_t)(x > INT64_MAX ? INT64_MAX : x)));
		} else if (json_object_get(c->extra, key) ||
			   json_object_size(c->extra) < MPB_FDCHAN_MAX_EXTRA) {
			json_object_set(c->extra, key, v);
		}
	}
	json_decref(o);
	c->accepted++;
	return 0;
}

int mpb_fdchan_feed(struct mpb_fdchan *c, const char *data, size_t n)
{
	while (n > 0) {
		const char *nl = memchr(data, '\n', n);
		size_t piece = nl ? (size_t)(nl - data) : n;
		if (!c->overlong) {
			if (c->len + piece > MPB_FDCHAN_LINE_MAX) {
				c->overlong = true;
				c->len = 0;
			} else {
				if (c->len + piece + 1 > c->cap) {
					size_t nc = c->cap ? c->cap : 256;
					while (nc < c->len + piece + 1)
						nc *= 2;
					char *np = realloc(c->line, nc);
					if (!np)
						return -1;
					c->line = np;
					c->cap = nc;
				}
				memcpy(c->line + c->len, data, piece);
				c->len += piece;
			}
		}
		if (!nl)
			break;
		if (c->overlong) {
			c->lineno++;
			char msg[64];
			snprintf(msg, sizeof msg, "longer than %d bytes, ignored", MPB_FDCHAN_LINE_MAX);
			reject(c, msg);
			c->overlong = false;
		} else {
			take_line(c, c->line ? c->line : "", c->len);
		}
		c->len = 0;
		data = nl + 1;
		n -= piece + 1;
	}
	return 0;
}

int mpb_fdchan_finish(struct mpb_fdchan *c)
{
	if (c->len > 0 || c->overlong)
		return mpb_fdchan_feed(c, "\n", 1);
	return 0;
}

bool mpb_fdchan_get(const struct mpb_fdchan *c, const char *field, uint64_t *value)
{
	json_t *v = c->reported ? json_object_get(c->reported, field) : NULL;
	if (!v)
		return false;
	*value = (uint64_t)json_integer_value(v);
	return true;
}

json_t *mpb_fdchan_json(const struct mpb_fdchan *c)
{
	return json_pack("{s:O, s:O, s:I, s:I, s:O}", "reported", c->reported, "extra", c->extra,
			 "lines", (json_int_t)c->accepted, "lines_ignored", (json_int_t)c->rejected,
			 "errors", c->errors);
}
