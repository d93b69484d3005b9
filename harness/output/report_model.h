/* report_model.h — internal to `mpbench report`: the figures of each point
 * that the plots draw, taken once from the loaded datasets and their
 * analysis (analysis.h),
 * and the helpers every plot shares: the text of an axis value, series (the
 * points equal on a set of axes) and facets (one panel per results file,
 * workload, size and tasks), labels and titles, worker axes with the
 * usable-CPU mark, time units, and the fitted models of analysis.fits. */
#ifndef MPB_REPORT_MODEL_H
#define MPB_REPORT_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "counters_report.h"
#include "diag.h"
#include "report.h"
#include "report_gp.h"

/* The axes of a point, as bits of a mask with RP_BIT. */
enum mpb_rp_axis {
	AX_SRC, AX_WORKLOAD, AX_SIZE, AX_TASKS, AX_METHOD, AX_CODEC, AX_TRANSPORT, AX_CHUNK,
	AX_PRSS, AX_WORKERS, NAX
};
#define RP_BIT(a) (1u << (a))
#define ALL_AXES (RP_BIT(NAX) - 1)
/* The axes that make a facet (a panel of its own). The results file is not
 * one: several files overlay in the same panels, a series per file. */
#define FACET_AXES (RP_BIT(AX_WORKLOAD) | RP_BIT(AX_SIZE) | RP_BIT(AX_TASKS))

/* Where the pool's time goes, ns per task (see results/README.md, report):
 * the parts of the workers' time, and workers x the wall time that falls in
 * no phase (an external command's own start-up, the harness between
 * phases), so that the parts add up to workers x wall / tasks. */
enum { BR_COMPUTE, BR_CODEC, BR_TRANSPORT, BR_STARTUP, BR_TEARDOWN, BR_OUTSIDE, NBR };

/* One point; NAN for a figure the results do not have. */
struct mpb_rp_point {
	size_t src;                /* index of its results file */
	const char *workload, *method, *codec, *transport, *strategy;
	double size, tasks, workers, chunksize, prss;
	bool failed;               /* error set, or no runs: left out of the plots */
	double speedup, s_lo, s_hi, eff, ceiling, c_lo, c_hi, ipc;
	double ser_frac, codec_per_task, vcs, ivcs, serial_per_task;
	bool have_br;
	double br[NBR];
	/* start-up and teardown per worker over the method's floor
	 * (machine.floors); NAN without floors or when not measured */
	double st_floors, td_floors;
	/* start-up per worker over the method's cold floor; NAN likewise */
	double st_cold_floors;
	double *startups;          /* per run: mean worker start-up, ns (owned) */
	size_t nstartups;
	char ipc_reason[MPB_COUNTER_REASON_MAX + 64]; /* why ipc is NAN ("" when it is not) */
};

struct mpb_rp_ctx {
	const struct mpb_report_opts *o;
	const char *tpl;           /* templates directory */
	struct mpb_rp_point *pts;
	size_t n;
	struct mpb_diag *d;
};

/* Points equal on a set of axes, sorted along the plot's x axis. */
struct mpb_rp_series {
	size_t *idx;               /* into ctx.pts */
	size_t n;
	char key[512];
	struct mpb_sb label;       /* the axes that tell it from the others */
	/* its look (mpb_rp_style): a colour per series, or with several
	 * results files a colour per combination of the other axes and a dash
	 * and point shape per file, so that one method on two machines is one
	 * colour */
	size_t colour;
	int dt;                    /* gnuplot dash type of its line */
	int pt, pt_open;           /* gnuplot point types, filled and open */
};

/* What the series of results file src are called when several files are
 * reported together: its --label; else its host when every file comes from
 * another host; else its file name. A name two files would share gets the
 * file name in parentheses. */
void mpb_rp_source_name(const struct mpb_report_opts *o, size_t src, char *buf, size_t len);

/* Fill p from point i of the loaded file src. 0, or -1 on ENOMEM. */
int mpb_rp_point_fill(struct mpb_rp_point *p, size_t src, const struct mpb_loaded *l, size_t i);

/* The value of axis a of p as people read it ("2M", "fork", "4 workers",
 * "chunksize python", "parent 1GiB", mpb_rp_source_name). */
void mpb_rp_ax_text(const struct mpb_rp_ctx *c, const struct mpb_rp_point *p,
		    enum mpb_rp_axis a, char *buf, size_t len);
/* The size in the workload's unit ("64KiB", "5M"). */
void mpb_rp_format_size(const struct mpb_rp_point *p, char *buf, size_t len);
/* Whether axis a takes more than one value among the candidates; all such
 * axes as a mask. */
bool mpb_rp_varies(const struct mpb_rp_ctx *c, const size_t *cand, size_t nc,
		   enum mpb_rp_axis a);
unsigned mpb_rp_varying(const struct mpb_rp_ctx *c, const size_t *cand, size_t nc);
/* mask without the codec when the method names it already (each method has
 * one codec among the candidates: thread's "none" is no news). */
unsigned mpb_rp_drop_implied(const struct mpb_rp_ctx *c, const size_t *cand, size_t nc,
			     unsigned mask);
/* Append the label of p from the axes in mask (method first), reduced to
 * what may stand in a gnuplot string. */
void mpb_rp_label(const struct mpb_rp_ctx *c, const struct mpb_rp_point *p, unsigned mask,
		  struct mpb_sb *b);
/* The value of p on x axis x (workers, size or parent_rss). */
double mpb_rp_x(const struct mpb_rp_point *p, enum mpb_rp_axis x);

/* Split the candidates into series: points equal on every axis in idmask,
 * each sorted by x, labelled by the idmask axes that vary (the method when
 * none does). 0 or -1 on ENOMEM; free with mpb_rp_series_free. */
int mpb_rp_group(const struct mpb_rp_ctx *c, const size_t *cand, size_t nc, unsigned idmask,
		 enum mpb_rp_axis x, struct mpb_rp_series **out, size_t *nout);
void mpb_rp_series_free(struct mpb_rp_series *s, size_t n);
/* The candidates split into facets, one panel each; *multi false (one facet
 * of everything) when there is one facet or more than fit. 0 or -1. */
int mpb_rp_facets(const struct mpb_rp_ctx *c, const size_t *cand, size_t nc,
		  struct mpb_rp_series **f, size_t *nf, bool *multi);
/* The series of a facet: all axes but workers (and the facet's own). */
int mpb_rp_facet_series(const struct mpb_rp_ctx *c, const struct mpb_rp_series *f, bool multi,
			struct mpb_rp_series **s, size_t *ns);
/* The indices of the points that did not fail and that want accepts, in a
 * new array (NULL on ENOMEM). */
size_t *mpb_rp_candidates(const struct mpb_rp_ctx *c, bool (*want)(const struct mpb_rp_point *),
			  size_t *n);

/* Release what a plot holds at its end: its series s (may be NULL), its
 * facets fa (may be NULL) and its candidates. */
void mpb_rp_release(struct mpb_rp_series *s, size_t ns, struct mpb_rp_series *fa, size_t nf,
		    size_t *cand);
/* Fail with "out of memory building the plots": -MPB_ENOMEM. */
int mpb_rp_oom(struct mpb_rp_ctx *c);
/* A plot against workers needs two worker counts: with one, each series is
 * a dot, which the points table says better. True, with p's reason set,
 * when the candidates have one worker count. */
bool mpb_rp_one_worker_count(const struct mpb_rp_ctx *c, const size_t *cand, size_t nc,
			     struct mpb_report_plot *p);

/* Colour k of a palette most readers tell apart, and a series' gnuplot
 * style: its colour, dash type and filled point type. */
const char *mpb_rp_colour(size_t k);
void mpb_rp_style(struct mpb_sb *b, const struct mpb_rp_series *s);
/* gnuplot commands for an x axis over worker counts (log2 when it spans 16x
 * or more, ticks at the counts measured) into axis, and the usable-CPU line
 * of each results file into marks. 0 or -1 on ENOMEM. */
int mpb_rp_workers_axis(const struct mpb_rp_ctx *c, const size_t *cand, size_t nc,
			struct mpb_sb *axis, struct mpb_sb *marks);
/* A time unit for values up to max_ns: *unit and the ns in one of it. */
void mpb_rp_time_unit(double max_ns, const char **unit, double *scale);
/* The top of a y range for a maximum (1 when there is nothing). */
double mpb_rp_ymax(double max);
/* A two-line title: what, then the axes every candidate shares and the
 * machine (host, CPU) when all come from one file; exclude drops axes. */
void mpb_rp_title(const struct mpb_rp_ctx *c, const char *what, const size_t *cand, size_t nc,
		  unsigned exclude, struct mpb_sb *t);
/* Canvas height for a key of n entries beside the plot. */
int mpb_rp_key_height(size_t n);

/* Model m (0: Amdahl, 1: USL) of an analysis.fits entry as a gnuplot
 * expression of x and a legend text; false when the entry lacks it. */
bool mpb_rp_fit_expr(const json_t *fit, int m, struct mpb_sb *expr, struct mpb_sb *legend);
/* Whether model m of a fits entry is worth a curve of its own: not a USL
 * with no coherency term (kappa 0) beside an Amdahl fit, which is the same
 * curve. */
bool mpb_rp_fit_visible(const json_t *fit, int m);
/* The nth analysis.fits entry for p's curve, or NULL. */
const json_t *mpb_rp_find_fit(const struct mpb_rp_ctx *c, const struct mpb_rp_point *p,
			      size_t nth);

#endif
