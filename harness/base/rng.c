/* rng.c — splitmix64-seeded xoshiro256** (see rng.h). Every random choice in
 * mpbench (run interleaving, bootstrap resampling) comes from here, so a given
 * --seed reproduces it bit for bit on every platform. */
#include "rng.h"

#include <string.h>

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void mpb_rng_seed(struct mpb_rng *r, uint64_t seed)
{
	uint64_t st = seed;
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&st);
}

uint64_t mpb_rng_next(struct mpb_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t mpb_rng_below(struct mpb_rng *r, uint64_t n)
{
	if (n <= 1)
		return 0;
	/* Reject the lowest (2^64 mod n) values so the rest split evenly into n
	 * classes; -n % n is 2^64 mod n in unsigned arithmetic. */
	uint64_t threshold = (0 - n) % n;
	for (;;) {
		uint64_t x = mpb_rng_next(r);
		if (x >= threshold)
			return x % n;
	}
}

double mpb_rng_double(struct mpb_rng *r)
{
	/* Top 53 bits scaled by 2^-53: exactly representable, in [0, 1). */
	return (double)(mpb_rng_next(r) >> 11) * 0x1.0p-53;
}

static void swap_bytes(unsigned char *a, unsigned char *b, size_t size)
{
	unsigned char tmp[64];
	while (size > 0) {
		size_t k = size < sizeof tmp ? size : sizeof tmp;
		memcpy(tmp, a, k);
		memcpy(a, b, k);
		memcpy(b, tmp, k);
		a += k;
		b += k;
		size -= k;
	}
}

void mpb_rng_shuffle(struct mpb_rng *r, void *base, size_t n, size_t size)
{
	unsigned char *p = base;
	if (n < 2 || size == 0)
		return;
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = (size_t)mpb_rng_below(r, (uint64_t)i + 1);
		if (j != i)
			swap_bytes(p + i * size, p + j * size, size);
	}
}
