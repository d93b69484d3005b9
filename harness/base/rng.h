/* rng.h — small seeded PRNG (splitmix64-seeded xoshiro256**) used for run
 * interleaving and bootstrap resampling, so every random choice in mpbench is
 * reproducible from --seed. */
#ifndef MPB_RNG_H
#define MPB_RNG_H

#include <stddef.h>
#include <stdint.h>

struct mpb_rng {
	uint64_t s[4];
};

void mpb_rng_seed(struct mpb_rng *r, uint64_t seed);
uint64_t mpb_rng_next(struct mpb_rng *r);
/* Uniform integer in [0, n); n > 0. Unbiased (rejection sampling). */
uint64_t mpb_rng_below(struct mpb_rng *r, uint64_t n);
/* Uniform double in [0, 1). */
double mpb_rng_double(struct mpb_rng *r);
/* Fisher–Yates shuffle of n elements of `size` bytes each. */
void mpb_rng_shuffle(struct mpb_rng *r, void *base, size_t n, size_t size);

#endif
