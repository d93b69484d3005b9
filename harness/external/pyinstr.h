/* pyinstr.h — `--instrument python`: a run of a Python command with its
 * process pools measured from inside, without touching the script.
 *
 * Before a run, mpb_pyinstr_begin makes a private directory (under $TMPDIR,
 * else /tmp) holding the instrumentation, pyinstr/sitecustomize.py (carried
 * in the binary as mpb_pyinstr_source), and an empty record directory, and
 * makes the environment entries of the command: PYTHONPATH with that
 * directory first (every Python process of the command, spawn and
 * forkserver workers included, imports the file at start-up) and
 * MPBENCH_PY_DIR naming the record directory; with a counter plan, also
 * MPBENCH_PY_COUNTERS = "<nr> <plan>": the perf_event_open system call
 * number of this machine (decimal) and the plan as
 * mpb_counters_plan_format writes it, which each pool worker opens on
 * itself (counters.h: every worker counts itself). After the run,
 * mpb_pyinstr_end removes it all. pyrecord.h reads the records. Nothing
 * here prints. */
#ifndef MPB_PYINSTR_H
#define MPB_PYINSTR_H

#include <limits.h>
#include <stddef.h>

#include "counters.h"
#include "diag.h"

#define MPB_PYINSTR_DIR_ENV "MPBENCH_PY_DIR"
#define MPB_PYINSTR_COUNTERS_ENV "MPBENCH_PY_COUNTERS"

extern const char mpb_pyinstr_source[];
extern const size_t mpb_pyinstr_source_len;

struct mpb_pyinstr {
	char dir[PATH_MAX];        /* the private directory; "" when none */
	char records[PATH_MAX];    /* dir/records */
	/* "PYTHONPATH=...", "MPBENCH_PY_DIR=...", then "MPBENCH_PY_COUNTERS=..."
	 * when there is a plan, NULL-terminated */
	char *env[4];
};

/* Make the directories, the file and the environment entries; counters is
 * the plan the workers open (NULL or empty: none). 0, or -MPB_ESYS /
 * -MPB_ENOMEM with nothing left behind. */
int mpb_pyinstr_begin(struct mpb_pyinstr *pi, const struct mpb_counter_plan *counters,
		      struct mpb_diag *d);
/* Remove the directory and everything in it; free the entries. Safe on a
 * zeroed or ended pi. */
void mpb_pyinstr_end(struct mpb_pyinstr *pi);

#endif
