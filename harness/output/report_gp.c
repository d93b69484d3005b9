/* report_gp.c — the gnuplot side of `mpbench report` (see report_gp.h): a
 * growing text buffer, the reduction of untrusted text to what may stand in
 * a gnuplot string, and the script writer that fills a template's @MARKERS@
 * once per panel and wraps it to draw both a PNG and an SVG. */
#include "report_gp.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_plots.h"

/* ---- growing text buffer ---- */

static void sb_vprintf(struct mpb_sb *b, const char *fmt, va_list ap)
{
	if (b->oom)
		return;
	for (;;) {
		va_list aq;
		va_copy(aq, ap);
		size_t room = b->cap - b->len;
		int n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? room : 0, fmt, aq);
		va_end(aq);
		if (n < 0) {
			b->oom = true;
			return;
		}
		if (b->p && (size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		size_t cap = b->cap ? b->cap * 2 : 1024;
		while (cap < b->len + (size_t)n + 1)
			cap *= 2;
		char *np = realloc(b->p, cap);
		if (!np) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
}

void mpb_sb_printf(struct mpb_sb *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sb_vprintf(b, fmt, ap);
	va_end(ap);
}

const char *mpb_sb_str(const struct mpb_sb *b)
{
	return b->p ? b->p : "";
}

void mpb_sb_free(struct mpb_sb *b)
{
	free(b->p);
	*b = (struct mpb_sb){ 0 };
}

/* Text from a results file into a gnuplot single-quoted string: only a safe
 * set of characters survives (no quote, backquote, @ or backslash). */
void mpb_sb_safe(struct mpb_sb *b, const char *s)
{
	for (; *s; s++) {
		char c = *s;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			  strchr(" ._,:;=+/()%-#[]", c);
		mpb_sb_printf(b, "%c", ok ? c : '_');
	}
}

/* ---- scripts ---- */

/* The marker of the current (last) panel, created on first use. */
struct mpb_sb *mpb_gp_marker(struct mpb_gp *g, const char *key)
{
	if (g->npanels == 0)
		g->npanels = 1;
	struct mpb_gp_panel *p = &g->panels[g->npanels - 1];
	for (size_t i = 0; i < p->nsubs; i++)
		if (strcmp(p->subs[i].key, key) == 0)
			return &p->subs[i].val;
	if (p->nsubs == MPB_GP_MAXSUB)
		return &g->spill; /* never filled in: the template check reports it */
	p->subs[p->nsubs].key = key;
	return &p->subs[p->nsubs++].val;
}

/* Start the next panel; false when there is no room for one. */
bool mpb_gp_panel_next(struct mpb_gp *g)
{
	if (g->npanels == 0) {
		g->npanels = 1;
		return true;
	}
	if (g->npanels == MPB_GP_MAXPANELS)
		return false;
	g->npanels++;
	return true;
}

void mpb_gp_free(struct mpb_gp *g)
{
	for (size_t k = 0; k < g->npanels; k++)
		for (size_t i = 0; i < g->panels[k].nsubs; i++)
			mpb_sb_free(&g->panels[k].subs[i].val);
	mpb_sb_free(&g->data);
	mpb_sb_free(&g->title);
	mpb_sb_free(&g->spill);
	g->npanels = 0;
}

/* Fill the template's markers; an unknown marker is an error in the
 * template, reported rather than left for gnuplot to choke on. */
static int instantiate(const char *tpl, const char *tname, const struct mpb_gp_panel *g,
		       struct mpb_sb *out, struct mpb_diag *d)
{
	for (const char *p = tpl; *p;) {
		const char *at = strchr(p, '@');
		if (!at) {
			mpb_sb_printf(out, "%s", p);
			break;
		}
		mpb_sb_printf(out, "%.*s", (int)(at - p), p);
		size_t n = strspn(at + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
		if (n == 0 || at[1 + n] != '@') {
			mpb_sb_printf(out, "@");
			p = at + 1;
			continue;
		}
		size_t i = 0;
		while (i < g->nsubs && (strlen(g->subs[i].key) != n || strncmp(g->subs[i].key, at + 1, n)))
			i++;
		if (i == g->nsubs)
			return mpb_fail(d, MPB_EINPUT, "template %s: marker @%.*s@ is not filled by this "
					"version of mpbench", tname, (int)n, at + 1);
		mpb_sb_printf(out, "%s", mpb_sb_str(&g->subs[i].val));
		p = at + n + 2;
	}
	return 0;
}

int mpb_gp_emit(const char *tpl_dir, const char *outdir, struct mpb_report_plot *p,
		struct mpb_gp *g, struct mpb_diag *d)
{
	char tpath[PATH_MAX], name[64];
	int rc = 0;
	snprintf(name, sizeof name, "%s.gp", p->name);
	int k = snprintf(tpath, sizeof tpath, "%s/%s", tpl_dir, name);
	if (k < 0 || (size_t)k >= sizeof tpath)
		return mpb_fail(d, MPB_EINPUT, "%s: template path too long", tpl_dir);
	char *tpl = mpb_report_file_read(tpath, 1 << 20, NULL);
	if (!tpl)
		return mpb_fail_errno(d, MPB_EINPUT, errno, "cannot read plot template %s", tpath);
	struct mpb_sb out = { 0 };
	int pc = g->npanels < 2 ? 1 : g->cols > 0 ? g->cols : 2;
	int W = g->width * pc;
	int H = g->height * (int)((g->npanels + (size_t)pc - 1) / (size_t)pc) + (g->npanels > 1 ? 60 : 0);
	mpb_sb_printf(&out, "# %s — written by mpbench report from the template %s.\n"
		  "# Data: %s.dat. Render: gnuplot %s (writes %s.png and %s.svg here).\n"
		  "do for [mpb_fmt in \"png svg\"] {\n"
		  "if (mpb_fmt eq \"png\") {\n"
		  "    if (strstrt(GPVAL_TERMINALS, \"pngcairo\") > 0) {\n"
		  "        set terminal pngcairo size %d,%d enhanced font \"sans,11\"\n"
		  "    } else {\n"
		  "        set terminal png size %d,%d\n"
		  "    }\n"
		  "} else {\n"
		  "    set terminal svg size %d,%d dynamic enhanced font \"sans,11\" background \"white\"\n"
		  "}\n"
		  "set output \"%s.\" . mpb_fmt\n"
		  "reset\n"
		  "set encoding utf8\n",
		  name, tpath, p->name, name, p->name, p->name, W, H, W, H, W, H, p->name);
	size_t cols = g->npanels < 2 ? 1 : g->cols > 0 ? (size_t)g->cols : 2;
	size_t rows = (g->npanels + cols - 1) / cols;
	if (g->npanels > 1)
		mpb_sb_printf(&out, "set multiplot layout %zu,%zu title \"%s\" noenhanced\n", rows, cols,
			  mpb_sb_str(&g->title));
	for (size_t i = 0; rc == 0 && i < g->npanels; i++) {
		if (i)
			mpb_sb_printf(&out, "\nreset\nset encoding utf8\n");
		rc = instantiate(tpl, tpath, &g->panels[i], &out, d);
	}
	if (g->npanels > 1)
		mpb_sb_printf(&out, "\nunset multiplot");
	free(tpl);
	mpb_sb_printf(&out, "\nunset output\n}\n");
	snprintf(name, sizeof name, "%s.dat", p->name);
	if (rc == 0 && (out.oom || g->data.oom))
		rc = mpb_fail(d, MPB_ENOMEM, "out of memory writing plot %s", p->name);
	if (rc == 0)
		rc = mpb_report_file_write(outdir, name, mpb_sb_str(&g->data), g->data.len, d);
	snprintf(name, sizeof name, "%s.gp", p->name);
	if (rc == 0)
		rc = mpb_report_file_write(outdir, name, mpb_sb_str(&out), out.len, d);
	mpb_sb_free(&out);
	if (rc == 0)
		p->made = true;
	return rc;
}
