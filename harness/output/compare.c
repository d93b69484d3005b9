/* compare.c — match two results datasets point by point and judge each
 * matched point's wall time (see compare.h for the verdict rules). */
#include "compare.h"

#include "export.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "stats.h"
#include "warnings.h"

/* Bootstrap seed of the first row; row i uses SEED + i, so a comparison is
 * reproducible bit for bit. */
#define COMPARE_SEED 1u

static const char *const verdict_names[] = { "unchanged", "improved", "regressed",
					     "inconclusive" };

const char *mpb_compare_verdict_name(enum mpb_verdict v)
{
	return (unsigned)v < 4 ? verdict_names[v] : "?";
}

enum mpb_verdict mpb_compare_verdict(double r, double lo, double hi, double p, size_t nbase,
				     size_t nnew, double t, double alpha)
{
	if (nbase < 2 || nnew < 2 || !isfinite(r) || !isfinite(p))
		return MPB_VERDICT_INCONCLUSIVE;
	bool sig = p < alpha;
	if (sig && r > 1.0 + t && lo > 1.0)
		return MPB_VERDICT_REGRESSED;
	if (sig && r < 1.0 / (1.0 + t) && hi < 1.0)
		return MPB_VERDICT_IMPROVED;
	/* the whole CI within the threshold: a change beyond it is excluded */
	if (lo >= 1.0 / (1.0 + t) && hi <= 1.0 + t)
		return MPB_VERDICT_UNCHANGED;
	return MPB_VERDICT_INCONCLUSIVE;
}

/* The axes that identify a point, in key order: a name (str) or a count. */
static const char *ax_workload(const struct mpb_point *p) { return p->workload->name; }
static const char *ax_method(const struct mpb_point *p) { return p->method->name; }
static const char *ax_codec(const struct mpb_point *p) { return p->codec->name; }
static const char *ax_transport(const struct mpb_point *p) { return p->transport->name; }
static uint64_t ax_size(const struct mpb_point *p) { return p->size; }
static uint64_t ax_tasks(const struct mpb_point *p) { return p->tasks; }
static uint64_t ax_workers(const struct mpb_point *p) { return p->workers; }
static uint64_t ax_chunksize(const struct mpb_point *p) { return p->chunksize; }
static uint64_t ax_prss(const struct mpb_point *p) { return p->parent_rss; }

static const struct {
	const char *name;
	const char *(*str)(const struct mpb_point *p);
	uint64_t (*count)(const struct mpb_point *p);
} axes[] = {
	{ "workload", ax_workload, NULL }, { "size", NULL, ax_size }, { "tasks", NULL, ax_tasks },
	{ "workers", NULL, ax_workers }, { "method", ax_method, NULL }, { "codec", ax_codec, NULL },
	{ "transport", ax_transport, NULL }, { "chunksize", NULL, ax_chunksize },
	{ "parent_rss", NULL, ax_prss },
};
#define NAXES (sizeof axes / sizeof axes[0])

static void axis_text(const struct mpb_dataset *ds, size_t i, size_t k, char *buf, size_t len)
{
	const struct mpb_point *p = &ds->plan->points[i];
	if (axes[k].str)
		snprintf(buf, len, "%s", axes[k].str(p));
	else
		snprintf(buf, len, "%llu", (unsigned long long)axes[k].count(p));
}

/* The value of axis k as the results write it. */
static json_t *axis_json(const struct mpb_dataset *ds, size_t i, size_t k)
{
	const struct mpb_point *p = &ds->plan->points[i];
	return axes[k].str ? json_string(axes[k].str(p)) : mpb_dataset_u64_json(axes[k].count(p));
}

void mpb_compare_point_key(const struct mpb_dataset *ds, size_t i, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t k = 0; k < NAXES && used < len; k++) {
		char v[160];
		axis_text(ds, i, k, v, sizeof v);
		int n = snprintf(buf + used, len - used, "%s%s=%s", k ? " " : "", axes[k].name, v);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

int mpb_compare_parse_threshold(const char *text, double *pct, struct mpb_diag *d)
{
	char *end;
	errno = 0;
	double v = strtod(text, &end);
	if (end != text && *end == '%')
		end++;
	if (end == text || *end || errno || !(v > 0) || v > 1000 || !isfinite(v))
		return mpb_fail(d, MPB_EINPUT, "--threshold: '%s' is not accepted (accepted: a "
				"percentage > 0 and <= 1000, e.g. 10 or 2.5%%)", text);
	*pct = v;
	return 0;
}

/* Wall times of a point's runs into a new array; *n set. NULL on ENOMEM. */
static double *walls(const struct mpb_dataset *ds, size_t i, size_t *n)
{
	size_t nm;
	const struct mpb_metric *wm = mpb_metrics(&nm); /* the first is wall_ns */
	*n = ds->pts[i].nruns;
	return mpb_metric_values(&ds->pts[i], wm);
}

static int judge(const struct mpb_compare *c, struct mpb_compare_row *r, double t, double alpha,
		 uint64_t seed)
{
	size_t nb, nn;
	double *b = walls(c->base_ds, r->base, &nb), *n = walls(c->new_ds, r->new_, &nn);
	int rc = 0;
	r->nbase = nb;
	r->nnew = nn;
	r->base_median_ns = r->new_median_ns = NAN;
	r->ratio = r->ratio_lo = r->ratio_hi = r->p = NAN;
	if (!b || !n) {
		rc = -1;
		goto out;
	}
	if (nb)
		r->base_median_ns = mpb_stats_median(b, nb);
	if (nn)
		r->new_median_ns = mpb_stats_median(n, nn);
	if (nb && nn && r->base_median_ns > 0) {
		r->ratio = r->new_median_ns / r->base_median_ns;
		if (mpb_stats_ratio_ci(n, nn, b, nb, seed, &r->ratio_lo, &r->ratio_hi) < 0)
			r->ratio_lo = r->ratio_hi = NAN;
		double u;
		if (mpb_stats_mann_whitney(n, nn, b, nb, &u, &r->p) < 0)
			rc = -1;
	}
	r->verdict = mpb_compare_verdict(r->ratio, r->ratio_lo, r->ratio_hi, r->p, nb, nn, t, alpha);
	bool fb = c->base_ds->pts[r->base].failed, fn = c->new_ds->pts[r->new_].failed;
	if (fb || fn) {
		/* a failed point's runs stop at the failure: not a fair sample */
		r->verdict = MPB_VERDICT_INCONCLUSIVE;
		r->note = fb && fn ? "failed in both" : fb ? "failed in base" : "failed in new";
	} else if (nb < 2 || nn < 2) {
		r->note = "fewer than 2 runs";
	}
out:
	free(b);
	free(n);
	return rc;
}

struct keyed {
	char key[512];
	size_t point;
};

static int cmp_keyed(const void *a, const void *b)
{
	return strcmp(((const struct keyed *)a)->key, ((const struct keyed *)b)->key);
}

static struct keyed *keyed_points(const struct mpb_dataset *ds, size_t *n)
{
	*n = ds->plan->npoints;
	struct keyed *k = malloc((*n ? *n : 1) * sizeof *k);
	for (size_t i = 0; k && i < *n; i++) {
		k[i].point = i;
		mpb_compare_point_key(ds, i, k[i].key, sizeof k[i].key);
	}
	return k;
}

/* The machine's fingerprint as the results write it: a string ("" is
 * unknown: null) or a count (0 is unknown: null). */
static const char *m_cpu(const struct mpb_machine *m) { return m->cpu_model; }
static const char *m_kernel(const struct mpb_machine *m) { return m->kernel; }
static const char *m_host(const struct mpb_machine *m) { return m->hostname; }
static int m_usable(const struct mpb_machine *m) { return m->usable_cpus; }

static const struct {
	const char *name;
	const char *(*str)(const struct mpb_machine *m);
	int (*count)(const struct mpb_machine *m);
	bool fingerprint;   /* compared: a difference is a warning */
} machine_keys[] = {
	{ "hostname", m_host, NULL, false }, { "cpu_model", m_cpu, NULL, true },
	{ "usable_cpus", NULL, m_usable, true }, { "kernel", m_kernel, NULL, true },
};
#define NMKEYS (sizeof machine_keys / sizeof machine_keys[0])

static json_t *machine_json(const struct mpb_dataset *ds, size_t k)
{
	const struct mpb_machine *m = ds->machine;
	if (machine_keys[k].str)
		return m && machine_keys[k].str(m)[0] ? json_string(machine_keys[k].str(m)) : json_null();
	return m && machine_keys[k].count(m) > 0 ? json_integer(machine_keys[k].count(m)) : json_null();
}

static void machine_diffs(struct mpb_compare *c)
{
	for (size_t k = 0; k < NMKEYS; k++) {
		if (!machine_keys[k].fingerprint)
			continue;
		json_t *a = machine_json(c->base_ds, k), *b = machine_json(c->new_ds, k);
		if (a && b && !json_equal(a, b)) {
			char *ta = json_dumps(a, JSON_ENCODE_ANY), *tb = json_dumps(b, JSON_ENCODE_ANY);
			snprintf(c->machine_diff[c->ndiff++], sizeof c->machine_diff[0],
				 "%s: %.100s vs %.100s", machine_keys[k].name, ta ? ta : "?", tb ? tb : "?");
			free(ta);
			free(tb);
		}
		json_decref(a);
		json_decref(b);
	}
}

int mpb_compare_datasets(const char *base_name, const struct mpb_dataset *base,
			 const char *new_name, const struct mpb_dataset *new_, double threshold_pct,
			 struct mpb_compare *out, struct mpb_diag *d)
{
	*out = (struct mpb_compare){ .threshold_pct = threshold_pct, .alpha = MPB_COMPARE_ALPHA,
				     .base_name = base_name, .new_name = new_name,
				     .base_ds = base, .new_ds = new_ };
	size_t nb, nn;
	struct keyed *kb = keyed_points(base, &nb), *kn = keyed_points(new_, &nn);
	bool *used = calloc(nb ? nb : 1, sizeof *used);
	int rc = 0;
	if (!kb || !kn || !used || !(out->rows = calloc(nn ? nn : 1, sizeof *out->rows))) {
		rc = mpb_fail(d, MPB_ENOMEM, "out of memory comparing results");
		goto out;
	}
	qsort(kb, nb, sizeof *kb, cmp_keyed);
	/* rows in NEW's order, which is the plan's */
	for (size_t i = 0; i < nn; i++) {
		struct keyed *m = nb ? bsearch(&kn[i], kb, nb, sizeof *kb, cmp_keyed) : NULL;
		/* duplicate keys: bsearch may land on any; take the first unused */
		while (m && m > kb && cmp_keyed(m - 1, &kn[i]) == 0)
			m--;
		while (m && m < kb + nb && cmp_keyed(m, &kn[i]) == 0 && used[m - kb])
			m++;
		if (!m || m == kb + nb || cmp_keyed(m, &kn[i]) != 0) {
			out->only_new++;
			continue;
		}
		used[m - kb] = true;
		struct mpb_compare_row *r = &out->rows[out->nrows];
		r->base = m->point;
		r->new_ = kn[i].point;
		if (judge(out, r, threshold_pct / 100.0, out->alpha, COMPARE_SEED + out->nrows) < 0) {
			rc = mpb_fail(d, MPB_ENOMEM, "out of memory comparing results");
			goto out;
		}
		out->counts[r->verdict]++;
		out->nrows++;
	}
	out->only_base = nb - out->nrows;
	if (out->nrows == 0) {
		rc = mpb_fail(d, MPB_EINPUT, "%s and %s have no point in common (points are matched by "
			      "workload, size, tasks, workers, method, codec, transport, chunksize, "
			      "parent_rss)", base_name, new_name);
		goto out;
	}
	machine_diffs(out);
out:
	free(kb);
	free(kn);
	free(used);
	if (rc < 0)
		mpb_compare_free(out);
	return rc;
}

void mpb_compare_free(struct mpb_compare *c)
{
	free(c->rows);
	c->rows = NULL;
	c->nrows = 0;
}

/* ---- output ---- */

static json_t *num_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *side_json(const char *name, const struct mpb_dataset *ds)
{
	json_t *o = json_object();
	json_object_set_new(o, "file", json_string(name));
	for (size_t k = 0; k < NMKEYS; k++)
		json_object_set_new(o, machine_keys[k].name, machine_json(ds, k));
	json_object_set_new(o, "started", ds->started[0] ? json_string(ds->started) : json_null());
	return o;
}

static json_t *compare_json(const struct mpb_compare *c)
{
	json_t *doc = json_object(), *rows = json_array(), *diffs = json_array(), *counts = json_object();
	for (size_t i = 0; i < c->nrows; i++) {
		const struct mpb_compare_row *r = &c->rows[i];
		json_t *o = json_object();
		for (size_t k = 0; k < NAXES; k++)
			json_object_set_new(o, axes[k].name, axis_json(c->new_ds, r->new_, k));
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
		json_array_append_new(rows, o);
	}
	for (size_t k = 0; k < c->ndiff; k++)
		json_array_append_new(diffs, json_string(c->machine_diff[k]));
	for (size_t v = 0; v < 4; v++)
		json_object_set_new(counts, verdict_names[v], json_integer((json_int_t)c->counts[v]));
	json_object_set_new(doc, "schema", json_string(MPB_COMPARE_SCHEMA));
	json_object_set_new(doc, "base", side_json(c->base_name, c->base_ds));
	json_object_set_new(doc, "new", side_json(c->new_name, c->new_ds));
	json_object_set_new(doc, "threshold_pct", json_real(c->threshold_pct));
	json_object_set_new(doc, "alpha", json_real(c->alpha));
	json_object_set_new(doc, "machine_differences", diffs);
	json_object_set_new(doc, "counts", counts);
	json_object_set_new(doc, "only_in_base", json_integer((json_int_t)c->only_base));
	json_object_set_new(doc, "only_in_new", json_integer((json_int_t)c->only_new));
	json_object_set_new(doc, "regressed", json_boolean(c->counts[MPB_VERDICT_REGRESSED] > 0));
	json_object_set_new(doc, "points", rows);
	return doc;
}

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

static void write_md(FILE *f, const struct mpb_compare *c)
{
	bool show[NAXES];
	char a[160], b[160], x[64], y[64];
	for (size_t k = 0; k < NAXES; k++) {
		show[k] = k == 0 || k == 3 || k == 4; /* workload, workers, method always */
		for (size_t i = 1; i < c->nrows && !show[k]; i++) {
			axis_text(c->new_ds, c->rows[0].new_, k, a, sizeof a);
			axis_text(c->new_ds, c->rows[i].new_, k, b, sizeof b);
			show[k] = strcmp(a, b) != 0;
		}
	}
	fputs("### mpbench compare\n\n", f);
	md_side(f, "base", c->base_name, c->base_ds);
	md_side(f, "new", c->new_name, c->new_ds);
	fputc('\n', f);
	if (c->ndiff) {
		fputs("> **Warning: the machines differ** (", f);
		for (size_t k = 0; k < c->ndiff; k++) {
			fputs(k ? "; " : "", f);
			mpb_export_md_string(f, c->machine_diff[k]);
		}
		fputs("): the ratios compare machines as much as code.\n\n", f);
	}
	bool common = false;
	for (size_t k = 0; k < NAXES; k++) {
		if (show[k])
			continue;
		axis_text(c->new_ds, c->rows[0].new_, k, a, sizeof a);
		fputs(common ? ", " : "All points: ", f);
		fprintf(f, "%s ", axes[k].name);
		mpb_export_md_string(f, a);
		common = true;
	}
	if (common)
		fputs(".\n\n", f);
	for (size_t k = 0; k < NAXES; k++)
		if (show[k])
			fprintf(f, "| %s ", axes[k].name);
	fputs("| base median (ms) | new median (ms) | new/base | 95% CI | p | verdict |\n", f);
	for (size_t k = 0; k < NAXES; k++)
		if (show[k])
			fputs(axes[k].str ? "| --- " : "| ---: ", f);
	fputs("| ---: | ---: | ---: | :---: | ---: | --- |\n", f);
	for (size_t i = 0; i < c->nrows; i++) {
		const struct mpb_compare_row *r = &c->rows[i];
		for (size_t k = 0; k < NAXES; k++) {
			if (!show[k])
				continue;
			axis_text(c->new_ds, r->new_, k, a, sizeof a);
			fputs("| ", f);
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
		fputs("|\n", f);
	}
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
	md_warnings(f, "base", c->base_ds);
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

int mpb_compare_status(const struct mpb_compare *c, struct mpb_diag *d)
{
	size_t n = c->counts[MPB_VERDICT_REGRESSED], shown = 0;
	if (n == 0)
		return 0;
	char list[400] = "", key[512];
	for (size_t i = 0; i < c->nrows && shown < 2; i++) {
		const struct mpb_compare_row *r = &c->rows[i];
		if (r->verdict != MPB_VERDICT_REGRESSED)
			continue;
		mpb_compare_point_key(c->new_ds, r->new_, key, sizeof key);
		size_t used = strlen(list);
		snprintf(list + used, sizeof list - used, "%s%.180s (x%.3f, p %.2g)", shown ? "; " : "", key,
			 r->ratio, r->p);
		shown++;
	}
	return mpb_fail(d, MPB_EREGRESS, "%zu point%s regressed beyond %g%%: %s%s", n,
			n == 1 ? "" : "s", c->threshold_pct, list, n > shown ? "; ..." : "");
}
