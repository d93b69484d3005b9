/* report_plots.h — internal to `mpbench report`: the plots (report_plots.c)
 * and the file helpers report.c shares with them. */
#ifndef MPB_REPORT_PLOTS_H
#define MPB_REPORT_PLOTS_H

#include <stddef.h>

#include "diag.h"
#include "report.h"

/* Build every plot's data file and gnuplot script in o->outdir from the
 * templates in tpl_dir; res->plots lists them, each made or left out with
 * the reason. 0, or a negative MPB_E* code (unreadable template, write
 * error). */
int mpb_report_plots_write(const struct mpb_report_opts *o, const char *tpl_dir,
			   struct mpb_report_result *res, struct mpb_diag *d);

/* What a plot shows and how to read it, one paragraph. */
const char *mpb_report_plot_caption(const char *name);

/* Write text into dir/name. 0 or -MPB_EIO / -MPB_EINPUT. */
int mpb_report_file_write(const char *dir, const char *name, const char *text, size_t len,
			  struct mpb_diag *d);

/* The whole file at path (at most max bytes) in a new NUL-terminated buffer,
 * its length in *len (may be NULL). NULL with errno set. */
char *mpb_report_file_read(const char *path, size_t max, size_t *len);

#endif
