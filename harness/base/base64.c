/* base64.c — RFC 4648 base64 (see base64.h). */
#include "base64.h"

#include <stdbool.h>
#include <stdlib.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t mpb_base64_encoded_len(size_t n)
{
	size_t groups = n / 3 + (n % 3 != 0);
	return groups > (SIZE_MAX - 1) / 4 ? SIZE_MAX : 4 * groups;
}

void mpb_base64_encode(const uint8_t *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
			     (i + 2 < n ? p[i + 2] : 0);
		*out++ = alphabet[v >> 18 & 63];
		*out++ = alphabet[v >> 12 & 63];
		*out++ = i + 1 < n ? alphabet[v >> 6 & 63] : '=';
		*out++ = i + 2 < n ? alphabet[v & 63] : '=';
	}
	*out = '\0';
}

char *mpb_base64_encode_alloc(const uint8_t *p, size_t n)
{
	size_t len = mpb_base64_encoded_len(n);
	char *s = len == SIZE_MAX ? NULL : malloc(len + 1);
	if (s)
		mpb_base64_encode(p, n, s);
	return s;
}

static int value_of(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

static size_t padding(const char *s, size_t n)
{
	return (n >= 1 && s[n - 1] == '=') + (n >= 2 && s[n - 2] == '=');
}

size_t mpb_base64_decoded_len(const char *s, size_t n)
{
	return n % 4 ? SIZE_MAX : n / 4 * 3 - padding(s, n);
}

int mpb_base64_decode(const char *s, size_t n, uint8_t *out)
{
	if (n % 4)
		return -1;
	size_t pad = padding(s, n), len = n / 4 * 3 - pad, k = 0;
	for (size_t i = 0; i < n; i += 4) {
		uint32_t x = 0;
		for (size_t j = 0; j < 4; j++) {
			bool is_pad = i + 4 == n && j >= 4 - pad;
			int c = is_pad ? 0 : value_of((unsigned char)s[i + j]);
			if (c < 0)
				return -1;
			x = x << 6 | (uint32_t)c;
		}
		uint8_t three[3] = { (uint8_t)(x >> 16), (uint8_t)(x >> 8), (uint8_t)x };
		for (int j = 0; j < 3 && k < len; j++)
			out[k++] = three[j];
	}
	return 0;
}
