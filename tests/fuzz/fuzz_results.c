/* fuzz_results.c — fuzz target: the results-JSON readers that `report`,
 * `compare` and `analyze` run on files they are given, and what each does
 * with a document that passes: mpb_results_load and mpb_export_validate,
 * then the results model (dataset_load.c) read from it, compared with
 * itself (every point), the report's plot data and scripts from it
 * (report_plots.c, written into a scratch directory; gnuplot is not run),
 * and analyzed again and written out as a new document, as
 * `mpbench analyze -o` does. The input reaches the readers as a file (a
 * memfd), exactly as a user's file would. */
#include "fuzz.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "analysis.h"
#include "compare.h"
#include "dataset_load.h"
#include "export.h"
#include "../flat_dir.h"
#include "report.h"
#include "report_plots.h"
#include "results.h"

/* A scratch directory for the report's files, made once per process and
 * removed at exit. */
static char scratch[64];

static void remove_scratch(void)
{
	flat_dir_remove(scratch);
}

static const char *scratch_dir(void)
{
	if (!scratch[0]) {
		snprintf(scratch, sizeof scratch, "/tmp/mpb-fuzz-results-XXXXXX");
		if (!mkdtemp(scratch)) {
			scratch[0] = '\0';
			return NULL;
		}
		atexit(remove_scratch);
	}
	return scratch;
}

static void report_and_analyze(const char *path, json_t *doc)
{
	struct mpb_diag d = { 0 };
	const char *dir = scratch_dir();
	char tpl[4096];
	struct mpb_loaded l;
	int rc = mpb_dataset_from_doc(path, doc, &l, &d);
	fuzz_check(rc == 0 || (d.msg[0] != '\0' && !strchr(d.msg, '\n')));
	if (rc == 0)
		l.ds.memo = mpb_analysis_memo_new(l.plan.npoints);
	if (rc == 0) {
		struct mpb_compare c;
		memset(&c, 0, sizeof c);
		if (mpb_compare_datasets("a", &l.ds, "b", &l.ds, 10.0, &c, &d) == 0) {
			FILE *null = fopen("/dev/null", "w");
			if (null) {
				(void)mpb_compare_write(null, MPB_EXPORT_MD, &c, &d);
				fclose(null);
			}
			mpb_compare_free(&c);
		}
	}
	if (rc == 0 && dir && mpb_report_templates_dir(tpl, sizeof tpl, &d) == 0) {
		char *const paths[] = { (char *)path };
		struct mpb_report_opts o = { .paths = paths, .sets = &l, .n = 1, .outdir = dir };
		struct mpb_report_result res;
		memset(&res, 0, sizeof res);
		int prc = mpb_report_plots_write(&o, tpl, &res, &d);
		fuzz_check(prc == 0 || (d.msg[0] != '\0' && !strchr(d.msg, '\n')));
		fuzz_check(res.nplots <= MPB_REPORT_MAX_PLOTS);
	}
	if (rc == 0) {
		json_t *again = mpb_results_build(&l.ds);
		if (again) {
			char *text = json_dumps(again, JSON_COMPACT);
			fuzz_check(text != NULL);
			free(text);
			json_decref(again);
		}
		mpb_analysis_memo_free(l.ds.memo);
		mpb_dataset_unload(&l);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz-results", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	json_t *doc = NULL;
	struct mpb_diag d = { 0 };
	int rc = mpb_results_load(path, &doc, &d);
	if (rc == 0)
		rc = mpb_export_validate(path, doc, &d);
	fuzz_check(rc == 0 || (d.msg[0] != '\0' && !strchr(d.msg, '\n')));
	if (rc == 0)
		report_and_analyze(path, doc);
	json_decref(doc);
	close(fd);
	return 0;
}
