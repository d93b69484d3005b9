/* jsonreal.c — shortest round-trip reals in JSON text (see jsonreal.h). */
#include "jsonreal.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The shortest text of v into buf (at least 32 bytes), as jsonreal.h says. */
static void shortest(double v, char *buf, size_t len)
{
	for (int p = 1; p <= 17; p++) {
		snprintf(buf, len, "%.*g", p, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	/* "1e+05" -> "1e5", "1e-05" -> "1e-5" */
	char *e = strchr(buf, 'e');
	if (e) {
		char *src = e + 1, *dst = e + 1;
		if (*src == '+')
			src++;
		else if (*src == '-')
			*dst++ = *src++;
		while (*src == '0' && src[1])
			src++;
		memmove(dst, src, strlen(src) + 1);
	} else if (!strchr(buf, '.')) {
		strncat(buf, ".0", len - strlen(buf) - 1);
	}
}

size_t mpb_jsonreal_shorten(char *text)
{
	char *r = text, *w = text;
	bool in_string = false;
	while (*r) {
		if (in_string) {
			if (*r == '\\' && r[1]) {
				*w++ = *r++;
			} else if (*r == '"') {
				in_string = false;
			}
			*w++ = *r++;
			continue;
		}
		if (*r == '"') {
			in_string = true;
			*w++ = *r++;
			continue;
		}
		if (*r != '-' && (*r < '0' || *r > '9')) {
			*w++ = *r++;
			continue;
		}
		size_t n = strspn(r, "+-0123456789.eE");
		bool real = memchr(r, '.', n) || memchr(r, 'e', n) || memchr(r, 'E', n);
		char tok[64], s[40];
		if (real && n < sizeof tok) {
			memcpy(tok, r, n);
			tok[n] = '\0';
			char *end;
			double v = strtod(tok, &end);
			shortest(v, s, sizeof s);
			if (end == tok + n && strlen(s) <= n) {
				memcpy(w, s, strlen(s));
				w += strlen(s);
				r += n;
				continue;
			}
		}
		memmove(w, r, n);
		w += n;
		r += n;
	}
	*w = '\0';
	return (size_t)(w - text);
}
