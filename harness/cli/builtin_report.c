/* builtin_report.c — `mpbench report RESULTS.json...`: plots, index.md and
 * index.html from results files, or with --format their points as CSV,
 * Markdown or JSON on stdout (and the report too when -o is given). */
#include "builtin.h"

#include <stdio.h>
#include <stdlib.h>

#include "export.h"
#include "report.h"

/* The points of every file as one table in fmt, on stdout. */
static int export_points(const struct mpb_config *cfg, enum mpb_export_format fmt,
			 const struct mpb_loaded *sets, size_t n, struct mpb_diag *d)
{
	struct mpb_export_src *src = calloc(n, sizeof *src);
	if (!src)
		return mpb_fail(d, MPB_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		src[i] = (struct mpb_export_src){ cfg->positional[i], &sets[i].ds };
	int rc = mpb_export_points(stdout, fmt, src, n, d);
	free(src);
	return rc;
}

/* The report directory: -o, or beside the first results file. Its summary
 * goes to stderr when stdout carries an export. */
static int write_report(const struct mpb_config *cfg, const struct mpb_loaded *sets, size_t n,
			struct mpb_diag *d)
{
	char dir[4096];
	mpb_report_default_dir(cfg->positional[0], dir, sizeof dir);
	struct mpb_report_opts o = { .paths = cfg->positional, .sets = sets, .n = n,
				     .outdir = cfg->output ? cfg->output : dir };
	struct mpb_report_result res;
	int rc = mpb_report_write(&o, &res, d);
	if (rc == 0 || rc == -MPB_ESYS) /* ESYS: gnuplot failed, the rest is written */
		mpb_report_print_summary(cfg->format ? stderr : stdout, stderr, &o, &res);
	return rc;
}

int mpb_builtin_report(const struct mpb_cli_call *call, struct mpb_diag *d)
{
	const struct mpb_config *cfg = call->cfg;
	enum mpb_export_format fmt = MPB_EXPORT_MD;
	size_t n = (size_t)cfg->npositional;
	int rc;
	if (cfg->format && (rc = mpb_export_parse_format(cfg->format, MPB_EXPORT_CSV | MPB_EXPORT_MD |
							 MPB_EXPORT_JSON, &fmt, d)) < 0)
		return rc;
	struct mpb_loaded *sets = calloc(n, sizeof *sets);
	if (!sets)
		return mpb_fail(d, MPB_ENOMEM, "out of memory");
	if ((rc = mpb_report_load(cfg->positional, n, sets, d)) < 0)
		goto out; /* it released what it had loaded */
	if (cfg->format)
		rc = export_points(cfg, fmt, sets, n, d);
	if (rc == 0 && (!cfg->format || cfg->output))
		rc = write_report(cfg, sets, n, d);
	mpb_report_unload(sets, n);
out:
	free(sets);
	return rc;
}
