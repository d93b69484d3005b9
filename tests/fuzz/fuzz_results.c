/* fuzz_results.c — fuzz target: the results-JSON reader that `report` and
 * `compare` run on files they are given (mpb_results_load, then
 * mpb_export_validate), and, for a document that passes, the comparison of
 * it with itself, which reads every point and summary. The input reaches the
 * reader as a file (a memfd), exactly as a user's file would. */
#include "fuzz.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "compare.h"
#include "export.h"
#include "results.h"

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
	if (rc == 0) {
		struct mpb_compare c;
		memset(&c, 0, sizeof c);
		if (mpb_compare_docs("a", doc, "b", doc, 10.0, &c, &d) == 0) {
			FILE *null = fopen("/dev/null", "w");
			if (null) {
				(void)mpb_compare_write(null, MPB_EXPORT_MD, &c, &d);
				fclose(null);
			}
			mpb_compare_free(&c);
		}
	}
	json_decref(doc);
	close(fd);
	return 0;
}
