/* fuzz_config.c — fuzz target: the --config reader (config.c) and the option
 * table it feeds (options.c), the way `mpbench sweep --config FILE` runs
 * them: the input is the file (a memfd). Property: a refusal comes with a
 * one-line message; an accepted file yields options that are all set. */
#include "fuzz.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"
#include "options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *o = NULL;
	struct mpb_diag d = { 0 };
	if (mpb_config_parse((const char *)data, size, "fuzz", &o, &d) < 0)
		fuzz_check(d.msg[0] != '\0' && !strchr(d.msg, '\n'));
	json_decref(o);

	int fd = memfd_create("fuzz-config", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		char path[64];
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
		char *argv[] = { "--config", path };
		struct mpb_config cfg;
		mpb_diag_clear(&d);
		if (mpb_options_parse(MPB_CMD_SWEEP, 2, argv, &cfg, &d) < 0)
			fuzz_check(d.msg[0] != '\0' && !strchr(d.msg, '\n'));
		else
			fuzz_check(cfg.workloads && cfg.runs >= 1 && cfg.config);
	}
	close(fd);
	return 0;
}
