/* pyinstr.c — the Python instrumentation's directory and environment (see
 * pyinstr.h). */
#include "pyinstr.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "frame.h"

/* Remove the plain files of `path`, then the directory. */
static void remove_dir(const char *path)
{
	DIR *dp = opendir(path);
	struct dirent *e;
	while (dp && (e = readdir(dp))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char f[PATH_MAX + 256];
		snprintf(f, sizeof f, "%s/%s", path, e->d_name);
		if (unlink(f) < 0 && errno == EISDIR)
			remove_dir(f);
	}
	if (dp)
		closedir(dp);
	rmdir(path);
}

void mpb_pyinstr_end(struct mpb_pyinstr *pi)
{
	if (pi->records[0])
		remove_dir(pi->records);
	if (pi->dir[0])
		remove_dir(pi->dir);
	for (size_t i = 0; i + 1 < sizeof pi->env / sizeof pi->env[0]; i++)
		free(pi->env[i]);
	memset(pi, 0, sizeof *pi);
}

/* "NAME=VALUE", or "NAME=VALUE:OLD" when `old` is set and not empty. */
static char *entry(const char *name, const char *value, const char *old)
{
	size_t n = strlen(name) + strlen(value) + (old ? strlen(old) : 0) + 3;
	char *s = malloc(n);
	if (s)
		snprintf(s, n, "%s=%s%s%s", name, value, old && *old ? ":" : "", old && *old ? old : "");
	return s;
}

/* MPBENCH_PY_COUNTERS's value for plan p ("<nr> <plan text>"), or NULL. */
static char *counters_entry(const struct mpb_counter_plan *p)
{
	char plan[MPB_COUNTERS_PLAN_TEXT_MAX], value[MPB_COUNTERS_PLAN_TEXT_MAX + 24];
	if (mpb_counters_plan_format(p, plan, sizeof plan) < 0)
		return NULL;
	snprintf(value, sizeof value, "%ld %s", (long)SYS_perf_event_open, plan);
	return entry(MPB_PYINSTR_COUNTERS_ENV, value, NULL);
}

int mpb_pyinstr_begin(struct mpb_pyinstr *pi, const struct mpb_counter_plan *counters,
		      struct mpb_diag *d)
{
	memset(pi, 0, sizeof *pi);
	const char *tmp = getenv("TMPDIR");
	if (!tmp || !*tmp)
		tmp = "/tmp";
	char dir[PATH_MAX];
	if (snprintf(dir, sizeof dir, "%s/mpbench-py.XXXXXX", tmp) >= (int)sizeof dir)
		return mpb_fail(d, MPB_ESYS, "--instrument python: TMPDIR '%s' is too long", tmp);
	if (!mkdtemp(dir))
		return mpb_fail_errno(d, MPB_ESYS, errno, "--instrument python: mkdtemp %s", dir);
	memcpy(pi->dir, dir, sizeof dir);
	char file[PATH_MAX + 32];
	snprintf(file, sizeof file, "%s/sitecustomize.py", pi->dir);
	snprintf(pi->records, sizeof pi->records, "%.*s/records", PATH_MAX - 16, pi->dir);
	int fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	int rc = 0;
	if (fd < 0 || mpb_io_write_all(fd, mpb_pyinstr_source, mpb_pyinstr_source_len) < 0 ||
	    mkdir(pi->records, 0700) < 0)
		rc = mpb_fail_errno(d, MPB_ESYS, errno, "--instrument python: writing %s", pi->dir);
	if (fd >= 0)
		close(fd);
	if (rc == 0) {
		pi->env[0] = entry("PYTHONPATH", pi->dir, getenv("PYTHONPATH"));
		pi->env[1] = entry(MPB_PYINSTR_DIR_ENV, pi->records, NULL);
		if (pi->env[1] && counters && counters->n)
			pi->env[2] = counters_entry(counters);
		if (!pi->env[0] || !pi->env[1] || (counters && counters->n && !pi->env[2]))
			rc = mpb_fail(d, MPB_ENOMEM, "out of memory");
	}
	if (rc < 0)
		mpb_pyinstr_end(pi);
	return rc;
}
