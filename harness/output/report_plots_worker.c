/* report_plots_worker.c — the plots of one or two figures of each point
 * against workers, a line per series and a panel per facet: context
 * switches, IPC, and fixed costs in multiples of the machine's floors (see
 * report_plots_worker.h). */
#include "report_plots_worker.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_gp.h"

static bool want_cs(const struct mpb_rp_point *p) { return isfinite(p->vcs) && isfinite(p->ivcs); }
static bool want_ipc(const struct mpb_rp_point *p) { return isfinite(p->ipc); }
static bool want_floors(const struct mpb_rp_point *p)
{
	return isfinite(p->st_floors) || isfinite(p->td_floors);
}

/* Up to this many figures per point: a line style each (solid, then the
 * dash types 2, 3, ...). */
#define MAXFIG 3

/* The figures of the plots of one or two figures per point vs workers. */
struct per_worker {
	const char *name, *what;   /* file stem; title */
	bool (*want)(const struct mpb_rp_point *);
	const char *columns;       /* of the data file, after workers */
	size_t nfig;               /* 1 to MAXFIG */
	const char *suffix[MAXFIG]; /* legend text after the series' label (several figures) */
	void (*figs)(const struct mpb_rp_point *, double out[MAXFIG]);
	const char *none;          /* why the plot is left out when no point has a figure */
	double ytop;               /* the y axis reaches at least this high */
};

static void figs_cs(const struct mpb_rp_point *p, double out[MAXFIG])
{
	out[0] = p->vcs;
	out[1] = p->ivcs;
}

static void figs_ipc(const struct mpb_rp_point *p, double out[MAXFIG])
{
	out[0] = p->ipc;
	out[1] = NAN;
}

static void figs_floors(const struct mpb_rp_point *p, double out[MAXFIG])
{
	out[0] = p->st_floors;
	out[1] = p->td_floors;
	out[2] = p->st_cold_floors;
}

static const struct per_worker pw_ctxsw = {
	"ctxsw", "Context switches of the workers per task", want_cs,
	"voluntary_per_task involuntary_per_task", 2, { "voluntary", "involuntary" }, figs_cs,
	"no point has workers_detail context switches", 0,
};
static const struct per_worker pw_ipc = {
	"ipc", "Instructions per cycle", want_ipc, "ipc", 1, { NULL, NULL }, figs_ipc,
	"no point has an IPC figure", 0,
};
static const struct per_worker pw_floors = {
	"floors", "Fixed costs per worker in multiples of the floors of the machine", want_floors,
	"startup_per_worker_floors teardown_per_worker_floors startup_per_worker_cold_floors", 3,
	{ "start-up", "teardown", "start-up over the cold floor" }, figs_floors,
	"no results file has the machine's floors (machine.floors: recorded by sweeps of this "
	"version; `mpbench info` measures them), or no point measured its start-up or teardown",
	1.2, /* the floor's line shows */
};

int mpb_rp_plot_per_worker(struct mpb_rp_ctx *c, struct mpb_report_plot *p, enum mpb_rp_pw kind)
{
	static const struct per_worker *const kinds[] = { &pw_ctxsw, &pw_ipc, &pw_floors };
	const struct per_worker *pw = kinds[kind];
	size_t nc, ns = 0, nf = 0;
	size_t *cand = mpb_rp_candidates(c, pw->want, &nc);
	struct mpb_rp_series *s = NULL, *fa = NULL;
	struct mpb_gp g = { .width = 1100, .height = 640 };
	bool multi = false;
	int rc = 0;
	if (!cand)
		return mpb_rp_oom(c);
	if (nc == 0) {
		const char *reason = NULL;
		for (size_t i = 0; pw == &pw_ipc && !reason && i < c->n; i++)
			reason = c->pts[i].ipc_reason[0] ? c->pts[i].ipc_reason : NULL;
		snprintf(p->why, sizeof p->why, "%s%s", pw->none, reason ? ": " : "");
		if (reason) {
			struct mpb_sb t = { 0 };
			mpb_sb_safe(&t, reason);
			snprintf(p->why + strlen(p->why), sizeof p->why - strlen(p->why), "%s", mpb_sb_str(&t));
			mpb_sb_free(&t);
		}
		goto out;
	}
	if (mpb_rp_one_worker_count(c, cand, nc, p))
		goto out;
	if (mpb_rp_facets(c, cand, nc, &fa, &nf, &multi) < 0) {
		rc = mpb_rp_oom(c);
		goto out;
	}
	size_t block = 0, max_entries = 0;
	mpb_sb_printf(&g.data, "# %s.dat — written by mpbench report. Per panel, one block per series.\n"
		  "# columns: workers %s\n", pw->name, pw->columns);
	if (multi)
		mpb_rp_title(c, pw->what, cand, nc, 0, &g.title);
	for (size_t f = 0; f < nf; f++) {
		mpb_gp_panel_next(&g);
		if (mpb_rp_facet_series(c, &fa[f], multi, &s, &ns) < 0 ||
		    mpb_rp_workers_axis(c, fa[f].idx, fa[f].n, mpb_gp_marker(&g, "XAXIS"),
					mpb_gp_marker(&g, "MARKS")) < 0) {
			rc = mpb_rp_oom(c);
			goto out;
		}
		if (multi)
			mpb_sb_printf(mpb_gp_marker(&g, "TITLE"), "%s", mpb_sb_str(&fa[f].label));
		else
			mpb_rp_title(c, pw->what, cand, nc, 0, mpb_gp_marker(&g, "TITLE"));
		double max = 0;
		struct mpb_sb *l = mpb_gp_marker(&g, "SERIES");
		for (size_t k = 0; k < ns; k++, block++) {
			mpb_sb_printf(&g.data, "# block %zu: %s%s%s\n", block, multi ? mpb_sb_str(&fa[f].label) : "",
				  multi ? " " : "", mpb_sb_str(&s[k].label));
			for (size_t i = 0; i < s[k].n; i++) {
				const struct mpb_rp_point *q = &c->pts[s[k].idx[i]];
				double v[MAXFIG];
				pw->figs(q, v);
				mpb_sb_printf(&g.data, "%g", q->workers);
				for (size_t j = 0; j < pw->nfig; j++) {
					mpb_sb_printf(&g.data, isfinite(v[j]) ? "\t%.9g" : "\tNaN", v[j]);
					max = isfinite(v[j]) ? fmax(max, v[j]) : max;
				}
				mpb_sb_printf(&g.data, "\n");
			}
			mpb_sb_printf(&g.data, "\n\n");
			const char *sep = k ? ", \\\n     " : "";
			if (pw->nfig == 1) {
				mpb_sb_printf(l, "%s'%s.dat' index %zu using 1:2 with linespoints ", sep,
					  pw->name, block);
				mpb_rp_style(l, &s[k]);
				mpb_sb_printf(l, " lw 2 title '%s'", mpb_sb_str(&s[k].label));
				continue;
			}
			/* one series: both lines in the key; several: the series once,
			 * and which figure is solid and which dashed once for all */
			mpb_sb_printf(l, "%s'%s.dat' index %zu using 1:2 with linespoints lc rgb \"%s\" "
				  "lw 2 pt %d title '%s%s%s'", sep, pw->name, block,
				  mpb_rp_colour(s[k].colour), s[k].pt, mpb_sb_str(&s[k].label),
				  ns == 1 ? ": " : "", ns == 1 ? pw->suffix[0] : "");
			for (size_t j = 1; j < pw->nfig; j++) {
				mpb_sb_printf(l, ", \\\n     '%s.dat' index %zu using 1:%zu with linespoints "
					  "lc rgb \"%s\" dt %zu lw 2 pt %d ", pw->name, block, j + 2,
					  mpb_rp_colour(s[k].colour), j + 1, s[k].pt_open);
				if (ns == 1)
					mpb_sb_printf(l, "title '%s: %s'", mpb_sb_str(&s[k].label),
						  pw->suffix[j]);
				else
					mpb_sb_printf(l, "notitle");
			}
		}
		if (pw->nfig > 1 && ns > 1) {
			static const char *const dash[MAXFIG] = { "solid", "dashed", "dotted" };
			for (size_t j = 0; j < pw->nfig; j++)
				mpb_sb_printf(l, ", \\\n     NaN with linespoints lc rgb \"#777777\" dt %zu "
					  "lw 2 pt %d title '%s: %s'", j + 1, j ? 6 : 7, dash[j],
					  pw->suffix[j]);
		}
		mpb_sb_printf(mpb_gp_marker(&g, "YMAX"), "%g", fmax(pw->ytop, mpb_rp_ymax(max)));
		size_t entries = pw->nfig > 1 && ns > 1 ? ns + pw->nfig : pw->nfig * ns;
		max_entries = entries > max_entries ? entries : max_entries;
		mpb_rp_series_free(s, ns);
		s = NULL;
	}
	g.height = mpb_rp_key_height(max_entries + 1);
	rc = mpb_gp_emit(c->tpl, c->o->outdir, p, &g, c->d);
out:
	mpb_gp_free(&g);
	mpb_rp_release(s, ns, fa, nf, cand);
	return rc;
}
