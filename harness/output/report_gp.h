/* report_gp.h — internal to `mpbench report`: text buffers and gnuplot
 * scripts made from the templates in scripts/plots/. A template is a gnuplot
 * script with @MARKERS@ (upper-case names between at signs) that the report
 * fills: once for a plot, or once per panel of a multiplot. */
#ifndef MPB_REPORT_GP_H
#define MPB_REPORT_GP_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "report.h"

/* A growing text buffer; {0} is empty. Out of memory sticks in oom and
 * makes later appends no-ops, checked once when the text is used. */
struct mpb_sb {
	char *p;
	size_t len, cap;
	bool oom;
};

void mpb_sb_printf(struct mpb_sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The text so far ("" when empty). */
const char *mpb_sb_str(const struct mpb_sb *b);
void mpb_sb_free(struct mpb_sb *b);
/* Append text from a results file for use inside a quoted gnuplot string:
 * letters, digits and " ._,:;=+/()%-#[]" stay, anything else becomes '_'
 * (no quote, backquote, @ or backslash can reach gnuplot). */
void mpb_sb_safe(struct mpb_sb *b, const char *s);

struct mpb_gp_sub {
	const char *key;
	struct mpb_sb val;
};

#define MPB_GP_MAXSUB 12
#define MPB_GP_MAXPANELS 16

/* One instantiation of the template: a whole plot, or one panel of a
 * multiplot (one per facet: workload, size and tasks, so that no panel
 * holds more lines than a person can follow). */
struct mpb_gp_panel {
	struct mpb_gp_sub subs[MPB_GP_MAXSUB];
	size_t nsubs;
};

struct mpb_gp {
	struct mpb_gp_panel panels[MPB_GP_MAXPANELS];
	size_t npanels;
	struct mpb_sb title;     /* the multiplot's title when npanels > 1 */
	struct mpb_sb data;
	int width, height;     /* of one panel */
	int cols;              /* panels per row; 0: two */
	struct mpb_sb spill;   /* markers beyond MPB_GP_MAXSUB land here, unused */
};

/* The value of marker key in the current (last) panel, created empty on
 * first use. */
struct mpb_sb *mpb_gp_marker(struct mpb_gp *g, const char *key);
/* Start the next panel; false when all MPB_GP_MAXPANELS are used. */
bool mpb_gp_panel_next(struct mpb_gp *g);
void mpb_gp_free(struct mpb_gp *g);

/* Write outdir/NAME.dat (g->data) and outdir/NAME.gp: the template
 * tpl_dir/NAME.gp filled per panel (in a multiplot of g->cols columns titled
 * g->title when there are several), inside a loop that sets the terminal to
 * pngcairo (png without cairo) and then svg, g->width x g->height per panel.
 * Sets p->made. -MPB_EINPUT for an unreadable template or a marker this
 * version does not fill, naming it; -MPB_EIO / -MPB_ENOMEM. */
int mpb_gp_emit(const char *tpl_dir, const char *outdir, struct mpb_report_plot *p,
		struct mpb_gp *g, struct mpb_diag *d);

#endif
