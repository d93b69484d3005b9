/* table.c — the console table (see table.h): one row per serial baseline
 * and per point, columns from one table. Figures come from analysis.c, so
 * the table and the JSON cannot disagree. Optional columns (parent RSS,
 * worker memory) appear only when the sweep has something to show in them. */
#include "table.h"

#include <stdbool.h>
#include <string.h>

#include "analysis.h"
#include "parse.h"
#include "stats.h"

static void fmt_ns(char *buf, size_t len, double ns)
{
	if (ns >= 1e9)
		snprintf(buf, len, "%.3f s", ns / 1e9);
	else if (ns >= 1e6)
		snprintf(buf, len, "%.2f ms", ns / 1e6);
	else if (ns >= 1e3)
		snprintf(buf, len, "%.1f us", ns / 1e3);
	else
		snprintf(buf, len, "%.0f ns", ns);
}

static void fmt_bytes(char *buf, size_t len, double b)
{
	if (b >= 1024.0 * 1024 * 1024)
		snprintf(buf, len, "%.1f GiB", b / (1024.0 * 1024 * 1024));
	else if (b >= 1024.0 * 1024)
		snprintf(buf, len, "%.1f MiB", b / (1024.0 * 1024));
	else
		snprintf(buf, len, "%.0f KiB", b / 1024.0);
}

/* One row's data: a point with its derived figures. */
struct row {
	const struct mpb_point *pt;
	const struct mpb_derived *dv; /* NULL when the point has no runs */
};

struct column {
	const char *head;
	int width;        /* negative: left-aligned */
	bool optional;    /* shown only when some row has a value */
	/* Write the cell; return false when there is nothing to show. */
	bool (*cell)(const struct row *r, char *buf, size_t len);
};

static bool c_method(const struct row *r, char *b, size_t n) { snprintf(b, n, "%s", r->pt->method->name); return true; }
static bool c_chunk(const struct row *r, char *b, size_t n) { snprintf(b, n, "%llu", (unsigned long long)r->pt->chunksize); return true; }
static bool c_workers(const struct row *r, char *b, size_t n) { snprintf(b, n, "%u", r->pt->workers); return true; }

static bool c_rss(const struct row *r, char *b, size_t n)
{
	if (!r->pt->parent_rss)
		return false;
	mpb_format_u64(r->pt->parent_rss, MPB_UNIT_BYTES, b, n);
	return true;
}

static bool c_wall(const struct row *r, char *b, size_t n)
{
	if (!r->dv)
		return false;
	fmt_ns(b, n, r->dv->wall_median_ns);
	return true;
}

static bool c_ci(const struct row *r, char *b, size_t n)
{
	if (!r->dv || r->dv->wall_median_ns <= 0)
		return false;
	snprintf(b, n, "%.1f%%", 100.0 * (r->dv->wall_ci_hi - r->dv->wall_ci_lo) / 2 / r->dv->wall_median_ns);
	return true;
}

static bool c_speedup(const struct row *r, char *b, size_t n)
{
	if (!r->dv || !r->dv->have_speedup)
		return false;
	snprintf(b, n, "%.2fx", r->dv->speedup);
	return true;
}

static bool c_eff(const struct row *r, char *b, size_t n)
{
	if (!r->dv || !r->dv->have_speedup)
		return false;
	snprintf(b, n, "%.2f", r->dv->efficiency);
	return true;
}

static bool c_ovh(const struct row *r, char *b, size_t n)
{
	if (!r->dv)
		return false;
	fmt_ns(b, n, r->dv->overhead_per_task_ns);
	return true;
}

static bool c_startup(const struct row *r, char *b, size_t n)
{
	if (!r->dv)
		return false;
	fmt_ns(b, n, r->dv->startup_per_worker_ns);
	return true;
}

static bool c_pss(const struct row *r, char *b, size_t n)
{
	if (!r->dv || !r->dv->have_memory)
		return false;
	fmt_bytes(b, n, r->dv->worker_pss_bytes);
	return true;
}

static const struct column columns[] = {
	{ "method", -10, false, c_method },
	{ "prss", 7, true, c_rss },
	{ "chunk", 6, false, c_chunk },
	{ "workers", 7, false, c_workers },
	{ "wall", 10, false, c_wall },
	{ "+-CI", 7, false, c_ci },
	{ "speedup", 8, false, c_speedup },
	{ "eff", 5, false, c_eff },
	{ "ovh/task", 10, false, c_ovh },
	{ "start/wkr", 10, false, c_startup },
	{ "pss/wkr", 9, true, c_pss },
};
#define NCOL (sizeof columns / sizeof columns[0])

void mpb_table_print(FILE *f, const struct mpb_sweep *s)
{
	const struct mpb_plan *p = s->plan;
	bool show[NCOL];
	char buf[64];

	for (size_t c = 0; c < NCOL; c++) {
		show[c] = !columns[c].optional;
		for (size_t i = 0; i < p->npoints && !show[c]; i++) {
			struct mpb_derived dv;
			struct row r = { &p->points[i], mpb_analysis_point(s, i, &dv) == 0 ? &dv : NULL };
			show[c] = columns[c].cell(&r, buf, sizeof buf);
		}
	}
	fprintf(f, "%-8s %7s %6s", "workload", "size", "tasks");
	for (size_t c = 0; c < NCOL; c++)
		if (show[c])
			fprintf(f, " %*s", columns[c].width, columns[c].head);
	fputc('\n', f);

	for (size_t j = 0; j < p->nbaselines; j++) {
		const struct mpb_baseline_state *bs = &s->bls[j];
		const struct mpb_baseline *b = &p->baselines[j];
		char size[MPB_FMT_U64_LEN], wall[32] = "-";
		mpb_format_u64(b->size, b->workload->unit, size, sizeof size);
		if (bs->n)
			fmt_ns(wall, sizeof wall, mpb_stats_median(bs->wall_ns, bs->n));
		fprintf(f, "%-8s %7s %6llu  serial baseline: %s%s%s\n", b->workload->name, size,
			(unsigned long long)b->tasks, wall, bs->failed ? "  FAILED: " : "",
			bs->failed ? bs->error : "");
	}
	for (size_t i = 0; i < p->npoints; i++) {
		const struct mpb_point *pt = &p->points[i];
		char size[MPB_FMT_U64_LEN];
		struct mpb_derived dv;
		struct row r = { pt, mpb_analysis_point(s, i, &dv) == 0 ? &dv : NULL };
		mpb_format_u64(pt->size, pt->workload->unit, size, sizeof size);
		fprintf(f, "%-8s %7s %6llu", pt->workload->name, size, (unsigned long long)pt->tasks);
		for (size_t c = 0; c < NCOL; c++) {
			if (!show[c])
				continue;
			if (!columns[c].cell(&r, buf, sizeof buf))
				strcpy(buf, "-");
			fprintf(f, " %*s", columns[c].width, buf);
		}
		fputs(s->pts[i].failed ? "  FAILED\n" : "\n", f);
		if (s->pts[i].failed)
			fprintf(f, "    ^ %s\n", s->pts[i].error);
	}
}
