/* test_report.c — cmocka tests for report.c and report_plots.c: loading
 * refuses truncated, wrong-schema and malformed files naming them; a report
 * of the stored sample results (results/samples/) written without gnuplot
 * has every data file, script and index, its data files hold exactly the
 * figures of the results, plots without data are left out with the reason;
 * hostile text from a results file cannot reach a gnuplot script unquoted;
 * a template with an unknown marker is refused. Rendering with gnuplot is
 * tested by tests/integration/test_report.py. */
#include "report.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "export.h"
#include "results.h"

/* snprintf into an array, failing the test on truncation */
#define SNP(buf, ...) assert_true(snprintf(buf, sizeof buf, __VA_ARGS__) < (int)sizeof buf)

/* ---- scratch directory and files ---- */

static int rm_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb; (void)type; (void)ftw;
	return remove(path);
}

static int make_dir(void **state)
{
	char *dir = strdup("/tmp/mpb_report_XXXXXX");
	if (!dir || !mkdtemp(dir)) {
		free(dir);
		return -1;
	}
	*state = dir;
	return 0;
}

static int remove_dir(void **state)
{
	int rc = nftw(*state, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(*state);
	return rc == 0 ? 0 : -1;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		buf[n] = '\0';
	fclose(f);
	return buf;
}

static void spit(const char *path, const char *text, size_t n)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

static off_t size_of(const char *dir, const char *name)
{
	char p[PATH_MAX];
	struct stat st;
	SNP(p, "%s/%s", dir, name);
	return stat(p, &st) == 0 ? st.st_size : -1;
}

/* results/samples/NAME of the source tree, found from the templates' path. */
static void sample(const char *name, char *buf, size_t len)
{
	char tpl[PATH_MAX];
	struct mpb_diag d = { 0 };
	unsetenv("MPBENCH_PLOTS_DIR");
	assert_int_equal(mpb_report_templates_dir(tpl, sizeof tpl, &d), 0);
	assert_true(snprintf(buf, len, "%s/../../results/samples/%s", tpl, name) < (int)len);
	assert_int_equal(access(buf, R_OK), 0);
}

static void load(const char *path, struct mpb_loaded *l)
{
	struct mpb_diag d = { 0 };
	char *paths[] = { (char *)path };
	assert_int_equal(mpb_report_load(paths, 1, l, &d), 0);
}

/* The document of a results file, to change before it is loaded. */
static json_t *load_doc(const char *path)
{
	json_t *doc = NULL;
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_results_load(path, &doc, &d), 0);
	return doc;
}

/* ---- tests ---- */

static void test_default_dir(void **state)
{
	(void)state;
	char b[64];
	mpb_report_default_dir("results/vm-2024.json", b, sizeof b);
	assert_string_equal(b, "results/vm-2024-report");
	mpb_report_default_dir("plain", b, sizeof b);
	assert_string_equal(b, "plain-report");
}

static void test_templates_dir(void **state)
{
	char buf[PATH_MAX], p[PATH_MAX];
	struct mpb_diag d = { 0 };
	setenv("MPBENCH_PLOTS_DIR", *state, 1); /* an empty directory */
	assert_int_equal(mpb_report_templates_dir(buf, sizeof buf, &d), -MPB_EINPUT);
	assert_non_null(strstr(d.msg, "MPBENCH_PLOTS_DIR"));
	unsetenv("MPBENCH_PLOTS_DIR");
	assert_int_equal(mpb_report_templates_dir(buf, sizeof buf, &d), 0);
	SNP(p, "%s/overhead.gp", buf);
	assert_int_equal(access(p, R_OK), 0);
}

static void test_load_refuses(void **state)
{
	const char *dir = *state;
	char src[PATH_MAX], bad[PATH_MAX];
	struct mpb_diag d = { 0 };
	struct mpb_loaded docs[2];
	sample("sumsq-fork-thread.json", src, sizeof src);
	char *text = slurp(src);
	assert_non_null(text);
	SNP(bad, "%s/truncated.json", dir);
	spit(bad, text, strlen(text) / 2);
	char *paths[] = { src, bad };
	/* the good first file is released when the second fails (ASan checks) */
	assert_int_equal(mpb_report_load(paths, 2, docs, &d), -MPB_EINPUT);
	assert_non_null(strstr(d.msg, bad));
	assert_non_null(strstr(d.msg, "invalid JSON"));

	char *schema = strstr(text, "mpbench.results/1");
	assert_non_null(schema);
	schema[strlen("mpbench.results/")] = '9';
	spit(bad, text, strlen(text));
	assert_int_equal(mpb_report_load(paths + 1, 1, docs, &d), -MPB_EINPUT);
	assert_non_null(strstr(d.msg, "mpbench.results/9"));
	assert_non_null(strstr(d.msg, bad));
	free(text);

	json_t *doc = load_doc(src);
	json_object_set_new(json_object_get(json_array_get(json_object_get(doc, "points"), 2),
					    "derived"), "efficiency", json_string("high"));
	assert_int_equal(json_dump_file(doc, bad, 0), 0);
	json_decref(doc);
	assert_int_equal(mpb_report_load(paths + 1, 1, docs, &d), -MPB_EINPUT);
	assert_non_null(strstr(d.msg, "points[2].derived.efficiency is a string"));

	char missing[PATH_MAX];
	SNP(missing, "%s/none.json", dir);
	paths[0] = missing;
	assert_int_equal(mpb_report_load(paths, 1, docs, &d), -MPB_EINPUT);
	assert_non_null(strstr(d.msg, missing));
}

/* Data lines (not comments, not blank) of block `block` of a .dat text. */
static size_t block_lines(const char *text, size_t block, char lines[][256], size_t max)
{
	size_t b = 0, n = 0, blanks = 0;
	for (const char *p = text; *p;) {
		size_t len = strcspn(p, "\n");
		if (len == 0) {
			if (++blanks == 2)
				b++; /* two blank lines end a block */
		} else {
			blanks = 0;
			if (p[0] != '#' && b == block && n < max)
				snprintf(lines[n++], 256, "%.*s", (int)len, p);
		}
		p += len + (p[len] == '\n');
	}
	return n;
}

static void test_report_without_gnuplot(void **state)
{
	const char *dir = *state;
	char src[PATH_MAX], out[PATH_MAX], p[PATH_MAX];
	sample("sumsq-fork-thread.json", src, sizeof src);
	struct mpb_loaded l;
	load(src, &l);
	const json_t *doc = l.doc;
	SNP(out, "%s/r", dir);
	char *paths[] = { src };
	struct mpb_report_opts o = { .paths = paths, .sets = &l, .n = 1, .outdir = out,
				     .gnuplot = "/nonexistent/gnuplot" };
	struct mpb_report_result res;
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_report_write(&o, &res, &d), 0);
	assert_true(res.gnuplot_missing);
	/* one task size: the serialization plot would be a dot per series */
	const char *always[] = { "speedup", "efficiency", "overhead", "startup", "ctxsw" };
	for (size_t i = 0; i < res.nplots; i++) {
		const struct mpb_report_plot *pl = &res.plots[i];
		bool want = false;
		for (size_t k = 0; k < sizeof always / sizeof always[0]; k++)
			want |= strcmp(pl->name, always[k]) == 0;
		assert_int_equal(pl->made, want);
		assert_false(pl->rendered);
		char n[64];
		SNP(n, "%s.dat", pl->name);
		if (want) {
			assert_true(size_of(out, n) > 0);
			SNP(n, "%s.gp", pl->name);
			assert_true(size_of(out, n) > 0);
		} else {
			assert_int_equal(size_of(out, n), -1);
			assert_true(strlen(pl->why) > 10);
		}
		if (strcmp(pl->name, "ipc") == 0) /* the results' own reason */
			assert_non_null(strstr(pl->why, "no point has an IPC figure"));
		if (strcmp(pl->name, "startup_rss") == 0)
			assert_non_null(strstr(pl->why, "--parent-rss"));
		if (strcmp(pl->name, "serialization") == 0)
			assert_non_null(strstr(pl->why, "one task size (2M)"));
		if (strcmp(pl->name, "floors") == 0) /* a file from before machine.floors */
			assert_non_null(strstr(pl->why, "machine.floors"));
	}
	assert_true(size_of(out, "index.md") > 0);
	assert_true(size_of(out, "index.html") > 0);
	assert_true(size_of(out, "points.csv") > 0);
	SNP(p, "%s/index.md", out);
	char *md = slurp(p);
	assert_non_null(md);
	assert_non_null(strstr(md, "gnuplot is not installed"));
	assert_non_null(strstr(md, "## Plots left out"));
	assert_non_null(strstr(md, "![Speedup vs workers](speedup.png)"));
	free(md);

	/* speedup.dat holds each point's speedup and CI, as in the results */
	SNP(p, "%s/speedup.dat", out);
	char *dat = slurp(p);
	assert_non_null(dat);
	const json_t *pts = json_object_get(doc, "points");
	size_t found = 0;
	for (size_t i = 0; i < json_array_size(pts); i++) {
		const json_t *pt = json_array_get(pts, i);
		char line[160];
		SNP(line, "\n%lld\t%.9g\t%.9g\t%.9g\t",
			 (long long)json_integer_value(json_object_get(pt, "workers")),
			 json_number_value(mpb_export_at(pt, "derived.speedup")),
			 json_number_value(mpb_export_at(pt, "derived.speedup_ci95.0")),
			 json_number_value(mpb_export_at(pt, "derived.speedup_ci95.1")));
		found += strstr(dat, line) != NULL;
	}
	assert_int_equal(found, json_array_size(pts));
	free(dat);

	/* overhead.dat: compute is the compute median per task, and the parts
	 * add up to workers x (start-up + map + teardown) / tasks */
	SNP(p, "%s/overhead.dat", out);
	dat = slurp(p);
	assert_non_null(dat);
	static char lines[64][256];
	size_t n = block_lines(dat, 0, lines, 64);
	assert_int_equal(n, json_array_size(pts));
	size_t matched = 0;
	for (size_t i = 0; i < n; i++) {
		const char *q = strchr(lines[i] + 1, '"');
		assert_non_null(q);
		double v[6];
		char *end = (char *)q + 1;
		for (int k = 0; k < 6; k++)
			v[k] = strtod(end, &end);
		for (size_t j = 0; j < json_array_size(pts); j++) {
			const json_t *pt = json_array_get(pts, j);
			double tasks = json_number_value(json_object_get(pt, "tasks"));
			double w = json_number_value(json_object_get(pt, "workers"));
			double c = json_number_value(mpb_export_at(pt, "summary.compute_ns.median")) / tasks;
			if (fabs(v[0] - c) > 1e-6 * c)
				continue;
			double whole = w * (json_number_value(mpb_export_at(pt, "summary.startup_ns.median")) +
					    json_number_value(mpb_export_at(pt, "summary.map_ns.median")) +
					    json_number_value(mpb_export_at(pt, "summary.teardown_ns.median"))) / tasks;
			double sum = v[0] + v[1] + v[2] + v[3] + v[4];
			/* equal unless transport+waiting was clamped at 0 */
			assert_true(sum >= whole * (1 - 1e-6));
			if (v[2] > 0)
				assert_true(fabs(sum - whole) <= 1e-6 * whole);
			matched++;
			break;
		}
	}
	assert_int_equal(matched, n);
	free(dat);
	/* the codec's part (a few µs of ms bars) cannot be seen: no key entry */
	SNP(p, "%s/overhead.gp", out);
	char *gp = slurp(p);
	assert_non_null(gp);
	assert_non_null(strstr(gp, "shown = \"1 0 1 "));
	assert_non_null(strstr(gp, "title key(2, \"serialization"));
	free(gp);
	mpb_report_unload(&l, 1);
}

/* Count the occurrences of needle in hay. */
static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* Two results files of the same plan overlay in the same panels, a series
 * per file named by its label (else its file), with each machine's
 * ceiling; the fleet table has a row per file; the plots with something to
 * show are drawn (two sizes: serialization; machine.floors: floors). */
/* Two results files reported together: the sample and a copy of it. */
struct pair {
	struct mpb_loaded l[2];
	struct mpb_report_result res;
	char out[PATH_MAX];
};

/* The sample and a copy labelled `label` (with MPI floors when mpi),
 * reported into DIR/r. */
static void report_pair(const char *dir, const char *label, bool mpi, struct pair *pr)
{
	struct mpb_loaded *l = pr->l;
	char *out = pr->out;
	char a[PATH_MAX], b[PATH_MAX];
	sample("sumsq-sizes-floors.json", a, sizeof a);
	json_t *doc = load_doc(a);
	json_object_set_new(doc, "label", json_string(label));
	/* the sample is from before the cold floors; this copy has them */
	json_t *fl = json_object_get(json_object_get(doc, "machine"), "floors");
	assert_true(json_is_object(fl));
	assert_null(json_object_get(fl, "fork_exit_wait_cold_ns"));
	json_object_set_new(fl, "fork_exit_wait_cold_ns", json_real(250000));
	json_object_set_new(fl, "spawn_exit_wait_cold_ns", json_real(1500000));
	json_object_set_new(fl, "thread_create_join_cold_ns", json_real(60000));
	if (mpi) {
		json_object_set_new(fl, "mpi_launch_ns", json_real(250000000));
		json_object_set_new(fl, "mpi_launch_ranks", json_integer(3));
		json_object_set_new(fl, "mpi_rtt_ns", json_real(1500));
	}
	SNP(b, "%s/b.json", dir);
	assert_int_equal(json_dump_file(doc, b, 0), 0);
	json_decref(doc);
	struct mpb_diag d = { 0 };
	char *paths[] = { a, b };
	assert_int_equal(mpb_report_load(paths, 2, l, &d), 0);
	assert_string_equal(l[1].plan.label, label);
	snprintf(out, PATH_MAX, "%s/r", dir);
	struct mpb_report_opts o = { .paths = paths, .sets = l, .n = 2, .outdir = out,
				     .gnuplot = "/nonexistent/gnuplot" };
	assert_int_equal(mpb_report_write(&o, &pr->res, &d), 0);
}

static void test_overlay_and_fleet(void **state)
{
	struct pair pr;
	report_pair(*state, "runner-b", false, &pr);
	struct mpb_loaded *l = pr.l;
	struct mpb_report_result res = pr.res;
	const char *out = pr.out;
	char p[PATH_MAX];
	for (size_t i = 0; i < res.nplots; i++) {
		bool want = strcmp(res.plots[i].name, "ipc") != 0 &&
			    strcmp(res.plots[i].name, "startup_rss") != 0;
		if (res.plots[i].made != want)
			fail_msg("%s: made %d (%s)", res.plots[i].name, res.plots[i].made, res.plots[i].why);
	}
	/* two sizes (200k, 2M): two panels, each with the three methods of
	 * both files and a ceiling per file */
	SNP(p, "%s/speedup.gp", out);
	char *gp = slurp(p);
	assert_non_null(gp);
	assert_int_equal(count(gp, "\nplot "), 2);
	assert_int_equal(count(gp, "title 'vm fork'"), 2);
	assert_int_equal(count(gp, "title 'runner-b fork'"), 2);
	assert_int_equal(count(gp, "title 'runner-b thread'"), 2);
	assert_int_equal(count(gp, "title 'ceiling of vm'"), 2);
	assert_int_equal(count(gp, "title 'ceiling of runner-b'"), 2);
	/* the first panel's plot command holds series of both files */
	char *second = strstr(strstr(gp, "\nplot ") + 1, "\nplot ");
	assert_non_null(second);
	*second = '\0';
	assert_non_null(strstr(gp, "title 'vm spawn'"));
	assert_non_null(strstr(gp, "title 'runner-b spawn'"));
	/* one method, one colour; the file in the dash */
	char *va = strstr(gp, "title 'vm fork'"), *rb = strstr(gp, "title 'runner-b fork'");
	while (va > gp && va[-1] != '\n')
		va--;
	while (rb > gp && rb[-1] != '\n')
		rb--;
	assert_non_null(strstr(va, "lc rgb"));
	assert_int_equal(strncmp(strstr(va, "lc rgb"), strstr(rb, "lc rgb"), 16), 0);
	assert_non_null(strstr(va, "dt 1 "));
	assert_int_equal(strncmp(strstr(rb, "lc rgb") + 16, " dt 2 ", 6), 0);
	free(gp);
	/* the floors plot: start-up over the cold floor for the file that has
	 * it, NaN for the one from before it (which loads and plots as before) */
	SNP(p, "%s/floors.dat", out);
	char *dat = slurp(p);
	assert_non_null(dat);
	assert_non_null(strstr(dat, "startup_per_worker_floors teardown_per_worker_floors "
				    "startup_per_worker_cold_floors"));
	size_t cold = 0, none = 0;
	for (char *ln = dat; ln && *ln; ln = strchr(ln, '\n') ? strchr(ln, '\n') + 1 : NULL) {
		if (*ln == '#' || *ln == '\n')
			continue;
		char *eol = strchr(ln, '\n'), *tab = ln;
		for (int k = 0; k < 3 && tab; k++)
			tab = strchr(tab + 1, '\t');
		assert_true(tab && (!eol || tab < eol));
		if (strncmp(tab + 1, "NaN", 3) == 0)
			none++;
		else
			cold += strtod(tab + 1, NULL) > 0;
	}
	assert_true(cold > 0 && none > 0);
	assert_int_equal(cold, none);
	free(dat);
	SNP(p, "%s/floors.gp", out);
	gp = slurp(p);
	assert_non_null(gp);
	assert_non_null(strstr(gp, "dotted: start-up over the cold floor"));
	free(gp);
	/* the fleet: a header and a row per file, its series named as in the plots */
	SNP(p, "%s/fleet.csv", out);
	char *csv = slurp(p);
	assert_non_null(csv);
	const char *head = "series,hostname,cpu_model,usable_cpus,fork_exit_wait_ns,"
			   "spawn_exit_wait_ns,startup_per_worker_ns_fork,";
	assert_int_equal(strncmp(csv, head, strlen(head)), 0);
	assert_int_equal(count(csv, "\n"), 3);
	assert_non_null(strstr(csv, "\nvm,vm,"));
	assert_non_null(strstr(csv, "\nrunner-b,vm,"));
	assert_non_null(strstr(csv, ",sumsq,2000000,"));
	free(csv);
	SNP(p, "%s/index.md", out);
	char *md = slurp(p);
	assert_non_null(md);
	assert_non_null(strstr(md, "## Fleet"));
	assert_non_null(strstr(md, "| runner-b | vm |"));
	free(md);
	mpb_report_unload(l, 2);
}

/* A file with the MPI floors (a sweep with mpi points) adds their two
 * columns to the fleet table; a file without them shows empty cells. */
static void test_fleet_mpi_floors(void **state)
{
	struct pair pr;
	char p[PATH_MAX];
	report_pair(*state, "mpi-host", true, &pr);
	struct mpb_loaded *l = pr.l;
	assert_true(l[1].machine.floors.mpi_launch_ns == 250000000);
	assert_int_equal(l[1].machine.floors.mpi_launch_ranks, 3);
	assert_true(l[0].machine.floors.mpi_launch_ns == 0);
	SNP(p, "%s/fleet.csv", pr.out);
	char *csv = slurp(p);
	assert_non_null(csv);
	const char *head = "series,hostname,cpu_model,usable_cpus,fork_exit_wait_ns,"
			   "spawn_exit_wait_ns,mpi_launch_ns,mpi_rtt_ns,startup_per_worker_ns_fork,";
	assert_int_equal(strncmp(csv, head, strlen(head)), 0);
	/* the file without them: empty cells, then the start-up columns */
	char *vm = strstr(csv, "\nvm,vm,"), *mh = strstr(csv, "\nmpi-host,vm,");
	assert_non_null(vm);
	assert_non_null(mh);
	char *nl = strchr(mh + 1, '\n');
	if (nl)
		*nl = '\0';
	assert_non_null(strstr(mh, ",250000000,1500,"));
	free(csv);
	mpb_report_unload(l, 2);
}

static void test_parent_rss_plot(void **state)
{
	const char *dir = *state;
	char src[PATH_MAX], out[PATH_MAX];
	sample("null-parent-rss.json", src, sizeof src);
	struct mpb_loaded l;
	load(src, &l);
	SNP(out, "%s/rss", dir);
	char *paths[] = { src };
	struct mpb_report_opts o = { .paths = paths, .sets = &l, .n = 1, .outdir = out,
				     .gnuplot = "/nonexistent/gnuplot" };
	struct mpb_report_result res;
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_report_write(&o, &res, &d), 0);
	bool made = false;
	for (size_t i = 0; i < res.nplots; i++) {
		const struct mpb_report_plot *pl = &res.plots[i];
		if (strcmp(pl->name, "startup_rss") == 0)
			made = pl->made;
		/* one pool size (-j 2): what is drawn against workers is a dot */
		bool vs_workers = strcmp(pl->name, "speedup") == 0 ||
				  strcmp(pl->name, "efficiency") == 0 ||
				  strcmp(pl->name, "startup") == 0 || strcmp(pl->name, "ctxsw") == 0;
		if (vs_workers) {
			assert_false(pl->made);
			assert_non_null(strstr(pl->why, "every point has 2 workers"));
		}
	}
	assert_true(made);
	/* two parent sizes for each of fork and spawn: two points per block */
	char p[PATH_MAX];
	SNP(p, "%s/startup_rss.dat", out);
	char *dat = slurp(p);
	static char lines[8][256];
	assert_non_null(dat);
	assert_int_equal(block_lines(dat, 0, lines, 8), 2);
	assert_int_equal(block_lines(dat, 1, lines, 8), 2);
	assert_int_equal(strtod(lines[1], NULL), 67108864.0);
	free(dat);
	mpb_report_unload(&l, 1);
}

static void test_hostile_text(void **state)
{
	const char *dir = *state;
	char src[PATH_MAX], out[PATH_MAX], p[PATH_MAX];
	sample("sumsq-fork-thread.json", src, sizeof src);
	json_t *doc = load_doc(src);
	/* text a file brings: names of the registries (method, codec,
	 * transport) are checked when it loads, the machine's are not */
	const char *evil = "x'`touch pwned`\"@M\\\ny";
	json_object_set_new(json_object_get(doc, "machine"), "cpu_model", json_string(evil));
	struct mpb_loaded l;
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_dataset_from_doc(src, doc, &l, &d), 0);
	json_decref(doc);
	SNP(out, "%s/evil", dir);
	char *paths[] = { src };
	struct mpb_report_opts o = { .paths = paths, .sets = &l, .n = 1, .outdir = out,
				     .gnuplot = "/nonexistent/gnuplot" };
	struct mpb_report_result res;
	assert_int_equal(mpb_report_write(&o, &res, &d), 0);
	const char *names[] = { "speedup.gp", "overhead.gp", "ctxsw.gp", "startup.gp" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		SNP(p, "%s/%s", out, names[i]);
		char *gp = slurp(p);
		assert_non_null(gp);
		assert_null(strchr(gp, '`'));
		assert_null(strstr(gp, "@M"));
		assert_non_null(strstr(gp, "x__touch pwned___M__y")); /* reduced, still legible */
		free(gp);
	}
	SNP(p, "%s/overhead.dat", out);
	char *dat = slurp(p);
	assert_non_null(dat);
	assert_null(strchr(dat, '`'));
	free(dat);
	/* the HTML escapes it */
	SNP(p, "%s/index.html", out);
	char *html = slurp(p);
	assert_non_null(html);
	assert_null(strstr(html, "x'`touch pwned`\"@M"));
	assert_non_null(strstr(html, "&quot;@M"));
	free(html);
	mpb_report_unload(&l, 1);
}

static void test_templates_checked(void **state)
{
	const char *dir = *state;
	char src[PATH_MAX], tpl[PATH_MAX], mine[PATH_MAX], p[PATH_MAX], q[PATH_MAX];
	struct mpb_diag d = { 0 };
	unsetenv("MPBENCH_PLOTS_DIR");
	assert_int_equal(mpb_report_templates_dir(tpl, sizeof tpl, &d), 0);
	SNP(mine, "%s/tpl", dir);
	assert_int_equal(mkdir(mine, 0700), 0);
	const char *names[] = { "speedup", "efficiency", "overhead", "serialization", "startup",
				"startup_rss", "ctxsw", "ipc" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		SNP(p, "%s/%s.gp", tpl, names[i]);
		SNP(q, "%s/%s.gp", mine, names[i]);
		char *t = slurp(p);
		assert_non_null(t);
		if (strcmp(names[i], "efficiency") == 0) {
			size_t n = strlen(t);
			char *t2 = malloc(n + 32);
			assert_non_null(t2);
			snprintf(t2, n + 32, "%sset label '@BOGUS@'\n", t);
			free(t);
			t = t2;
		}
		spit(q, t, strlen(t));
		free(t);
	}
	sample("sumsq-fork-thread.json", src, sizeof src);
	struct mpb_loaded l;
	load(src, &l);
	char out[PATH_MAX];
	SNP(out, "%s/t", dir);
	char *paths[] = { src };
	struct mpb_report_opts o = { .paths = paths, .sets = &l, .n = 1, .outdir = out,
				     .gnuplot = "/nonexistent/gnuplot", .templates = mine };
	struct mpb_report_result res;
	assert_int_equal(mpb_report_write(&o, &res, &d), -MPB_EINPUT);
	assert_non_null(strstr(d.msg, "@BOGUS@"));
	assert_non_null(strstr(d.msg, "efficiency.gp"));

	/* an output directory that cannot be made */
	o.templates = NULL;
	o.outdir = "/nonexistent/dir/r";
	assert_int_equal(mpb_report_write(&o, &res, &d), -MPB_EINPUT);
	assert_non_null(strstr(d.msg, "/nonexistent/dir/r"));
	mpb_report_unload(&l, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_dir),
		cmocka_unit_test_setup_teardown(test_templates_dir, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_load_refuses, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_report_without_gnuplot, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_parent_rss_plot, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_overlay_and_fleet, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_fleet_mpi_floors, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_hostile_text, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_templates_checked, make_dir, remove_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
