/* compare.c — match the points of two results datasets (or of two values
 * of one axis in one dataset) and judge each matched point's wall time (see
 * compare.h for the verdict rules); compare_write.c writes the outcome. */
#include "compare.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "parse.h"
#include "stats.h"

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

size_t mpb_compare_axis_count(void) { return NAXES; }
const char *mpb_compare_axis_name(size_t k) { return k < NAXES ? axes[k].name : "?"; }
bool mpb_compare_axis_is_count(size_t k) { return k < NAXES && axes[k].count; }

void mpb_compare_axis_text(const struct mpb_dataset *ds, size_t i, size_t k, char *buf, size_t len)
{
	const struct mpb_point *p = &ds->plan->points[i];
	if (axes[k].str)
		snprintf(buf, len, "%s", axes[k].str(p));
	else
		snprintf(buf, len, "%llu", (unsigned long long)axes[k].count(p));
}

json_t *mpb_compare_axis_json(const struct mpb_dataset *ds, size_t i, size_t k)
{
	const struct mpb_point *p = &ds->plan->points[i];
	return axes[k].str ? json_string(axes[k].str(p)) : mpb_dataset_u64_json(axes[k].count(p));
}

/* The key of point i over every axis but those in skip (NULL: none). */
static void point_key(const struct mpb_dataset *ds, size_t i, const bool *skip, char *buf,
		      size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t k = 0; k < NAXES && used < len; k++) {
		if (skip && skip[k])
			continue;
		char v[160];
		mpb_compare_axis_text(ds, i, k, v, sizeof v);
		int n = snprintf(buf + used, len - used, "%s%s=%s", used ? " " : "", axes[k].name, v);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

void mpb_compare_point_key(const struct mpb_dataset *ds, size_t i, char *buf, size_t len)
{
	point_key(ds, i, NULL, buf, len);
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

/* ---- --along ---- */

/* The value of axis k that `text` names in ds, as the keys write it: the
 * text itself when a point has it, else for a count axis the count it
 * parses to (k/M/G, then KiB/MiB/...) when a point has that. */
static bool along_value(const struct mpb_dataset *ds, size_t k, const char *text, char *out,
			size_t len)
{
	char v[64];
	uint64_t n[2];
	struct mpb_diag ignored = { 0 };
	bool parsed[2] = { false, false };
	if (axes[k].count) {
		parsed[0] = mpb_parse_u64(text, MPB_UNIT_COUNT, 0, UINT64_MAX, "", &n[0], &ignored) == 0;
		parsed[1] = mpb_parse_u64(text, MPB_UNIT_BYTES, 0, UINT64_MAX, "", &n[1], &ignored) == 0;
	}
	for (int pass = 0; pass < 3; pass++) {
		if (pass > 0 && !parsed[pass - 1])
			continue;
		if (pass > 0)
			snprintf(out, len, "%llu", (unsigned long long)n[pass - 1]);
		for (size_t i = 0; i < ds->plan->npoints; i++) {
			mpb_compare_axis_text(ds, i, k, v, sizeof v);
			if (strcmp(v, pass ? out : text) == 0) {
				snprintf(out, len, "%s", v);
				return true;
			}
		}
	}
	return false;
}

/* The distinct values of axis k in ds, comma-separated, into buf. */
static void along_values(const struct mpb_dataset *ds, size_t k, char *buf, size_t len)
{
	char v[64];
	buf[0] = '\0';
	for (size_t i = 0; i < ds->plan->npoints; i++) {
		mpb_compare_axis_text(ds, i, k, v, sizeof v);
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++) {
			char w[64];
			mpb_compare_axis_text(ds, j, k, w, sizeof w);
			seen = strcmp(v, w) == 0;
		}
		size_t used = strlen(buf);
		if (!seen && used + strlen(v) + 2 < len)
			snprintf(buf + used, len - used, "%s%s", used ? "," : "", v);
	}
}

int mpb_compare_parse_along(const char *text, const struct mpb_dataset *ds,
			    struct mpb_compare_along *out, struct mpb_diag *d)
{
	char names[200] = "", have[256];
	for (size_t k = 0; k < NAXES; k++)
		snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", k ? ", " : "",
			 axes[k].name);
	const char *eq = strchr(text, '=');
	size_t k = NAXES;
	for (size_t j = 0; eq && j < NAXES; j++)
		if (strlen(axes[j].name) == (size_t)(eq - text) &&
		    strncmp(axes[j].name, text, (size_t)(eq - text)) == 0)
			k = j;
	if (!eq || k == NAXES)
		return mpb_fail(d, MPB_EINPUT, "--along: '%s' is not accepted (accepted: AXIS=BASE"
				"[,NEW...] with AXIS one of %s, e.g. method=fork,spawn)", text, names);
	char **items;
	size_t nitems;
	int rc = mpb_parse_list(eq + 1, "--along", &items, &nitems, d);
	if (rc < 0)
		return rc;
	struct mpb_compare_along a = { .axis = k, .axis_name = axes[k].name };
	along_values(ds, k, have, sizeof have);
	if (nitems > MPB_COMPARE_ALONG_MAX + 1) {
		rc = mpb_fail(d, MPB_EINPUT, "--along: '%s' names %zu values (accepted: at most %d)",
			      text, nitems, MPB_COMPARE_ALONG_MAX + 1);
		goto out;
	}
	for (size_t i = 0; i < nitems; i++) {
		char *dst = i ? a.news[a.nnew] : a.base;
		if (!along_value(ds, k, items[i], dst, sizeof a.base)) {
			rc = mpb_fail(d, MPB_EINPUT, "--along: no point has %s '%s' (accepted: a value "
				      "of %s in the file: %s)", axes[k].name, items[i], axes[k].name, have);
			goto out;
		}
		for (size_t j = 0; i && j <= a.nnew; j++)
			if (strcmp(dst, j == a.nnew ? a.base : a.news[j]) == 0) {
				rc = mpb_fail(d, MPB_EINPUT, "--along: '%s' names %s %s twice (accepted: "
					      "distinct values)", text, axes[k].name, dst);
				goto out;
			}
		a.nnew += i > 0;
	}
	/* no NEW: every other value the file has */
	for (size_t i = 0; nitems == 1 && i < ds->plan->npoints; i++) {
		char v[64];
		mpb_compare_axis_text(ds, i, k, v, sizeof v);
		bool seen = strcmp(v, a.base) == 0;
		for (size_t j = 0; j < a.nnew && !seen; j++)
			seen = strcmp(v, a.news[j]) == 0;
		if (!seen && a.nnew < MPB_COMPARE_ALONG_MAX)
			snprintf(a.news[a.nnew++], sizeof a.news[0], "%s", v);
	}
	if (a.nnew == 0) {
		rc = mpb_fail(d, MPB_EINPUT, "--along: '%s' leaves nothing to compare: every point has "
			      "%s %s (accepted: AXIS=BASE[,NEW...] along an axis with several values)",
			      text, axes[k].name, a.base);
		goto out;
	}
	*out = a;
out:
	mpb_parse_list_free(items, nitems);
	return rc;
}

/* Wall times of a point's runs into a new array; *n set. NULL on ENOMEM. */
static double *walls(const struct mpb_dataset *ds, size_t i, size_t *n)
{
	size_t nm;
	const struct mpb_metric *wm = mpb_metrics(&nm); /* the first is wall_ns */
	*n = ds->pts[i].nruns;
	return mpb_metric_values(&ds->pts[i], wm);
}

/* Speedup and context switches per task of both sides of row r. */
static void figures(const struct mpb_compare *c, struct mpb_compare_row *r)
{
	struct mpb_derived db, dn;
	bool hb = c->base_ds->pts[r->base].nruns && mpb_analysis_point(c->base_ds, r->base, &db) == 0;
	bool hn = c->new_ds->pts[r->new_].nruns && mpb_analysis_point(c->new_ds, r->new_, &dn) == 0;
	r->base_speedup = hb && db.have_speedup ? db.speedup : NAN;
	r->new_speedup = hn && dn.have_speedup ? dn.speedup : NAN;
	r->base_cs_per_task = r->new_cs_per_task = NAN;
	r->cs_source = "rusage";
	if (!hb || !hn)
		return;
	if (db.counters.have_cs && dn.counters.have_cs) {
		r->cs_source = "perf";
		r->base_cs_per_task = db.counters.cs_per_task;
		r->new_cs_per_task = dn.counters.cs_per_task;
	} else {
		r->base_cs_per_task = db.counters.vcs_per_task + db.counters.ics_per_task;
		r->new_cs_per_task = dn.counters.vcs_per_task + dn.counters.ics_per_task;
	}
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
	figures(c, r);
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

/* Which points of a dataset take part, and under which key: all axes but
 * those in skip (NULL: none); only points whose axis `axis` is `value`
 * (value NULL: all). */
struct side {
	const struct mpb_dataset *ds;
	const bool *skip;
	size_t axis;
	const char *value;
};

static struct keyed *keyed_points(const struct side *sd, size_t *n)
{
	size_t np = sd->ds->plan->npoints;
	struct keyed *k = malloc((np ? np : 1) * sizeof *k);
	*n = 0;
	for (size_t i = 0; k && i < np; i++) {
		char v[64];
		if (sd->value) {
			mpb_compare_axis_text(sd->ds, i, sd->axis, v, sizeof v);
			if (strcmp(v, sd->value) != 0)
				continue;
		}
		k[*n].point = i;
		point_key(sd->ds, i, sd->skip, k[*n].key, sizeof k[*n].key);
		(*n)++;
	}
	return k;
}

/* Match the points of side nw to those of side bs (each base point at most
 * once) and judge them: rows appended to out in nw's plan order. *nbase and
 * *nnew: the points each side has; matched[] marks base points used. */
static int match(struct mpb_compare *out, const struct side *bs, const struct side *nw,
		 bool *matched, size_t *nbase, size_t *nnew, struct mpb_diag *d)
{
	size_t nb, nn;
	struct keyed *kb = keyed_points(bs, &nb), *kn = keyed_points(nw, &nn);
	bool *used = calloc(nb ? nb : 1, sizeof *used);
	struct mpb_compare_row *rows = realloc(out->rows, (out->nrows + nn + 1) * sizeof *rows);
	int rc = 0;
	if (rows)
		out->rows = rows;
	if (!kb || !kn || !used || !rows) {
		rc = mpb_fail(d, MPB_ENOMEM, "out of memory comparing results");
		goto out;
	}
	*nbase = nb;
	*nnew = nn;
	qsort(kb, nb, sizeof *kb, cmp_keyed);
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
		matched[m->point] = true;
		struct mpb_compare_row *r = &out->rows[out->nrows];
		*r = (struct mpb_compare_row){ .base = m->point, .new_ = kn[i].point };
		if (judge(out, r, out->threshold_pct / 100.0, out->alpha, COMPARE_SEED + out->nrows) < 0) {
			rc = mpb_fail(d, MPB_ENOMEM, "out of memory comparing results");
			goto out;
		}
		out->counts[r->verdict]++;
		out->nrows++;
	}
out:
	free(kb);
	free(kn);
	free(used);
	return rc;
}

static double geo(double sum_log, size_t n)
{
	return n ? exp(sum_log / (double)n) : NAN;
}

static void geomean(struct mpb_compare *c)
{
	double lw = 0, ls = 0, lc = 0;
	struct mpb_compare_geomean *g = &c->geomean;
	*g = (struct mpb_compare_geomean){ 0 };
	for (size_t i = 0; i < c->nrows; i++) {
		const struct mpb_compare_row *r = &c->rows[i];
		if (c->base_ds->pts[r->base].failed || c->new_ds->pts[r->new_].failed)
			continue;
		if (r->ratio > 0 && isfinite(r->ratio)) {
			lw += log(r->ratio);
			g->nwall++;
		}
		if (r->base_speedup > 0 && r->new_speedup > 0) {
			ls += log(r->new_speedup / r->base_speedup);
			g->nspeedup++;
		}
		if (r->base_cs_per_task > 0 && r->new_cs_per_task > 0) {
			lc += log(r->new_cs_per_task / r->base_cs_per_task);
			g->ncs++;
		}
	}
	g->wall = geo(lw, g->nwall);
	g->speedup = geo(ls, g->nspeedup);
	g->cs = geo(lc, g->ncs);
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

json_t *mpb_compare_machine_json(const struct mpb_dataset *ds)
{
	json_t *o = json_object();
	for (size_t k = 0; o && k < NMKEYS; k++)
		json_object_set_new(o, machine_keys[k].name, machine_json(ds, k));
	return o;
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

static void start(struct mpb_compare *out, const char *base_name, const struct mpb_dataset *base,
		  const char *new_name, const struct mpb_dataset *new_, double threshold_pct)
{
	*out = (struct mpb_compare){ .threshold_pct = threshold_pct, .alpha = MPB_COMPARE_ALPHA,
				     .base_name = base_name, .new_name = new_name,
				     .base_ds = base, .new_ds = new_ };
}

int mpb_compare_datasets(const char *base_name, const struct mpb_dataset *base,
			 const char *new_name, const struct mpb_dataset *new_, double threshold_pct,
			 struct mpb_compare *out, struct mpb_diag *d)
{
	start(out, base_name, base, new_name, new_, threshold_pct);
	struct side bs = { base, NULL, 0, NULL }, nw = { new_, NULL, 0, NULL };
	size_t nb, nn;
	bool *matched = calloc(base->plan->npoints + 1, sizeof *matched);
	int rc = matched ? match(out, &bs, &nw, matched, &nb, &nn, d)
			 : mpb_fail(d, MPB_ENOMEM, "out of memory comparing results");
	free(matched);
	if (rc == 0 && out->nrows == 0)
		rc = mpb_fail(d, MPB_EINPUT, "%s and %s have no point in common (points are matched by "
			      "workload, size, tasks, workers, method, codec, transport, chunksize, "
			      "parent_rss)", base_name, new_name);
	if (rc < 0) {
		mpb_compare_free(out);
		return rc;
	}
	out->only_base = nb - out->nrows;
	machine_diffs(out);
	geomean(out);
	return 0;
}

/* Whether axis k has one value over the points whose axis `axis` is
 * `value`; that value into one (when there are such points). */
static bool constant_on(const struct mpb_dataset *ds, size_t axis, const char *value, size_t k,
			char *one, size_t len)
{
	char v[64], w[64];
	bool first = true;
	for (size_t i = 0; i < ds->plan->npoints; i++) {
		mpb_compare_axis_text(ds, i, axis, v, sizeof v);
		if (strcmp(v, value) != 0)
			continue;
		mpb_compare_axis_text(ds, i, k, w, sizeof w);
		if (first)
			snprintf(one, len, "%s", w);
		else if (strcmp(one, w) != 0)
			return false;
		first = false;
	}
	return true;
}

/* The axes left out of the keys when comparing NEW value v with BASE: the
 * --along axis, and every axis that has one value on each side (what the
 * --along value implies, as the codec `none` of every thread point: it
 * pairs no points, and keeping it would pair none). */
static void along_skip(const struct mpb_dataset *ds, const struct mpb_compare_along *a, size_t v,
		       bool *skip)
{
	char x[64], y[64];
	for (size_t k = 0; k < NAXES; k++)
		skip[k] = k == a->axis || (constant_on(ds, a->axis, a->base, k, x, sizeof x) &&
					   constant_on(ds, a->axis, a->news[v], k, y, sizeof y));
}

int mpb_compare_along_dataset(const char *name, const struct mpb_dataset *ds,
			      const struct mpb_compare_along *along, double threshold_pct,
			      struct mpb_compare *out, struct mpb_diag *d)
{
	start(out, name, ds, name, ds, threshold_pct);
	out->have_along = true;
	out->along = *along;
	bool *matched = calloc(ds->plan->npoints + 1, sizeof *matched);
	size_t nb = 0, nn;
	int rc = matched ? 0 : mpb_fail(d, MPB_ENOMEM, "out of memory comparing results");
	for (size_t v = 0; rc == 0 && v < along->nnew; v++) {
		bool skip[NAXES];
		along_skip(ds, along, v, skip);
		struct side bs = { ds, skip, along->axis, out->along.base };
		struct side nw = { ds, skip, along->axis, out->along.news[v] };
		rc = match(out, &bs, &nw, matched, &nb, &nn, d);
	}
	for (size_t i = 0; rc == 0 && i < ds->plan->npoints; i++) {
		char v[64];
		mpb_compare_axis_text(ds, i, along->axis, v, sizeof v);
		out->only_base += strcmp(v, along->base) == 0 && !matched[i];
	}
	free(matched);
	if (rc == 0 && out->nrows == 0)
		rc = mpb_fail(d, MPB_EINPUT, "%s: no point at %s %s has a counterpart at %s %s (points "
			      "are matched by every axis but %s)", name, along->axis_name,
			      along->news[0], along->axis_name, along->base, along->axis_name);
	if (rc < 0) {
		mpb_compare_free(out);
		return rc;
	}
	geomean(out);
	return 0;
}

void mpb_compare_free(struct mpb_compare *c)
{
	free(c->rows);
	c->rows = NULL;
	c->nrows = 0;
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
