/* progress_bar.h — the progress display of sweep, run and tune on stderr,
 * drawn from the driver's steps (run/progress.h), like hyperfine's: the
 * phase (tune's), a bar, runs done of the estimated total ("27/~34 runs",
 * the "~" until the count is exact), an ETA and the item running next in
 * words:
 *
 *   5M coarse  ████████░░░░░░░░░░░░  27/~34 runs  ETA 0:04  sumsq 5M fork -j 2
 *
 * On a terminal the line is redrawn in place (at most every 100 ms) and,
 * when a phase ends, cleared (`sweep`, `run`) or left as the phase's line
 * ("5M coarse  ████████████████████  34 runs in 0:09"); off a terminal
 * (--progress) each update is a line of its own, at most one a second, and
 * every phase ends with its line. */
#ifndef MPB_PROGRESS_BAR_H
#define MPB_PROGRESS_BAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "progress.h"

/* Cells of the bar; fewer on a narrow terminal. */
#define MPB_PROGRESS_BAR_CELLS 20

struct mpb_progress_bar {
	FILE *f;
	bool tty;          /* redraw in place */
	bool utf8;         /* block characters for the bar, else # and - */
	size_t width;      /* columns of the terminal */
	uint64_t last_ns;  /* the last draw; 0: none yet */
	bool shown;        /* a line is on the screen to be replaced (tty) */
};

/* The ops that draw into a struct mpb_progress_bar (the ctx). */
extern const struct mpb_progress_ops mpb_progress_bar_ops;

/* A display on f, a terminal of `width` columns when tty. */
void mpb_progress_bar_init(struct mpb_progress_bar *b, FILE *f, bool tty, size_t width,
			   bool utf8);

/* Whether the locale's character set is UTF-8 ($LC_ALL, else $LC_CTYPE,
 * else $LANG). */
bool mpb_progress_bar_utf8_locale(void);

/* "0:04", "12:34", "1:02:03" (rounded down to the second); "-:--" for
 * MPB_PROGRESS_ETA_UNKNOWN. */
void mpb_progress_bar_duration(uint64_t ns, char *buf, size_t len);

/* The line of step st in at most `width` - 1 columns (the item's words
 * are cut first), without newline or terminal controls; `end`: the line of
 * the phase's end. Returns the number of columns. */
size_t mpb_progress_bar_format(const struct mpb_progress_step *st, bool end, size_t width,
			       bool utf8, char *buf, size_t len);

#endif
