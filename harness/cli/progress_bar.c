/* progress_bar.c — the progress display (see progress_bar.h). It draws
 * only when the driver calls it, between runs. */
#include "progress_bar.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clock.h"

#define TTY_EVERY_NS 100000000ull   /* redraws on a terminal */
#define LINE_EVERY_NS 1000000000ull /* lines off a terminal */

void mpb_progress_bar_init(struct mpb_progress_bar *b, FILE *f, bool tty, size_t width,
			   bool utf8)
{
	*b = (struct mpb_progress_bar){ .f = f, .tty = tty, .width = width, .utf8 = utf8 };
}

bool mpb_progress_bar_utf8_locale(void)
{
	static const char *const vars[] = { "LC_ALL", "LC_CTYPE", "LANG" };
	for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) {
		const char *v = getenv(vars[i]);
		if (!v || !*v)
			continue;
		const char *dot = strchr(v, '.');
		return dot && (strncasecmp(dot + 1, "utf-8", 5) == 0 ||
			       strncasecmp(dot + 1, "utf8", 4) == 0);
	}
	return false;
}

void mpb_progress_bar_duration(uint64_t ns, char *buf, size_t len)
{
	if (ns == MPB_PROGRESS_ETA_UNKNOWN) {
		snprintf(buf, len, "-:--");
		return;
	}
	unsigned long long s = ns / 1000000000ull;
	if (s >= 3600)
		snprintf(buf, len, "%llu:%02llu:%02llu", s / 3600, s / 60 % 60, s % 60);
	else
		snprintf(buf, len, "%llu:%02llu", s / 60, s % 60);
}

/* A line under construction: bytes and the columns they take. */
struct line {
	char *buf;
	size_t len, used, cols;
};

static void put(struct line *l, const char *s, size_t cols)
{
	size_t n = strlen(s);
	if (l->used + n >= l->len)
		return; /* the caller's buffer is too small for this part: left out */
	memcpy(l->buf + l->used, s, n + 1);
	l->used += n;
	l->cols += cols;
}

/* ASCII text: one column a byte. */
static void put_text(struct line *l, const char *s)
{
	put(l, s, strlen(s));
}

static void put_bar(struct line *l, size_t cells, size_t full, bool utf8)
{
	for (size_t k = 0; k < cells; k++)
		put(l, k < full ? (utf8 ? "\u2588" : "#") : (utf8 ? "\u2591" : "-"), 1);
}

/* Everything but the item's words. */
static void head(struct line *l, const struct mpb_progress_step *st, bool end, size_t cells,
		 bool utf8)
{
	char part[96], dur[32];
	if (st->phase) {
		put_text(l, st->phase);
		put_text(l, "  ");
	}
	if (cells) {
		size_t full = end ? cells : st->total ? cells * st->done / st->total : 0;
		put_bar(l, cells, full > cells ? cells : full, utf8);
		put_text(l, "  ");
	}
	if (end) {
		mpb_progress_bar_duration(st->elapsed_ns, dur, sizeof dur);
		snprintf(part, sizeof part, "%zu run%s in %s", st->done, st->done == 1 ? "" : "s",
			 dur);
		put_text(l, part);
		return;
	}
	mpb_progress_bar_duration(st->eta_ns, dur, sizeof dur);
	snprintf(part, sizeof part, "%zu/%s%zu runs  ETA %s", st->done, st->settled ? "" : "~",
		 st->total, dur);
	put_text(l, part);
}

size_t mpb_progress_bar_format(const struct mpb_progress_step *st, bool end, size_t width,
			       bool utf8, char *buf, size_t len)
{
	size_t room = width > 1 ? width - 1 : 0; /* the last column would wrap */
	struct line l = { buf, len, 0, 0 };
	if (!len)
		return 0;
	/* narrow: a shorter bar, then none, then the text cut (all ASCII
	 * without the bar) */
	for (size_t cells = MPB_PROGRESS_BAR_CELLS;; cells /= 2) {
		l.used = l.cols = 0;
		buf[0] = '\0';
		head(&l, st, end, cells, utf8);
		if (l.cols <= room)
			break;
		if (cells == 0) {
			l.used = l.cols = room < l.used ? room : l.used;
			while (l.used && buf[l.used - 1] == ' ')
				l.used--, l.cols--;
			buf[l.used] = '\0';
			return l.cols;
		}
		if (cells < MPB_PROGRESS_BAR_CELLS / 2)
			cells = 1; /* halves to none next */
	}
	/* the item's words, when enough of them fit to say something */
	if (end || !st->what[0] || l.cols + 2 + 8 > room)
		return l.cols;
	char what[sizeof st->what + 16];
	snprintf(what, sizeof what, "%s%s", st->warmup ? "warm-up " : "", st->what);
	size_t fit = room - l.cols - 2;
	if (strlen(what) > fit)
		what[fit] = '\0';
	put_text(&l, "  ");
	put_text(&l, what);
	return l.cols;
}

static void draw(struct mpb_progress_bar *b, const struct mpb_progress_step *st, bool end)
{
	char line[512];
	mpb_progress_bar_format(st, end, b->tty ? b->width : SIZE_MAX, b->utf8, line, sizeof line);
	if (b->tty)
		fprintf(b->f, "\r%s\033[K", line);
	else
		fprintf(b->f, "%s\n", line);
	b->shown = b->tty;
	fflush(b->f);
}

static void bar_step(void *ctx, const struct mpb_progress_step *st)
{
	struct mpb_progress_bar *b = ctx;
	uint64_t now = mpb_now_ns();
	if (b->last_ns && now - b->last_ns < (b->tty ? TTY_EVERY_NS : LINE_EVERY_NS))
		return;
	b->last_ns = now;
	draw(b, st, false);
}

/* A phase with a label keeps its line, and so does every phase off a
 * terminal (a log); the only phase of sweep and run leaves the terminal as
 * it found it. */
static void bar_end(void *ctx, const struct mpb_progress_step *st)
{
	struct mpb_progress_bar *b = ctx;
	b->last_ns = 0; /* the next phase draws its first step */
	if (st->phase || !b->tty) {
		draw(b, st, true);
		if (b->tty)
			fputc('\n', b->f);
	} else if (b->shown) {
		fputs("\r\033[K", b->f);
	}
	b->shown = false;
	fflush(b->f);
}

const struct mpb_progress_ops mpb_progress_bar_ops = { bar_step, bar_end };
