/* diag.c — error recording for the one error path (see diag.h). */
#include "diag.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int vfail(struct mpb_diag *d, int code, int errnum, const char *fmt, va_list ap)
{
	if (d) {
		int n = vsnprintf(d->msg, sizeof d->msg, fmt, ap);
		if (errnum && n >= 0 && (size_t)n < sizeof d->msg)
			snprintf(d->msg + n, sizeof d->msg - (size_t)n, ": %s", strerror(errnum));
		/* one line, whatever a hostile file or argument put in a quoted
		 * value: control characters become '?' */
		for (char *c = d->msg; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				*c = '?';
		/* a system call that ran out of memory (mmap, fork, pipe2...) is
		 * out of memory, not an unexplained system failure */
		d->code = errnum == ENOMEM && code == MPB_ESYS ? MPB_ENOMEM : code;
		d->cause = errnum == EMFILE || errnum == ENFILE ? MPB_CAUSE_DESCRIPTORS
								: MPB_CAUSE_NONE;
	}
	return errnum == ENOMEM && code == MPB_ESYS ? -MPB_ENOMEM : -code;
}

int mpb_fail(struct mpb_diag *d, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = vfail(d, code, 0, fmt, ap);
	va_end(ap);
	return r;
}

int mpb_fail_errno(struct mpb_diag *d, int code, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = vfail(d, code, errnum, fmt, ap);
	va_end(ap);
	return r;
}

/* The kinds of failures that no site named, by their code */
enum { NCAUSES = MPB_CAUSE_WORKER_STUCK + 1, K_INTERRUPTED = NCAUSES, K_OOM, K_SYSTEM, K_IO, K_INPUT };

/* indexed by enum mpb_cause, then by the K_ kinds; NULL-terminated */
const char *const mpb_diag_kinds[] = {
	[MPB_CAUSE_NONE] = "other",
	[MPB_CAUSE_WORKER_KILLED] = "worker_killed",
	[MPB_CAUSE_WORKER_EXITED] = "worker_exited",
	[MPB_CAUSE_TASK_FAILED] = "task_failed",
	[MPB_CAUSE_PROTOCOL] = "protocol",
	[MPB_CAUSE_TASK_TIMEOUT] = "task_timeout",
	[MPB_CAUSE_RUN_TIMEOUT] = "run_timeout",
	[MPB_CAUSE_FORKSERVER_DIED] = "forkserver_died",
	[MPB_CAUSE_LAUNCH_FAILED] = "launch_failed",
	[MPB_CAUSE_DESCRIPTORS] = "out_of_descriptors",
	[MPB_CAUSE_WRONG_RESULT] = "wrong_result",
	[MPB_CAUSE_COMMAND_FAILED] = "command_failed",
	[MPB_CAUSE_WORKER_STUCK] = "worker_stuck",
	[K_INTERRUPTED] = "interrupted",
	[K_OOM] = "out_of_memory",
	[K_SYSTEM] = "system",
	[K_IO] = "io",
	[K_INPUT] = "input",
	[K_INPUT + 1] = NULL,
};

int mpb_diag_cause(struct mpb_diag *d, enum mpb_cause cause, int rc)
{
	if (d && d->cause == MPB_CAUSE_NONE)
		d->cause = cause;
	return rc;
}

const char *mpb_diag_kind(int code, int cause)
{
	if (code == MPB_OK)
		return NULL;
	if (cause > MPB_CAUSE_NONE && cause < NCAUSES)
		return mpb_diag_kinds[cause];
	switch (code) {
	case MPB_EINTR: return mpb_diag_kinds[K_INTERRUPTED];
	case MPB_ENOMEM: return mpb_diag_kinds[K_OOM];
	case MPB_ESYS: return mpb_diag_kinds[K_SYSTEM];
	case MPB_EIO: return mpb_diag_kinds[K_IO];
	case MPB_EINPUT: return mpb_diag_kinds[K_INPUT];
	default: return mpb_diag_kinds[MPB_CAUSE_NONE];
	}
}

void mpb_diag_clear(struct mpb_diag *d)
{
	if (d) {
		d->code = 0;
		d->cause = MPB_CAUSE_NONE;
		d->msg[0] = '\0';
	}
}

int mpb_diag_exit_status(int code)
{
	switch (code) {
	case MPB_OK: return 0;
	case MPB_EINPUT: return 2;
	case MPB_EINTR: return 130;
	case MPB_EREGRESS: return 3;
	default: return 1;
	}
}
