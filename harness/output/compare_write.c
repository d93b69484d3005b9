/* compare_write.c — a comparison (compare.h) as Markdown for a CI job
 * summary or as JSON (schema mpbench.compare/1, results/README.md). */
#include "compare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "warnings.h"

/* ---- JSON ---- */

static json_t *num_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static double ratio_of(double base, double new_)
{
	return base > 0 && new_ >= 0 ? new_ / base : NAN;
}

/* A side's measurement warnings (not the recommendation's: they judge no
 * figure compared here), as the results write them. */
static json_t *warnings_json(const struct mpb_dataset *ds)
{
	struct mpb_warning_list l = { 0 };
	json_t *a = json_array();
	mpb_warnings_collect(ds, &l);
	for (size_t i = 0; a && i < l.n; i++) {
		if (strcmp(l.v[i].scope, "recommendation") == 0)
			continue;
		json_array_append_new(a, json_pack("{s:s, s:s, s:I, s:s}", "kind", l.v[i].kind,
						   "scope", l.v[i].scope, "index",
						   (json_int_t)l.v[i].index, "message", l.v[i].message));
	}
	mpb_warnings_free(&l);
	return a;
}

static json_t *side_json(const char *name, const struct mpb_dataset *ds)
{
	json_t *o = mpb_compare_machine_json(ds);
	if (!o)
		return NULL;
	json_object_set_new(o, "file", json_string(name));
	json_object_set_new(o, "started", ds->started[0] ? json_string(ds->started) : json_null());
	json_object_set_new(o, "warnings", warnings_json(ds));
	return o;
}

static json_t *row_json(const struct mpb_compare *c, const struct mpb_compare_row *r)
{
	json_t *o = json_object();
	for (size_t k = 0; k < mpb_compare_axis_count(); k++)
		json_object_set_new(o, mpb_compare_axis_name(k), mpb_compare_axis_json(c->new_ds, r->new_, k));
	json_object_set_new(o, "base_runs", json_integer((json_int_t)r->nbase));
	json_object_set_new(o, "new_runs", json_integer((json_int_t)r->nnew));
	json_object_set_new(o, "base_median_ns", num_or_null(r->base_median_ns));
	json_object_set_new(o, "new_median_ns", num_or_null(r->new_median_ns));
	json_object_set_new(o, "ratio", num_or_null(r->ratio));
	json_object_set_new(o, "ratio_ci95", isfinite(r->ratio_lo) && isfinite(r->ratio_hi)
			    ? json_pack("[f, f]", r->ratio_lo, r->ratio_hi) : json_null());
	json_object_set_new(o, "p_value", num_or_null(r->p));
	json_object_set_new(o, "verdict", json_string(mpb_compare_verdict_name(r->verdict)));
	json_object_set_new(o, "note", r->note ? json_string(r->note) : json_null());
	json_object_set_new(o, "base_speedup", num_or_null(r->base_speedup));
	json_object_set_new(o, "new_speedup", num_or_null(r->new_speedup));
	json_object_set_new(o, "speedup_ratio", num_or_null(ratio_of(r->base_speedup, r->new_speedup)));
	json_object_set_new(o, "base_context_switches_per_task", num_or_null(r->base_cs_per_task));
	json_object_set_new(o, "new_context_switches_per_task", num_or_null(r->new_cs_per_task));
	json_object_set_new(o, "context_switches_ratio",
			    num_or_null(ratio_of(r->base_cs_per_task, r->new_cs_per_task)));
	json_object_set_new(o, "context_switches_source", json_string(r->cs_source));
	return o;
}

static json_t *along_json(const struct mpb_compare *c)
{
	if (!c->have_along)
		return json_null();
	json_t *news = json_array();
	for (size_t i = 0; i < c->along.nnew; i++)
		json_array_append_new(news, json_string(c->along.news[i]));
	return json_pack("{s:s, s:s, s:o}", "axis", c->along.axis_name, "base", c->along.base,
			 "new", news);
}

static json_t *compare_json(const struct mpb_compare *c)
{
	json_t *doc = json_object(), *rows = json_array(), *diffs = json_array(), *counts = json_object();
	const struct mpb_compare_geomean *g = &c->geomean;
	for (size_t i = 0; i < c->nrows; i++)
		json_array_append_new(rows, row_json(c, &c->rows[i]));
	for (size_t k = 0; k < c->ndiff; k++)
		json_array_append_new(diffs, json_string(c->machine_diff[k]));
	for (size_t v = 0; v < 4; v++)
		json_object_set_new(counts, mpb_compare_verdict_name((enum mpb_verdict)v),
				    json_integer((json_int_t)c->counts[v]));
	json_object_set_new(doc, "schema", json_string(MPB_COMPARE_SCHEMA));
	json_object_set_new(doc, "base", side_json(c->base_name, c->base_ds));
	json_object_set_new(doc, "new", side_json(c->new_name, c->new_ds));
	json_object_set_new(doc, "along", along_json(c));
	json_object_set_new(doc, "threshold_pct", json_real(c->threshold_pct));
	json_object_set_new(doc, "alpha", json_real(c->alpha));
	json_object_set_new(doc, "machine_differences", diffs);
	json_object_set_new(doc, "counts", counts);
	json_object_set_new(doc, "only_in_base", json_integer((json_int_t)c->only_base));
	json_object_set_new(doc, "only_in_new", json_integer((json_int_t)c->only_new));
	json_object_set_new(doc, "regressed", json_boolean(c->counts[MPB_VERDICT_REGRESSED] > 0));
	json_object_set_new(doc, "geomean",
			    json_pack("{s:o, s:I, s:o, s:I, s:o, s:I}",
				      "wall_ratio", num_or_null(g->wall), "wall_points", (json_int_t)g->nwall,
				      "speedup_ratio", num_or_null(g->speedup), "speedup_points",
				      (json_int_t)g->nspeedup, "context_switches_ratio", num_or_null(g->cs),
				      "context_switches_points", (json_int_t)g->ncs));
	json_object_set_new(doc, "points", rows);
	return doc;
}

/* ---- Markdown ---- */

/* The measurement's warnings of one side (load, noise, outliers, ...: not
 * the recommendation's), which qualify every verdict above. */
static void md_warnings(FILE *f, const char *label, const struct mpb_dataset *ds)
{
	struct mpb_warning_list l = { 0 };
	size_t shown = 0, total = 0;
	mpb_warnings_collect(ds, &l);
	for (size_t i = 0; i < l.n; i++) {
		if (strcmp(l.v[i].scope, "recommendation") == 0)
			continue;
		if (total++ == 0)
			fprintf(f, "\nWarnings of %s:\n\n", label);
		if (shown < MPB_COMPARE_WARNINGS_SHOWN) {
			fputs("- ", f);
			mpb_export_md_string(f, l.v[i].message);
			fputc('\n', f);
			shown++;
		}
	}
	if (total > shown)
		fprintf(f, "- ... and %zu more\n", total - shown);
	mpb_warnings_free(&l);
}

static void md_side(FILE *f, const char *label, const char *name, const struct mpb_dataset *ds)
{
	const struct mpb_machine *m = ds->machine;
	const char *host = m && m->hostname[0] ? m->hostname : NULL;
	const char *cpu = m && m->cpu_model[0] ? m->cpu_model : NULL;
	const char *st = ds->started[0] ? ds->started : NULL;
	fprintf(f, "- %s: ", label);
	mpb_export_md_string(f, name);
	fputs(" (", f);
	mpb_export_md_string(f, host ? host : "?");
	fputs(", ", f);
	mpb_export_md_string(f, cpu ? cpu : "unknown CPU");
	fprintf(f, ", %d usable CPUs, ", m ? m->usable_cpus : 0);
	mpb_export_md_string(f, st ? st : "?");
	fputs(")\n", f);
}

/* "a → b" of two figures, "-" for one unknown. */
static void md_pair(FILE *f, double a, double b)
{
	char x[64], y[64];
	if (!isfinite(a) && !isfinite(b)) {
		fputs("| - ", f);
		return;
	}
	mpb_export_format_number(a, x, sizeof x);
	mpb_export_format_number(b, y, sizeof y);
	fprintf(f, "| %s → %s ", isfinite(a) ? x : "-", isfinite(b) ? y : "-");
}

static void md_header(FILE *f, const struct mpb_compare *c)
{
	fputs("### mpbench compare\n\n", f);
	if (c->have_along) {
		md_side(f, "file", c->base_name, c->base_ds);
		fprintf(f, "- along %s: base %s, new ", c->along.axis_name, c->along.base);
		for (size_t i = 0; i < c->along.nnew; i++)
			fprintf(f, "%s%s", i ? ", " : "", c->along.news[i]);
		fprintf(f, " (each row: a point at the new %s against the same point at %s %s)\n",
			c->along.axis_name, c->along.axis_name, c->along.base);
	} else {
		md_side(f, "base", c->base_name, c->base_ds);
		md_side(f, "new", c->new_name, c->new_ds);
	}
	fputc('\n', f);
	if (c->ndiff) {
		fputs("> **Warning: the machines differ** (", f);
		for (size_t k = 0; k < c->ndiff; k++) {
			fputs(k ? "; " : "", f);
			mpb_export_md_string(f, c->machine_diff[k]);
		}
		fputs("): the ratios compare machines as much as code.\n\n", f);
	}
}

/* Which axes get a column: workload, workers, method and the --along axis
 * always, the others where they vary (the rest are said once above). */
static void md_columns(const struct mpb_compare *c, bool *show)
{
	char a[160], b[160];
	for (size_t k = 0; k < mpb_compare_axis_count(); k++) {
		const char *n = mpb_compare_axis_name(k);
		show[k] = !strcmp(n, "workload") || !strcmp(n, "workers") || !strcmp(n, "method") ||
			  (c->have_along && k == c->along.axis);
		for (size_t i = 0; i < c->nrows && !show[k]; i++) {
			/* a row's base and new points may differ beyond --along's axis
			 * (the codec of a thread point): such an axis is no common one */
			mpb_compare_axis_text(c->base_ds, c->rows[i].base, k, a, sizeof a);
			mpb_compare_axis_text(c->new_ds, c->rows[i].new_, k, b, sizeof b);
			show[k] = strcmp(a, b) != 0;
			mpb_compare_axis_text(c->new_ds, c->rows[0].new_, k, a, sizeof a);
			show[k] = show[k] || strcmp(a, b) != 0;
		}
	}
}

static void md_row(FILE *f, const struct mpb_compare *c, const struct mpb_compare_row *r,
		   const bool *show)
{
	char a[160], b[160], x[64], y[64];
	for (size_t k = 0; k < mpb_compare_axis_count(); k++) {
		if (!show[k])
			continue;
		mpb_compare_axis_text(c->base_ds, r->base, k, b, sizeof b);
		mpb_compare_axis_text(c->new_ds, r->new_, k, a, sizeof a);
		fputs("| ", f);
		if (strcmp(a, b) != 0 && !(c->have_along && k == c->along.axis)) {
			mpb_export_md_string(f, b);
			fputs(" → ", f);
		}
		mpb_export_md_string(f, a);
		fputc(' ', f);
	}
	mpb_export_format_number(r->base_median_ns / 1e6, x, sizeof x);
	mpb_export_format_number(r->new_median_ns / 1e6, y, sizeof y);
	fprintf(f, "| %s | %s ", x, y);
	mpb_export_format_number(r->ratio, x, sizeof x);
	fprintf(f, "| %s ", x);
	if (isfinite(r->ratio_lo) && isfinite(r->ratio_hi))
		fprintf(f, "| %.3f – %.3f ", r->ratio_lo, r->ratio_hi);
	else
		fputs("| - ", f);
	if (isfinite(r->p))
		fprintf(f, "| %.3g ", r->p);
	else
		fputs("| - ", f);
	const char *v = mpb_compare_verdict_name(r->verdict);
	if (r->verdict == MPB_VERDICT_REGRESSED)
		fprintf(f, "| **%s** ", v);
	else
		fprintf(f, "| %s ", v);
	if (r->note)
		fprintf(f, "(%s) ", r->note);
	md_pair(f, r->base_speedup, r->new_speedup);
	md_pair(f, r->base_cs_per_task, r->new_cs_per_task);
	fputs("|\n", f);
}

static void md_geomean(FILE *f, const struct mpb_compare *c)
{
	const struct mpb_compare_geomean *g = &c->geomean;
	char x[64];
	if (!g->nwall && !g->nspeedup && !g->ncs)
		return;
	fputs("\nGeometric mean of new/base:", f);
	const struct {
		const char *what;
		double v;
		size_t n;
	} parts[] = { { "wall time", g->wall, g->nwall }, { "speedup", g->speedup, g->nspeedup },
		      { "context switches per task", g->cs, g->ncs } };
	bool first = true;
	for (size_t i = 0; i < 3; i++) {
		if (!parts[i].n)
			continue;
		mpb_export_format_number(parts[i].v, x, sizeof x);
		fprintf(f, "%s %s x%s (%zu point%s)", first ? "" : ",", parts[i].what, x, parts[i].n,
			parts[i].n == 1 ? "" : "s");
		first = false;
	}
	fputs(".\n", f);
}

static void write_md(FILE *f, const struct mpb_compare *c)
{
	bool show[32];
	char a[160];
	size_t na = mpb_compare_axis_count();
	md_header(f, c);
	md_columns(c, show);
	bool common = false;
	for (size_t k = 0; k < na; k++) {
		if (show[k])
			continue;
		mpb_compare_axis_text(c->new_ds, c->rows[0].new_, k, a, sizeof a);
		fputs(common ? ", " : "All points: ", f);
		fprintf(f, "%s ", mpb_compare_axis_name(k));
		mpb_export_md_string(f, a);
		common = true;
	}
	if (common)
		fputs(".\n\n", f);
	for (size_t k = 0; k < na; k++)
		if (show[k])
			fprintf(f, "| %s ", mpb_compare_axis_name(k));
	fputs("| base median (ms) | new median (ms) | new/base | 95% CI | p | verdict "
	      "| speedup (base → new) | ctx sw/task (base → new) |\n", f);
	for (size_t k = 0; k < na; k++)
		if (show[k])
			fputs(mpb_compare_axis_is_count(k) ? "| ---: " : "| --- ", f);
	fputs("| ---: | ---: | ---: | :---: | ---: | --- | ---: | ---: |\n", f);
	for (size_t i = 0; i < c->nrows; i++)
		md_row(f, c, &c->rows[i], show);
	fprintf(f, "\n%s%zu regressed%s, %zu improved, %zu unchanged, %zu inconclusive of %zu matched "
		"point%s (threshold %g%%, rank test at alpha %g; ratio = new / base median wall time, "
		"above 1 is slower).",
		c->counts[MPB_VERDICT_REGRESSED] ? "**" : "", c->counts[MPB_VERDICT_REGRESSED],
		c->counts[MPB_VERDICT_REGRESSED] ? "**" : "", c->counts[MPB_VERDICT_IMPROVED],
		c->counts[MPB_VERDICT_UNCHANGED], c->counts[MPB_VERDICT_INCONCLUSIVE], c->nrows,
		c->nrows == 1 ? "" : "s", c->threshold_pct, c->alpha);
	if (c->only_base || c->only_new)
		fprintf(f, " Not matched: %zu point%s only in base, %zu only in new.", c->only_base,
			c->only_base == 1 ? "" : "s", c->only_new);
	fputc('\n', f);
	md_geomean(f, c);
	size_t nperf = 0;
	for (size_t i = 0; i < c->nrows; i++)
		nperf += strcmp(c->rows[i].cs_source, "perf") == 0;
	fprintf(f, "\nContext switches per task: harness and workers, from %s.\n",
		nperf == c->nrows ? "the perf counter"
		: nperf ? "the perf counter where both sides counted it, else rusage (voluntary + "
			  "involuntary)" : "rusage (voluntary + involuntary)");
	md_warnings(f, c->have_along ? "the file" : "base", c->base_ds);
	if (!c->have_along)
		md_warnings(f, "new", c->new_ds);
}

int mpb_compare_write(FILE *f, enum mpb_export_format fmt, const struct mpb_compare *c,
		      struct mpb_diag *d)
{
	if (fmt == MPB_EXPORT_JSON) {
		json_t *doc = compare_json(c);
		if (!doc)
			return mpb_fail(d, MPB_ENOMEM, "out of memory writing the comparison");
		json_dumpf(doc, f, JSON_INDENT(1));
		fputc('\n', f);
		json_decref(doc);
	} else {
		write_md(f, c);
	}
	if (fflush(f) != 0 || ferror(f))
		return mpb_fail(d, MPB_EIO, "writing the comparison failed");
	return 0;
}
