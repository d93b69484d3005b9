/* report.h — `mpbench report`: plots and a human report from results files.
 *
 * For one or more results documents it writes into a directory: one data
 * file (*.dat, tab-separated, base units) and one gnuplot script (*.gp) per
 * plot, the scripts instantiated from the templates in scripts/plots/ (NAME.gp);
 * then runs gnuplot as an external program (posix_spawnp with an argument
 * vector, never a shell) on each script, which writes NAME.png and NAME.svg;
 * then index.md (GitHub Markdown: tables and the images) and index.html
 * (self-contained: images embedded as base64 PNG), plus points.csv.
 * Plots whose data is absent (IPC without counters, parent size not swept)
 * are left out and the index says why. Without gnuplot everything but the
 * images is written and the result says so (not an error).
 */
#ifndef MPB_REPORT_H
#define MPB_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "dataset_load.h"
#include "diag.h"

/* Load results files: each read and checked (mpb_results_load, then
 * mpb_export_validate, for what is still read from the document) and read
 * into the results model (mpb_dataset_from_doc) with a memo of its analysis
 * (the tables and plots ask for the same figures): sets[i] holds the
 * document and the dataset of paths[i]. On error everything loaded so far
 * is released and the message names the file: -MPB_EINPUT (-MPB_ENOMEM).
 * Release with mpb_report_unload. */
int mpb_report_load(char *const *paths, size_t n, struct mpb_loaded *sets, struct mpb_diag *d);
void mpb_report_unload(struct mpb_loaded *sets, size_t n);

struct mpb_report_opts {
	char *const *paths;          /* results files, at least one */
	const struct mpb_loaded *sets; /* their documents and datasets (mpb_report_load) */
	size_t n;
	const char *outdir;          /* created when missing (its parent must exist) */
	const char *gnuplot;         /* program name or path; NULL: "gnuplot" found on PATH */
	const char *templates;       /* directory of the *.gp templates; NULL: mpb_report_templates_dir */
};

#define MPB_REPORT_MAX_PLOTS 16

struct mpb_report_plot {
	char name[32];               /* file stem: NAME.dat, NAME.gp, NAME.png, NAME.svg */
	char title[96];
	bool made;                   /* data and script written */
	bool rendered;               /* gnuplot wrote the PNG and the SVG */
	char why[256];               /* when not made: why it is left out */
};

struct mpb_report_result {
	struct mpb_report_plot plots[MPB_REPORT_MAX_PLOTS];
	size_t nplots;
	bool gnuplot_missing;        /* the program could not be found: nothing rendered */
	char warnings[2048];         /* what gnuplot wrote on stderr, "NAME.gp: line", one per line */
};

/* The directory of the plot templates: $MPBENCH_PLOTS_DIR when set, else
 * the installed ones at their path relative to the executable
 * (share/mpbench/plots; harness/meson.build), else the source tree's
 * scripts/plots (compiled in, for a build tree). The first that holds
 * speedup.gp; -MPB_EINPUT when none does. */
int mpb_report_templates_dir(char *buf, size_t len, struct mpb_diag *d);

/* Write the report. 0 when every file was written (rendered or, without
 * gnuplot, not: see res->gnuplot_missing); -MPB_EINPUT for an output
 * directory that cannot be created; -MPB_EIO for a write error; -MPB_ESYS
 * when gnuplot failed on a script (the message names it; the other files are
 * written). */
int mpb_report_write(const struct mpb_report_opts *o, struct mpb_report_result *res,
		     struct mpb_diag *d);

/* What was written, for people: the index paths, the plots left out and why,
 * how to render without gnuplot (to out); gnuplot's warnings (to err). */
void mpb_report_print_summary(FILE *out, FILE *err, const struct mpb_report_opts *o,
			      const struct mpb_report_result *res);

/* The default output directory for a results path: "x.json" -> "x-report". */
void mpb_report_default_dir(const char *results_path, char *buf, size_t len);

#endif
