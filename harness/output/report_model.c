/* report_model.c — the figures `mpbench report` plots, pulled out of the
 * results documents once per point, and the helpers every plot shares:
 * axis texts, series and facets, labels and titles, axes and units, the
 * fitted models of analysis.fits (see report_model.h). */
#include "report_model.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "codec.h"
#include "counters_report.h"
#include "export.h"
#include "stats.h"
#include "parse.h"
#include "workload.h"

/* The order axes appear in series labels: the one people look for first. */
static const enum mpb_rp_axis label_order[] = { AX_SRC, AX_METHOD, AX_WORKLOAD, AX_SIZE, AX_TASKS,
					 AX_CODEC, AX_TRANSPORT, AX_CHUNK, AX_PRSS, AX_WORKERS };

/* A derived figure when the analysis has it, else NAN. */
static double fig(bool have, double v)
{
	return have ? v : NAN;
}

static double run_median(const struct mpb_point_state *ps, size_t offset)
{
	return mpb_analysis_run_median(ps, offset);
}

int mpb_rp_point_fill(struct mpb_rp_point *p, size_t src, const struct mpb_loaded *l, size_t i)
{
	const struct mpb_point *pt = &l->plan.points[i];
	const struct mpb_point_state *ps = &l->ds.pts[i];
	const struct mpb_wall_state *bs = &l->ds.bls[pt->baseline];
	struct mpb_derived dv;
	bool have = mpb_analysis_point(&l->ds, i, &dv) == 0;
	if (!have) /* why IPC is missing, as the results say it for a point without runs */
		mpb_counters_derive(&l->ds, i, &dv.counters);
	*p = (struct mpb_rp_point){ .src = src };
	snprintf(p->ipc_reason, sizeof p->ipc_reason, "%s",
		 dv.counters.have_ipc ? "" : dv.counters.ipc_reason);
	p->workload = pt->workload->name;
	p->method = pt->method->name;
	p->codec = pt->codec->name;
	p->transport = pt->transport->name;
	p->strategy = mpb_chunk_strategy_name(pt->chunk_strategy);
	p->size = (double)pt->size;
	p->tasks = (double)pt->tasks;
	p->workers = pt->workers;
	p->chunksize = (double)pt->chunksize;
	p->prss = (double)pt->parent_rss;
	p->failed = ps->failed || ps->nruns == 0;
	bool sp = have && dv.have_speedup;
	p->speedup = fig(sp, dv.speedup);
	p->s_lo = fig(sp, dv.speedup_ci_lo);
	p->s_hi = fig(sp, dv.speedup_ci_hi);
	if (!isfinite(p->s_lo) || !isfinite(p->s_hi))
		p->s_lo = p->s_hi = p->speedup;
	p->eff = fig(sp, dv.efficiency);
	bool cs = have && dv.have_ceiling && dv.have_ceiling_speedup;
	p->ceiling = fig(cs, dv.ceiling_speedup);
	p->c_lo = fig(cs, dv.ceiling_speedup_ci_lo);
	p->c_hi = fig(cs, dv.ceiling_speedup_ci_hi);
	if (!isfinite(p->c_lo) || !isfinite(p->c_hi))
		p->c_lo = p->c_hi = p->ceiling;
	p->ipc = fig(have && dv.counters.have_ipc, dv.counters.ipc);
	p->st_floors = fig(have && dv.have_floor && mpb_dataset_measured(&l->ds, i, "startup_ns"),
			   dv.startup_per_worker_floors);
	p->td_floors = fig(have && dv.have_floor && mpb_dataset_measured(&l->ds, i, "teardown_ns"),
			   dv.teardown_per_worker_floors);
	p->st_cold_floors = fig(have && dv.have_cold_floor &&
				mpb_dataset_measured(&l->ds, i, "startup_ns"),
				dv.startup_per_worker_cold_floors);
	p->ser_frac = fig(have, dv.serialization_fraction);
	double cp = run_median(ps, offsetof(struct mpb_sample, codec_parent_ns));
	double cw = run_median(ps, offsetof(struct mpb_sample, codec_workers_ns));
	p->codec_per_task = (cp + cw) / p->tasks;
	if (mpb_export_cs_per_task(&l->ds, i, &p->vcs, &p->ivcs) < 0)
		p->vcs = p->ivcs = NAN;
	p->serial_per_task = bs->n ? mpb_stats_median(bs->wall_ns, bs->n) / p->tasks : NAN;

	double s = run_median(ps, offsetof(struct mpb_sample, startup_ns));
	double m = run_median(ps, offsetof(struct mpb_sample, map_ns));
	double t = run_median(ps, offsetof(struct mpb_sample, teardown_ns));
	double c = run_median(ps, offsetof(struct mpb_sample, compute_ns));
	double w = p->workers, n = p->tasks;
	p->have_br = isfinite(s) && isfinite(m) && isfinite(t) && isfinite(c) && isfinite(cp) &&
		     isfinite(cw);
	if (p->have_br) {
		p->br[BR_COMPUTE] = c / n;
		p->br[BR_CODEC] = (cp + cw) / n;
		double rest = w * m - c - cw - cp;
		p->br[BR_TRANSPORT] = (rest > 0 ? rest : 0) / n;
		p->br[BR_STARTUP] = w * s / n;
		p->br[BR_TEARDOWN] = w * t / n;
		double wall = run_median(ps, offsetof(struct mpb_sample, wall_ns));
		double outside = isfinite(wall) ? wall - s - m - t : 0;
		p->br[BR_OUTSIDE] = (outside > 0 ? w * outside : 0) / n;
	}

	p->startups = malloc((ps->nruns + 1) * sizeof *p->startups);
	if (!p->startups)
		return -1;
	for (size_t r = 0; r < ps->nruns; r++) {
		const struct mpb_sample *run = &ps->runs[r];
		double sum = 0;
		for (unsigned k = 0; k < run->nworkers; k++)
			sum += (double)run->worker[k].startup_ns;
		if (run->nworkers)
			p->startups[p->nstartups++] = sum / run->nworkers;
	}
	return 0;
}

static const char *base_name(const char *p)
{
	const char *slash = strrchr(p, '/');
	return slash ? slash + 1 : p;
}

/* The name of src before collisions are resolved. */
static const char *plain_source_name(const struct mpb_report_opts *o, size_t src)
{
	const struct mpb_loaded *l = &o->sets[src];
	if (l->plan.label[0])
		return l->plan.label;
	bool hosts_differ = l->machine.hostname[0] != '\0';
	for (size_t j = 0; hosts_differ && j < o->n; j++)
		hosts_differ = j == src || strcmp(o->sets[j].machine.hostname, l->machine.hostname) != 0;
	return hosts_differ ? l->machine.hostname : base_name(o->paths[src]);
}

void mpb_rp_source_name(const struct mpb_report_opts *o, size_t src, char *buf, size_t len)
{
	const char *name = plain_source_name(o, src);
	bool shared = false;
	for (size_t j = 0; !shared && j < o->n; j++)
		shared = j != src && strcmp(plain_source_name(o, j), name) == 0;
	if (shared && strcmp(name, base_name(o->paths[src])) != 0)
		snprintf(buf, len, "%s (%s)", name, base_name(o->paths[src]));
	else if (shared)
		snprintf(buf, len, "%s (#%zu)", name, src + 1); /* the same file name twice */
	else
		snprintf(buf, len, "%s", name);
}

void mpb_rp_format_size(const struct mpb_rp_point *p, char *buf, size_t len)
{
	const struct mpb_workload_ops *w = mpb_workload_find(p->workload);
	if (w && strcmp(w->unit_name, "unused") == 0)
		buf[0] = '\0'; /* null: its size means nothing */
	else if (p->size >= 0 && p->size < 1.8e19 && p->size == floor(p->size))
		mpb_format_u64((uint64_t)p->size, w ? w->unit : MPB_UNIT_COUNT, buf, len);
	else
		snprintf(buf, len, "%g", p->size);
}

/* A codec that passes values by reference (none) encodes nothing: its label
 * says "no codec". A name this build does not know is shown as it is. */
static bool by_ref(const char *codec)
{
	const struct mpb_codec_ops *c = mpb_codec_find(codec);
	return c && (c->flags & MPB_CODEC_BY_REF);
}

/* Whether an external command's point (--cmd) sees axis a: its codec,
 * transport and parent size never, its method, chunk size, size and tasks
 * when its template names them (dataset.h); a pooled point sees all. */
static bool sees(const struct mpb_rp_ctx *c, const struct mpb_rp_point *p, enum mpb_rp_axis a)
{
	const struct mpb_workload_ops *w = mpb_workload_find(p->workload);
	if (!w || !(w->flags & MPB_WORKLOAD_EXTERNAL))
		return true;
	unsigned named = mpb_dataset_cmd_axes(&c->o->sets[p->src].ds);
	switch (a) {
	case AX_CODEC:
	case AX_TRANSPORT:
	case AX_PRSS: return false;
	case AX_METHOD: return named & MPB_CMD_AXIS_METHOD;
	case AX_CHUNK: return named & MPB_CMD_AXIS_CHUNKSIZE;
	case AX_SIZE: return named & MPB_CMD_AXIS_SIZE;
	case AX_TASKS: return named & MPB_CMD_AXIS_TASKS;
	default: return true;
	}
}

void mpb_rp_ax_text(const struct mpb_rp_ctx *c, const struct mpb_rp_point *p,
		    enum mpb_rp_axis a, char *buf, size_t len)
{
	char t[MPB_FMT_U64_LEN];
	if (!sees(c, p, a)) {
		buf[0] = '\0'; /* the plan's default, not the command's */
		return;
	}
	switch (a) {
	case AX_SRC: mpb_rp_source_name(c->o, p->src, buf, len); break;
	case AX_WORKLOAD: snprintf(buf, len, "%s", p->workload); break;
	case AX_SIZE: mpb_rp_format_size(p, buf, len); break;
	case AX_TASKS: snprintf(buf, len, "%g task%s", p->tasks, p->tasks == 1 ? "" : "s"); break;
	case AX_METHOD: snprintf(buf, len, "%s", p->method); break;
	case AX_CODEC:
		snprintf(buf, len, by_ref(p->codec) ? "no codec" : "%s codec", p->codec);
		break;
	case AX_TRANSPORT: snprintf(buf, len, "%s", p->transport); break;
	case AX_CHUNK:
		/* a strategy resolves to a different integer per pool size: it names the series */
		if (strcmp(p->strategy, "fixed") == 0)
			snprintf(buf, len, "chunksize %g", p->chunksize);
		else
			snprintf(buf, len, "chunksize %s", p->strategy);
		break;
	case AX_PRSS:
		if (p->prss >= 0 && p->prss < 1.8e19)
			mpb_format_u64((uint64_t)p->prss, MPB_UNIT_BYTES, t, sizeof t);
		else
			snprintf(t, sizeof t, "%g", p->prss);
		snprintf(buf, len, "parent %s", t);
		break;
	case AX_WORKERS: snprintf(buf, len, "%g worker%s", p->workers, p->workers == 1 ? "" : "s"); break;
	case NAX: buf[0] = '\0'; break;
	}
}

bool mpb_rp_varies(const struct mpb_rp_ctx *c, const size_t *cand, size_t nc,
		   enum mpb_rp_axis a)
{
	char first[160], t[160];
	for (size_t i = 0; i < nc; i++) {
		mpb_rp_ax_text(c, &c->pts[cand[i]], a, i ? t : first, sizeof t);
		if (i && strcmp(first, t) != 0)
			return true;
	}
	return false;
}

unsigned mpb_rp_varying(const struct mpb_rp_ctx *c, const size_t *cand, size_t nc)
{
	unsigned m = 0;
	for (enum mpb_rp_axis a = 0; a < NAX; a++)
		if (mpb_rp_varies(c, cand, nc, a))
			m |= RP_BIT(a);
	return m;
}

/* Leave the codec out of labels that name the method when each method has
 * one codec (thread's "none" is no news). */
unsigned mpb_rp_drop_implied(const struct mpb_rp_ctx *c, const size_t *cand, size_t nc,
			     unsigned mask)
{
	if (!(mask & RP_BIT(AX_METHOD)) || !(mask & RP_BIT(AX_CODEC)))
		return mask;
	for (size_t i = 0; i < nc; i++)
		for (size_t j = 0; j < i; j++) {
			const struct mpb_rp_point *a = &c->pts[cand[i]], *b = &c->pts[cand[j]];
			if (strcmp(a->method, b->method) == 0 && strcmp(a->codec, b->codec) != 0)
				return mask;
		}
	return mask & ~RP_BIT(AX_CODEC);
}

/* Label of a point from the axes in mask, in label order. */
void mpb_rp_label(const struct mpb_rp_ctx *c, const struct mpb_rp_point *p, unsigned mask,
		  struct mpb_sb *b)
{
	bool first = true;
	char t[160];
	for (size_t k = 0; k < sizeof label_order / sizeof label_order[0]; k++) {
		if (!(mask & RP_BIT(label_order[k])))
			continue;
		mpb_rp_ax_text(c, p, label_order[k], t, sizeof t);
		if (!t[0])
			continue;
		mpb_sb_printf(b, "%s", first ? "" : " ");
		mpb_sb_safe(b, t);
		first = false;
	}
}

double mpb_rp_x(const struct mpb_rp_point *p, enum mpb_rp_axis x)
{
	return x == AX_SIZE ? p->size : x == AX_PRSS ? p->prss : p->workers;
}


void mpb_rp_series_free(struct mpb_rp_series *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(s[i].idx);
		mpb_sb_free(&s[i].label);
	}
	free(s);
}

/* The text of p on the axes in mask, one after the other. */
static void series_key(const struct mpb_rp_ctx *c, const struct mpb_rp_point *p, unsigned mask,
		       char *key, size_t len)
{
	char t[160];
	size_t used = 0;
	key[0] = '\0';
	for (enum mpb_rp_axis a = 0; a < NAX; a++) {
		if (!(mask & RP_BIT(a)))
			continue;
		mpb_rp_ax_text(c, p, a, t, sizeof t);
		int k = snprintf(key + used, len - used, "%s\x1f", t);
		if (k > 0 && (size_t)k < len - used)
			used += (size_t)k;
	}
}

/* Colours, dashes and point types: one colour per series; but when the
 * results file and another axis both tell series apart, one colour per
 * value of the other axes and one dash and point shape per file. */
static void series_styles(const struct mpb_rp_ctx *c, struct mpb_rp_series *s, size_t ns,
			  unsigned idmask, unsigned vary)
{
	static const int filled[] = { 7, 5, 9, 11, 13, 15 }, open[] = { 6, 4, 8, 10, 12, 14 };
	static const int dashes[] = { 1, 2, 5, 4, 3, 6 };
	bool by_src = (vary & RP_BIT(AX_SRC)) && (vary & ~RP_BIT(AX_SRC));
	for (size_t j = 0; j < ns; j++) {
		s[j].colour = j;
		s[j].dt = (int)(j / 8) % 5 + 1; /* past eight colours, dashes too */
		s[j].pt = filled[0];
		s[j].pt_open = open[0];
		if (!by_src)
			continue;
		char rest[512], other[512];
		const struct mpb_rp_point *p = &c->pts[s[j].idx[0]];
		series_key(c, p, idmask & ~RP_BIT(AX_SRC), rest, sizeof rest);
		size_t colour = 0, shape = 0;
		for (size_t i = 0; i < j; i++) { /* the colours and files of the series before */
			series_key(c, &c->pts[s[i].idx[0]], idmask & ~RP_BIT(AX_SRC), other, sizeof other);
			if (strcmp(rest, other) == 0) {
				colour = s[i].colour;
				break;
			}
			colour = s[i].colour + 1 > colour ? s[i].colour + 1 : colour;
		}
		for (size_t src = 0; src < p->src; src++) /* files with a series in this plot */
			for (size_t i = 0; i < ns; i++)
				if (c->pts[s[i].idx[0]].src == src) {
					shape++;
					break;
				}
		s[j].colour = colour;
		s[j].dt = dashes[shape % 6];
		s[j].pt = filled[shape % 6];
		s[j].pt_open = open[shape % 6];
	}
}

/* Split the candidates into series: points equal on every axis in idmask.
 * Each series is sorted by its x axis; its label names the idmask axes that
 * vary among the candidates (or the method when none does). */
int mpb_rp_group(const struct mpb_rp_ctx *c, const size_t *cand, size_t nc, unsigned idmask,
		 enum mpb_rp_axis x, struct mpb_rp_series **out, size_t *nout)
{
	struct mpb_rp_series *s = calloc(nc ? nc : 1, sizeof *s);
	size_t ns = 0;
	unsigned vary = mpb_rp_drop_implied(c, cand, nc, mpb_rp_varying(c, cand, nc) & idmask);
	if (!s)
		return -1;
	for (size_t i = 0; i < nc; i++) {
		char key[512];
		series_key(c, &c->pts[cand[i]], idmask, key, sizeof key);
		size_t j = 0;
		while (j < ns && strcmp(s[j].key, key) != 0)
			j++;
		if (j == ns) {
			memcpy(s[ns].key, key, sizeof key);
			if (!(s[ns].idx = malloc(nc * sizeof *s[ns].idx))) {
				mpb_rp_series_free(s, ns);
				return -1;
			}
			mpb_rp_label(c, &c->pts[cand[i]], vary ? vary : RP_BIT(AX_METHOD), &s[ns].label);
			if (s[ns].label.len == 0) /* a command that sees no method */
				mpb_rp_label(c, &c->pts[cand[i]], RP_BIT(AX_WORKLOAD), &s[ns].label);
			ns++;
		}
		s[j].idx[s[j].n++] = cand[i];
	}
	series_styles(c, s, ns, idmask, vary);
	for (size_t j = 0; j < ns; j++) /* insertion sort by x: series are short */
		for (size_t a = 1; a < s[j].n; a++)
			for (size_t b = a; b > 0 && mpb_rp_x(&c->pts[s[j].idx[b - 1]], x) >
						   mpb_rp_x(&c->pts[s[j].idx[b]], x); b--) {
				size_t t = s[j].idx[b];
				s[j].idx[b] = s[j].idx[b - 1];
				s[j].idx[b - 1] = t;
			}
	*out = s;
	*nout = ns;
	return 0;
}

/* Line style of series k: colour from gnuplot's 8-colour cycle, then dashes. */
/* Eight colours told apart by most readers, colour-blind ones included
 * (Okabe and Ito's palette, its yellow swapped for a darker olive that reads
 * on white; black is the ideal line's). */
static const char *const palette[] = { "#0072B2", "#D55E00", "#009E73", "#CC79A7",
				       "#E69F00", "#56B4E9", "#6A3D9A", "#8C8C00" };

const char *mpb_rp_colour(size_t k)
{
	return palette[k % 8];
}

void mpb_rp_style(struct mpb_sb *b, const struct mpb_rp_series *s)
{
	mpb_sb_printf(b, "lc rgb \"%s\" dt %d pt %d", mpb_rp_colour(s->colour), s->dt, s->pt);
}

/* ---- axes and marks ---- */

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Distinct values, sorted, into a new array. */
static double *distinct(const double *v, size_t n, size_t *nd)
{
	double *d = malloc((n ? n : 1) * sizeof *d);
	*nd = 0;
	if (!d)
		return NULL;
	memcpy(d, v, n * sizeof *d);
	qsort(d, n, sizeof *d, cmp_dbl);
	for (size_t i = 0; i < n; i++)
		if (*nd == 0 || d[*nd - 1] != d[i])
			d[(*nd)++] = d[i];
	return d;
}

/* x axis over worker counts (and the usable-CPU marks): log2 when it spans
 * 16x or more, ticks at the measured counts. */
int mpb_rp_workers_axis(const struct mpb_rp_ctx *c, const size_t *cand, size_t nc,
			struct mpb_sb *axis, struct mpb_sb *marks)
{
	double *v = malloc((nc + 1) * sizeof *v), *u = malloc((nc + 1) * sizeof *u);
	double *ticks = NULL, *us = NULL;
	size_t nw = 0, nuv = 0, nd = 0, nu = 0;
	if (v && u) {
		for (size_t i = 0; i < nc; i++) {
			const struct mpb_rp_point *p = &c->pts[cand[i]];
			double cpus = c->o->sets[p->src].machine.usable_cpus;
			v[nw++] = p->workers;
			if (cpus >= 1)
				u[nuv++] = cpus;
		}
		ticks = distinct(v, nw, &nd);
		us = distinct(u, nuv, &nu);
	}
	free(v);
	free(u);
	if (!ticks || !us || nd == 0) {
		free(ticks);
		free(us);
		return -1;
	}
	double lo = ticks[0], hi = ticks[nd - 1];
	for (size_t i = 0; i < nu; i++) {
		lo = us[i] < lo ? us[i] : lo;
		hi = us[i] > hi ? us[i] : hi;
	}
	if (hi / lo >= 16)
		mpb_sb_printf(axis, "set logscale x 2\nset xrange [%g:%g]\n", lo / 1.3, hi * 1.3);
	else
		mpb_sb_printf(axis, "set xrange [%g:%g]\n", lo - 0.5, hi + 0.5);
	if (nd <= 24) {
		mpb_sb_printf(axis, "set xtics (");
		for (size_t i = 0; i < nd; i++)
			mpb_sb_printf(axis, "%s%g", i ? ", " : "", ticks[i]);
		mpb_sb_printf(axis, ")\n");
	}
	for (size_t i = 0; i < nu; i++) {
		bool right = us[i] >= (lo + hi) / 2;
		/* behind the data: with one worker count the points sit on the line */
		mpb_sb_printf(marks, "set arrow from %g, graph 0 to %g, graph 1 nohead dt 2 lw 1.5 "
			  "lc rgb \"#c00000\" back\n", us[i], us[i]);
		mpb_sb_printf(marks, "set label 'usable CPUs: %g' at %g, graph 0.96 %s offset char %s,0 "
			  "tc rgb \"#c00000\" front\n", us[i], us[i], right ? "right" : "left",
			  right ? "-0.6" : "0.6");
	}
	free(ticks);
	free(us);
	return 0;
}

/* Unit for a maximum in ns: the scale divides ns into it. */
void mpb_rp_time_unit(double max_ns, const char **unit, double *scale)
{
	if (max_ns >= 5e8) {
		*unit = "s";
		*scale = 1e9;
	} else if (max_ns >= 5e5) {
		*unit = "ms";
		*scale = 1e6;
	} else if (max_ns >= 500) {
		*unit = "µs";
		*scale = 1e3;
	} else {
		*unit = "ns";
		*scale = 1;
	}
}

double mpb_rp_ymax(double max)
{
	return isfinite(max) && max > 0 ? max * 1.15 : 1.0;
}

/* The axes whose value is the same for all candidates, as a title suffix. */
void mpb_rp_title(const struct mpb_rp_ctx *c, const char *what, const size_t *cand, size_t nc,
		  unsigned exclude, struct mpb_sb *t)
{
	static const enum mpb_rp_axis ctx_axes[] = { AX_WORKLOAD, AX_SIZE, AX_TASKS, AX_METHOD, AX_CODEC,
					      AX_TRANSPORT, AX_CHUNK, AX_PRSS };
	unsigned vary = mpb_rp_varying(c, cand, nc);
	char v[160];
	mpb_sb_safe(t, what);
	bool first = true;
	for (size_t k = 0; k < sizeof ctx_axes / sizeof ctx_axes[0]; k++) {
		enum mpb_rp_axis a = ctx_axes[k];
		if ((vary | exclude) & RP_BIT(a))
			continue;
		if (a == AX_PRSS && c->pts[cand[0]].prss == 0)
			continue;
		mpb_rp_ax_text(c, &c->pts[cand[0]], a, v, sizeof v);
		if (!v[0])
			continue;
		mpb_sb_printf(t, "%s", first ? "\\n" : ", "); /* the context on a second line */
		mpb_sb_safe(t, v);
		first = false;
	}
	if (!(vary & RP_BIT(AX_SRC))) {
		const struct mpb_machine *m = &c->o->sets[c->pts[cand[0]].src].machine;
		mpb_sb_printf(t, first ? "\\n(" : " (");
		mpb_sb_safe(t, m->hostname[0] ? m->hostname : "?");
		mpb_sb_printf(t, ", ");
		mpb_sb_safe(t, m->cpu_model[0] ? m->cpu_model : "?");
		mpb_sb_printf(t, ")");
	}
}

/* Canvas height for a key of n entries outside the plot on the right. */
int mpb_rp_key_height(size_t n)
{
	double h = 140 + 21 * (double)n;
	return (int)fmin(2400, fmax(660, h));
}

/* ---- fitted models (analysis.fits) ---- */

static double param(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* Model m (0: Amdahl, 1: USL) of an analysis.fits entry as a gnuplot
 * expression of x (workers) and a legend text; false when the entry has no
 * such model. Both as fit.h fits them, in the space of speedup over the
 * serial baseline: Amdahl scale N / (1 + f (N - 1)); USL
 * scale N / (1 + sigma (N - 1) + kappa N (N - 1)). */
bool mpb_rp_fit_expr(const json_t *fit, int m, struct mpb_sb *expr, struct mpb_sb *legend)
{
	const json_t *o = json_object_get(fit, m == 0 ? "amdahl" : "usl");
	if (!json_is_object(o))
		return false;
	double k = param(o, "scale");
	if (!isfinite(k))
		k = 1;
	if (!(k > 0 && k < 1e6))
		return false;
	if (m == 0) {
		double f = param(o, "serial_fraction");
		if (!(f >= 0 && f <= 1))
			return false;
		mpb_sb_printf(expr, "%.9g*x/(1 + %.9g*(x - 1))", k, f);
		mpb_sb_printf(legend, "Amdahl fit, serial fraction %.2g", f);
		return true;
	}
	double a = param(o, "sigma"), b = param(o, "kappa");
	if (!(a >= 0 && a <= 1e3 && b >= 0 && b <= 1e3))
		return false;
	mpb_sb_printf(expr, "%.9g*x/(1 + %.9g*(x - 1) + %.9g*x*(x - 1))", k, a, b);
	mpb_sb_printf(legend, "USL fit, contention %.2g, coherency %.2g", a, b);
	return true;
}

bool mpb_rp_fit_visible(const json_t *fit, int m)
{
	if (m == 0)
		return true;
	struct mpb_sb e = { 0 }, l = { 0 };
	bool amdahl = mpb_rp_fit_expr(fit, 0, &e, &l);
	mpb_sb_free(&e);
	mpb_sb_free(&l);
	/* USL with kappa 0 is N / (1 + sigma (N - 1)): Amdahl's law, fitted to
	 * the same points */
	return !(amdahl && param(json_object_get(fit, "usl"), "kappa") < 1e-12);
}

/* The nth entry of analysis.fits in the point's document that is the
 * point's curve: every axis the entry names equals the point's (the chunk
 * size only when the entry gives one: a strategy resolves per pool size). */
const json_t *mpb_rp_find_fit(const struct mpb_rp_ctx *c, const struct mpb_rp_point *p,
			      size_t nth)
{
	const json_t *fits = mpb_export_at(c->o->sets[p->src].doc, "analysis.fits");
	size_t seen = 0;
	for (size_t i = 0; i < json_array_size(fits); i++) {
		const json_t *f = json_array_get(fits, i);
		static const char *const skeys[] = { "workload", "method", "codec", "transport",
						     "chunk_strategy" };
		const char *svals[] = { p->workload, p->method, p->codec, p->transport, p->strategy };
		static const char *const nkeys[] = { "size", "tasks", "parent_rss", "chunksize" };
		const double nvals[] = { p->size, p->tasks, p->prss, p->chunksize };
		bool ok = json_is_object(f) && json_is_string(json_object_get(f, "workload"));
		for (size_t k = 0; ok && k < 5; k++) {
			const json_t *v = json_object_get(f, skeys[k]);
			ok = !v || (json_is_string(v) && strcmp(json_string_value(v), svals[k]) == 0);
		}
		for (size_t k = 0; ok && k < 4; k++) {
			const json_t *v = json_object_get(f, nkeys[k]);
			ok = !v || json_is_null(v) || (json_is_number(v) && json_number_value(v) == nvals[k]);
		}
		if (ok && seen++ == nth)
			return f;
	}
	return NULL;
}

/* ---- candidates and facets ---- */

void mpb_rp_release(struct mpb_rp_series *s, size_t ns, struct mpb_rp_series *fa, size_t nf,
		    size_t *cand)
{
	if (s)
		mpb_rp_series_free(s, ns);
	if (fa)
		mpb_rp_series_free(fa, nf);
	free(cand);
}

int mpb_rp_oom(struct mpb_rp_ctx *c)
{
	return mpb_fail(c->d, MPB_ENOMEM, "out of memory building the plots");
}

bool mpb_rp_one_worker_count(const struct mpb_rp_ctx *c, const size_t *cand, size_t nc,
			     struct mpb_report_plot *p)
{
	if (nc == 0 || mpb_rp_varies(c, cand, nc, AX_WORKERS))
		return false;
	snprintf(p->why, sizeof p->why, "every point has %g worker%s: the plot would be a dot per "
		 "series (the points table has them); sweep several pool sizes, e.g. -j 1,2,4",
		 c->pts[cand[0]].workers, c->pts[cand[0]].workers == 1 ? "" : "s");
	return true;
}

size_t *mpb_rp_candidates(const struct mpb_rp_ctx *c, bool (*want)(const struct mpb_rp_point *),
			  size_t *n)
{
	size_t *v = malloc((c->n ? c->n : 1) * sizeof *v);
	*n = 0;
	for (size_t i = 0; v && i < c->n; i++)
		if (!c->pts[i].failed && want(&c->pts[i]))
			v[(*n)++] = i;
	return v;
}


/* The candidates split into facets, one panel each: the points of one
 * results file, workload, size and task count. More facets than panels fit:
 * one facet of everything (*multi false). */
int mpb_rp_facets(const struct mpb_rp_ctx *c, const size_t *cand, size_t nc,
		  struct mpb_rp_series **f, size_t *nf, bool *multi)
{
	if (mpb_rp_group(c, cand, nc, FACET_AXES, AX_WORKERS, f, nf) < 0)
		return -1;
	*multi = *nf > 1 && *nf <= MPB_GP_MAXPANELS;
	if (*multi) { /* panel titles: what the facet is, not only what differs */
		unsigned vary = mpb_rp_varying(c, cand, nc) & RP_BIT(AX_TASKS);
		for (size_t i = 0; i < *nf; i++) {
			mpb_sb_free(&(*f)[i].label);
			mpb_rp_label(c, &c->pts[(*f)[i].idx[0]], RP_BIT(AX_WORKLOAD) | RP_BIT(AX_SIZE) | vary,
				 &(*f)[i].label);
		}
	}
	if (*nf > 1 && !*multi) {
		mpb_rp_series_free(*f, *nf);
		if (!(*f = calloc(1, sizeof **f)) || !((*f)->idx = malloc(nc * sizeof *cand))) {
			free(*f);
			*f = NULL;
			return -1;
		}
		memcpy((*f)->idx, cand, nc * sizeof *cand);
		(*f)->n = nc;
		*nf = 1;
	}
	return 0;
}

/* The series of a facet: all axes but workers (and the facet's own). */
int mpb_rp_facet_series(const struct mpb_rp_ctx *c, const struct mpb_rp_series *f, bool multi,
			struct mpb_rp_series **s, size_t *ns)
{
	unsigned id = ALL_AXES & ~RP_BIT(AX_WORKERS) & (multi ? ~FACET_AXES : ALL_AXES);
	return mpb_rp_group(c, f->idx, f->n, id, AX_WORKERS, s, ns);
}
