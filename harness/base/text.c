/* text.c — suggestions and wrapped paragraphs (see text.h). */
#include "text.h"

#include <stdbool.h>
#include <string.h>

size_t mpb_text_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 63 || lb > 63)
		return 64;
	size_t row[64];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best) best = row[j] + 1;
			if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

void mpb_text_suggest_init(struct mpb_text_suggest *s, const char *word)
{
	s->word = word;
	s->best = NULL;
	s->dist = 3; /* suggest only close names */
}

void mpb_text_suggest_offer(struct mpb_text_suggest *s, const char *candidate)
{
	size_t e = mpb_text_distance(s->word, candidate);
	size_t n = strlen(s->word);
	bool prefix = n >= 3 && strncmp(s->word, candidate, n) == 0 && e < 8;
	if (e < s->dist || (prefix && !s->best)) {
		s->dist = e < s->dist ? e : s->dist;
		s->best = candidate;
	}
}

void mpb_text_wrap(FILE *f, const char *text, size_t col, size_t indent, size_t width)
{
	const char *p = text;
	bool first = true; /* no word on this line yet */
	while (*p) {
		p += strspn(p, " \n");
		size_t w = strcspn(p, " \n");
		if (!w)
			break;
		if (!first && col + 1 + w > width) {
			fprintf(f, "\n%*s", (int)indent, "");
			col = indent;
			first = true;
		}
		if (!first) {
			fputc(' ', f);
			col++;
		}
		fwrite(p, 1, w, f);
		col += w;
		first = false;
		p += w;
	}
	fputc('\n', f);
}
