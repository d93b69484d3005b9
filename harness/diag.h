/* diag.h — the one error path of mpbench.
 *
 * Functions below main return 0 on success or a negative MPB_E* code, and on
 * failure fill a caller-provided struct mpb_diag with a one-line message.
 * Nothing below main prints; main prints "mpbench: error: <msg>" once and maps
 * the code to the exit status (usage/input 2, run failure 1, interrupt 130).
 */
#ifndef MPB_DIAG_H
#define MPB_DIAG_H

#include <stddef.h>

enum mpb_err {
	MPB_OK = 0,
	MPB_EINPUT = 1,   /* bad usage or bad input: exit 2, nothing written */
	MPB_ERUN = 2,     /* a run or point failed: exit 1 */
	MPB_EIO = 3,      /* writing results failed: exit 1 */
	MPB_ESYS = 4,     /* a system call failed unexpectedly: exit 1 */
	MPB_EINTR = 5,    /* interrupted by SIGINT/SIGTERM: exit 130 */
	MPB_ENOMEM = 6,   /* out of memory: exit 1 */
	MPB_EREGRESS = 7, /* `compare` found a regression: exit 3 */
};

struct mpb_diag {
	int code;        /* last MPB_E* set, 0 when none */
	char msg[512];   /* one line, no trailing newline */
};

/* Record code and printf-style message in d (d may be NULL); returns -code so
 * callers can write `return mpb_fail(d, MPB_EINPUT, "...", ...);`. */
int mpb_fail(struct mpb_diag *d, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Like mpb_fail, appending ": strerror(errnum)". */
int mpb_fail_errno(struct mpb_diag *d, int code, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Clear a diagnostic. */
void mpb_diag_clear(struct mpb_diag *d);

/* Exit status for a (positive) MPB_E* code. */
int mpb_diag_exit_status(int code);

#endif
