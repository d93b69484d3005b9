/* diag.c — error recording for the one error path (see diag.h). */
#include "diag.h"

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
		d->code = code;
	}
	return -code;
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

void mpb_diag_clear(struct mpb_diag *d)
{
	if (d) {
		d->code = 0;
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
