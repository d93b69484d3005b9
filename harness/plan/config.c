/* config.c — the strict reader of --config files (see config.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ACCEPTED_VALUES "a string, a number, true/false or an array of strings and numbers"

/* One scalar as option text: strings as they are, integers in decimal,
 * reals with enough digits to read back the same. NULL for other types. */
static char *scalar_text(const json_t *v, char *buf, size_t len)
{
	if (json_is_string(v)) {
		snprintf(buf, len, "%s", json_string_value(v));
		return buf;
	}
	if (json_is_integer(v)) {
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
		return buf;
	}
	if (json_is_real(v) && isfinite(json_real_value(v))) {
		snprintf(buf, len, "%.17g", json_real_value(v));
		return buf;
	}
	return NULL;
}

/* Convert one value; *text is a new string reference or a bool. */
static int convert(const char *name, const char *key, const json_t *v, json_t **text,
		   struct mpb_diag *d)
{
	char buf[4096];
	if (json_is_boolean(v)) {
		*text = json_boolean(json_is_true(v));
		return 0;
	}
	if (json_is_array(v)) {
		size_t n = json_array_size(v), used = 0;
		if (n == 0)
			return mpb_fail(d, MPB_EINPUT, "config %s: key '%s': empty array (accepted: "
					ACCEPTED_VALUES ")", name, key);
		buf[0] = '\0';
		for (size_t i = 0; i < n; i++) {
			char item[512];
			const json_t *e = json_array_get(v, i);
			if (!scalar_text(e, item, sizeof item))
				return mpb_fail(d, MPB_EINPUT, "config %s: key '%s': item %zu is not a string "
						"or a number", name, key, i);
			if (strchr(item, ','))
				return mpb_fail(d, MPB_EINPUT, "config %s: key '%s': item %zu holds a comma "
						"(give each value as its own item)", name, key, i);
			int w = snprintf(buf + used, sizeof buf - used, "%s%s", i ? "," : "", item);
			if (w < 0 || (size_t)w >= sizeof buf - used)
				return mpb_fail(d, MPB_EINPUT, "config %s: key '%s': list longer than %zu "
						"characters", name, key, sizeof buf - 1);
			used += (size_t)w;
		}
	} else if (!scalar_text(v, buf, sizeof buf)) {
		return mpb_fail(d, MPB_EINPUT, "config %s: key '%s': wrong type (accepted: "
				ACCEPTED_VALUES ")", name, key);
	}
	if (!buf[0])
		return mpb_fail(d, MPB_EINPUT, "config %s: key '%s': empty value", name, key);
	for (const char *c = buf; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f) /* would break the one-line messages */
			return mpb_fail(d, MPB_EINPUT, "config %s: key '%s': value holds a control "
					"character", name, key);
	*text = json_string(buf);
	return *text ? 0 : mpb_fail(d, MPB_EINPUT, "config %s: key '%s': value is not valid UTF-8",
				    name, key);
}

int mpb_config_parse(const char *text, size_t len, const char *name, json_t **out,
		     struct mpb_diag *d)
{
	*out = NULL;
	if (len > MPB_CONFIG_MAX_BYTES)
		return mpb_fail(d, MPB_EINPUT, "config %s: larger than %u bytes", name,
				MPB_CONFIG_MAX_BYTES);
	json_error_t err;
	/* REJECT_DUPLICATES: two values for one option would silently pick one;
	 * DISABLE_EOF_CHECK off: trailing garbage is an error */
	json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
	if (!doc)
		return mpb_fail(d, MPB_EINPUT, "config %s: line %d column %d: %s", name, err.line,
				err.column, err.text);
	if (!json_is_object(doc)) {
		json_decref(doc);
		return mpb_fail(d, MPB_EINPUT, "config %s: not a JSON object (accepted: "
				"{\"option-name\": value, ...})", name);
	}
	json_t *res = json_object();
	const char *key;
	json_t *v;
	int rc = res ? 0 : mpb_fail(d, MPB_ENOMEM, "config %s: out of memory", name);
	json_object_foreach(doc, key, v) {
		json_t *t = NULL;
		if (rc < 0)
			break;
		if (!*key || strlen(key) > 64 || strspn(key, "abcdefghijklmnopqrstuvwxyz0123456789-") !=
						       strlen(key)) {
			rc = mpb_fail(d, MPB_EINPUT, "config %s: a key is not an option name (accepted: "
				      "lower-case long option names such as \"workers\")", name);
			break;
		}
		if ((rc = convert(name, key, v, &t, d)) < 0)
			break;
		if (json_object_set_new(res, key, t) < 0)
			rc = mpb_fail(d, MPB_ENOMEM, "config %s: out of memory", name);
	}
	json_decref(doc);
	if (rc < 0) {
		json_decref(res);
		return rc;
	}
	*out = res;
	return 0;
}

/* Every loaded file stays referenced here: the option strings borrowed from
 * it live as long as the process, like argv. */
static json_t *kept;

int mpb_config_load(const char *path, json_t **out, struct mpb_diag *d)
{
	*out = NULL;
	/* Without O_NONBLOCK, opening a FIFO that has no writer blocks for
	 * ever; with it, such a FIFO reads as empty and is refused as such. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return mpb_fail_errno(d, MPB_EINPUT, errno, "--config %s", path);
	int fl = fcntl(fd, F_GETFL);
	FILE *f = fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0 ? NULL : fdopen(fd, "r");
	if (!f) {
		int e = errno;
		close(fd);
		return mpb_fail_errno(d, MPB_EINPUT, e, "--config %s", path);
	}
	char *buf = malloc(MPB_CONFIG_MAX_BYTES + 1);
	if (!buf) {
		fclose(f);
		return mpb_fail(d, MPB_ENOMEM, "--config %s: out of memory", path);
	}
	size_t n = fread(buf, 1, MPB_CONFIG_MAX_BYTES + 1, f);
	int rerr = ferror(f);
	fclose(f);
	int rc;
	if (rerr)
		rc = mpb_fail(d, MPB_EINPUT, "--config %s: read error (is it a directory?)", path);
	else
		rc = mpb_config_parse(buf, n, path, out, d);
	free(buf);
	if (rc < 0)
		return rc;
	if (!kept)
		kept = json_array();
	if (!kept || json_array_append(kept, *out) < 0) {
		json_decref(*out);
		*out = NULL;
		return mpb_fail(d, MPB_ENOMEM, "--config %s: out of memory", path);
	}
	json_decref(*out); /* `kept` holds it */
	return 0;
}
