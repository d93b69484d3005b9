/* builtin_compare.c — `mpbench compare BASE.json NEW.json`: the verdict on
 * every matched point, in Markdown or JSON on stdout; exit status 3 when a
 * point regressed (compare.h). */
#include "builtin.h"

#include <stdio.h>

#include "compare.h"
#include "export.h"
#include "report.h"

int mpb_builtin_compare(const struct mpb_cli_call *call, struct mpb_diag *d)
{
	const struct mpb_config *cfg = call->cfg;
	enum mpb_export_format fmt = MPB_EXPORT_MD;
	double threshold;
	struct mpb_loaded sets[2];
	struct mpb_compare cmp;
	int rc;
	if ((cfg->format && (rc = mpb_export_parse_format(cfg->format, MPB_EXPORT_MD | MPB_EXPORT_JSON,
							  &fmt, d)) < 0) ||
	    (rc = mpb_compare_parse_threshold(cfg->threshold, &threshold, d)) < 0 ||
	    (rc = mpb_report_load(cfg->positional, 2, sets, d)) < 0)
		return rc;
	rc = mpb_compare_datasets(cfg->positional[0], &sets[0].ds, cfg->positional[1], &sets[1].ds,
				  threshold, &cmp, d);
	if (rc == 0) {
		for (size_t k = 0; k < cmp.ndiff; k++)
			fprintf(stderr, "mpbench: warning: the machines differ: %s\n", cmp.machine_diff[k]);
		rc = mpb_compare_write(stdout, fmt, &cmp, d);
		if (rc == 0)
			rc = mpb_compare_status(&cmp, d);
		mpb_compare_free(&cmp);
	}
	mpb_report_unload(sets, 2);
	return rc;
}
