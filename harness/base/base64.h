/* base64.h — RFC 4648 base64 (standard alphabet, '=' padding), for the json
 * codec's byte strings and the report's inlined PNGs. */
#ifndef MPB_BASE64_H
#define MPB_BASE64_H

#include <stddef.h>
#include <stdint.h>

/* Characters the encoding of n bytes takes (without a NUL); SIZE_MAX when
 * that does not fit in a size_t. */
size_t mpb_base64_encoded_len(size_t n);

/* Encode p[0..n) into out, which has room for mpb_base64_encoded_len(n) + 1
 * characters; out is NUL-terminated. */
void mpb_base64_encode(const uint8_t *p, size_t n, char *out);

/* The encoding of p[0..n) in a new NUL-terminated string (its length is
 * mpb_base64_encoded_len(n)); NULL when out of memory. */
char *mpb_base64_encode_alloc(const uint8_t *p, size_t n);

/* Bytes that base64 text s[0..n) decodes to, or SIZE_MAX when n is not a
 * multiple of 4 (the only shape check this can make without reading s). */
size_t mpb_base64_decoded_len(const char *s, size_t n);

/* Decode s[0..n) into out (room for mpb_base64_decoded_len bytes). 0, or
 * -1 on a character outside the alphabet or padding anywhere but the end. */
int mpb_base64_decode(const char *s, size_t n, uint8_t *out);

#endif
