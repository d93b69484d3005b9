/* export_md.c — the Markdown and HTML tables of points and baselines, for
 * people (see export_md.h): which columns, in what units, and what is
 * '-'. */
#include "export_md.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "parse.h"
#include "workload.h"

/* How a value reads. */
enum human {
	H_TEXT,     /* a string, or an integer as it is */
	H_SIZE,     /* a task size in the workload's unit: "5M", "64KiB" */
	H_NS,       /* nanoseconds: "4.21 ms" */
	H_BYTES,    /* "1.5 MiB" */
	H_PCT,      /* already a percentage: "2.1%" */
	H_FRAC_PCT, /* a fraction shown as a percentage: "85.2%" */
	H_TIMES,    /* a ratio: "1.85x" */
	H_RATE,     /* three significant digits: "0.875", "0.000465" */
};

/* The axis an external command sees only through its template. */
enum cmd_axis { CMD_ALWAYS, CMD_NEVER, CMD_IF_NAMED };

struct md_col {
	const char *field;     /* the field's name (export.c) */
	const char *title;
	enum human h;
	unsigned rank;         /* lower: kept first when there are too many */
	bool axis;             /* said above the table when every row has one value */
	bool quiet_zero;       /* ... unless that value is 0 (an axis not swept) */
	enum cmd_axis cmd;     /* axes: what an external command sees */
	unsigned cmd_bit;      /* CMD_IF_NAMED: its placeholder (dataset.h) */
	const char *measured;  /* run key an external command may not have reported */
};

/* Every field the Markdown / HTML tables may show, most telling first. */
static const struct md_col md_cols[] = {
	{ "source", "file", H_TEXT, 0, true, false, CMD_ALWAYS, 0, NULL },
	{ "workload", "workload", H_TEXT, 1, true, false, CMD_ALWAYS, 0, NULL },
	{ "workers", "workers", H_TEXT, 2, false, false, CMD_ALWAYS, 0, NULL },
	{ "wall_median_ns", "wall", H_NS, 3, false, false, CMD_ALWAYS, 0, NULL },
	{ "speedup", "speedup", H_TIMES, 4, false, false, CMD_ALWAYS, 0, NULL },
	{ "size", "size", H_SIZE, 5, true, false, CMD_IF_NAMED, MPB_CMD_AXIS_SIZE, NULL },
	{ "tasks", "tasks", H_TEXT, 6, true, false, CMD_IF_NAMED, MPB_CMD_AXIS_TASKS, NULL },
	{ "method", "method", H_TEXT, 7, true, false, CMD_IF_NAMED, MPB_CMD_AXIS_METHOD, NULL },
	{ "efficiency", "efficiency", H_RATE, 8, false, false, CMD_ALWAYS, 0, NULL },
	{ "speedup_vs_ceiling", "vs ceiling", H_FRAC_PCT, 9, false, false, CMD_ALWAYS, 0, NULL },
	{ "wall_ci_pct", "±CI", H_PCT, 10, false, false, CMD_ALWAYS, 0, NULL },
	{ "codec", "codec", H_TEXT, 11, true, false, CMD_NEVER, 0, NULL },
	{ "transport", "transport", H_TEXT, 12, true, false, CMD_NEVER, 0, NULL },
	{ "chunksize", "chunk", H_TEXT, 13, true, false, CMD_IF_NAMED, MPB_CMD_AXIS_CHUNKSIZE, NULL },
	{ "parent_rss", "parent RSS", H_BYTES, 14, true, true, CMD_NEVER, 0, NULL },
	{ "startup_per_worker_ns", "start-up/worker", H_NS, 15, false, false, CMD_ALWAYS, 0, "startup_ns" },
	{ "startup_per_worker_floors", "start-up/floor", H_TIMES, 16, false, false, CMD_ALWAYS, 0,
	  "startup_ns" },
	{ "teardown_per_worker_floors", "teardown/floor", H_TIMES, 17, false, false, CMD_ALWAYS, 0,
	  "teardown_ns" },
	{ "overhead_per_task_ns", "overhead/task", H_NS, 18, false, false, CMD_ALWAYS, 0, "map_ns" },
	{ "serialization_fraction", "codec share", H_FRAC_PCT, 19, false, false, CMD_ALWAYS, 0,
	  "codec_workers_ns" },
	{ "worker_pss_bytes", "PSS/worker", H_BYTES, 20, false, false, CMD_ALWAYS, 0, NULL },
	{ "ipc", "IPC", H_RATE, 21, false, false, CMD_ALWAYS, 0, NULL },
	{ "worker_involuntary_cs_per_task", "invol. cs/task", H_RATE, 22, false, false, CMD_ALWAYS, 0,
	  NULL },
	{ "worker_voluntary_cs_per_task", "vol. cs/task", H_RATE, 23, false, false, CMD_ALWAYS, 0, NULL },
	{ "ceiling_speedup", "ceiling", H_TIMES, 24, false, false, CMD_ALWAYS, 0, NULL },
	{ "runs", "runs", H_TEXT, 25, false, false, CMD_ALWAYS, 0, NULL },
	{ "speedup_ci_lo", "speedup CI low", H_TIMES, 26, false, false, CMD_ALWAYS, 0, NULL },
	{ "speedup_ci_hi", "speedup CI high", H_TIMES, 27, false, false, CMD_ALWAYS, 0, NULL },
	{ "error", "error", H_TEXT, 0, false, false, CMD_ALWAYS, 0, NULL }, /* always, when set */
};

#define NMD (sizeof md_cols / sizeof md_cols[0])

static const struct md_col *col_of(const struct mpb_export_field *f)
{
	for (size_t i = 0; i < NMD; i++)
		if (strcmp(md_cols[i].field, f->name) == 0)
			return &md_cols[i];
	return NULL;
}

/* Columns without an entry are never shown (mpb_export_md_choose); these
 * keep the compiler sure of it. */
static unsigned rank_of(const struct mpb_export_field *f)
{
	const struct md_col *c = col_of(f);
	return c ? c->rank : UINT32_MAX;
}

static const char *title_of(const struct mpb_export_field *f)
{
	const struct md_col *c = col_of(f);
	return c ? c->title : f->name;
}

static const struct mpb_workload_ops *workload_of(const struct mpb_export_row *r)
{
	const struct mpb_plan *p = r->ds->plan;
	return r->baseline ? p->baselines[r->i].workload : p->points[r->i].workload;
}

/* Whether the cell of row r under c holds something this row measured or
 * is: '-' for an external command's axes it does not see and for the
 * phases it did not report. */
static bool applies(const struct md_col *c, const struct mpb_export_row *r)
{
	const struct mpb_workload_ops *w = workload_of(r);
	if (!(w->flags & MPB_WORKLOAD_EXTERNAL))
		return true;
	if (c->cmd == CMD_NEVER)
		return false;
	if (c->cmd == CMD_IF_NAMED && !(mpb_dataset_cmd_axes(r->ds) & c->cmd_bit))
		return false;
	return r->baseline || !c->measured || mpb_dataset_measured(r->ds, r->i, c->measured);
}

/* Three significant digits of v and a unit. */
static void sig3(char *buf, size_t len, double v, const char *unit)
{
	snprintf(buf, len, "%.3g%s", v, unit);
}

void mpb_export_md_ns(char *buf, size_t len, double ns)
{
	double a = fabs(ns);
	if (a >= 1e9)
		sig3(buf, len, ns / 1e9, " s");
	else if (a >= 1e6)
		sig3(buf, len, ns / 1e6, " ms");
	else if (a >= 1e3)
		sig3(buf, len, ns / 1e3, " µs");
	else
		sig3(buf, len, ns, " ns");
}

static void human_bytes(char *buf, size_t len, double b)
{
	if (b >= 1073741824.0)
		sig3(buf, len, b / 1073741824.0, " GiB");
	else if (b >= 1048576.0)
		sig3(buf, len, b / 1048576.0, " MiB");
	else if (b >= 1024.0)
		sig3(buf, len, b / 1024.0, " KiB");
	else
		snprintf(buf, len, "%.0f B", b);
}

void mpb_export_md_cell(const struct mpb_md_table *t, size_t r, size_t k, char *buf, size_t len)
{
	const struct mpb_export_field *f = &t->fs[k];
	const struct md_col *c = col_of(f);
	const struct mpb_export_row *row = &t->rows[r];
	const json_t *v = t->vals[r * t->nf + k];
	if (json_is_null(v) || (c && !applies(c, row))) {
		snprintf(buf, len, "-");
		return;
	}
	if (json_is_string(v)) {
		snprintf(buf, len, "%s", json_string_value(v));
		return;
	}
	double x = json_number_value(v);
	switch (c ? c->h : H_TEXT) {
	case H_SIZE: {
		const struct mpb_workload_ops *w = workload_of(row);
		if (strcmp(w->unit_name, "unused") == 0) /* null: its size means nothing */
			snprintf(buf, len, "-");
		else if (x >= 0 && x < 1.8e19)
			mpb_format_u64((uint64_t)x, w->unit, buf, len);
		else
			snprintf(buf, len, "%g", x);
		return;
	}
	case H_NS: mpb_export_md_ns(buf, len, x); return;
	case H_BYTES: human_bytes(buf, len, x); return;
	case H_PCT: sig3(buf, len, x, "%"); return;
	case H_FRAC_PCT: sig3(buf, len, 100 * x, "%"); return;
	case H_TIMES: sig3(buf, len, x, "x"); return;
	case H_RATE: sig3(buf, len, x, ""); return;
	case H_TEXT: break;
	}
	if (json_is_integer(v))
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	else
		mpb_export_format_number(x, buf, len);
}

/* Whether every row shows the same text under field k. */
static bool constant(const struct mpb_md_table *t, size_t k)
{
	char first[256], cur[256];
	for (size_t r = 0; r < t->nrows; r++) {
		mpb_export_md_cell(t, r, k, r ? cur : first, sizeof cur);
		if (r && strcmp(first, cur) != 0)
			return false;
	}
	return true;
}

/* An axis said above the table rather than in a column. */
static bool common_axis(const struct mpb_md_table *t, size_t k)
{
	const struct md_col *c = col_of(&t->fs[k]);
	return c && c->axis && t->nrows > 1 && constant(t, k);
}

void mpb_export_md_choose(struct mpb_md_table *t)
{
	size_t shown = 0;
	t->common = 0;
	for (size_t k = 0; k < t->nf; k++) {
		const struct md_col *c = col_of(&t->fs[k]);
		if (!t->col[k])
			continue;
		if (c && common_axis(t, k)) {
			char buf[256];
			mpb_export_md_cell(t, 0, k, buf, sizeof buf);
			const json_t *v = t->vals[k];
			bool zero = c->quiet_zero && json_is_number(v) && json_number_value(v) == 0;
			if (k < 64 && strcmp(buf, "-") != 0 && !zero)
				t->common |= (uint64_t)1 << k;
		}
		if (!c || common_axis(t, k)) {
			t->col[k] = false;
			continue;
		}
		bool any = false; /* a column of '-' says nothing */
		char buf[256];
		for (size_t r = 0; r < t->nrows && !any; r++) {
			mpb_export_md_cell(t, r, k, buf, sizeof buf);
			any = strcmp(buf, "-") != 0;
		}
		t->col[k] = any;
		shown += any;
	}
	/* too many: drop the least telling (highest rank) until the rest fit;
	 * the error column stays (rank 0) */
	while (shown > MPB_EXPORT_MD_MAX_COLS) {
		size_t worst = t->nf;
		for (size_t k = 0; k < t->nf; k++)
			if (t->col[k] && (worst == t->nf || rank_of(&t->fs[k]) > rank_of(&t->fs[worst])))
				worst = k;
		t->col[worst] = false;
		shown--;
	}
}

static void put(FILE *f, const char *s, bool html)
{
	if (html)
		mpb_export_html_string(f, s);
	else
		mpb_export_md_string(f, s);
}

/* "Every row: workload sumsq, size 2M, 4 tasks ..." */
static void write_common(FILE *f, const struct mpb_md_table *t, bool html)
{
	bool first = true;
	char buf[256];
	for (size_t k = 0; k < t->nf && k < 64; k++) {
		if (!(t->common & ((uint64_t)1 << k)))
			continue;
		mpb_export_md_cell(t, 0, k, buf, sizeof buf);
		fputs(first ? (html ? "<p>Every row: " : "Every row: ") : ", ", f);
		put(f, title_of(&t->fs[k]), html);
		fputc(' ', f);
		put(f, buf, html);
		first = false;
	}
	if (!first)
		fputs(html ? ".</p>\n" : ".\n\n", f);
}

void mpb_export_md_write(FILE *f, const struct mpb_md_table *t, bool html)
{
	char buf[600];
	write_common(f, t, html);
	fputs(html ? "<table>\n<thead><tr>" : "", f);
	for (size_t k = 0; k < t->nf; k++) {
		if (!t->col[k])
			continue;
		fputs(html ? "<th>" : "| ", f);
		put(f, title_of(&t->fs[k]), html);
		fputs(html ? "</th>" : " ", f);
	}
	fputs(html ? "</tr></thead>\n<tbody>\n" : "|\n", f);
	for (size_t k = 0; !html && k < t->nf; k++)
		if (t->col[k])
			fputs(t->fs[k].kind == MPB_FIELD_STR ? "| --- " : "| ---: ", f);
	fputs(html ? "" : "|\n", f);
	for (size_t r = 0; r < t->nrows; r++) {
		fputs(html ? "<tr>" : "", f);
		for (size_t k = 0; k < t->nf; k++) {
			if (!t->col[k])
				continue;
			mpb_export_md_cell(t, r, k, buf, sizeof buf);
			if (html)
				fputs(t->fs[k].kind == MPB_FIELD_STR ? "<td>" : "<td class=\"num\">", f);
			else
				fputs("| ", f);
			put(f, buf, html);
			fputs(html ? "</td>" : " ", f);
		}
		fputs(html ? "</tr>\n" : "|\n", f);
	}
	fputs(html ? "</tbody>\n</table>\n" : "", f);
}
