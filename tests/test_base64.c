/* test_base64.c — RFC 4648 base64: the standard's test vectors, a round
 * trip over every length and byte, and malformed text refused. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base64.h"

static void test_rfc4648_vectors(void **state)
{
	(void)state;
	static const char *const plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
	static const char *const coded[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=",
					     "Zm9vYmFy" };
	for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
		size_t n = strlen(plain[i]);
		char out[16];
		assert_int_equal(mpb_base64_encoded_len(n), strlen(coded[i]));
		mpb_base64_encode((const uint8_t *)plain[i], n, out);
		assert_string_equal(out, coded[i]);
		uint8_t back[16];
		assert_int_equal(mpb_base64_decoded_len(coded[i], strlen(coded[i])), n);
		assert_int_equal(mpb_base64_decode(coded[i], strlen(coded[i]), back), 0);
		assert_memory_equal(back, plain[i], n);
	}
}

/* Every length up to 3 groups and every byte value survive the round trip,
 * and the decoder writes no byte past the decoded length. */
static void test_round_trip(void **state)
{
	(void)state;
	uint8_t in[300], back[301];
	for (size_t i = 0; i < sizeof in; i++)
		in[i] = (uint8_t)(i * 151 + 7);
	for (size_t n = 0; n <= sizeof in; n += n < 10 ? 1 : 29) {
		char *s = mpb_base64_encode_alloc(in, n);
		assert_non_null(s);
		assert_int_equal(strlen(s), mpb_base64_encoded_len(n));
		assert_int_equal(mpb_base64_decoded_len(s, strlen(s)), n);
		memset(back, 0xa5, sizeof back);
		assert_int_equal(mpb_base64_decode(s, strlen(s), back), 0);
		assert_memory_equal(back, in, n);
		assert_int_equal(back[n], 0xa5);
		free(s);
	}
}

static void test_malformed(void **state)
{
	(void)state;
	uint8_t out[16];
	assert_int_equal(mpb_base64_decoded_len("abc", 3), SIZE_MAX);
	assert_int_equal(mpb_base64_decode("abc", 3, out), -1);
	assert_int_equal(mpb_base64_decode("ab!d", 4, out), -1);
	assert_int_equal(mpb_base64_decode("a=bc", 4, out), -1);   /* padding inside */
	assert_int_equal(mpb_base64_decode("ab==abcd", 8, out), -1); /* padding not at the end */
	assert_int_equal(mpb_base64_decode("ab c", 4, out), -1);
	assert_int_equal(mpb_base64_encoded_len(SIZE_MAX), SIZE_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4648_vectors),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
