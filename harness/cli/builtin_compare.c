/* builtin_compare.c — `mpbench compare BASE.json NEW.json` (or `mpbench
 * compare FILE.json --along AXIS=BASE[,NEW...]`): the verdict on every
 * matched point, in Markdown or JSON on stdout; exit status 3 when a point
 * regressed (compare.h). */
#include "builtin.h"

#include <stdio.h>

#include "compare.h"
#include "export.h"
#include "report.h"

int mpb_builtin_compare(const struct mpb_cli_call *call, struct mpb_diag *d)
{
	const struct mpb_config *cfg = call->cfg;
	enum mpb_export_format fmt = MPB_EXPORT_MD;
	size_t nfiles = cfg->along ? 1 : 2;
	double threshold;
	struct mpb_loaded sets[2];
	struct mpb_compare_along along;
	struct mpb_compare cmp;
	int rc;
	if ((size_t)cfg->npositional != nfiles)
		return mpb_fail(d, MPB_EINPUT, "compare: %s (got %d)", cfg->along
				? "--along compares within one results file: give exactly one"
				: "give two results files, BASE and NEW, or one with --along AXIS=BASE,NEW",
				cfg->npositional);
	if ((cfg->format && (rc = mpb_export_parse_format(cfg->format, MPB_EXPORT_MD | MPB_EXPORT_JSON,
							  &fmt, d)) < 0) ||
	    (rc = mpb_compare_parse_threshold(cfg->threshold, &threshold, d)) < 0 ||
	    (rc = mpb_report_load(cfg->positional, nfiles, sets, d)) < 0)
		return rc;
	if (cfg->along) {
		rc = mpb_compare_parse_along(cfg->along, &sets[0].ds, &along, d);
		if (rc == 0)
			rc = mpb_compare_along_dataset(cfg->positional[0], &sets[0].ds, &along, threshold,
						       &cmp, d);
	} else {
		rc = mpb_compare_datasets(cfg->positional[0], &sets[0].ds, cfg->positional[1],
					  &sets[1].ds, threshold, &cmp, d);
	}
	if (rc == 0) {
		for (size_t k = 0; k < cmp.ndiff; k++)
			fprintf(stderr, "mpbench: warning: the machines differ: %s\n", cmp.machine_diff[k]);
		rc = mpb_compare_write(stdout, fmt, &cmp, d);
		if (rc == 0)
			rc = mpb_compare_status(&cmp, d);
		mpb_compare_free(&cmp);
	}
	mpb_report_unload(sets, nfiles);
	return rc;
}
