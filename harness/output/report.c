/* report.c — `mpbench report`: load results files, write the plots' data and
 * gnuplot scripts (report_plots.c builds them), run gnuplot on each script,
 * and write index.md, index.html and points.csv (see report.h). */
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analysis.h"
#include "base64.h"
#include "export.h"
#include "mpb_config.h"
#include "mpb_git.h"
#include "report_fleet.h"
#include "report_plots.h"
#include "results.h"
#include "selfpath.h"

extern char **environ;

#ifndef MPB_PLOTS_DIR
#define MPB_PLOTS_DIR "scripts/plots"
#endif
#ifndef MPB_PLOTS_FROM_BIN
#define MPB_PLOTS_FROM_BIN "../share/mpbench/plots"
#endif

int mpb_report_load(char *const *paths, size_t n, struct mpb_loaded *sets, struct mpb_diag *d)
{
	for (size_t i = 0; i < n; i++) {
		json_t *doc;
		int rc = mpb_results_load(paths[i], &doc, d);
		if (rc == 0 && (rc = mpb_export_validate(paths[i], doc, d)) == 0)
			rc = mpb_dataset_from_doc(paths[i], doc, &sets[i], d);
		if (rc == 0 && !(sets[i].ds.memo = mpb_analysis_memo_new(sets[i].plan.npoints))) {
			mpb_dataset_unload(&sets[i]);
			rc = mpb_fail(d, MPB_ENOMEM, "%s: out of memory reading results", paths[i]);
		}
		json_decref(doc); /* NULL when it failed; the dataset keeps its own reference */
		if (rc < 0) {
			mpb_report_unload(sets, i);
			return rc;
		}
	}
	return 0;
}

void mpb_report_unload(struct mpb_loaded *sets, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		mpb_analysis_memo_free(sets[i].ds.memo);
		mpb_dataset_unload(&sets[i]);
	}
}

void mpb_report_default_dir(const char *results_path, char *buf, size_t len)
{
	size_t n = strlen(results_path);
	if (n > 5 && strcmp(results_path + n - 5, ".json") == 0)
		n -= 5;
	snprintf(buf, len, "%.*s-report", (int)n, results_path);
}

static bool has_templates(const char *dir)
{
	char p[PATH_MAX];
	int n = snprintf(p, sizeof p, "%s/speedup.gp", dir);
	return n > 0 && (size_t)n < sizeof p && access(p, R_OK) == 0;
}

int mpb_report_templates_dir(char *buf, size_t len, struct mpb_diag *d)
{
	const char *env = getenv("MPBENCH_PLOTS_DIR");
	char cand[PATH_MAX];
	if (env && *env) {
		if (!has_templates(env))
			return mpb_fail(d, MPB_EINPUT, "MPBENCH_PLOTS_DIR=%s holds no speedup.gp template", env);
		snprintf(buf, len, "%s", env);
		return 0;
	}
	/* the installed templates first: they belong to this binary, wherever
	 * the tree was moved; then the source tree a build tree was built from */
	if (mpb_selfpath_join(MPB_PLOTS_FROM_BIN, cand, sizeof cand) == 0 && has_templates(cand)) {
		snprintf(buf, len, "%s", cand);
		return 0;
	}
	if (has_templates(MPB_PLOTS_DIR)) {
		snprintf(buf, len, "%s", MPB_PLOTS_DIR);
		return 0;
	}
	return mpb_fail(d, MPB_EINPUT, "plot templates not found (looked in " MPB_PLOTS_FROM_BIN
			" from the executable and in %s); set MPBENCH_PLOTS_DIR to the "
			"scripts/plots directory", MPB_PLOTS_DIR);
}

/* ---- files ---- */

static int join(char *buf, size_t len, const char *dir, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", dir, name);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static int open_out(const char *dir, const char *name, FILE **f, struct mpb_diag *d)
{
	char p[PATH_MAX];
	if (join(p, sizeof p, dir, name) < 0)
		return mpb_fail(d, MPB_EINPUT, "%s: output path too long", dir);
	/* never through a link: make_outdir refused a directory others can
	 * plant one in, and this refuses one planted before that */
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return mpb_fail_errno(d, MPB_EIO, errno, "cannot write %s%s", p,
				      errno == ELOOP ? " (a symbolic link; remove it)" : "");
	if (!(*f = fdopen(fd, "w"))) {
		int e = errno;
		close(fd);
		return mpb_fail_errno(d, MPB_EIO, e, "cannot write %s", p);
	}
	return 0;
}

static int close_out(const char *dir, const char *name, FILE *f, struct mpb_diag *d)
{
	bool bad = ferror(f) != 0;
	if (fclose(f) != 0 || bad)
		return mpb_fail(d, MPB_EIO, "writing %s/%s failed", dir, name);
	return 0;
}

int mpb_report_file_write(const char *dir, const char *name, const char *text, size_t len,
			  struct mpb_diag *d)
{
	FILE *f;
	int rc = open_out(dir, name, &f, d);
	if (rc < 0)
		return rc;
	fwrite(text, 1, len, f);
	return close_out(dir, name, f, d);
}

/* Whole file into a new NUL-terminated buffer; NULL with errno set. */
char *mpb_report_file_read(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		if (n + 1 >= cap) {
			if (cap >= max) {
				free(buf);
				buf = NULL;
				errno = EFBIG;
				break;
			}
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		size_t got = fread(buf + n, 1, cap - 1 - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (buf && ferror(f)) {
		free(buf);
		buf = NULL;
		errno = EIO;
	}
	fclose(f);
	if (buf) {
		buf[n] = '\0';
		if (len)
			*len = n;
	}
	return buf;
}

/* ---- gnuplot ---- */

/* Run `gnuplot NAME.gp` in dir with stdin and stdout on /dev/null and stderr
 * into NAME.log. Returns the wait status (>= 0), or -errno when the program
 * could not be started (-ENOENT: not installed). */
static int spawn_gnuplot(const char *prog, const char *dir, const char *script, const char *log)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	char *argv[] = { (char *)prog, (char *)script, NULL };
	int rc = posix_spawn_file_actions_init(&fa);
	if (rc)
		return -rc;
	/* chdir first: the script names its data and output files relative to dir */
	if (!(rc = posix_spawn_file_actions_addchdir_np(&fa, dir)) &&
	    !(rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0)) &&
	    !(rc = posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0)))
		rc = posix_spawn_file_actions_addopen(&fa, 2, log,
						      O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0644);
	if (!rc) {
		/* a relative program path is relative to our directory, not to dir */
		char abs[PATH_MAX];
		if (strchr(prog, '/') && prog[0] != '/' && realpath(prog, abs))
			argv[0] = abs;
		rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	}
	posix_spawn_file_actions_destroy(&fa);
	if (rc)
		return -rc;
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return st;
}

static void add_warning(struct mpb_report_result *res, const char *script, const char *text)
{
	size_t used = strlen(res->warnings);
	for (const char *line = text; *line && used + 1 < sizeof res->warnings;) {
		size_t n = strcspn(line, "\n");
		if (n) {
			int k = snprintf(res->warnings + used, sizeof res->warnings - used, "%s: %.*s\n",
					 script, (int)n, line);
			if (k > 0)
				used += (size_t)k;
			if (used >= sizeof res->warnings)
				used = sizeof res->warnings - 1;
		}
		line += n + (line[n] == '\n');
	}
}

/* Render one plot; 0 (rendered, or gnuplot missing: res says so) or
 * -MPB_ESYS naming the script. */
static int render(const struct mpb_report_opts *o, struct mpb_report_plot *p,
		  struct mpb_report_result *res, struct mpb_diag *d)
{
	char script[48], log[48], path[PATH_MAX];
	snprintf(script, sizeof script, "%s.gp", p->name);
	snprintf(log, sizeof log, "%s.log", p->name);
	int st = spawn_gnuplot(o->gnuplot ? o->gnuplot : "gnuplot", o->outdir, script, log);
	if (st == -ENOENT || st == -EACCES) {
		res->gnuplot_missing = true;
		return 0;
	}
	if (st < 0)
		return mpb_fail_errno(d, MPB_ESYS, -st, "cannot run gnuplot on %s/%s", o->outdir, script);
	if (join(path, sizeof path, o->outdir, log) < 0)
		return mpb_fail(d, MPB_EINPUT, "%s: output path too long", o->outdir);
	char *text = mpb_report_file_read(path, 1 << 20, NULL);
	bool quiet = !text || !*text;
	if (!quiet)
		add_warning(res, script, text);
	else
		unlink(path);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		int rc = mpb_fail(d, MPB_ESYS, "gnuplot failed on %s/%s (%s %d)%s%.200s", o->outdir,
				  script, WIFEXITED(st) ? "exit status" : "signal",
				  WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st),
				  quiet ? "" : ": ", quiet ? "" : text);
		free(text);
		/* a gnuplot that cannot exec (posix_spawnp found a non-program) exits 127 */
		if (WIFEXITED(st) && WEXITSTATUS(st) == 127) {
			res->gnuplot_missing = true;
			return 0;
		}
		return rc;
	}
	free(text);
	char png[PATH_MAX], svg[PATH_MAX];
	struct stat sp, ss;
	snprintf(script, sizeof script, "%s.png", p->name);
	if (join(png, sizeof png, o->outdir, script) < 0)
		return mpb_fail(d, MPB_EINPUT, "%s: output path too long", o->outdir);
	snprintf(script, sizeof script, "%s.svg", p->name);
	if (join(svg, sizeof svg, o->outdir, script) < 0)
		return mpb_fail(d, MPB_EINPUT, "%s: output path too long", o->outdir);
	p->rendered = stat(png, &sp) == 0 && sp.st_size > 0 && stat(svg, &ss) == 0 && ss.st_size > 0;
	if (!p->rendered)
		return mpb_fail(d, MPB_ESYS, "gnuplot ran %s/%s.gp but wrote no %s.png / %s.svg",
				o->outdir, p->name, p->name, p->name);
	return 0;
}

/* ---- index.md and index.html ---- */

struct doc {
	FILE *md, *html;
};

/* Text from the input or from us, escaped for both. */
static void doc_text(struct doc *dc, const char *s)
{
	mpb_export_md_string(dc->md, s);
	mpb_export_html_string(dc->html, s);
}

static void doc_raw(struct doc *dc, const char *md, const char *html)
{
	fputs(md, dc->md);
	fputs(html, dc->html);
}

static void doc_code(struct doc *dc, const char *s)
{
	/* a code span may hold backticks when its fence is longer than any run in it */
	fputs(strchr(s, '`') ? "`` " : "`", dc->md);
	for (const char *c = s; *c; c++)
		fputc(*c == '\n' ? ' ' : *c, dc->md);
	fputs(strchr(s, '`') ? " ``" : "`", dc->md);
	fputs("<code>", dc->html);
	mpb_export_html_string(dc->html, s);
	fputs("</code>", dc->html);
}

static void doc_heading(struct doc *dc, int level, const char *text)
{
	for (int i = 0; i < level; i++)
		fputc('#', dc->md);
	fputc(' ', dc->md);
	mpb_export_md_string(dc->md, text);
	fputs("\n\n", dc->md);
	fprintf(dc->html, "<h%d>", level);
	mpb_export_html_string(dc->html, text);
	fprintf(dc->html, "</h%d>\n", level);
}

/* p[0..n) as base64 text into f; out of memory, nothing (the image is then
 * empty in index.html, and the PNG is still beside it) */
static void base64(FILE *f, const unsigned char *p, size_t n)
{
	char *s = mpb_base64_encode_alloc(p, n);
	if (!s)
		return;
	fputs(s, f);
	free(s);
}

static void doc_image(struct doc *dc, const char *dir, const struct mpb_report_plot *p)
{
	char name[64], path[PATH_MAX];
	fprintf(dc->md, "![%s](%s.png)\n\n[SVG](%s.svg) · data [%s.dat](%s.dat) · script "
		"[%s.gp](%s.gp)\n\n",
		p->title, p->name, p->name, p->name, p->name, p->name, p->name);
	snprintf(name, sizeof name, "%s.png", p->name);
	size_t n = 0;
	char *png = join(path, sizeof path, dir, name) == 0
		? mpb_report_file_read(path, 64u << 20, &n) : NULL;
	if (png) {
		fprintf(dc->html, "<figure><img alt=\"%s\" src=\"data:image/png;base64,", p->title);
		base64(dc->html, (const unsigned char *)png, n);
		fputs("\"></figure>\n", dc->html);
		free(png);
	}
}

static const char *jstr(const json_t *o, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : dflt;
}

static const char *or(const char *s, const char *dflt)
{
	return s && s[0] ? s : dflt;
}

/* Each file: its machine, run and command from the dataset; the mpbench
 * that wrote it from the document's "tool" (the dataset has no place for it). */
static void doc_sources(struct doc *dc, const struct mpb_report_opts *o)
{
	doc_heading(dc, 2, "Sources");
	doc_raw(dc, "", "<ul>\n");
	for (size_t i = 0; i < o->n; i++) {
		const struct mpb_dataset *ds = &o->sets[i].ds;
		const struct mpb_machine *m = &o->sets[i].machine;
		const json_t *tool = json_object_get(o->sets[i].doc, "tool");
		char line[1024];
		doc_raw(dc, "- ", "<li>");
		doc_code(dc, o->paths[i]);
		snprintf(line, sizeof line, ": %s%s%shost %s, %s, %d usable CPUs (%d online), kernel %s; "
			 "mpbench %s (git %s); %s to %s, status %s. Command: ",
			 o->sets[i].plan.label[0] ? "label " : "", o->sets[i].plan.label,
			 o->sets[i].plan.label[0] ? ", " : "", or(m->hostname, "?"), or(m->cpu_model, "unknown CPU"), m->usable_cpus,
			 m->online_cpus, or(m->kernel, "?"), jstr(tool, "version", "?"),
			 jstr(tool, "git", "?"), or(ds->started, "?"), or(ds->finished, "?"),
			 or(ds->status, "?"));
		doc_text(dc, line);
		char cmd[1024] = "";
		for (int k = 0; k < ds->argc; k++) {
			size_t used = strlen(cmd);
			snprintf(cmd + used, sizeof cmd - used, "%s%s", k ? " " : "", or(ds->argv[k], "?"));
		}
		doc_code(dc, cmd);
		doc_raw(dc, "\n", "</li>\n");
		const char *st = or(ds->status, "?");
		if (strcmp(st, "complete") != 0) {
			snprintf(line, sizeof line, "warning: this sweep's status is '%s': some points "
				 "may be missing or failed", st);
			doc_raw(dc, "  - **", "<li><strong>");
			doc_text(dc, line);
			doc_raw(dc, "**\n", "</strong></li>\n");
		}
	}
	doc_raw(dc, "\n", "</ul>\n");
}

struct jcol {
	const char *title, *path;
};

static const struct jcol rec_cols[] = {
	{ "workload", "workload" }, { "size", "size" }, { "tasks", "tasks" },
	{ "method", "method" }, { "codec", "codec" }, { "transport", "transport" },
	{ "parent_rss", "parent_rss" }, { "use workers", "workers" }, { "chunksize", "chunksize" },
	{ "tasks/s", "throughput_per_s" }, { "vs best", "throughput_vs_best" }, { "why", "why" },
};

static const struct jcol fit_cols[] = {
	{ "workload", "workload" }, { "size", "size" }, { "tasks", "tasks" },
	{ "method", "method" }, { "codec", "codec" }, { "transport", "transport" },
	{ "chunks", "chunk_strategy" }, { "Amdahl serial fraction", "amdahl.serial_fraction" },
	{ "its 95% CI", "amdahl.serial_fraction_ci95" }, { "Amdahl R2", "amdahl.r2" },
	{ "USL contention", "usl.sigma" }, { "USL coherency", "usl.kappa" }, { "USL R2", "usl.r2" },
	{ "USL peak workers", "usl.peak_workers" }, { "not fitted because", "why_not" },
};

static void cell_text(const json_t *v, char *buf, size_t len)
{
	if (!v || json_is_null(v)) {
		snprintf(buf, len, "-");
	} else if (json_is_string(v)) {
		snprintf(buf, len, "%s", json_string_value(v));
	} else if (json_is_integer(v)) {
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	} else if (json_is_number(v)) {
		mpb_export_format_number(json_number_value(v), buf, len);
	} else if (json_is_array(v) && json_array_size(v) <= 8) {
		size_t used = 0;
		buf[0] = '\0';
		for (size_t i = 0; i < json_array_size(v) && used + 2 < len; i++) {
			char one[64];
			cell_text(json_array_get(v, i), one, sizeof one);
			int n = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", one);
			used += n > 0 ? (size_t)n : 0;
		}
	} else {
		char *t = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
		snprintf(buf, len, "%s", t ? t : "?");
		free(t);
	}
}

/* A table of an array of objects (recommendations, fits): the columns of
 * cols that some row has. */
static void doc_json_table(struct doc *dc, const json_t *arr, const struct jcol *cols, size_t nc)
{
	bool show[32] = { false };
	char buf[1024];
	for (size_t k = 0; k < nc && k < 32; k++)
		for (size_t i = 0; i < json_array_size(arr) && !show[k]; i++) {
			const json_t *v = mpb_export_at(json_array_get(arr, i), cols[k].path);
			show[k] = v && !json_is_null(v);
		}
	doc_raw(dc, "", "<table>\n<thead><tr>");
	for (size_t k = 0; k < nc && k < 32; k++) {
		if (!show[k])
			continue;
		doc_raw(dc, "| ", "<th>");
		doc_text(dc, cols[k].title);
		doc_raw(dc, " ", "</th>");
	}
	doc_raw(dc, "|\n", "</tr></thead>\n<tbody>\n");
	for (size_t k = 0; k < nc && k < 32; k++)
		if (show[k])
			fputs("| --- ", dc->md);
	fputs("|\n", dc->md);
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const json_t *row = json_array_get(arr, i);
		doc_raw(dc, "", "<tr>");
		for (size_t k = 0; k < nc && k < 32; k++) {
			if (!show[k])
				continue;
			cell_text(mpb_export_at(row, cols[k].path), buf, sizeof buf);
			doc_raw(dc, "| ", "<td>");
			doc_text(dc, buf);
			doc_raw(dc, " ", "</td>");
		}
		doc_raw(dc, "|\n", "</tr>\n");
	}
	doc_raw(dc, "\n", "</tbody>\n</table>\n");
}

static void doc_analysis(struct doc *dc, const struct mpb_report_opts *o)
{
	static const char *const parts[] = { "recommendations", "fits" };
	static const char *const titles[] = { "Recommendations", "Scaling model fits" };
	const struct jcol *cols[] = { rec_cols, fit_cols };
	const size_t ncols[] = { sizeof rec_cols / sizeof rec_cols[0],
				 sizeof fit_cols / sizeof fit_cols[0] };
	for (size_t k = 0; k < 2; k++) {
		bool any = false;
		for (size_t i = 0; i < o->n; i++)
			any |= json_array_size(json_object_get(json_object_get(o->sets[i].doc, "analysis"),
							       parts[k])) > 0;
		if (!any)
			continue;
		doc_heading(dc, 2, titles[k]);
		for (size_t i = 0; i < o->n; i++) {
			const json_t *a = json_object_get(json_object_get(o->sets[i].doc, "analysis"), parts[k]);
			if (json_array_size(a) == 0)
				continue;
			if (o->n > 1) {
				doc_raw(dc, "", "<p>");
				doc_code(dc, o->paths[i]);
				doc_raw(dc, "\n\n", "</p>\n");
			}
			doc_json_table(dc, a, cols[k], ncols[k]);
		}
	}
}

static const char html_head[] =
	"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	"<title>mpbench report</title>\n<style>\n"
	"body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;"
	"color:#222}\n"
	"table{border-collapse:collapse;font-size:0.85em;margin:1em 0;display:block;overflow-x:auto}\n"
	"th,td{border:1px solid #ccc;padding:0.25em 0.5em;white-space:nowrap}\n"
	"th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}\n"
	"img{max-width:100%;height:auto;border:1px solid #eee}figure{margin:1em 0}\n"
	"code{background:#f6f6f6;padding:0 0.2em}\n.note{color:#555}\n"
	"</style>\n</head>\n<body>\n";

static int write_index(const struct mpb_report_opts *o, const struct mpb_report_result *res,
		       const struct mpb_export_src *src, struct mpb_diag *d)
{
	struct doc dc;
	int rc = open_out(o->outdir, "index.md", &dc.md, d);
	if (rc < 0)
		return rc;
	if ((rc = open_out(o->outdir, "index.html", &dc.html, d)) < 0) {
		fclose(dc.md);
		return rc;
	}
	fputs(html_head, dc.html);
	doc_heading(&dc, 1, "mpbench report");
	char line[512];
	snprintf(line, sizeof line, "Generated by mpbench %s (git %s) from %zu results file%s.",
		 MPB_VERSION, MPB_GIT, o->n, o->n == 1 ? "" : "s");
	doc_raw(&dc, "", "<p>");
	doc_text(&dc, line);
	doc_raw(&dc, " Field meanings: results/README.md in the mpbench sources.\n\n",
		" Field meanings: results/README.md in the mpbench sources.</p>\n");
	doc_sources(&dc, o);
	if (o->n > 1 && rc == 0) {
		doc_heading(&dc, 2, "Fleet");
		doc_raw(&dc, "", "<p>");
		doc_text(&dc, "The machines side by side, one row per results file and workload: the "
			      "machine's floors (fork + exit + wait, posix_spawn + wait), the pool's "
			      "start-up per worker by method (median over the file's points), the "
			      "machine's ceiling (bare processes) at its usable CPUs and the "
			      "recommendation, at the largest size of the workload. Raw values in "
			      "fleet.csv.");
		doc_raw(&dc, "\n\n", "</p>\n");
		if ((rc = mpb_report_fleet_write(dc.md, MPB_EXPORT_MD, o, d)) == 0)
			rc = mpb_report_fleet_write(dc.html, MPB_EXPORT_HTML, o, d);
		doc_raw(&dc, "\n", "");
	}

	if (res->gnuplot_missing) {
		doc_raw(&dc, "> ", "<p class=\"note\"><strong>");
		doc_text(&dc, "The plots were not rendered: gnuplot is not installed. Their data and "
			      "scripts are in this directory; render them with: ");
		doc_code(&dc, "for f in *.gp; do gnuplot \"$f\"; done");
		doc_raw(&dc, "\n\n", "</strong></p>\n");
	}
	for (size_t i = 0; i < res->nplots; i++) {
		const struct mpb_report_plot *p = &res->plots[i];
		if (!p->made)
			continue;
		doc_heading(&dc, 2, p->title);
		doc_raw(&dc, "", "<p>");
		doc_text(&dc, mpb_report_plot_caption(p->name));
		doc_raw(&dc, "\n\n", "</p>\n");
		if (p->rendered) {
			doc_image(&dc, o->outdir, p);
		} else if (res->gnuplot_missing) {
			/* the reference works once the scripts are rendered here */
			fprintf(dc.md, "![%s](%s.png)\n\n", p->title, p->name);
			fprintf(dc.html, "<p class=\"note\">Not rendered: %s.gp, data %s.dat.</p>\n",
				p->name, p->name);
		} else
			fprintf(dc.md, "(not rendered: [%s.gp](%s.gp), data [%s.dat](%s.dat))\n\n",
				p->name, p->name, p->name, p->name);
	}
	bool left_out = false;
	for (size_t i = 0; i < res->nplots; i++) {
		const struct mpb_report_plot *p = &res->plots[i];
		if (p->made)
			continue;
		if (!left_out) {
			doc_heading(&dc, 2, "Plots left out");
			doc_raw(&dc, "", "<ul>\n");
			left_out = true;
		}
		doc_raw(&dc, "- ", "<li>");
		doc_text(&dc, p->title);
		doc_text(&dc, ": ");
		doc_text(&dc, p->why);
		doc_raw(&dc, "\n", "</li>\n");
	}
	if (left_out)
		doc_raw(&dc, "\n", "</ul>\n");

	doc_heading(&dc, 2, "Points");
	doc_raw(&dc, "", "<p>");
	doc_text(&dc, "Every point, in human units, with the columns that tell most (at most "
		      "12); the axes every point shares are said above the table; '-' means not "
		      "measured. Every field at full precision is in points.csv.");
	doc_raw(&dc, "\n\n", "</p>\n");
	if ((rc = mpb_export_points(dc.md, MPB_EXPORT_MD, src, o->n, d)) == 0 &&
	    (rc = mpb_export_points(dc.html, MPB_EXPORT_HTML, src, o->n, d)) == 0) {
		doc_raw(&dc, "\n", "");
		doc_heading(&dc, 2, "Serial baselines");
		if ((rc = mpb_export_baselines(dc.md, MPB_EXPORT_MD, src, o->n, d)) == 0)
			rc = mpb_export_baselines(dc.html, MPB_EXPORT_HTML, src, o->n, d);
		doc_raw(&dc, "\n", "");
	}
	doc_analysis(&dc, o);
	doc_heading(&dc, 2, "Files");
	doc_raw(&dc, "", "<p>");
	doc_text(&dc, "Each plot has NAME.dat (tab-separated data, base units), NAME.gp (the gnuplot "
		      "script) and NAME.png / NAME.svg. Render again with: ");
	doc_code(&dc, "cd DIR && gnuplot NAME.gp");
	doc_raw(&dc, "\n", "</p>\n</body>\n</html>\n");
	int rc1 = close_out(o->outdir, "index.md", dc.md, d);
	int rc2 = close_out(o->outdir, "index.html", dc.html, d);
	return rc < 0 ? rc : rc1 < 0 ? rc1 : rc2;
}

/* A plot left out this time may have files from an earlier report in the
 * same directory: remove them, or the directory shows a plot the index
 * says was left out. */
static void remove_stale(const char *dir, const char *name)
{
	static const char *const ext[] = { "dat", "gp", "png", "svg", "log" };
	for (size_t k = 0; k < sizeof ext / sizeof ext[0]; k++) {
		char p[PATH_MAX];
		int n = snprintf(p, sizeof p, "%s/%s.%s", dir, name, ext[k]);
		if (n > 0 && (size_t)n < sizeof p)
			unlink(p);
	}
}

static int make_outdir(const char *dir, struct mpb_diag *d)
{
	struct stat st;
	if (!*dir)
		return mpb_fail(d, MPB_EINPUT, "-o/--output: empty directory name");
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return mpb_fail_errno(d, MPB_EINPUT, errno, "-o/--output: cannot create directory '%s'", dir);
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return mpb_fail(d, MPB_EINPUT, "-o/--output: '%s' is not a directory", dir);
	if (access(dir, W_OK | X_OK) < 0)
		return mpb_fail_errno(d, MPB_EINPUT, errno, "-o/--output: cannot write into '%s'", dir);
	/* Another user who can create files here could plant index.md or a
	 * plot as a link to a file of ours, which gnuplot (writing its plots by
	 * name) would follow: write only where nobody else can create a name. */
	if ((st.st_mode & S_IWOTH) || ((st.st_mode & S_IWGRP) && st.st_uid != geteuid()))
		return mpb_fail(d, MPB_EINPUT, "-o/--output: '%s' is writable by other users (mode "
				"%04o): a link planted there could redirect the report; give a "
				"directory that only you can write", dir, (unsigned)(st.st_mode & 07777));
	if (st.st_uid != geteuid())
		return mpb_fail(d, MPB_EINPUT, "-o/--output: '%s' belongs to another user (uid %u); "
				"give a directory of your own", dir, (unsigned)st.st_uid);
	return 0;
}

int mpb_report_write(const struct mpb_report_opts *o, struct mpb_report_result *res,
		     struct mpb_diag *d)
{
	char tpl[PATH_MAX];
	*res = (struct mpb_report_result){ 0 };
	int rc = make_outdir(o->outdir, d);
	if (rc == 0 && o->templates)
		snprintf(tpl, sizeof tpl, "%s", o->templates);
	else if (rc == 0)
		rc = mpb_report_templates_dir(tpl, sizeof tpl, d);
	if (rc < 0)
		return rc;

	struct mpb_export_src *src = calloc(o->n, sizeof *src);
	if (!src)
		return mpb_fail(d, MPB_ENOMEM, "out of memory");
	for (size_t i = 0; i < o->n; i++)
		src[i] = (struct mpb_export_src){ o->paths[i], &o->sets[i].ds };

	FILE *csv;
	if ((rc = open_out(o->outdir, "points.csv", &csv, d)) == 0) {
		rc = mpb_export_points(csv, MPB_EXPORT_CSV, src, o->n, d);
		int rc2 = close_out(o->outdir, "points.csv", csv, d);
		if (rc == 0)
			rc = rc2;
	}
	if (rc == 0 && o->n > 1 && (rc = open_out(o->outdir, "fleet.csv", &csv, d)) == 0) {
		rc = mpb_report_fleet_write(csv, MPB_EXPORT_CSV, o, d);
		int rc2 = close_out(o->outdir, "fleet.csv", csv, d);
		if (rc == 0)
			rc = rc2;
	}
	if (rc == 0)
		rc = mpb_report_plots_write(o, tpl, res, d);
	for (size_t i = 0; rc == 0 && i < res->nplots; i++)
		if (!res->plots[i].made)
			remove_stale(o->outdir, res->plots[i].name);
	int gp_rc = 0;
	for (size_t i = 0; rc == 0 && i < res->nplots && !res->gnuplot_missing; i++) {
		if (!res->plots[i].made)
			continue;
		int r = render(o, &res->plots[i], res, d);
		if (r < 0 && gp_rc == 0)
			gp_rc = r; /* go on: the other plots and the index are still worth having */
	}
	if (res->gnuplot_missing)
		for (size_t i = 0; i < res->nplots; i++)
			res->plots[i].rendered = false;
	struct mpb_diag keep = d ? *d : (struct mpb_diag){ 0 };
	if (rc == 0)
		rc = write_index(o, res, src, d);
	free(src);
	if (rc == 0 && gp_rc < 0) {
		if (d)
			*d = keep;
		rc = gp_rc;
	}
	return rc;
}

void mpb_report_print_summary(FILE *out, FILE *err, const struct mpb_report_opts *o,
			      const struct mpb_report_result *res)
{
	size_t made = 0, rendered = 0;
	for (size_t i = 0; i < res->nplots; i++) {
		made += res->plots[i].made;
		rendered += res->plots[i].rendered;
	}
	if (res->warnings[0]) {
		const char *w = res->warnings;
		while (*w) {
			size_t n = strcspn(w, "\n");
			fprintf(err, "mpbench: warning: gnuplot: %.*s\n", (int)n, w);
			w += n + (w[n] == '\n');
		}
	}
	if (res->gnuplot_missing)
		fprintf(out, "report: %s/index.md and %s/index.html (%zu plot%s not rendered", o->outdir,
			o->outdir, made, made == 1 ? "" : "s");
	else
		fprintf(out, "report: %s/index.md and %s/index.html (%zu plot%s as PNG and SVG",
			o->outdir, o->outdir, rendered, rendered == 1 ? "" : "s");
	bool first = true;
	for (size_t i = 0; i < res->nplots; i++) {
		if (res->plots[i].made)
			continue;
		fprintf(out, "%s%s", first ? "; left out: " : ", ", res->plots[i].name);
		first = false;
	}
	fputs(first ? ")\n" : ", see the index for why)\n", out);
	if (res->gnuplot_missing)
		fprintf(out, "report: gnuplot was not found, so the %zu plots were not rendered; their "
			"data (*.dat) and scripts (*.gp) are in %s. Install gnuplot (Debian: apt-get "
			"install gnuplot-nox) and render them with:\n  cd %s && for f in *.gp; do gnuplot "
			"\"$f\"; done\n", made, o->outdir, o->outdir);
}
