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

/* What kind of fault failed a run, for machines (a point's `error_kind`
 * in the results); the message says the same for people. Fault sites name
 * it with mpb_diag_cause. Failures that no site named take their kind from
 * their code (mpb_diag_kind). */
enum mpb_cause {
	MPB_CAUSE_NONE = 0,
	MPB_CAUSE_WORKER_KILLED,    /* a worker (or ceiling child) died of a signal */
	MPB_CAUSE_WORKER_EXITED,    /* a worker exited or closed its pipe early */
	MPB_CAUSE_TASK_FAILED,      /* the workload reported an error for a task */
	MPB_CAUSE_PROTOCOL,         /* a malformed, corrupt or unexpected frame */
	MPB_CAUSE_TASK_TIMEOUT,     /* --task-timeout */
	MPB_CAUSE_RUN_TIMEOUT,      /* --timeout */
	MPB_CAUSE_FORKSERVER_DIED,  /* the forkserver went away */
	MPB_CAUSE_LAUNCH_FAILED,    /* fork, posix_spawn or pthread_create failed */
	MPB_CAUSE_DESCRIPTORS,      /* out of file descriptors (EMFILE, ENFILE) */
	MPB_CAUSE_WRONG_RESULT,     /* a result failed the workload's check */
	MPB_CAUSE_COMMAND_FAILED,   /* an external command exited non-zero or died */
	MPB_CAUSE_WORKER_STUCK,     /* a worker could not be stopped */
};

struct mpb_diag {
	int code;        /* last MPB_E* set, 0 when none */
	int cause;       /* enum mpb_cause of the last failure, NONE when unnamed */
	char msg[512];   /* one line, no trailing newline */
};

/* Record code and printf-style message in d (d may be NULL); returns -code so
 * callers can write `return mpb_fail(d, MPB_EINPUT, "...", ...);`. */
int mpb_fail(struct mpb_diag *d, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Like mpb_fail, appending ": strerror(errnum)". */
int mpb_fail_errno(struct mpb_diag *d, int code, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Name the cause of the failure just recorded in d, unless it has one
 * already: a failure whose errno was EMFILE or ENFILE is DESCRIPTORS
 * whatever call ran out. Every mpb_fail starts with no cause, so a message
 * and its cause always belong together. Returns rc, for
 * `return mpb_diag_cause(d, MPB_CAUSE_X, mpb_fail(d, ...));`. */
int mpb_diag_cause(struct mpb_diag *d, enum mpb_cause cause, int rc);

/* The results' error_kind of a failure: its cause's name, or for a failure
 * without one the name of its code ("interrupted", "out_of_memory",
 * "system", "io", "input", "other"); NULL when d records no failure. */
const char *mpb_diag_kind(int code, int cause);

/* Every name mpb_diag_kind can return, NULL-terminated: the vocabulary of
 * error_kind (results/README.md). */
extern const char *const mpb_diag_kinds[];

/* Clear a diagnostic. */
void mpb_diag_clear(struct mpb_diag *d);

/* Exit status for a (positive) MPB_E* code. */
int mpb_diag_exit_status(int code);

#endif
