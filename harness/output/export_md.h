/* export_md.h — internal to the exports (export.c): how the Markdown and
 * HTML tables show points and serial baselines to people, for a CI job
 * summary or the report's index. At most MPB_EXPORT_MD_MAX_COLS columns, the
 * ones that tell most (the full table is the CSV); values in human units
 * ("5M", "4.21 ms", "1.85x", "85%") with the unit in the cell, not in the
 * heading; an axis with one value in every row said once, above the table;
 * '-' for what was not measured, and for the axes an external command
 * (--cmd) never sees (its codec, transport, parent size; its start method
 * and chunk size unless its template names them). */
#ifndef MPB_EXPORT_MD_H
#define MPB_EXPORT_MD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "export.h"

#define MPB_EXPORT_MD_MAX_COLS 12

/* A filled table as export.c holds it (borrowed). */
struct mpb_md_table {
	const struct mpb_export_field *fs;
	size_t nf;
	const struct mpb_export_row *rows;
	size_t nrows;
	json_t *const *vals;   /* [nrows * nf], raw values */
	bool *col;             /* [nf]: in, the columns with a value in some row; out, those shown */
	uint64_t common;       /* out: bit k, field k is said above the table */
};

/* Choose the columns to show (t->col) and the axes said above the table. */
void mpb_export_md_choose(struct mpb_md_table *t);

/* Write the table (the line of common axes first) as Markdown or HTML. */
void mpb_export_md_write(FILE *f, const struct mpb_md_table *t, bool html);

/* Nanoseconds as people read them, three significant digits: "4.21 ms". */
void mpb_export_md_ns(char *buf, size_t len, double ns);

/* The text of row r's cell of field k, as the table shows it. */
void mpb_export_md_cell(const struct mpb_md_table *t, size_t r, size_t k, char *buf, size_t len);

#endif
