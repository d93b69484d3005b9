/* cmd.h — command templates of the `cmd` workload: `--cmd 'TEMPLATE'` is a
 * command line whose placeholders {workers}, {size}, {method}, {chunksize} and
 * {tasks} are substituted per point, then split into an argument vector the
 * way a POSIX shell splits words (blanks separate words; '...' is literal;
 * "..." keeps blanks and takes \" \\ \$ \` escapes; a backslash outside
 * quotes escapes the next character) — without running a shell, so nothing in
 * a substituted value is ever interpreted. With --shell the substituted text
 * is run as `/bin/sh -c TEXT` instead.
 *
 * Placeholders are substituted everywhere, inside quotes too; `{{` and `}}`
 * stand for literal braces. Errors name the template's option and the
 * character position (1-based) of the offending brace or quote. Nothing here
 * prints or runs anything. */
#ifndef MPB_CMD_H
#define MPB_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

/* The values substituted for one run. */
struct mpb_cmd_vars {
	uint64_t workers, size, tasks, chunksize;
	const char *method;
};

/* The placeholders, for help and error messages:
 * "{workers}, {size}, {method}, {chunksize}, {tasks}". */
extern const char mpb_cmd_placeholders[];

/* Substitute v into tmpl and split it (or wrap it in /bin/sh -c when
 * `shell`). On success *argv is a NULL-terminated vector of *argc >= 1
 * newly allocated strings (free with mpb_cmd_argv_free). Errors,
 * -MPB_EINPUT with `what` (e.g. "--cmd") and a position: unknown placeholder,
 * unclosed '{', unbalanced quote, trailing backslash, empty command;
 * -MPB_ENOMEM. */
int mpb_cmd_expand(const char *tmpl, bool shell, const struct mpb_cmd_vars *v, const char *what,
		   char ***argv, size_t *argc, struct mpb_diag *d);

/* Validate a template without values (every placeholder known, quotes
 * balanced, not empty). 0 or -MPB_EINPUT as above. */
int mpb_cmd_check(const char *tmpl, bool shell, const char *what, struct mpb_diag *d);

/* Free a vector from mpb_cmd_expand; NULL is a no-op. */
void mpb_cmd_argv_free(char **argv);

#endif
