/* table.c — the console table (see table.h): one row per serial baseline
 * and per point, columns from one table. Figures come from analysis.c, so
 * the table and the JSON cannot disagree. Optional columns (parent RSS,
 * worker memory) appear only when the sweep has something to show in them. */
#include "table.h"

#include <stdbool.h>
#include <string.h>

#include "analysis.h"
#include "ceiling_ratios.h"
#include "parse.h"
#include "stats.h"
#include "transport.h"

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
	const struct mpb_dataset *ds;
	size_t i;                     /* the point's index in ds */
};

/* Whether an external command's point (--cmd) sees axis bit (its template
 * names it); a pooled point sees every axis. */
static bool sees(const struct row *r, unsigned bit)
{
	return !(r->pt->workload->flags & MPB_WORKLOAD_EXTERNAL) || (mpb_dataset_cmd_axes(r->ds) & bit);
}

/* Whether the point measured a run field (an external command reports its
 * phases or not: dataset.h). */
static bool measured(const struct row *r, const char *field)
{
	return r->dv && mpb_dataset_measured(r->ds, r->i, field);
}

struct column {
	const char *head;
	int width;        /* negative: left-aligned */
	bool optional;    /* shown only when some row has a value */
	/* Write the cell; return false when there is nothing to show. */
	bool (*cell)(const struct row *r, char *buf, size_t len);
};

/* "fork", or "fork/shm/json" when the transport or codec is not the default
 * (a codec the method fixes, as thread's, is implied by the method) */
static bool c_method(const struct row *r, char *b, size_t n)
{
	const struct mpb_point *pt = r->pt;
	if (!sees(r, MPB_CMD_AXIS_METHOD))
		return false; /* the command's own business */
	bool tp = pt->transport != mpb_transport_default();
	bool co = pt->codec != mpb_codec_default() && !pt->method->codec;
	snprintf(b, n, "%s%s%s%s%s", pt->method->name, tp ? "/" : "", tp ? pt->transport->name : "",
		 co ? "/" : "", co ? pt->codec->name : "");
	return true;
}
static bool c_chunk(const struct row *r, char *b, size_t n)
{
	if (!sees(r, MPB_CMD_AXIS_CHUNKSIZE))
		return false;
	snprintf(b, n, "%llu", (unsigned long long)r->pt->chunksize);
	return true;
}
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

/* The pool's share of what the machine gives at this many processes. */
static bool c_vs_ceil(const struct row *r, char *b, size_t n)
{
	if (!r->dv || !r->dv->have_ceiling)
		return false;
	snprintf(b, n, "%.0f%%", 100.0 * r->dv->speedup_vs_ceiling);
	return true;
}

static bool c_ovh(const struct row *r, char *b, size_t n)
{
	if (!measured(r, "map_ns"))
		return false;
	fmt_ns(b, n, r->dv->overhead_per_task_ns);
	return true;
}

static bool c_startup(const struct row *r, char *b, size_t n)
{
	if (!measured(r, "startup_ns"))
		return false;
	fmt_ns(b, n, r->dv->startup_per_worker_ns);
	return true;
}

/* A fixed cost per worker as a multiple of the method's floor (machine.floors). */
static void fmt_floors(char *b, size_t n, double v)
{
	snprintf(b, n, v >= 10 ? "%.0fx" : "%.1fx", v);
}

static bool c_start_floor(const struct row *r, char *b, size_t n)
{
	if (!measured(r, "startup_ns") || !r->dv->have_floor)
		return false;
	fmt_floors(b, n, r->dv->startup_per_worker_floors);
	return true;
}

static bool c_tdn_floor(const struct row *r, char *b, size_t n)
{
	if (!measured(r, "teardown_ns") || !r->dv->have_floor)
		return false;
	fmt_floors(b, n, r->dv->teardown_per_worker_floors);
	return true;
}

/* A per-task rate: three significant digits are plenty for a glance. */
static void fmt_rate(char *buf, size_t len, double v)
{
	snprintf(buf, len, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
}

/* Context switches per task, from the perf counter (harness + workers). */
static bool c_cs(const struct row *r, char *b, size_t n)
{
	if (!r->dv || !r->dv->counters.have_cs)
		return false;
	fmt_rate(b, n, r->dv->counters.cs_per_task);
	return true;
}

/* Involuntary context switches per task (rusage): what oversubscription
 * raises, and known even where perf counters are not. */
static bool c_ics(const struct row *r, char *b, size_t n)
{
	if (!r->dv)
		return false;
	fmt_rate(b, n, r->dv->counters.ics_per_task);
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
	{ "method", -15, false, c_method },
	{ "prss", 7, true, c_rss },
	{ "chunk", 6, false, c_chunk },
	{ "workers", 7, false, c_workers },
	{ "wall", 10, false, c_wall },
	{ "+-CI", 7, false, c_ci },
	{ "speedup", 8, false, c_speedup },
	{ "eff", 5, false, c_eff },
	{ "vs-ceil", 7, true, c_vs_ceil },
	{ "ovh/task", 10, false, c_ovh },
	{ "start/wkr", 10, false, c_startup },
	{ "start/flr", 9, true, c_start_floor },
	{ "tdn/flr", 8, true, c_tdn_floor },
	{ "cs/task", 8, true, c_cs },
	{ "invcs/task", 10, false, c_ics },
	{ "pss/wkr", 9, true, c_pss },
};
#define NCOL (sizeof columns / sizeof columns[0])

static bool same_group(const struct mpb_point *a, const struct mpb_point *b)
{
	return a->workload == b->workload && a->size == b->size && a->tasks == b->tasks &&
	       a->method == b->method;
}

/* One sentence per (workload, size, tasks, method): the pool's best point
 * against the machine's ceiling at the same number of workers. */
static void print_ceiling_verdicts(FILE *f, const struct mpb_dataset *s)
{
	const struct mpb_plan *p = s->plan;
	bool blank = false;
	for (size_t i = 0; i < p->npoints; i++) {
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = same_group(&p->points[j], &p->points[i]);
		if (seen)
			continue;
		struct mpb_derived best = { 0 }, dv;
		size_t bi = i;
		for (size_t j = i; j < p->npoints; j++)
			if (same_group(&p->points[j], &p->points[i]) &&
			    mpb_analysis_point(s, j, &dv) == 0 && dv.have_speedup &&
			    dv.have_ceiling_speedup && (!best.have_speedup || dv.speedup > best.speedup)) {
				best = dv;
				bi = j;
			}
		if (!best.have_speedup)
			continue;
		const struct mpb_point *pt = &p->points[bi];
		char size[MPB_FMT_U64_LEN], line[256];
		mpb_format_u64(pt->size, pt->workload->unit, size, sizeof size);
		mpb_ceiling_sentence(line, sizeof line, best.ceiling_speedup, pt->workers,
				     pt->method->name, best.speedup, best.speedup_vs_ceiling);
		if (!blank)
			fputc('\n', f);
		blank = true;
		fprintf(f, "%s %s x %llu tasks: %s\n", pt->workload->name, size,
			(unsigned long long)pt->tasks, line);
	}
}

void mpb_table_print(FILE *f, const struct mpb_dataset *s)
{
	const struct mpb_plan *p = s->plan;
	bool show[NCOL];
	char buf[64];

	for (size_t c = 0; c < NCOL; c++) {
		show[c] = !columns[c].optional;
		for (size_t i = 0; i < p->npoints && !show[c]; i++) {
			struct mpb_derived dv;
			struct row r = { &p->points[i], mpb_analysis_point(s, i, &dv) == 0 ? &dv : NULL, s, i };
			show[c] = columns[c].cell(&r, buf, sizeof buf);
		}
	}
	fprintf(f, "%-8s %7s %6s", "workload", "size", "tasks");
	for (size_t c = 0; c < NCOL; c++)
		if (show[c])
			fprintf(f, " %*s", columns[c].width, columns[c].head);
	fputc('\n', f);

	for (size_t j = 0; j < p->nbaselines; j++) {
		const struct mpb_wall_state *bs = &s->bls[j];
		const struct mpb_baseline *b = &p->baselines[j];
		char size[MPB_FMT_U64_LEN], wall[32] = "-";
		mpb_format_u64(b->size, b->workload->unit, size, sizeof size);
		if (bs->n)
			fmt_ns(wall, sizeof wall, mpb_stats_median(bs->wall_ns, bs->n));
		fprintf(f, "%-8s %7s %6llu  serial baseline: %s%s%s\n", b->workload->name, size,
			(unsigned long long)b->tasks, wall, bs->failed ? "  FAILED: " : "",
			bs->failed ? bs->error : "");
	}
	for (size_t j = 0; s->cls && j < p->nceilings; j++) {
		const struct mpb_wall_state *cs = &s->cls[j];
		const struct mpb_ceiling *c = &p->ceilings[j];
		const struct mpb_wall_state *bs = &s->bls[c->baseline];
		char size[MPB_FMT_U64_LEN], wall[32] = "-", sp[32] = "";
		mpb_format_u64(c->size, c->workload->unit, size, sizeof size);
		struct mpb_ceiling_ratios cr;
		if (mpb_ceiling_ratios(bs->wall_ns, bs->n, cs->wall_ns, cs->n, NULL, 0, p->seed + j,
				       &cr) == 0) {
			fmt_ns(wall, sizeof wall, cr.ceiling_median_ns);
			if (cr.have_speedup)
				snprintf(sp, sizeof sp, ", %.2fx", cr.speedup);
		}
		fprintf(f, "%-8s %7s %6llu  %s at %u worker%s: %s%s%s%s\n", c->workload->name,
			size, (unsigned long long)c->tasks, mpb_method_ceiling_title(c->over),
			c->workers, c->workers == 1 ? "" : "s",
			wall, sp, cs->failed ? "  FAILED: " : "", cs->failed ? cs->error : "");
	}
	for (size_t i = 0; i < p->npoints; i++) {
		const struct mpb_point *pt = &p->points[i];
		char size[MPB_FMT_U64_LEN];
		struct mpb_derived dv;
		struct row r = { pt, mpb_analysis_point(s, i, &dv) == 0 ? &dv : NULL, s, i };
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
	print_ceiling_verdicts(f, s);
}
