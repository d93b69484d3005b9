/* report_plots.c — the plots of `mpbench report` (see report_plots.h): for
 * each plot the figures of the points (report_model.c) become a data file in
 * base units and the series to draw, and the plot's template in
 * scripts/plots/ becomes its script (report_gp.c). The templates own the
 * look (labels, units, styles); this file owns which series exist and what
 * each plot leaves out and why. */
#include "report_plots.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "report_gp.h"
#include "report_model.h"
#include "report_plots_worker.h"
#include "stats.h"
#include "workload.h"

/* ---- the plots ---- */

static bool want_speedup(const struct mpb_rp_point *p)
{
	return isfinite(p->speedup) && isfinite(p->eff);
}
static bool want_ceiling(const struct mpb_rp_point *p)
{
	return isfinite(p->ceiling) && p->ceiling > 0;
}
static bool want_br(const struct mpb_rp_point *p) { return p->have_br; }
static bool want_ser(const struct mpb_rp_point *p)
{
	return isfinite(p->ser_frac) && isfinite(p->codec_per_task);
}
static bool want_startup(const struct mpb_rp_point *p) { return p->nstartups > 0; }

static void left_out(struct mpb_report_plot *p, const char *why)
{
	snprintf(p->why, sizeof p->why, "%s", why);
}

static int oom(struct mpb_rp_ctx *c)
{
	return mpb_rp_oom(c);
}

/* speedup and efficiency vs workers: one line per series with CI error bars,
 * the ideal line (in the template), the usable-CPU mark, the ceiling and the
 * fitted models when the results have them; a panel per facet. */
static int plot_scaling(struct mpb_rp_ctx *c, struct mpb_report_plot *ps,
			struct mpb_report_plot *pe)
{
	size_t nc, nf = 0, ns = 0, block = 0, max_entries = 0;
	size_t *cand = mpb_rp_candidates(c, want_speedup, &nc);
	struct mpb_rp_series *fa = NULL, *s = NULL;
	struct mpb_gp gs = { .width = 1280, .height = 660 }, ge = { .width = 1280, .height = 660 };
	bool multi = false;
	int rc = 0;
	if (!cand) {
		rc = oom(c);
		goto out;
	}
	if (nc == 0) {
		left_out(ps, "no point has a speedup (no serial baseline was measured, or every point failed)");
		left_out(pe, ps->why);
		goto out;
	}
	if (mpb_rp_one_worker_count(c, cand, nc, ps)) {
		left_out(pe, ps->why);
		goto out;
	}
	if (mpb_rp_facets(c, cand, nc, &fa, &nf, &multi) < 0) {
		rc = oom(c);
		goto out;
	}
	struct mpb_sb *data = &gs.data;
	mpb_sb_printf(data, "# speedup.dat — written by mpbench report. Per panel, one block per series "
		  "(two blank lines apart), then the ceiling.\n# columns: workers speedup speedup_ci_lo "
		  "speedup_ci_hi efficiency efficiency_ci_lo efficiency_ci_hi\n");
	if (multi) {
		mpb_rp_title(c, "Speedup over the serial baseline", cand, nc, 0, &gs.title);
		mpb_rp_title(c, "Parallel efficiency", cand, nc, 0, &ge.title);
	}
	for (size_t f = 0; f < nf; f++) {
		mpb_gp_panel_next(&gs);
		mpb_gp_panel_next(&ge);
		if (mpb_rp_facet_series(c, &fa[f], multi, &s, &ns) < 0 ||
		    mpb_rp_workers_axis(c, fa[f].idx, fa[f].n, mpb_gp_marker(&gs, "XAXIS"),
					mpb_gp_marker(&gs, "MARKS")) < 0 ||
		    mpb_rp_workers_axis(c, fa[f].idx, fa[f].n, mpb_gp_marker(&ge, "XAXIS"),
					mpb_gp_marker(&ge, "MARKS")) < 0) {
			rc = oom(c);
			goto out;
		}
		if (multi) {
			mpb_sb_printf(mpb_gp_marker(&gs, "TITLE"), "%s", mpb_sb_str(&fa[f].label));
			mpb_sb_printf(mpb_gp_marker(&ge, "TITLE"), "%s", mpb_sb_str(&fa[f].label));
		} else {
			mpb_rp_title(c, "Speedup over the serial baseline", cand, nc, 0, mpb_gp_marker(&gs, "TITLE"));
			mpb_rp_title(c, "Parallel efficiency", cand, nc, 0, mpb_gp_marker(&ge, "TITLE"));
		}
		double smax = 0, emax = 0, wmax = 0;
		struct mpb_sb *ls = mpb_gp_marker(&gs, "SERIES"), *le = mpb_gp_marker(&ge, "SERIES");
		/* one series: its fits with their parameters in the key; several:
		 * one curve per series and one key entry per kind of fit (the index
		 * tables the parameters), or curves and key swamp the plot */
		bool titled = ns == 1, fit_kind[2] = { false, false };
		size_t entries = 1 + ns;
		for (size_t k = 0; k < ns; k++, block++) {
			mpb_sb_printf(data, "# block %zu: %s%s%s\n", block, multi ? mpb_sb_str(&fa[f].label) : "",
				  multi ? " " : "", mpb_sb_str(&s[k].label));
			for (size_t i = 0; i < s[k].n; i++) {
				const struct mpb_rp_point *p = &c->pts[s[k].idx[i]];
				double w = p->workers;
				mpb_sb_printf(data, "%g\t%.9g\t%.9g\t%.9g\t%.9g\t%.9g\t%.9g\n", w, p->speedup,
					  p->s_lo, p->s_hi, p->eff, p->s_lo / w, p->s_hi / w);
				smax = fmax(smax, p->s_hi);
				emax = fmax(emax, p->s_hi / w);
				wmax = fmax(wmax, w);
			}
			mpb_sb_printf(data, "\n\n");
			const char *sep = k ? ", \\\n     " : "";
			mpb_sb_printf(ls, "%s'speedup.dat' index %zu using 1:2:3:4 with yerrorlines ", sep, block);
			mpb_rp_style(ls, &s[k]);
			mpb_sb_printf(ls, " lw 2 ps 0.9 title '%s'", mpb_sb_str(&s[k].label));
			mpb_sb_printf(le, "%s'efficiency.dat' index %zu using 1:5:6:7 with yerrorlines ", sep, block);
			mpb_rp_style(le, &s[k]);
			mpb_sb_printf(le, " lw 2 ps 0.9 title '%s'", mpb_sb_str(&s[k].label));
			const json_t *fit;
			for (size_t nth = 0; (fit = mpb_rp_find_fit(c, &c->pts[s[k].idx[0]], nth)); nth++)
				for (int m = 1; m >= 0; m--) {
					struct mpb_sb e = { 0 }, l = { 0 }, t = { 0 };
					/* USL dotted, Amdahl dash-dot, in the series' colour */
					if (mpb_rp_fit_visible(fit, m) && mpb_rp_fit_expr(fit, m, &e, &l)) {
						if (titled) {
							mpb_sb_printf(&t, "title '%s: %s'", mpb_sb_str(&s[k].label),
								  mpb_sb_str(&l));
							entries++;
						} else {
							mpb_sb_printf(&t, "notitle");
							fit_kind[m] = true;
						}
						mpb_sb_printf(ls, ", \\\n     %s with lines lc rgb \"%s\" dt %d lw 1.5 %s",
							  mpb_sb_str(&e), mpb_rp_colour(s[k].colour), m ? 3 : 4, mpb_sb_str(&t));
						mpb_sb_printf(le, ", \\\n     (%s)/x with lines lc rgb \"%s\" dt %d lw 1.5 %s",
							  mpb_sb_str(&e), mpb_rp_colour(s[k].colour), m ? 3 : 4, mpb_sb_str(&t));
						if (!titled)
							m = -1; /* several series: one curve each, the USL when it shows */
					}
					mpb_sb_free(&e);
					mpb_sb_free(&l);
					mpb_sb_free(&t);
				}
		}
		/* the kinds of fit drawn without a key entry of their own: one entry
		 * each, in a neutral colour, drawn from nothing (NaN) */
		for (int m = 1; m >= 0; m--) {
			if (!fit_kind[m])
				continue;
			const char *what = m ? "USL fits (dotted, in the colour of their series)"
					     : "Amdahl fits (dash-dot, in the colour of their series)";
			mpb_sb_printf(ls, ", \\\n     NaN with lines lc rgb \"#777777\" dt %d lw 1.5 title '%s'",
				  m ? 3 : 4, what);
			mpb_sb_printf(le, ", \\\n     NaN with lines lc rgb \"#777777\" dt %d lw 1.5 title '%s'",
				  m ? 3 : 4, what);
			entries++;
		}
		/* the ceiling is each machine's, one value per pool size whatever
		 * the method: one line per results file in the panel */
		size_t nsrc_here = 0;
		for (size_t src = 0; src < c->o->n; src++) {
			double last = -1;
			bool any = false;
			for (size_t i = 0; i < fa[f].n; i++) {
				const struct mpb_rp_point *p = &c->pts[fa[f].idx[i]];
				if (p->src != src || !want_ceiling(p) || p->workers == last)
					continue;
				if (!any)
					mpb_sb_printf(data, "# block %zu: ceiling %s\n# columns: workers ceiling_speedup "
						  "ci_lo ci_hi\n", block, mpb_sb_str(&fa[f].label));
				any = true;
				last = p->workers;
				mpb_sb_printf(data, "%g\t%.9g\t%.9g\t%.9g\n", p->workers, p->ceiling, p->c_lo, p->c_hi);
				smax = fmax(smax, p->c_hi);
				emax = fmax(emax, p->c_hi / p->workers);
			}
			if (!any)
				continue;
			mpb_sb_printf(data, "\n\n");
			struct mpb_sb t = { 0 };
			if (mpb_rp_varies(c, fa[f].idx, fa[f].n, AX_SRC)) {
				char name[160];
				mpb_rp_source_name(c->o, src, name, sizeof name);
				mpb_sb_printf(&t, "ceiling of ");
				mpb_sb_safe(&t, name);
			} else {
				mpb_sb_printf(&t, "ceiling: bare processes");
			}
			static const int pts_open[] = { 6, 4, 8, 10, 12, 14 };
			int pt = pts_open[nsrc_here++ % 6];
			mpb_sb_printf(ls, ", \\\n     'speedup.dat' index %zu using 1:2:3:4 with yerrorlines "
				  "lc rgb \"#555555\" dt 2 lw 2 pt %d ps 1 title '%s'", block, pt, mpb_sb_str(&t));
			mpb_sb_printf(le, ", \\\n     'efficiency.dat' index %zu using 1:($2/$1):($3/$1):($4/$1) "
				  "with yerrorlines lc rgb \"#555555\" dt 2 lw 2 pt %d ps 1 title '%s'", block,
				  pt, mpb_sb_str(&t));
			mpb_sb_free(&t);
			block++;
			entries++;
		}
		mpb_sb_printf(mpb_gp_marker(&gs, "YMAX"), "%g", mpb_rp_ymax(fmax(smax, fmin(wmax, 2 * smax))));
		mpb_sb_printf(mpb_gp_marker(&ge, "YMAX"), "%g", mpb_rp_ymax(fmax(1.0, emax)));
		max_entries = entries > max_entries ? entries : max_entries;
		mpb_rp_series_free(s, ns);
		s = NULL;
	}
	mpb_sb_printf(&ge.data, "%s", mpb_sb_str(&gs.data));
	gs.height = ge.height = mpb_rp_key_height(max_entries);
	if ((rc = mpb_gp_emit(c->tpl, c->o->outdir, ps, &gs, c->d)) == 0)
		rc = mpb_gp_emit(c->tpl, c->o->outdir, pe, &ge, c->d);
out:
	mpb_gp_free(&gs);
	mpb_gp_free(&ge);
	mpb_rp_release(s, ns, fa, nf, cand);
	return rc;
}

struct sortkey {
	char key[512];
	double workers;
	size_t idx;
};

static int cmp_sortkey(const void *a, const void *b)
{
	const struct sortkey *x = a, *y = b;
	int r = strcmp(x->key, y->key);
	return r ? r : (x->workers > y->workers) - (x->workers < y->workers);
}

/* Stacked bars of where the pool's time goes, per point, in worker time per
 * task, with the serial time per task as the mark a perfect pool reaches. */
static int plot_overhead(struct mpb_rp_ctx *c, struct mpb_report_plot *p)
{
	size_t nc, nf = 0;
	size_t *cand = mpb_rp_candidates(c, want_br, &nc);
	struct sortkey *sk = NULL;
	struct mpb_rp_series *fa = NULL;
	struct mpb_gp g = { .cols = 1 };
	bool multi = false;
	int rc = 0;
	if (!cand)
		return oom(c);
	if (nc == 0) {
		left_out(p, "no point has the phase timings (every point failed)");
		goto out;
	}
	if (!(sk = calloc(nc, sizeof *sk)) || mpb_rp_facets(c, cand, nc, &fa, &nf, &multi) < 0) {
		rc = oom(c);
		goto out;
	}
	double max = 0;
	for (size_t i = 0; i < nc; i++) {
		const struct mpb_rp_point *q = &c->pts[cand[i]];
		double tot = 0;
		for (int b = 0; b < NBR; b++)
			tot += q->br[b];
		max = fmax(max, fmax(tot, isfinite(q->serial_per_task) ? q->serial_per_task : 0));
	}
	const char *unit;
	double scale;
	mpb_rp_time_unit(max, &unit, &scale);
	mpb_sb_printf(&g.data, "# overhead.dat — written by mpbench report. Per panel one block, "
		      "one row "
		  "per point; ns per task.\n# columns: label compute serialization "
		  "transport_and_waiting startup teardown outside_any_phase serial_per_task\n");
	if (multi)
		mpb_rp_title(c, "Where the time of the pool goes", cand, nc, 0, &g.title);
	size_t most = 0, longest = 0;
	for (size_t f = 0; f < nf; f++) {
		/* bars ordered by the other axes, then by pool size */
		for (size_t i = 0; i < fa[f].n; i++) {
			const struct mpb_rp_point *q = &c->pts[fa[f].idx[i]];
			size_t used = 0;
			char t[160];
			for (enum mpb_rp_axis a = 0; a < AX_WORKERS; a++) {
				mpb_rp_ax_text(c, q, a, t, sizeof t);
				int k = snprintf(sk[i].key + used, sizeof sk[i].key - used, "%s\x1f", t);
				if (k > 0 && (size_t)k < sizeof sk[i].key - used)
					used += (size_t)k;
			}
			sk[i].workers = q->workers;
			sk[i].idx = fa[f].idx[i];
		}
		qsort(sk, fa[f].n, sizeof *sk, cmp_sortkey);
		unsigned vary = mpb_rp_varying(c, fa[f].idx, fa[f].n) & ~RP_BIT(AX_WORKERS);
		vary = mpb_rp_drop_implied(c, fa[f].idx, fa[f].n, vary & (multi ? ~FACET_AXES : ALL_AXES));
		mpb_sb_printf(&g.data, "# block %zu: %s\n", f, multi ? mpb_sb_str(&fa[f].label) : "all points");
		for (size_t i = 0; i < fa[f].n; i++) {
			const struct mpb_rp_point *q = &c->pts[sk[i].idx];
			struct mpb_sb l = { 0 };
			mpb_rp_label(c, q, vary | RP_BIT(AX_WORKERS), &l);
			mpb_sb_printf(&g.data, "\"%s\"", mpb_sb_str(&l));
			longest = l.len > longest ? l.len : longest;
			mpb_sb_free(&l);
			for (int b = 0; b < NBR; b++)
				mpb_sb_printf(&g.data, "\t%.9g", q->br[b]);
			mpb_sb_printf(&g.data, isfinite(q->serial_per_task) ? "\t%.9g\n" : "\tNaN\n",
				  q->serial_per_task);
		}
		mpb_sb_printf(&g.data, "\n\n");
		mpb_gp_panel_next(&g);
		if (multi)
			mpb_sb_printf(mpb_gp_marker(&g, "TITLE"), "%s", mpb_sb_str(&fa[f].label));
		else
			mpb_rp_title(c, "Where the time of the pool goes", cand, nc, 0, mpb_gp_marker(&g, "TITLE"));
		mpb_sb_printf(mpb_gp_marker(&g, "BLOCK"), "%zu", f);
		mpb_sb_printf(mpb_gp_marker(&g, "UNIT"), "%s", unit);
		mpb_sb_printf(mpb_gp_marker(&g, "SCALE"), "%g", scale);
		mpb_sb_printf(mpb_gp_marker(&g, "YMAX"), "%g", mpb_rp_ymax(max / scale));
		mpb_sb_printf(mpb_gp_marker(&g, "XMAX"), "%g", (double)fa[f].n - 0.4);
		/* a part thinner than 0.3% of the axis cannot be seen: no key entry */
		struct mpb_sb *shown = mpb_gp_marker(&g, "SHOWN");
		for (int b = 0; b < NBR; b++) {
			bool seen = false;
			for (size_t i = 0; i < fa[f].n && !seen; i++)
				seen = c->pts[fa[f].idx[i]].br[b] >= 0.003 * max;
			mpb_sb_printf(shown, "%s%d", b ? " " : "", seen);
		}
		most = fa[f].n > most ? fa[f].n : most;
	}
	g.width = (int)fmin(4000, fmax(1100, 480 + 44 * (double)most));
	/* the labels stand upright under the bars: room for the longest */
	g.height = (int)fmin(1400, 420 + 7.5 * (double)longest);
	rc = mpb_gp_emit(c->tpl, c->o->outdir, p, &g, c->d);
out:
	mpb_gp_free(&g);
	if (fa)
		mpb_rp_series_free(fa, nf);
	free(sk);
	free(cand);
	return rc;
}

/* x axis over task sizes: log10 when they span 10x or more; ticks at the
 * measured sizes, in the workload's unit. */
static void size_axis(const struct mpb_rp_ctx *c, const size_t *cand, size_t nc,
		      struct mpb_sb *axis, struct mpb_sb *xlabel)
{
	double lo = INFINITY, hi = 0;
	for (size_t i = 0; i < nc; i++) {
		lo = fmin(lo, c->pts[cand[i]].size);
		hi = fmax(hi, c->pts[cand[i]].size);
	}
	if (lo > 0 && hi / lo >= 10)
		mpb_sb_printf(axis, "set logscale x 10\nset xrange [%g:%g]\n", lo / 2, hi * 2);
	else if (hi > lo)
		mpb_sb_printf(axis, "set xrange [%g:%g]\n", lo - (hi - lo) * 0.08, hi + (hi - lo) * 0.08);
	else
		mpb_sb_printf(axis, "set xrange [%g:%g]\n", lo - fmax(1, lo * 0.5), lo + fmax(1, lo * 0.5));
	/* ticks at the sizes measured, written as on the command line */
	size_t nt = 0;
	struct mpb_sb t = { 0 };
	for (size_t i = 0; i < nc && nt <= 12; i++) {
		bool dup = false;
		for (size_t j = 0; j < i && !dup; j++)
			dup = c->pts[cand[j]].size == c->pts[cand[i]].size;
		if (dup)
			continue;
		char s[MPB_FMT_U64_LEN];
		mpb_rp_format_size(&c->pts[cand[i]], s, sizeof s);
		if (!s[0])
			snprintf(s, sizeof s, "%g", c->pts[cand[i]].size);
		mpb_sb_printf(&t, "%s'", nt ? ", " : "");
		mpb_sb_safe(&t, s);
		mpb_sb_printf(&t, "' %.17g", c->pts[cand[i]].size);
		nt++;
	}
	if (nt <= 12)
		mpb_sb_printf(axis, "set xtics (%s)\n", mpb_sb_str(&t));
	mpb_sb_free(&t);
	mpb_sb_printf(xlabel, "task size (");
	for (size_t i = 0; i < nc; i++) {
		bool dup = false;
		for (size_t j = 0; j < i && !dup; j++)
			dup = strcmp(c->pts[cand[j]].workload, c->pts[cand[i]].workload) == 0;
		if (dup)
			continue;
		const struct mpb_workload_ops *w = mpb_workload_find(c->pts[cand[i]].workload);
		mpb_sb_printf(xlabel, "%s", i ? "; " : "");
		mpb_sb_safe(xlabel, c->pts[cand[i]].workload);
		mpb_sb_printf(xlabel, ": %s", w ? w->unit_name : "workload units");
	}
	mpb_sb_printf(xlabel, ")");
}

/* Serialization overhead vs task size: share of capacity and ns per task,
 * one line per (codec, transport, method, ...) at the largest pool size. */
static int plot_serialization(struct mpb_rp_ctx *c, struct mpb_report_plot *p)
{
	size_t nc, ns = 0;
	size_t *cand = mpb_rp_candidates(c, want_ser, &nc);
	struct mpb_rp_series *s = NULL;
	struct mpb_gp g = { .width = 1300, .height = 640 };
	int rc = 0;
	if (!cand)
		return oom(c);
	if (nc == 0) {
		left_out(p, "no point has codec timings");
		goto out;
	}
	/* sort by size, then workers: the last of each size is the largest pool */
	unsigned id = ALL_AXES & ~(RP_BIT(AX_SIZE) | RP_BIT(AX_WORKERS));
	if (mpb_rp_group(c, cand, nc, id, AX_SIZE, &s, &ns) < 0) {
		rc = oom(c);
		goto out;
	}
	/* a line per series needs two sizes in one of them: with one size
	 * each panel is a dot per series, which the points table says better */
	bool two = false;
	for (size_t k = 0; k < ns && !two; k++)
		for (size_t i = 1; i < s[k].n && !two; i++)
			two = c->pts[s[k].idx[i]].size != c->pts[s[k].idx[0]].size;
	if (!two) {
		char t[64];
		mpb_rp_ax_text(c, &c->pts[cand[0]], AX_SIZE, t, sizeof t);
		snprintf(p->why, sizeof p->why, "every series has one task size%s%s%s: the plot would be "
			 "a dot per series (the points table has them); sweep several sizes, e.g. "
			 "-s 100k,1M,10M", t[0] ? " (" : "", t, t[0] && !mpb_rp_varies(c, cand, nc, AX_SIZE)
			 ? ")" : ", ...)");
		goto out;
	}
	double fracmax = 0, nmax = 0;
	mpb_sb_printf(&g.data, "# serialization.dat — written by mpbench report. One block per series; "
		  "per size the point with the most workers.\n# columns: size "
		  "serialization_fraction_pct codec_ns_per_task workers\n");
	for (size_t k = 0; k < ns; k++) {
		mpb_sb_printf(&g.data, "# block %zu: %s\n", k, mpb_sb_str(&s[k].label));
		for (size_t i = 0; i < s[k].n; i++) {
			const struct mpb_rp_point *q = &c->pts[s[k].idx[i]];
			if (i && c->pts[s[k].idx[i - 1]].size == q->size)
				continue;
			for (size_t j = i + 1; j < s[k].n; j++) { /* the largest pool of this size */
				const struct mpb_rp_point *r = &c->pts[s[k].idx[j]];
				if (r->size == q->size && r->workers > q->workers)
					q = r;
			}
			mpb_sb_printf(&g.data, "%.17g\t%.9g\t%.9g\t%g\n", q->size, 100 * q->ser_frac,
				  q->codec_per_task, q->workers);
			fracmax = fmax(fracmax, 100 * q->ser_frac);
			nmax = fmax(nmax, q->codec_per_task);
		}
		mpb_sb_printf(&g.data, "\n\n");
	}
	const char *unit;
	double scale;
	mpb_rp_time_unit(nmax, &unit, &scale);
	size_axis(c, cand, nc, mpb_gp_marker(&g, "XAXIS"), mpb_gp_marker(&g, "XLABEL"));
	mpb_rp_title(c, "Serialization overhead vs task size (largest pool of each series)", cand, nc,
		 RP_BIT(AX_SIZE), mpb_gp_marker(&g, "TITLE"));
	mpb_sb_printf(mpb_gp_marker(&g, "UNIT"), "%s", unit);
	mpb_sb_printf(mpb_gp_marker(&g, "SCALE"), "%g", scale);
	mpb_sb_printf(mpb_gp_marker(&g, "YMAX1"), "%g", mpb_rp_ymax(fracmax));
	mpb_sb_printf(mpb_gp_marker(&g, "YMAX2"), "%g", mpb_rp_ymax(nmax / scale));
	struct mpb_sb *lf = mpb_gp_marker(&g, "SERIES_FRAC"), *ln = mpb_gp_marker(&g, "SERIES_NS");
	for (size_t k = 0; k < ns; k++) {
		const char *sep = k ? ", \\\n     " : "";
		mpb_sb_printf(lf, "%s'serialization.dat' index %zu using 1:2 with linespoints ", sep, k);
		mpb_rp_style(lf, &s[k]);
		mpb_sb_printf(lf, " lw 2 title '%s'", mpb_sb_str(&s[k].label));
		mpb_sb_printf(ln, "%s'serialization.dat' index %zu using 1:($3/S) with linespoints ", sep, k);
		mpb_rp_style(ln, &s[k]);
		mpb_sb_printf(ln, " lw 2 title '%s'", mpb_sb_str(&s[k].label));
	}
	g.height = (int)fmin(2400, 620 + 22 * (double)ns);
	rc = mpb_gp_emit(c->tpl, c->o->outdir, p, &g, c->d);
out:
	mpb_gp_free(&g);
	if (s)
		mpb_rp_series_free(s, ns);
	free(cand);
	return rc;
}

/* Pool the per-run worker start-ups of the points idx[from..to) into a
 * median and its bootstrap CI. */
static int pooled_startup(const struct mpb_rp_ctx *c, const size_t *idx, size_t from, size_t to,
			  double *med, double *lo, double *hi)
{
	size_t n = 0;
	for (size_t i = from; i < to; i++)
		n += c->pts[idx[i]].nstartups;
	double *v = malloc((n ? n : 1) * sizeof *v);
	if (!v)
		return -1;
	n = 0;
	for (size_t i = from; i < to; i++)
		for (size_t r = 0; r < c->pts[idx[i]].nstartups; r++)
			v[n++] = c->pts[idx[i]].startups[r];
	*med = mpb_stats_median(v, n);
	int rc = mpb_stats_median_ci(v, n, 1, lo, hi);
	free(v);
	return rc;
}

/* Start-up cost per worker by method, vs workers (x = AX_WORKERS) or vs the
 * parent's touched memory (x = AX_PRSS), runs pooled over the other axes. */
static int plot_startup(struct mpb_rp_ctx *c, struct mpb_report_plot *p, enum mpb_rp_axis x)
{
	size_t nc, ns = 0;
	size_t *cand = mpb_rp_candidates(c, want_startup, &nc);
	struct mpb_rp_series *s = NULL;
	struct mpb_gp g = { .width = 1100, .height = 640 };
	int rc = 0;
	if (!cand)
		return oom(c);
	if (nc == 0) {
		left_out(p, "no point has per-worker start-up times (workers_detail)");
		goto out;
	}
	if (x == AX_WORKERS && mpb_rp_one_worker_count(c, cand, nc, p))
		goto out;
	if (x == AX_PRSS && !mpb_rp_varies(c, cand, nc, AX_PRSS)) {
		char t[64];
		mpb_rp_ax_text(c, &c->pts[cand[0]], AX_PRSS, t, sizeof t);
		snprintf(p->why, sizeof p->why, "the parent's size was not swept (every point has %s); "
			 "sweep it with --parent-rss, e.g. 0,256MiB,1GiB", t);
		goto out;
	}
	unsigned id = RP_BIT(AX_SRC) | RP_BIT(AX_METHOD) | RP_BIT(AX_TRANSPORT) |
		      (x == AX_WORKERS ? RP_BIT(AX_PRSS) : 0);
	if (mpb_rp_group(c, cand, nc, id, x, &s, &ns) < 0) {
		rc = oom(c);
		goto out;
	}
	double max = 0;
	const char *name = x == AX_PRSS ? "startup_rss" : "startup";
	mpb_sb_printf(&g.data, "# %s.dat — written by mpbench report. One block per series; runs of "
		  "all points at the same x pooled.\n# columns: %s startup_per_worker_ns ci_lo ci_hi\n",
		  name, x == AX_PRSS ? "parent_rss_bytes" : "workers");
	for (size_t k = 0; k < ns; k++) {
		mpb_sb_printf(&g.data, "# block %zu: %s\n", k, mpb_sb_str(&s[k].label));
		for (size_t i = 0; i < s[k].n;) {
			size_t j = i;
			double xv = mpb_rp_x(&c->pts[s[k].idx[i]], x), med, lo, hi;
			while (j < s[k].n && mpb_rp_x(&c->pts[s[k].idx[j]], x) == xv)
				j++;
			if (pooled_startup(c, s[k].idx, i, j, &med, &lo, &hi) < 0) {
				rc = oom(c);
				goto out;
			}
			mpb_sb_printf(&g.data, "%.17g\t%.9g\t%.9g\t%.9g\n", xv, med, lo, hi);
			max = fmax(max, hi);
			i = j;
		}
		mpb_sb_printf(&g.data, "\n\n");
	}
	const char *unit;
	double scale;
	mpb_rp_time_unit(max, &unit, &scale);
	mpb_sb_printf(mpb_gp_marker(&g, "UNIT"), "%s", unit);
	mpb_sb_printf(mpb_gp_marker(&g, "SCALE"), "%g", scale);
	mpb_sb_printf(mpb_gp_marker(&g, "YMAX"), "%g", mpb_rp_ymax(max / scale));
	if (x == AX_WORKERS) {
		if (mpb_rp_workers_axis(c, cand, nc, mpb_gp_marker(&g, "XAXIS"),
					mpb_gp_marker(&g, "MARKS")) < 0) {
			rc = oom(c);
			goto out;
		}
		mpb_rp_title(c, "Start-up cost per worker", cand, nc, RP_BIT(AX_WORKLOAD) | RP_BIT(AX_SIZE) |
			 RP_BIT(AX_TASKS) | RP_BIT(AX_CHUNK) | RP_BIT(AX_CODEC), mpb_gp_marker(&g, "TITLE"));
	} else {
		double hi = 0;
		struct mpb_sb *ax = mpb_gp_marker(&g, "XAXIS");
		for (size_t i = 0; i < nc; i++)
			hi = fmax(hi, c->pts[cand[i]].prss / 1048576.0);
		mpb_sb_printf(ax, "set xrange [%g:%g]\nset xtics (", -hi * 0.05, hi * 1.05);
		size_t nt = 0;
		for (size_t i = 0; i < nc; i++) {
			bool dup = false;
			for (size_t j = 0; j < i && !dup; j++)
				dup = c->pts[cand[j]].prss == c->pts[cand[i]].prss;
			if (dup)
				continue;
			char t[64];
			mpb_rp_ax_text(c, &c->pts[cand[i]], AX_PRSS, t, sizeof t);
			mpb_sb_printf(ax, "%s'", nt++ ? ", " : "");
			mpb_sb_safe(ax, strlen(t) > 7 ? t + 7 : t); /* after "parent " */
			mpb_sb_printf(ax, "' %.9g", c->pts[cand[i]].prss / 1048576.0);
		}
		mpb_sb_printf(ax, ")\n");
		mpb_rp_title(c, "Start-up cost per worker vs the size of the parent (all pool sizes "
			     "pooled)", cand,
			 nc, RP_BIT(AX_WORKLOAD) | RP_BIT(AX_SIZE) | RP_BIT(AX_TASKS) | RP_BIT(AX_CHUNK) |
			 RP_BIT(AX_CODEC), mpb_gp_marker(&g, "TITLE"));
	}
	struct mpb_sb *l = mpb_gp_marker(&g, "SERIES");
	for (size_t k = 0; k < ns; k++) {
		mpb_sb_printf(l, "%s'%s.dat' index %zu using %s:($2/S):($3/S):($4/S) with yerrorlines ",
			  k ? ", \\\n     " : "", name, k, x == AX_PRSS ? "($1/1048576)" : "1");
		mpb_rp_style(l, &s[k]);
		mpb_sb_printf(l, " lw 2 title '%s'", mpb_sb_str(&s[k].label));
	}
	g.height = mpb_rp_key_height(ns);
	rc = mpb_gp_emit(c->tpl, c->o->outdir, p, &g, c->d);
out:
	mpb_gp_free(&g);
	if (s)
		mpb_rp_series_free(s, ns);
	free(cand);
	return rc;
}

/* ---- the list of plots ---- */

static const struct {
	const char *name, *title, *caption;
} plots[] = {
	{ "speedup", "Speedup vs workers",
	  "Serial baseline wall time divided by the pool's wall time (start + map + stop), one line "
	  "per series with 95% bootstrap CI bars. The dotted line is ideal scaling (speedup = "
	  "workers); the red dashed line marks the CPUs this process may use; above it workers "
	  "share CPUs. When the results have them, the grey dashed line is the machine's ceiling "
	  "(the same tasks split over bare forked processes) and thin dashed curves are fitted "
	  "scaling models." },
	{ "efficiency", "Parallel efficiency vs workers",
	  "Speedup divided by workers, with 95% CI bars: 1 is perfect use of every worker; the "
	  "dotted line marks it." },
	{ "overhead", "Where the time goes, per point",
	  "Each bar is the pool's time per task: workers x wall time / tasks, split into compute "
	  "(inside the task function), serialization (codec time of parent and workers), transport "
	  "and waiting (the rest of the workers' map time), start-up, teardown, and outside any "
	  "phase (wall time no phase covers: an external command's own start-up, the harness "
	  "between phases). The black dot is the serial baseline's time per task: a perfect "
	  "pool's bar would end at the dot, and dot / bar is the efficiency." },
	{ "serialization", "Serialization overhead vs task size",
	  "Left: the share of all pool processes' capacity during the map spent encoding and "
	  "decoding (serialization_fraction). Right: codec time per task, parent plus workers. One "
	  "line per codec, transport and method, at the largest pool size of each." },
	{ "startup", "Start-up cost per worker by method",
	  "Median time from a worker's launch to its ready message, runs of all points with the "
	  "same method and pool size pooled, with the 95% bootstrap CI." },
	{ "startup_rss", "Start-up cost per worker vs the parent's size",
	  "The same start-up time against the memory the harness touched before starting the pool "
	  "(--parent-rss): fork copies the parent's page tables, spawn and forkserver do not." },
	{ "ctxsw", "Context switches per task vs workers",
	  "Voluntary (solid: a worker blocked, waiting for work or I/O) and involuntary (dashed: "
	  "the scheduler took the CPU away) context switches of all workers per task, from rusage, "
	  "median over runs. Involuntary switches rise once workers outnumber usable CPUs." },
	{ "ipc", "Instructions per cycle vs workers",
	  "Instructions per cycle from the hardware counters (harness and workers)." },
	{ "floors", "Fixed costs per worker vs the machine's floors",
	  "Each point's start-up per worker (solid) and teardown per worker (dashed) divided by "
	  "the cheapest form of the same operation on its machine, measured by the sweep "
	  "(machine.floors: fork + exit + wait for fork and forkserver, posix_spawn + wait for "
	  "spawn, thread create + join for thread). 1 is the floor; the floor is a whole "
	  "create + exit + wait, so start-up and teardown can each be below it. Far above 1, "
	  "the pool (or the harness) adds to what the kernel must do." },
};
#define NPLOTS (sizeof plots / sizeof plots[0])

const char *mpb_report_plot_caption(const char *name)
{
	for (size_t i = 0; i < NPLOTS; i++)
		if (strcmp(plots[i].name, name) == 0)
			return plots[i].caption;
	return "";
}

int mpb_report_plots_write(const struct mpb_report_opts *o, const char *tpl_dir,
			   struct mpb_report_result *res, struct mpb_diag *d)
{
	struct mpb_rp_ctx c = { .o = o, .tpl = tpl_dir, .d = d };
	size_t total = 0;
	int rc = 0;
	for (size_t i = 0; i < o->n; i++)
		total += o->sets[i].plan.npoints;
	c.pts = calloc(total ? total : 1, sizeof *c.pts);
	if (!c.pts)
		return oom(&c);
	for (size_t i = 0; rc == 0 && i < o->n; i++) {
		for (size_t k = 0; rc == 0 && k < o->sets[i].plan.npoints; k++)
			if (mpb_rp_point_fill(&c.pts[c.n++], i, &o->sets[i], k) < 0)
				rc = oom(&c);
	}
	res->nplots = NPLOTS;
	for (size_t i = 0; i < NPLOTS; i++) {
		snprintf(res->plots[i].name, sizeof res->plots[i].name, "%s", plots[i].name);
		snprintf(res->plots[i].title, sizeof res->plots[i].title, "%s", plots[i].title);
	}
	if (rc == 0)
		rc = plot_scaling(&c, &res->plots[0], &res->plots[1]);
	if (rc == 0)
		rc = plot_overhead(&c, &res->plots[2]);
	if (rc == 0)
		rc = plot_serialization(&c, &res->plots[3]);
	if (rc == 0)
		rc = plot_startup(&c, &res->plots[4], AX_WORKERS);
	if (rc == 0)
		rc = plot_startup(&c, &res->plots[5], AX_PRSS);
	if (rc == 0)
		rc = mpb_rp_plot_per_worker(&c, &res->plots[6], MPB_RP_CTXSW);
	if (rc == 0)
		rc = mpb_rp_plot_per_worker(&c, &res->plots[7], MPB_RP_IPC);
	if (rc == 0)
		rc = mpb_rp_plot_per_worker(&c, &res->plots[8], MPB_RP_FLOORS);
	for (size_t i = 0; i < c.n; i++)
		free(c.pts[i].startups);
	free(c.pts);
	return rc;
}
