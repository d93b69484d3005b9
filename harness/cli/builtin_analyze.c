/* builtin_analyze.c — `mpbench analyze RESULTS.json`: a results file read
 * back into the results model (dataset_load.h) and analyzed again by this
 * mpbench: the console table, the recommendations (at --tolerance when
 * given, else at the file's) and the warnings, or with --format the points
 * table; with -o the same runs written as a results file with the analysis
 * made now. */
#include "builtin.h"

#include <stdio.h>

#include "analysis.h"
#include "dataset_load.h"
#include "export.h"
#include "recommend.h"
#include "results.h"
#include "table.h"

static int write_again(const char *path, const struct mpb_dataset *ds, struct mpb_diag *d)
{
	json_t *doc = mpb_results_build(ds);
	if (!doc)
		return mpb_fail(d, MPB_ENOMEM, "out of memory building results");
	int rc = mpb_results_write(path, doc, d);
	json_decref(doc);
	return rc;
}

int mpb_builtin_analyze(const struct mpb_cli_call *call, struct mpb_diag *d)
{
	const struct mpb_config *cfg = call->cfg;
	enum mpb_export_format fmt = MPB_EXPORT_MD;
	int rc;
	if (cfg->format && (rc = mpb_export_parse_format(cfg->format, MPB_EXPORT_JSON | MPB_EXPORT_CSV |
							 MPB_EXPORT_MD, &fmt, d)) < 0)
		return rc;
	if (cfg->output && (rc = mpb_results_check_path(cfg->output, d)) < 0)
		return rc;
	struct mpb_loaded l;
	if ((rc = mpb_dataset_load(cfg->positional[0], &l, d)) < 0)
		return rc;
	if (cfg->given_tolerance)
		l.ds.tolerance = cfg->tolerance / 100.0;
	/* the table, the recommendations and the warnings ask for the same figures */
	l.ds.memo = mpb_analysis_memo_new(l.plan.npoints);
	if (cfg->output)
		rc = write_again(cfg->output, &l.ds, d);
	if (rc == 0 && cfg->format) {
		rc = mpb_export_sweep(stdout, fmt, &l.ds, d);
	} else if (rc == 0) {
		mpb_table_print(stdout, &l.ds);
		mpb_recommend_print(stdout, &l.ds);
	}
	if (rc == 0)
		mpb_cli_print_warnings(&l.ds);
	mpb_analysis_memo_free(l.ds.memo);
	mpb_dataset_unload(&l);
	return rc;
}
