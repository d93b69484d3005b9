/* export.h — the points (and serial baselines) of results datasets as JSON,
 * CSV, Markdown or HTML tables, every column from ONE field table, so the
 * formats cannot disagree (hyperfine's CSV exporter drifting from its JSON is
 * the cautionary tale). `sweep --format`, `analyze --format` and
 * `report --format` print these; the report's index.md / index.html embed
 * the Markdown / HTML form.
 *
 * Every value comes from the results model (model/dataset.h) and its
 * analysis (analysis/analysis.h): a table of a loaded file shows the figures
 * this mpbench computes from the file's runs, as `analyze` does, not the
 * figures the file stores.
 *
 * Input is never trusted: mpb_export_validate checks, before the report
 * reads a document, that every value it reads has the expected type.
 */
#ifndef MPB_EXPORT_H
#define MPB_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "analysis.h"
#include "dataset.h"
#include "diag.h"
#include "stats.h"

enum mpb_export_format {
	MPB_EXPORT_JSON = 1u << 0,
	MPB_EXPORT_CSV = 1u << 1,
	MPB_EXPORT_MD = 1u << 2,
	MPB_EXPORT_HTML = 1u << 3,
};

enum mpb_field_kind { MPB_FIELD_STR, MPB_FIELD_INT, MPB_FIELD_REAL };

/* A row: point (or serial baseline) i of a dataset, with the figures every
 * field of it reads, computed once (mpb_export_row_init). */
struct mpb_export_row {
	const char *source;    /* name of the results file the row comes from */
	const struct mpb_dataset *ds;
	size_t i;              /* index of the point (baseline) in ds->plan */
	bool baseline;
	bool have_wall;        /* measured runs: wall is their summary */
	struct mpb_summary wall; /* wall times (the seed of the results' summary) */
	bool have;             /* points: the analysis has figures (dv) */
	struct mpb_derived dv;
};

/* Fill r for point (baseline) i of ds. 0, or -1 on ENOMEM. */
int mpb_export_row_init(struct mpb_export_row *r, const char *source,
			const struct mpb_dataset *ds, size_t i, bool baseline);

struct mpb_export_field {
	const char *name;      /* JSON key and CSV header */
	enum mpb_field_kind kind;
	json_t *(*value)(const struct mpb_export_row *r); /* new reference; json_null() for none */
	bool md;               /* may be a column of the Markdown / HTML table (export_md.h
	                          chooses at most 12 and shows them in human units) */
	const char *unit;      /* the unit people read it in; NULL: a plain number */
	double scale;          /* value in that unit = raw value / scale (0 means 1) */
	bool multi_only;       /* only when rows come from more than one file */
	const char *help;      /* one line for the docs */
};

/* The schema id of the JSON form of a table (mpb_export_points). */
#define MPB_EXPORT_SCHEMA "mpbench.report/1"

/* The unit of field f's raw value (the JSON's and the CSV's), from the
 * unit people read it in: "ns" for times, "bytes", "%" for a percentage,
 * "fraction" for a share shown as a percentage; NULL for a count, a ratio,
 * a name or the workload's own unit. */
const char *mpb_export_raw_unit(const struct mpb_export_field *f);

/* The field tables: points and serial baselines. */
const struct mpb_export_field *mpb_export_point_fields(size_t *n);
const struct mpb_export_field *mpb_export_baseline_fields(size_t *n);

/* The raw value of field f for row r: a new reference, json_null() when the
 * row has none. NULL only on ENOMEM. */
json_t *mpb_export_value(const struct mpb_export_field *f, const struct mpb_export_row *r);

/* The value at a dotted path ("a.b.0"); NULL when absent. Borrowed. */
const json_t *mpb_export_at(const json_t *o, const char *path);

/* Parse "json", "csv", "md" against the formats allowed (a mask of
 * enum mpb_export_format); -MPB_EINPUT naming the value and what is accepted. */
int mpb_export_parse_format(const char *text, unsigned allowed, enum mpb_export_format *out,
			    struct mpb_diag *d);

/* Check a loaded results document deeply enough that every reader of mpbench
 * (exports, report, compare) may trust the types it reads: every field of the
 * tables, runs' timings, workers_detail, baselines. Errors name the file (path)
 * and the place: -MPB_EINPUT. */
int mpb_export_validate(const char *path, const json_t *doc, struct mpb_diag *d);

/* One results dataset and the name its rows are known by. */
struct mpb_export_src {
	const char *name;
	const struct mpb_dataset *ds;
};

/* Write s to f as Markdown text that renders as s: it cannot break a table
 * (|, newlines), start emphasis, code, a link or a heading, or become HTML
 * (&, <, > as entities); newlines and tabs become spaces. */
void mpb_export_md_string(FILE *f, const char *s);

/* Write s to f as one CSV field (RFC 4180: quoted when it holds a comma, a
 * quote or a newline, or starts with a space). */
void mpb_export_csv_string(FILE *f, const char *s);

/* Write s to f with the HTML special characters escaped (&, <, >, "). */
void mpb_export_html_string(FILE *f, const char *s);

/* Write the points (baselines) of every source as one table in fmt. JSON:
 * {"schema": MPB_EXPORT_SCHEMA, "table": "points" (or "baselines"),
 * "units": {column: mpb_export_raw_unit}, "rows": [{column: value}]}; CSV: RFC 4180 with a header line of field names, raw
 * values at full precision; Markdown / HTML: for people (export_md.h): the
 * axes with one value in every row said once above the table, at most 12 of
 * the `md` columns, values in human units. 0, or -MPB_EIO when f reports a
 * write error. */
int mpb_export_points(FILE *f, enum mpb_export_format fmt, const struct mpb_export_src *src,
		      size_t nsrc, struct mpb_diag *d);
int mpb_export_baselines(FILE *f, enum mpb_export_format fmt, const struct mpb_export_src *src,
			 size_t nsrc, struct mpb_diag *d);

/* The points of a sweep as it stands in fmt: what `sweep --format` and
 * `analyze --format` print. 0 or a negative MPB_E* code. */
int mpb_export_sweep(FILE *f, enum mpb_export_format fmt, const struct mpb_dataset *s,
		     struct mpb_diag *d);

/* Per-task context switches of the workers of point i: for each run the sum
 * over its workers divided by tasks, then the median over runs. 0, or -1
 * when the point has no runs with workers. */
int mpb_export_cs_per_task(const struct mpb_dataset *ds, size_t i, double *voluntary,
			   double *involuntary);

/* Markdown / HTML text of a number as the tables show it (no exponent for
 * ordinary magnitudes, four significant digits). */
void mpb_export_format_number(double v, char *buf, size_t len);

#endif
