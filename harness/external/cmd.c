/* cmd.c — command templates: placeholder substitution and shell-like word
 * splitting without a shell (see cmd.h). */
#include "cmd.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char mpb_cmd_placeholders[] = "{workers}, {size}, {method}, {chunksize}, {tasks}";

/* A growable string and a growable vector of strings. */
struct sbuf {
	char *p;
	size_t len, cap;
};

struct words {
	char **v;
	size_t n, cap;
};

static int sb_putn(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t nc = b->cap ? b->cap : 64;
		while (nc < b->len + n + 1)
			nc *= 2;
		char *np = realloc(b->p, nc);
		if (!np)
			return -1;
		b->p = np;
		b->cap = nc;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static int sb_putc(struct sbuf *b, char c)
{
	return sb_putn(b, &c, 1);
}

/* Move the buffer's text into the vector as a new word (the buffer restarts). */
static int words_push(struct words *w, struct sbuf *b)
{
	if (w->n + 2 > w->cap) {
		size_t nc = w->cap ? w->cap * 2 : 8;
		char **nv = realloc(w->v, nc * sizeof *nv);
		if (!nv)
			return -1;
		w->v = nv;
		w->cap = nc;
	}
	char *s = b->p ? b->p : strdup("");
	if (!s)
		return -1;
	w->v[w->n++] = s;
	w->v[w->n] = NULL;
	b->p = NULL;
	b->len = b->cap = 0;
	return 0;
}

void mpb_cmd_argv_free(char **argv)
{
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}

/* The value of placeholder `name` (len bytes) into out; -1 when unknown. */
static int lookup(const char *name, size_t len, const struct mpb_cmd_vars *v, char *out,
		  size_t outlen)
{
	static const struct {
		const char *name;
		size_t off;
	} nums[] = {
		{ "workers", offsetof(struct mpb_cmd_vars, workers) },
		{ "size", offsetof(struct mpb_cmd_vars, size) },
		{ "tasks", offsetof(struct mpb_cmd_vars, tasks) },
		{ "chunksize", offsetof(struct mpb_cmd_vars, chunksize) },
	};
	for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++)
		if (strlen(nums[i].name) == len && memcmp(nums[i].name, name, len) == 0) {
			uint64_t x = *(const uint64_t *)((const char *)v + nums[i].off);
			snprintf(out, outlen, "%" PRIu64, x);
			return 0;
		}
	if (len == 6 && memcmp(name, "method", 6) == 0) {
		snprintf(out, outlen, "%s", v->method ? v->method : "");
		return 0;
	}
	return -1;
}

/* At tmpl[*i] == '{' or '}': append the literal brace or the placeholder's
 * value to b and advance *i past it. */
static int brace(const char *tmpl, size_t *i, const struct mpb_cmd_vars *v, const char *what,
		 struct sbuf *b, struct mpb_diag *d)
{
	size_t at = *i;
	if (tmpl[at] == '}') {
		/* "}}" is one brace; a lone '}' is literal too */
		*i += tmpl[at + 1] == '}' ? 2 : 1;
		return sb_putc(b, '}') < 0 ? mpb_fail(d, MPB_ENOMEM, "out of memory") : 0;
	}
	if (tmpl[at + 1] == '{') {
		*i += 2;
		return sb_putc(b, '{') < 0 ? mpb_fail(d, MPB_ENOMEM, "out of memory") : 0;
	}
	const char *close = strchr(tmpl + at + 1, '}');
	const char *open = strchr(tmpl + at + 1, '{');
	if (!close || (open && open < close))
		return mpb_fail(d, MPB_EINPUT, "%s: '{' at character %zu is not closed (placeholders: "
				"%s; write {{ for a literal brace)", what, at + 1, mpb_cmd_placeholders);
	size_t len = (size_t)(close - (tmpl + at + 1));
	char val[64];
	if (lookup(tmpl + at + 1, len, v, val, sizeof val) < 0)
		return mpb_fail(d, MPB_EINPUT, "%s: unknown placeholder '{%.*s}' at character %zu "
				"(accepted: %s; write {{ and }} for literal braces)", what,
				(int)(len > 40 ? 40 : len), tmpl + at + 1, at + 1, mpb_cmd_placeholders);
	*i = (size_t)(close - tmpl) + 1;
	return sb_putn(b, val, strlen(val)) < 0 ? mpb_fail(d, MPB_ENOMEM, "out of memory") : 0;
}

/* --shell: substitute only; the shell does the rest. */
static int expand_shell(const char *tmpl, const struct mpb_cmd_vars *v, const char *what,
			struct words *w, struct mpb_diag *d)
{
	struct sbuf b = { 0 };
	int rc = 0;
	for (size_t i = 0; tmpl[i] && rc == 0;) {
		if (tmpl[i] == '{' || tmpl[i] == '}')
			rc = brace(tmpl, &i, v, what, &b, d);
		else if (sb_putc(&b, tmpl[i++]) < 0)
			rc = mpb_fail(d, MPB_ENOMEM, "out of memory");
	}
	if (rc == 0 && strspn(b.p ? b.p : "", " \t\n") == b.len)
		rc = mpb_fail(d, MPB_EINPUT, "%s: empty command", what);
	struct sbuf sh = { 0 }, dash = { 0 };
	if (rc == 0 && (sb_putn(&sh, "/bin/sh", 7) < 0 || sb_putn(&dash, "-c", 2) < 0 ||
			words_push(w, &sh) < 0 || words_push(w, &dash) < 0 || words_push(w, &b) < 0))
		rc = mpb_fail(d, MPB_ENOMEM, "out of memory");
	free(sh.p);
	free(dash.p);
	free(b.p);
	return rc;
}

enum qstate { Q_NONE, Q_SINGLE, Q_DOUBLE };

static int expand_words(const char *tmpl, const struct mpb_cmd_vars *v, const char *what,
			struct words *w, struct mpb_diag *d)
{
	struct sbuf b = { 0 };
	bool in_word = false;
	enum qstate q = Q_NONE;
	size_t qpos = 0;
	int rc = 0;
#define PUT(c) do { if (sb_putc(&b, (c)) < 0) rc = mpb_fail(d, MPB_ENOMEM, "out of memory"); } while (0)
	for (size_t i = 0; tmpl[i] && rc == 0;) {
		char c = tmpl[i];
		if (c == '{' || c == '}') {
			rc = brace(tmpl, &i, v, what, &b, d);
			in_word = true;
			continue;
		}
		if (q == Q_SINGLE) {
			if (c == '\'')
				q = Q_NONE;
			else
				PUT(c);
			i++;
			continue;
		}
		if (q == Q_DOUBLE) {
			if (c == '"') {
				q = Q_NONE;
			} else if (c == '\\' && tmpl[i + 1] && strchr("\"\\$`\n", tmpl[i + 1])) {
				if (tmpl[i + 1] != '\n')
					PUT(tmpl[i + 1]);
				i++;
			} else {
				PUT(c);
			}
			i++;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\n') {
			if (in_word && words_push(w, &b) < 0)
				rc = mpb_fail(d, MPB_ENOMEM, "out of memory");
			in_word = false;
			i++;
			continue;
		}
		in_word = true;
		if (c == '\'' || c == '"') {
			q = c == '\'' ? Q_SINGLE : Q_DOUBLE;
			qpos = i + 1;
			if (!b.p && sb_putn(&b, "", 0) < 0) /* '' is an empty word, not none */
				rc = mpb_fail(d, MPB_ENOMEM, "out of memory");
		} else if (c == '\\') {
			if (!tmpl[i + 1]) {
				rc = mpb_fail(d, MPB_EINPUT, "%s: trailing backslash at character %zu",
					      what, i + 1);
				break;
			}
			if (tmpl[i + 1] == '\n') { /* line continuation */
				i += 2;
				continue;
			}
			PUT(tmpl[++i]);
		} else {
			PUT(c);
		}
		i++;
	}
#undef PUT
	if (rc == 0 && q != Q_NONE)
		rc = mpb_fail(d, MPB_EINPUT, "%s: unbalanced %s quote: the one at character %zu is "
			      "never closed", what, q == Q_SINGLE ? "single (')" : "double (\")", qpos);
	if (rc == 0 && in_word && words_push(w, &b) < 0)
		rc = mpb_fail(d, MPB_ENOMEM, "out of memory");
	if (rc == 0 && w->n == 0)
		rc = mpb_fail(d, MPB_EINPUT, "%s: empty command", what);
	free(b.p);
	return rc;
}

int mpb_cmd_expand(const char *tmpl, bool shell, const struct mpb_cmd_vars *v, const char *what,
		   char ***argv, size_t *argc, struct mpb_diag *d)
{
	struct words w = { 0 };
	*argv = NULL;
	if (argc)
		*argc = 0;
	if (!tmpl)
		return mpb_fail(d, MPB_EINPUT, "%s: no command", what);
	int rc = shell ? expand_shell(tmpl, v, what, &w, d) : expand_words(tmpl, v, what, &w, d);
	if (rc < 0) {
		mpb_cmd_argv_free(w.v);
		return rc;
	}
	*argv = w.v;
	if (argc)
		*argc = w.n;
	return 0;
}

int mpb_cmd_check(const char *tmpl, bool shell, const char *what, struct mpb_diag *d)
{
	struct mpb_cmd_vars v = { 1, 1, 1, 1, "fork" };
	char **argv;
	int rc = mpb_cmd_expand(tmpl, shell, &v, what, &argv, NULL, d);
	mpb_cmd_argv_free(argv);
	return rc;
}
