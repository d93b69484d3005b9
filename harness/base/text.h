/* text.h — text for people: "did you mean" suggestions (the closest of a
 * set of names to a mistyped word) and paragraphs wrapped to a width, for
 * the command line's errors and help (plan/options.c, cli/cli.c).
 */
#ifndef MPB_TEXT_H
#define MPB_TEXT_H

#include <stddef.h>
#include <stdio.h>

/* The closest candidate to `word` seen so far: offer each candidate in turn
 * (mpb_text_suggest_offer), then `best` is the suggestion or NULL. A
 * candidate qualifies within an edit distance of 2, or when `word` (3
 * characters or more) is a prefix of it; the closest wins, the first among
 * equals. */
struct mpb_text_suggest {
	const char *word;
	const char *best;
	size_t dist;
};

void mpb_text_suggest_init(struct mpb_text_suggest *s, const char *word);
void mpb_text_suggest_offer(struct mpb_text_suggest *s, const char *candidate);

/* Levenshtein distance of a and b; 64 when either is longer than 63. */
size_t mpb_text_distance(const char *a, const char *b);

/* Write `text` to f as words filled into lines of at most `width` columns
 * (a word longer than a line gets a line of its own): the first line
 * continues from column `col` where the caller left the cursor, the others
 * start with `indent` spaces. Newlines in text count as spaces. Ends with a
 * newline. */
void mpb_text_wrap(FILE *f, const char *text, size_t col, size_t indent, size_t width);

#endif
