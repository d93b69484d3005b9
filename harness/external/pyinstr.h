/* pyinstr.h — `--instrument python`: a run of a Python command with its
 * process pools measured from inside, without touching the script.
 *
 * Before a run, mpb_pyinstr_begin makes a private directory (under $TMPDIR,
 * else /tmp) holding the instrumentation, pyinstr/sitecustomize.py (carried
 * in the binary as mpb_pyinstr_source), and an empty record directory, and
 * makes the environment entries of the command: PYTHONPATH with that
 * directory first (every Python process of the command, spawn and
 * forkserver workers included, imports the file at start-up) and
 * MPBENCH_PY_DIR naming the record directory. After the run,
 * mpb_pyinstr_end removes it all. pyrecord.h reads the records. Nothing
 * here prints. */
#ifndef MPB_PYINSTR_H
#define MPB_PYINSTR_H

#include <limits.h>
#include <stddef.h>

#include "diag.h"

#define MPB_PYINSTR_DIR_ENV "MPBENCH_PY_DIR"

extern const char mpb_pyinstr_source[];
extern const size_t mpb_pyinstr_source_len;

struct mpb_pyinstr {
	char dir[PATH_MAX];        /* the private directory; "" when none */
	char records[PATH_MAX];    /* dir/records */
	char *env[3];              /* "PYTHONPATH=...", "MPBENCH_PY_DIR=...", NULL */
};

/* Make the directories, the file and the environment entries. 0, or
 * -MPB_ESYS / -MPB_ENOMEM with nothing left behind. */
int mpb_pyinstr_begin(struct mpb_pyinstr *pi, struct mpb_diag *d);
/* Remove the directory and everything in it; free the entries. Safe on a
 * zeroed or ended pi. */
void mpb_pyinstr_end(struct mpb_pyinstr *pi);

#endif
