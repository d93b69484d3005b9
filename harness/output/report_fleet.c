/* report_fleet.c — the fleet table of `mpbench report` (see report_fleet.h):
 * the figures of each (results file, workload) from the datasets, then one
 * writer per format over the cells. */
#include "report_fleet.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "export_md.h"
#include "parse.h"
#include "recommend.h"
#include "report_model.h"
#include "stats.h"
#include "workload.h"

#define MAX_METHODS 8
#define CELL 320

/* The start methods swept in any file, in the order first met. */
struct methods {
	const struct mpb_method_ops *m[MAX_METHODS];
	size_t n;
};

static void collect_methods(const struct mpb_report_opts *o, struct methods *ms)
{
	ms->n = 0;
	for (size_t i = 0; i < o->n; i++) {
		const struct mpb_plan *p = &o->sets[i].plan;
		for (size_t k = 0; k < p->npoints; k++) {
			size_t j = 0;
			while (j < ms->n && ms->m[j] != p->points[k].method)
				j++;
			if (j == ms->n && ms->n < MAX_METHODS)
				ms->m[ms->n++] = p->points[k].method;
		}
	}
}

/* Median start-up per worker of the file's points of method m that
 * measured one; NAN when none did. */
static double startup_of(const struct mpb_loaded *l, const struct mpb_method_ops *m)
{
	double *v = malloc((l->plan.npoints + 1) * sizeof *v);
	size_t n = 0;
	for (size_t k = 0; v && k < l->plan.npoints; k++) {
		struct mpb_derived dv;
		if (l->plan.points[k].method == m && mpb_dataset_measured(&l->ds, k, "startup_ns") &&
		    mpb_analysis_point(&l->ds, k, &dv) == 0 && dv.startup_per_worker_ns > 0)
			v[n++] = dv.startup_per_worker_ns;
	}
	double med = n ? mpb_stats_median(v, n) : NAN;
	free(v);
	return med;
}

/* What a row says of one workload of one file. */
struct row {
	size_t src;
	const struct mpb_workload_ops *w;
	uint64_t size;            /* the largest size measured, where the figures below are */
	double ceiling;           /* at usable CPUs; NAN when not measured there */
	uint64_t ceiling_size;
	bool have_rec, serial;    /* a recommendation; "do not parallelize" */
	unsigned rec_workers;
	const char *rec_method;
	uint64_t rec_size;
};

static void ceiling_of(const struct mpb_loaded *l, struct row *r)
{
	r->ceiling = NAN;
	for (size_t k = 0; k < l->plan.npoints; k++) {
		const struct mpb_point *pt = &l->plan.points[k];
		struct mpb_derived dv;
		if (pt->workload != r->w || (int)pt->workers != l->machine.usable_cpus ||
		    (isfinite(r->ceiling) && pt->size <= r->ceiling_size) ||
		    mpb_analysis_point(&l->ds, k, &dv) != 0 || !dv.have_ceiling_speedup)
			continue;
		r->ceiling = dv.ceiling_speedup;
		r->ceiling_size = pt->size;
	}
}

/* The best recommendation at the workload's largest recommended size. */
static void rec_of(const struct mpb_loaded *l, const struct mpb_rec_entry *e, size_t ne,
		   struct row *r)
{
	uint64_t size = 0;
	for (size_t k = 0; k < ne; k++) {
		const struct mpb_point *pt = &l->plan.points[e[k].point];
		if (pt->workload == r->w && pt->size >= size)
			size = pt->size;
	}
	double best = -1;
	bool any_parallel = false;
	for (size_t k = 0; k < ne; k++) {
		const struct mpb_point *pt = &l->plan.points[e[k].point];
		if (pt->workload != r->w || pt->size != size)
			continue;
		bool par = e[k].r.parallelize;
		/* a pool that pays beats any that does not; then the throughput */
		if ((par && !any_parallel) || (par == any_parallel && e[k].throughput > best)) {
			best = e[k].throughput;
			any_parallel |= par;
			r->have_rec = true;
			r->serial = !par;
			r->rec_workers = pt->workers;
			r->rec_method = pt->method->name;
			r->rec_size = size;
		}
	}
}

/* The rows: one per (file, workload), in file and plan order. */
static int rows_of(const struct mpb_report_opts *o, struct row **out, size_t *nout,
		   struct mpb_diag *d)
{
	size_t cap = 0;
	for (size_t i = 0; i < o->n; i++)
		cap += o->sets[i].plan.npoints;
	struct row *rows = calloc(cap ? cap : 1, sizeof *rows);
	size_t n = 0;
	if (!rows)
		return mpb_fail(d, MPB_ENOMEM, "out of memory writing the fleet table");
	for (size_t i = 0; i < o->n; i++) {
		const struct mpb_loaded *l = &o->sets[i];
		struct mpb_rec_entry *e = NULL;
		size_t ne = 0;
		if (mpb_recommend_sweep(&l->ds, &e, &ne) < 0) {
			free(rows);
			return mpb_fail(d, MPB_ENOMEM, "out of memory writing the fleet table");
		}
		for (size_t k = 0; k < l->plan.npoints; k++) {
			const struct mpb_point *pt = &l->plan.points[k];
			size_t j = n;
			while (j > 0 && !(rows[j - 1].src == i && rows[j - 1].w == pt->workload))
				j--;
			if (j > 0) {
				rows[j - 1].size = pt->size > rows[j - 1].size ? pt->size : rows[j - 1].size;
				continue;
			}
			rows[n] = (struct row){ .src = i, .w = pt->workload, .size = pt->size };
			n++;
		}
		for (size_t r = 0; r < n; r++)
			if (rows[r].src == i) {
				ceiling_of(l, &rows[r]);
				rec_of(l, e, ne, &rows[r]);
			}
		free(e);
	}
	*out = rows;
	*nout = n;
	return 0;
}

/* ---- cells ---- */

static void size_text(const struct mpb_workload_ops *w, uint64_t size, char *buf, size_t len)
{
	if (strcmp(w->unit_name, "unused") == 0)
		snprintf(buf, len, "-");
	else
		mpb_format_u64(size, w->unit, buf, len);
}

static void ns_text(double ns, bool human, char *buf, size_t len)
{
	if (!(ns > 0))
		snprintf(buf, len, human ? "-" : "");
	else if (human)
		mpb_export_md_ns(buf, len, ns);
	else
		snprintf(buf, len, "%.17g", ns);
}

/* Whether any file recorded the MPI floors (a sweep with mpi points): the
 * table then has their two columns. */
static bool any_mpi_floors(const struct mpb_report_opts *o)
{
	for (size_t i = 0; i < o->n; i++)
		if (o->sets[i].machine.has_floors && o->sets[i].machine.floors.mpi_launch_ns > 0)
			return true;
	return false;
}

static double mpi_floor(const struct mpb_machine *m, bool rtt)
{
	if (!m->has_floors || m->floors.mpi_launch_ns <= 0)
		return NAN;
	return rtt ? m->floors.mpi_rtt_ns : m->floors.mpi_launch_ns;
}

/* Header and cells of the table, human (Markdown, HTML) or raw (CSV). */
static void fill(const struct mpb_report_opts *o, const struct methods *ms, const struct row *rows,
		 size_t n, bool human, bool mpi, char (*c)[CELL])
{
	size_t k = 0;
	static const char *const h_human[] = { "series", "host", "CPU", "usable CPUs", "fork floor",
					       "spawn floor" };
	static const char *const h_raw[] = { "series", "hostname", "cpu_model", "usable_cpus",
					     "fork_exit_wait_ns", "spawn_exit_wait_ns" };
	for (size_t j = 0; j < 6; j++)
		snprintf(c[k++], CELL, "%s", human ? h_human[j] : h_raw[j]);
	for (size_t j = 0; mpi && j < 2; j++)
		snprintf(c[k++], CELL, "%s", human ? (j ? "mpi round trip" : "mpi launch floor")
						  : (j ? "mpi_rtt_ns" : "mpi_launch_ns"));
	for (size_t j = 0; j < ms->n; j++)
		snprintf(c[k++], CELL, human ? "start-up/worker %s" : "startup_per_worker_ns_%s",
			 ms->m[j]->name);
	static const char *const t_human[] = { "workload", "size", "ceiling at usable CPUs",
					       "recommended" };
	static const char *const t_raw[] = { "workload", "size", "ceiling_speedup_at_usable_cpus",
					     "recommended_workers", "recommended_method" };
	for (size_t j = 0; j < (human ? 4u : 5u); j++)
		snprintf(c[k++], CELL, "%s", human ? t_human[j] : t_raw[j]);
	for (size_t r = 0; r < n; r++) {
		const struct row *w = &rows[r];
		const struct mpb_loaded *l = &o->sets[w->src];
		const struct mpb_machine *m = &l->machine;
		mpb_rp_source_name(o, w->src, c[k++], CELL);
		snprintf(c[k++], CELL, "%s", m->hostname[0] ? m->hostname : (human ? "-" : ""));
		snprintf(c[k++], CELL, "%s", m->cpu_model[0] ? m->cpu_model : (human ? "-" : ""));
		snprintf(c[k++], CELL, "%d", m->usable_cpus);
		ns_text(m->has_floors ? m->floors.fork_exit_wait_ns : NAN, human, c[k++], CELL);
		ns_text(m->has_floors ? m->floors.spawn_exit_wait_ns : NAN, human, c[k++], CELL);
		for (int j = 0; mpi && j < 2; j++)
			ns_text(mpi_floor(m, j == 1), human, c[k++], CELL);
		for (size_t j = 0; j < ms->n; j++)
			ns_text(startup_of(l, ms->m[j]), human, c[k++], CELL);
		snprintf(c[k++], CELL, "%s", w->w->name);
		if (human)
			size_text(w->w, w->size, c[k++], CELL);
		else
			snprintf(c[k++], CELL, "%llu", (unsigned long long)w->size);
		if (!isfinite(w->ceiling))
			snprintf(c[k], CELL, human ? "- (not measured at %d workers)" : "", m->usable_cpus);
		else if (human && w->ceiling_size != w->size) {
			char s[MPB_FMT_U64_LEN];
			size_text(w->w, w->ceiling_size, s, sizeof s);
			snprintf(c[k], CELL, "%.3gx (at %s)", w->ceiling, s);
		} else
			snprintf(c[k], CELL, human ? "%.3gx" : "%.17g", w->ceiling);
		k++;
		if (!human) {
			snprintf(c[k++], CELL, w->have_rec ? (w->serial ? "0" : "%u") : "", w->rec_workers);
			snprintf(c[k++], CELL, "%s", w->have_rec ? (w->serial ? "serial" : w->rec_method) : "");
		} else if (!w->have_rec) {
			snprintf(c[k++], CELL, "-");
		} else if (w->serial) {
			snprintf(c[k++], CELL, "serial (no pool pays)");
		} else {
			snprintf(c[k++], CELL, "%u x %s", w->rec_workers, w->rec_method);
		}
	}
}

int mpb_report_fleet_write(FILE *f, enum mpb_export_format fmt, const struct mpb_report_opts *o,
			   struct mpb_diag *d)
{
	struct methods ms;
	struct row *rows = NULL;
	size_t n = 0;
	collect_methods(o, &ms);
	int rc = rows_of(o, &rows, &n, d);
	if (rc < 0)
		return rc;
	bool human = fmt != MPB_EXPORT_CSV, mpi = any_mpi_floors(o);
	size_t ncol = 6 + (mpi ? 2 : 0) + ms.n + (human ? 4 : 5);
	char (*c)[CELL] = calloc((n + 1) * ncol, CELL);
	if (!c) {
		free(rows);
		return mpb_fail(d, MPB_ENOMEM, "out of memory writing the fleet table");
	}
	fill(o, &ms, rows, n, human, mpi, c);
	for (size_t r = 0; r <= n; r++) {
		if (fmt == MPB_EXPORT_HTML)
			fputs(r == 0 ? "<table>\n<thead><tr>" : "<tr>", f);
		for (size_t k = 0; k < ncol; k++) {
			const char *s = c[r * ncol + k];
			switch (fmt) {
			case MPB_EXPORT_CSV:
				fputs(k ? "," : "", f);
				mpb_export_csv_string(f, s);
				break;
			case MPB_EXPORT_HTML:
				fputs(r == 0 ? "<th>" : "<td>", f);
				mpb_export_html_string(f, s);
				fputs(r == 0 ? "</th>" : "</td>", f);
				break;
			default:
				fputs("| ", f);
				mpb_export_md_string(f, s);
				fputc(' ', f);
			}
		}
		if (fmt == MPB_EXPORT_HTML)
			fputs(r == 0 ? "</tr></thead>\n<tbody>\n" : "</tr>\n", f);
		else if (fmt == MPB_EXPORT_CSV)
			fputc('\n', f);
		else
			fputs("|\n", f);
		for (size_t k = 0; fmt == MPB_EXPORT_MD && r == 0 && k < ncol; k++)
			fputs(k + 1 < ncol ? "| --- " : "| --- |\n", f);
	}
	if (fmt == MPB_EXPORT_HTML)
		fputs("</tbody>\n</table>\n", f);
	free(c);
	free(rows);
	return ferror(f) ? mpb_fail(d, MPB_EIO, "writing the fleet table failed") : 0;
}
