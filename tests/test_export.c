/* test_export.c — cmocka tests for export.c: the field tables, the JSON /
 * CSV / Markdown writers checked cell by cell against the table's own values
 * on a hand-built results document read into the results model, and the
 * validation that rejects malformed documents with the file and the place
 * in the message. */
#include "export.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset_load.h"
#include "diag.h"

/* ---- a small results document ---- */

static json_t *run(double wall, double vcs0, double vcs1)
{
	return json_pack("{s:f, s:f, s:f, s:f, s:f, s:{s:f, s:f}, s:f, s:f, s:[{s:f, s:f}, {s:f, s:f}]}",
			 "wall_ns", wall, "startup_ns", 10.0, "map_ns", wall - 30, "teardown_ns", 20.0,
			 "compute_ns", wall / 2, "codec_ns", "parent", 1.0, "workers", 2.0,
			 "bytes_sent", 8.0, "bytes_received", 8.0,
			 "workers_detail", "voluntary_context_switches", vcs0,
			 "involuntary_context_switches", 1.0, "voluntary_context_switches", vcs1,
			 "involuntary_context_switches", 3.0);
}

static json_t *point(int id, int workers, const char *error)
{
	json_t *p = json_pack(
		"{s:i, s:s, s:I, s:I, s:i, s:s, s:s, s:s, s:I, s:s, s:I,"
		" s:[o, o, o],"
		" s:{s:{s:i, s:f, s:[f, f]}},"
		" s:{s:f, s:[f, f], s:f, s:n, s:f}}",
		"id", id, "workload", "sumsq", "size", (json_int_t)2000000, "tasks", (json_int_t)4,
		"workers", workers, "method", "fork", "codec", "raw", "transport", "pipe",
		"chunksize", (json_int_t)1, "chunk_strategy", "python", "parent_rss", (json_int_t)0,
		"runs", run(1000.0, 4, 0), run(1100.0, 4, 4), run(1200.0, 6, 6),
		"summary", "wall_ns", "n", 3, "median", 1100.0, "ci95", 1000.0, 1200.0,
		"derived", "speedup", 1.5 + id, "speedup_ci95", 1.25, 1.75 + id,
		"efficiency", (1.5 + id) / workers, "ipc", "overhead_per_task_ns", 12345.678);
	json_object_set_new(p, "error", error ? json_string(error) : json_null());
	return p;
}

static json_t *doc(void)
{
	return json_pack("{s:s, s:{s:s, s:i, s:s}, s:[o, o], s:[{s:s, s:I, s:I, s:[f, f],"
			 " s:{s:i, s:f, s:[f, f]}, s:n}], s:{s:[], s:[]}}",
			 "schema", "mpbench.results/1",
			 "machine", "cpu_model", "Test CPU", "usable_cpus", 2, "kernel", "6.1",
			 "points", point(0, 1, NULL), point(1, 2, "worker 1, \"killed\" | by signal 9"),
			 "baselines", "workload", "sumsq", "size", (json_int_t)2000000, "tasks",
			 (json_int_t)4, "runs", 1600.0, 1700.0, "wall_ns", "n", 2, "median", 1650.0,
			 "ci95", 1600.0, 1700.0, "error",
			 "analysis", "fits", "recommendations");
}

/* The dataset of a document (d is released). */
static struct mpb_loaded *load(json_t *d)
{
	struct mpb_loaded *l = malloc(sizeof *l);
	struct mpb_diag dg = { 0 };
	assert_non_null(l);
	if (mpb_dataset_from_doc("a.json", d, l, &dg) != 0)
		fail_msg("%s", dg.msg);
	json_decref(d);
	return l;
}

static void unload(struct mpb_loaded *l)
{
	mpb_dataset_unload(l);
	free(l);
}

static struct mpb_export_row row_of(const struct mpb_loaded *l, size_t i, bool baseline)
{
	struct mpb_export_row r;
	assert_int_equal(mpb_export_row_init(&r, "a.json", &l->ds, i, baseline), 0);
	return r;
}

/* Write the table of d in fmt into a new string. */
static char *export_text(enum mpb_export_format fmt, const struct mpb_export_src *src, size_t n,
			 bool baselines)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	struct mpb_diag d = { 0 };
	int rc = baselines ? mpb_export_baselines(f, fmt, src, n, &d)
			   : mpb_export_points(f, fmt, src, n, &d);
	assert_int_equal(rc, 0);
	fclose(f);
	return buf;
}

/* ---- the tables ---- */

static void test_field_tables(void **state)
{
	(void)state;
	const struct mpb_export_field *(*tables[])(size_t *) = { mpb_export_point_fields,
								  mpb_export_baseline_fields };
	for (size_t t = 0; t < 2; t++) {
		size_t n;
		const struct mpb_export_field *f = tables[t](&n);
		assert_true(n > 5);
		for (size_t i = 0; i < n; i++) {
			assert_non_null(f[i].value);
			assert_non_null(f[i].help);
			for (size_t j = 0; j < i; j++)
				if (strcmp(f[i].name, f[j].name) == 0)
					fail_msg("field '%s' twice", f[i].name);
			assert_true(f[i].scale >= 0);
		}
	}
}

static void test_at(void **state)
{
	(void)state;
	json_t *o = json_pack("{s:{s:[i, {s:s}]}, s:i}", "a", "b", 7, "c", "x", "n", 3);
	assert_int_equal(json_integer_value(mpb_export_at(o, "a.b.0")), 7);
	assert_string_equal(json_string_value(mpb_export_at(o, "a.b.1.c")), "x");
	assert_null(mpb_export_at(o, "a.b.2"));
	assert_null(mpb_export_at(o, "a.b.x"));
	assert_null(mpb_export_at(o, "n.deeper")); /* through a number: nothing */
	assert_null(mpb_export_at(o, "missing"));
	json_decref(o);
}

static void test_parse_format(void **state)
{
	(void)state;
	enum mpb_export_format f;
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_export_parse_format("csv", MPB_EXPORT_CSV | MPB_EXPORT_MD, &f, &d), 0);
	assert_int_equal(f, MPB_EXPORT_CSV);
	assert_int_equal(mpb_export_parse_format("md", MPB_EXPORT_MD, &f, &d), 0);
	assert_int_equal(f, MPB_EXPORT_MD);
	/* known but not allowed here, and unknown: the message says what is */
	assert_int_equal(mpb_export_parse_format("csv", MPB_EXPORT_MD | MPB_EXPORT_JSON, &f, &d),
			 -MPB_EINPUT);
	assert_non_null(strstr(d.msg, "'csv'"));
	assert_non_null(strstr(d.msg, "accepted: json, md"));
	assert_int_equal(mpb_export_parse_format("xml", MPB_EXPORT_JSON, &f, &d), -MPB_EINPUT);
	assert_non_null(strstr(d.msg, "'xml'"));
}

static void test_format_number(void **state)
{
	(void)state;
	char b[32];
	mpb_export_format_number(0, b, sizeof b);
	assert_string_equal(b, "0");
	mpb_export_format_number(12345.6, b, sizeof b);
	assert_string_equal(b, "12346");
	mpb_export_format_number(0.5, b, sizeof b);
	assert_string_equal(b, "0.5");
	mpb_export_format_number(1.23456, b, sizeof b);
	assert_string_equal(b, "1.235");
	mpb_export_format_number(-2e-5, b, sizeof b);
	assert_string_equal(b, "-2.000e-05");
	mpb_export_format_number(NAN, b, sizeof b);
	assert_string_equal(b, "-");
}

static void test_cs_per_task(void **state)
{
	(void)state;
	struct mpb_loaded *l = load(doc());
	double v, iv;
	/* runs: voluntary 4+0, 4+4, 6+6 over 4 tasks = 1, 2, 3: median 2;
	 * involuntary 1+3 each run = 1 */
	assert_int_equal(mpb_export_cs_per_task(&l->ds, 0, &v, &iv), 0);
	assert_true(fabs(v - 2.0) < 1e-12);
	assert_true(fabs(iv - 1.0) < 1e-12);
	unload(l);
	json_t *d = doc(); /* a point without runs has none */
	json_object_set_new(json_array_get(json_object_get(d, "points"), 0), "runs", json_array());
	l = load(d);
	assert_int_equal(mpb_export_cs_per_task(&l->ds, 0, &v, &iv), -1);
	unload(l);
}

/* ---- writers ---- */

/* Split one CSV record (RFC 4180 quoting) at *p into cells; advances *p. */
static size_t csv_record(const char **p, char cells[][256], size_t max)
{
	size_t n = 0, k = 0;
	bool quoted = false;
	const char *s = *p;
	cells[0][0] = '\0';
	for (; *s; s++) {
		if (quoted) {
			if (*s == '"' && s[1] == '"') {
				cells[n][k++] = '"';
				s++;
			} else if (*s == '"') {
				quoted = false;
			} else {
				cells[n][k++] = *s;
			}
		} else if (*s == '"') {
			quoted = true;
		} else if (*s == ',' || *s == '\n') {
			cells[n][k] = '\0';
			n++;
			k = 0;
			if (*s == '\n') {
				s++;
				break;
			}
			assert_true(n < max);
			cells[n][0] = '\0';
		} else {
			cells[n][k++] = *s;
		}
		assert_true(k < 255);
	}
	*p = s;
	return n;
}

static void test_csv_matches_values(void **state)
{
	(void)state;
	struct mpb_loaded *l = load(doc());
	struct mpb_export_src src = { "a.json", &l->ds };
	char *text = export_text(MPB_EXPORT_CSV, &src, 1, false);
	size_t nf;
	const struct mpb_export_field *fs = mpb_export_point_fields(&nf);
	static char head[64][256], cells[64][256];
	const char *p = text;
	size_t nh = csv_record(&p, head, 64);
	/* every field but the multi-source one, in table order */
	size_t k = 0;
	for (size_t i = 0; i < nf; i++) {
		if (fs[i].multi_only)
			continue;
		assert_string_equal(head[k], fs[i].name);
		k++;
	}
	assert_int_equal(nh, k);
	for (size_t r = 0; r < 2; r++) {
		assert_int_equal(csv_record(&p, cells, 64), nh);
		struct mpb_export_row row = row_of(l, r, false);
		k = 0;
		for (size_t i = 0; i < nf; i++) {
			if (fs[i].multi_only)
				continue;
			json_t *v = mpb_export_value(&fs[i], &row);
			if (json_is_null(v))
				assert_string_equal(cells[k], "");
			else if (json_is_string(v))
				assert_string_equal(cells[k], json_string_value(v));
			else if (json_is_integer(v))
				assert_int_equal(strtoll(cells[k], NULL, 10), json_integer_value(v));
			else /* full precision: the same double back */
				assert_true(strtod(cells[k], NULL) == json_number_value(v));
			json_decref(v);
			k++;
		}
	}
	assert_string_equal(p, "");
	/* the error with a comma and quotes survived the quoting */
	assert_non_null(strstr(text, "\"worker 1, \"\"killed\"\" | by signal 9\""));
	free(text);
	unload(l);
}

static void test_json_matches_values(void **state)
{
	(void)state;
	struct mpb_loaded *l = load(doc());
	struct mpb_export_src src = { "a.json", &l->ds };
	char *text = export_text(MPB_EXPORT_JSON, &src, 1, false);
	json_error_t err;
	json_t *doc = json_loads(text, 0, &err);
	assert_non_null(doc);
	/* the table with its schema id and its columns' units */
	assert_string_equal(json_string_value(json_object_get(doc, "schema")), MPB_EXPORT_SCHEMA);
	assert_string_equal(json_string_value(json_object_get(doc, "table")), "points");
	const json_t *units = json_object_get(doc, "units");
	assert_string_equal(json_string_value(json_object_get(units, "wall_median_ns")), "ns");
	assert_string_equal(json_string_value(json_object_get(units, "wall_ci_pct")), "%");
	assert_string_equal(json_string_value(json_object_get(units, "serialization_fraction")),
			    "fraction");
	assert_string_equal(json_string_value(json_object_get(units, "parent_rss")), "bytes");
	assert_null(json_object_get(units, "speedup"));  /* a ratio */
	assert_null(json_object_get(units, "workers"));  /* a count */
	json_t *rows = json_incref(json_object_get(doc, "rows"));
	json_decref(doc);
	assert_int_equal(json_array_size(rows), 2);
	size_t nf;
	const struct mpb_export_field *fs = mpb_export_point_fields(&nf);
	/* a time shown in ms or us is a count of ns in the JSON: its name says so */
	for (size_t i = 0; i < nf; i++) {
		const char *u = mpb_export_raw_unit(&fs[i]);
		size_t len = strlen(fs[i].name);
		if (u && strcmp(u, "ns") == 0 && (len < 3 || strcmp(fs[i].name + len - 3, "_ns") != 0))
			fail_msg("%s is in ns but its name does not end in _ns", fs[i].name);
	}
	for (size_t r = 0; r < 2; r++) {
		json_t *o = json_array_get(rows, r);
		struct mpb_export_row row = row_of(l, r, false);
		for (size_t i = 0; i < nf; i++) {
			json_t *got = json_object_get(o, fs[i].name);
			if (fs[i].multi_only) {
				assert_null(got);
				continue;
			}
			json_t *want = mpb_export_value(&fs[i], &row);
			assert_non_null(got);
			if (json_is_number(want))
				assert_true(json_number_value(got) == json_number_value(want));
			else
				assert_true(json_equal(got, want));
			json_decref(want);
		}
	}
	/* a value the table computes, checked by hand: half the CI over the median */
	struct mpb_export_row r0 = row_of(l, 0, false);
	assert_true(r0.wall.median == 1100.0);
	assert_true(fabs(json_number_value(json_object_get(json_array_get(rows, 0), "wall_ci_pct")) -
			 100.0 * (r0.wall.ci_hi - r0.wall.ci_lo) / 2 / 1100) < 1e-9);
	json_decref(rows);
	free(text);
	unload(l);
}

/* The cells of the Markdown line that starts at p (between the pipes). */
static size_t md_cells(const char *line, char cells[][256], size_t max)
{
	size_t n = 0;
	const char *p = strchr(line, '|');
	while (p && p[1] && p[1] != '\n' && n < max) {
		const char *q = p + 1;
		while (*q && *q != '\n' && !(*q == '|' && q[-1] != '\\'))
			q++;
		if (*q != '|')
			break;
		size_t len = (size_t)(q - p - 1);
		const char *s = p + 1;
		while (len && *s == ' ')
			s++, len--;
		while (len && s[len - 1] == ' ')
			len--;
		snprintf(cells[n++], 256, "%.*s", (int)len, s);
		p = q;
	}
	return n;
}

/* The column of the Markdown table headed title, or -1. */
static int md_col(char head[][256], size_t nh, const char *title)
{
	for (size_t k = 0; k < nh; k++)
		if (strcmp(head[k], title) == 0)
			return (int)k;
	return -1;
}

/* The Markdown table for people: axes with one value said once above it,
 * at most 12 columns, values in human units with the unit in the cell. */
static void test_md_matches_values(void **state)
{
	(void)state;
	struct mpb_loaded *l = load(doc());
	struct mpb_export_src src = { "a.json", &l->ds };
	char *text = export_text(MPB_EXPORT_MD, &src, 1, false);
	assert_int_equal(strncmp(text, "Every row: workload sumsq, size 2M, tasks 4, method fork, "
				 "codec raw, transport pipe, chunk 1.\n\n|", 88), 0);
	const char *table = strchr(text, '|');
	static char head[64][256], cells[64][256];
	size_t nh = md_cells(table, head, 64);
	assert_true(nh >= 5 && nh <= 12);
	/* ipc is null in every row: no column; the axes said above: no column */
	assert_int_equal(md_col(head, nh, "IPC"), -1);
	assert_int_equal(md_col(head, nh, "method"), -1);
	int workers = md_col(head, nh, "workers"), wall = md_col(head, nh, "wall");
	int speedup = md_col(head, nh, "speedup"), error = md_col(head, nh, "error");
	int ovh = md_col(head, nh, "overhead/task");
	assert_true(workers >= 0 && wall >= 0 && speedup >= 0 && error >= 0 && ovh >= 0);
	const char *line = strchr(table, '\n'); /* then the --- line */
	assert_non_null(line);
	line = strchr(line + 1, '\n');
	assert_non_null(line);
	line++;
	/* the analysis of the runs: serial 1650 ns over 1100 ns */
	static const char *const want_speedup[] = { "1.5x", "1.5x" };
	for (size_t r = 0; r < 2; r++) {
		assert_int_equal(md_cells(line, cells, 64), nh);
		char w[8];
		snprintf(w, sizeof w, "%zu", r + 1);
		assert_string_equal(cells[workers], w);
		assert_string_equal(cells[wall], "1.1 µs"); /* median of 1000, 1100, 1200 ns */
		assert_string_equal(cells[speedup], want_speedup[r]);
		assert_non_null(strstr(cells[ovh], "s")); /* a number and its unit */
		if (r == 0)
			assert_string_equal(cells[error], "-");
		else
			assert_non_null(strstr(cells[error], "\\|")); /* escaped, not a column */
		line = strchr(line, '\n');
		assert_non_null(line);
		line++;
	}
	free(text);
	unload(l);
}

/* An external command's points: '-' for the axes its template does not
 * name and for the phases it did not report, never "fork" or "0 ns". */
static void test_md_cmd_points(void **state)
{
	(void)state;
	json_t *d = doc();
	json_t *pt;
	size_t i;
	json_array_foreach(json_object_get(d, "points"), i, pt) {
		json_object_set_new(pt, "workload", json_string("cmd"));
		json_object_set_new(pt, "error", json_null());
	}
	json_object_set_new(json_array_get(json_object_get(d, "baselines"), 0), "workload",
			    json_string("cmd"));
	json_object_set_new(d, "options", json_pack("{s:s}", "cmd", "prog -n {{workers}} {workers}"));
	/* point 0 reported its start-up; point 1 nothing */
	json_t *run0 = json_array_get(json_object_get(json_array_get(json_object_get(d, "points"), 0),
						      "runs"), 0);
	json_object_set_new(run0, "cmd", json_pack("{s:{s:i}}", "reported", "startup_ns", 10));
	struct mpb_loaded *l = load(d);
	assert_int_equal(mpb_dataset_cmd_axes(&l->ds), MPB_CMD_AXIS_WORKERS);
	assert_true(mpb_dataset_measured(&l->ds, 0, "startup_ns"));
	assert_false(mpb_dataset_measured(&l->ds, 1, "startup_ns"));
	assert_false(mpb_dataset_measured(&l->ds, 0, "teardown_ns"));
	struct mpb_export_src src = { "a.json", &l->ds };
	char *text = export_text(MPB_EXPORT_MD, &src, 1, false);
	/* the plan's defaults the command never saw are not said */
	if (strncmp(text, "Every row: workload cmd.\n\n|", 27) != 0)
		fail_msg("%s", text);
	assert_null(strstr(text, "fork"));
	assert_null(strstr(text, "pipe"));
	const char *table = strchr(text, '|');
	static char head[64][256], cells[64][256];
	size_t nh = md_cells(table, head, 64);
	int start = md_col(head, nh, "start-up/worker");
	assert_true(start >= 0);
	assert_int_equal(md_col(head, nh, "overhead/task"), -1); /* map_ns: never reported */
	const char *line = strchr(strchr(table, '\n') + 1, '\n') + 1;
	for (size_t r = 0; r < 2; r++) {
		assert_int_equal(md_cells(line, cells, 64), nh);
		if (r == 0)
			assert_string_not_equal(cells[start], "-");
		else
			assert_string_equal(cells[start], "-");
		line = strchr(line, '\n') + 1;
	}
	free(text);
	unload(l);
}

static void test_multi_source_and_baselines(void **state)
{
	(void)state;
	struct mpb_loaded *l = load(doc());
	struct mpb_export_src src[2] = { { "a.json", &l->ds }, { "b.json", &l->ds } };
	char *text = export_text(MPB_EXPORT_CSV, src, 2, false);
	assert_int_equal(strncmp(text, "source,id,", 10), 0);
	/* two sources of two points: four rows, each named by its file */
	size_t lines = 0;
	for (const char *p = text; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 5);
	assert_non_null(strstr(text, "\nb.json,1,"));
	free(text);
	text = export_text(MPB_EXPORT_CSV, src, 1, true);
	assert_int_equal(strncmp(text, "workload,size,tasks,runs,wall_median_ns,", 40), 0);
	assert_non_null(strstr(text, "\nsumsq,2000000,4,2,1650.0,1600.0,1700.0,"));
	free(text);
	text = export_text(MPB_EXPORT_HTML, src, 1, false);
	/* HTML cells are escaped */
	assert_non_null(strstr(text, "worker 1, &quot;killed&quot; | by signal 9"));
	assert_null(strstr(text, "\"killed\""));
	free(text);
	unload(l);
}

/* ---- validation ---- */

static void expect_invalid(json_t *d, const char *needle)
{
	struct mpb_diag dg = { 0 };
	assert_int_equal(mpb_export_validate("x.json", d, &dg), -MPB_EINPUT);
	if (!strstr(dg.msg, needle) || strncmp(dg.msg, "x.json: ", 8) != 0)
		fail_msg("message '%s' lacks '%s' or the file name", dg.msg, needle);
	json_decref(d);
}

static json_t *p0(json_t *d)
{
	return json_array_get(json_object_get(d, "points"), 0);
}

static void test_validate(void **state)
{
	(void)state;
	struct mpb_diag dg = { 0 };
	json_t *d = doc();
	assert_int_equal(mpb_export_validate("x.json", d, &dg), 0);
	json_decref(d);

	d = doc();
	json_object_set_new(json_object_get(p0(d), "derived"), "speedup", json_string("fast"));
	expect_invalid(d, "points[0].derived.speedup is a string, expected a number");
	d = doc();
	json_object_set_new(p0(d), "summary", json_string("none"));
	expect_invalid(d, "points[0].summary is a string");
	d = doc();
	json_object_set_new(json_array_get(json_object_get(p0(d), "runs"), 1), "wall_ns", json_real(-5));
	expect_invalid(d, "points[0].runs[1].wall_ns is not a positive number");
	d = doc();
	json_object_set_new(p0(d), "workers", json_integer(0));
	expect_invalid(d, "points[0].workers is not an integer >= 1");
	d = doc();
	json_object_del(p0(d), "codec");
	expect_invalid(d, "points[0].codec is missing");
	d = doc();
	json_array_set_new(json_object_get(d, "points"), 1, json_integer(3));
	expect_invalid(d, "points[1] is a number, expected an object");
	d = doc();
	json_array_set_new(json_object_get(json_array_get(json_object_get(p0(d), "runs"), 0),
					   "workers_detail"), 0, json_string("w"));
	expect_invalid(d, "points[0].runs[0].workers_detail[0] is not an object");
	d = doc();
	json_object_set_new(json_object_get(d, "machine"), "usable_cpus", json_string("2"));
	expect_invalid(d, "machine.usable_cpus");
	d = doc();
	json_object_set_new(json_object_get(d, "analysis"), "fits", json_object());
	expect_invalid(d, "analysis.fits is an object, expected an array");
	d = doc();
	json_array_set_new(json_object_get(json_array_get(json_object_get(d, "baselines"), 0), "runs"),
			   0, json_string("1"));
	expect_invalid(d, "baselines[0].runs[0]");
	d = doc();
	json_object_set_new(p0(d), "derived", json_pack("{s:[s, f]}", "speedup_ci95", "a", 1.0));
	expect_invalid(d, "derived.speedup_ci95.0 is a string");
}

/* Markdown text renders as itself: nothing in it breaks a table, starts
 * emphasis, code, a link or a heading, or passes as HTML. */
static void test_md_string(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	mpb_export_md_string(f, "a|b_c*d`e[f]#g\\h\ni\tj<k>&l");
	assert_int_equal(fclose(f), 0);
	assert_string_equal(buf, "a\\|b\\_c\\*d\\`e\\[f\\]\\#g\\\\h i j&lt;k&gt;&amp;l");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_field_tables),
		cmocka_unit_test(test_at),
		cmocka_unit_test(test_md_string),
		cmocka_unit_test(test_parse_format),
		cmocka_unit_test(test_format_number),
		cmocka_unit_test(test_cs_per_task),
		cmocka_unit_test(test_csv_matches_values),
		cmocka_unit_test(test_json_matches_values),
		cmocka_unit_test(test_md_matches_values),
		cmocka_unit_test(test_md_cmd_points),
		cmocka_unit_test(test_multi_source_and_baselines),
		cmocka_unit_test(test_validate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
